package sigv4_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/sigv4"
)

// The path rule: what Middleware hands the next handler is the path the
// signature covers. These tests sign a request for one path, send it on a
// raw TCP connection to a real 127.0.0.1 server with another wire form of
// that path (Go's client would not send "//x" or keep a request-target
// verbatim), and look at where the router behind Middleware sends it.

// signedFor returns a request signed (or presigned) for path on base.
func signedFor(t *testing.T, s *sigv4.Signer, method, base, path string, body []byte, presign bool) *http.Request {
	t.Helper()
	ctx := context.Background()
	req, err := http.NewRequest(method, base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(body) == 0 {
		req.Body, req.GetBody, req.ContentLength = nil, nil, 0
	}
	if !presign {
		if err := s.Sign(ctx, req, ""); err != nil {
			t.Fatal(err)
		}
		return req
	}
	p, err := s.Presign(ctx, req, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	preq := vPresignedRequest(t, p, "")
	preq.Body, preq.ContentLength = req.Body, req.ContentLength
	return preq
}

// sendRaw writes req to ts on a new TCP connection with target (a path,
// written verbatim) as its request-target, then req's query, and returns
// the status and body of the answer.
func sendRaw(t *testing.T, ts *httptest.Server, req *http.Request, target string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if req.URL.RawQuery != "" {
		target += "?" + req.URL.RawQuery
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	var body []byte
	if req.Body != nil {
		if body, err = io.ReadAll(req.Body); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", req.Method, target, host)
	if err := req.Header.Write(&b); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\nConnection: close\r\n\r\n", len(body))
	b.Write(body)
	if _, err := conn.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(out)
}

// TestMiddlewarePathNormalized: for a service whose canonical URI is
// normalized, a request signed for /public/report and sent as
// /admin/../public/report (or any other spelling of it) reaches the public
// handler with the path /public/report, behind a ServeMux and behind a
// plain prefix router, and never the admin handler.
func TestMiddlewarePathNormalized(t *testing.T) {
	v := vVerifier(t, "execute-api", sigv4.VerifierConfig{})
	s := vSigner(t, "execute-api", vCreds, sigv4.Config{})
	var adminHits atomic.Int32
	admin := func(w http.ResponseWriter, r *http.Request) {
		adminHits.Add(1)
		fmt.Fprint(w, "admin ", r.URL.Path)
	}
	public := func(w http.ResponseWriter, r *http.Request) {
		uri := "uri-ok"
		if r.RequestURI != r.URL.RequestURI() {
			uri = "uri " + r.RequestURI
		}
		fmt.Fprint(w, "public ", r.URL.Path, " ", r.URL.EscapedPath(), " ", uri)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/admin/", admin)
	mux.HandleFunc("/public/", public)
	prefix := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/admin/"):
			admin(w, r)
		case strings.HasPrefix(r.URL.Path, "/public/"):
			public(w, r)
		default:
			http.NotFound(w, r)
		}
	})
	routers := []struct {
		name string
		h    http.Handler
	}{{"ServeMux", mux}, {"prefix router", prefix}}
	wires := []string{
		"/public/report",
		"/admin/../public/report",
		"/admin/x/../../public/report",
		"/admin/..//public/report",
		"/public/./report",
		"//public/report",
		"/public//report",
		"/./public/report",
	}
	for _, rt := range routers {
		ts := httptest.NewServer(v.Middleware(rt.h))
		for _, presign := range []bool{false, true} {
			for _, wire := range wires {
				name := fmt.Sprintf("%s presigned=%v %s", rt.name, presign, wire)
				req := signedFor(t, s, "GET", ts.URL, "/public/report", nil, presign)
				status, body := sendRaw(t, ts, req, wire)
				if want := "public /public/report /public/report uri-ok"; status != http.StatusOK || body != want {
					t.Errorf("%s: %d %q, want 200 %q", name, status, body, want)
				}
			}
		}
		ts.Close()
	}
	if n := adminHits.Load(); n != 0 {
		t.Errorf("the admin handler ran %d times for requests signed for /public/report", n)
	}
}

// TestMiddlewarePathS3: for the S3 family, whose canonical URI is the
// decoded path, %2F is a '/' like any other: a request signed for
// /photos/x/y and sent as /photos%2Fx/y reaches a ServeMux pattern
// /{bucket}/{key...} as bucket photos, key x/y, never bucket photos/x.
func TestMiddlewarePathS3(t *testing.T) {
	v := vVerifier(t, "s3", sigv4.VerifierConfig{})
	s := vSigner(t, "s3", vCreds, sigv4.Config{})
	mux := http.NewServeMux()
	mux.HandleFunc("/{bucket}/{key...}", func(w http.ResponseWriter, r *http.Request) {
		uri := "uri-ok"
		if r.RequestURI != r.URL.RequestURI() {
			uri = "uri " + r.RequestURI
		}
		fmt.Fprint(w, r.PathValue("bucket"), "|", r.PathValue("key"), "|", r.URL.Path, "|", uri)
	})
	ts := httptest.NewServer(v.Middleware(mux))
	defer ts.Close()
	for _, c := range []struct{ signed, wire, want string }{
		{"/photos/x/y", "/photos/x/y", "photos|x/y|/photos/x/y|uri-ok"},
		{"/photos/x/y", "/photos%2Fx/y", "photos|x/y|/photos/x/y|uri-ok"},
		{"/photos/x/y", "/photos%2fx/y", "photos|x/y|/photos/x/y|uri-ok"},
		{"/photos/x/y", "/photos/x%2Fy", "photos|x/y|/photos/x/y|uri-ok"},
		{"/photos/x/y", "/photos%2Fx%2Fy", "photos|x/y|/photos/x/y|uri-ok"},
		{"/photos/x/y", "/%70hotos/x/y", "photos|x/y|/photos/x/y|uri-ok"},
		{"/photos/a%20b/c", "/photos%2Fa%20b%2Fc", "photos|a b/c|/photos/a b/c|uri-ok"},
	} {
		for _, presign := range []bool{false, true} {
			req := signedFor(t, s, "GET", ts.URL, c.signed, nil, presign)
			status, body := sendRaw(t, ts, req, c.wire)
			if status != http.StatusOK || body != c.want {
				t.Errorf("signed %s, sent %s, presigned=%v: %d %q, want 200 %q", c.signed, c.wire, presign, status, body, c.want)
			}
		}
	}
	// A path signed with a different key is still refused.
	req := signedFor(t, s, "GET", ts.URL, "/photos/x/y", nil, false)
	if status, body := sendRaw(t, ts, req, "/photos/x/z"); status != http.StatusForbidden || !strings.Contains(body, "SignatureDoesNotMatch") {
		t.Errorf("another key: %d %s", status, body)
	}
}

// TestMiddlewareRoutedBeforeVerification: a ServeMux in front of
// Middleware matched the wire path before it was verified, so its path
// values may name another bucket; Middleware refuses such a request when
// the wire path and the signed one route differently, and lets it through
// when they route alike.
func TestMiddlewareRoutedBeforeVerification(t *testing.T) {
	v := vVerifier(t, "s3", sigv4.VerifierConfig{})
	s := vSigner(t, "s3", vCreds, sigv4.Config{})
	var calls atomic.Int32
	mux := http.NewServeMux()
	mux.Handle("/{bucket}/{key...}", v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		fmt.Fprint(w, r.PathValue("bucket"), "|", r.PathValue("key"))
	})))
	ts := httptest.NewServer(mux)
	defer ts.Close()
	for _, c := range []struct {
		wire   string
		status int
		want   string
		calls  int32
	}{
		{"/photos/x/y", http.StatusOK, "photos|x/y", 1},
		{"/%70hotos/x/y", http.StatusOK, "photos|x/y", 1},
		{"/photos%2Fx/y", http.StatusBadRequest, "<Code>InvalidRequest</Code>", 0},
		{"/photos/x%2Fy", http.StatusBadRequest, "<Code>InvalidRequest</Code>", 0},
	} {
		calls.Store(0)
		req := signedFor(t, s, "GET", ts.URL, "/photos/x/y", nil, false)
		status, body := sendRaw(t, ts, req, c.wire)
		if status != c.status || !strings.Contains(body, c.want) || calls.Load() != c.calls {
			t.Errorf("sent %s: %d %q, handler ran %d times; want %d, %q, %d times", c.wire, status, body, calls.Load(), c.status, c.want, c.calls)
		}
	}
}

