//go:build e2e

// Package streamgo_test uploads aws-chunked bodies made by sigv4kit's
// Signer.SignStreaming to a real S3 server, versitygw, which decodes them
// and checks every chunk signature, trailer signature and checksum itself,
// then reads each object back. compat/scripts/e2e.sh (make e2e) starts the
// server and sets the SIGV4_E2E_* variables; without them these tests
// skip, unless SIGV4_E2E_REQUIRE is set, and then they fail.
//
// Checked: every mode (signed, signed with a trailer, unsigned with a
// trailer) × no checksum and each of CRC32, CRC32C, CRC64NVME, SHA1 and
// SHA256 × the sizes 0, 1, 8 KiB−1, 64 KiB, 64 KiB+1 and 10 MiB of random
// bytes, GET byte for byte and the checksum versitygw stored; the smallest
// and a large chunk size; and that versitygw does check what it accepts:
// a flipped data byte, a wrong trailer checksum and a wrong seed are
// refused with S3's codes. Where versitygw refuses a combination, the
// refusal is listed in refusals and asserted, never skipped.
package streamgo_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
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
	e        e2eenv.Server
	client   *http.Client
	signer   *sigv4.Signer
}

func getServer(t *testing.T) *server {
	t.Helper()
	e := e2eenv.Get(t)
	ep, err := url.Parse(e.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	sg, err := sigv4.New(sigv4.Config{Service: "s3", Region: e.Region,
		Credentials: credentials.Static(e.AccessKey, e.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	return &server{endpoint: ep, e: e, client: &http.Client{Timeout: 2 * time.Minute}, signer: sg}
}

// url returns the path-style URL of key.
func (s *server) url(key string) string {
	u := url.URL{Scheme: s.endpoint.Scheme, Host: s.endpoint.Host, Path: "/" + s.e.Bucket + "/" + key}
	return u.String()
}

// response is a read response.
type response = e2eenv.Response

func (s *server) do(t *testing.T, req *http.Request) response {
	t.Helper()
	return e2eenv.Do(t, s.client, req)
}

// putStreaming uploads data to key with SignStreaming and opts. tamper,
// when set, changes the encoded body before it is sent.
func (s *server) putStreaming(t *testing.T, key string, data []byte, opts sigv4.StreamOptions, tamper func([]byte) []byte) response {
	t.Helper()
	req, err := http.NewRequest("PUT", s.url(key), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.signer.SignStreaming(context.Background(), req, opts); err != nil {
		t.Fatal(err)
	}
	if req.ContentLength < int64(len(data)) {
		t.Fatalf("encoded Content-Length %d < %d bytes of data", req.ContentLength, len(data))
	}
	if tamper != nil {
		enc, err := io.ReadAll(req.Body)
		if err != nil {
			t.Fatal(err)
		}
		enc = tamper(enc)
		req.Body, req.GetBody, req.ContentLength = io.NopCloser(bytes.NewReader(enc)), nil, int64(len(enc))
	}
	return s.do(t, req)
}

// get reads key back, asking for its stored checksum.
func (s *server) get(t *testing.T, key string) response {
	t.Helper()
	req, err := http.NewRequest("GET", s.url(key), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Checksum-Mode", "ENABLED")
	if err := s.signer.Sign(context.Background(), req, sigv4.EmptyPayloadHash); err != nil {
		t.Fatal(err)
	}
	return s.do(t, req)
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// prefix returns a key prefix unique to this test run.
func prefix(t *testing.T) string {
	return fmt.Sprintf("streamgo-%s-%x/", strings.ToLower(t.Name()), randomBytes(t, 4))
}

// checksumOf returns the base64 checksum of data.
func checksumOf(alg sigv4.ChecksumAlgorithm, data []byte) string {
	h := alg.New()
	h.Write(data)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

var checksums = []sigv4.ChecksumAlgorithm{"", sigv4.ChecksumCRC32, sigv4.ChecksumCRC32C, sigv4.ChecksumCRC64NVME, sigv4.ChecksumSHA1, sigv4.ChecksumSHA256}

var modes = []sigv4.StreamMode{sigv4.StreamSigned, sigv4.StreamSignedTrailer, sigv4.StreamUnsignedTrailer}

// combo names a mode and a checksum.
type combo struct {
	mode     sigv4.StreamMode
	checksum sigv4.ChecksumAlgorithm
}

// refusal is versitygw v1.8.0's documented answer to a combination it
// does not accept.
type refusal struct {
	status int
	code   string
}

// refusals lists what versitygw v1.8.0 refuses, at every size. StreamSigned
// with a checksum is not listed: SignStreaming refuses it before sending (a
// checksum needs a trailer).
//
// None is left: a trailer mode without a checksum, which versitygw's
// signed chunk reader (s3api/utils/signed-chunk-reader.go) refused with
// 400 MalformedTrailerError (it requires a checksum line before the
// trailer signature), is now refused by SignStreaming before sending.
var refusals = map[combo]refusal{}

// TestStreamingModesAndChecksums uploads every size in every mode with
// every checksum and reads each object back byte for byte.
func TestStreamingModesAndChecksums(t *testing.T) {
	s := getServer(t)
	pre := prefix(t)
	random := randomBytes(t, 10<<20)
	sizes := []int{0, 1, 8<<10 - 1, 64 << 10, 64<<10 + 1, 10 << 20}
	for _, mode := range modes {
		for _, alg := range checksums {
			c := combo{mode, alg}
			name := strings.TrimPrefix(mode.String(), "STREAMING-") + "/" + string(alg)
			if alg == "" {
				name += "none"
			}
			if (mode == sigv4.StreamSigned) != (alg == "") {
				// Not an aws-chunked upload anyone can send: a checksum
				// needs a trailer, and a trailer needs a checksum.
				// SignStreaming says so.
				want := "needs a trailer mode"
				if alg == "" {
					want = "needs a Checksum"
				}
				t.Run(name, func(t *testing.T) {
					req, _ := http.NewRequest("PUT", s.url(pre+"x"), bytes.NewReader([]byte("x")))
					err := s.signer.SignStreaming(context.Background(), req, sigv4.StreamOptions{Mode: mode, Checksum: alg})
					if err == nil || !strings.Contains(err.Error(), want) {
						t.Fatalf("SignStreaming(%s, %q) = %v, want the %q error", mode, alg, err, want)
					}
				})
				continue
			}
			t.Run(name, func(t *testing.T) {
				for _, size := range sizes {
					data := random[:size]
					key := fmt.Sprintf("%s%s/%s/%d", pre, mode, alg, size)
					put := s.putStreaming(t, key, data, sigv4.StreamOptions{Mode: mode, Checksum: alg}, nil)
					if want, refused := refusals[c]; refused {
						if put.Status != want.status || put.Code() != want.code {
							t.Fatalf("size %d: PUT %d %q, want versitygw's documented refusal %d %s\n%s", size, put.Status, put.Code(), want.status, want.code, put.Body)
						}
						if get := s.get(t, key); get.Status != http.StatusNotFound {
							t.Fatalf("size %d: after the refused PUT, GET %d, want 404", size, get.Status)
						}
						continue
					}
					if put.Status != http.StatusOK {
						t.Fatalf("size %d: PUT %d %s\n%s", size, put.Status, put.Code(), put.Body)
					}
					get := s.get(t, key)
					if get.Status != http.StatusOK {
						t.Fatalf("size %d: GET %d %s\n%s", size, get.Status, get.Code(), get.Body)
					}
					if !bytes.Equal(get.Body, data) {
						t.Fatalf("size %d: GET returned %d bytes that differ from the %d sent", size, len(get.Body), len(data))
					}
					if alg != "" {
						want := checksumOf(alg, data)
						if got := get.Header.Get(alg.HeaderName()); got != want {
							t.Errorf("size %d: GET %s: %q, want %q (the trailer's)", size, alg.HeaderName(), got, want)
						}
					}
				}
			})
		}
	}
}

// TestStreamingChunkSizes sends the smallest chunk size S3 allows, 8 KiB,
// and a 1 MiB one, signed with a trailer, over sizes around them.
func TestStreamingChunkSizes(t *testing.T) {
	s := getServer(t)
	pre := prefix(t)
	random := randomBytes(t, 3<<20+5)
	for _, chunk := range []int{sigv4.MinChunkSize, 1 << 20} {
		for _, size := range []int{chunk - 1, chunk, chunk + 1, 3*chunk + 5} {
			key := fmt.Sprintf("%schunk%d/%d", pre, chunk, size)
			data := random[:size]
			put := s.putStreaming(t, key, data, sigv4.StreamOptions{Mode: sigv4.StreamSignedTrailer, Checksum: sigv4.ChecksumCRC32C, ChunkSize: chunk}, nil)
			if put.Status != http.StatusOK {
				t.Fatalf("chunk %d, size %d: PUT %d %s\n%s", chunk, size, put.Status, put.Code(), put.Body)
			}
			get := s.get(t, key)
			if get.Status != http.StatusOK || !bytes.Equal(get.Body, data) {
				t.Fatalf("chunk %d, size %d: GET %d, %d bytes, equal %v", chunk, size, get.Status, len(get.Body), bytes.Equal(get.Body, data))
			}
		}
	}
}

// TestStreamingRefusals shows that versitygw verifies what it accepts: a
// byte of data flipped in a signed chunk, a trailer checksum of other
// bytes and a short body are refused, and nothing is stored under the key.
func TestStreamingRefusals(t *testing.T) {
	s := getServer(t)
	pre := prefix(t)
	data := randomBytes(t, 100<<10)
	// flip changes the first data byte of the second chunk: after the
	// first chunk (its size line and CRLF) and the second's size line.
	flip := func(enc []byte) []byte {
		second := bytes.Index(enc, []byte("\r\n")) + 2 + sigv4.DefaultChunkSize + 2
		i := second + bytes.Index(enc[second:], []byte("\r\n")) + 2
		enc[i] ^= 1
		return enc
	}
	// wrongTrailer replaces the trailer checksum's value by that of
	// other bytes, of the same length.
	wrongTrailer := func(alg sigv4.ChecksumAlgorithm) func([]byte) []byte {
		return func(enc []byte) []byte {
			good, bad := checksumOf(alg, data), checksumOf(alg, []byte("other bytes"))
			if !bytes.Contains(enc, []byte(good)) {
				panic("trailer checksum not found")
			}
			return bytes.Replace(enc, []byte(good), []byte(bad), 1)
		}
	}
	for _, tc := range []struct {
		name   string
		opts   sigv4.StreamOptions
		tamper func([]byte) []byte
		status int
		code   string
	}{
		{"signed-flipped-byte", sigv4.StreamOptions{Mode: sigv4.StreamSigned}, flip, 403, "SignatureDoesNotMatch"},
		{"signed-trailer-flipped-byte", sigv4.StreamOptions{Mode: sigv4.StreamSignedTrailer, Checksum: sigv4.ChecksumCRC32}, flip, 403, "SignatureDoesNotMatch"},
		{"unsigned-trailer-flipped-byte", sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumCRC32}, flip, 400, "BadDigest"},
		{"unsigned-trailer-wrong-checksum", sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumSHA256}, wrongTrailer(sigv4.ChecksumSHA256), 400, "BadDigest"},
		// The trailer signature no longer matches either; versitygw
		// checks the checksum first.
		{"signed-trailer-wrong-checksum", sigv4.StreamOptions{Mode: sigv4.StreamSignedTrailer, Checksum: sigv4.ChecksumCRC64NVME}, wrongTrailer(sigv4.ChecksumCRC64NVME), 400, "BadDigest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := pre + tc.name
			put := s.putStreaming(t, key, data, tc.opts, tc.tamper)
			if put.Status != tc.status || put.Code() != tc.code {
				t.Errorf("PUT %d %q, want %d %s\n%s", put.Status, put.Code(), tc.status, tc.code, put.Body)
			}
			if get := s.get(t, key); get.Status != http.StatusNotFound {
				t.Errorf("after the refused PUT, GET %d (%d bytes), want 404", get.Status, len(get.Body))
			}
		})
	}
}
