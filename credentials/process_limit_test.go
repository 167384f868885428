package credentials

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingWriter counts what it is given and keeps nothing.
type countingWriter struct {
	mu sync.Mutex
	n  int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.n += int64(len(p))
	w.mu.Unlock()
	return len(p), nil
}

func (w *countingWriter) count() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// TestProcessOutputLimit checks the 1 MiB bound of the standard output and
// the standard error at its edge: exactly 1 MiB passes, one byte more kills
// the command with an error naming the stream.
func TestProcessOutputLimit(t *testing.T) {
	skipProcess(t)
	t.Parallel()
	const limit = 1 << 20
	tests := []struct {
		stream     string
		n          int
		msg        string // "" means success
		wantStderr int64  // bytes passed through to Stderr, at most
	}{
		{stream: "stdout", n: limit},
		{stream: "stdout", n: limit + 1, msg: "stdout exceeded 1 MiB; process killed"},
		{stream: "stderr", n: limit, wantStderr: limit},
		{stream: "stderr", n: limit + 1, msg: "stderr exceeded 1 MiB; process killed", wantStderr: limit},
	}
	for _, tt := range tests {
		t.Run(tt.stream+"/"+strconv.Itoa(tt.n), func(t *testing.T) {
			t.Parallel()
			var stderr countingWriter
			p := Process{Command: helperCommand("sized", tt.stream, strconv.Itoa(tt.n)), Env: helperEnv(), Stderr: &stderr, Now: fixedNow}
			got, err := p.Retrieve(context.Background())
			noteErr(err)
			if got := stderr.count(); got > tt.wantStderr || (tt.msg == "" && got != tt.wantStderr) {
				t.Errorf("Stderr received %d bytes, want %d", got, tt.wantStderr)
			}
			if tt.msg == "" {
				if err != nil || got.AccessKeyID != testAccessKeyID {
					t.Fatalf("got %v, %v; want the credentials", got, err)
				}
				return
			}
			if !errors.Is(err, ErrProcessOutputLimit) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want ErrProcessOutputLimit saying %q", err, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "credentials: process: ") {
				t.Errorf("err = %q, want the package prefix", err)
			}
		})
	}
}

// TestProcessOutputFlood runs a command that writes 64 MiB (to stdout, or
// to stderr) before a valid credentials object. The command must be killed
// before it completes (it would create a marker file), and the test process
// must not buffer the flood: it allocates a few MiB at most. The test is
// not parallel so that the allocation count is its own.
func TestProcessOutputFlood(t *testing.T) {
	skipProcess(t)
	const flood = 64 << 20
	for _, stream := range []string{"stdout", "stderr"} {
		t.Run(stream, func(t *testing.T) {
			marker := filepath.Join(t.TempDir(), "completed")
			var stderr countingWriter
			p := Process{Command: helperCommand("sized", stream, strconv.Itoa(flood), marker), Env: helperEnv(), Stderr: &stderr, Now: fixedNow}
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := p.Retrieve(context.Background())
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			noteErr(err)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s flood of %d MiB: %v after %v; allocated %.1f MiB, heap in use %.1f MiB after; %d bytes to Stderr",
				stream, flood>>20, err, elapsed.Round(time.Millisecond), float64(alloc)/(1<<20), float64(after.HeapInuse)/(1<<20), stderr.count())
			if !errors.Is(err, ErrProcessOutputLimit) || !strings.Contains(err.Error(), stream+" exceeded 1 MiB; process killed") {
				t.Errorf("err = %v, want ErrProcessOutputLimit for %s", err, stream)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Error("the command ran to completion; want it killed at the limit")
			}
			if alloc > 16<<20 {
				t.Errorf("allocated %d bytes reading a %d-byte flood; want the 1 MiB limit to bound it", alloc, flood)
			}
			if stderr.count() > 1<<20 {
				t.Errorf("Stderr received %d bytes, more than 1 MiB", stderr.count())
			}
		})
	}
}

// TestLimitWriter checks the writer that enforces the limit on its own,
// whatever way the bytes come: Write, or io.Copy from a reader.
func TestLimitWriter(t *testing.T) {
	tests := []struct {
		writes   []int
		wantKept int
		wantOver bool
	}{
		{writes: []int{10}, wantKept: 10},
		{writes: []int{16}, wantKept: 16},
		{writes: []int{17}, wantKept: 16, wantOver: true},
		{writes: []int{8, 8}, wantKept: 16},
		{writes: []int{8, 8, 1}, wantKept: 16, wantOver: true},
		{writes: []int{0, 20, 5}, wantKept: 16, wantOver: true},
	}
	for _, tt := range tests {
		var kept bytes.Buffer
		killed := 0
		w := &limitWriter{w: &kept, max: 16, stream: "stdout", kill: func() { killed++ }}
		var err error
		for _, n := range tt.writes {
			if _, err = w.Write(bytes.Repeat([]byte{'x'}, n)); err != nil {
				break
			}
		}
		if kept.Len() != tt.wantKept || w.exceeded() != tt.wantOver || (err != nil) != tt.wantOver || killed != map[bool]int{false: 0, true: 1}[tt.wantOver] {
			t.Errorf("writes %v: kept %d, exceeded %v, err %v, killed %d; want %d, %v", tt.writes, kept.Len(), w.exceeded(), err, killed, tt.wantKept, tt.wantOver)
		}
		if tt.wantOver && !errors.Is(noteErr(err), ErrProcessOutputLimit) {
			t.Errorf("writes %v: err = %v, want ErrProcessOutputLimit", tt.writes, err)
		}
	}
}
