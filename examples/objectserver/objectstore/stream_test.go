package objectstore

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// backends are the two backends, fresh for each test.
var backends = []struct {
	name string
	new  func(t *testing.T) Backend
}{
	{"memory", func(*testing.T) Backend { return NewMemory() }},
	{"dir", func(t *testing.T) Backend {
		d, err := NewDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}},
}

// streamPut uploads data to url with SignStreaming; body, when set,
// replaces the encoding on its way out (to corrupt it).
func streamPut(t *testing.T, s *sigv4.Signer, url string, data []byte, opts sigv4.StreamOptions, body func(io.ReadCloser) io.ReadCloser) *http.Response {
	t.Helper()
	req, err := http.NewRequest("PUT", url, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(data) == 0 {
		req.Body, req.GetBody = http.NoBody, nil
	}
	if err := s.SignStreaming(context.Background(), req, opts); err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Body, req.GetBody = body(req.Body), nil
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// signedDo sends a signed request without a body, with the headers kv
// (name, value, ...) set before signing.
func signedDo(t *testing.T, s *sigv4.Signer, method, url string, kv ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
	if err := s.Sign(context.Background(), req, ""); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// checksumOf is the base64 checksum of data.
func checksumOf(alg sigv4.ChecksumAlgorithm, data []byte) string {
	h := alg.New()
	h.Write(data)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// TestStreamingPut uploads with every aws-chunked mode and checksum, into
// both backends, and reads the object back: its bytes, and the checksum
// headers S3 sends on the PUT's answer and on a GET or HEAD with
// x-amz-checksum-mode: ENABLED (none on a range GET or without the mode).
// An upload without a checksum gets CRC64NVME, which S3 computes then.
func TestStreamingPut(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	modes := []struct {
		name string
		opts sigv4.StreamOptions
	}{
		{"signed", sigv4.StreamOptions{Mode: sigv4.StreamSigned}},
		{"signed-8k-chunks", sigv4.StreamOptions{Mode: sigv4.StreamSigned, ChunkSize: sigv4.MinChunkSize}},
		{"signed-trailer-crc32c", sigv4.StreamOptions{Mode: sigv4.StreamSignedTrailer, Checksum: sigv4.ChecksumCRC32C}},
		{"signed-trailer-sha256", sigv4.StreamOptions{Mode: sigv4.StreamSignedTrailer, Checksum: sigv4.ChecksumSHA256}},
		{"unsigned-trailer-crc32", sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumCRC32}},
		{"unsigned-trailer-crc64nvme", sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumCRC64NVME}},
		{"unsigned-trailer-sha1", sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumSHA1}},
	}
	sizes := []int{0, 1, 64<<10 - 1, 64 << 10, 64<<10 + 1, 300 << 10}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ts, s := newTestServer(t, b.new(t))
			for _, m := range modes {
				for _, size := range sizes {
					data := make([]byte, size)
					for i := range data {
						data[i] = byte(rng.Uint32())
					}
					alg := m.opts.Checksum
					if alg == "" {
						alg = sigv4.ChecksumCRC64NVME
					}
					want := checksumOf(alg, data)
					url := ts.URL + "/bkt/" + m.name
					r := streamPut(t, s, url, data, m.opts, nil)
					if body := readAll(t, r.Body); r.StatusCode != 200 {
						t.Fatalf("%s, %d bytes: PUT %d %s", m.name, size, r.StatusCode, body)
					}
					if got := r.Header.Get(alg.HeaderName()); got != want || r.Header.Get("X-Amz-Checksum-Type") != "FULL_OBJECT" {
						t.Errorf("%s, %d bytes: PUT answered %s: %q (%s), want %q", m.name, size, alg.HeaderName(), got, r.Header.Get("X-Amz-Checksum-Type"), want)
					}
					g := signedDo(t, s, "GET", url, "X-Amz-Checksum-Mode", "ENABLED")
					if got := readAll(t, g.Body); g.StatusCode != 200 || got != string(data) {
						t.Fatalf("%s, %d bytes: GET %d, %d bytes back", m.name, size, g.StatusCode, len(got))
					}
					h := signedDo(t, s, "HEAD", url, "X-Amz-Checksum-Mode", "enabled")
					for what, resp := range map[string]*http.Response{"GET": g, "HEAD": h} {
						if got := resp.Header.Get(alg.HeaderName()); got != want {
							t.Errorf("%s, %d bytes: %s with checksum mode: %s %q, want %q", m.name, size, what, alg.HeaderName(), got, want)
						}
					}
					plain := signedDo(t, s, "GET", url)
					ranged := signedDo(t, s, "GET", url, "X-Amz-Checksum-Mode", "ENABLED", "Range", "bytes=0-0")
					for what, resp := range map[string]*http.Response{"GET without checksum mode": plain, "range GET": ranged} {
						if got := resp.Header.Get(alg.HeaderName()); got != "" {
							t.Errorf("%s, %d bytes: %s answered %s %q, want none", m.name, size, what, alg.HeaderName(), got)
						}
					}
				}
			}
		})
	}
}

