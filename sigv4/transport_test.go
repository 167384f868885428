package sigv4_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

const (
	trKeyID  = "AKIDTRANSPORT"
	trSecret = "transportSecret/EXAMPLEKEYwJalrXUtnFEMI"
)

// echo is what the transport test server answers: what it received and
// verified.
type echo struct {
	Proto         string
	Payload       string // X-Amz-Content-Sha256 as received, "" without
	Encoding      string // Content-Encoding on the wire
	ContentLength int64  // on the wire (the encoded length for aws-chunked; -1 unknown)
	TE            string // Transfer-Encoding on the wire
	BodySHA256    string // of the body the handler read (decoded)
	BodyLen       int
	AccessKeyID   string
}

// verifyingServer returns a handler that verifies every request with a
// Verifier for service and the secrets, reads the whole body (which the
// Verifier checks as it streams) and answers with an echo line. Refused
// requests get the Verifier's S3-style error; the number of requests that
// reached the handler is counted in *hits.
func verifyingServer(t testing.TB, service string, secrets sigv4.SecretLookup, now func() time.Time, hits *atomic.Int64) http.Handler {
	t.Helper()
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{
		Service: service, Regions: []string{"us-east-1"}, Secrets: secrets, Now: now,
		MaxBufferedBody: 64 << 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	verified := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits != nil {
			hits.Add(1)
		}
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil {
			sigv4.WriteError(w, r, err)
			return
		}
		who, _ := sigv4.VerifiedFromContext(r.Context())
		fmt.Fprintf(w, "%s|%s|%s|%s|%s|%s|%d|%s", r.Proto, r.Header.Get("X-Amz-Content-Sha256"), r.Header.Get("X-Test-Wire-Encoding"),
			r.Header.Get("X-Test-Wire-Length"), r.Header.Get("X-Test-Wire-TE"), hex.EncodeToString(h.Sum(nil)), n, who.AccessKeyID)
	}))
	// What came on the wire, before the Verifier decodes an aws-chunked
	// body; these headers are not signed, and the Verifier ignores them.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("X-Test-Wire-Encoding", r.Header.Get("Content-Encoding"))
		r.Header.Set("X-Test-Wire-Length", fmt.Sprint(r.ContentLength))
		r.Header.Set("X-Test-Wire-TE", strings.Join(r.TransferEncoding, ","))
		verified.ServeHTTP(w, r)
	})
}

func parseEcho(t testing.TB, resp *http.Response) echo {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	var e echo
	f := strings.Split(string(b), "|")
	if len(f) != 8 {
		t.Fatalf("bad echo %q", b)
	}
	e.Proto, e.Payload, e.Encoding, e.TE, e.BodySHA256, e.AccessKeyID = f[0], f[1], f[2], f[4], f[5], f[7]
	fmt.Sscan(f[3], &e.ContentLength)
	fmt.Sscan(f[6], &e.BodyLen)
	return e
}

func trSigner(t testing.TB, service string, p credentials.Provider, now func() time.Time) *sigv4.Signer {
	t.Helper()
	if p == nil {
		p = credentials.Static(trKeyID, trSecret, "")
	}
	s, err := sigv4.New(sigv4.Config{Service: service, Region: "us-east-1", Credentials: p, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var trSecrets = sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: trKeyID, SecretAccessKey: trSecret})

// closeRecorder is a request body that records its Close calls; seek
// makes it an io.Seeker over a bytes.Reader.
type closeRecorder struct {
	io.Reader
	closed atomic.Int32
}

func (c *closeRecorder) Close() error { c.closed.Add(1); return nil }

type seekCloseRecorder struct {
	*bytes.Reader
	closed atomic.Int32
}

func (c *seekCloseRecorder) Close() error { c.closed.Add(1); return nil }

type closeCounter interface{ count() int32 }

func (c *closeRecorder) count() int32     { return c.closed.Load() }
func (c *seekCloseRecorder) count() int32 { return c.closed.Load() }

// waitClosed waits for body to be closed: net/http may close a request
// body in its own goroutine after RoundTrip returns.
func waitClosed(t testing.TB, body closeCounter) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for body.count() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the request body was never closed")
		}
		time.Sleep(time.Millisecond)
	}
}

