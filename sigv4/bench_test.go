package sigv4_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/floor"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// The workloads of ANCHORS.md. compat/ runs the same ones side by side with
// the other signers; these measure sigv4kit alone against the floor.

const (
	benchAccessKey = "AKIAIOSFODNN7EXAMPLE"
	benchSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var benchTime = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func benchSigner(tb testing.TB, service string) *sigv4.Signer {
	s, err := sigv4.New(sigv4.Config{
		Service:     service,
		Region:      "us-east-1",
		Credentials: credentials.Static(benchAccessKey, benchSecret, ""),
		Now:         func() time.Time { return benchTime },
	})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// s3GetRequest is an S3 GET with 6 signed headers: host, if-none-match,
// range, x-amz-content-sha256, x-amz-date, x-amz-expected-bucket-owner.
func s3GetRequest(tb testing.TB) *http.Request {
	req, err := http.NewRequest("GET", "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2026/11/cat%20picture.jpg", nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Range", "bytes=0-1023")
	req.Header.Set("If-None-Match", `"9b2cf535f27731c974343645a3985328"`)
	req.Header.Set("X-Amz-Expected-Bucket-Owner", "111122223333")
	req.Header.Set("User-Agent", "sigv4kit-bench/1.0")
	return req
}

// dynamoRequest is a DynamoDB GetItem POST with a 200-byte JSON body.
func dynamoRequest(tb testing.TB) *http.Request {
	body := bytes.Repeat([]byte("x"), 200)
	copy(body, `{"TableName":"Music","Key":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"}},"P":"`)
	body[199] = '}'
	req, err := http.NewRequest("POST", "https://dynamodb.us-east-1.amazonaws.com/", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
	return req
}

func BenchmarkSignS3Get(b *testing.B) {
	s := benchSigner(b, "s3")
	req := s3GetRequest(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Sign(ctx, req, sigv4.EmptyPayloadHash); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPresignS3Get(b *testing.B) {
	s := benchSigner(b, "s3")
	req, _ := http.NewRequest("GET", "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2026/11/cat%20picture.jpg", nil)
	ctx := context.Background()
	b.ReportAllocs()
	var url string
	for b.Loop() {
		p, err := s.Presign(ctx, req, time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		url = p.URL
	}
	_ = url
}

func BenchmarkSignDynamoDBPost(b *testing.B) {
	s := benchSigner(b, "dynamodb")
	req := dynamoRequest(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Sign(ctx, req, ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSigningKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sigv4.SigningKey(benchSecret, benchTime, "us-east-1", "s3")
	}
}

// BenchmarkFloor is the unavoidable work of one signature, as ANCHORS.md
// defines it (see internal/floor), for the S3 GET of BenchmarkSignS3Get.
func BenchmarkFloor(b *testing.B) {
	round := newFloor(b)
	b.ReportAllocs()
	for b.Loop() {
		round()
	}
}

// newFloor returns one round of the floor for the S3 GET of s3GetRequest.
func newFloor(tb testing.TB) func() []byte {
	s := benchSigner(tb, "s3")
	tr, err := s.Explain(context.Background(), s3GetRequest(tb), sigv4.EmptyPayloadHash)
	if err != nil {
		tb.Fatal(err)
	}
	return floor.New(tb, tr, sigv4.SigningKey(benchSecret, benchTime, "us-east-1", "s3"))
}

// BenchmarkFloorRatio reports, as x-floor, a workload's time over the
// floor's, the two run in alternating batches. The targets: header signing
// within 2x, presigning (URL string out) within 2.5x.
func BenchmarkFloorRatio(b *testing.B) {
	ctx := context.Background()
	b.Run("SignS3Get", func(b *testing.B) {
		s, req := benchSigner(b, "s3"), s3GetRequest(b)
		floor.Ratio(b, func() {
			if err := s.Sign(ctx, req, sigv4.EmptyPayloadHash); err != nil {
				b.Fatal(err)
			}
		}, newFloor(b))
	})
	b.Run("PresignS3Get", func(b *testing.B) {
		s := benchSigner(b, "s3")
		req, _ := http.NewRequest("GET", "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2026/11/cat%20picture.jpg", nil)
		floor.Ratio(b, func() {
			if _, err := s.Presign(ctx, req, time.Hour); err != nil {
				b.Fatal(err)
			}
		}, newFloor(b))
	})
}

// TestAllocationBudgets holds the hot path to its allocation budget: at
// most 3 allocations to header-sign an S3 GET and 6 to presign one, and 3
// to header-sign a body it hashes.
func TestAllocationBudgets(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's instrumentation allocates; budgets are checked without -race")
	}
	ctx := context.Background()
	s3 := benchSigner(t, "s3")
	req := s3GetRequest(t)
	if n := testing.AllocsPerRun(200, func() {
		if err := s3.Sign(ctx, req, sigv4.EmptyPayloadHash); err != nil {
			t.Fatal(err)
		}
	}); n > 3 {
		t.Errorf("Sign(S3 GET) allocates %v times, budget 3", n)
	}
	preq, _ := http.NewRequest("GET", "https://examplebucket.s3.us-east-1.amazonaws.com/photos/cat.jpg", nil)
	if n := testing.AllocsPerRun(200, func() {
		if _, err := s3.Presign(ctx, preq, time.Hour); err != nil {
			t.Fatal(err)
		}
	}); n > 6 {
		t.Errorf("Presign(S3 GET) allocates %v times, budget 6", n)
	}
	ddb := benchSigner(t, "dynamodb")
	dreq := dynamoRequest(t)
	if n := testing.AllocsPerRun(200, func() {
		if err := ddb.Sign(ctx, dreq, ""); err != nil {
			t.Fatal(err)
		}
	}); n > 3 {
		// GetBody's reader and its NopCloser (net/http's), and the string
		// of the date and Authorization values.
		t.Errorf("Sign(DynamoDB POST, body hashed) allocates %v times, budget 3", n)
	}
	// S3 sends the body's hash in X-Amz-Content-Sha256: it shares that
	// string.
	put, _ := http.NewRequest("PUT", "https://examplebucket.s3.us-east-1.amazonaws.com/k", bytes.NewReader([]byte("hello")))
	if n := testing.AllocsPerRun(200, func() {
		if err := s3.Sign(ctx, put, ""); err != nil {
			t.Fatal(err)
		}
	}); n > 3 {
		t.Errorf("Sign(S3 PUT, body hashed) allocates %v times, budget 3", n)
	}
}

var _ = io.Discard

// TestFloorMatchesSigner checks that the floor benchmarks measure the real
// work: a round of the floor computes the signer's signature.
func TestFloorMatchesSigner(t *testing.T) {
	if got := newFloor(t)(); len(got) != 64 {
		t.Fatalf("floor signature %q", got)
	}
}
