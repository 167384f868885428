package main

import (
	"context"
	"encoding/base64"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// testToken returns a session token shaped like STS's: long base64 with
// '+', '/' and '=' (so that its query-escaped form differs), the same for a
// given seed.
func testToken(seed uint64) string {
	b := make([]byte, 600)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return "FwoGZXIvYXdzE" + base64.StdEncoding.EncodeToString(b) + "+/=="
}

// leaks reports whether out shows tok or a piece of it that no redacted
// form holds: the token, its query-escaped form, or (of a long token) 24
// characters from its middle.
func leaks(out, tok string) bool {
	if strings.Contains(out, tok) || strings.Contains(out, url.QueryEscape(tok)) {
		return true
	}
	if len(tok) < 48 {
		return false
	}
	mid := tok[len(tok)/2-12 : len(tok)/2+12]
	return strings.Contains(out, mid) || strings.Contains(out, url.QueryEscape(mid))
}

// checkHidden fails unless neither stream of r shows any of the secrets.
func (r result) checkHidden(t *testing.T, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if leaks(r.stdout, s) {
			t.Errorf("stdout shows the secret %.8s...:\n%s", s, r.stdout)
		}
		if leaks(r.stderr, s) {
			t.Errorf("stderr shows the secret %.8s...:\n%s", s, r.stderr)
		}
	}
}

