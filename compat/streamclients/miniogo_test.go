package streamclients

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
	miniosigner "github.com/minio/minio-go/v7/pkg/signer"

	"github.com/sigv4kit/sigv4kit/sigv4"
)

// minioClient returns a minio-go client for the plain or TLS server.
func (s *servers) minioClient(t *testing.T, secure, virtualHost, trailingHeaders bool) *minio.Client {
	t.Helper()
	host := s.plain.Listener.Addr().String()
	if secure {
		host = s.tls.Listener.Addr().String()
	}
	lookup := minio.BucketLookupPath
	if virtualHost {
		host, lookup = "example.com", minio.BucketLookupDNS
	}
	c, err := minio.New(host, &minio.Options{
		Creds:           miniocreds.NewStaticV4(accessKey, secretKey, ""),
		Secure:          secure,
		Transport:       s.transport(secure, virtualHost),
		Region:          region,
		BucketLookup:    lookup,
		TrailingHeaders: trailingHeaders,
		MaxRetries:      1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// onlyReader hides every method of its reader but Read.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// TestMinioPutObjectModes uploads with minio-go's PutObject under each
// option that decides the encoding, asserts the mode the Verifier saw for
// the object or each of its parts, and reads it back byte for byte.
// minio-go signs chunks over plain HTTP unless told not to, with a signed
// trailer when it sends a checksum; over HTTPS it sends unsigned bodies,
// with a checksum trailer when TrailingHeaders is on.
func TestMinioPutObjectModes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *servers) {
		for _, tc := range []struct {
			name        string
			secure      bool
			virtualHost bool
			trailing    bool // Options.TrailingHeaders
			opts        minio.PutObjectOptions
			unknownSize bool // PutObject with size -1
			multipart   bool // a multipart upload
			sizes       []int
			want        want
		}{
			// Plain HTTP: signed chunks.
			{name: "http-default", want: want{stream: sigv4.StreamSigned}},
			{name: "http-virtual-host", virtualHost: true, want: want{stream: sigv4.StreamSigned}},
			{name: "http-md5", opts: minio.PutObjectOptions{SendContentMd5: true}, want: want{stream: sigv4.StreamSigned}},
			{name: "http-trailing", trailing: true, want: want{stream: sigv4.StreamSigned}},
			{name: "http-trailing-CRC32", trailing: true, opts: minio.PutObjectOptions{Checksum: minio.ChecksumCRC32}, want: signedTrailer(sigv4.ChecksumCRC32)},
			{name: "http-trailing-CRC32C", trailing: true, opts: minio.PutObjectOptions{Checksum: minio.ChecksumCRC32C}, want: signedTrailer(sigv4.ChecksumCRC32C)},
			{name: "http-trailing-CRC64NVME", trailing: true, opts: minio.PutObjectOptions{Checksum: minio.ChecksumCRC64NVME}, want: signedTrailer(sigv4.ChecksumCRC64NVME)},
			{name: "http-trailing-SHA1", trailing: true, opts: minio.PutObjectOptions{Checksum: minio.ChecksumSHA1}, want: signedTrailer(sigv4.ChecksumSHA1)},
			{name: "http-trailing-SHA256", trailing: true, opts: minio.PutObjectOptions{Checksum: minio.ChecksumSHA256}, want: signedTrailer(sigv4.ChecksumSHA256)},
			// minio-go v7.4.1 means to add a CRC32C trailer when it does not
			// hash the body (DisableContentSha256, or HTTPS), but the
			// X-Amz-Checksum-Algorithm header it adds to the metadata first
			// reads as a checksum the user set, so a single PUT goes without.
			{name: "http-trailing-no-sha256", trailing: true, opts: minio.PutObjectOptions{DisableContentSha256: true}, want: want{payload: sigv4.UnsignedPayload}},
			{name: "http-trailing-no-sha256-CRC32", trailing: true, opts: minio.PutObjectOptions{DisableContentSha256: true, Checksum: minio.ChecksumCRC32}, want: unsignedTrailer(sigv4.ChecksumCRC32)},
			{name: "http-no-sha256", opts: minio.PutObjectOptions{DisableContentSha256: true}, want: want{payload: sigv4.UnsignedPayload}},
			// An empty body: minio-go sets Content-Length 0 with a body (the
			// final chunk), which net/http sends chunked.
			{name: "http-empty", sizes: []int{0}, want: want{stream: sigv4.StreamSigned, chunkedTE: true}},
			// HTTPS: unsigned bodies.
			{name: "https-default", secure: true, want: want{payload: sigv4.UnsignedPayload}},
			{name: "https-trailing", secure: true, trailing: true, want: want{payload: sigv4.UnsignedPayload}},
			{name: "https-trailing-CRC32C-virtual-host", secure: true, virtualHost: true, trailing: true, opts: minio.PutObjectOptions{Checksum: minio.ChecksumCRC32C}, want: unsignedTrailer(sigv4.ChecksumCRC32C)},
			{name: "https-trailing-CRC32", secure: true, trailing: true, opts: minio.PutObjectOptions{Checksum: minio.ChecksumCRC32}, want: unsignedTrailer(sigv4.ChecksumCRC32)},
			{name: "https-trailing-CRC64NVME", secure: true, trailing: true, opts: minio.PutObjectOptions{Checksum: minio.ChecksumCRC64NVME}, want: unsignedTrailer(sigv4.ChecksumCRC64NVME)},
			{name: "https-trailing-SHA1", secure: true, trailing: true, opts: minio.PutObjectOptions{Checksum: minio.ChecksumSHA1}, want: unsignedTrailer(sigv4.ChecksumSHA1)},
			{name: "https-trailing-SHA256", secure: true, trailing: true, opts: minio.PutObjectOptions{Checksum: minio.ChecksumSHA256}, want: unsignedTrailer(sigv4.ChecksumSHA256)},
			{name: "https-trailing-md5", secure: true, trailing: true, opts: minio.PutObjectOptions{SendContentMd5: true}, want: want{payload: sigv4.UnsignedPayload}},
			{name: "https-trailing-empty", secure: true, trailing: true, sizes: []int{0}, want: want{payload: sigv4.UnsignedPayload}},
			// Size -1: a multipart upload, each part sent like a PutObject of
			// known size, with the part's checksum in a header.
			{name: "http-unknown-size", multipart: true, unknownSize: true, opts: minio.PutObjectOptions{PartSize: 5 << 20}, sizes: []int{11 << 20}, want: want{stream: sigv4.StreamSigned}},
			{name: "http-trailing-unknown-size", multipart: true, trailing: true, unknownSize: true, opts: minio.PutObjectOptions{PartSize: 5 << 20}, sizes: []int{11 << 20}, want: want{stream: sigv4.StreamSigned, checksum: sigv4.ChecksumCRC32C}},
			{name: "https-trailing-unknown-size", multipart: true, secure: true, trailing: true, unknownSize: true, opts: minio.PutObjectOptions{PartSize: 5 << 20}, sizes: []int{11 << 20}, want: want{payload: sigv4.UnsignedPayload, checksum: sigv4.ChecksumCRC32C}},
			// Known size above PartSize, from an io.ReaderAt: a multipart
			// upload whose parts carry a trailer.
			{name: "http-trailing-multipart", multipart: true, trailing: true, opts: minio.PutObjectOptions{PartSize: 5 << 20}, sizes: []int{11 << 20}, want: signedTrailer(sigv4.ChecksumCRC32C)},
			{name: "https-trailing-multipart", multipart: true, secure: true, trailing: true, opts: minio.PutObjectOptions{PartSize: 5 << 20}, sizes: []int{11 << 20}, want: unsignedTrailer(sigv4.ChecksumCRC32C)},
		} {
			// objectserver is path-style only and has no multipart
			// uploads: those cases run on the in-memory store alone.
			if s.lacks(tc.virtualHost, tc.multipart) {
				continue
			}
			t.Run(tc.name, func(t *testing.T) {
				client := s.minioClient(t, tc.secure, tc.virtualHost, tc.trailing)
				sz := tc.sizes
				if sz == nil {
					sz = uploadSizes
				}
				for i, size := range sz {
					key := fmt.Sprintf("minio/%s/%d", tc.name, size)
					data := randomData(size, uint64(100+i))
					var body io.Reader = bytes.NewReader(data)
					n := int64(size)
					if tc.unknownSize {
						body, n = onlyReader{body}, -1
					}
					info, err := client.PutObject(context.Background(), bucket, key, body, n, tc.opts)
					if err != nil {
						t.Fatalf("size %d: PutObject: %v", size, err)
					}
					if info.Size != int64(size) {
						t.Errorf("size %d: UploadInfo.Size %d", size, info.Size)
					}
					s.check(t, key, data, tc.want)
					obj, err := client.GetObject(context.Background(), bucket, key, minio.GetObjectOptions{})
					if err != nil {
						t.Fatal(err)
					}
					got, err := io.ReadAll(obj)
					obj.Close()
					if err != nil || !bytes.Equal(got, data) {
						t.Fatalf("size %d: GetObject: %d bytes (err %v), equal %v", size, len(got), err, bytes.Equal(got, data))
					}
				}
			})
		}
	})
}