func payloadOf(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// bodyKind makes a request body of one kind over payload.
type bodyKind struct {
	name string
	// make returns the request and, for the kinds that record it, the
	// body whose Close is counted.
	make func(t *testing.T, method, url string, payload []byte) (*http.Request, closeCounter)
}

func newReq(t *testing.T, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

var bodyKinds = []bodyKind{
	{"nil", func(t *testing.T, m, u string, _ []byte) (*http.Request, closeCounter) {
		return newReq(t, m, u, nil), nil
	}},
	{"bytes.Reader", func(t *testing.T, m, u string, p []byte) (*http.Request, closeCounter) {
		return newReq(t, m, u, bytes.NewReader(p)), nil
	}},
	{"strings.Reader", func(t *testing.T, m, u string, p []byte) (*http.Request, closeCounter) {
		return newReq(t, m, u, strings.NewReader(string(p))), nil
	}},
	{"bytes.Buffer", func(t *testing.T, m, u string, p []byte) (*http.Request, closeCounter) {
		return newReq(t, m, u, bytes.NewBuffer(bytes.Clone(p))), nil
	}},
	{"os.File", func(t *testing.T, m, u string, p []byte) (*http.Request, closeCounter) {
		name := filepath.Join(t.TempDir(), "body")
		if err := os.WriteFile(name, p, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		req := newReq(t, m, u, nil)
		req.Body = f // ContentLength 0: unknown, measured by seeking
		return req, nil
	}},
	{"seeker", func(t *testing.T, m, u string, p []byte) (*http.Request, closeCounter) {
		b := &seekCloseRecorder{Reader: bytes.NewReader(p)}
		req := newReq(t, m, u, nil)
		req.Body, req.ContentLength = b, int64(len(p))
		return req, b
	}},
	{"GetBody", func(t *testing.T, m, u string, p []byte) (*http.Request, closeCounter) {
		b := &closeRecorder{Reader: io.MultiReader(bytes.NewReader(p[:len(p)/2]), bytes.NewReader(p[len(p)/2:]))}
		req := newReq(t, m, u, nil)
		req.Body, req.ContentLength = b, int64(len(p))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(p)), nil }
		return req, b
	}},
	{"read-once known length", func(t *testing.T, m, u string, p []byte) (*http.Request, closeCounter) {
		b := &closeRecorder{Reader: io.MultiReader(bytes.NewReader(p[:len(p)/2]), bytes.NewReader(p[len(p)/2:]))}
		req := newReq(t, m, u, nil)
		req.Body, req.ContentLength = b, int64(len(p))
		return req, b
	}},
	{"read-once unknown length", func(t *testing.T, m, u string, p []byte) (*http.Request, closeCounter) {
		b := &closeRecorder{Reader: io.MultiReader(bytes.NewReader(p[:len(p)/2]), bytes.NewReader(p[len(p)/2:]))}
		req := newReq(t, m, u, nil)
		req.Body, req.ContentLength = b, -1
		return req, b
	}},
}

// wantPayload is the payload line the server must receive for a body
// kind: "hash" for the body's SHA-256 (for the S3 family, sent in
// X-Amz-Content-Sha256; for others, not sent), or the literal.
func wantPayload(kind string, s3, https bool) string {
	switch {
	case kind == "nil":
		if s3 {
			return sigv4.EmptyPayloadHash
		}
		return ""
	case s3 && https:
		return sigv4.UnsignedPayload
	case s3 && kind == "read-once known length":
		return sigv4.StreamingPayload
	case s3:
		return "hash"
	}
	return ""
}

// snapshot is what a RoundTrip must leave as it was in the caller's
// request.
type snapshot struct {
	Method, Host, Proto       string
	URL                       urlSnap
	Header, Trailer           http.Header
	ContentLength             int64
	TransferEncoding          []string
	Close                     bool
	Body                      io.ReadCloser
	GetBody                   uintptr
	Ctx                       context.Context
	RequestURI, Pattern       string
	ProtoMajor, ProtoMinorSum int
}

type urlSnap struct {
	Scheme, Opaque, Host, Path, RawPath, RawQuery, Fragment string
	User                                                    string
	ForceQuery                                              bool
	Ptr                                                     uintptr
}

func snap(r *http.Request) snapshot {
	s := snapshot{Method: r.Method, Host: r.Host, Proto: r.Proto, Header: r.Header.Clone(), Trailer: r.Trailer.Clone(),
		ContentLength: r.ContentLength, TransferEncoding: append([]string(nil), r.TransferEncoding...), Close: r.Close,
		Body: r.Body, Ctx: r.Context(), RequestURI: r.RequestURI, Pattern: r.Pattern, ProtoMajor: r.ProtoMajor, ProtoMinorSum: r.ProtoMinor}
	if r.GetBody != nil {
		s.GetBody = reflect.ValueOf(r.GetBody).Pointer()
	}
	if u := r.URL; u != nil {
		s.URL = urlSnap{u.Scheme, u.Opaque, u.Host, u.Path, u.RawPath, u.RawQuery, u.Fragment, u.User.String(), u.ForceQuery, reflect.ValueOf(u).Pointer()}
	}
	return s
}

func checkUnchanged(t testing.TB, before snapshot, req *http.Request) {
	t.Helper()
	if after := snap(req); !reflect.DeepEqual(before, after) {
		t.Errorf("RoundTrip changed the caller's request:\nbefore %+v\nafter  %+v", before, after)
	}
}

// TestTransportBodies sends every body kind, to an S3-family and another
// service, over HTTP, HTTPS and HTTP/2, through a Transport to a server
// that verifies each request with the Verifier and hashes the body it
// reads: the server must get the exact body, signed with the expected
// payload line, and the caller's request must be unchanged.
func TestTransportBodies(t *testing.T) {
	payload := payloadOf(200 << 10) // several 64 KiB chunks when streamed
	for _, service := range []string{"s3", "es"} {
		for _, scheme := range []string{"http", "https", "h2"} {
			s3, https := service == "s3", scheme != "http"
			srv := httptest.NewUnstartedServer(verifyingServer(t, service, trSecrets, nil, nil))
			switch scheme {
			case "http":
				srv.Start()
			case "https":
				srv.StartTLS()
			case "h2":
				srv.EnableHTTP2 = true
				srv.StartTLS()
			}
			t.Cleanup(srv.Close)
			tr := &sigv4.Transport{Signer: trSigner(t, service, nil, nil), Base: srv.Client().Transport}
			client := &http.Client{Transport: tr}
			for _, k := range bodyKinds {
				t.Run(service+"/"+scheme+"/"+k.name, func(t *testing.T) {
					method := "PUT"
					if k.name == "nil" {
						method = "GET"
					}
					req, rec := k.make(t, method, srv.URL+"/bucket/some key", payload)
					before := snap(req)
					resp, err := client.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					e := parseEcho(t, resp)
					checkUnchanged(t, before, req)
					if rec != nil {
						waitClosed(t, rec)
					}
					want := payload
					if k.name == "nil" {
						want = nil
					}
					if e.BodySHA256 != sha(want) || e.BodyLen != len(want) {
						t.Errorf("server read %d bytes (sha256 %s), want %d", e.BodyLen, e.BodySHA256, len(want))
					}
					if e.AccessKeyID != trKeyID {
						t.Errorf("signed by %q", e.AccessKeyID)
					}
					wp := wantPayload(k.name, s3, https)
					if wp == "hash" {
						wp = sha(want)
					}
					if e.Payload != wp {
						t.Errorf("payload line %q, want %q", e.Payload, wp)
					}
					wantLen := int64(len(want))
					switch {
					case wp == sigv4.StreamingPayload:
						if e.Encoding != "aws-chunked" || e.ContentLength <= wantLen {
							t.Errorf("streamed with Content-Encoding %q and Content-Length %d", e.Encoding, e.ContentLength)
						}
					case wp == sigv4.UnsignedPayload && k.name == "read-once unknown length":
						if e.ContentLength != -1 {
							t.Errorf("Content-Length %d, want unknown (-1)", e.ContentLength)
						}
					case e.ContentLength != wantLen:
						t.Errorf("Content-Length %d, want %d", e.ContentLength, wantLen)
					}
					if wantProto := map[bool]string{true: "HTTP/2.0", false: "HTTP/1.1"}[scheme == "h2"]; e.Proto != wantProto {
						t.Errorf("proto %s, want %s", e.Proto, wantProto)
					}
				})
			}
		}
	}
}

// TestTransportClosesBodyOnError makes RoundTrip fail before Base is
// called, every way it can, and checks each error and that the caller's
// body was closed.
func TestTransportClosesBodyOnError(t *testing.T) {
	failing := credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) {
		return credentials.Credentials{}, errors.New("no credentials here")
	})
	big := payloadOf(2 << 20)
	cases := []struct {
		name    string
		tr      func(t *testing.T) *sigv4.Transport
		req     func(t *testing.T, body io.ReadCloser) *http.Request
		wantErr error
		wantMsg string
	}{
		{"no Signer", func(t *testing.T) *sigv4.Transport { return &sigv4.Transport{} },
			putReq("http://127.0.0.1:1/x", 10), sigv4.ErrInvalidConfig, "no Signer"},
		{"unknown Payload", func(t *testing.T) *sigv4.Transport {
			return &sigv4.Transport{Signer: trSigner(t, "es", nil, nil), Payload: 9}
		}, putReq("http://127.0.0.1:1/x", 10), sigv4.ErrInvalidConfig, "Payload"},
		{"too large to buffer", func(t *testing.T) *sigv4.Transport {
			return &sigv4.Transport{Signer: trSigner(t, "es", nil, nil)}
		}, putReq("http://127.0.0.1:1/x", int64(len(big))), sigv4.ErrBodyNotReplayable, "set GetBody, use a seekable body, or raise Transport.MaxBufferedBody"},
		{"unknown length, too large to buffer", func(t *testing.T) *sigv4.Transport {
			return &sigv4.Transport{Signer: trSigner(t, "s3", nil, nil)}
		}, putReq("http://127.0.0.1:1/x", -1), sigv4.ErrBodyNotReplayable, "unknown length"},
		{"buffering off", func(t *testing.T) *sigv4.Transport {
			return &sigv4.Transport{Signer: trSigner(t, "es", nil, nil), MaxBufferedBody: -1}
		}, putReq("http://127.0.0.1:1/x", 10), sigv4.ErrBodyNotReplayable, "MaxBufferedBody is negative"},
		{"body shorter than ContentLength", func(t *testing.T) *sigv4.Transport {
			return &sigv4.Transport{Signer: trSigner(t, "es", nil, nil)}
		}, putReq("http://127.0.0.1:1/x", 1000), sigv4.ErrInvalidRequest, "ContentLength=1000"},
		{"credentials fail", func(t *testing.T) *sigv4.Transport {
			return &sigv4.Transport{Signer: trSigner(t, "es", failing, nil)}
		}, putReq("http://127.0.0.1:1/x", 10), nil, "no credentials here"},
		{"credentials fail while streaming", func(t *testing.T) *sigv4.Transport {
			return &sigv4.Transport{Signer: trSigner(t, "s3", failing, nil)}
		}, putReq("http://127.0.0.1:1/x", 10), nil, "no credentials here"},
		{"bad chunk size", func(t *testing.T) *sigv4.Transport {
			return &sigv4.Transport{Signer: trSigner(t, "s3", nil, nil), Stream: sigv4.StreamOptions{ChunkSize: 5}}
		}, putReq("http://127.0.0.1:1/x", 10), sigv4.ErrInvalidRequest, "chunk size"},
		{"bad payload header", func(t *testing.T) *sigv4.Transport {
			return &sigv4.Transport{Signer: trSigner(t, "s3", nil, nil)}
		}, func(t *testing.T, body io.ReadCloser) *http.Request {
			req := putReq("http://127.0.0.1:1/x", 10)(t, body)
			req.Header.Set("X-Amz-Content-Sha256", "ABCDEF")
			return req
		}, sigv4.ErrInvalidPayloadHash, ""},
		{"unknown trailer checksum", func(t *testing.T) *sigv4.Transport {
			return &sigv4.Transport{Signer: trSigner(t, "s3", nil, nil)}
		}, func(t *testing.T, body io.ReadCloser) *http.Request {
			req := putReq("http://127.0.0.1:1/x", 10)(t, body)
			req.Header.Set("X-Amz-Content-Sha256", sigv4.StreamingPayloadTrailer)
			req.Header.Set("X-Amz-Trailer", "x-amz-checksum-md5")
			return req
		}, sigv4.ErrInvalidRequest, "x-amz-checksum-md5"},
		{"canceled context", func(t *testing.T) *sigv4.Transport {
			slow := credentials.ProviderFunc(func(ctx context.Context) (credentials.Credentials, error) {
				<-ctx.Done()
				return credentials.Credentials{}, ctx.Err()
			})
			return &sigv4.Transport{Signer: trSigner(t, "es", credentials.NewCache(slow, credentials.CacheOptions{}), nil)}
		}, func(t *testing.T, body io.ReadCloser) *http.Request {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return putReq("http://127.0.0.1:1/x", 10)(t, body).WithContext(ctx)
		}, context.Canceled, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := &closeRecorder{Reader: bytes.NewReader(big[:10])}
			req := c.req(t, body)
			if req.ContentLength > 1000 || req.ContentLength < 0 {
				body.Reader = bytes.NewReader(big)
			}
			before := snap(req)
			resp, err := c.tr(t).RoundTrip(req)
			if err == nil {
				resp.Body.Close()
				t.Fatal("RoundTrip succeeded")
			}
			if c.wantErr != nil && !errors.Is(err, c.wantErr) {
				t.Errorf("error %v, want %v", err, c.wantErr)
			}
			if !strings.Contains(err.Error(), c.wantMsg) || !strings.HasPrefix(err.Error(), "sigv4: ") && !strings.Contains(err.Error(), "sigv4: ") {
				t.Errorf("error %q, want it to say %q", err, c.wantMsg)
			}
			if n := body.count(); n != 1 {
				t.Errorf("body closed %d times, want 1", n)
			}
			checkUnchanged(t, before, req)
		})
	}
}