// mutate returns a body that passes the encoding through f on its way
// out.
func mutate(f func([]byte) []byte) func(io.ReadCloser) io.ReadCloser {
	return func(rc io.ReadCloser) io.ReadCloser {
		b, err := io.ReadAll(rc)
		if err != nil {
			panic(err) // the encoder of a bytes.Reader does not fail
		}
		return io.NopCloser(bytes.NewReader(f(b)))
	}
}

// flipAt flips the bit 0x01 of the byte at offset i of the encoding.
func flipAt(i int) func(io.ReadCloser) io.ReadCloser {
	return mutate(func(b []byte) []byte { b[i] ^= 0x01; return b })
}

// replace replaces old with new in the encoding, once.
func replace(old, new string) func(io.ReadCloser) io.ReadCloser {
	return mutate(func(b []byte) []byte { return bytes.Replace(b, []byte(old), []byte(new), 1) })
}

// TestStreamingPutRefused corrupts uploads on their way out, over an
// object that exists: each is refused with S3's code, and the object is
// left as it was, in both backends.
func TestStreamingPutRefused(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 10<<10) // 160 KiB: 3 chunks of 64 KiB
	other := []byte("other")
	const dataAt = 200 // a byte of the first chunk's data in every mode
	trailer := func(alg sigv4.ChecksumAlgorithm) func(io.ReadCloser) io.ReadCloser {
		return replace(alg.HeaderName()+":"+checksumOf(alg, data), alg.HeaderName()+":"+checksumOf(alg, other))
	}
	cases := []struct {
		name string
		// An aws-chunked upload with opts, whose encoding body corrupts,
		opts sigv4.StreamOptions
		body func(io.ReadCloser) io.ReadCloser
		// or a plain one, with headers set by header before signing.
		header func(http.Header)
		query  string
		status int
		code   string
	}{
		{name: "signed chunk data", opts: sigv4.StreamOptions{Mode: sigv4.StreamSigned}, body: flipAt(dataAt),
			status: 403, code: "SignatureDoesNotMatch"},
		{name: "signed chunk signature", opts: sigv4.StreamOptions{Mode: sigv4.StreamSigned}, body: flipAt(len("10000;chunk-signature=")),
			status: 403, code: "SignatureDoesNotMatch"},
		{name: "signed trailer checksum", opts: sigv4.StreamOptions{Mode: sigv4.StreamSignedTrailer, Checksum: sigv4.ChecksumCRC32},
			body: trailer(sigv4.ChecksumCRC32), status: 403, code: "SignatureDoesNotMatch"},
		{name: "unsigned chunk data", opts: sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumCRC32}, body: flipAt(dataAt),
			status: 400, code: "BadDigest"},
		{name: "unsigned trailer checksum", opts: sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumSHA256},
			body: trailer(sigv4.ChecksumSHA256), status: 400, code: "BadDigest"},
		{name: "unsigned chunk size line", opts: sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumCRC32},
			body: flipAt(len("1000")), status: 400, code: "IncompleteBody"},
		{name: "plain body, checksum header", header: func(h http.Header) {
			h.Set("X-Amz-Checksum-Crc32", checksumOf(sigv4.ChecksumCRC32, other))
		}, status: 400, code: "BadDigest"},
		{name: "plain body, Content-MD5 differs", header: func(h http.Header) {
			sum := md5.Sum(other)
			h.Set("Content-Md5", base64.StdEncoding.EncodeToString(sum[:]))
		}, status: 400, code: "BadDigest"},
		{name: "plain body, Content-MD5 malformed", header: func(h http.Header) { h.Set("Content-Md5", "bm90IG1kNQ==") },
			status: 400, code: "InvalidDigest"},
		{name: "UploadPart", header: func(http.Header) {}, query: "?partNumber=1&uploadId=x", status: 501, code: "NotImplemented"},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			be := b.new(t)
			ts, s := newTestServer(t, be)
			url := ts.URL + "/bkt/obj"
			for _, c := range cases {
				if r := do(t, s, "PUT", url, []byte("old"), nil); r.StatusCode != 200 {
					t.Fatalf("%s: PUT old: %d", c.name, r.StatusCode)
				}
				var r *http.Response
				if c.header != nil {
					req, err := http.NewRequest("PUT", url+c.query, bytes.NewReader(data))
					if err != nil {
						t.Fatal(err)
					}
					c.header(req.Header)
					if err := s.Sign(context.Background(), req, ""); err != nil {
						t.Fatal(err)
					}
					if r, err = http.DefaultClient.Do(req); err != nil {
						t.Fatal(err)
					}
					defer r.Body.Close()
				} else {
					r = streamPut(t, s, url, data, c.opts, c.body)
				}
				body := readAll(t, r.Body)
				if r.StatusCode != c.status || !strings.Contains(body, "<Code>"+c.code+"</Code>") {
					t.Errorf("%s: %d %s, want %d %s", c.name, r.StatusCode, body, c.status, c.code)
				}
				if g := do(t, s, "GET", url, nil, nil); g.StatusCode != 200 || readAll(t, g.Body) != "old" {
					t.Errorf("%s: the refused upload changed the object (GET %d)", c.name, g.StatusCode)
				}
			}
			// Nothing else was stored (no temporary file left listed).
			if objs, err := be.List("bkt", ""); err != nil || len(objs) != 1 || objs[0].Key != "obj" || objs[0].Size != 3 {
				t.Errorf("the bucket lists %+v, %v; want obj alone, 3 bytes", objs, err)
			}
			if d, ok := be.(*Dir); ok {
				es, err := os.ReadDir(filepath.Join(d.root, "bkt"))
				var names []string
				for _, e := range es {
					names = append(names, e.Name())
				}
				if err != nil || len(names) != 2 {
					t.Errorf("the bucket's directory holds %q, %v; want obj's .data and .json only", names, err)
				}
			}
		})
	}
}

