//go:build e2e

// Package sigv4_test runs sigv4kit's signer, alone, against a real S3
// server: versitygw, which recomputes every signature. compat/scripts/e2e.sh
// (make e2e) installs and starts the server and sets the SIGV4_E2E_*
// variables; without them these tests skip, unless SIGV4_E2E_REQUIRE is
// set, and then they fail.
//
// Checked: header-signed PUT, GET, HEAD, DELETE and ListObjectsV2 with
// signed and UNSIGNED-PAYLOAD bodies; presigned GET and PUT; refusals, each
// with its S3 error code, of a tampered signature, a changed path, a changed
// query, a wrong secret, an expired URL and a 20-minute clock skew; and a
// list of awkward keys round-tripping byte for byte through presigned PUT
// then presigned GET and header-signed GET.
package sigv4_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/compat/internal/e2eenv"
	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// server is the S3 server under test.
type server struct {
	endpoint *url.URL
	region   string
	access   string
	secret   string
	bucket   string
	client   *http.Client
}

func getServer(t *testing.T) *server {
	t.Helper()
	e := e2eenv.Get(t)
	ep, err := url.Parse(e.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return &server{
		endpoint: ep,
		region:   e.Region,
		access:   e.AccessKey,
		secret:   e.SecretKey,
		bucket:   e.Bucket,
		client:   &http.Client{Timeout: 30 * time.Second},
	}
}

// signer returns an S3 signer with the server's keys, or another secret,
// and a clock.
func (s *server) signer(t *testing.T, secret string, now func() time.Time) *sigv4.Signer {
	t.Helper()
	if secret == "" {
		secret = s.secret
	}
	sg, err := sigv4.New(sigv4.Config{Service: "s3", Region: s.region,
		Credentials: credentials.Static(s.access, secret, ""), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return sg
}

// request builds a path-style request for key (decoded) with a raw query.
func (s *server) request(t *testing.T, method, key, rawQuery string, body []byte) *http.Request {
	t.Helper()
	u := &url.URL{Scheme: s.endpoint.Scheme, Host: s.endpoint.Host, Path: "/" + s.bucket + "/" + key, RawQuery: rawQuery}
	if key == "" {
		u.Path = "/" + s.bucket
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, u.String(), r)
	if err != nil {
		t.Fatal(err)
	}
	req.URL = u // keep the decoded key exactly; the signer escapes it
	return req
}

// response is a read response.
type response = e2eenv.Response

func (s *server) do(t *testing.T, req *http.Request) response {
	t.Helper()
	return e2eenv.Do(t, s.client, req)
}

// signed header-signs req with payload and sends it.
func (s *server) signed(t *testing.T, req *http.Request, payload string) response {
	t.Helper()
	if err := s.signer(t, "", nil).Sign(context.Background(), req, payload); err != nil {
		t.Fatal(err)
	}
	return s.do(t, req)
}

// presigned sends a presigned request with its headers and body.
func (s *server) presigned(t *testing.T, p *sigv4.Presigned, body []byte) response {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(p.Method, p.URL, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range p.Header {
		if k != "Content-Length" {
			req.Header[k] = v
		}
	}
	return s.do(t, req)
}

func (s *server) presign(t *testing.T, method, key string, now func() time.Time, expires time.Duration) *sigv4.Presigned {
	t.Helper()
	p, err := s.signer(t, "", now).Presign(context.Background(), s.request(t, method, key, "", nil), expires)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func expect(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.Status, status, r.Body)
	}
}

func expectRefused(t *testing.T, what string, r response, code string) {
	t.Helper()
	if r.Status != http.StatusForbidden || r.Code() != code {
		t.Errorf("%s: status %d, code %q, want 403 %s\n%s", what, r.Status, r.Code(), code, r.Body)
	}
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// prefix returns a key prefix unique to this test run.
func prefix(t *testing.T) string {
	return fmt.Sprintf("sigv4-%s-%x/", strings.ToLower(t.Name()), randomBytes(t, 4))
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// listKeys lists the keys under prefix with a header-signed ListObjectsV2
// whose payload line is payload.
func (s *server) listKeys(t *testing.T, prefix, payload string) []string {
	t.Helper()
	q := "list-type=2&prefix=" + url.QueryEscape(prefix)
	r := s.signed(t, s.request(t, "GET", "", q, nil), payload)
	expect(t, "ListObjectsV2", r, http.StatusOK)
	var res struct {
		Contents []struct {
			Key string `xml:"Key"`
		} `xml:"Contents"`
	}
	if err := xml.Unmarshal(r.Body, &res); err != nil {
		t.Fatalf("ListObjectsV2: %v\n%s", err, r.Body)
	}
	var keys []string
	for _, c := range res.Contents {
		keys = append(keys, c.Key)
	}
	return keys
}

// TestHeaderSigned runs PUT, HEAD, GET, ListObjectsV2 and DELETE, all
// header-signed, with a signed body (its SHA-256, given or computed by the
// signer) and with UNSIGNED-PAYLOAD.
func TestHeaderSigned(t *testing.T) {
	s := getServer(t)
	pre := prefix(t)
	for _, tc := range []struct {
		name, payload string
	}{
		{"signed", "hash"},
		{"signed-by-signer", ""},
		{"unsigned", sigv4.UnsignedPayload},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := pre + tc.name + ".bin"
			body := randomBytes(t, 4096+len(tc.name))
			payload := tc.payload
			if payload == "hash" {
				payload = sha256Hex(body)
			}
			put := s.request(t, "PUT", key, "", body)
			put.Header.Set("Content-Type", "application/octet-stream")
			put.Header.Set("X-Amz-Meta-Test", "  header  signed  ")
			expect(t, "PUT", s.signed(t, put, payload), http.StatusOK)

			getPayload := sigv4.EmptyPayloadHash
			if tc.payload == sigv4.UnsignedPayload {
				getPayload = sigv4.UnsignedPayload
			}
			head := s.signed(t, s.request(t, "HEAD", key, "", nil), getPayload)
			expect(t, "HEAD", head, http.StatusOK)
			if got := head.Header.Get("Content-Length"); got != fmt.Sprint(len(body)) {
				t.Errorf("HEAD Content-Length %q, want %d", got, len(body))
			}
			if got := head.Header.Get("X-Amz-Meta-Test"); got != "header  signed" && got != "header signed" {
				t.Errorf("HEAD X-Amz-Meta-Test %q", got)
			}

			get := s.signed(t, s.request(t, "GET", key, "", nil), getPayload)
			expect(t, "GET", get, http.StatusOK)
			if !bytes.Equal(get.Body, body) {
				t.Errorf("GET returned %d bytes, not the %d put", len(get.Body), len(body))
			}

			ranged := s.request(t, "GET", key, "", nil)
			ranged.Header.Set("Range", "bytes=10-19")
			r := s.signed(t, ranged, getPayload)
			expect(t, "GET Range", r, http.StatusPartialContent)
			if !bytes.Equal(r.Body, body[10:20]) {
				t.Errorf("GET Range returned %x, want %x", r.Body, body[10:20])
			}

			if keys := s.listKeys(t, pre+tc.name, getPayload); len(keys) != 1 || keys[0] != key {
				t.Errorf("ListObjectsV2 under %q: %q, want [%q]", pre+tc.name, keys, key)
			}

			expect(t, "DELETE", s.signed(t, s.request(t, "DELETE", key, "", nil), getPayload), http.StatusNoContent)
			gone := s.signed(t, s.request(t, "GET", key, "", nil), getPayload)
			if gone.Status != http.StatusNotFound || gone.Code() != "NoSuchKey" {
				t.Errorf("GET after DELETE: %d %q, want 404 NoSuchKey", gone.Status, gone.Code())
			}
		})
	}
}

// TestPresigned uploads through a presigned PUT URL (with a signed
// Content-Type the client must send) and downloads through a presigned GET.
func TestPresigned(t *testing.T) {
	s := getServer(t)
	key := prefix(t) + "presigned.txt"
	body := []byte("uploaded through a presigned URL\n")

	putReq := s.request(t, "PUT", key, "", nil)
	putReq.Header.Set("Content-Type", "text/plain; charset=utf-8")
	put, err := s.signer(t, "", nil).Presign(context.Background(), putReq, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if put.Header.Get("Content-Type") == "" {
		t.Fatalf("presigned PUT does not ask for its signed Content-Type: %v", put.Header)
	}
	expect(t, "presigned PUT", s.presigned(t, put, body), http.StatusOK)

	get := s.presign(t, "GET", key, nil, 10*time.Minute)
	r := s.presigned(t, get, nil)
	expect(t, "presigned GET", r, http.StatusOK)
	if !bytes.Equal(r.Body, body) {
		t.Errorf("presigned GET returned %q, want %q", r.Body, body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q, want the signed one", ct)
	}
}

// TestRefused checks that the server refuses requests whose signature
// does not hold, each with S3's error code.
func TestRefused(t *testing.T) {
	s := getServer(t)
	key := prefix(t) + "target.txt"
	expect(t, "PUT", s.signed(t, s.request(t, "PUT", key, "", []byte("x")), ""), http.StatusOK)
	url := s.presign(t, "GET", key, nil, 10*time.Minute).URL
	expect(t, "untouched presigned GET", s.do(t, mustGet(t, url)), http.StatusOK)

	t.Run("tampered signature", func(t *testing.T) {
		i := strings.LastIndex(url, "X-Amz-Signature=") + len("X-Amz-Signature=")
		c := byte('0')
		if url[i] == '0' {
			c = '1'
		}
		bad := url[:i] + string(c) + url[i+1:]
		expectRefused(t, "tampered X-Amz-Signature", s.do(t, mustGet(t, bad)), "SignatureDoesNotMatch")
	})
	t.Run("changed path", func(t *testing.T) {
		bad := strings.Replace(url, "target.txt", "other.txt", 1)
		expectRefused(t, "changed path", s.do(t, mustGet(t, bad)), "SignatureDoesNotMatch")
	})
	t.Run("changed query", func(t *testing.T) {
		bad := strings.Replace(url, "X-Amz-Expires=600", "X-Amz-Expires=6000", 1)
		if bad == url {
			t.Fatalf("no X-Amz-Expires=600 in %s", url)
		}
		expectRefused(t, "changed X-Amz-Expires", s.do(t, mustGet(t, bad)), "SignatureDoesNotMatch")
		added := strings.Replace(url, "?", "?response-content-type=text%2Fhtml&", 1)
		expectRefused(t, "added query parameter", s.do(t, mustGet(t, added)), "SignatureDoesNotMatch")
	})
	t.Run("wrong secret", func(t *testing.T) {
		req := s.request(t, "GET", key, "", nil)
		if err := s.signer(t, s.secret+"x", nil).Sign(context.Background(), req, sigv4.EmptyPayloadHash); err != nil {
			t.Fatal(err)
		}
		expectRefused(t, "header-signed with a wrong secret", s.do(t, req), "SignatureDoesNotMatch")
		p, err := s.signer(t, "wrong/secret", nil).Presign(context.Background(), s.request(t, "GET", key, "", nil), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		expectRefused(t, "presigned with a wrong secret", s.do(t, mustGet(t, p.URL)), "SignatureDoesNotMatch")
	})
	t.Run("expired URL", func(t *testing.T) {
		past := func() time.Time { return time.Now().Add(-2 * time.Hour) }
		p := s.presign(t, "GET", key, past, time.Hour)
		expectRefused(t, "URL expired an hour ago", s.do(t, mustGet(t, p.URL)), "AccessDenied")
		short := s.presign(t, "GET", key, nil, time.Second)
		time.Sleep(2100 * time.Millisecond)
		expectRefused(t, "URL valid for 1 s, used after 2 s", s.do(t, mustGet(t, short.URL)), "AccessDenied")
	})
	t.Run("clock skew", func(t *testing.T) {
		for _, skew := range []time.Duration{-20 * time.Minute, 20 * time.Minute} {
			req := s.request(t, "GET", key, "", nil)
			at := func() time.Time { return time.Now().Add(skew) }
			if err := s.signer(t, "", at).Sign(context.Background(), req, sigv4.EmptyPayloadHash); err != nil {
				t.Fatal(err)
			}
			expectRefused(t, fmt.Sprintf("header-signed with the clock %v off", skew), s.do(t, req), "RequestTimeTooSkewed")
		}
		// Within 15 minutes is accepted.
		req := s.request(t, "GET", key, "", nil)
		at := func() time.Time { return time.Now().Add(-10 * time.Minute) }
		if err := s.signer(t, "", at).Sign(context.Background(), req, sigv4.EmptyPayloadHash); err != nil {
			t.Fatal(err)
		}
		expect(t, "header-signed with the clock 10 minutes off", s.do(t, req), http.StatusOK)
	})
}

func mustGet(t *testing.T, rawURL string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// keys are object keys that break naive signers: each must round-trip
// byte for byte.
var keys = []string{
	"with space.txt",
	"ünïcödé-日本.txt",
	"plus+sign.txt",
	"eq=ual.txt",
	"tilde~x.txt",
	"per%cent.txt",
	"per%20cent.txt",
	"mix a+b=c~d%e&f?g#h.txt",
	"semi;colon,comma!bang'quote(paren)*star@at$dollar.txt",
	"a/b/c/deep.txt",
}

// TestKeysRoundTrip puts each key through a presigned PUT, reads it back
// through a presigned GET and a header-signed GET, and finds it, spelled
// the same, in ListObjectsV2.
func TestKeysRoundTrip(t *testing.T) {
	s := getServer(t)
	pre := prefix(t)
	for _, k := range keys {
		t.Run(k, func(t *testing.T) {
			key := pre + k
			body := append([]byte(key+"\n"), randomBytes(t, 64)...)
			expect(t, "presigned PUT", s.presigned(t, s.presign(t, "PUT", key, nil, 5*time.Minute), body), http.StatusOK)

			r := s.presigned(t, s.presign(t, "GET", key, nil, 5*time.Minute), nil)
			expect(t, "presigned GET", r, http.StatusOK)
			if !bytes.Equal(r.Body, body) {
				t.Errorf("presigned GET: %q, want %q", r.Body, body)
			}

			r = s.signed(t, s.request(t, "GET", key, "", nil), sigv4.EmptyPayloadHash)
			expect(t, "header-signed GET", r, http.StatusOK)
			if !bytes.Equal(r.Body, body) {
				t.Errorf("header-signed GET: %q, want %q", r.Body, body)
			}
		})
	}
	got := map[string]bool{}
	for _, k := range s.listKeys(t, pre, sigv4.EmptyPayloadHash) {
		got[k] = true
	}
	for _, k := range keys {
		if !got[pre+k] {
			t.Errorf("ListObjectsV2 does not list %q exactly; it has %q", pre+k, keysOf(got))
		}
	}
}

func keysOf(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