func putReq(url string, length int64) func(t *testing.T, body io.ReadCloser) *http.Request {
	return func(t *testing.T, body io.ReadCloser) *http.Request {
		req := newReq(t, "PUT", url, nil)
		req.Body, req.ContentLength = body, length
		return req
	}
}

// TestTransportBaseError checks that a request Base fails to send has its
// body closed (by Base, as RoundTripper requires) and the error returned.
func TestTransportBaseError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // nothing listens there now
	body := &closeRecorder{Reader: strings.NewReader("0123456789")}
	req := putReq(addr+"/x", 10)(t, body)
	tr := &sigv4.Transport{Signer: trSigner(t, "es", nil, nil), Base: &http.Transport{}}
	if resp, err := tr.RoundTrip(req); err == nil {
		resp.Body.Close()
		t.Fatal("RoundTrip to a closed port succeeded")
	}
	waitClosed(t, body)
}

func startServer(t testing.TB, h http.Handler, scheme string) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	switch scheme {
	case "http":
		srv.Start()
	case "https":
		srv.StartTLS()
	case "h2":
		srv.EnableHTTP2 = true
		srv.StartTLS()
	}
	t.Cleanup(srv.Close)
	return srv
}

// TestTransportPayloadChoices covers the payload lines a request names in
// X-Amz-Content-Sha256, the PayloadSigned and PayloadUnsigned modes,
// Stream's checksum trailer, an *os.File that cannot seek (a pipe) and one
// read from an offset: each request is verified by the server, which reads
// exactly the payload.
func TestTransportPayloadChoices(t *testing.T) {
	payload := payloadOf(100 << 10)
	type req = func(t *testing.T, url string) *http.Request
	readOnce := func(method string, p []byte) req {
		return func(t *testing.T, url string) *http.Request {
			r := newReq(t, method, url, nil)
			r.Body, r.ContentLength = io.NopCloser(io.MultiReader(bytes.NewReader(p))), int64(len(p))
			return r
		}
	}
	named := func(r req, kv ...string) req {
		return func(t *testing.T, url string) *http.Request {
			q := r(t, url)
			for i := 0; i < len(kv); i += 2 {
				q.Header.Set(kv[i], kv[i+1])
			}
			return q
		}
	}
	replayable := func(t *testing.T, url string) *http.Request { return newReq(t, "PUT", url, bytes.NewReader(payload)) }
	pipe := func(length int64) req {
		return func(t *testing.T, url string) *http.Request {
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			go func() { pw.Write(payload); pw.Close() }()
			t.Cleanup(func() { pr.Close() })
			r := newReq(t, "PUT", url, nil)
			r.Body, r.ContentLength = pr, length
			return r
		}
	}
	fromOffset := func(t *testing.T, url string) *http.Request {
		name := filepath.Join(t.TempDir(), "body")
		if err := os.WriteFile(name, append(payloadOf(1000), payload...), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		if _, err := f.Seek(1000, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		r := newReq(t, "PUT", url, nil)
		r.Body = f
		return r
	}
	preEncoded := func(t *testing.T, url string) *http.Request {
		// An unsigned-trailer body does not depend on the signature: a
		// client (or a proxy) can hold it encoded already.
		pre := newReq(t, "PUT", url, bytes.NewReader(payload))
		if err := trSigner(t, "s3", nil, nil).SignStreaming(context.Background(), pre, sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumCRC32C}); err != nil {
			t.Fatal(err)
		}
		enc, err := io.ReadAll(pre.Body)
		if err != nil {
			t.Fatal(err)
		}
		r := newReq(t, "PUT", url, bytes.NewReader(enc))
		for _, k := range []string{"Content-Encoding", "X-Amz-Decoded-Content-Length", "X-Amz-Trailer", "X-Amz-Content-Sha256"} {
			r.Header.Set(k, pre.Header.Get(k))
		}
		return r
	}
	cases := []struct {
		name, service, scheme string
		tr                    sigv4.Transport
		req                   req
		wantPayload           string // "hash": the payload's SHA-256
		wantEncoding          string
		wantLength            int64 // on the wire; 0: the payload's, 1: longer (aws-chunked)
	}{
		{"named hash, read-once body sent as is", "s3", "http", sigv4.Transport{},
			named(readOnce("PUT", payload), "X-Amz-Content-Sha256", sha(payload)), "hash", "", 0},
		{"named hash, other service", "es", "http", sigv4.Transport{},
			named(readOnce("PUT", payload), "X-Amz-Content-Sha256", sha(payload)), "hash", "", 0},
		{"named UNSIGNED-PAYLOAD over HTTP", "s3", "http", sigv4.Transport{},
			named(readOnce("PUT", payload), "X-Amz-Content-Sha256", sigv4.UnsignedPayload), sigv4.UnsignedPayload, "", 0},
		{"named signed streaming over HTTPS", "s3", "https", sigv4.Transport{},
			named(readOnce("PUT", payload), "X-Amz-Content-Sha256", sigv4.StreamingPayload), sigv4.StreamingPayload, "aws-chunked", 1},
		{"named signed trailer with its checksum", "s3", "h2", sigv4.Transport{},
			named(readOnce("PUT", payload), "X-Amz-Content-Sha256", sigv4.StreamingPayloadTrailer, "X-Amz-Trailer", "x-amz-checksum-crc64nvme"),
			sigv4.StreamingPayloadTrailer, "aws-chunked", 1},
		{"named signed streaming, other service", "es", "http", sigv4.Transport{},
			named(replayable, "X-Amz-Content-Sha256", sigv4.StreamingPayload), sigv4.StreamingPayload, "aws-chunked", 1},
		{"named unsigned trailer, encoded body sent as is", "s3", "https", sigv4.Transport{},
			preEncoded, sigv4.StreamingUnsignedPayloadTrailer, "aws-chunked", 1},
		{"PayloadSigned: replayable hashed over HTTPS", "s3", "https", sigv4.Transport{Payload: sigv4.PayloadSigned},
			replayable, "hash", "", 0},
		{"PayloadSigned: read-once streamed over HTTPS", "s3", "h2", sigv4.Transport{Payload: sigv4.PayloadSigned},
			readOnce("PUT", payload), sigv4.StreamingPayload, "aws-chunked", 1},
		{"PayloadUnsigned over HTTP", "s3", "http", sigv4.Transport{Payload: sigv4.PayloadUnsigned},
			replayable, sigv4.UnsignedPayload, "", 0},
		{"PayloadUnsigned, other service, header sent", "es", "http", sigv4.Transport{Payload: sigv4.PayloadUnsigned},
			readOnce("POST", payload), sigv4.UnsignedPayload, "", 0},
		{"Stream checksum: signed trailer", "s3", "http", sigv4.Transport{Stream: sigv4.StreamOptions{Checksum: sigv4.ChecksumSHA256, ChunkSize: sigv4.MinChunkSize}},
			readOnce("PUT", payload), sigv4.StreamingPayloadTrailer, "aws-chunked", 1},
		{"pipe *os.File, known length: streamed", "s3", "http", sigv4.Transport{},
			pipe(int64(len(payload))), sigv4.StreamingPayload, "aws-chunked", 1},
		{"pipe *os.File, unknown length: buffered", "es", "https", sigv4.Transport{},
			pipe(0), "", "", 0},
		{"*os.File from an offset: measured and hashed", "s3", "http", sigv4.Transport{},
			fromOffset, "hash", "", 0},
		{"*os.File from an offset, other service", "es", "h2", sigv4.Transport{},
			fromOffset, "", "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := startServer(t, verifyingServer(t, c.service, trSecrets, nil, nil), c.scheme)
			tr := c.tr
			tr.Signer, tr.Base = trSigner(t, c.service, nil, nil), srv.Client().Transport
			req := c.req(t, srv.URL+"/bucket/key")
			before := snap(req)
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			e := parseEcho(t, resp)
			checkUnchanged(t, before, req)
			if e.BodySHA256 != sha(payload) {
				t.Errorf("server read %d bytes, not the payload", e.BodyLen)
			}
			want := c.wantPayload
			if want == "hash" {
				want = sha(payload)
			}
			if e.Payload != want || e.Encoding != c.wantEncoding {
				t.Errorf("payload line %q with Content-Encoding %q, want %q with %q", e.Payload, e.Encoding, want, c.wantEncoding)
			}
			switch {
			case c.wantLength == 1 && e.ContentLength <= int64(len(payload)):
				t.Errorf("aws-chunked Content-Length %d, want more than %d", e.ContentLength, len(payload))
			case c.wantLength == 0 && e.ContentLength != int64(len(payload)):
				t.Errorf("Content-Length %d, want %d", e.ContentLength, len(payload))
			}
		})
	}
}

