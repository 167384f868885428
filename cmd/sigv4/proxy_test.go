package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/redacttest"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// The proxy's tests run it in process against real 127.0.0.1 upstreams
// that verify every request with sigv4.Verifier and record what reached
// them; clients are net/http, signing with sigv4kit's Signer where they
// must (the e2e tests in compat/e2e/proxy use curl, aws-sdk-go-v2,
// minio-go and the AWS CLI against versitygw).

const (
	// The real credentials: the proxy's, from its environment.
	proxyToken = "FwoGZXIvYXdzEXAMPLEproxySessionTokenThatMustNeverLeak0123456789"
	// The placeholder key clients sign with under --resign.
	placeholderID     = "AKIDPLACEHOLDER"
	placeholderSecret = "placeholder-secret-not-a-real-key"
)

// proxyEnv is the proxy's environment: the example keys with a session
// token, region us-east-1, real time.
func proxyEnv(t *testing.T) map[string]string {
	env := baseEnv(t)
	env["AWS_ACCESS_KEY_ID"] = exampleID
	env["AWS_SECRET_ACCESS_KEY"] = exampleSecret
	env["AWS_SESSION_TOKEN"] = proxyToken
	env["AWS_REGION"] = "us-east-1"
	return env
}

// seen is what reached the upstream of one request.
type seen struct {
	method, path, query, host string
	header                    http.Header
	raw                       []byte // the body as it came on the wire
	body                      []byte // the body as the Verifier released it
	complete                  bool   // the whole body arrived
	verr                      error  // the Verifier's refusal (signature or body)
	verified                  *sigv4.Verified
}

// upstream is a 127.0.0.1 server that verifies every request with the
// real credentials, as AWS would, and stores what PUT sends for GET to
// return.
type upstream struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []seen
	objects map[string][]byte
	// respond, when set, answers instead of the object store.
	respond func(w http.ResponseWriter, r *http.Request)
}

func newUpstream(t *testing.T, service string) *upstream {
	t.Helper()
	return serveUpstream(t, sigv4.VerifierConfig{
		Service: service,
		Regions: []string{"us-east-1"},
		Secrets: sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: exampleID, SecretAccessKey: exampleSecret, SessionToken: proxyToken}),
		// Hash bodies of services outside the S3 family up to 16 MiB, as
		// those services do.
		MaxBufferedBody: 16 << 20,
	})
}

// serveUpstream starts an upstream that verifies every request with a
// Verifier for cfg and keeps the objects PUT to it.
func serveUpstream(t *testing.T, cfg sigv4.VerifierConfig) *upstream {
	t.Helper()
	v, err := sigv4.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	u := &upstream{objects: map[string][]byte{}}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := seen{method: r.Method, path: r.URL.EscapedPath(), query: r.URL.RawQuery, host: r.Host, header: r.Header.Clone()}
		raw, err := io.ReadAll(r.Body)
		s.raw, s.complete = raw, err == nil
		if err == nil {
			r.Body = io.NopCloser(bytes.NewReader(raw))
			s.verified, s.verr = v.Verify(r)
			if s.verr == nil {
				s.body, s.verr = io.ReadAll(r.Body)
			}
		}
		u.mu.Lock()
		u.reqs = append(u.reqs, s)
		u.mu.Unlock()
		switch {
		case !s.complete:
			return
		case s.verr != nil:
			sigv4.WriteError(w, r, s.verr)
		case u.respond != nil:
			u.respond(w, r)
		case r.Method == http.MethodPut:
			u.mu.Lock()
			u.objects[s.verified.Path] = s.body
			u.mu.Unlock()
		case r.Method == http.MethodGet:
			u.mu.Lock()
			b, ok := u.objects[s.verified.Path]
			u.mu.Unlock()
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Write(b)
		}
	}))
	t.Cleanup(u.Close)
	return u
}

// all returns the requests that reached the upstream.
func (u *upstream) all() []seen {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]seen(nil), u.reqs...)
}

// last returns the last request, failing the test when none came.
func (u *upstream) last(t *testing.T) seen {
	t.Helper()
	all := u.all()
	if len(all) == 0 {
		t.Fatal("no request reached the upstream")
	}
	return all[len(all)-1]
}

