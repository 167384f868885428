package sigv4_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// AWS's chunked-upload example (Amazon S3 API Reference, "Signature
// Calculations for the Authorization Header: Transferring Payload in
// Multiple Chunks"; ../shared/design/VECTORS.md): the seed and the three
// chunk signatures.
var awsChunked = struct {
	seed   string
	chunks []string
}{
	seed: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
	chunks: []string{
		"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
		"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
		"b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
	},
}

var (
	awsExampleTime  = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	awsExampleCreds = credentials.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
)

// awsChunkedRequest is the example's PUT, signed and encoded by
// SignStreaming.
func awsChunkedRequest(t *testing.T) *http.Request {
	t.Helper()
	s, err := sigv4.New(sigv4.Config{
		Service: "s3", Region: "us-east-1",
		Credentials: credentials.Static(awsExampleCreds.AccessKeyID, awsExampleCreds.SecretAccessKey, ""),
		Now:         func() time.Time { return awsExampleTime },
	})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("PUT", "https://s3.amazonaws.com/examplebucket/chunkObject.txt", strings.NewReader(strings.Repeat("a", 66560)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	if err := s.SignStreaming(context.Background(), req, sigv4.StreamOptions{Mode: sigv4.StreamSigned, ChunkSize: 65536}); err != nil {
		t.Fatal(err)
	}
	return req
}

func TestSignStreamingAWSExample(t *testing.T) {
	req := awsChunkedRequest(t)
	if req.ContentLength != 66824 {
		t.Errorf("ContentLength = %d, want 66824", req.ContentLength)
	}
	for k, want := range map[string]string{
		"Content-Encoding":             "aws-chunked",
		"X-Amz-Decoded-Content-Length": "66560",
		"X-Amz-Content-Sha256":         sigv4.StreamingPayload,
		"Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
			"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class, " +
			"Signature=" + awsChunked.seed,
	} {
		if got := req.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(body)) != req.ContentLength {
		t.Errorf("encoded %d bytes, ContentLength %d", len(body), req.ContentLength)
	}
	a := strings.Repeat("a", 65536)
	want := "10000;chunk-signature=" + awsChunked.chunks[0] + "\r\n" + a + "\r\n" +
		"400;chunk-signature=" + awsChunked.chunks[1] + "\r\n" + a[:1024] + "\r\n" +
		"0;chunk-signature=" + awsChunked.chunks[2] + "\r\n\r\n"
	if string(body) != want {
		t.Errorf("encoding differs from AWS's example; chunk lines:\n%s", strings.Join(chunkLines(body), "\n"))
	}

	// And the Verifier accepts exactly this request.
	v := exampleVerifier(t)
	sreq := httptest.NewRequest("PUT", "https://s3.amazonaws.com/examplebucket/chunkObject.txt", bytes.NewReader(body))
	sreq.Header = req.Header.Clone()
	sreq.ContentLength = int64(len(body))
	vd, err := v.Verify(sreq)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(sreq.Body)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != strings.Repeat("a", 66560) {
		t.Errorf("decoded %d bytes, want 66560 a's", len(got))
	}
	if vd.Stream != sigv4.StreamSigned || vd.DecodedContentLength != 66560 || sreq.ContentLength != 66560 || sreq.Header.Get("Content-Encoding") != "" {
		t.Errorf("Verified.Stream %v, DecodedContentLength %d, request ContentLength %d, Content-Encoding %q", vd.Stream, vd.DecodedContentLength, sreq.ContentLength, sreq.Header.Get("Content-Encoding"))
	}
}

// AWS's trailer example ("Signature calculations for trailing headers"):
// the same body with a CRC32C trailer. Its seed signs neither
// Content-Length nor any header but the example's, and its chunk and
// trailer signatures follow; SignStreaming, told not to sign
// Content-Length, makes it byte for byte.
func TestSignStreamingAWSTrailerExample(t *testing.T) {
	s, err := sigv4.New(sigv4.Config{
		Service: "s3", Region: "us-east-1",
		Credentials: credentials.Static(awsExampleCreds.AccessKeyID, awsExampleCreds.SecretAccessKey, ""),
		Now:         func() time.Time { return awsExampleTime },
		SignHeader:  func(name string, def bool) bool { return def && name != "content-length" },
	})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("PUT", "https://s3.amazonaws.com/examplebucket/chunkObject.txt", strings.NewReader(strings.Repeat("a", 66560)))
	req.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	if err := s.SignStreaming(context.Background(), req, sigv4.StreamOptions{Mode: sigv4.StreamSignedTrailer, Checksum: sigv4.ChecksumCRC32C, ChunkSize: 65536}); err != nil {
		t.Fatal(err)
	}
	wantAuth := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
		"SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer, " +
		"Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
	if got := req.Header.Get("Authorization"); got != wantAuth {
		t.Errorf("Authorization = %s", got)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := strings.Repeat("a", 65536)
	want := "10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n" + a + "\r\n" +
		"400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n" + a[:1024] + "\r\n" +
		"0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n" +
		"x-amz-checksum-crc32c:sOO8/Q==\r\n" +
		"x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n" +
		"\r\n"
	if string(body) != want || req.ContentLength != int64(len(want)) {
		t.Errorf("encoding differs from AWS's example (ContentLength %d); lines:\n%s", req.ContentLength, strings.Join(chunkLines(body), "\n"))
	}
	sreq := httptest.NewRequest("PUT", "https://s3.amazonaws.com/examplebucket/chunkObject.txt", bytes.NewReader(body))
	sreq.Header = req.Header.Clone()
	vd, err := exampleVerifier(t).Verify(sreq)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(sreq.Body); err != nil || len(got) != 66560 {
		t.Fatalf("decoded %d bytes: %v", len(got), err)
	}
	if c := vd.Checksum; c == nil || *c != (sigv4.Checksum{Algorithm: sigv4.ChecksumCRC32C, Value: "sOO8/Q==", Trailer: true, Verified: true}) {
		t.Errorf("Checksum = %+v", c)
	}
}

func exampleVerifier(t *testing.T) *sigv4.Verifier {
	t.Helper()
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{
		Service: "s3", Regions: []string{"us-east-1"},
		Secrets: sigv4.StaticSecrets(awsExampleCreds),
		Now:     func() time.Time { return awsExampleTime },
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var chunkLineRE = regexp.MustCompile(`(?m)^[0-9a-fA-F]{1,15}(;chunk-signature=[0-9a-f]{64})?\r$|^x-amz-[a-z0-9-]+:.*\r$`)

// chunkLines returns the size and trailer lines of an encoding, for
// messages.
func chunkLines(body []byte) []string {
	var out []string
	for _, m := range chunkLineRE.FindAll(body, -1) {
		out = append(out, strings.TrimSuffix(string(m), "\r"))
	}
	return out
}

// streamCase is one way to stream an upload.
type streamCase struct {
	mode     sigv4.StreamMode
	checksum sigv4.ChecksumAlgorithm
}

func (c streamCase) String() string {
	s := c.mode.String()
	if c.checksum != "" {
		s += "+" + string(c.checksum)
	}
	return s
}

// streamCases lists every mode with every checksum it can carry (the
// trailer modes need one).
func streamCases() []streamCase {
	all := []sigv4.ChecksumAlgorithm{sigv4.ChecksumCRC32, sigv4.ChecksumCRC32C, sigv4.ChecksumCRC64NVME, sigv4.ChecksumSHA1, sigv4.ChecksumSHA256}
	cases := []streamCase{{sigv4.StreamSigned, ""}}
	for _, m := range []sigv4.StreamMode{sigv4.StreamSignedTrailer, sigv4.StreamUnsignedTrailer} {
		for _, c := range all {
			cases = append(cases, streamCase{m, c})
		}
	}
	return cases
}

// uploadServer is a 127.0.0.1 server behind Verifier.Middleware that
// keeps a body only when it was read to its end without error.
type uploadServer struct {
	*httptest.Server
	stored map[string][]byte
	last   *sigv4.Verified
}

func newUploadServer(t *testing.T, v *sigv4.Verifier) *uploadServer {
	t.Helper()
	u := &uploadServer{stored: map[string][]byte{}}
	u.Server = httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			sigv4.WriteError(w, r, err)
			return
		}
		vd, _ := sigv4.VerifiedFromContext(r.Context())
		u.stored[r.URL.Path] = body
		u.last = vd
		if vd.Checksum != nil {
			if !vd.Checksum.Verified {
				http.Error(w, "checksum not verified", 500)
				return
			}
			w.Header().Set(vd.Checksum.Algorithm.HeaderName(), vd.Checksum.Value)
		}
		w.WriteHeader(http.StatusOK)
	})))
	t.Cleanup(u.Close)
	return u
}