// TestTransportRotatesCredentials signs through a credentials.Cache whose
// provider hands out keys that expire every hour, against a server that
// knows only the current key: each hour's requests must be signed with
// that hour's key, fetched once.
func TestTransportRotatesCredentials(t *testing.T) {
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var clock atomic.Int64
	clock.Store(start.Unix())
	now := func() time.Time { return time.Unix(clock.Load(), 0).UTC() }
	gen := func() int { return int(now().Sub(start) / time.Hour) }
	keys := make([]credentials.Credentials, 3)
	for i := range keys {
		keys[i] = credentials.Credentials{
			AccessKeyID:     fmt.Sprintf("ASIAROTATE%d", i),
			SecretAccessKey: fmt.Sprintf("rotatingSecret%d/EXAMPLE", i),
			SessionToken:    fmt.Sprintf("token%d", i),
			Expires:         start.Add(time.Duration(i+1) * time.Hour),
			Source:          "rotating",
		}
	}
	var fetches atomic.Int32
	provider := credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) {
		fetches.Add(1)
		return keys[gen()], nil
	})
	cache := credentials.NewCache(provider, credentials.CacheOptions{Now: now})
	current := sigv4.SecretLookupFunc(func(_ context.Context, id string) (credentials.Credentials, error) {
		if k := keys[gen()]; id == k.AccessKeyID {
			return k, nil
		}
		return credentials.Credentials{}, sigv4.ErrUnknownAccessKey
	})
	srv := startServer(t, verifyingServer(t, "execute-api", current, now, nil), "h2")
	client := &http.Client{Transport: &sigv4.Transport{Signer: trSigner(t, "execute-api", cache, now), Base: srv.Client().Transport}}
	for g := range keys {
		clock.Store(start.Add(time.Duration(g)*time.Hour + 10*time.Minute).Unix())
		for range 3 {
			resp, err := client.Post(srv.URL+"/prod/items", "application/json", strings.NewReader(`{"n":1}`))
			if err != nil {
				t.Fatal(err)
			}
			if e := parseEcho(t, resp); e.AccessKeyID != keys[g].AccessKeyID {
				t.Errorf("hour %d: signed with %s, want %s", g, e.AccessKeyID, keys[g].AccessKeyID)
			}
		}
	}
	if n := fetches.Load(); n != int32(len(keys)) {
		t.Errorf("provider called %d times, want once per key (%d)", n, len(keys))
	}
}