// syncBuffer is a bytes.Buffer safe for the proxy's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// waitFor returns the buffer once it holds every one of want, or after 10
// seconds. The proxy logs a request when its handler returns, which can be
// after the client has read the whole response.
func (b *syncBuffer) waitFor(want ...string) string {
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := b.String()
		missing := false
		for _, w := range want {
			if !strings.Contains(s, w) {
				missing = true
				break
			}
		}
		if !missing || time.Now().After(deadline) {
			return s
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// running is a proxy started by startProxy.
type running struct {
	url    string // http(s)://127.0.0.1:port
	stderr *syncBuffer
	p      *proxy
}

// startProxy runs "sigv4 proxy args..." in process, on a free port, until
// the test ends.
func startProxy(t *testing.T, env map[string]string, args ...string) *running {
	t.Helper()
	stderr := &syncBuffer{}
	a := newApp(strings.NewReader(""), io.Discard, stderr, func(k string) string { return env[k] })
	ctx, cancel := context.WithCancel(context.Background())
	a.ctx = ctx
	var o proxyOptions
	fs := o.flagSet()
	if _, err := a.parseFlags(fs, proxyHelp, append([]string{"--listen", "127.0.0.1:0"}, args...)); err != nil {
		t.Fatal(err)
	}
	p, err := a.newProxy(&o)
	if err != nil {
		cancel()
		a.exit(err)
		t.Fatalf("sigv4 proxy %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	done := make(chan error, 1)
	go func() { done <- p.serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	scheme := "http"
	if o.useTLS {
		scheme = "https"
	}
	return &running{url: scheme + "://" + p.listener.Addr().String(), stderr: stderr, p: p}
}

// placeholderSigner signs as a sandboxed client: with the placeholder key.
func placeholderSigner(t *testing.T, service string) *sigv4.Signer {
	t.Helper()
	s, err := sigv4.New(sigv4.Config{Service: service, Region: "us-east-1", Credentials: credentials.Static(placeholderID, placeholderSecret, "")})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func send(t *testing.T, c *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// onlyReader hides every method but Read: a body that can be read once.
type onlyReader struct{ io.Reader }

// TestProxySign sends unsigned requests of every body kind through the
// proxy to an S3 upstream that verifies them: each arrives signed with
// the real credentials, with the body byte for byte.
func TestProxySign(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, "s3")
	px := startProxy(t, proxyEnv(t), "--upstream", up.URL, "--service", "s3")
	big := randomBytes(t, 300<<10)

	for _, tc := range []struct {
		name    string
		method  string
		path    string
		body    func() io.Reader
		length  int64 // -1: chunked
		payload string
		want    []byte
	}{
		{"GET without body", http.MethodGet, "/bucket/missing", nil, 0, sigv4.EmptyPayloadHash, nil},
		{"PUT of known length: signed aws-chunked", http.MethodPut, "/bucket/big", func() io.Reader { return bytes.NewReader(big) }, int64(len(big)), sigv4.StreamingPayload, big},
		{"PUT chunked, unknown length: written to a file, hashed", http.MethodPut, "/bucket/chunked", func() io.Reader { return onlyReader{bytes.NewReader(big)} }, -1, sha256Hex(big), big},
		{"PUT empty", http.MethodPut, "/bucket/empty", func() io.Reader { return http.NoBody }, 0, sigv4.EmptyPayloadHash, []byte{}},
		{"key with spaces and plus", http.MethodPut, "/bucket/a%20b%2Bc", func() io.Reader { return strings.NewReader("x") }, 1, sigv4.StreamingPayload, []byte("x")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != nil {
				body = tc.body()
			}
			req, err := http.NewRequest(tc.method, px.url+tc.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = tc.length
			resp, _ := send(t, nil, req)
			got := up.last(t)
			if got.verr != nil {
				t.Fatalf("the upstream refused the signature: %v", got.verr)
			}
			if tc.method == http.MethodGet {
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("status %d, want the upstream's 404", resp.StatusCode)
				}
			} else if resp.StatusCode != http.StatusOK {
				t.Errorf("status %d", resp.StatusCode)
			}
			if got.path != tc.path {
				t.Errorf("upstream path %q, want %q", got.path, tc.path)
			}
			if p := got.verified.PayloadHash; p != tc.payload {
				t.Errorf("payload line %q, want %q", p, tc.payload)
			}
			if tc.want != nil && !bytes.Equal(got.body, tc.want) {
				t.Errorf("body: got %d bytes, want %d", len(got.body), len(tc.want))
			}
			if tc.method == http.MethodPut && tc.want != nil {
				// Read it back through the proxy.
				req, _ := http.NewRequest(http.MethodGet, px.url+tc.path, nil)
				if resp, b := send(t, nil, req); resp.StatusCode != 200 || !bytes.Equal(b, tc.want) {
					t.Errorf("GET back: status %d, %d bytes", resp.StatusCode, len(b))
				}
			}
		})
	}
}

// TestProxyStripsHeaders sends what a client must not decide: inbound
// credentials, hop-by-hop headers, a Host naming another server. The
// upstream gets none of them, and the request is signed for its own host.
func TestProxyStripsHeaders(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, "s3")
	px := startProxy(t, proxyEnv(t), "--upstream", up.URL+"/", "--service", "s3")
	req, _ := http.NewRequest(http.MethodGet, px.url+"/bucket/k?list-type=2&X-Amz-Signature=abc&X-Amz-Credential=x", nil)
	req.Host = "evil.example:1234"
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDCLIENT/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00")
	req.Header.Set("X-Amz-Date", "20130524T000000Z")
	req.Header.Set("X-Amz-Security-Token", "client-token")
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	req.Header.Set("Connection", "X-Hop")
	req.Header.Set("X-Hop", "1")
	req.Header.Set("Keep-Alive", "timeout=5")
	req.Header.Set("Proxy-Authorization", "Basic eDp5")
	req.Header.Set("X-Forwarded-For", "10.9.9.9")
	req.Header.Set("X-Amz-Meta-Color", "blue")
	send(t, nil, req)
	got := up.last(t)
	if got.verr != nil {
		t.Fatalf("the upstream refused: %v", got.verr)
	}
	wantHost := strings.TrimPrefix(up.URL, "http://")
	if got.host != wantHost {
		t.Errorf("upstream Host %q, want %q", got.host, wantHost)
	}
	if got.query != "list-type=2" {
		t.Errorf("upstream query %q, want the signature parameters removed", got.query)
	}
	for _, h := range []string{"X-Hop", "Keep-Alive", "Proxy-Authorization", "X-Forwarded-For"} {
		if v := got.header.Get(h); v != "" {
			t.Errorf("%s reached the upstream: %q", h, v)
		}
	}
	if a := got.header.Get("Authorization"); !strings.Contains(a, "Credential="+exampleID+"/") {
		t.Errorf("Authorization %q is not the proxy's", a)
	}
	if tok := got.header.Get("X-Amz-Security-Token"); tok != proxyToken {
		t.Errorf("X-Amz-Security-Token %q, want the proxy's", tok)
	}
	if got.header.Get("X-Amz-Date") == "20130524T000000Z" {
		t.Error("the client's X-Amz-Date reached the upstream")
	}
	if !strings.Contains(got.verified.SignedHeaders, "x-amz-meta-color") || got.header.Get("X-Amz-Meta-Color") != "blue" {
		t.Errorf("x-amz-meta-color not forwarded and signed: %q", got.verified.SignedHeaders)
	}
}

// TestProxyOtherService signs for a service outside the S3 family, which
// signs the SHA-256 of the body: a small body is hashed in memory, a large
// chunked one is written to a temporary file first; both arrive verified.
func TestProxyOtherService(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, "es")
	up.respond = func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"acknowledged":true}`) }
	px := startProxy(t, proxyEnv(t), "--upstream", up.URL, "--service", "es", "--region", "us-east-1")
	large := bytes.Repeat([]byte(`{"index":{}}`+"\n"+`{"message":"hello"}`+"\n"), 100_000) // 3.2 MB
	for _, tc := range []struct {
		name   string
		body   []byte
		length int64
	}{
		{"small", []byte(`{"query":{"match_all":{}}}`), -1},
		{"large, chunked", large, -1},
		{"large, known length", large, int64(len(large))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, px.url+"/logs/_bulk", onlyReader{bytes.NewReader(tc.body)})
			req.ContentLength = tc.length
			resp, b := send(t, nil, req)
			got := up.last(t)
			if got.verr != nil || resp.StatusCode != 200 {
				t.Fatalf("status %d %s; upstream: %v", resp.StatusCode, b, got.verr)
			}
			if !bytes.Equal(got.body, tc.body) {
				t.Errorf("body: %d bytes, want %d", len(got.body), len(tc.body))
			}
			if got.verified.PayloadHash == sigv4.UnsignedPayload {
				t.Error("UNSIGNED-PAYLOAD for es")
			}
		})
	}
	leftovers, _ := filepath.Glob(filepath.Join(os.TempDir(), "sigv4-proxy-body-*"))
	for _, f := range leftovers {
		if st, err := os.Stat(f); err == nil && time.Since(st.ModTime()) < time.Minute {
			t.Errorf("temporary body file left behind: %s", f)
		}
	}
}

// TestProxyStreamsResponse checks that the proxy flushes a response as
// it comes: the client reads the first part while the upstream still
// holds the rest back.
func TestProxyStreamsResponse(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, "s3")
	release := make(chan struct{})
	up.respond = func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first part\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
		io.WriteString(w, "second part\n")
	}
	px := startProxy(t, proxyEnv(t), "--upstream", up.URL, "--service", "s3")
	resp, err := http.Get(px.url + "/bucket/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, len("first part\n"))
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "first part\n" {
		t.Fatalf("first part: %q, %v", buf, err)
	}
	close(release)
	rest, err := io.ReadAll(resp.Body)
	if err != nil || string(rest) != "second part\n" {
		t.Errorf("rest: %q, %v", rest, err)
	}
}

// TestProxyResign sends requests signed with the placeholder key, in every
// payload form a client uses; each arrives at the upstream signed with the
// real credentials, in the same form, with its body byte for byte.
func TestProxyResign(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, "s3")
	px := startProxy(t, proxyEnv(t), "--upstream", up.URL, "--resign", "--accept-key", placeholderID+":"+placeholderSecret)
	client := placeholderSigner(t, "s3")
	ctx := context.Background()
	body := randomBytes(t, 200<<10+17) // four 64 KiB chunks and a short one

	for _, tc := range []struct {
		name    string
		sign    func(req *http.Request) error
		payload string // what the upstream must see
		raw     bool   // the upstream gets the client's bytes unchanged
	}{
		{"hex payload hash", func(req *http.Request) error { return client.Sign(ctx, req, "") }, "", false},
		{"UNSIGNED-PAYLOAD", func(req *http.Request) error { return client.Sign(ctx, req, sigv4.UnsignedPayload) }, sigv4.UnsignedPayload, true},
		{"signed aws-chunked", func(req *http.Request) error {
			return client.SignStreaming(ctx, req, sigv4.StreamOptions{Mode: sigv4.StreamSigned})
		}, sigv4.StreamingPayload, false},
		{"signed aws-chunked, 8 KiB chunks", func(req *http.Request) error {
			return client.SignStreaming(ctx, req, sigv4.StreamOptions{Mode: sigv4.StreamSigned, ChunkSize: 8 << 10})
		}, sigv4.StreamingPayload, false},
		{"signed trailer with CRC32C", func(req *http.Request) error {
			return client.SignStreaming(ctx, req, sigv4.StreamOptions{Mode: sigv4.StreamSignedTrailer, Checksum: sigv4.ChecksumCRC32C})
		}, sigv4.StreamingPayloadTrailer, false},
		{"unsigned trailer with CRC64NVME", func(req *http.Request) error {
			return client.SignStreaming(ctx, req, sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumCRC64NVME, ChunkSize: 16 << 10})
		}, sigv4.StreamingUnsignedPayloadTrailer, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "/bucket/" + strings.ReplaceAll(tc.name, " ", "-")
			req, _ := http.NewRequest(http.MethodPut, px.url+key, bytes.NewReader(body))
			req.Header.Set("X-Amz-Meta-Kind", tc.name)
			if err := tc.sign(req); err != nil {
				t.Fatal(err)
			}
			var wire []byte
			if tc.raw {
				// What the client sends, to compare with what the upstream gets.
				gb, err := req.GetBody()
				if err != nil {
					t.Fatal(err)
				}
				wire, _ = io.ReadAll(gb)
			}
			resp, b := send(t, nil, req)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, b)
			}
			got := up.last(t)
			if got.verr != nil {
				t.Fatalf("the upstream refused: %v", got.verr)
			}
			if !bytes.Equal(got.body, body) {
				t.Errorf("body: %d bytes, want %d", len(got.body), len(body))
			}
			if want := tc.payload; want == "" {
				if len(got.verified.PayloadHash) != 64 {
					t.Errorf("payload line %q, want the client's hash", got.verified.PayloadHash)
				}
			} else if got.verified.PayloadHash != want {
				t.Errorf("payload line %q, want %q", got.verified.PayloadHash, want)
			}
			if tc.raw && !bytes.Equal(got.raw, wire) {
				t.Errorf("the body on the wire changed: %d bytes sent, %d received", len(wire), len(got.raw))
			}
			if got.verified.AccessKeyID != exampleID || got.header.Get("X-Amz-Meta-Kind") != tc.name {
				t.Errorf("signed by %s, meta %q", got.verified.AccessKeyID, got.header.Get("X-Amz-Meta-Kind"))
			}
			// And back, signed by the client.
			get, _ := http.NewRequest(http.MethodGet, px.url+key, nil)
			if err := client.Sign(ctx, get, ""); err != nil {
				t.Fatal(err)
			}
			if resp, b := send(t, nil, get); resp.StatusCode != 200 || !bytes.Equal(b, body) {
				t.Errorf("GET back: status %d, %d bytes", resp.StatusCode, len(b))
			}
		})
	}

	t.Run("presigned GET is forwarded header-signed", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, px.url+"/bucket/hex-payload-hash?versionId=null", nil)
		ps, err := client.Presign(ctx, req, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		resp, b := send(t, nil, mustRequest(t, http.MethodGet, ps.URL))
		if resp.StatusCode != 200 || !bytes.Equal(b, body) {
			t.Fatalf("status %d, %d bytes", resp.StatusCode, len(b))
		}
		got := up.last(t)
		if got.verified.Presigned || got.query != "versionId=null" || got.verified.AccessKeyID != exampleID {
			t.Errorf("upstream got presigned=%v query %q key %s", got.verified.Presigned, got.query, got.verified.AccessKeyID)
		}
	})
}

func mustRequest(t *testing.T, method, rawURL string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestProxyResignOtherService re-signs a request to a service outside the
// S3 family, whose signature covers the body without an
// X-Amz-Content-Sha256 header.
func TestProxyResignOtherService(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, "execute-api")
	up.respond = func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "pong") }
	px := startProxy(t, proxyEnv(t), "--upstream", up.URL, "--resign", "--accept-key", placeholderID+":"+placeholderSecret,
		"--service", "execute-api,s3", "--region", "us-east-1")
	req, _ := http.NewRequest(http.MethodPost, px.url+"/prod/ping", strings.NewReader(`{"ping":1}`))
	if err := placeholderSigner(t, "execute-api").Sign(context.Background(), req, ""); err != nil {
		t.Fatal(err)
	}
	resp, b := send(t, nil, req)
	got := up.last(t)
	if resp.StatusCode != 200 || string(b) != "pong" || got.verr != nil {
		t.Fatalf("status %d %q; upstream: %v", resp.StatusCode, b, got.verr)
	}
	if got.header.Get("X-Amz-Content-Sha256") != "" || string(got.body) != `{"ping":1}` {
		t.Errorf("X-Amz-Content-Sha256 %q, body %q", got.header.Get("X-Amz-Content-Sha256"), got.body)
	}
}

// TestProxyRefusals: with --resign, a request that does not verify gets
// S3's error and nothing reaches the upstream, which counts what it gets.
func TestProxyRefusals(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, "s3")
	px := startProxy(t, proxyEnv(t), "--upstream", up.URL, "--resign", "--accept-key", placeholderID+":"+placeholderSecret,
		"--accept-key", "AKIDOTHER:other-secret", "--service", "s3", "--region", "us-east-1", "-v")
	ctx := context.Background()
	client := placeholderSigner(t, "s3")
	small := []byte("hello, upstream")

	for _, tc := range []struct {
		name   string
		req    func(t *testing.T) *http.Request
		status int
		code   string
	}{
		{"unsigned", func(t *testing.T) *http.Request {
			return mustRequest(t, http.MethodGet, px.url+"/bucket/k")
		}, 403, sigv4.CodeAccessDenied},
		{"unknown placeholder key", func(t *testing.T) *http.Request {
			req := mustRequest(t, http.MethodGet, px.url+"/bucket/k")
			s, _ := sigv4.New(sigv4.Config{Service: "s3", Region: "us-east-1", Credentials: credentials.Static("AKIDUNKNOWN", placeholderSecret, "")})
			if err := s.Sign(ctx, req, ""); err != nil {
				t.Fatal(err)
			}
			return req
		}, 403, sigv4.CodeInvalidAccessKeyID},
		{"the real key is not accepted", func(t *testing.T) *http.Request {
			req := mustRequest(t, http.MethodGet, px.url+"/bucket/k")
			s, _ := sigv4.New(sigv4.Config{Service: "s3", Region: "us-east-1", Credentials: credentials.Static(exampleID, exampleSecret, proxyToken)})
			if err := s.Sign(ctx, req, ""); err != nil {
				t.Fatal(err)
			}
			return req
		}, 403, sigv4.CodeInvalidAccessKeyID},
		{"wrong secret", func(t *testing.T) *http.Request {
			req := mustRequest(t, http.MethodGet, px.url+"/bucket/k")
			s, _ := sigv4.New(sigv4.Config{Service: "s3", Region: "us-east-1", Credentials: credentials.Static("AKIDOTHER", placeholderSecret, "")})
			if err := s.Sign(ctx, req, ""); err != nil {
				t.Fatal(err)
			}
			return req
		}, 403, sigv4.CodeSignatureDoesNotMatch},
		{"tampered header", func(t *testing.T) *http.Request {
			req := mustRequest(t, http.MethodGet, px.url+"/bucket/k")
			req.Header.Set("X-Amz-Meta-Color", "blue")
			if err := client.Sign(ctx, req, ""); err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Amz-Meta-Color", "red")
			return req
		}, 403, sigv4.CodeSignatureDoesNotMatch},
		{"tampered path", func(t *testing.T) *http.Request {
			req := mustRequest(t, http.MethodGet, px.url+"/bucket/k")
			if err := client.Sign(ctx, req, ""); err != nil {
				t.Fatal(err)
			}
			req.URL.Path = "/bucket/other"
			return req
		}, 403, sigv4.CodeSignatureDoesNotMatch},
		{"tampered body (hex payload hash)", func(t *testing.T) *http.Request {
			req, _ := http.NewRequest(http.MethodPut, px.url+"/bucket/k", bytes.NewReader(small))
			if err := client.Sign(ctx, req, ""); err != nil {
				t.Fatal(err)
			}
			tampered := bytes.ToUpper(small)
			req.Body = io.NopCloser(bytes.NewReader(tampered))
			return req
		}, 400, sigv4.CodeXAmzContentSHA256Mismatch},
		{"tampered chunk", func(t *testing.T) *http.Request {
			return tamperedChunk(t, client, px.url+"/bucket/k", small, 0)
		}, 403, sigv4.CodeSignatureDoesNotMatch},
		{"tampered first chunk of a large upload", func(t *testing.T) *http.Request {
			return tamperedChunk(t, client, px.url+"/bucket/k", randomBytes(t, 1<<20), 100)
		}, 403, sigv4.CodeSignatureDoesNotMatch},
		{"service not allowed", func(t *testing.T) *http.Request {
			req := mustRequest(t, http.MethodGet, px.url+"/")
			if err := placeholderSigner(t, "sts").Sign(ctx, req, ""); err != nil {
				t.Fatal(err)
			}
			return req
		}, 403, sigv4.CodeAccessDenied},
		{"region not allowed", func(t *testing.T) *http.Request {
			req := mustRequest(t, http.MethodGet, px.url+"/bucket/k")
			s, _ := client.ForRegion("eu-west-1")
			if err := s.Sign(ctx, req, ""); err != nil {
				t.Fatal(err)
			}
			return req
		}, 403, sigv4.CodeAccessDenied},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(up.all())
			resp, b := send(t, nil, tc.req(t))
			if resp.StatusCode != tc.status || !strings.Contains(string(b), "<Code>"+tc.code+"</Code>") {
				t.Errorf("status %d, body %s; want %d %s", resp.StatusCode, b, tc.status, tc.code)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/xml" {
				t.Errorf("Content-Type %q", ct)
			}
			if n := len(up.all()) - before; n != 0 {
				t.Errorf("%d requests reached the upstream", n)
			}
		})
	}
	log := px.stderr.waitFor("GET /bucket/k 403 ", "refused: SignatureDoesNotMatch (not forwarded)")
	for _, secret := range []string{placeholderSecret, exampleSecret, proxyToken, "other-secret"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log shows a secret: %s", log)
		}
	}
	if !strings.Contains(log, "GET /bucket/k 403 ") || !strings.Contains(log, "refused: SignatureDoesNotMatch (not forwarded)") {
		t.Errorf("the -v log lacks the refusals:\n%s", log)
	}
}

// TestProxyTamperedLateChunk tampers with a chunk past the first 64 KiB:
// the proxy has started forwarding, so the upstream sees the request
// begin, but the proxy aborts it mid-body: the upstream never gets a
// complete request, and the client gets the verifier's 403.
func TestProxyTamperedLateChunk(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, "s3")
	px := startProxy(t, proxyEnv(t), "--upstream", up.URL, "--resign", "--accept-key", placeholderID+":"+placeholderSecret)
	req := tamperedChunk(t, placeholderSigner(t, "s3"), px.url+"/bucket/late", randomBytes(t, 1<<20), 900<<10)
	resp, b := send(t, nil, req)
	if resp.StatusCode != 403 || !strings.Contains(string(b), "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("status %d, body %s", resp.StatusCode, b)
	}
	// The aborted request may reach the handler a moment later.
	deadline := time.Now().Add(5 * time.Second)
	for len(up.all()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for _, s := range up.all() {
		if s.complete && s.verr == nil {
			t.Errorf("the upstream got a complete, valid request: %d bytes", len(s.body))
		}
		if len(s.raw) >= 900<<10 {
			t.Errorf("the upstream got %d bytes, past the tampered chunk", len(s.raw))
		}
	}
	if len(up.objects) != 0 {
		t.Errorf("the upstream stored %d objects", len(up.objects))
	}
}

// tamperedChunk returns a signed aws-chunked upload of body with the byte
// at offset (of the decoded body) changed after signing.
func tamperedChunk(t *testing.T, s *sigv4.Signer, rawURL string, body []byte, offset int) *http.Request {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, rawURL, bytes.NewReader(body))
	if err := s.SignStreaming(context.Background(), req, sigv4.StreamOptions{Mode: sigv4.StreamSigned}); err != nil {
		t.Fatal(err)
	}
	enc, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	// Find the payload byte: each chunk is "size;chunk-signature=<64 hex>\r\n", the data, "\r\n".
	pos := 0
	for range offset / sigv4.DefaultChunkSize {
		nl := bytes.Index(enc[pos:], []byte("\r\n"))
		if nl < 0 {
			t.Fatal("no chunk header")
		}
		pos += nl + 2 + sigv4.DefaultChunkSize + 2
	}
	nl := bytes.Index(enc[pos:], []byte("\r\n"))
	i := pos + nl + 2 + offset%sigv4.DefaultChunkSize
	enc[i] ^= 0xff
	req.Body = io.NopCloser(bytes.NewReader(enc))
	req.GetBody = nil
	return req
}

// TestProxyTLS serves HTTPS with the certificate made at start: a client
// that trusts the PEM written by --tls-cert-out talks HTTP/2 to it.
func TestProxyTLS(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, "s3")
	certFile := filepath.Join(t.TempDir(), "proxy.pem")
	px := startProxy(t, proxyEnv(t), "--upstream", up.URL, "--service", "s3", "--tls", "--tls-cert-out", certFile)
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("--tls-cert-out wrote no certificate: %q", pemBytes)
	}
	if bytes.Contains(pemBytes, []byte("PRIVATE KEY")) {
		t.Error("the private key was written")
	}
	for _, host := range []string{"127.0.0.1", "localhost"} {
		u, _ := url.Parse(px.url)
		u.Host = strings.Replace(u.Host, "127.0.0.1", host, 1)
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
		req, _ := http.NewRequest(http.MethodPut, u.String()+"/bucket/tls", strings.NewReader("over tls"))
		resp, _ := send(t, c, req)
		if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
			t.Errorf("%s: status %d over %s", host, resp.StatusCode, resp.Proto)
		}
		if got := up.last(t); string(got.body) != "over tls" || got.verr != nil {
			t.Errorf("%s: upstream got %q, %v", host, got.body, got.verr)
		}
	}
	if _, err := http.Get(px.url + "/bucket/tls"); err == nil {
		t.Error("a client that does not trust the certificate got through")
	}
}

// TestProxyScrubsErrors: an upstream error body that echoes the real
// signature (S3's SignatureDoesNotMatch carries the canonical request,
// which signs the session token) reaches the client with the token
// redacted, and with --resign without the upstream's signature details.
func TestProxyScrubsErrors(t *testing.T) {
	t.Parallel()
	s3Error := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match.</Message><AWSAccessKeyId>%s</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256</StringToSign><CanonicalRequest>GET
/bucket/k

host:x
x-amz-security-token:%s
</CanonicalRequest><CanonicalRequestBytes>%s</CanonicalRequestBytes><RequestId>1</RequestId></Error>`, exampleID, proxyToken, spacedHex("x-amz-security-token:"+proxyToken))
	}
	for _, resign := range []bool{false, true} {
		t.Run(fmt.Sprint("resign=", resign), func(t *testing.T) {
			up := newUpstream(t, "s3")
			up.respond = s3Error
			args := []string{"--upstream", up.URL, "--service", "s3"}
			if resign {
				args = append(args, "--resign", "--accept-key", placeholderID+":"+placeholderSecret)
			}
			px := startProxy(t, proxyEnv(t), args...)
			req := mustRequest(t, http.MethodGet, px.url+"/bucket/k")
			if resign {
				if err := placeholderSigner(t, "s3").Sign(context.Background(), req, ""); err != nil {
					t.Fatal(err)
				}
			}
			resp, b := send(t, nil, req)
			if resp.StatusCode != 403 || !strings.Contains(string(b), "<Code>SignatureDoesNotMatch</Code>") {
				t.Fatalf("status %d: %s", resp.StatusCode, b)
			}
			if strings.Contains(string(b), proxyToken) || strings.Contains(string(b), spacedHex(proxyToken)) {
				t.Errorf("the session token reached the client:\n%s", b)
			}
			if resp.ContentLength != int64(len(b)) {
				t.Errorf("Content-Length %d for %d bytes", resp.ContentLength, len(b))
			}
			if has := strings.Contains(string(b), exampleID) || strings.Contains(string(b), "<CanonicalRequest>"); has == resign {
				t.Errorf("resign=%v, upstream details shown=%v:\n%s", resign, has, b)
			}
		})
	}
}