var streamClock = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func streamSigner(t *testing.T) *sigv4.Signer {
	t.Helper()
	s, err := sigv4.New(sigv4.Config{
		Service: "s3", Region: "us-east-1",
		Credentials: credentials.Static(awsExampleCreds.AccessKeyID, awsExampleCreds.SecretAccessKey, ""),
		Now:         func() time.Time { return streamClock },
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func streamVerifier(t *testing.T, cfg sigv4.VerifierConfig) *sigv4.Verifier {
	t.Helper()
	cfg.Service, cfg.Regions, cfg.Secrets = "s3", []string{"us-east-1"}, sigv4.StaticSecrets(awsExampleCreds)
	cfg.Now = func() time.Time { return streamClock }
	v, err := sigv4.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestStreamingUploadServer sends SignStreaming uploads in every mode and
// with every checksum to a real server behind Middleware, through
// net/http, and reads them back byte for byte.
func TestStreamingUploadServer(t *testing.T) {
	srv := newUploadServer(t, streamVerifier(t, sigv4.VerifierConfig{}))
	s := streamSigner(t)
	data := make([]byte, 200<<10+7)
	for i := range data {
		data[i] = byte(i*7 + i>>8)
	}
	for i, c := range streamCases() {
		for _, n := range []int{0, 1, len(data)} {
			t.Run(fmt.Sprintf("%v/%d", c, n), func(t *testing.T) {
				path := fmt.Sprintf("/bucket/%d-%d", i, n)
				req, err := http.NewRequest("PUT", srv.URL+path, bytes.NewReader(data[:n]))
				if err != nil {
					t.Fatal(err)
				}
				if err := s.SignStreaming(context.Background(), req, sigv4.StreamOptions{Mode: c.mode, Checksum: c.checksum, ChunkSize: 16 << 10}); err != nil {
					t.Fatal(err)
				}
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				msg, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("status %d: %s", resp.StatusCode, msg)
				}
				if got := srv.stored[path]; !bytes.Equal(got, data[:n]) {
					t.Fatalf("stored %d bytes, sent %d", len(got), n)
				}
				if srv.last.Stream != c.mode || srv.last.DecodedContentLength != int64(n) {
					t.Errorf("Verified.Stream %v, DecodedContentLength %d", srv.last.Stream, srv.last.DecodedContentLength)
				}
				if c.checksum != "" {
					h := c.checksum.New()
					h.Write(data[:n])
					want := base64.StdEncoding.EncodeToString(h.Sum(nil))
					if got := resp.Header.Get(c.checksum.HeaderName()); got != want {
						t.Errorf("checksum returned %q, want %q", got, want)
					}
				}
			})
		}
	}
}

// TestStreamingUploadServerRefusals sends uploads changed on the wire: a
// tampered chunk, a wrong checksum, a short body, an over-long body. Each
// is refused with its code and nothing is stored.
func TestStreamingUploadServerRefusals(t *testing.T) {
	srv := newUploadServer(t, streamVerifier(t, sigv4.VerifierConfig{}))
	s := streamSigner(t)
	data := bytes.Repeat([]byte("0123456789abcdef"), 4<<10) // 64 KiB
	// A body cut short or run long on the wire changes its Content-Length,
	// which the signature covers unless the client leaves it out; these
	// clients do, so that the body's encoding is what is refused.
	lengthUnsigned, err := sigv4.New(sigv4.Config{
		Service: "s3", Region: "us-east-1",
		Credentials: credentials.Static(awsExampleCreds.AccessKeyID, awsExampleCreds.SecretAccessKey, ""),
		Now:         func() time.Time { return streamClock },
		SignHeader:  func(name string, def bool) bool { return def && name != "content-length" },
	})
	if err != nil {
		t.Fatal(err)
	}
	send := func(t *testing.T, s *sigv4.Signer, path string, c streamCase, change func(req *http.Request, enc []byte) []byte) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("PUT", srv.URL+path, bytes.NewReader(data))
		if err := s.SignStreaming(context.Background(), req, sigv4.StreamOptions{Mode: c.mode, Checksum: c.checksum, ChunkSize: 16 << 10}); err != nil {
			t.Fatal(err)
		}
		enc, err := io.ReadAll(req.Body)
		if err != nil {
			t.Fatal(err)
		}
		enc = change(req, enc)
		req.Body, req.GetBody, req.ContentLength = io.NopCloser(bytes.NewReader(enc)), nil, int64(len(enc))
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		m := regexp.MustCompile(`<Code>(\w+)</Code>`).FindSubmatch(body)
		if m == nil {
			return resp.StatusCode, ""
		}
		return resp.StatusCode, string(m[1])
	}
	tests := []struct {
		name   string
		c      streamCase
		change func(req *http.Request, enc []byte) []byte
		status int
		code   string
		// lengthUnsigned signs without Content-Length.
		lengthUnsigned bool
	}{
		{"tampered chunk", streamCase{sigv4.StreamSigned, ""}, func(_ *http.Request, enc []byte) []byte {
			enc[200] ^= 1
			return enc
		}, 403, sigv4.CodeSignatureDoesNotMatch, false},
		{"tampered last chunk, signed trailer", streamCase{sigv4.StreamSignedTrailer, sigv4.ChecksumCRC32}, func(_ *http.Request, enc []byte) []byte {
			enc[60000] ^= 1
			return enc
		}, 403, sigv4.CodeSignatureDoesNotMatch, false},
		{"tampered unsigned chunk", streamCase{sigv4.StreamUnsignedTrailer, sigv4.ChecksumCRC64NVME}, func(_ *http.Request, enc []byte) []byte {
			enc[40000] ^= 1
			return enc
		}, 400, sigv4.CodeBadDigest, false},
		{"wrong checksum", streamCase{sigv4.StreamUnsignedTrailer, sigv4.ChecksumCRC32}, func(_ *http.Request, enc []byte) []byte {
			// The trailer's value replaced by another well-formed one.
			i := bytes.Index(enc, []byte("x-amz-checksum-crc32:")) + len("x-amz-checksum-crc32:")
			return append(append(enc[:i:i], "AAAAAA=="...), enc[i+8:]...)
		}, 400, sigv4.CodeBadDigest, false},
		{"wrong checksum, signed trailer", streamCase{sigv4.StreamSignedTrailer, sigv4.ChecksumSHA1}, func(_ *http.Request, enc []byte) []byte {
			i := bytes.Index(enc, []byte("x-amz-checksum-sha1:")) + len("x-amz-checksum-sha1:")
			enc[i] ^= 1 // the trailer signature covers it
			return enc
		}, 403, sigv4.CodeSignatureDoesNotMatch, false},
		{"short body", streamCase{sigv4.StreamSigned, ""}, func(_ *http.Request, enc []byte) []byte {
			return enc[:len(enc)-10]
		}, 400, sigv4.CodeIncompleteBody, true},
		{"short body, unsigned", streamCase{sigv4.StreamUnsignedTrailer, sigv4.ChecksumCRC32}, func(_ *http.Request, enc []byte) []byte {
			return enc[:len(enc)/2]
		}, 400, sigv4.CodeIncompleteBody, true},
		{"over-long body", streamCase{sigv4.StreamUnsignedTrailer, sigv4.ChecksumCRC32C}, func(_ *http.Request, enc []byte) []byte {
			return append(enc, "0\r\n\r\n"...)
		}, 400, sigv4.CodeIncompleteBody, true},
		{"unchanged", streamCase{sigv4.StreamSignedTrailer, sigv4.ChecksumSHA256}, func(_ *http.Request, enc []byte) []byte {
			return enc
		}, 200, "", false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/bucket/refused-" + strconv.Itoa(i)
			signer := s
			if tt.lengthUnsigned {
				signer = lengthUnsigned
			}
			status, code := send(t, signer, path, tt.c, tt.change)
			if status != tt.status || code != tt.code {
				t.Fatalf("got %d %s, want %d %s", status, code, tt.status, tt.code)
			}
			if _, ok := srv.stored[path]; ok != (tt.status == 200) {
				t.Errorf("stored: %v", ok)
			}
		})
	}
}

// TestSignStreamingErrors checks what SignStreaming refuses, and that a
// refused request is left as it was.
func TestSignStreamingErrors(t *testing.T) {
	s := streamSigner(t)
	body := func(n int) io.Reader { return bytes.NewReader(make([]byte, n)) }
	tests := []struct {
		name string
		req  func() *http.Request
		opts sigv4.StreamOptions
	}{
		{"unknown length", func() *http.Request {
			r, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", io.NopCloser(body(5)))
			return r
		}, sigv4.StreamOptions{}},
		{"negative length", func() *http.Request {
			r, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", body(5))
			r.ContentLength = -1
			return r
		}, sigv4.StreamOptions{}},
		{"length without body", func() *http.Request {
			r, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", nil)
			r.ContentLength = 5
			return r
		}, sigv4.StreamOptions{}},
		{"checksum without trailer", func() *http.Request {
			r, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", body(5))
			return r
		}, sigv4.StreamOptions{Mode: sigv4.StreamSigned, Checksum: sigv4.ChecksumCRC32}},
		{"signed trailer without checksum", func() *http.Request {
			r, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", body(5))
			return r
		}, sigv4.StreamOptions{Mode: sigv4.StreamSignedTrailer}},
		{"unsigned trailer without checksum", func() *http.Request {
			r, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", body(5))
			return r
		}, sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer}},
		{"unknown checksum", func() *http.Request {
			r, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", body(5))
			return r
		}, sigv4.StreamOptions{Checksum: "MD5"}},
		{"unknown mode", func() *http.Request {
			r, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", body(5))
			return r
		}, sigv4.StreamOptions{Mode: 9}},
		{"chunk too small", func() *http.Request {
			r, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", body(5))
			return r
		}, sigv4.StreamOptions{ChunkSize: sigv4.MinChunkSize - 1}},
		{"chunk too large", func() *http.Request {
			r, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", body(5))
			return r
		}, sigv4.StreamOptions{ChunkSize: sigv4.MaxChunkSize + 1}},
		{"no host", func() *http.Request {
			r, _ := http.NewRequest("PUT", "https:///k", body(5))
			r.Header.Set("Content-Encoding", "gzip")
			return r
		}, sigv4.StreamOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req()
			before, length := req.Header.Clone(), req.ContentLength
			err := s.SignStreaming(context.Background(), req, tt.opts)
			if !errors.Is(err, sigv4.ErrInvalidRequest) {
				t.Fatalf("err = %v, want ErrInvalidRequest", err)
			}
			if !reflect.DeepEqual(req.Header, before) || req.ContentLength != length {
				t.Errorf("the request changed: %v, %d", req.Header, req.ContentLength)
			}
		})
	}

	// Encoding the body twice is refused; so is a body of the wrong length.
	req, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", body(5))
	if err := s.SignStreaming(context.Background(), req, sigv4.StreamOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SignStreaming(context.Background(), req, sigv4.StreamOptions{}); !errors.Is(err, sigv4.ErrInvalidRequest) {
		t.Errorf("twice: %v", err)
	}
	for _, n := range []int{4, 6} {
		req, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", body(n))
		req.ContentLength = 5
		if err := s.SignStreaming(context.Background(), req, sigv4.StreamOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(req.Body); err == nil || !strings.Contains(err.Error(), "ContentLength=5") {
			t.Errorf("a %d-byte body sent as 5: %v", n, err)
		}
	}
}

// TestSignStreamingGetBody replays a request: GetBody's body is the same
// encoding.
func TestSignStreamingGetBody(t *testing.T) {
	s := streamSigner(t)
	data := bytes.Repeat([]byte("replay"), 5000)
	for _, c := range streamCases() {
		req, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/k", bytes.NewReader(data))
		if err := s.SignStreaming(context.Background(), req, sigv4.StreamOptions{Mode: c.mode, Checksum: c.checksum, ChunkSize: sigv4.MinChunkSize}); err != nil {
			t.Fatal(err)
		}
		first, err := io.ReadAll(req.Body)
		if err != nil {
			t.Fatal(err)
		}
		b, err := req.GetBody()
		if err != nil {
			t.Fatal(err)
		}
		again, err := io.ReadAll(b)
		if err != nil || !bytes.Equal(first, again) || int64(len(first)) != req.ContentLength {
			t.Errorf("%v: replayed %d bytes (%v), first %d, ContentLength %d", c, len(again), err, len(first), req.ContentLength)
		}
	}
}

// TestVerifyStreamingErrors checks what Verify refuses from the headers of
// an aws-chunked or checksummed request, and the checksum of a plain body.
func TestVerifyStreamingErrors(t *testing.T) {
	ctx := context.Background()
	s := streamSigner(t)
	v := streamVerifier(t, sigv4.VerifierConfig{})
	const url = "https://b.s3.amazonaws.com/k"
	// signed returns a request signed with payload and headers, as a
	// server receives it.
	signed := func(payload, body string, headers ...string) *http.Request {
		req, _ := http.NewRequest("PUT", url, strings.NewReader(body))
		for i := 0; i < len(headers); i += 2 {
			req.Header.Add(headers[i], headers[i+1])
		}
		if err := s.Sign(ctx, req, payload); err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("PUT", url, strings.NewReader(body))
		r.Header = req.Header
		return r
	}
	crcHello := "NhCmhg==" // CRC32 of "hello"
	presigned := func(payload string) *http.Request {
		req, _ := http.NewRequest("PUT", url, nil)
		req.Header.Set("X-Amz-Content-Sha256", payload)
		req.Header.Set("X-Amz-Decoded-Content-Length", "5")
		req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
		p, err := s.Presign(ctx, req, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("PUT", p.URL, strings.NewReader("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:"+crcHello+"\r\n\r\n"))
		r.Header = p.Header
		return r
	}
	tests := []struct {
		name   string
		v      *sigv4.Verifier
		req    *http.Request
		code   string // at Verify, or "" when Verify accepts
		status int
		body   string // the code of the body's read, or "" when it reads whole
	}{
		{"no decoded length", v, signed(sigv4.StreamingPayload, "0;x"), sigv4.CodeMissingContentLength, 411, ""},
		{"decoded length not a number", v, signed(sigv4.StreamingPayload, "x", "X-Amz-Decoded-Content-Length", "abc"), sigv4.CodeMissingContentLength, 411, ""},
		{"decoded length negative", v, signed(sigv4.StreamingPayload, "x", "X-Amz-Decoded-Content-Length", "-1"), sigv4.CodeMissingContentLength, 411, ""},
		{"decoded length larger than the body", v, signed(sigv4.StreamingPayload, "x", "X-Amz-Decoded-Content-Length", "2"), sigv4.CodeIncompleteBody, 400, ""},
		{"trailer not a checksum", v, signed(sigv4.StreamingUnsignedPayloadTrailer, "x", "X-Amz-Decoded-Content-Length", "0", "X-Amz-Trailer", "x-amz-meta-a"), sigv4.CodeInvalidRequest, 400, ""},
		{"trailer without a trailer mode", v, signed(sigv4.StreamingPayload, "x", "X-Amz-Decoded-Content-Length", "0", "X-Amz-Trailer", "x-amz-checksum-crc32"), sigv4.CodeInvalidRequest, 400, ""},
		{"trailer on a plain body", v, signed("", "x", "X-Amz-Trailer", "x-amz-checksum-crc32"), sigv4.CodeInvalidRequest, 400, ""},
		{"trailer and header", v, signed(sigv4.StreamingUnsignedPayloadTrailer, "x", "X-Amz-Decoded-Content-Length", "0", "X-Amz-Trailer", "x-amz-checksum-crc32", "X-Amz-Checksum-Crc32", crcHello), sigv4.CodeInvalidRequest, 400, ""},
		{"two checksum headers", v, signed("", "hello", "X-Amz-Checksum-Crc32", crcHello, "X-Amz-Checksum-Sha1", "qvTGHdzF6KLavt4PO0gs2a6pQ00="), sigv4.CodeInvalidRequest, 400, ""},
		{"checksum header invalid", v, signed("", "hello", "X-Amz-Checksum-Crc32", "NhCmhg"), sigv4.CodeInvalidRequest, 400, ""},
		{"checksum header matches", v, signed("", "hello", "X-Amz-Checksum-Crc32", crcHello), "", 0, ""},
		{"checksum header differs", v, signed("", "hellO", "X-Amz-Checksum-Crc32", crcHello), "", 0, sigv4.CodeBadDigest},
		{"checksum header, unsigned payload", v, signed(sigv4.UnsignedPayload, "hellO", "X-Amz-Checksum-Crc32", crcHello), "", 0, sigv4.CodeBadDigest},
		{"checksum header, empty body", v, signed("", "", "X-Amz-Checksum-Crc32", crcHello), sigv4.CodeBadDigest, 400, ""},
		{"CompleteMultipartUpload's checksum is the object's", v, func() *http.Request {
			req, _ := http.NewRequest("POST", url+"?uploadId=abc", strings.NewReader("<CompleteMultipartUpload/>"))
			req.Header.Set("X-Amz-Checksum-Crc32", crcHello)
			if err := s.Sign(ctx, req, ""); err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("POST", url+"?uploadId=abc", strings.NewReader("<CompleteMultipartUpload/>"))
			r.Header = req.Header
			return r
		}(), "", 0, ""},
		{"checksum header on a streaming body", v, signed(sigv4.StreamingUnsignedPayloadTrailer, "5\r\nhello\r\n0\r\n\r\n", "X-Amz-Decoded-Content-Length", "5", "X-Amz-Checksum-Crc32", crcHello), "", 0, ""},
		{"checksum header differs from a streaming body", v, signed(sigv4.StreamingUnsignedPayloadTrailer, "5\r\nhellO\r\n0\r\n\r\n", "X-Amz-Decoded-Content-Length", "5", "X-Amz-Checksum-Crc32", crcHello), "", 0, sigv4.CodeBadDigest},
		{"refused", streamVerifier(t, sigv4.VerifierConfig{RefuseStreaming: true}), signed(sigv4.StreamingUnsignedPayloadTrailer, "0\r\n\r\n", "X-Amz-Decoded-Content-Length", "0"), sigv4.CodeNotImplemented, 501, ""},
		{"ECDSA chunks", v, signed("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "0\r\n\r\n", "X-Amz-Decoded-Content-Length", "0"), sigv4.CodeNotImplemented, 501, ""},
		{"presigned, unsigned chunks", v, presigned(sigv4.StreamingUnsignedPayloadTrailer), "", 0, ""},
		{"presigned, signed chunks", v, presigned(sigv4.StreamingPayload), sigv4.CodeNotImplemented, 501, ""},
		{"presigned, refused", streamVerifier(t, sigv4.VerifierConfig{RefuseStreaming: true}), presigned(sigv4.StreamingUnsignedPayloadTrailer), sigv4.CodeNotImplemented, 501, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vd, err := tt.v.Verify(tt.req)
			var ae *sigv4.AuthError
			if tt.code != "" {
				if !errors.As(err, &ae) || ae.Code != tt.code || ae.StatusCode != tt.status {
					t.Fatalf("err = %v, want %d %s", err, tt.status, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = io.ReadAll(tt.req.Body)
			switch {
			case tt.body == "" && err != nil:
				t.Fatalf("read: %v", err)
			case tt.body != "" && (!errors.As(err, &ae) || ae.Code != tt.body):
				t.Fatalf("read: %v, want %s", err, tt.body)
			case tt.body == "" && vd.Checksum != nil && !vd.Checksum.Verified:
				t.Errorf("checksum %+v not verified", vd.Checksum)
			}
		})
	}
}