func TestRedactToken(t *testing.T) {
	long := testToken(1)
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"short", "…(5 chars)…"},
		{strings.Repeat("x", 23), "…(23 chars)…"},
		{"FwoG" + strings.Repeat("a", 805) + "xyz", "FwoG…(812 chars)…xyz"},
		{long, long[:4] + "…(" + strconv.Itoa(len(long)) + " chars)…" + long[len(long)-3:]},
		{"äöüß" + strings.Repeat("é", 30) + "ñ€¥", "äöüß…(37 chars)…ñ€¥"}, // runes, not bytes
	} {
		if got := redactToken(tc.in); got != tc.want {
			t.Errorf("redactToken(%.10q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestTokenRedactor checks the places a token is found by its position,
// whatever its value, and the known values found anywhere.
func TestTokenRedactor(t *testing.T) {
	tok, other := testToken(2), testToken(3)
	esc := url.QueryEscape(tok)
	var r tokenRedactor
	r.add(tok)
	for _, tc := range []struct{ name, in, want string }{
		{"canonical header", "host:h\nx-amz-security-token:" + other + "\nx-amz-date:1",
			"host:h\nx-amz-security-token:" + redactToken(other) + "\nx-amz-date:1"},
		{"http header", "X-Amz-Security-Token: " + other + "\r\nX-Amz-Date: 1\r\n",
			"X-Amz-Security-Token: " + redactToken(other) + "\r\nX-Amz-Date: 1\r\n"},
		{"quoted line", `server: "x-amz-security-token:` + other + `"`, `server: "x-amz-security-token:` + redactToken(other) + `"`},
		{"query", "X-Amz-Date=1&X-Amz-Security-Token=" + url.QueryEscape(other) + "&X-Amz-SignedHeaders=host",
			"X-Amz-Date=1&X-Amz-Security-Token=" + redactToken(other) + "&X-Amz-SignedHeaders=host"},
		{"query at the end", "https://h/k?X-Amz-Security-Token=" + esc, "https://h/k?X-Amz-Security-Token=" + redactToken(tok)},
		{"known value anywhere", `header "` + tok + `" is bad; escaped ` + esc, `header "` + redactToken(tok) + `" is bad; escaped ` + redactToken(tok)},
		{"prose is left alone", "the session token (X-Amz-Security-Token) is expired", "the session token (X-Amz-Security-Token) is expired"},
		{"empty value", "x-amz-security-token:\nhost", "x-amz-security-token:\nhost"},
	} {
		if got := r.redact(tc.in); got != tc.want {
			t.Errorf("%s: redact =\n%q\nwant\n%q", tc.name, got, tc.want)
		}
	}
	// A short known value is hidden by position only: "tok" stays a word.
	var s tokenRedactor
	s.add("tok")
	if got, want := s.redact("a tok, x-amz-security-token:tok"), "a tok, x-amz-security-token:"+redactToken("tok"); got != want {
		t.Errorf("short token: %q, want %q", got, want)
	}
	s.show = true
	if in := "x-amz-security-token:" + tok; s.redact(in) != in {
		t.Errorf("--show-token redacted %q", s.redact(in))
	}
}

// FuzzTokenRedactor checks that a token in a canonical header line, a
// query parameter or anywhere (when known) never survives redact.
func FuzzTokenRedactor(f *testing.F) {
	f.Add("GET\n/\n\nhost:h\n%s\n\nhost\nUNSIGNED-PAYLOAD", testToken(4))
	f.Add("https://h/k?a=1&%s&b=2", "FwoGZXIvYXdzEabcdefghijkl+/=")
	f.Add(`server: "%s"`, "short")
	f.Fuzz(func(t *testing.T, text, tok string) {
		if len(tok) < minKnownToken || strings.ContainsAny(tok, "\r\n\"&#' ") || strings.Contains(tok, "…") || !strings.Contains(text, "%s") {
			return
		}
		var r tokenRedactor
		r.add(tok)
		for _, form := range []string{tok, "x-amz-security-token:" + tok, "X-Amz-Security-Token=" + url.QueryEscape(tok)} {
			out := r.redact(strings.Replace(text, "%s", form, 1))
			if strings.Contains(out, tok) || strings.Contains(out, url.QueryEscape(tok)) {
				t.Fatalf("redact(%q) = %q shows the token", form, out)
			}
		}
	})
}

// tokenEnv is credEnv with a session token.
func tokenEnv(t *testing.T, tok string) map[string]string {
	env := credEnv(t)
	env["AWS_SESSION_TOKEN"] = tok
	return env
}

// TestCurlRedactsToken runs curl -v, --dry-run and the explanation of a
// SignatureDoesNotMatch answer against a real server: the session token is
// shown redacted on both streams, and in full with --show-token only.
func TestCurlRedactsToken(t *testing.T) {
	tok := testToken(5)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Amz-Security-Token") != tok {
			t.Errorf("the server got token %.10q", r.Header.Get("X-Amz-Security-Token"))
		}
		if r.URL.Path == "/mismatch" {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`<Error><Code>SignatureDoesNotMatch</Code><Message>no</Message><AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId>` +
				`<StringToSign>AWS4-HMAC-SHA256&#xA;20130524T000000Z&#xA;20130524/us-east-1/s3/aws4_request&#xA;0000</StringToSign>` +
				`<CanonicalRequest>GET&#xA;/other&#xA;&#xA;host:h&#xA;x-amz-security-token:` + r.Header.Get("X-Amz-Security-Token") +
				`&#xA;&#xA;host;x-amz-security-token&#xA;UNSIGNED-PAYLOAD</CanonicalRequest></Error>`))
			return
		}
		w.Write([]byte("ok\n"))
	}))
	defer srv.Close()
	env := tokenEnv(t, tok)
	shown := "x-amz-security-token:" + redactToken(tok)

	r := runIn(t, env, "", "curl", "-v", "--service", "s3", srv.URL+"/ok")
	r.check(t, exitOK, []string{"ok\n"}, []string{"canonical request:\n", "  " + shown + "\n"})
	r.checkHidden(t, tok, exampleSecret)

	r = runIn(t, env, "", "curl", "-v", "--dry-run", "--service", "s3", srv.URL+"/ok")
	r.check(t, exitOK, []string{"X-Amz-Security-Token: " + redactToken(tok) + "\r\n"}, []string{"  " + shown + "\n"})
	r.checkHidden(t, tok, exampleSecret)

	// The diff with the server's canonical request (its body, on standard
	// output, is the server's answer and is printed as received).
	r = runIn(t, env, "", "curl", "-v", "--service", "s3", srv.URL+"/mismatch")
	r.check(t, exitOK, []string{"<Code>SignatureDoesNotMatch</Code>"}, []string{"canonical request (- server, + sigv4):", "    " + shown + "\n"})
	if leaks(r.stderr, tok) || leaks(r.stderr, exampleSecret) {
		t.Errorf("stderr shows the token:\n%s", r.stderr)
	}

	// A URL that carries a token is redacted in errors too.
	r = runIn(t, env, "", "curl", "--service", "s3", "--max-time", "2s", "http://127.0.0.1:1/k?X-Amz-Security-Token="+url.QueryEscape(tok))
	r.check(t, exitError, nil, []string{"sigv4: error: GET http://127.0.0.1:1/k?X-Amz-Security-Token=" + redactToken(tok) + ": "})
	r.checkHidden(t, tok)

	// --show-token prints it in full.
	r = runIn(t, env, "", "curl", "-v", "--show-token", "--service", "s3", srv.URL+"/mismatch")
	r.check(t, exitOK, nil, []string{"  x-amz-security-token:" + tok + "\n"})
	r = runIn(t, env, "", "curl", "--dry-run", "--show-token", "--service", "s3", srv.URL+"/ok")
	r.check(t, exitOK, []string{"X-Amz-Security-Token: " + tok + "\r\n"}, nil)
	runIn(t, env, "", "curl", "--help").check(t, exitOK, []string{"--show-token"}, nil)
}

