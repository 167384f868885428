package sigv4_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

func TestNewErrors(t *testing.T) {
	creds := credentials.Static("AKID", "SECRET", "")
	for _, tt := range []struct {
		name string
		cfg  sigv4.Config
	}{
		{"empty service", sigv4.Config{Region: "us-east-1", Credentials: creds}},
		{"empty region", sigv4.Config{Service: "s3", Credentials: creds}},
		{"slash in region", sigv4.Config{Service: "s3", Region: "us/east", Credentials: creds}},
		{"space in service", sigv4.Config{Service: "s 3", Region: "us-east-1", Credentials: creds}},
		{"no credentials", sigv4.Config{Service: "s3", Region: "us-east-1"}},
		{"unknown toggle", sigv4.Config{Service: "s3", Region: "us-east-1", Credentials: creds, DoubleEscape: 7}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sigv4.New(tt.cfg)
			if !errors.Is(err, sigv4.ErrInvalidConfig) || s != nil {
				t.Fatalf("New = %v, %v; want ErrInvalidConfig", s, err)
			}
			if !strings.HasPrefix(err.Error(), "sigv4: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// onceReader is a body that can be read only once.
type onceReader struct{ io.Reader }

func (onceReader) Close() error { return nil }

func TestSignErrors(t *testing.T) {
	now := suiteTime
	get := func(u string) func() *http.Request {
		return func() *http.Request {
			req, err := http.NewRequest("GET", u, nil)
			if err != nil {
				t.Fatal(err)
			}
			return req
		}
	}
	ok := get("https://example.com/")
	tests := []struct {
		name    string
		creds   credentials.Provider
		req     func() *http.Request
		payload string
		presign time.Duration // 0: header signing
		want    error
	}{
		{name: "empty access key", creds: credentials.Static("", "SECRET", ""), req: ok, want: sigv4.ErrInvalidCredentials},
		{name: "empty secret", creds: credentials.Static("AKID", "", ""), req: ok, want: sigv4.ErrInvalidCredentials},
		{name: "provider returns empty keys", creds: credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) {
			return credentials.Credentials{}, nil
		}), req: ok, want: sigv4.ErrInvalidCredentials},
		{name: "slash in access key", creds: credentials.Static("AK/ID", "SECRET", ""), req: ok, want: sigv4.ErrInvalidCredentials},
		{name: "nil request", req: func() *http.Request { return nil }, want: sigv4.ErrInvalidRequest},
		{name: "nil URL", req: func() *http.Request { return &http.Request{Method: "GET"} }, want: sigv4.ErrInvalidRequest},
		{name: "no host", req: func() *http.Request {
			return &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Path: "/"}, Header: http.Header{}}
		}, want: sigv4.ErrInvalidRequest},
		{name: "bracketed host that is no IPv6 address", req: func() *http.Request {
			return &http.Request{Method: "GET", URL: &url.URL{Scheme: "http", Host: "[0]", Path: "/"}, Header: http.Header{}}
		}, want: sigv4.ErrInvalidRequest},
		{name: "relative URL", req: func() *http.Request {
			return &http.Request{Method: "GET", URL: &url.URL{Path: "/x"}, Host: "example.com", Header: http.Header{}}
		}, want: sigv4.ErrInvalidRequest},
		{name: "opaque URL naming another host", req: func() *http.Request {
			return &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Host: "h", Opaque: "//other/x"}, Header: http.Header{}}
		}, want: sigv4.ErrInvalidRequest},
		{name: "opaque URL that is no path", req: func() *http.Request {
			return &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Host: "h", Opaque: "x@y"}, Header: http.Header{}}
		}, want: sigv4.ErrInvalidRequest},
		{name: "opaque URL with a query", req: func() *http.Request {
			return &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Host: "h", Opaque: "/x?y=1"}, Header: http.Header{}}
		}, want: sigv4.ErrInvalidRequest},
		{name: "opaque URL with a bad escape", req: func() *http.Request {
			return &http.Request{Method: "GET", URL: &url.URL{Scheme: "https", Host: "h", Opaque: "/x%zz"}, Header: http.Header{}}
		}, want: sigv4.ErrInvalidRequest},
		{name: "CR in header value", req: func() *http.Request {
			r := ok()
			r.Header["X-Bad"] = []string{"a\rb"}
			return r
		}, want: sigv4.ErrInvalidRequest},
		{name: "LF in header value", req: func() *http.Request {
			r := ok()
			r.Header["X-Bad"] = []string{"a\nb"}
			return r
		}, want: sigv4.ErrInvalidRequest},
		{name: "bad query escape", req: get("https://example.com/?a=%zz"), want: sigv4.ErrInvalidRequest},
		{name: "upper-case hex payload hash", req: ok, payload: strings.ToUpper(sigv4.EmptyPayloadHash), want: sigv4.ErrInvalidPayloadHash},
		{name: "short payload hash", req: ok, payload: sigv4.EmptyPayloadHash[1:], want: sigv4.ErrInvalidPayloadHash},
		{name: "unknown literal payload", req: ok, payload: "STREAMING-SOMETHING-ELSE", want: sigv4.ErrInvalidPayloadHash},
		{name: "payload with spaces", req: ok, payload: " UNSIGNED-PAYLOAD", want: sigv4.ErrInvalidPayloadHash},
		{name: "empty payload hash on a read-once body", req: func() *http.Request {
			r := ok()
			r.Method = "PUT"
			r.Body = onceReader{strings.NewReader("data")}
			return r
		}, want: sigv4.ErrBodyNotReplayable},
		{name: "expired credentials", creds: credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) {
			return credentials.Credentials{AccessKeyID: "AKID", SecretAccessKey: "S", Expires: now.Add(-time.Second)}, nil
		}), req: ok, want: sigv4.ErrExpiredCredentials},
		{name: "credentials expiring at the signing time", creds: credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) {
			return credentials.Credentials{AccessKeyID: "AKID", SecretAccessKey: "S", Expires: now}, nil
		}), req: ok, want: sigv4.ErrExpiredCredentials},
		{name: "presign expiry under a second", req: ok, presign: 999 * time.Millisecond, want: sigv4.ErrInvalidExpiry},
		{name: "presign expiry negative", req: ok, presign: -time.Hour, want: sigv4.ErrInvalidExpiry},
		{name: "presign expiry over 7 days", req: ok, presign: 7*24*time.Hour + time.Second, want: sigv4.ErrInvalidExpiry},
		{name: "presign with credentials expiring within a second", req: ok, presign: time.Hour, creds: credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) {
			return credentials.Credentials{AccessKeyID: "AKID", SecretAccessKey: "S", Expires: now.Add(500 * time.Millisecond)}, nil
		}), want: sigv4.ErrExpiredCredentials},
		{name: "provider error is wrapped", creds: credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) {
			return credentials.Credentials{}, credentials.ErrNoCredentials
		}), req: ok, want: credentials.ErrNoCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSigner(t, sigv4.Config{Service: "service", Credentials: tt.creds, Now: func() time.Time { return now }})
			var err error
			if tt.presign != 0 {
				var p *sigv4.Presigned
				p, err = s.Presign(context.Background(), tt.req(), tt.presign)
				if p != nil {
					t.Errorf("Presign returned a URL with an error: %v", p.URL)
				}
			} else {
				err = s.Sign(context.Background(), tt.req(), tt.payload)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "sigv4: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
	t.Run("presign expiry zero", func(t *testing.T) {
		s := newSigner(t, sigv4.Config{Service: "service"})
		if _, err := s.Presign(context.Background(), ok(), 0); !errors.Is(err, sigv4.ErrInvalidExpiry) {
			t.Fatalf("err = %v, want ErrInvalidExpiry", err)
		}
	})
}

