package sigv4_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
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
// defines it: SHA-256 of the canonical request, hex, one HMAC with the
// signing key's pads precomputed, hex, into reused buffers.
func BenchmarkFloor(b *testing.B) {
	floor := newFloor(b)
	b.ReportAllocs()
	for b.Loop() {
		floor()
	}
}

// newFloor returns one round of the floor for the S3 GET of s3GetRequest.
func newFloor(tb testing.TB) func() {
	s := benchSigner(tb, "s3")
	tr, err := s.Explain(context.Background(), s3GetRequest(tb), sigv4.EmptyPayloadHash)
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
	return func() {
		sum = sha256.Sum256(creq)
		sts = hex.AppendEncode(sts[:prefix], sum[:])
		inner.(encoding.BinaryUnmarshaler).UnmarshalBinary(innerState)
		inner.Write(sts)
		inner.Sum(mac[:0])
		outer.(encoding.BinaryUnmarshaler).UnmarshalBinary(outerState)
		outer.Write(mac[:])
		outer.Sum(mac[:0])
		hex.Encode(sig[:], mac[:])
	}
}

// BenchmarkFloorRatio runs a workload and the floor in alternating batches,
// so that the load of a shared machine weighs on both alike, and reports
// the workload's time over the floor's as x-floor. The targets: header
// signing within 2x, presigning (URL string out) within 2.5x.
func BenchmarkFloorRatio(b *testing.B) {
	ctx := context.Background()
	run := func(b *testing.B, work func()) {
		floor := newFloor(b)
		var tw, tf time.Duration
		for b.Loop() {
			t0 := time.Now()
			for range 100 {
				work()
			}
			t1 := time.Now()
			for range 100 {
				floor()
			}
			tf += time.Since(t1)
			tw += t1.Sub(t0)
		}
		b.ReportMetric(float64(tw)/float64(tf), "x-floor")
	}
	b.Run("SignS3Get", func(b *testing.B) {
		s, req := benchSigner(b, "s3"), s3GetRequest(b)
		run(b, func() {
			if err := s.Sign(ctx, req, sigv4.EmptyPayloadHash); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("PresignS3Get", func(b *testing.B) {
		s := benchSigner(b, "s3")
		req, _ := http.NewRequest("GET", "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2026/11/cat%20picture.jpg", nil)
		run(b, func() {
			if _, err := s.Presign(ctx, req, time.Hour); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// TestAllocationBudgets holds the hot path to its allocation budget: at
// most 3 allocations to header-sign an S3 GET and 6 to presign one.
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
	}); n > 6 {
		t.Errorf("Sign(DynamoDB POST, body hashed) allocates %v times, budget 6", n)
	}
}

var _ = io.Discard
