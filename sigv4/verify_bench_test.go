package sigv4_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/internal/floor"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// BenchmarkVerifyRatio reports, as x-sign, the time to verify the S3 GET
// of BenchmarkSignS3Get over the time to sign it, the two run in
// alternating batches: header-signed (Verify over Sign) and presigned
// (Verify of the URL over Presign). The target is 1.5x for both.
func BenchmarkVerifyRatio(b *testing.B) {
	ctx := context.Background()
	b.Run("Header", func(b *testing.B) {
		s, v, req, r := benchVerifyS3Get(b)
		floor.RatioTo(b, func() {
			if _, err := v.Verify(r); err != nil {
				b.Fatal(err)
			}
		}, func() {
			if err := s.Sign(ctx, req, sigv4.EmptyPayloadHash); err != nil {
				b.Fatal(err)
			}
		}, "x-sign")
	})
	b.Run("Presigned", func(b *testing.B) {
		s, v, _, _ := benchVerifyS3Get(b)
		req, _ := http.NewRequest("GET", "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2026/11/cat%20picture.jpg", nil)
		p, err := s.Presign(ctx, req, time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		r := vServerRequest(b, vWire(b, vPresignedRequest(b, p, "")))
		floor.RatioTo(b, func() {
			if _, err := v.Verify(r); err != nil {
				b.Fatal(err)
			}
		}, func() {
			if _, err := s.Presign(ctx, req, time.Hour); err != nil {
				b.Fatal(err)
			}
		}, "x-sign")
	})
}

// TestVerifyAllocationBudget holds Verify of the S3 GET, header-signed and
// presigned, to 2 allocations.
func TestVerifyAllocationBudget(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's instrumentation allocates; budgets are checked without -race")
	}
	_, v, _, r := benchVerifyS3Get(t)
	s := vSigner(t, "s3", vCreds, sigv4.Config{})
	req, _ := http.NewRequest("GET", "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2026/11/cat%20picture.jpg", nil)
	p, err := s.Presign(context.Background(), req, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	pr := vServerRequest(t, vWire(t, vPresignedRequest(t, p, "")))
	for _, c := range []struct {
		name string
		r    *http.Request
	}{{"header-signed", r}, {"presigned", pr}} {
		if n := testing.AllocsPerRun(200, func() {
			if _, err := v.Verify(c.r); err != nil {
				t.Fatal(err)
			}
		}); n > 2 {
			t.Errorf("Verify(%s S3 GET) allocates %v times, budget 2", c.name, n)
		}
	}
}
