package streamclients

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	kitcreds "github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/examples/objectserver/objectstore"
	"github.com/sigv4kit/sigv4kit/policy"
	"github.com/sigv4kit/sigv4kit/sigv4"
	"github.com/sigv4kit/sigv4kit/sigv4a"
)

// The server's one bucket and key pair.
const (
	bucket    = "bkt"
	region    = "us-east-1"
	accessKey = "AKIDSTREAMCLIENTS"
	secretKey = "stream/clients/secret"
)

// upload is what one upload request (PUT object or part) brought, as the
// Verifier reported it.
type upload struct {
	key        string
	partNumber int // 0 for a PUT object
	status     int
	code       string // the S3 error code of a refusal

	// On the wire, before the Verifier.
	contentEncoding string
	chunkedTE       bool // Transfer-Encoding: chunked (no Content-Length)

	// From sigv4.Verified, once the body has been read.
	verified    bool
	stream      sigv4.StreamMode
	payloadHash string
	checksum    sigv4.Checksum // zero Algorithm: none
	decoded     int64
}

// noteVerified records what the Verifier found in the upload's body, read
// to its end by then.
func (u *upload) noteVerified(vd *sigv4.Verified) {
	u.verified, u.stream, u.payloadHash, u.decoded = true, vd.Stream, vd.PayloadHash, vd.DecodedContentLength
	if vd.Checksum != nil {
		u.checksum = *vd.Checksum
	}
}

// uploadLog records every upload (PUT) request a server answers.
type uploadLog struct {
	mu      sync.Mutex
	uploads []upload
}

type uploadKey struct{}

// record wraps a server's handler (the Verifier and the S3 operations
// behind it): it notes each PUT as it came on the wire and as it was
// answered, and puts its *upload in the request's context for the handler
// to fill in from sigv4.Verified.
func (l *uploadLog) record(inner http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut {
			inner.ServeHTTP(w, r)
			return
		}
		u := &upload{
			contentEncoding: r.Header.Get("Content-Encoding"),
			chunkedTE:       slices.Contains(r.TransferEncoding, "chunked"),
		}
		u.key, _ = objectKey(r)
		u.partNumber, _ = strconv.Atoi(r.URL.Query().Get("partNumber"))
		rw := &recorder{ResponseWriter: w}
		inner.ServeHTTP(rw, r.WithContext(context.WithValue(r.Context(), uploadKey{}, u)))
		u.status = rw.status
		if u.status == 0 {
			u.status = http.StatusOK
		}
		if rw.status >= 300 {
			u.code = errorCode(rw.body.Bytes())
		}
		l.mu.Lock()
		l.uploads = append(l.uploads, *u)
		l.mu.Unlock()
	})
}

// uploadsOf returns the uploads of key, in order.
func (l *uploadLog) uploadsOf(key string) []upload {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []upload
	for _, u := range l.uploads {
		if u.key == key {
			out = append(out, u)
		}
	}
	return out
}

// backend is the S3 server under test: the log of its uploads and the
// objects it stored.
type backend interface {
	uploadsOf(key string) []upload
	object(key string) ([]byte, bool)
}

// store is an in-memory S3 bucket behind sigv4.Verifier.Middleware that
// records every upload.
type store struct {
	uploadLog
	mu      sync.Mutex
	objects map[string][]byte
	parts   map[string]map[int][]byte // upload ID → parts
	nextID  int
}

// handler returns the store's handler: wire recording, the Verifier, then
// the store.
func (s *store) handler(t *testing.T) http.Handler {
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "s3", Regions: []string{region},
		Secrets: sigv4.StaticSecrets(kitcreds.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey})})
	if err != nil {
		t.Fatal(err)
	}
	return s.record(v.Middleware(http.HandlerFunc(s.serve)))
}

// objectServer is examples/objectserver's handler (objectstore.Server) on
// its memory backend, with the verifiers objectserver's main builds: SigV4
// and SigV4a for region, and POST policies. Its Log hook receives the
// request as the PUT operation saw it, and records the sigv4.Verified in
// its context.
type objectServer struct {
	uploadLog
	mem *objectstore.Memory
}

