package sigv4_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// aws-chunked throughput, a 64 KiB chunk per operation, beside its floor:
// the SHA-256 of 64 KiB, which signing or verifying a chunk cannot avoid.
// Compare the MB/s columns; the target is 95% of the floor and no
// allocation per chunk.

const benchChunk = 64 << 10

var benchChunkTime = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func benchChunkSigner(b *testing.B) *sigv4.Signer {
	s, err := sigv4.New(sigv4.Config{
		Service: "s3", Region: "us-east-1",
		Credentials: credentials.Static("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
		Now:         func() time.Time { return benchChunkTime },
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func benchBlock() []byte {
	block := make([]byte, benchChunk)
	for i := range block {
		block[i] = byte(i*131 + i>>9)
	}
	return block
}

func BenchmarkSHA256_64K(b *testing.B) {
	block := benchBlock()
	h := sha256.New()
	var sum [sha256.Size]byte
	b.SetBytes(benchChunk)
	b.ReportAllocs()
	for b.Loop() {
		h.Reset()
		h.Write(block)
		h.Sum(sum[:0])
	}
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

// chunkEncoder returns one 64 KiB chunk's encoding per call, of an
// endless upload signed by SignStreaming.
func chunkEncoder(b *testing.B) func() {
	s := benchChunkSigner(b)
	req, _ := http.NewRequest("PUT", "https://examplebucket.s3.amazonaws.com/big", nil)
	req.Body, req.ContentLength = io.NopCloser(&cyclicReader{block: benchBlock()}), 1<<50
	if err := s.SignStreaming(context.Background(), req, sigv4.StreamOptions{Mode: sigv4.StreamSigned}); err != nil {
		b.Fatal(err)
	}
	p := make([]byte, 2*benchChunk)
	return func() {
		if n, err := req.Body.Read(p); err != nil || n != benchChunk+90 {
			b.Fatal(n, err)
		}
	}
}

// decodeBench verifies 64 KiB chunks as a handler reads them behind
// Verify, from uploads of 4 chunks: the 256 KiB of an upload stay in
// cache, as the encoder's source does (from memory, the copy into the
// reader's buffer costs some 10% more). rearm, a Verify per upload, is
// left out of the time: its allocations are the request's, not a chunk's.
type decodeBench struct {
	b      *testing.B
	enc    []byte
	header http.Header
	v      *sigv4.Verifier
	body   io.Reader
	read   int
	p      []byte
}

const decodeBenchChunks = 4

func newDecodeBench(b *testing.B) *decodeBench {
	s := benchChunkSigner(b)
	data := bytes.Repeat(benchBlock(), decodeBenchChunks)
	req, _ := http.NewRequest("PUT", "https://examplebucket.s3.amazonaws.com/big", bytes.NewReader(data))
	if err := s.SignStreaming(context.Background(), req, sigv4.StreamOptions{Mode: sigv4.StreamSigned}); err != nil {
		b.Fatal(err)
	}
	enc, err := io.ReadAll(req.Body)
	if err != nil {
		b.Fatal(err)
	}
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{
		Service: "s3", Regions: []string{"us-east-1"},
		Secrets: sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}),
		Now:     func() time.Time { return benchChunkTime },
	})
	if err != nil {
		b.Fatal(err)
	}
	d := &decodeBench{b: b, enc: enc, header: req.Header, v: v, p: make([]byte, benchChunk)}
	d.rearm()
	return d
}

// rearm verifies a new upload.
func (d *decodeBench) rearm() {
	r := httptest.NewRequest("PUT", "https://examplebucket.s3.amazonaws.com/big", bytes.NewReader(d.enc))
	r.Header = d.header.Clone()
	if _, err := d.v.Verify(r); err != nil {
		d.b.Fatal(err)
	}
	d.body, d.read = r.Body, 0
}

// chunk reads the next verified chunk.
func (d *decodeBench) chunk() {
	if n, err := d.body.Read(d.p); err != nil || n != benchChunk {
		d.b.Fatal(n, err)
	}
	d.read++
}

// BenchmarkChunkEncode64K signs 64 KiB chunks of an endless upload as
// net/http reads them: a read of a buffer that holds a chunk gets one.
func BenchmarkChunkEncode64K(b *testing.B) {
	encode := chunkEncoder(b)
	b.SetBytes(benchChunk)
	b.ReportAllocs()
	for b.Loop() {
		encode()
	}
}

// BenchmarkChunkDecode64K verifies 64 KiB chunks as a handler reads them
// behind Verify (see decodeBench).
func BenchmarkChunkDecode64K(b *testing.B) {
	d := newDecodeBench(b)
	b.SetBytes(benchChunk)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if d.read == decodeBenchChunks {
			b.StopTimer()
			d.rearm()
			b.StartTimer()
		}
		d.chunk()
	}
}

// BenchmarkChunkVsSHA256 runs 4 chunks' encoding or verification (an
// upload, for decode) and 4 SHA-256s of 64 KiB in alternating batches, so
// that the load of a shared machine weighs on both alike, and reports the
// throughput of each and their ratio (chunk/sha256: 1.05 is 95% of the
// floor's throughput).
func BenchmarkChunkVsSHA256(b *testing.B) {
	block := benchBlock()
	h := sha256.New()
	var sum [sha256.Size]byte
	floor := func() {
		h.Reset()
		h.Write(block)
		h.Sum(sum[:0])
	}
	for _, c := range []struct {
		name string
		work func(*testing.B) (work, rearm func())
	}{
		{"encode", func(b *testing.B) (func(), func()) { return chunkEncoder(b), func() {} }},
		{"decode", func(b *testing.B) (func(), func()) {
			d := newDecodeBench(b)
			return d.chunk, d.rearm
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			work, rearm := c.work(b)
			var tw, tf time.Duration
			n := 0
			for b.Loop() {
				rearm()
				t0 := time.Now()
				for range decodeBenchChunks {
					work()
				}
				t1 := time.Now()
				for range decodeBenchChunks {
					floor()
				}
				tf += time.Since(t1)
				tw += t1.Sub(t0)
				n += decodeBenchChunks
			}
			mb := func(d time.Duration) float64 { return float64(n) * benchChunk / d.Seconds() / 1e6 }
			b.ReportMetric(mb(tw), "chunk-MB/s")
			b.ReportMetric(mb(tf), "sha256-MB/s")
			b.ReportMetric(float64(tw)/float64(tf), "chunk/sha256")
			b.ReportMetric(0, "ns/op")
		})
	}
}
