package sigv4_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

var opTime = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func opSigner(t *testing.T, service string) *sigv4.Signer {
	t.Helper()
	s, err := sigv4.New(sigv4.Config{Service: service, Region: "us-east-1",
		Credentials: credentials.Static("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
		Now:         func() time.Time { return opTime }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestOpaqueIsTheEscapedPath checks that URL.Opaque, as aws-sdk-go-v2 users
// set it, is signed as the escaped path it sends, exactly as the same path
// given through Path and RawPath.
func TestOpaqueIsTheEscapedPath(t *testing.T) {
	tests := []struct {
		service, opaque string
		path, rawPath   string // the same request without Opaque
		wantURI         string
	}{
		{"s3", "/bkt/a%20b/c%2Fd", "/bkt/a b/c/d", "/bkt/a%20b/c%2Fd", "/bkt/a%20b/c/d"},
		{"s3", "//example.com/bkt/a+b", "/bkt/a+b", "", "/bkt/a%2Bb"},
		{"s3", "/bkt/%E1%88%B4", "/bkt/ሴ", "", "/bkt/%E1%88%B4"},
		{"execute-api", "/a%20b/./c", "/a b/./c", "", "/a%2520b/c"},
		{"execute-api", "//example.com/x%2Fy", "/x/y", "/x%2Fy", "/x%252Fy"},
	}
	for _, tt := range tests {
		s := opSigner(t, tt.service)
		withOpaque := &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Host: "example.com", Opaque: tt.opaque}, Header: http.Header{}}
		plain := &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Host: "example.com", Path: tt.path, RawPath: tt.rawPath}, Header: http.Header{}}
		a, err := s.Explain(context.Background(), withOpaque, sigv4.UnsignedPayload)
		if err != nil {
			t.Fatalf("%s %q: %v", tt.service, tt.opaque, err)
		}
		b, err := s.Explain(context.Background(), plain, sigv4.UnsignedPayload)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Split(a.CanonicalRequest, "\n")[1]; got != tt.wantURI {
			t.Errorf("%s %q: canonical URI %q, want %q", tt.service, tt.opaque, got, tt.wantURI)
		}
		if a.Signature != b.Signature {
			t.Errorf("%s %q: signature differs from the same path given as Path/RawPath", tt.service, tt.opaque)
		}
		p, err := s.Presign(context.Background(), withOpaque, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		wantPrefix := "https://example.com" + strings.TrimPrefix(tt.opaque, "//example.com") + "?"
		if !strings.HasPrefix(p.URL, wantPrefix) {
			t.Errorf("%s %q: presigned URL %q does not start with %q", tt.service, tt.opaque, p.URL, wantPrefix)
		}
	}
}

// TestOpaqueThroughAServer sends a request whose path is in URL.Opaque to a
// real server that verifies it: the wire path is the one signed.
func TestOpaqueThroughAServer(t *testing.T) {
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "s3", Regions: []string{"us-east-1"},
		Secrets: sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}),
		Now:     func() time.Time { return opTime }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.Path)
	})))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, opaque := range []string{"/bkt/a%20b+c", "//" + host + "/bkt/%E1%88%B4/x"} {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		req.URL.Opaque = opaque
		if err := opSigner(t, "s3").Sign(context.Background(), req, sigv4.UnsignedPayload); err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want, _ := url.PathUnescape(strings.TrimPrefix(opaque, "//"+host))
		if resp.StatusCode != 200 || string(body) != want {
			t.Errorf("Opaque %q: %d %q, want 200 %q", opaque, resp.StatusCode, body, want)
		}
	}
}

