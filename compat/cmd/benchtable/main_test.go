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