// serverTokenError returns the XML error a server would send for a GET of
// http://h.example/b/k with header, signed at 2026-11-28T12:00:00Z by
// AKIDEXAMPLE with the session token tok.
func serverTokenError(t *testing.T, tok string, header http.Header) []byte {
	t.Helper()
	s, err := sigv4.New(sigv4.Config{
		Service: "s3", Region: "us-east-1",
		Credentials: credentials.Static("AKIDEXAMPLE", "secret", tok),
		Now:         func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "http://h.example/b/k", nil)
	for k, vv := range header {
		req.Header[k] = vv
	}
	tr, err := s.Explain(context.Background(), req, sigv4.UnsignedPayload)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tr.CanonicalRequest, "\nx-amz-security-token:"+tok+"\n") {
		t.Fatalf("the server's canonical request lacks the token:\n%s", tr.CanonicalRequest)
	}
	e := &sigv4.AuthError{Code: sigv4.CodeSignatureDoesNotMatch, Message: "no match", AccessKeyID: "AKIDEXAMPLE",
		CanonicalRequest: tr.CanonicalRequest, StringToSign: tr.StringToSign}
	return e.XML("/b/k", "REQ")
}

// TestExplainRedactsToken runs explain's paths that print a canonical
// request, a diff line or a hint about the session token: each shows it
// redacted, and in full with --show-token only.
func TestExplainRedactsToken(t *testing.T) {
	tok, other := testToken(6), testToken(7)
	const date, payload = "X-Amz-Date: 20261128T120000Z", "X-Amz-Content-Sha256: UNSIGNED-PAYLOAD"
	base := []string{"explain", "-H", date, "-H", payload}
	for _, tc := range []struct {
		name           string
		body           []byte
		args           []string
		stdout, stderr []string
	}{
		{"another header differs", serverTokenError(t, tok, http.Header{"X-Amz-Meta-A": {"1"}}),
			[]string{"-H", "X-Amz-Security-Token: " + tok, "-H", "X-Amz-Meta-A: 2", "http://h.example/b/k"},
			[]string{"    x-amz-security-token:" + redactToken(tok) + "\n", "  - x-amz-meta-a:1\n"}, []string{"sigv4: hint: signed header x-amz-meta-a differs"}},
		{"the token differs", serverTokenError(t, tok, nil),
			[]string{"-H", "X-Amz-Security-Token: " + other, "http://h.example/b/k"},
			[]string{"  - x-amz-security-token:" + redactToken(tok) + "\n  + x-amz-security-token:" + redactToken(other) + "\n",
				"first difference: line 7, the canonical header x-amz-security-token\n",
				`  server: "x-amz-security-token:` + redactToken(tok) + `"`},
			[]string{"sigv4: hint: the session token differs"}},
		{"the request lacks the token", serverTokenError(t, tok, nil),
			[]string{"http://h.example/b/k"},
			[]string{"  - x-amz-security-token:" + redactToken(tok) + "\n"},
			[]string{"sigv4: hint: the server signed a session token (x-amz-security-token), which the request you gave does not have"}},
		{"identical", serverTokenError(t, tok, nil),
			[]string{"-H", "X-Amz-Security-Token: " + tok, "http://h.example/b/k"},
			[]string{"canonical request: identical", "  x-amz-security-token:" + redactToken(tok) + "\n"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runIn(t, baseEnv(t), string(tc.body), append(base, tc.args...)...)
			r.check(t, exitOK, tc.stdout, tc.stderr)
			r.checkHidden(t, tok, other)

			r = runIn(t, baseEnv(t), string(tc.body), append(append(base, "--show-token"), tc.args...)...)
			r.check(t, exitOK, []string{"x-amz-security-token:" + tok + "\n"}, nil)
		})
	}
	runIn(t, baseEnv(t), "", "explain", "--help").check(t, exitOK, []string{"--show-token"}, nil)
}

