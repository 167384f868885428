package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	miniosigner "github.com/minio/minio-go/v7/pkg/signer"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// aws-chunked streaming, a 64 KiB chunk per operation (b.SetBytes, so
// MB/s is the throughput of the chunk's data), in one run:
//
//	BenchmarkChunkSign64K/impl=sigv4kit    Signer.SignStreaming's encoder
//	BenchmarkChunkSign64K/impl=miniogo     minio-go's StreamingSignV4 reader
//	BenchmarkChunkVerify64K/impl=sigv4kit  the Verifier's decoder, as a handler reads
//	BenchmarkSHA256_64K/impl=floor         crypto/sha256 of 64 KiB: the floor
//	BenchmarkChunkVsSHA256/impl=...        each of the three beside the floor,
//	                                       in alternating batches (x-floor)
//
// Both encoders sign STREAMING-AWS4-HMAC-SHA256-PAYLOAD chunks of 64 KiB of
// an endless upload from the same cyclic source, read with a buffer that
// holds one encoded chunk, so one Read is one chunk. TestChunkEncodersAgree
// proves that both encodings verify and decode to the same bytes.

const chunkSize = 64 << 10

// encodedChunk is the length of a signed 64 KiB chunk: "10000;chunk-
// signature=<64 hex>\r\n", the data, "\r\n".
const encodedChunk = len("10000;chunk-signature=") + 64 + 2 + chunkSize + 2

func chunkBlock() []byte {
	block := make([]byte, chunkSize)
	for i := range block {
		block[i] = byte(i*131 + i>>9)
	}
	return block
}

// cyclicReader returns its block over and over, as a file in the page
// cache would.
type cyclicReader struct {
	block []byte
	off   int
}

func (c *cyclicReader) Read(p []byte) (int, error) {
	n := copy(p, c.block[c.off:])
	c.off = (c.off + n) % len(c.block)
	return n, nil
}

// limitedCyclic is n bytes of the cyclic block.
func limitedCyclic(n int64) io.ReadCloser {
	return io.NopCloser(io.LimitReader(&cyclicReader{block: chunkBlock()}, n))
}

const uploadURL = "http://127.0.0.1:9000/bucket/big"

// kitStream returns a request for an upload of n bytes of the cyclic
// block signed by sigv4kit's SignStreaming.
func kitStream(tb testing.TB, n int64, at time.Time) *http.Request {
	s, err := sigv4.New(sigv4.Config{Service: "s3", Region: Region,
		Credentials: credentials.Static(AccessKey, SecretKey, ""),
		Now:         func() time.Time { return at }})
	if err != nil {
		tb.Fatal(err)
	}
	req, _ := http.NewRequest("PUT", uploadURL, nil)
	req.Body, req.ContentLength = limitedCyclic(n), n
	if err := s.SignStreaming(context.Background(), req, sigv4.StreamOptions{Mode: sigv4.StreamSigned}); err != nil {
		tb.Fatal(err)
	}
	return req
}

// sha256Hasher is the md5simd.Hasher minio-go's signer hashes chunks with;
// minio-go's client passes the same, crypto/sha256 in a wrapper.
type sha256Hasher struct{ hash.Hash }

func (sha256Hasher) Close() {}

// minioStream returns a request for the same upload signed by minio-go's
// StreamingSignV4.
func minioStream(n int64, at time.Time) *http.Request {
	req, _ := http.NewRequest("PUT", uploadURL, nil)
	req.Body = limitedCyclic(n)
	return miniosigner.StreamingSignV4(req, AccessKey, SecretKey, "", Region, n, at, sha256Hasher{sha256.New()})
}

// readChunk reads one encoded chunk from body into p, which holds one.
func readChunk(b *testing.B, body io.Reader, p []byte) {
	if n, err := body.Read(p); err != nil || n != encodedChunk {
		b.Fatalf("read %d bytes (%v), want one chunk of %d", n, err, encodedChunk)
	}
}

// endless is an upload size no benchmark reaches.
const endless = 1 << 50

