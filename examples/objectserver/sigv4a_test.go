package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
	"github.com/sigv4kit/sigv4kit/sigv4a"
)

// TestSigV4a runs a sigv4kit SigV4a client against objectserver's handler
// (newServer, served on 127.0.0.1): PUT and GET with the Authorization
// header and a presigned GET for region sets that hold the server's
// region (us-east-1, by name and by "*"), and refusals for a region set
// without it, a tampered request and a wrong secret.
func TestSigV4a(t *testing.T) {
	hs, err := newServer(config{region: "us-east-1", bucket: "bkt", accessKey: "AKIDTEST", secretKey: "test/secret", quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(hs.Handler)
	defer ts.Close()
	ctx := context.Background()
	signer := func(secret string, set ...string) *sigv4a.Signer {
		s, err := sigv4a.New(sigv4a.Config{Service: "s3", RegionSet: set, Credentials: credentials.Static("AKIDTEST", secret, "")})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	send := func(s *sigv4a.Signer, method, path, body string, tamper func(*http.Request)) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(body))
		if err := s.Sign(ctx, req, hex.EncodeToString(sum[:])); err != nil {
			t.Fatal(err)
		}
		if tamper != nil {
			tamper(req)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	for _, set := range [][]string{{"us-east-1"}, {"eu-west-1", "us-east-1"}, {"*"}, {"us-*"}} {
		s := signer("test/secret", set...)
		body := "sigv4a object for " + strings.Join(set, ",")
		if code, resp := send(s, "PUT", "/bkt/obj", body, nil); code != 200 {
			t.Fatalf("region set %v: PUT %d %s", set, code, resp)
		}
		if code, resp := send(s, "GET", "/bkt/obj", "", nil); code != 200 || resp != body {
			t.Fatalf("region set %v: GET %d %q, want %q", set, code, resp, body)
		}
		req, _ := http.NewRequest("GET", ts.URL+"/bkt/obj", nil)
		p, err := s.Presign(ctx, req, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.URL, "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256") || !strings.Contains(p.URL, "X-Amz-Region-Set=") {
			t.Fatalf("presigned URL %s", p.URL)
		}
		resp, err := http.Get(p.URL)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(got) != body {
			t.Fatalf("region set %v: presigned GET %d %q", set, resp.StatusCode, got)
		}
	}

	refusals := []struct {
		name     string
		s        *sigv4a.Signer
		path     string
		tamper   func(*http.Request)
		wantCode string
	}{
		{"region outside the set", signer("test/secret", "eu-west-1", "ap-south-1"), "/bkt/obj", nil, "AuthorizationHeaderMalformed"},
		{"tampered path", signer("test/secret", "*"), "/bkt/obj", func(r *http.Request) { r.URL.Path = "/bkt/other" }, sigv4.CodeSignatureDoesNotMatch},
		{"tampered region set", signer("test/secret", "eu-west-1"), "/bkt/obj", func(r *http.Request) { r.Header.Set("X-Amz-Region-Set", "us-east-1") }, sigv4.CodeSignatureDoesNotMatch},
		{"tampered signature", signer("test/secret", "*"), "/bkt/obj", func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-2]+flip(a[len(a)-2:]))
		}, sigv4.CodeSignatureDoesNotMatch},
		{"wrong secret", signer("not/the/secret", "*"), "/bkt/obj", nil, sigv4.CodeSignatureDoesNotMatch},
	}
	for _, r := range refusals {
		code, body := send(r.s, "GET", r.path, "", r.tamper)
		if code != 403 && code != 400 || !strings.Contains(body, "<Code>"+r.wantCode+"</Code>") {
			t.Errorf("%s: %d %s, want %s", r.name, code, body, r.wantCode)
		}
	}
}

// flip changes two hex digits into two others.
func flip(s string) string {
	if s == "00" {
		return "11"
	}
	return "00"
}