// TestPresignPayload checks the payload line PresignPayload signs, the
// X-Amz-Content-Sha256 header it asks the client to send, and its errors.
func TestPresignPayload(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	tests := []struct {
		service, payload string
		wantLine         string
		wantHeader       bool
	}{
		{"execute-api", "", sigv4.EmptyPayloadHash, false},
		{"execute-api", sigv4.UnsignedPayload, sigv4.UnsignedPayload, true},
		{"execute-api", hash, hash, true},
		{"s3", "", sigv4.UnsignedPayload, false},
		{"s3", sigv4.UnsignedPayload, sigv4.UnsignedPayload, false},
		{"s3", hash, hash, true},
	}
	for _, tt := range tests {
		s := opSigner(t, tt.service)
		req := func() *http.Request {
			r, _ := http.NewRequest("PUT", "https://example.com/a/b", nil)
			return r
		}
		tr, err := s.ExplainPresignPayload(context.Background(), req(), time.Minute, tt.payload)
		if err != nil {
			t.Fatalf("%s %q: %v", tt.service, tt.payload, err)
		}
		lines := strings.Split(tr.CanonicalRequest, "\n")
		if got := lines[len(lines)-1]; got != tt.wantLine {
			t.Errorf("%s %q: payload line %q, want %q", tt.service, tt.payload, got, tt.wantLine)
		}
		if got := strings.Contains(tr.SignedHeaders, "x-amz-content-sha256"); got != tt.wantHeader {
			t.Errorf("%s %q: signed headers %q, x-amz-content-sha256 signed = %v, want %v", tt.service, tt.payload, tr.SignedHeaders, got, tt.wantHeader)
		}
		p, err := s.PresignPayload(context.Background(), req(), time.Minute, tt.payload)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Header.Get("X-Amz-Content-Sha256"); (got != "") != tt.wantHeader || tt.wantHeader && got != tt.payload {
			t.Errorf("%s %q: Presigned.Header X-Amz-Content-Sha256 = %q", tt.service, tt.payload, got)
		}
		if !strings.Contains(p.URL, "X-Amz-Signature="+tr.Signature) {
			t.Errorf("%s %q: URL %q does not carry the explained signature %s", tt.service, tt.payload, p.URL, tr.Signature)
		}
		if tt.payload == "" {
			d, err := s.Presign(context.Background(), req(), time.Minute)
			if err != nil || d.URL != p.URL {
				t.Errorf("%s: PresignPayload with \"\" = %q, Presign = %q (%v)", tt.service, p.URL, d.URL, err)
			}
		}
	}

	s := opSigner(t, "execute-api")
	for _, bad := range []string{"abc", strings.ToUpper(hash), sigv4.StreamingPayload} {
		r, _ := http.NewRequest("GET", "https://example.com/", nil)
		if _, err := s.PresignPayload(context.Background(), r, time.Minute, bad); !errors.Is(err, sigv4.ErrInvalidPayloadHash) {
			t.Errorf("payload %q: err = %v, want ErrInvalidPayloadHash", bad, err)
		}
	}
	r, _ := http.NewRequest("GET", "https://example.com/", nil)
	r.Header.Set("X-Amz-Content-Sha256", hash)
	if _, err := s.PresignPayload(context.Background(), r, time.Minute, sigv4.UnsignedPayload); !errors.Is(err, sigv4.ErrInvalidPayloadHash) {
		t.Errorf("conflicting X-Amz-Content-Sha256 header: err = %v, want ErrInvalidPayloadHash", err)
	}
	if _, err := s.PresignPayload(context.Background(), r, time.Minute, hash); err != nil {
		t.Errorf("agreeing X-Amz-Content-Sha256 header: %v", err)
	}
}

// opServer starts a real server that verifies requests for service and
// answers 200 with the body it read, or the S3 error.
func opServer(t *testing.T, service string) *httptest.Server {
	t.Helper()
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: service, Regions: []string{"us-east-1"},
		Secrets: sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}),
		Now:     func() time.Time { return opTime }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			sigv4.WriteError(w, r, err)
			return
		}
		w.Write(b)
	})))
	t.Cleanup(srv.Close)
	return srv
}

