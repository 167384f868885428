//go:build e2e

package streaming_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sigv4kit/sigv4kit/sigv4"
)

// bigUpload is the size of the uploads whose memory is measured.
const bigUpload = 100 << 20

// How far objectserver's peak resident memory (VmHWM) may rise above its
// peak after a warm-up upload of the same kind, while it receives a
// 100 MiB upload into its directory backend. Everything streams but a
// signed chunk, which is held until verified, in a buffer that doubles
// as its bytes arrive: with chunks of up to 1 MiB (sigv4kit's 64 KiB, the
// AWS CLI's 1 MiB unsigned ones) the peak barely moves (measured: under
// 1 MiB); with sigv4.MaxChunkSize (16 MiB) signed chunks, the buffer and
// the garbage of its growth take about 33 MiB. An upload held in memory
// would pass 100 MiB.
const (
	rssBoundSmallChunks = 16 << 20
	rssBoundMaxChunks   = 64 << 20
)

// procStatus reads a field of /proc/PID/status in bytes (VmHWM: the peak
// resident set; VmRSS: the current one).
func procStatus(t *testing.T, pid int, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc/%d/status (%v): peak memory is measured on Linux only", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("%s: %q", field, line)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// source is n pseudo-random bytes, the same for the same seed.
func source(seed uint64, n int64) io.Reader {
	var s [32]byte
	s[0] = byte(seed)
	return io.LimitReader(rand.NewChaCha8(s), n)
}

// streamUpload uploads n bytes of source(seed) with SignStreaming and
// returns their SHA-256.
func streamUpload(t *testing.T, s *server, key string, seed uint64, n int64, opts sigv4.StreamOptions) [sha256.Size]byte {
	t.Helper()
	h := sha256.New()
	req, err := http.NewRequest("PUT", s.objectURL(key), io.NopCloser(io.TeeReader(source(seed, n), h)))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = n
	if err := s.signer(t).SignStreaming(context.Background(), req, opts); err != nil {
		t.Fatal(err)
	}
	resp, err := s.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT %s: %d %s", key, resp.StatusCode, body)
	}
	return [sha256.Size]byte(h.Sum(nil))
}

// getSum reads an object back and returns its SHA-256 and length.
func getSum(t *testing.T, s *server, key string) ([sha256.Size]byte, int64) {
	t.Helper()
	h := sha256.New()
	cw := &countWriter{w: h}
	if st, _ := s.get(t, key, cw); st != 200 {
		t.Fatalf("GET %s: %d", key, st)
	}
	return [sha256.Size]byte(h.Sum(nil)), cw.n
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.w.Write(p)
}

// TestUpload100MiBFlatMemory uploads 100 MiB to objectserver -tls with the
// directory backend, in each aws-chunked mode (sigv4kit's SignStreaming,
// with 64 KiB and with 16 MiB signed chunks) and with the AWS CLI when it
// is installed, each to a fresh process, and measures the process's peak
// resident memory (VmHWM) against its peak after a 1 MiB warm-up upload
// of the same kind. It must stay within rssBoundSmallChunks, or
// rssBoundMaxChunks for 16 MiB signed chunks; the object must read back
// with the same SHA-256.
func TestUpload100MiBFlatMemory(t *testing.T) {
	cases := []struct {
		name  string
		opts  sigv4.StreamOptions
		cli   bool
		bound int64
	}{
		{name: "signed 64KiB chunks", opts: sigv4.StreamOptions{Mode: sigv4.StreamSigned}, bound: rssBoundSmallChunks},
		{name: "signed-trailer 16MiB chunks CRC64NVME", opts: sigv4.StreamOptions{Mode: sigv4.StreamSignedTrailer, Checksum: sigv4.ChecksumCRC64NVME, ChunkSize: sigv4.MaxChunkSize},
			bound: rssBoundMaxChunks},
		{name: "unsigned-trailer 64KiB chunks CRC32", opts: sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumCRC32}, bound: rssBoundSmallChunks},
		{name: "aws s3api put-object", cli: true, bound: rssBoundSmallChunks},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, serverOptions{dir: true})
			var upload func(key string, seed uint64, n int64) [sha256.Size]byte
			if c.cli {
				a := newAWSCLI(t, s.endpoint(), nil)
				dir := t.TempDir()
				upload = func(key string, seed uint64, n int64) [sha256.Size]byte {
					p := filepath.Join(dir, key)
					f, err := os.Create(p)
					if err != nil {
						t.Fatal(err)
					}
					h := sha256.New()
					_, err = io.Copy(io.MultiWriter(f, h), source(seed, n))
					if cerr := f.Close(); err == nil {
						err = cerr
					}
					if err != nil {
						t.Fatal(err)
					}
					if _, errOut, err := a.run("s3api", "put-object", "--bucket", bucket, "--key", key, "--body", p); err != nil {
						t.Fatalf("aws s3api put-object: %v: %s", err, errOut)
					}
					os.Remove(p)
					return [sha256.Size]byte(h.Sum(nil))
				}
			} else {
				upload = func(key string, seed uint64, n int64) [sha256.Size]byte {
					return streamUpload(t, s, key, seed, n, c.opts)
				}
			}

			upload("warmup", 1, 1<<20)
			base, baseRSS := procStatus(t, s.PID(), "VmHWM"), procStatus(t, s.PID(), "VmRSS")
			want := upload("big", 2, bigUpload)
			peak := procStatus(t, s.PID(), "VmHWM")
			e := s.entry(t, "PUT", "big")
			got, n := getSum(t, s, "big")
			if n != bigUpload || got != want {
				t.Errorf("GET: %d bytes, SHA-256 equal %t", n, got == want)
			}
			mib := func(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
			t.Logf("%s: objectserver peak RSS %s after the warm-up (RSS %s), %s after 100 MiB: +%s (bound +%s); %s",
				c.name, mib(base), mib(baseRSS), mib(peak), mib(peak-base), mib(c.bound), e.Line)
			if e.Status != 200 || e.Decoded != bigUpload {
				t.Errorf("logged %q", e.Line)
			}
			if peak-base > c.bound {
				t.Errorf("peak RSS rose by %s during a 100 MiB upload, bound %s", mib(peak-base), mib(c.bound))
			}
		})
	}
}