// TestTransportConcurrentTemplate sends one request value from many
// goroutines at once, as a program that reuses a request template does:
// under -race, any write to it by RoundTrip is a reported race, and the
// request must equal its snapshot afterwards.
func TestTransportConcurrentTemplate(t *testing.T) {
	var hits atomic.Int64
	srv := startServer(t, verifyingServer(t, "s3", trSecrets, nil, &hits), "http")
	tr := &sigv4.Transport{Signer: trSigner(t, "s3", nil, nil), Base: srv.Client().Transport}
	req := newReq(t, "GET", srv.URL+"/bucket/photos/a%2Fb%20c.jpg?list-type=2&prefix=a+b", nil)
	req.Header.Set("X-Amz-Meta-Owner", "template")
	req.Header["x-amz-date"] = []string{"stale, in a non-canonical key"}
	before := snap(req)
	const workers, each = 8, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				resp, err := tr.RoundTrip(req)
				if err != nil {
					errs <- err
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- fmt.Errorf("status %d: %s", resp.StatusCode, b)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	checkUnchanged(t, before, req)
	if n := hits.Load(); n != workers*each {
		t.Errorf("%d requests verified, want %d", n, workers*each)
	}
}

// TestTransportRedirect follows a 307 from one verifying server to
// another with an http.Client: the request to the second is signed anew
// for its host, with its body from GetBody. A read-once body cannot be
// sent again, and the client hands back the 307.
func TestTransportRedirect(t *testing.T) {
	var hitsB atomic.Int64
	b := startServer(t, verifyingServer(t, "es", trSecrets, nil, &hitsB), "http")
	v, _ := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "es", Regions: []string{"us-east-1"}, Secrets: trSecrets})
	a := startServer(t, v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		http.Redirect(w, r, b.URL+r.URL.Path, http.StatusTemporaryRedirect)
	})), "http")
	client := &http.Client{Transport: &sigv4.Transport{Signer: trSigner(t, "es", nil, nil)}}
	body := `{"query":{"match_all":{}}}`

	req := newReq(t, "POST", a.URL+"/logs/_search", strings.NewReader(body))
	before := snap(req)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if e := parseEcho(t, resp); e.BodySHA256 != sha([]byte(body)) {
		t.Errorf("second server read %d bytes, not the body", e.BodyLen)
	}
	checkUnchanged(t, before, req)

	req = newReq(t, "POST", a.URL+"/logs/_search", nil)
	req.Body, req.ContentLength = io.NopCloser(io.MultiReader(strings.NewReader(body))), int64(len(body))
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect {
		t.Errorf("read-once body: status %d, want the 307 back", resp.StatusCode)
	}
	if n := hitsB.Load(); n != 1 {
		t.Errorf("second server verified %d requests, want 1", n)
	}
}