func opDo(t *testing.T, srv *httptest.Server, method, rawURL string, h http.Header, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vv := range h {
		req.Header[k] = vv
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestVerifyPresignPayload sends PresignPayload URLs to a real verifying
// server: the payload line travels in X-Amz-Content-Sha256 and binds the
// body.
func TestVerifyPresignPayload(t *testing.T) {
	body := "streamed body"
	h := sha256.Sum256([]byte(body))
	sum := hex.EncodeToString(h[:])
	for _, tt := range []struct {
		service, payload, send string
		wantStatus             int
		wantCode               string
	}{
		{"execute-api", sigv4.UnsignedPayload, body, 200, ""},
		{"execute-api", sum, body, 200, ""},
		{"execute-api", sum, "other body", 400, sigv4.CodeXAmzContentSHA256Mismatch},
		{"s3", sum, body, 200, ""},
		{"s3", sum, "other body", 400, sigv4.CodeXAmzContentSHA256Mismatch},
		{"s3", sigv4.UnsignedPayload, "anything", 200, ""},
	} {
		srv := opServer(t, tt.service)
		req, _ := http.NewRequest("PUT", srv.URL+"/bkt/key", nil)
		p, err := opSigner(t, tt.service).PresignPayload(context.Background(), req, time.Minute, tt.payload)
		if err != nil {
			t.Fatal(err)
		}
		status, got := opDo(t, srv, p.Method, p.URL, p.Header, tt.send)
		if status != tt.wantStatus || tt.wantCode == "" && got != tt.send || tt.wantCode != "" && !strings.Contains(got, tt.wantCode) {
			t.Errorf("%s payload %.16s, sent %q: %d %q; want %d %s", tt.service, tt.payload, tt.send, status, got, tt.wantStatus, tt.wantCode)
		}
		// Without the header the client was told to send, the request fails.
		if len(p.Header) > 0 {
			if status, _ := opDo(t, srv, p.Method, p.URL, nil, tt.send); status == 200 {
				t.Errorf("%s payload %.16s: accepted without Presigned.Header", tt.service, tt.payload)
			}
		}
	}
}

// TestVerifyPlusInQuery checks that the Verifier accepts a literal '+' in
// the query signed either as a space (aws-sdk-go-v2, sigv4kit) or as a plus
// sign (botocore, curl), and nothing else for it.
func TestVerifyPlusInQuery(t *testing.T) {
	for _, service := range []string{"s3", "execute-api"} {
		srv := opServer(t, service)
		s := opSigner(t, service)
		sign := func(signedQuery string, presign bool) (string, http.Header) {
			req, _ := http.NewRequest("GET", srv.URL+"/bkt/key?"+signedQuery, nil)
			if presign {
				p, err := s.Presign(context.Background(), req, time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				return p.URL, p.Header
			}
			if err := s.Sign(context.Background(), req, ""); err != nil {
				t.Fatal(err)
			}
			return "", req.Header
		}
		for _, presign := range []bool{false, true} {
			for _, tt := range []struct {
				signed, sent string
				ok           bool
			}{
				{"a=b%2Bc&d=1", "a=b+c&d=1", true},   // botocore, curl
				{"a=b%20c&d=1", "a=b+c&d=1", true},   // aws-sdk-go-v2, sigv4kit
				{"a=b%2Bc&d=1", "a=b%2Bc&d=1", true}, // as signed
				{"a=b%2Bc&d=1", "a=b%20c&d=1", false},
				{"a=b%20c&d=1", "a=b%2Bc&d=1", false},
				{"a=b%2Bc&d=1", "a=b+c&d=2", false},
				{"a=%2B%2B", "a=+%2B", true},
				{"a=%2B%20", "a=++", false}, // one reading at a time, not a mix
			} {
				u, h := sign(tt.signed, presign)
				if presign {
					u = strings.Replace(u, "?"+tt.signed, "?"+tt.sent, 1)
				} else {
					u = srv.URL + "/bkt/key?" + tt.sent
				}
				status, body := opDo(t, srv, "GET", u, h, "")
				if (status == 200) != tt.ok {
					t.Errorf("%s presign=%v: signed %q, sent %q: %d %s; want ok=%v", service, presign, tt.signed, tt.sent, status, body, tt.ok)
				}
			}
		}
	}
}