// TestProxyLog checks -v: one line per request with the method, the path,
// the status and the time, and never a key, a signature or a token.
func TestProxyLog(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, "s3")
	px := startProxy(t, proxyEnv(t), "--upstream", up.URL, "--service", "s3", "--verbose")
	req, _ := http.NewRequest(http.MethodPut, px.url+"/bucket/logged?X-Amz-Signature=deadbeef&X-Amz-Security-Token="+proxyToken, strings.NewReader("body"))
	req.Header.Set("X-Amz-Security-Token", proxyToken)
	send(t, nil, req)
	send(t, nil, mustRequest(t, http.MethodGet, px.url+"/bucket/logged"))
	wants := []string{"sigv4: proxy: listening on http://127.0.0.1:", "sigv4: proxy: PUT /bucket/logged 200 ", "(4 bytes in)", "sigv4: proxy: GET /bucket/logged 200 "}
	log := px.stderr.waitFor(wants...)
	for _, want := range wants {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	for _, secret := range []string{proxyToken, exampleSecret, "deadbeef", "Signature=", "Credential="} {
		if strings.Contains(log, secret) {
			t.Errorf("log shows %q:\n%s", secret, log)
		}
	}
}

// TestProxyErrors: every command-line mistake is refused before
// listening, with a hint.
func TestProxyErrors(t *testing.T) {
	t.Parallel()
	env := proxyEnv(t)
	noCreds := baseEnv(t)
	noCreds["AWS_REGION"] = "us-east-1"
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"no upstream", env, nil, 2, "proxy needs --upstream"},
		{"upstream not a URL", env, []string{"--upstream", "s3.amazonaws.com"}, 2, "is not an http or https URL"},
		{"upstream with query", env, []string{"--upstream", "https://s3.amazonaws.com/?x=1"}, 2, "has a query"},
		{"upstream with user", env, []string{"--upstream", "https://u:p@s3.amazonaws.com/"}, 2, "user name or password"},
		{"argument", env, []string{"--upstream", "https://s3.amazonaws.com", "extra"}, 2, "proxy takes no arguments"},
		{"remote listen", env, []string{"--upstream", "https://s3.amazonaws.com", "--listen", "0.0.0.0:8080"}, 2, "reachable from other machines"},
		{"remote listen, all addresses", env, []string{"--upstream", "https://s3.amazonaws.com", "--listen", ":8080"}, 2, "reachable from other machines"},
		{"listen not host:port", env, []string{"--upstream", "https://s3.amazonaws.com", "--listen", "8080"}, 2, "is not host:port"},
		{"resign without keys", env, []string{"--upstream", "https://s3.amazonaws.com", "--resign"}, 2, "--resign needs the placeholder keys"},
		{"accept-key without resign", env, []string{"--upstream", "https://s3.amazonaws.com", "--accept-key", "A:B"}, 2, "--accept-key is for --resign"},
		{"accept-key without secret", env, []string{"--upstream", "https://s3.amazonaws.com", "--resign", "--accept-key", "AKID"}, 2, "is not ID:SECRET"},
		{"accept-key twice", env, []string{"--upstream", "https://s3.amazonaws.com", "--resign", "--accept-key", "A:B", "--accept-key", "A:C"}, 2, "given twice"},
		{"bad allow-list", env, []string{"--upstream", "https://s3.amazonaws.com", "--resign", "--accept-key", "A:B", "--region", "US East"}, 2, "is not a service or region name"},
		{"cert-out without tls", env, []string{"--upstream", "https://s3.amazonaws.com", "--tls-cert-out", "x.pem"}, 2, "--tls-cert-out writes the certificate of --tls"},
		{"service not inferred", env, []string{"--upstream", "http://127.0.0.1:9000"}, 2, "cannot tell the service"},
		{"two services without resign", env, []string{"--upstream", "https://s3.amazonaws.com", "--service", "s3,es"}, 2, "take one name each"},
		{"bad region", env, []string{"--upstream", "http://127.0.0.1:9000", "--service", "s3", "--region", "us east"}, 1, "region"},
		{"no credentials", noCreds, []string{"--upstream", "https://s3.amazonaws.com"}, 1, "no credentials"},
		{"unknown flag", env, []string{"--upstream", "https://s3.amazonaws.com", "--port", "8080"}, 2, "proxy: unknown flag --port"},
		{"port taken", env, []string{"--upstream", "https://s3.amazonaws.com", "--listen", takenPort(t)}, 1, "cannot listen on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runIn(t, tc.env, "", append([]string{"proxy"}, tc.args...)...)
			r.check(t, tc.code, nil, []string{tc.want})
			if strings.Contains(r.stderr, "listening on") {
				t.Error("it listened")
			}
		})
	}
	r := runIn(t, env, "", "proxy", "--help")
	r.check(t, 0, []string{"Usage: sigv4 proxy", "--accept-key", "--allow-remote"}, nil)
}

