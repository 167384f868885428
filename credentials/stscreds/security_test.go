package stscreds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sigv4kit/sigv4kit/credentials"
)

// provider returns the provider of kind ("AssumeRole" or
// "AssumeRoleWithWebIdentity") sending to endpoint with client.
func provider(kind, endpoint string, client *http.Client) credentials.Provider {
	if kind == "AssumeRole" {
		return AssumeRole{
			Source: sourceProvider(), RoleARN: roleARN, Endpoint: endpoint, HTTPClient: client, Now: fixedNow,
			SerialNumber: "arn:aws:iam::123456789012:mfa/alice",
			TokenCode:    func(context.Context, string) (string, error) { return mfaCode, nil },
		}
	}
	return WebIdentity{RoleARN: roleARN, TokenFile: "/token", ReadFile: memFiles(map[string]string{"/token": webToken}),
		Endpoint: endpoint, HTTPClient: client, Now: fixedNow}
}

// TestSTSRefusesRedirects sends each STS call to a real server that
// redirects it to a second real STS stand-in, which would answer with
// credentials. The signed request (with the source session token) or the
// web identity token must never reach the second server.
func TestSTSRefusesRedirects(t *testing.T) {
	t.Parallel()
	followAll := func() *http.Client {
		return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	}
	tests := []struct {
		kind   string
		status int
		client *http.Client
	}{
		{kind: "AssumeRole", status: http.StatusTemporaryRedirect},
		{kind: "AssumeRole", status: http.StatusPermanentRedirect},
		{kind: "AssumeRole", status: http.StatusFound},
		{kind: "AssumeRole", status: http.StatusTemporaryRedirect, client: followAll()},
		{kind: "AssumeRoleWithWebIdentity", status: http.StatusTemporaryRedirect},
		{kind: "AssumeRoleWithWebIdentity", status: http.StatusMovedPermanently},
		{kind: "AssumeRoleWithWebIdentity", status: http.StatusPermanentRedirect, client: followAll()},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d/injected=%v", tt.kind, tt.status, tt.client != nil), func(t *testing.T) {
			t.Parallel()
			other, otherURL := newSTS(t, stsResponse{status: 200, body: assumeRoleXML("2026-11-28T14:00:00Z")},
				stsResponse{status: 200, body: webIdentityXML("2026-11-28T14:00:00Z")})
			var redirected atomic.Int32
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				redirected.Add(1)
				http.Redirect(w, r, otherURL+"/elsewhere?X-Amz-Credential=x", tt.status)
			}))
			defer ts.Close()
			got, err := provider(tt.kind, ts.URL, tt.client).Retrieve(context.Background())
			noteErr(err)
			if reqs := other.got(); len(reqs) != 0 {
				t.Errorf("the redirect target received %d requests (first: form %v, X-Amz-Security-Token %q); want none",
					len(reqs), reqs[0].form, reqs[0].header.Get("X-Amz-Security-Token"))
			}
			want := fmt.Sprintf("stscreds: %s: refused a redirect (HTTP %d) to %s/elsewhere", tt.kind, tt.status, otherURL)
			if !errors.Is(err, credentials.ErrRedirect) || err.Error() != want || got != (credentials.Credentials{}) {
				t.Errorf("got %v, %v; want credentials.ErrRedirect: %q", got, err, want)
			}
			if n := redirected.Load(); n != 1 {
				t.Errorf("%d requests to the endpoint, want 1 (a redirect is not retried)", n)
			}
		})
	}
}

// echoServer is an STS stand-in (or a proxy) whose error message quotes the
// request: the session token, the signature, the MFA code, the web
// identity token, then pad bytes of filler.
func echoServer(t *testing.T, code string, pad int, sawSignature *atomic.Value) string {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		form, _, err := readForm(r)
		if err != nil {
			t.Errorf("echo server: %v", err)
		}
		_, sig, _ := strings.Cut(r.Header.Get("Authorization"), "Signature=")
		sawSignature.Store(sig)
		msg := fmt.Sprintf("The security token included in the request is invalid: token=%s signature=%s code=%s web=%s\nFAKE LOG LINE %s",
			r.Header.Get("X-Amz-Security-Token"), sig, form.Get("TokenCode"), form.Get("WebIdentityToken"), strings.Repeat("x", pad))
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, errorXML("Sender", code, msg))
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

// TestSTSErrorTextScrubbedAndBounded checks that the server's text in an
// STS error names no credential the client sent and is bounded.
func TestSTSErrorTextScrubbedAndBounded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		kind    string
		code    string
		pad     int
		long    bool // the message is cut
		wantIn  string
		codeLen int
	}{
		{name: "AssumeRole short", kind: "AssumeRole", code: "InvalidClientTokenId", pad: 10,
			wantIn: "invalid: token=[REDACTED] signature=[REDACTED] code=[REDACTED] web= FAKE LOG LINE xxxxxxxxxx (HTTP 403"},
		{name: "AssumeRole long", kind: "AssumeRole", code: "InvalidClientTokenId", pad: 100000, long: true,
			wantIn: "invalid: token=[REDACTED] signature=[REDACTED] code=[REDACTED] web= FAKE LOG LINE xxx"},
		{name: "web identity long", kind: "AssumeRoleWithWebIdentity", code: "InvalidIdentityToken", pad: 5000, long: true,
			wantIn: "invalid: token= signature= code= web=[REDACTED] FAKE LOG LINE xxx"},
		{name: "long code", kind: "AssumeRoleWithWebIdentity", code: strings.Repeat("C", 5000), pad: 0, codeLen: maxQuotedCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var sig atomic.Value
			endpoint := echoServer(t, tt.code, tt.pad, &sig)
			_, err := provider(tt.kind, endpoint, nil).Retrieve(context.Background())
			noteErr(err)
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *Error", err)
			}
			text := err.Error()
			t.Logf("%d-byte error for a %d-byte message: %.160s...", len(text), tt.pad+200, text)
			for _, secret := range append([]string{sig.Load().(string)}, secrets...) {
				if secret != "" && (strings.Contains(text, secret) || strings.Contains(se.Message, secret)) {
					t.Errorf("the error shows %q: %s", secret, text)
				}
			}
			if tt.kind == "AssumeRole" && sig.Load().(string) == "" {
				t.Error("the echo server saw no signature")
			}
			if !strings.Contains(text, tt.wantIn) {
				t.Errorf("err = %q, want it to contain %q", text, tt.wantIn)
			}
			if len(se.Message) > maxQuotedMessage+len("...") || tt.long != strings.HasSuffix(se.Message, "...") {
				t.Errorf("Message is %d bytes (ends %q); want at most %d, cut=%v", len(se.Message), se.Message[max(0, len(se.Message)-10):], maxQuotedMessage, tt.long)
			}
			if strings.ContainsAny(se.Message, "\r\n\t") {
				t.Errorf("Message has control characters: %q", se.Message)
			}
			if tt.codeLen != 0 && len(se.Code) != tt.codeLen+len("...") {
				t.Errorf("Code is %d bytes, want %d", len(se.Code), tt.codeLen)
			}
		})
	}
}
