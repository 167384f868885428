package presign_test

import (
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/presign"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// The benchmark workload: a presigned GetObject URL for a virtual-hosted
// AWS bucket, valid for an hour, from static credentials at a fixed time.
// compat/presigndiff runs the same workload through aws-sdk-go-v2.

const (
	benchAccessKey = "AKIAIOSFODNN7EXAMPLE"
	benchSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	benchBucket    = "examplebucket"
	benchKey       = "photos/2026/11/cat picture.jpg"
)

var benchTime = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func benchPresigner(tb testing.TB) *presign.Presigner {
	tb.Helper()
	p, err := presign.New(presign.Config{
		Region:      "us-east-1",
		Credentials: credentials.Static(benchAccessKey, benchSecret, ""),
		Now:         func() time.Time { return benchTime },
		Getenv:      func(string) string { return "" },
	})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkGetObject presigns the workload's GetObject URL.
func BenchmarkGetObject(b *testing.B) {
	p := benchPresigner(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.GetObject(ctx, benchBucket, benchKey, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutObjectContentType presigns a PutObject URL that enforces its
// content type.
func BenchmarkPutObjectContentType(b *testing.B) {
	p := benchPresigner(b)
	ctx := context.Background()
	opt := presign.ContentType("image/jpeg")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.PutObject(ctx, benchBucket, benchKey, time.Hour, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// newFloor returns the unavoidable work of presigning the workload's URL,
// as ANCHORS.md defines the floor: SHA-256 of its canonical request, hex,
// one HMAC with the signing key's pads precomputed, hex, into reused
// buffers. The function returns the hex signature it computed, which is
// the signer's.
func newFloor(tb testing.TB) func() []byte {
	s, err := sigv4.New(sigv4.Config{
		Service:     "s3",
		Region:      "us-east-1",
		Credentials: credentials.Static(benchAccessKey, benchSecret, ""),
		Now:         func() time.Time { return benchTime },
	})
	if err != nil {
		tb.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "https://"+benchBucket+".s3.us-east-1.amazonaws.com/photos/2026/11/cat%20picture.jpg", nil)
	tr, err := s.ExplainPresign(context.Background(), req, time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	creq := []byte(tr.CanonicalRequest)
	key := sigv4.SigningKey(benchSecret, benchTime, "us-east-1", "s3")
	var pad [64]byte
	inner, outer := sha256.New(), sha256.New()
	for i := range pad {
		pad[i] = 0x36
		if i < len(key) {
			pad[i] ^= key[i]
		}
	}
	inner.Write(pad[:])
	for i := range pad {
		pad[i] ^= 0x36 ^ 0x5c
	}
	outer.Write(pad[:])
	innerState, _ := inner.(encoding.BinaryMarshaler).MarshalBinary()
	outerState, _ := outer.(encoding.BinaryMarshaler).MarshalBinary()
	sts := []byte("AWS4-HMAC-SHA256\n20261128T120000Z\n20261128/us-east-1/s3/aws4_request\n")
	prefix := len(sts)
	var sum, mac [32]byte
	var sig [64]byte
	floor := func() []byte {
		sum = sha256.Sum256(creq)
		sts = hex.AppendEncode(sts[:prefix], sum[:])
		inner.(encoding.BinaryUnmarshaler).UnmarshalBinary(innerState)
		inner.Write(sts)
		inner.Sum(mac[:0])
		outer.(encoding.BinaryUnmarshaler).UnmarshalBinary(outerState)
		outer.Write(mac[:])
		outer.Sum(mac[:0])
		hex.Encode(sig[:], mac[:])
		return sig[:]
	}
	if got := floor(); string(got) != tr.Signature {
		tb.Fatalf("floor signature %s, signer %s", got, tr.Signature)
	}
	return floor
}

// BenchmarkFloor is the floor of ANCHORS.md for the workload.
// BenchmarkGetObject / BenchmarkFloor is the ratio the issue bounds (2.5x).
func BenchmarkFloor(b *testing.B) {
	floor := newFloor(b)
	b.ReportAllocs()
	for b.Loop() {
		floor()
	}
}

// BenchmarkFloorRatio runs GetObject and the floor in alternating batches,
// so that the load of a shared machine weighs on both alike, and reports
// GetObject's time over the floor's as x-floor.
func BenchmarkFloorRatio(b *testing.B) {
	floor := newFloor(b)
	p := benchPresigner(b)
	ctx := context.Background()
	var tp, tf time.Duration
	for b.Loop() {
		t0 := time.Now()
		for range 100 {
			if _, err := p.GetObject(ctx, benchBucket, benchKey, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		for range 100 {
			floor()
		}
		tf += time.Since(t1)
		tp += t1.Sub(t0)
	}
	b.ReportMetric(float64(tp)/float64(tf), "x-floor")
}

// TestAllocationBudget holds GetObject to its three allocations: the URL
// string, the Request and its (empty) Header map.
func TestAllocationBudget(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("short or race")
	}
	p := benchPresigner(t)
	ctx := context.Background()
	if n := testing.AllocsPerRun(200, func() {
		if _, err := p.GetObject(ctx, benchBucket, benchKey, time.Hour); err != nil {
			t.Fatal(err)
		}
	}); n > 3 {
		t.Errorf("GetObject allocates %v times, budget 3", n)
	}
}