// chunkSigners are the encoders benchmarked: each returns one 64 KiB
// chunk's encoding per call.
var chunkSigners = []struct {
	impl string
	new  func(b *testing.B) func()
}{
	{"sigv4kit", func(b *testing.B) func() {
		body := kitStream(b, endless, benchTime).Body
		p := make([]byte, encodedChunk)
		return func() { readChunk(b, body, p) }
	}},
	{"miniogo", func(b *testing.B) func() {
		body := minioStream(endless, benchTime).Body
		p := make([]byte, encodedChunk)
		return func() { readChunk(b, body, p) }
	}},
}

// BenchmarkChunkSign64K signs 64 KiB chunks of an endless upload as
// net/http reads them.
func BenchmarkChunkSign64K(b *testing.B) {
	for _, c := range chunkSigners {
		b.Run("impl="+c.impl, func(b *testing.B) {
			encode := c.new(b)
			encode() // warm: buffers made on the first chunk
			b.SetBytes(chunkSize)
			b.ReportAllocs()
			for b.Loop() {
				encode()
			}
		})
	}
}

// verifyBench verifies 64 KiB chunks as a handler reads them behind
// Verify, from uploads of 4 chunks (256 KiB, which stays in cache as the
// encoders' source does). rearm, one Verify per upload, is left out of the
// time: its allocations are the request's, not a chunk's.
type verifyBench struct {
	b      *testing.B
	enc    []byte
	header http.Header
	v      *sigv4.Verifier
	body   io.Reader
	read   int
	p      []byte
}

const verifyBenchChunks = 4

func newVerifyBench(b *testing.B) *verifyBench {
	req := kitStream(b, verifyBenchChunks*chunkSize, benchTime)
	enc, err := io.ReadAll(req.Body)
	if err != nil {
		b.Fatal(err)
	}
	v, err := chunkVerifier(benchTime)
	if err != nil {
		b.Fatal(err)
	}
	d := &verifyBench{b: b, enc: enc, header: req.Header, v: v, p: make([]byte, chunkSize)}
	d.rearm()
	return d
}

func chunkVerifier(at time.Time) (*sigv4.Verifier, error) {
	return sigv4.NewVerifier(sigv4.VerifierConfig{
		Service: "s3", Regions: []string{Region},
		Secrets: sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: AccessKey, SecretAccessKey: SecretKey}),
		Now:     func() time.Time { return at },
	})
}

// rearm verifies a new upload.
func (d *verifyBench) rearm() {
	r := httptest.NewRequest("PUT", uploadURL, bytes.NewReader(d.enc))
	r.Header = d.header.Clone()
	if _, err := d.v.Verify(r); err != nil {
		d.b.Fatal(err)
	}
	d.body, d.read = r.Body, 0
}

// chunk reads the next verified chunk, rearming after the last.
func (d *verifyBench) chunk() {
	if n, err := d.body.Read(d.p); err != nil || n != chunkSize {
		d.b.Fatal(n, err)
	}
	d.read++
}

// BenchmarkChunkVerify64K verifies 64 KiB chunks with sigv4kit's Verifier
// as a handler reads them (minio-go is a client: it has no verifier).
func BenchmarkChunkVerify64K(b *testing.B) {
	b.Run("impl=sigv4kit", func(b *testing.B) {
		d := newVerifyBench(b)
		b.SetBytes(chunkSize)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if d.read == verifyBenchChunks {
				b.StopTimer()
				d.rearm()
				b.StartTimer()
			}
			d.chunk()
		}
	})
}

// sha256Floor returns the SHA-256 of 64 KiB per call.
func sha256Floor() func() {
	block := chunkBlock()
	h := sha256.New()
	var sum [sha256.Size]byte
	return func() {
		h.Reset()
		h.Write(block)
		h.Sum(sum[:0])
	}
}

// BenchmarkSHA256_64K is the floor: the SHA-256 of 64 KiB, which signing
// or verifying a chunk cannot avoid.
func BenchmarkSHA256_64K(b *testing.B) {
	b.Run("impl=floor", func(b *testing.B) {
		floor := sha256Floor()
		b.SetBytes(chunkSize)
		b.ReportAllocs()
		for b.Loop() {
			floor()
		}
	})
}

