package sigv4_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// The reference implementations below are slow and obvious on purpose:
// the fuzz targets check the fast canonicalizers against them.

func refEscape(s string, keepSlash bool) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', strings.IndexByte("-._~", c) >= 0:
			b.WriteByte(c)
		case keepSlash && c == '/':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func refNormalize(p string) string {
	if p == "" {
		return "/"
	}
	c := path.Clean("/" + p)
	if c != "/" && strings.HasSuffix(p, "/") {
		c += "/"
	}
	return c
}

func refUnescapeQuery(s string) (string, bool) {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) {
				return "", false
			}
			if !isHexDigit(s[i+1]) || !isHexDigit(s[i+2]) {
				return "", false
			}
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b = append(b, byte(v))
			i += 2
		default:
			b = append(b, s[i])
		}
	}
	return string(b), true
}

func isHexDigit(c byte) bool { return strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 }

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func refCanonicalQuery(raw string) (string, bool) {
	type kv struct{ k, v string }
	var pairs []kv
	for _, piece := range strings.Split(raw, "&") {
		if piece == "" {
			continue
		}
		k, v, _ := strings.Cut(piece, "=")
		dk, ok1 := refUnescapeQuery(k)
		dv, ok2 := refUnescapeQuery(v)
		if !ok1 || !ok2 {
			return "", false
		}
		pairs = append(pairs, kv{refEscape(dk, false), refEscape(dv, false)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var out []string
	for _, p := range pairs {
		out = append(out, p.k+"="+p.v)
	}
	return strings.Join(out, "&"), true
}

func refHeaderValue(v string) (string, bool) {
	v = strings.NewReplacer("\r\n ", " ", "\r\n\t", " ", "\n ", " ", "\n\t", " ").Replace(v) // one pass
	if strings.ContainsAny(v, "\r\n") {
		return "", false
	}
	return strings.Join(strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' }), " "), true
}

func FuzzCanonicalURI(f *testing.F) {
	for _, s := range []string{"", "/", "/a b", "//a/./b/../c/", "/ሴ", "/%41", "/a+b=c", "/..", "a/b", "/\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		for _, normalize := range []bool{false, true} {
			u := &url.URL{Scheme: "https", Host: "h", Path: p}
			got, err := sigv4.CanonicalURI(u, false, normalize)
			if err != nil {
				t.Fatal(err)
			}
			in := p
			if normalize {
				in = refNormalize(p)
			} else if !strings.HasPrefix(in, "/") {
				in = "/" + in
			}
			if want := refEscape(in, true); got != want {
				t.Fatalf("CanonicalURI(%q, normalize=%v) = %q, reference %q", p, normalize, got, want)
			}
			// Idempotent: the canonical URI decoded and canonicalized again
			// is itself.
			dec, err := url.PathUnescape(got)
			if err != nil {
				t.Fatalf("canonical URI %q does not decode: %v", got, err)
			}
			again, _ := sigv4.CanonicalURI(&url.URL{Scheme: "https", Host: "h", Path: dec}, false, normalize)
			if again != got {
				t.Fatalf("not idempotent: %q -> %q -> %q", p, got, again)
			}
			// Double escaping is single escaping of the wire form.
			dbl, _ := sigv4.CanonicalURI(u, true, false)
			wire := u.EscapedPath()
			if !strings.HasPrefix(wire, "/") {
				wire = "/" + wire
			}
			if want := refEscape(wire, true); dbl != want {
				t.Fatalf("double CanonicalURI(%q) = %q, reference %q", p, dbl, want)
			}
		}
		if n := sigv4.NormalizePath(p); n != refNormalize(p) {
			t.Fatalf("NormalizePath(%q) = %q, reference %q", p, n, refNormalize(p))
		}
	})
}

func FuzzCanonicalQuery(f *testing.F) {
	for _, s := range []string{"", "a=1&b=2", "b=2&a=1&a=0", "a+b=c%2Bd", "%E1%88%B4=x", "a=%zz", "&&=&", "k=v=w", "a%20b=1&a+b=2", "c=AKID%2F2026%2fx%41%2", "X-Amz-Credential=A%2FB%3d%7E%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := sigv4.CanonicalQuery(raw)
		want, ok := refCanonicalQuery(raw)
		if (err == nil) != ok {
			t.Fatalf("CanonicalQuery(%q): err = %v, reference ok = %v", raw, err, ok)
		}
		if err != nil {
			return
		}
		if got != want {
			t.Fatalf("CanonicalQuery(%q) = %q, reference %q", raw, got, want)
		}
		if again, err := sigv4.CanonicalQuery(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", raw, got, again, err)
		}
	})
}

func FuzzCanonicalHeaders(f *testing.F) {
	for _, s := range []string{"", "  a  b  ", "a\tb", "v1\n  v2", "v1\r\n\tv2", "bad\rvalue", "\n", "x\n"} {
		f.Add("X-Test", s, "second")
	}
	f.Fuzz(func(t *testing.T, name, v1, v2 string) {
		if name == "" || strings.ContainsAny(name, ":\r\n ") || strings.EqualFold(name, "host") {
			return
		}
		h := http.Header{name: {v1, v2}}
		canon, signed, err := sigv4.CanonicalHeaders("h", h)
		r1, ok1 := refHeaderValue(v1)
		r2, ok2 := refHeaderValue(v2)
		if (err == nil) != (ok1 && ok2) {
			t.Fatalf("values %q, %q: err = %v, reference ok = %v", v1, v2, err, ok1 && ok2)
		}
		if err != nil {
			return
		}
		lname := asciiLower(name)
		lines := []string{"host:h", lname + ":" + r1 + "," + r2}
		sort.Strings(lines)
		if want := strings.Join(lines, "\n") + "\n"; canon != want {
			t.Fatalf("canonical %q, reference %q", canon, want)
		}
		names := []string{"host", lname}
		sort.Strings(names)
		if signed != strings.Join(names, ";") {
			t.Fatalf("signed %q", signed)
		}
		// Idempotent: canonical values canonicalize to themselves.
		if c2, _, err := sigv4.CanonicalHeaders("h", http.Header{name: {r1 + "," + r2}}); err != nil || c2 != canon {
			t.Fatalf("not idempotent: %q vs %q (%v)", c2, canon, err)
		}
	})
}

// FuzzSign signs arbitrary requests: Sign never panics, and whatever it
// signs checks out against an independent computation of the signature
// from the trace.
func FuzzSign(f *testing.F) {
	f.Add("GET", "/a b/c", "x=1&y=%2B", "X-Amz-Meta-A", " v  w ", "s3", "TOKEN")
	f.Add("POST", "//a/../b", "", "Content-Type", "text/plain", "service", "")
	f.Add("PUT", "/", "a=%zz", "X-Bad", "a\nb", "s3", "")
	f.Fuzz(func(t *testing.T, method, p, query, hname, hvalue, service, token string) {
		if service == "" || strings.ContainsAny(service, "/ \t\r\n") || method == "" || strings.ContainsAny(method, " \r\n") {
			return
		}
		s, err := sigv4.New(sigv4.Config{
			Service: service, Region: "us-east-1",
			Credentials: credentials.Static("AKID", "SECRET", token),
			Now:         func() time.Time { return suiteTime },
		})
		if err != nil {
			t.Fatal(err)
		}
		req := &http.Request{Method: method, URL: &url.URL{Scheme: "https", Host: "example.com", Path: p, RawQuery: query}, Header: http.Header{}}
		if hname != "" && !strings.ContainsAny(hname, ":\r\n ") {
			req.Header[hname] = []string{hvalue}
		}
		tr, err := s.Explain(context.Background(), req, sigv4.UnsignedPayload)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "sigv4: ") {
				t.Fatalf("error without prefix: %v", err)
			}
			return
		}
		sum := sha256.Sum256([]byte(tr.CanonicalRequest))
		if !strings.HasSuffix(tr.StringToSign, "\n"+hex.EncodeToString(sum[:])) {
			t.Fatalf("string to sign does not end with the canonical request's hash")
		}
		mac := hmac.New(sha256.New, sigv4.SigningKey("SECRET", suiteTime, "us-east-1", service))
		mac.Write([]byte(tr.StringToSign))
		if want := hex.EncodeToString(mac.Sum(nil)); tr.Signature != want {
			t.Fatalf("signature %s, independent %s", tr.Signature, want)
		}
		if err := s.Sign(context.Background(), req, sigv4.UnsignedPayload); err != nil {
			t.Fatalf("Explain succeeded but Sign failed: %v", err)
		}
		if !strings.HasSuffix(req.Header.Get("Authorization"), "Signature="+tr.Signature) {
			t.Fatalf("Sign and Explain disagree")
		}
		// Signing the signed request again gives the same signature.
		tr2, err := s.Explain(context.Background(), req, sigv4.UnsignedPayload)
		if err != nil || tr2.Signature != tr.Signature {
			t.Fatalf("re-signing changed the signature (%v)", err)
		}
	})
}