func TestReadSeekerBodyIsRewound(t *testing.T) {
	s := newSigner(t, sigv4.Config{Service: "service"})
	body := strings.NewReader("hello")
	req, _ := http.NewRequest("PUT", "https://example.com/", nil)
	req.Body = io.NopCloser(body) // not a Seeker: must fail
	if err := s.Sign(context.Background(), req, ""); !errors.Is(err, sigv4.ErrBodyNotReplayable) {
		t.Fatalf("err = %v", err)
	}
	rs := &readSeekCloser{strings.NewReader("hello")}
	req.Body = rs
	tr, err := s.Explain(context.Background(), req, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(tr.CanonicalRequest, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824") {
		t.Errorf("payload hash line wrong:\n%s", tr.CanonicalRequest)
	}
	if b, _ := io.ReadAll(req.Body); string(b) != "hello" {
		t.Errorf("body after signing = %q, want it rewound", b)
	}
}

type readSeekCloser struct{ *strings.Reader }

func (readSeekCloser) Close() error { return nil }

func TestPresignCapsAtCredentialExpiry(t *testing.T) {
	exp := suiteTime.Add(10*time.Minute + 500*time.Millisecond)
	s := newSigner(t, sigv4.Config{Service: "s3", Credentials: credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) {
		return credentials.Credentials{AccessKeyID: "AKID", SecretAccessKey: "S", SessionToken: "T", Expires: exp}, nil
	})})
	req, _ := http.NewRequest("GET", "https://b.s3.amazonaws.com/k", nil)
	p, err := s.Presign(context.Background(), req, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.URL, "X-Amz-Expires=600&") {
		t.Errorf("URL %s does not carry the capped expiry 600", p.URL)
	}
	if want := suiteTime.Add(10 * time.Minute); !p.Expires.Equal(want) {
		t.Errorf("Expires = %v, want %v", p.Expires, want)
	}
	// Within the credentials' life, the asked expiry stands.
	p, err = s.Presign(context.Background(), req, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.URL, "X-Amz-Expires=300&") || !p.Expires.Equal(suiteTime.Add(5*time.Minute)) {
		t.Errorf("URL %s, Expires %v", p.URL, p.Expires)
	}
}
