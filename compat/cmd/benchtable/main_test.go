package main

import (
	"strings"
	"testing"
)

const sampleOutput = `goos: linux
cpu: Example CPU
BenchmarkS3GetHeader/impl=sigv4kit-2         	  103550	      1000 ns/op	     288 B/op	       1 allocs/op
BenchmarkS3GetHeader/impl=sigv4kit-2         	  103550	      3000 ns/op	     288 B/op	       1 allocs/op
BenchmarkS3GetHeader/impl=sigv4kit-2         	  103550	      2000 ns/op	     288 B/op	       1 allocs/op
BenchmarkS3GetHeader/impl=awssdk-2           	   46092	     16000 ns/op	    4320 B/op	      43 allocs/op
BenchmarkS3GetPresign/impl=sigv4kit-2        	  173442	      1000 ns/op	     512 B/op	       4 allocs/op
BenchmarkS3GetPresign/impl=awssdk-2          	   45063	      5000 ns/op	    5944 B/op	      59 allocs/op
PASS
`

func TestParseAndMarkdown(t *testing.T) {
	res, err := Parse(strings.NewReader(sampleOutput))
	if err != nil {
		t.Fatal(err)
	}
	if got := median(res.Samples["S3GetHeader/sigv4kit"].ns); got != 2000 {
		t.Errorf("median = %v, want 2000", got)
	}
	if res.CPU != "Example CPU" || res.Runs != 3 {
		t.Errorf("CPU %q, runs %d", res.CPU, res.Runs)
	}
	md := Markdown(res, Machine{Model: "Example CPU", NumCPU: 2, GoVersion: "go1.26", Date: "2026-11-28"}, "")
	for _, want := range []string{
		"| header-sign an S3 GET (6 signed headers) | 2.00 µs, 1 allocs, 288 B | 16.00 µs, 43 allocs, 4320 B (**8.0x** slower, 43.0x allocs) |",
		"- header-sign an S3 GET (6 signed headers): 8.0x faster, 43.0x fewer allocations — met",
		"- presign an S3 GET (URL string out): 5.0x faster, 14.8x fewer allocations — **not met**",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	doc := "intro\n" + BeginMarker + "\nold\n" + EndMarker + "\nrest\n"
	out, err := Update([]byte(doc), "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := "intro\n" + BeginMarker + "\nnew\n" + EndMarker + "\nrest\n"; string(out) != want {
		t.Errorf("Update = %q, want %q", out, want)
	}
}

const streamOutput = `cpu: Example CPU
BenchmarkChunkSign64K/impl=sigv4kit-2         	     200	     50000 ns/op	1310.72 MB/s	       0 B/op	       0 allocs/op
BenchmarkChunkSign64K/impl=miniogo-2          	     200	    100000 ns/op	 655.36 MB/s	    4400 B/op	      48 allocs/op
BenchmarkChunkVerify64K/impl=sigv4kit-2       	     200	     60000 ns/op	1092.27 MB/s	       0 B/op	       0 allocs/op
BenchmarkSHA256_64K/impl=floor-2              	     200	     48000 ns/op	1365.33 MB/s	       0 B/op	       0 allocs/op
BenchmarkChunkVsSHA256/impl=sign-sigv4kit-2   	     200	      1174 chunk-MB/s	      1246 sha256-MB/s	         1.04 x-floor	       0 B/op	       0 allocs/op
BenchmarkChunkVsSHA256/impl=sign-miniogo-2    	     200	       545.6 chunk-MB/s	      1091 sha256-MB/s	         1.999 x-floor	   15882 B/op	     192 allocs/op
`

// TestStreamMarkdown renders the aws-chunked table: per signer or
// verifier, the median time beside the floor from the alternating
// benchmark and the share of the floor's throughput it means, allocations
// per chunk, the separate benchmark's median, and the verdicts against the
// 95% target (none for a row without an alternating measurement).
func TestStreamMarkdown(t *testing.T) {
	res, err := Parse(strings.NewReader(streamOutput))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Samples["ChunkVsSHA256/sign-sigv4kit"].metrics["x-floor"]; len(got) != 1 || got[0] != 1.04 {
		t.Fatalf("x-floor samples %v", got)
	}
	md := Markdown(res, Machine{Model: "Example CPU", NumCPU: 2, GoVersion: "go1.26", Date: "2026-11-28"}, "")
	for _, want := range []string{
		"| sign a 64 KiB aws-chunked chunk (encode) | sigv4kit | 1.040x | **96%** | 0 | 50.00 µs, 1311 MB/s |",
		"| sign a 64 KiB aws-chunked chunk (encode) | minio-go | 1.999x | 50% | 48 | 100.00 µs, 655 MB/s |",
		"| verify a 64 KiB aws-chunked chunk (decode, as the handler reads) | sigv4kit | — | — | 0 | 60.00 µs, 1092 MB/s |",
		"| SHA-256 of 64 KiB (the floor) | crypto/sha256 | 1x | 100% | 0 | 48.00 µs, 1365 MB/s |",
		"- sign a 64 KiB aws-chunked chunk (encode): 96% of the floor, 0 allocs per chunk — met",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "- verify") {
		t.Errorf("a verdict for verify, which has no alternating measurement:\n%s", md)
	}
	// Under the target: 1.10x is 91%.
	res, _ = Parse(strings.NewReader(strings.Replace(streamOutput, "1.04 x-floor", "1.10 x-floor", 1)))
	if md := Markdown(res, Machine{}, ""); !strings.Contains(md, "91% of the floor, 0 allocs per chunk — **not met**") {
		t.Errorf("no unmet verdict at 1.10x:\n%s", md)
	}
	// Without the streaming benchmarks, no streaming table.
	res, _ = Parse(strings.NewReader(sampleOutput))
	if md := Markdown(res, Machine{}, ""); strings.Contains(md, "aws-chunked") {
		t.Errorf("streaming table without streaming benchmarks:\n%s", md)
	}
}