// hashReader computes a checksum of what is read through it and sets it
// in the request's trailer at EOF, as minio-go's client does before the
// signer reads the trailer.
type hashReader struct {
	r       io.Reader
	alg     sigv4.ChecksumAlgorithm
	h       interface{ Write([]byte) (int, error) }
	sum     func() []byte
	trailer http.Header
}

func newHashReader(r io.Reader, alg sigv4.ChecksumAlgorithm, trailer http.Header) *hashReader {
	h := alg.New()
	trailer.Set(alg.HeaderName(), base64.StdEncoding.EncodeToString(h.Sum(nil)))
	return &hashReader{r: r, alg: alg, h: h, sum: func() []byte { return h.Sum(nil) }, trailer: trailer}
}

func (h *hashReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	if err == io.EOF {
		h.trailer.Set(h.alg.HeaderName(), base64.StdEncoding.EncodeToString(h.sum()))
	}
	return n, err
}

// sha256Hasher is the md5simd.Hasher minio-go's signer hashes chunks with.
type sha256Hasher struct{ hash.Hash }

func (sha256Hasher) Close() {}

// TestMinioSignerModes drives minio-go's exported streaming signers
// (pkg/signer) directly: StreamingSignV4 without and with a trailer, and
// StreamingUnsignedV4, whose seed is signed by SignV4Trailer.
func TestMinioSignerModes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *servers) {
		for _, tc := range []struct {
			name     string
			secure   bool
			checksum sigv4.ChecksumAlgorithm
			unsigned bool
			want     want
		}{
			{name: "StreamingSignV4", want: want{stream: sigv4.StreamSigned}},
			{name: "StreamingSignV4-trailer-CRC32", checksum: sigv4.ChecksumCRC32, want: want{stream: sigv4.StreamSignedTrailer, checksum: sigv4.ChecksumCRC32, trailer: true}},
			{name: "StreamingSignV4-trailer-SHA256", checksum: sigv4.ChecksumSHA256, want: want{stream: sigv4.StreamSignedTrailer, checksum: sigv4.ChecksumSHA256, trailer: true}},
			{name: "SignV4Trailer-CRC64NVME", secure: true, unsigned: true, checksum: sigv4.ChecksumCRC64NVME, want: want{stream: sigv4.StreamUnsignedTrailer, checksum: sigv4.ChecksumCRC64NVME, trailer: true}},
			{name: "SignV4Trailer-SHA1", unsigned: true, checksum: sigv4.ChecksumSHA1, want: want{stream: sigv4.StreamUnsignedTrailer, checksum: sigv4.ChecksumSHA1, trailer: true}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for i, size := range []int{1, 64 << 10, 200<<10 + 7} {
					key := fmt.Sprintf("miniosigner/%s/%d", tc.name, size)
					data := randomData(size, uint64(200+i))
					req, err := http.NewRequest("PUT", s.url(tc.secure)+"/"+bucket+"/"+key, nil)
					if err != nil {
						t.Fatal(err)
					}
					var body io.Reader = bytes.NewReader(data)
					var trailer http.Header
					if tc.checksum != "" {
						trailer = http.Header{}
						body = newHashReader(body, tc.checksum, trailer)
					}
					req.Body, req.ContentLength = io.NopCloser(body), int64(size)
					if tc.unsigned {
						req.Header.Set("X-Amz-Content-Sha256", sigv4.StreamingUnsignedPayloadTrailer)
						req = miniosigner.SignV4Trailer(*req, accessKey, secretKey, "", region, trailer)
					} else {
						req.Trailer = trailer
						req = miniosigner.StreamingSignV4(req, accessKey, secretKey, "", region, int64(size), time.Now().UTC(), sha256Hasher{sha256.New()})
					}
					resp, err := (&http.Client{Transport: s.transport(tc.secure, false)}).Do(req)
					if err != nil {
						t.Fatal(err)
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("size %d: %d %s", size, resp.StatusCode, b)
					}
					s.check(t, key, data, tc.want)
					s.get(t, tc.secure, key, data)
				}
			})
		}
	})
}
