package main

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestQuickstart runs the quickstart as README's first command does and
// checks each step's outcome.
func TestQuickstart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	steps, err := run(ctx, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	want := []Step{
		{Name: "presigned PUT", Status: 200, AsExpected: true},
		{Name: "presigned GET", Status: 200, AsExpected: true},
		{Name: "header-signed list", Status: 200, AsExpected: true},
		{Name: "tampered URL", Status: 403, Code: "SignatureDoesNotMatch", AsExpected: true},
		{Name: "expired URL", Status: 403, Code: "AccessDenied", AsExpected: true},
	}
	if len(steps) != len(want) {
		t.Fatalf("%d steps, want %d\n%s", len(steps), len(want), out.String())
	}
	for i, s := range steps {
		if s != want[i] {
			t.Errorf("step %d = %+v, want %+v", i+1, s, want[i])
		}
	}
	for _, s := range []string{"Started an S3-compatible object server on http://127.0.0.1:", "X-Amz-Signature=", "Hello from sigv4kit!", "SignatureDoesNotMatch", "Request has expired", "5 of 5 steps"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q", s)
		}
	}
	// The closing count is the number of numbered steps printed, 1 to N in
	// order: a step added or removed cannot leave the two disagreeing.
	var numbered []int
	for _, line := range strings.Split(out.String(), "\n") {
		num, _, ok := strings.Cut(line, ". ")
		if n, err := strconv.Atoi(num); ok && err == nil {
			numbered = append(numbered, n)
		}
	}
	for i, n := range numbered {
		if n != i+1 {
			t.Errorf("numbered steps %v are not 1 to %d in order", numbered, len(numbered))
			break
		}
	}
	if len(numbered) != len(steps) {
		t.Errorf("%d numbered steps printed, %d steps run", len(numbered), len(steps))
	}
	if closing := fmt.Sprintf("%d of %d steps behaved as expected.", len(numbered), len(numbered)); !strings.Contains(out.String(), closing) {
		t.Errorf("output lacks %q", closing)
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("output:\n%s", out.String())
	}
}
