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

var _ = sync.Mutex{}