func (o *objectServer) handler(t *testing.T) http.Handler {
	secrets := sigv4.StaticSecrets(kitcreds.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey})
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{
		Service:    "s3",
		Regions:    []string{region},
		Secrets:    secrets,
		Algorithms: []sigv4.SignatureAlgorithm{sigv4a.Algorithm()},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := &objectstore.Server{
		Backend:    o.mem,
		Verifier:   v,
		PostPolicy: &policy.Verifier{Lookup: secrets.LookupSecret, Region: region},
		Log: func(r *http.Request, status int, code string) {
			u, ok := r.Context().Value(uploadKey{}).(*upload)
			if vd, verified := sigv4.VerifiedFromContext(r.Context()); ok && verified {
				u.noteVerified(vd)
			}
		},
	}
	return o.record(srv.Handler())
}

// object returns the stored object.
func (o *objectServer) object(key string) ([]byte, bool) {
	c, _, err := o.mem.Get(bucket, key)
	if err != nil {
		return nil, false
	}
	defer c.Close()
	b, err := io.ReadAll(c)
	return b, err == nil
}

// recorder keeps the status and the start of the body of a response.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.body.Len() < 4096 {
		r.body.Write(b)
	}
	return r.ResponseWriter.Write(b)
}

func errorCode(body []byte) string {
	var e struct {
		Code string `xml:"Code"`
	}
	xml.Unmarshal(body, &e)
	return e.Code
}

// objectKey returns the key of a path-style (/bkt/key) or virtual-hosted
// (bkt.example.com/key) request, and whether it names the bucket.
func objectKey(r *http.Request) (string, bool) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	p := strings.TrimPrefix(r.URL.Path, "/")
	if host != bucket+".example.com" {
		b, rest, _ := strings.Cut(p, "/")
		if b != bucket {
			return "", false
		}
		p = rest
	}
	return p, true
}

func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>", code, msg)
}