// TestLogSeesVerified checks that Log gets the request the S3 operation
// saw, whose Verified describes the upload once its body was read: the
// mode, the decoded length and the trailer's checksum, verified; and the
// S3 error code of every refusal, the verifier's included.
func TestLogSeesVerified(t *testing.T) {
	creds := credentials.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "test/secret"}
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "s3", Regions: []string{"us-east-1"}, Secrets: sigv4.StaticSecrets(creds)})
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		status int
		code   string
		vd     *sigv4.Verified
	}
	var mu sync.Mutex
	var log []entry
	srv := &Server{Backend: NewMemory("bkt"), Verifier: v, Log: func(r *http.Request, status int, code string) {
		vd, _ := sigv4.VerifiedFromContext(r.Context())
		mu.Lock()
		log = append(log, entry{status, code, vd})
		mu.Unlock()
	}}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	s, err := sigv4.New(sigv4.Config{Service: "s3", Region: "us-east-1", Credentials: credentials.Static(creds.AccessKeyID, creds.SecretAccessKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 100<<10)
	streamPut(t, s, ts.URL+"/bkt/k", data, sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumCRC32C}, nil)
	streamPut(t, s, ts.URL+"/bkt/k", data, sigv4.StreamOptions{Mode: sigv4.StreamSigned}, flipAt(200))
	resp, err := http.Get(ts.URL + "/bkt/k") // unsigned: refused by the verifier
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	mu.Lock()
	defer mu.Unlock()
	if len(log) != 3 {
		t.Fatalf("%d log entries, want 3", len(log))
	}
	ok := log[0]
	if ok.status != 200 || ok.vd == nil || ok.vd.Stream != sigv4.StreamUnsignedTrailer || ok.vd.DecodedContentLength != int64(len(data)) ||
		ok.vd.Checksum == nil || ok.vd.Checksum.Algorithm != sigv4.ChecksumCRC32C || !ok.vd.Checksum.Trailer || !ok.vd.Checksum.Verified ||
		ok.vd.Checksum.Value != checksumOf(sigv4.ChecksumCRC32C, data) {
		t.Errorf("upload: %d, Verified %+v", ok.status, ok.vd)
	}
	if bad := log[1]; bad.status != 403 || bad.code != "SignatureDoesNotMatch" || bad.vd == nil || bad.vd.Stream != sigv4.StreamSigned {
		t.Errorf("tampered upload: %d %s, Verified %+v", bad.status, bad.code, bad.vd)
	}
	// The verifier's own refusal: its code read from the answer's XML.
	if anon := log[2]; anon.status != 403 || anon.code != "AccessDenied" || anon.vd != nil {
		t.Errorf("anonymous GET: %d %s, Verified %+v", anon.status, anon.code, anon.vd)
	}
}