// TestMiddlewareDoesNotChangeRequest: the rewritten path is on a copy of
// the request and of its URL; the caller's request keeps its wire form.
func TestMiddlewareDoesNotChangeRequest(t *testing.T) {
	v := vVerifier(t, "s3", sigv4.VerifierConfig{})
	s := vSigner(t, "s3", vCreds, sigv4.Config{})
	req := signedFor(t, s, "GET", "http://example.com", "/photos/x/y", nil, false)
	wire := bytes.Replace(vWire(t, req), []byte("GET /photos/x/y "), []byte("GET /photos%2Fx/y "), 1)
	r := vServerRequest(t, wire)
	var inner *http.Request
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { inner = r }))
	h.ServeHTTP(httptest.NewRecorder(), r)
	if inner == nil {
		t.Fatal("the handler did not run")
	}
	if r.URL.RawPath != "/photos%2Fx/y" || r.URL.Path != "/photos/x/y" || r.RequestURI != "/photos%2Fx/y" {
		t.Errorf("the caller's request changed: RawPath %q Path %q RequestURI %q", r.URL.RawPath, r.URL.Path, r.RequestURI)
	}
	if inner.URL == r.URL || inner.URL.EscapedPath() != "/photos/x/y" || inner.RequestURI != "/photos/x/y" {
		t.Errorf("the handler's request: same URL %v, EscapedPath %q, RequestURI %q", inner.URL == r.URL, inner.URL.EscapedPath(), inner.RequestURI)
	}
}

