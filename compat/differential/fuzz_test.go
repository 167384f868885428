package differential

import (
	"context"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"
)

// FuzzDifferential is TestDifferential driven by the fuzzer: it builds one
// request from the fuzzed parts and requires sigv4kit and aws-sdk-go-v2 to
// agree on header signing and presigning. Inputs outside the range where
// the two can agree (see comparableInput and quirks_test.go) are skipped.
//
//	go test -run '^$' -fuzz FuzzDifferential ./differential
func FuzzDifferential(f *testing.F) {
	g := NewGenerator(defaultSeed)
	for i := 0; i < 40; i++ {
		s := g.Next()
		name, value := "X-Custom", "a  b"
		if len(s.Headers) > 0 {
			name, value = s.Headers[0].Name, s.Headers[0].Value
		}
		path := s.Path
		if !s.S3 {
			path = s.RawPath
		}
		f.Add(s.S3, s.Normalize, s.Hoist, s.Method, s.Scheme, s.URLHost, path, s.RawQuery, name, value, s.Token)
	}
	f.Add(true, false, false, "GET", "https", "examplebucket.s3.amazonaws.com", "/a b/c+d=e~f/./../%41", "x=a+b&x=%2B&y&&z=", "X-Amz-Meta-A", "  a   b  ", "")
	f.Add(false, true, true, "POST", "http", "example.com:80", "/a/./b/../c//d/", "k%C3%BC=1&k~=2", "x-mixed-CASE", "\t v \t", "token+/=")

	ctx := context.Background()
	f.Fuzz(func(t *testing.T, s3, normalize, hoist bool, method, scheme, host, path, rawQuery, hname, hvalue, token string) {
		s := &Spec{
			S3: s3, Normalize: normalize, Hoist: hoist,
			Method: method, Scheme: scheme, URLHost: host, RawQuery: rawQuery,
			Headers:     []Header{{hname, hvalue}},
			AccessKey:   "AKIDFUZZ",
			Secret:      "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
			Token:       token,
			Time:        time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC),
			Expires:     time.Hour,
			Region:      "us-east-1",
			PayloadHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		}
		if s3 {
			s.Service, s.Path = "s3", path
		} else {
			s.Service = "service"
			s.RawPath = path
			p, ok := unescapePath(path)
			if !ok {
				t.Skip("path is not a valid escaping")
			}
			s.Path = p
		}
		if ok, why := comparableInput(s); !ok {
			t.Skip(why)
		}
		if msg := compareHeader(ctx, s); msg != "" {
			t.Errorf("header signing: %s", msg)
		}
		if msg := comparePresign(ctx, s); msg != "" {
			t.Errorf("presigning: %s", msg)
		}
	})
}

var (
	hostRE  = regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$`)
	tokenRE = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
)

// unescapePath decodes a wire path; ok is false for a bad %-escape.
func unescapePath(p string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' {
			if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
				return "", false
			}
			c = unhex(p[i+1])<<4 | unhex(p[i+2])
			i += 2
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// validIPv6Literal reports whether a host of the form "[...]" with an
// optional port holds an IPv6 address.
func validIPv6Literal(host string) bool {
	end := strings.IndexByte(host, ']')
	if end < 0 {
		return false
	}
	a, err := netip.ParseAddr(host[1:end])
	return err == nil && a.Is6()
}

// comparableInput reports whether s is in the range where sigv4kit and
// aws-sdk-go-v2 can agree, and if not, why.
func comparableInput(s *Spec) (bool, string) {
	switch {
	case !tokenRE.MatchString(s.Method):
		return false, "method is not an HTTP token"
	case !strings.EqualFold(s.Scheme, "http") && !strings.EqualFold(s.Scheme, "https"):
		return false, "scheme is not http or https"
	case !hostRE.MatchString(s.URLHost):
		return false, "host is not a name or an IP literal, with an optional port"
	case strings.HasPrefix(s.URLHost, "[") && !validIPv6Literal(s.URLHost):
		return false, "brackets around no IPv6 address: sigv4kit refuses the host, net/url cannot parse it, aws-sdk-go-v2 signs it"
	case strings.HasPrefix(s.URLHost, "[") && (strings.HasSuffix(s.URLHost, ":443") || strings.HasSuffix(s.URLHost, ":80")):
		return false, "IPv6 literal with a default port: TestQuirkSDKIPv6Host"
	case !strings.HasPrefix(s.Path, "/"):
		return false, "path does not start with '/'"
	case !s.S3 && !strings.HasPrefix(s.RawPath, "/"):
		return false, "wire path does not start with '/'"
	case strings.Contains(s.RawQuery, ";"):
		return false, "raw ';' in the query: TestQuirkSDKSemicolonInQuery"
	case strings.ContainsFunc(s.RawQuery, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '#' }):
		return false, "space, control character or '#' in the raw query: not a URL"
	case !validQueryEscapes(s.RawQuery):
		return false, "bad %-escape in the query (sigv4kit refuses it, the SDK drops the pair)"
	case strings.Contains(strings.ToLower(s.RawQuery), "x-amz-"):
		return false, "X-Amz- parameter in the query"
	case strings.ContainsFunc(s.Token, func(r rune) bool { return r <= ' ' || r >= 0x7f }):
		return false, "session token with whitespace, control or non-ASCII characters"
	}
	for _, h := range s.Headers {
		if ok, why := comparableHeader(h); !ok {
			return false, why
		}
	}
	return true, ""
}

func validQueryEscapes(q string) bool {
	for i := 0; i < len(q); i++ {
		if q[i] == '%' {
			if i+2 >= len(q) || !isHex(q[i+1]) || !isHex(q[i+2]) {
				return false
			}
			i += 2
		}
	}
	return true
}

func comparableHeader(h Header) (bool, string) {
	if !tokenRE.MatchString(h.Name) {
		return false, "header name is not a token"
	}
	switch strings.ToLower(h.Name) {
	case "host", "content-length", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256",
		"authorization", "user-agent", "x-amzn-trace-id", "expect", "transfer-encoding",
		"x-amz-expected-bucket-owner", "x-amz-request-payer",
		"x-amz-algorithm", "x-amz-credential", "x-amz-signedheaders", "x-amz-expires", "x-amz-signature":
		return false, "header set by the signers, on a deny list (TestQuirkSDKDenyListCase), or renamed by the SDK's presigner"
	case "connection":
		return false, "Connection: TestQuirkSDKConnectionHeader"
	}
	v := h.Value
	if strings.ContainsAny(v, "\r\n") {
		return false, "CR or LF in a header value"
	}
	inner := strings.Trim(v, " \t")
	if strings.Contains(inner, "\t") {
		return false, "tab inside a header value: TestQuirkSDKInnerTab"
	}
	if strings.TrimSpace(v) != inner {
		return false, "Unicode or vertical whitespace at the ends of a header value (the SDK's strings.TrimSpace removes it)"
	}
	return true, ""
}
