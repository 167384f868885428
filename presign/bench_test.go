package presign_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/floor"
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
// as ANCHORS.md defines the floor (see internal/floor). A round returns the
// hex signature it computed, which is the signer's.
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
	return floor.New(tb, tr, sigv4.SigningKey(benchSecret, benchTime, "us-east-1", "s3"))
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

// BenchmarkFloorRatio reports GetObject's time over the floor's as
// x-floor, the two run in alternating batches.
func BenchmarkFloorRatio(b *testing.B) {
	p := benchPresigner(b)
	ctx := context.Background()
	floor.Ratio(b, func() {
		if _, err := p.GetObject(ctx, benchBucket, benchKey, time.Hour); err != nil {
			b.Fatal(err)
		}
	}, newFloor(b))
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