// serverRequestAs signs req, then returns the server's view of it sent
// with target as its request-target.
func serverRequestAs(t *testing.T, req *http.Request, target string) *http.Request {
	t.Helper()
	wire := vWire(t, req)
	line, rest, _ := bytes.Cut(wire, []byte("\r\n"))
	method, _, _ := bytes.Cut(line, []byte(" "))
	_, query, _ := strings.Cut(string(line[len(method)+1:bytes.LastIndexByte(line, ' ')]), "?")
	if query != "" {
		target += "?" + query
	}
	return vServerRequest(t, append([]byte(fmt.Sprintf("%s %s HTTP/1.1\r\n", method, target)), rest...))
}

// TestVerifiedPath checks Verified.Path and RawPath: the path the
// signature covers, for each canonicalization.
func TestVerifiedPath(t *testing.T) {
	for _, c := range []struct {
		name, service     string
		normalize         sigv4.Toggle
		signed, wire      string
		wantPath, wantRaw string
	}{
		{"s3", "s3", sigv4.Default, "/photos/x/y", "/photos/x/y", "/photos/x/y", ""},
		{"s3 escaped slash", "s3", sigv4.Default, "/photos/x/y", "/photos%2Fx/y", "/photos/x/y", ""},
		{"s3 escaped letter", "s3", sigv4.Default, "/photos/x/y", "/ph%6Ftos/x%2fy", "/photos/x/y", ""},
		{"s3 space", "s3", sigv4.Default, "/b/a%20b", "/b/a%20b", "/b/a b", ""},
		{"s3 sub-delims", "s3", sigv4.Default, "/b/a!b*c", "/b/a!b*c", "/b/a!b*c", ""},
		{"s3 keys are not normalized", "s3", sigv4.Default, "/b/../k", "/b/../k", "/b/../k", ""},
		{"s3 double slash key", "s3", sigv4.Default, "/b//k", "/b//k", "/b//k", ""},
		{"s3 normalizing", "s3", sigv4.On, "/a/./b", "/a%2F.%2Fb", "/a/b", ""},
		{"normalized", "execute-api", sigv4.Default, "/public/report", "/admin/../public/report", "/public/report", ""},
		{"normalized double slash", "execute-api", sigv4.Default, "/public/report", "//public//report", "/public/report", ""},
		{"escaped slash is one segment", "execute-api", sigv4.Default, "/a%2Fb/c", "/a%2Fb/c", "/a/b/c", "/a%2Fb/c"},
		{"escaped slash normalized away", "execute-api", sigv4.Default, "/c", "/a%2Fb/../c", "/c", ""},
		{"escaped dots are not dots", "execute-api", sigv4.Default, "/a/%2E%2E/b", "/a/%2E%2E/b", "/a/../b", "/a/%2E%2E/b"},
		{"space", "execute-api", sigv4.Default, "/x%20y", "/x%20y", "/x y", ""},
		{"not normalizing", "execute-api", sigv4.Off, "/a/../b", "/a/../b", "/a/../b", ""},
		{"root", "execute-api", sigv4.Default, "/", "/", "/", ""},
	} {
		for _, presign := range []bool{false, true} {
			s := vSigner(t, c.service, vCreds, sigv4.Config{NormalizePath: c.normalize})
			v := vVerifier(t, c.service, sigv4.VerifierConfig{NormalizePath: c.normalize})
			r := serverRequestAs(t, signedFor(t, s, "GET", "http://example.com", c.signed, nil, presign), c.wire)
			vd, err := v.Verify(r)
			if err != nil {
				t.Errorf("%s presigned=%v: %v", c.name, presign, err)
				continue
			}
			if vd.Path != c.wantPath || vd.RawPath != c.wantRaw {
				t.Errorf("%s presigned=%v: Path %q RawPath %q, want %q %q", c.name, presign, vd.Path, vd.RawPath, c.wantPath, c.wantRaw)
			}
		}
	}
}

