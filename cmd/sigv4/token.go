package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Session tokens are secrets: whoever holds one with its keys acts as the
// role. The commands print canonical requests, signed requests, diffs and
// hints to explain a signature, and these hold the token; they print it as
// redactToken renders it, unless --show-token is given. The presigned URL
// of presign and the form fields of post-policy are the products and keep
// it whole.

// tokenName is the session token's header and query parameter, compared
// without case.
const tokenName = "x-amz-security-token"

// minKnownToken is the shortest known token value redact hides wherever it
// appears: a shorter one could be a word of the text ("token"), so it is
// hidden only where a token goes.
const minKnownToken = 16

// redactToken renders a session token for diagnostics: its first four and
// last three characters around its length, "FwoG…(812 chars)…xyz", which
// tell two tokens apart and never give one away. A token shorter than 24
// characters shows its length only.
func redactToken(tok string) string {
	if tok == "" {
		return ""
	}
	n := utf8.RuneCountInString(tok)
	mid := "…(" + strconv.Itoa(n) + " chars)…"
	if n < 24 {
		return mid
	}
	return prefixRunes(tok, 4) + mid + suffixRunes(tok, 3)
}

// prefixRunes returns the first n runes of s.
func prefixRunes(s string, n int) string {
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}

// suffixRunes returns the last n runes of s.
func suffixRunes(s string, n int) string {
	i := len(s)
	for range n {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return s[i:]
}

// isRedacted reports whether v is a token as redactToken renders it.
func isRedacted(v string) bool {
	head, rest, ok := strings.Cut(v, "…(")
	if !ok || utf8.RuneCountInString(head) > 4 {
		return false
	}
	n, tail, ok := strings.Cut(rest, " chars)…")
	if !ok || utf8.RuneCountInString(tail) > 3 {
		return false
	}
	_, err := strconv.ParseUint(n, 10, 32)
	return err == nil
}

// tokenRedactor hides session tokens in the text a command prints to
// diagnose a request. The zero value hides tokens where they go (an
// x-amz-security-token header line, an X-Amz-Security-Token query
// parameter); add makes it hide a known value wherever it appears.
type tokenRedactor struct {
	show  bool         // --show-token: print tokens whole
	known []knownToken // longest form first
}

// knownToken is a token as it may appear in text, raw or escaped, and how
// it is shown.
type knownToken struct{ form, shown string }

// add makes r hide tok, raw and query-escaped, wherever it appears (when
// it has at least minKnownToken characters).
func (r *tokenRedactor) add(tok string) {
	if len(tok) < minKnownToken {
		return
	}
	shown := redactToken(tok)
	for _, form := range []string{tok, url.QueryEscape(tok), strings.ReplaceAll(url.QueryEscape(tok), "+", "%20")} {
		if !slices.ContainsFunc(r.known, func(k knownToken) bool { return k.form == form }) {
			r.known = append(r.known, knownToken{form, shown})
		}
	}
	// Longest first: a token that holds another is replaced whole.
	slices.SortStableFunc(r.known, func(a, b knownToken) int { return len(b.form) - len(a.form) })
}

// learn makes r hide, wherever they appear, the tokens that text holds
// where a token goes: the server's canonical request, a URL.
func (r *tokenRedactor) learn(text string) {
	scanTokens(text, func(value string, query bool) string {
		if query {
			if v, err := url.QueryUnescape(value); err == nil {
				r.add(v)
			}
		}
		r.add(value)
		return value
	})
}

// redact returns s with its session tokens redacted, or s with
// --show-token.
func (r *tokenRedactor) redact(s string) string {
	if r.show {
		return s
	}
	s = scanTokens(s, func(value string, query bool) string {
		if isRedacted(value) {
			return value // printed through redact twice
		}
		if query {
			if v, err := url.QueryUnescape(value); err == nil {
				return redactToken(v)
			}
		}
		return redactToken(value)
	})
	for _, k := range r.known {
		s = strings.ReplaceAll(s, k.form, k.shown)
	}
	return s
}

// scanTokens returns s with the value of each token in it replaced by
// f(value, query): a header ("x-amz-security-token:" and optional spaces,
// up to the end of the line or a double quote) or a query parameter
// ("X-Amz-Security-Token=" and the characters of base64 and of escapes
// that follow). Empty values are left as they are.
func scanTokens(s string, f func(value string, query bool) string) string {
	lower := asciiLower(s) // the same length as s
	var b strings.Builder
	last := 0 // s[:last] is written
	for at := 0; ; {
		i := strings.Index(lower[at:], tokenName)
		if i < 0 {
			break
		}
		j := at + i + len(tokenName)
		at = j
		if j >= len(s) || s[j] != ':' && s[j] != '=' {
			continue
		}
		query := s[j] == '='
		j++
		var k int
		if query {
			k = strings.IndexFunc(s[j:], func(r rune) bool { return !isQueryTokenChar(r) })
		} else {
			for j < len(s) && s[j] == ' ' {
				j++
			}
			k = strings.IndexAny(s[j:], "\r\n\"")
		}
		if k < 0 {
			k = len(s) - j
		}
		if k == 0 {
			continue
		}
		b.WriteString(s[last:j])
		b.WriteString(f(s[j:j+k], query))
		last, at = j+k, j+k
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// isQueryTokenChar reports whether r may be part of a token in a query:
// base64 and URL-safe base64, and escapes.
func isQueryTokenChar(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("+/=%-_.~", r)
}

// asciiLower returns s with the ASCII letters in lower case, byte for byte.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// printf prints a diagnostic line (or lines) to w with the session tokens
// redacted.
func (a *app) printf(w io.Writer, format string, args ...any) {
	io.WriteString(w, a.tokens.redact(fmt.Sprintf(format, args...)))
}

// learnRequest makes a hide the session tokens req carries: in its
// X-Amz-Security-Token header or query parameter.
func (a *app) learnRequest(req *http.Request) {
	for _, v := range req.Header.Values("X-Amz-Security-Token") {
		a.tokens.add(v)
	}
	a.tokens.learn(req.URL.RawQuery)
}