// takenPort returns a 127.0.0.1 address in use until the test ends.
func takenPort(t *testing.T) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// TestProxyAllowRemote listens on every address with --allow-remote.
func TestProxyAllowRemote(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, "s3")
	stderr := &syncBuffer{}
	env := proxyEnv(t)
	a := newApp(strings.NewReader(""), io.Discard, stderr, func(k string) string { return env[k] })
	o := proxyOptions{listen: "0.0.0.0:0", upstream: up.URL, services: listFlag{"s3"}, allowRemote: true}
	p, err := a.newProxy(&o)
	if err != nil {
		t.Fatal(err)
	}
	defer p.listener.Close()
	if !strings.HasPrefix(p.listener.Addr().String(), "0.0.0.0:") && !strings.HasPrefix(p.listener.Addr().String(), "[::]:") {
		t.Errorf("listening on %s", p.listener.Addr())
	}
}

func TestWithoutParams(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"list-type=2", "list-type=2"},
		{"a=1&X-Amz-Signature=ab&b=%2F", "a=1&b=%2F"},
		{"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb&X-Amz-Date=1&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Security-Token=t", ""},
		{"x-amz-signature=1&uploads", "uploads"},
		{"X-Amz-Meta-Keep=1", "X-Amz-Meta-Keep=1"},
	} {
		if got := withoutParams(tc.in, authQuery); got != tc.want {
			t.Errorf("withoutParams(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCredentialScope(t *testing.T) {
	for _, tc := range []struct {
		auth, query     string
		service, region string
		ok              bool
	}{
		{"AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00", "", "s3", "us-east-1", true},
		{"AWS4-HMAC-SHA256 Credential=AKID/20130524/eu-west-1/execute-api/aws4_request,SignedHeaders=host,Signature=00", "", "execute-api", "eu-west-1", true},
		{"", "X-Amz-Credential=AKID%2F20130524%2Fus-west-2%2Fsts%2Faws4_request", "sts", "us-west-2", true},
		{"AWS4-HMAC-SHA256 Credential=AKID/20130524/s3/aws4_request", "", "", "", false},
		{"Bearer x", "", "", "", false},
		{"", "", "", "", false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/?"+tc.query, nil)
		if tc.auth != "" {
			r.Header.Set("Authorization", tc.auth)
		}
		s, reg, ok := credentialScope(r)
		if s != tc.service || reg != tc.region || ok != tc.ok {
			t.Errorf("%q %q: %q %q %v", tc.auth, tc.query, s, reg, ok)
		}
	}
}

// FuzzCredentialScope: any Authorization header or query parses without
// panicking, and a scope it finds is one of the header's parts.
func FuzzCredentialScope(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00", "")
	f.Add("", "X-Amz-Credential=AKID%2F20130524%2Fus-west-2%2Fsts%2Faws4_request")
	f.Add("Credential=/////aws4_request", "X-Amz-Credential=%zz")
	f.Fuzz(func(t *testing.T, auth, query string) {
		r := &http.Request{Header: http.Header{}, URL: &url.URL{RawQuery: query}}
		if auth != "" {
			r.Header["Authorization"] = []string{auth}
		}
		service, region, ok := credentialScope(r)
		if ok && auth != "" && (!strings.Contains(auth, "/"+region+"/"+service+"/aws4_request")) {
			t.Errorf("scope %q %q not in %q", service, region, auth)
		}
	})
}

// proxyRedactionCases are the redaction table's cases for the proxy: it
// reaches the real credentials and the placeholder keys.
func proxyRedactionCases(t *testing.T) []redacttest.Case {
	t.Helper()
	env := proxyEnv(t)
	env["AWS_SESSION_TOKEN"] = tableToken
	a := newApp(strings.NewReader(""), io.Discard, io.Discard, func(k string) string { return env[k] })
	o := proxyOptions{listen: "127.0.0.1:0", upstream: "https://s3.us-east-1.amazonaws.com", resign: true, acceptKeys: listFlag{"AKIDTABLE:" + tableToken}}
	p, err := a.newProxy(&o)
	if err != nil {
		t.Fatal(err)
	}
	p.listener.Close()
	if _, err := p.verifier("s3", "us-east-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.transport("s3", "us-east-1"); err != nil {
		t.Fatal(err)
	}
	return []redacttest.Case{{Name: "*proxy", Value: p, Why: "the proxy holds the real credentials' cache, the placeholder keys and signers, behind pointers"}}
}

// TestSelfSignedCert checks the certificate: for the hosts, a CA (so that
// clients can use it as their bundle), valid now.
func TestSelfSignedCert(t *testing.T) {
	cert, pemBytes, err := selfSignedCert(certHosts("127.0.0.2"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	for _, host := range []string{"127.0.0.1", "::1", "localhost", "127.0.0.2"} {
		if _, err := c.Verify(x509.VerifyOptions{DNSName: host, Roots: pool}); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
	if _, err := c.Verify(x509.VerifyOptions{DNSName: "example.com", Roots: pool}); err == nil {
		t.Error("valid for example.com")
	}
	if !c.IsCA || c.NotAfter.Before(time.Now().Add(24*time.Hour)) {
		t.Errorf("IsCA %v, NotAfter %v", c.IsCA, c.NotAfter)
	}
}

// BenchmarkProxyGET measures the proxy's own cost on a small GET, with a
// 127.0.0.1 upstream that answers 1 KiB at once (no verification): each
// iteration goes direct, through the signing proxy, and through the
// re-signing proxy, and the overheads are reported in µs.
func BenchmarkProxyGET(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer up.Close()
	home := b.TempDir()
	env := map[string]string{"HOME": home, "AWS_CONFIG_FILE": filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": exampleID, "AWS_SECRET_ACCESS_KEY": exampleSecret,
		"AWS_SESSION_TOKEN": proxyToken, "AWS_REGION": "us-east-1"}
	sign := startProxyB(b, env, "--upstream", up.URL, "--service", "s3")
	resign := startProxyB(b, env, "--upstream", up.URL, "--resign", "--accept-key", placeholderID+":"+placeholderSecret)
	s, err := sigv4.New(sigv4.Config{Service: "s3", Region: "us-east-1", Credentials: credentials.Static(placeholderID, placeholderSecret, "")})
	if err != nil {
		b.Fatal(err)
	}
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	get := func(base string, sign bool) time.Duration {
		start := time.Now()
		req, _ := http.NewRequest(http.MethodGet, base+"/bucket/key", nil)
		if sign {
			if err := s.Sign(context.Background(), req, sigv4.EmptyPayloadHash); err != nil {
				b.Fatal(err)
			}
		}
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || n != 1024 {
			b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
		}
		return time.Since(start)
	}
	get(up.URL, false)
	get(sign, false)
	get(resign, true)
	var direct, signed, resigned time.Duration
	b.ResetTimer()
	for range b.N {
		direct += get(up.URL, false)
		signed += get(sign, false)
		resigned += get(resign, true)
	}
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
	b.ReportMetric(us(direct), "direct-µs")
	b.ReportMetric(us(signed-direct), "sign-overhead-µs")
	b.ReportMetric(us(resigned-direct), "resign-overhead-µs")
}

// startProxyB runs the proxy in process for a benchmark, without -v, and
// returns its URL.
func startProxyB(b *testing.B, env map[string]string, args ...string) string {
	a := newApp(strings.NewReader(""), io.Discard, io.Discard, func(k string) string { return env[k] })
	ctx, cancel := context.WithCancel(context.Background())
	a.ctx = ctx
	var o proxyOptions
	if _, err := a.parseFlags(o.flagSet(), proxyHelp, append([]string{"--listen", "127.0.0.1:0"}, args...)); err != nil {
		b.Fatal(err)
	}
	p, err := a.newProxy(&o)
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.serve(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
	return "http://" + p.listener.Addr().String()
}
