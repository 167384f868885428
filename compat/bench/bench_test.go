package bench

import (
	"strings"
	"testing"
	"time"
)

// benchTime is the fixed signing time (minio-go uses the clock).
var benchTime = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// TestSameSignatures proves that, for each workload, the four signers
// produce the same signature from the same inputs: minio-go signs first,
// with the clock, and the others sign at the time it used.
func TestSameSignatures(t *testing.T) {
	for _, w := range Workloads {
		t.Run(w, func(t *testing.T) {
			minio, err := NewOp(w, "miniogo", time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if err := minio.Run(); err != nil {
				t.Fatal(err)
			}
			at := minio.Time()
			if at.IsZero() {
				t.Fatal("no X-Amz-Date from minio-go")
			}
			want, wantSigned := minio.Signature(), minio.SignedHeaders()
			if n := len(strings.Split(wantSigned, ";")); w == "S3GetHeader" && n != 6 || w == "DynamoDBPost" && n != 6 {
				t.Errorf("%d signed headers (%s), the workload has 6", n, wantSigned)
			}
			t.Logf("%s: signed headers %s", w, wantSigned)
			if len(want) != 64 {
				t.Fatalf("minio-go signature %q", want)
			}
			for _, impl := range Impls[:3] {
				op, err := NewOp(w, impl, at)
				if err != nil {
					t.Fatal(err)
				}
				// Twice: the benchmark loop reuses the request.
				for i := 0; i < 2; i++ {
					if err := op.Run(); err != nil {
						t.Fatalf("%s: %v", impl, err)
					}
					if got := op.Signature(); got != want {
						t.Errorf("%s run %d: signature %s, minio-go %s", impl, i+1, got, want)
					}
					if got := op.SignedHeaders(); got != wantSigned {
						t.Errorf("%s run %d: signed headers %s, minio-go %s", impl, i+1, got, wantSigned)
					}
				}
			}
		})
	}
}

func run(b *testing.B, workload string) {
	for _, impl := range Impls {
		b.Run("impl="+impl, func(b *testing.B) {
			op, err := NewOp(workload, impl, benchTime)
			if err != nil {
				b.Fatal(err)
			}
			if err := op.Run(); err != nil { // warm caches, as a long-lived client would be
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := op.Run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkS3GetHeader header-signs an S3 GET with 6 signed headers.
func BenchmarkS3GetHeader(b *testing.B) { run(b, "S3GetHeader") }

// BenchmarkS3GetPresign presigns an S3 GET, URL string out.
func BenchmarkS3GetPresign(b *testing.B) { run(b, "S3GetPresign") }

// BenchmarkDynamoDBPost header-signs a DynamoDB POST, hashing its 200-byte
// body.
func BenchmarkDynamoDBPost(b *testing.B) { run(b, "DynamoDBPost") }