// TestExplainPresignedRedactsToken explains a presigned URL that carries a
// session token: the canonical query string of both sides and the URL are
// redacted.
func TestExplainPresignedRedactsToken(t *testing.T) {
	tok := testToken(8)
	s, err := sigv4.New(sigv4.Config{
		Service: "s3", Region: "us-east-1",
		Credentials: credentials.Static("AKIDEXAMPLE", "secretsecret", tok),
		Now:         func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("PUT", "http://h.example/b/k", nil)
	req.Header.Set("Content-Type", "image/png")
	p, err := s.Presign(context.Background(), req, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "image/jpeg") // what the server received
	tr, err := s.ExplainPresign(context.Background(), req, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	e := &sigv4.AuthError{Code: sigv4.CodeSignatureDoesNotMatch, Message: "no match", AccessKeyID: "AKIDEXAMPLE",
		CanonicalRequest: tr.CanonicalRequest, StringToSign: tr.StringToSign}
	body := string(e.XML("/b/k", "REQ"))
	if !strings.Contains(body, url.QueryEscape(tok)) {
		t.Fatalf("the server's canonical request lacks the token:\n%s", body)
	}
	args := []string{"explain", "-X", "PUT", "-H", "Content-Type: image/png", p.URL}
	r := runIn(t, baseEnv(t), body, args...)
	r.check(t, exitOK, []string{"X-Amz-Security-Token=" + redactToken(tok), "  - content-type:image/jpeg\n"}, nil)
	r.checkHidden(t, tok, "secretsecret")
	r = runIn(t, baseEnv(t), body, append([]string{"explain", "--show-token"}, args[1:]...)...)
	r.check(t, exitOK, []string{"X-Amz-Security-Token=" + url.QueryEscape(tok)}, nil)

	// verify: an error that quotes the URL redacts its token.
	bad := strings.Replace(p.URL, "http://", "ftp://", 1)
	r = runIn(t, baseEnv(t), "", "verify", bad)
	r.check(t, exitUsage, nil, []string{"X-Amz-Security-Token=" + redactToken(tok)})
	r.checkHidden(t, tok)
	runIn(t, baseEnv(t), "", "verify", "--show-token", bad).check(t, exitUsage, nil, []string{"X-Amz-Security-Token=" + url.QueryEscape(tok)})
}

// TestPresignKeepsToken checks the products that must carry the token in
// full: the presigned URL and the POST form's fields.
func TestPresignKeepsToken(t *testing.T) {
	tok := testToken(9)
	env := tokenEnv(t, tok)
	runIn(t, env, "", "presign", "s3://b/k").check(t, exitOK, []string{"X-Amz-Security-Token=" + url.QueryEscape(tok)}, nil)
	runIn(t, env, "", "post-policy", "s3://b/u/", "--max-size", "1KB").check(t, exitOK, []string{"x-amz-security-token=" + tok + "\n"}, nil)
}

// TestBinaryRedactsToken runs the built binary: curl -v against a real
// server and --dry-run print the session token redacted on the process's
// streams, and whole with --show-token.
func TestBinaryRedactsToken(t *testing.T) {
	tok := testToken(10)
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case got <- r.Header.Get("X-Amz-Security-Token"):
		default:
		}
		w.Write([]byte("ok\n"))
	}))
	defer srv.Close()
	env := tokenEnv(t, tok)
	shown := "  x-amz-security-token:" + redactToken(tok) + "\n"

	r := execBin(t, env, "", "curl", "-v", "--service", "s3", srv.URL+"/b/k")
	r.check(t, exitOK, []string{"ok\n"}, []string{"canonical request:\n", shown})
	r.checkHidden(t, tok, exampleSecret)
	if g := <-got; g != tok {
		t.Errorf("the server got the token %.10q..., not the whole token", g)
	}
	r = execBin(t, env, "", "curl", "--dry-run", "--service", "s3", srv.URL+"/b/k")
	r.check(t, exitOK, []string{"X-Amz-Security-Token: " + redactToken(tok) + "\r\n"}, nil)
	r.checkHidden(t, tok, exampleSecret)
	execBin(t, env, "", "curl", "-v", "--show-token", "--service", "s3", srv.URL+"/b/k").
		check(t, exitOK, nil, []string{"  x-amz-security-token:" + tok + "\n"})
}