// TestTransportString checks that a Transport prints its settings and
// its signer's, and nothing of its credentials (TestRedactionTable prints
// it every other way).
func TestTransportString(t *testing.T) {
	tr := &sigv4.Transport{Signer: trSigner(t, "es", nil, nil), Payload: sigv4.PayloadSigned, MaxBufferedBody: 4096}
	got := fmt.Sprintf("%v", tr)
	for _, want := range []string{"sigv4.Transport{", "Service: es", "Region: us-east-1", "Payload: signed", "MaxBufferedBody: 4096"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks %q", got, want)
		}
	}
	if strings.Contains(got, trSecret) {
		t.Errorf("%s shows the secret", got)
	}
	for m, want := range map[sigv4.PayloadMode]string{sigv4.PayloadAuto: "auto", sigv4.PayloadSigned: "signed", sigv4.PayloadUnsigned: "unsigned", 7: "PayloadMode(7)"} {
		if m.String() != want {
			t.Errorf("PayloadMode %d prints %q, want %q", m, m.String(), want)
		}
	}
}

// BenchmarkTransportGet sends a small GET to a 127.0.0.1 server over a
// kept-alive connection, through a plain http.Transport ("plain") and
// through a sigv4.Transport over the same one ("signed"): the difference
// is what signing costs a request, the longer headers on the wire
// included (the server does not verify, so both get the same answer for
// the same work). On a shared machine the two runs see different noise:
// "interleaved" alternates batches of each and reports both per-request
// times and their difference (overhead-µs/req).
func BenchmarkTransportGet(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	plain := srv.Client().Transport
	signer := trSigner(b, "s3", credentials.NewCache(credentials.Static(trKeyID, trSecret, ""), credentials.CacheOptions{}), nil)
	signed := &sigv4.Transport{Signer: signer, Base: plain}
	get := func(b *testing.B, client *http.Client, req *http.Request) {
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.Status)
		}
	}
	for _, c := range []struct {
		name string
		rt   http.RoundTripper
	}{
		{"plain", plain},
		{"signed", signed},
	} {
		b.Run(c.name, func(b *testing.B) {
			client := &http.Client{Transport: c.rt}
			req := newReqB(b, "GET", srv.URL+"/bucket/photos/cat.jpg")
			b.ReportAllocs()
			for b.Loop() {
				get(b, client, req)
			}
		})
	}
	b.Run("interleaved", func(b *testing.B) {
		clients := [2]*http.Client{{Transport: plain}, {Transport: signed}}
		req := newReqB(b, "GET", srv.URL+"/bucket/photos/cat.jpg")
		const batch = 50
		var spent [2]time.Duration
		var n [2]int
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			// b.N pairs, in batches of one kind at a time.
			k := i / batch % 2
			start := time.Now()
			get(b, clients[k], req)
			get(b, clients[k], req)
			spent[k] += time.Since(start)
			n[k] += 2
		}
		if n[0] > 0 && n[1] > 0 {
			p := spent[0].Seconds() * 1e6 / float64(n[0])
			s := spent[1].Seconds() * 1e6 / float64(n[1])
			b.ReportMetric(p, "plain-µs/req")
			b.ReportMetric(s, "signed-µs/req")
			b.ReportMetric(s-p, "overhead-µs/req")
		}
	})
}

// BenchmarkTransportPut sends a 4 KiB JSON body with GetBody to a
// service outside the S3 family (hashed before sending), plain and
// signed, as BenchmarkTransportGet does.
func BenchmarkTransportPut(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	plain := srv.Client().Transport
	body := payloadOf(4 << 10)
	for _, c := range []struct {
		name string
		rt   http.RoundTripper
	}{
		{"plain", plain},
		{"signed", &sigv4.Transport{Signer: trSigner(b, "es", nil, nil), Base: plain}},
	} {
		b.Run(c.name, func(b *testing.B) {
			client := &http.Client{Transport: c.rt}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				req, _ := http.NewRequest("PUT", srv.URL+"/index/_doc/1", bytes.NewReader(body))
				resp, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}

func newReqB(b *testing.B, method, url string) *http.Request {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	return req
}