// BenchmarkChunkVsSHA256 runs 4 chunks (signed, or verified: one upload)
// and 4 SHA-256s of 64 KiB in alternating batches, so that the load of a
// shared machine weighs on both alike, and reports the median over the
// batches of a chunk's time over the floor's (x-floor: 1.05 is 95% of the
// floor's throughput; the median shrugs off the batches another process
// preempted) and the MB/s of each over the whole run. Its allocations are
// per 4 chunks, and for verify include the Verify of each upload.
func BenchmarkChunkVsSHA256(b *testing.B) {
	type work struct {
		impl string
		new  func(b *testing.B) (chunk, rearm func())
	}
	var works []work
	for _, c := range chunkSigners {
		works = append(works, work{"sign-" + c.impl, func(b *testing.B) (func(), func()) { return c.new(b), func() {} }})
	}
	works = append(works, work{"verify-sigv4kit", func(b *testing.B) (func(), func()) {
		d := newVerifyBench(b)
		return d.chunk, d.rearm
	}})
	for _, w := range works {
		b.Run("impl="+w.impl, func(b *testing.B) {
			chunk, rearm := w.new(b)
			floor := sha256Floor()
			ratios := make([]float64, 0, b.N)
			var tw, tf time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				rearm()
				t0 := time.Now()
				for range verifyBenchChunks {
					chunk()
				}
				t1 := time.Now()
				for range verifyBenchChunks {
					floor()
				}
				t2 := time.Now()
				tw, tf = tw+t1.Sub(t0), tf+t2.Sub(t1)
				ratios = append(ratios, float64(t1.Sub(t0))/float64(t2.Sub(t1)))
			}
			b.StopTimer()
			slices.Sort(ratios)
			n := b.N * verifyBenchChunks
			mb := func(d time.Duration) float64 { return float64(n) * chunkSize / d.Seconds() / 1e6 }
			b.ReportMetric(ratios[len(ratios)/2], "x-floor")
			b.ReportMetric(mb(tw), "chunk-MB/s")
			b.ReportMetric(mb(tf), "sha256-MB/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// TestChunkEncodersAgree shows that the benchmarks compare the same work:
// uploads of 4 chunks and a bit, encoded by sigv4kit and by minio-go at the
// same time with the same keys, both pass sigv4kit's Verifier (every chunk
// signature checked) and decode to the same bytes; the chunks' framing
// (size lines, lengths) is the same.
func TestChunkEncodersAgree(t *testing.T) {
	const n = verifyBenchChunks*chunkSize + 100
	at := time.Now().UTC().Truncate(time.Second)
	v, err := chunkVerifier(at)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(limitedCyclic(n))
	var lengths []int64
	for _, tc := range []struct {
		impl string
		req  *http.Request
	}{
		{"sigv4kit", kitStream(t, n, at)},
		{"miniogo", minioStream(n, at)},
	} {
		enc, err := io.ReadAll(tc.req.Body)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(enc)) != tc.req.ContentLength {
			t.Errorf("%s: %d encoded bytes, Content-Length %d", tc.impl, len(enc), tc.req.ContentLength)
		}
		lengths = append(lengths, int64(len(enc)))
		if got := bytes.Count(enc, []byte(";chunk-signature=")); got != verifyBenchChunks+2 {
			t.Errorf("%s: %d chunk signatures, want %d", tc.impl, got, verifyBenchChunks+2)
		}
		r := httptest.NewRequest("PUT", uploadURL, bytes.NewReader(enc))
		r.Header = tc.req.Header.Clone()
		r.Header.Set("Content-Length", strconv.Itoa(len(enc)))
		vd, err := v.Verify(r)
		if err != nil {
			t.Fatalf("%s: Verify: %v", tc.impl, err)
		}
		if vd.Stream != sigv4.StreamSigned {
			t.Errorf("%s: stream %v", tc.impl, vd.Stream)
		}
		got, err := io.ReadAll(r.Body)
		if err != nil {
			t.Fatalf("%s: decoding: %v", tc.impl, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: decoded %d bytes that differ from the %d encoded", tc.impl, len(got), len(want))
		}
	}
	if lengths[0] != lengths[1] {
		t.Errorf("encoded lengths: sigv4kit %d, minio-go %d", lengths[0], lengths[1])
	}
}