// FuzzVerifiedPath checks, for any request-target a server accepts, that
// the verified path is covered by the same signature as the wire path, is
// its own verified path, and reads the same to a router: for the S3
// family every '/' is a separator (no escaped one is left), for other
// services the escaped path is normalized.
func FuzzVerifiedPath(f *testing.F) {
	for _, s := range []string{"/admin/../public/report", "/photos%2Fx/y", "//a//b/", "/a%2F..%2Fb", "/%2E%2E/x", "/a/./b/.", "/", "/a%20b!c", "/%C3%A9", "*", "/a/b/..", "/x?y=1"} {
		f.Add(s)
	}
	type pair struct {
		svc string
		s   *sigv4.Signer
		v   *sigv4.Verifier
	}
	var pairs []pair
	for _, svc := range []string{"s3", "execute-api"} {
		pairs = append(pairs, pair{svc, vSigner(f, svc, vCreds, sigv4.Config{}), vVerifier(f, svc, sigv4.VerifierConfig{})})
	}
	f.Fuzz(func(t *testing.T, target string) {
		if len(target) > 1024 {
			return
		}
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader("GET " + target + " HTTP/1.1\r\nHost: example.com\r\n\r\n")))
		if err != nil || r.URL.Opaque != "" {
			return
		}
		for _, p := range pairs {
			u := *r.URL
			u.Scheme, u.Host = "http", "example.com"
			creq := &http.Request{Method: "GET", URL: &u, Host: "example.com", Header: http.Header{}}
			if err := p.s.Sign(context.Background(), creq, ""); err != nil {
				return // a query the signer refuses
			}
			sr := r.Clone(context.Background())
			for k, vv := range creq.Header {
				sr.Header[k] = vv
			}
			vd, err := p.v.Verify(sr)
			if err != nil {
				t.Fatalf("%s %q: signed and refused: %v", p.svc, target, err)
			}
			view := sr.Clone(context.Background())
			view.URL.Path, view.URL.RawPath = vd.Path, vd.RawPath
			vd2, err := p.v.Verify(view)
			if err != nil {
				t.Fatalf("%s %q: the verified path %q %q is refused: %v", p.svc, target, vd.Path, vd.RawPath, err)
			}
			if vd2.Path != vd.Path || vd2.RawPath != vd.RawPath {
				t.Fatalf("%s %q: verified path %q %q, then %q %q", p.svc, target, vd.Path, vd.RawPath, vd2.Path, vd2.RawPath)
			}
			esc := view.URL.EscapedPath()
			if p.svc == "s3" && (vd.RawPath != "" || strings.Contains(strings.ToUpper(esc), "%2F")) {
				t.Fatalf("s3 %q: the verified path %q has an escaped slash", target, esc)
			}
			if p.svc != "s3" && sigv4.NormalizePath(esc) != esc {
				t.Fatalf("%s %q: the verified path %q is not normalized", p.svc, target, esc)
			}
		}
	})
}