func (s *store) serve(w http.ResponseWriter, r *http.Request) {
	key, ok := objectKey(r)
	if !ok {
		s3Error(w, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	q := r.URL.Query()
	switch {
	case key == "" && (r.Method == http.MethodHead || r.Method == http.MethodGet && q.Has("location")):
		w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>`))
	case key == "":
		s3Error(w, http.StatusNotImplemented, "NotImplemented", "bucket operations are not implemented")
	case r.Method == http.MethodPut && q.Has("uploadId"):
		s.put(w, r, q.Get("uploadId"), q.Get("partNumber"))
	case r.Method == http.MethodPut:
		s.put(w, r, "", "")
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		s.mu.Lock()
		b, ok := s.objects[key]
		s.mu.Unlock()
		if !ok {
			s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Header().Set("ETag", etag(b))
		w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(b)
	case r.Method == http.MethodPost && q.Has("uploads"):
		s.mu.Lock()
		s.nextID++
		id := fmt.Sprintf("upload-%d", s.nextID)
		s.parts[id] = map[int][]byte{}
		s.mu.Unlock()
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult><Bucket>%s</Bucket><Key>%s</Key><UploadId>%s</UploadId></InitiateMultipartUploadResult>`, bucket, key, id)
	case r.Method == http.MethodPost && q.Has("uploadId"):
		s.complete(w, r, key, q.Get("uploadId"))
	case r.Method == http.MethodDelete && q.Has("uploadId"):
		s.mu.Lock()
		delete(s.parts, q.Get("uploadId"))
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodDelete:
		s.mu.Lock()
		delete(s.objects, key)
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		s3Error(w, http.StatusNotImplemented, "NotImplemented", r.Method+" is not implemented")
	}
}

func etag(b []byte) string {
	sum := md5.Sum(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// put stores an object or a part, only once its body has been read to the
// end without error (the Verifier's decoding and checks).
func (s *store) put(w http.ResponseWriter, r *http.Request, uploadID, partNumber string) {
	body, err := io.ReadAll(r.Body)
	vd, _ := sigv4.VerifiedFromContext(r.Context())
	if u, ok := r.Context().Value(uploadKey{}).(*upload); ok && vd != nil {
		u.noteVerified(vd)
	}
	if err != nil {
		sigv4.WriteError(w, r, err)
		return
	}
	if md := r.Header.Get("Content-Md5"); md != "" {
		sum := md5.Sum(body)
		if md != base64.StdEncoding.EncodeToString(sum[:]) {
			s3Error(w, http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
			return
		}
	}
	key, _ := objectKey(r)
	s.mu.Lock()
	if uploadID != "" {
		n, err := strconv.Atoi(partNumber)
		parts, ok := s.parts[uploadID]
		if err != nil || !ok {
			s.mu.Unlock()
			s3Error(w, http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist.")
			return
		}
		parts[n] = body
	} else {
		s.objects[key] = body
	}
	s.mu.Unlock()
	if vd != nil && vd.Checksum != nil {
		w.Header().Set(vd.Checksum.Algorithm.HeaderName(), vd.Checksum.Value)
	}
	w.Header().Set("ETag", etag(body))
}

// complete assembles a multipart upload from the parts its body lists.
func (s *store) complete(w http.ResponseWriter, r *http.Request, key, uploadID string) {
	var req struct {
		Parts []struct {
			PartNumber int `xml:"PartNumber"`
		} `xml:"Part"`
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		sigv4.WriteError(w, r, err)
		return
	}
	if err := xml.Unmarshal(body, &req); err != nil || len(req.Parts) == 0 {
		s3Error(w, http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	parts, ok := s.parts[uploadID]
	if !ok {
		s3Error(w, http.StatusNotFound, "NoSuchUpload", "The specified upload does not exist.")
		return
	}
	var obj []byte
	for _, p := range req.Parts {
		b, ok := parts[p.PartNumber]
		if !ok {
			s3Error(w, http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found.")
			return
		}
		obj = append(obj, b...)
	}
	s.objects[key] = obj
	delete(s.parts, uploadID)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult><Bucket>%s</Bucket><Key>%s</Key><ETag>%s</ETag></CompleteMultipartUploadResult>`, bucket, key, etag(obj))
}

// object returns the stored object.
func (s *store) object(key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.objects[key]
	return b, ok
}

// servers are one backend behind a plain HTTP and a TLS server on
// 127.0.0.1.
type servers struct {
	store      backend
	plain, tls *httptest.Server
	// objectServer: the backend is objectserver's handler, which answers
	// path-style requests only and has no multipart uploads; the cases
	// that need either run on the in-memory store alone.
	objectServer bool
}

// forEachBackend runs test once on each backend, each in a subtest of its
// own with fresh servers: "store", the in-memory store above, and
// "objectserver", examples/objectserver's handler. objectserver -tls
// serves that same handler with a self-signed certificate; here
// httptest.NewTLSServer's certificate stands in for it.
func forEachBackend(t *testing.T, test func(t *testing.T, s *servers)) {
	t.Run("store", func(t *testing.T) {
		st := &store{objects: map[string][]byte{}, parts: map[string]map[int][]byte{}}
		test(t, newServers(t, st, st.handler(t), false))
	})
	t.Run("objectserver", func(t *testing.T) {
		o := &objectServer{mem: objectstore.NewMemory(bucket)}
		test(t, newServers(t, o, o.handler(t), true))
	})
}

func newServers(t *testing.T, b backend, h http.Handler, objectServer bool) *servers {
	t.Helper()
	s := &servers{store: b, plain: httptest.NewServer(h), tls: httptest.NewTLSServer(h), objectServer: objectServer}
	t.Cleanup(s.plain.Close)
	t.Cleanup(s.tls.Close)
	return s
}

// lacks reports whether the backend cannot serve a case: objectserver
// serves neither virtual-hosted requests nor multipart uploads.
func (s *servers) lacks(virtualHost, multipart bool) bool {
	return s.objectServer && (virtualHost || multipart)
}

// url returns the endpoint of the plain or the TLS server.
func (s *servers) url(secure bool) string {
	if secure {
		return s.tls.URL
	}
	return s.plain.URL
}

// transport returns an HTTP transport for the plain or the TLS server
// (which trusts its certificate). With virtualHost, it dials the server
// for any host name, so that bkt.example.com reaches it (the test
// certificate covers *.example.com).
func (s *servers) transport(secure, virtualHost bool) *http.Transport {
	var tr *http.Transport
	if secure {
		tr = s.tls.Client().Transport.(*http.Transport).Clone()
	} else {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	if virtualHost {
		addr := s.plain.Listener.Addr().String()
		if secure {
			addr = s.tls.Listener.Addr().String()
		}
		var d net.Dialer
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		}
	}
	return tr
}

// want is the mode and checksum an upload must arrive with.
type want struct {
	stream sigv4.StreamMode
	// payload, for a body that is not aws-chunked: UNSIGNED-PAYLOAD, or
	// "sha256" for the body's hex SHA-256.
	payload  string
	checksum sigv4.ChecksumAlgorithm // "" for none
	trailer  bool                    // the checksum comes in the trailer
	// chunkedTE: sent with Transfer-Encoding: chunked, no Content-Length.
	chunkedTE bool
}

// uploadSizes are the body sizes each upload case tries unless it names its
// own: one byte, just over one 64 KiB chunk, and over a mebibyte.
var uploadSizes = []int{1, 64<<10 + 1, 1<<20 + 3}

// signedTrailer is an aws-chunked body with signed chunks and a signed
// trailer carrying an alg checksum.
func signedTrailer(alg sigv4.ChecksumAlgorithm) want {
	return want{stream: sigv4.StreamSignedTrailer, checksum: alg, trailer: true}
}

// unsignedTrailer is an aws-chunked body with unsigned chunks and a
// trailer carrying an alg checksum.
func unsignedTrailer(alg sigv4.ChecksumAlgorithm) want {
	return want{stream: sigv4.StreamUnsignedTrailer, checksum: alg, trailer: true}
}

func (w want) String() string {
	var b strings.Builder
	if w.stream != 0 {
		b.WriteString(w.stream.String())
	} else {
		b.WriteString("plain body, " + w.payload)
	}
	switch {
	case w.checksum == "":
		b.WriteString(", no checksum")
	case w.trailer:
		b.WriteString(", " + string(w.checksum) + " trailer")
	default:
		b.WriteString(", " + string(w.checksum) + " header")
	}
	if w.chunkedTE {
		b.WriteString(", Transfer-Encoding: chunked")
	}
	return b.String()
}

// check asserts that every upload of key (one, or the parts of a multipart
// upload) arrived as w and was accepted, and that the object stored is
// data.
func (s *servers) check(t *testing.T, key string, data []byte, w want) {
	t.Helper()
	ups := s.store.uploadsOf(key)
	if len(ups) == 0 {
		t.Fatalf("%s: no upload reached the server", key)
	}
	var parts int
	for _, u := range ups {
		what := "PUT"
		if u.partNumber > 0 {
			what = fmt.Sprintf("part %d", u.partNumber)
			parts++
		}
		if u.status != http.StatusOK {
			t.Errorf("%s: %s refused: %d %s", key, what, u.status, u.code)
			continue
		}
		if !u.verified {
			t.Errorf("%s: %s: no Verified in the handler", key, what)
			continue
		}
		got := want{stream: u.stream, checksum: u.checksum.Algorithm, trailer: u.checksum.Trailer, chunkedTE: u.chunkedTE}
		if u.stream == 0 {
			got.payload = u.payloadHash
			if len(u.payloadHash) == 64 {
				got.payload = "sha256"
			}
		}
		if got != w {
			t.Errorf("%s: %s arrived as %v, want %v", key, what, got, w)
		}
		if u.checksum.Algorithm != "" && !u.checksum.Verified {
			t.Errorf("%s: %s: checksum %s not verified", key, what, u.checksum.Algorithm)
		}
		if (u.stream != 0) != (u.contentEncoding != "" && strings.Contains(u.contentEncoding, "aws-chunked")) {
			t.Errorf("%s: %s: stream %v with Content-Encoding %q", key, what, u.stream, u.contentEncoding)
		}
	}
	if len(ups) > 1 && parts != len(ups) {
		t.Errorf("%s: %d uploads, %d of them parts", key, len(ups), parts)
	}
	got, ok := s.store.object(key)
	if !ok {
		t.Fatalf("%s: not stored", key)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("%s: stored %d bytes that differ from the %d sent", key, len(got), len(data))
	}
}

// get reads key back over HTTP(S) with a sigv4kit-signed GET and compares
// it with data, byte for byte.
func (s *servers) get(t *testing.T, secure bool, key string, data []byte) {
	t.Helper()
	sg, err := sigv4.New(sigv4.Config{Service: "s3", Region: region, Credentials: kitcreds.Static(accessKey, secretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("GET", s.url(secure)+"/"+bucket+"/"+key, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sg.Sign(context.Background(), req, sigv4.EmptyPayloadHash); err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: s.transport(secure, false)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || !bytes.Equal(b, data) {
		t.Fatalf("GET %s: %d, %d bytes (err %v), equal to the %d sent: %v", key, resp.StatusCode, len(b), err, len(data), bytes.Equal(b, data))
	}
}

// randomData returns n reproducible random bytes.
func randomData(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 's', 't', 'r', 'e', 'a', 'm'})
	r.Read(b)
	return b
}
