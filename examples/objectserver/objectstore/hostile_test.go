package objectstore

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/policy"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

const (
	// hostileConcurrency is the number of hostile requests in flight at
	// once in TestHostilePostForms.
	hostileConcurrency = 8
	// hostileHeapBudget bounds the growth of the heap (live and not yet
	// collected, sampled every millisecond) while hostileConcurrency
	// anonymous hostile forms are refused: each may hold at most
	// policy.DefaultMaxFieldBytes of form before it is refused, plus
	// the parser's and the connection's buffers, and the garbage of
	// parsing; the rest is headroom for the garbage collector's pacing.
	// Measured on the forms below: 1–4 MiB. Before the limit counted part
	// headers, eight 9 MiB part headers grew the heap by 215–229 MiB.
	hostileHeapBudget = 8 << 20
	// readBuffer is mime/multipart's read buffer (its peekBufferSize):
	// the most the verifier may read past the limit.
	readBuffer      = 4096
	hostileBoundary = "hostileboundary"
)

// hostileForm is an anonymous POST form that must be refused before its
// size is a problem: gen returns a fresh generator of its body, one chunk
// per call (nil at the end), so that no test allocation hides the
// server's.
type hostileForm struct {
	name string
	gen  func() func() []byte
}

// repeated returns a generator of head, n copies of unit, then tail.
func repeated(head, unit string, n int, tail string) func() func() []byte {
	return func() func() []byte {
		i := -1
		u := []byte(strings.Repeat(unit, max(1, 4096/len(unit))))
		per := len(u) / len(unit)
		left := n
		return func() []byte {
			i++
			switch {
			case i == 0:
				return []byte(head)
			case left > 0:
				k := min(left, per)
				left -= k
				return u[:k*len(unit)]
			case left == 0:
				left = -1
				return []byte(tail)
			}
			return nil
		}
	}
}

// numbered returns a generator of n parts, the i-th made by
// appending head, i and tail, then the file part. It reuses one buffer.
func numbered(n int, head, tail string) func() func() []byte {
	return func() func() []byte {
		i := 0
		var buf []byte
		return func() []byte {
			switch {
			case i < n:
				buf = append(strconv.AppendInt(append(buf[:0], head...), int64(i), 10), tail...)
				i++
				return buf
			case i == n:
				i++
				return []byte(filePart)
			}
			return nil
		}
	}
}

const filePart = "--" + hostileBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\nx\r\n--" + hostileBoundary + "--\r\n"

// genReader reads a generator's chunks.
type genReader struct {
	next func() []byte
	cur  []byte
	done bool
}

func (g *genReader) Read(p []byte) (int, error) {
	for len(g.cur) == 0 {
		if g.done {
			return 0, io.EOF
		}
		if g.cur = g.next(); g.cur == nil {
			g.done = true
		}
	}
	n := copy(p, g.cur)
	g.cur = g.cur[n:]
	return n, nil
}

func (h hostileForm) size() int64 {
	n, _ := io.Copy(io.Discard, &genReader{next: h.gen()})
	return n
}

var hostileForms = []hostileForm{
	{"9 MiB part header", repeated(
		"--"+hostileBoundary+"\r\nContent-Disposition: form-data; name=\"x-ignore-a\"; pad=\"", "a", 9<<20,
		"\"\r\n\r\nv\r\n"+filePart)},
	{"1000 parts with 8 KiB headers", numbered(1000,
		"--"+hostileBoundary+"\r\nContent-Disposition: form-data; name=\"x-ignore-",
		"\"\r\nX-Pad: "+strings.Repeat("p", 8<<10)+"\r\n\r\nv\r\n")},
	{"20000 tiny parts", numbered(20000,
		"--"+hostileBoundary+"\r\nContent-Disposition: form-data; name=\"x-ignore-",
		"\"\r\n\r\n\r\n")},
	{"32 MiB before the first boundary", repeated("", "gap\r\n", (32<<20)/5, filePart)},
	{"32 MiB field value", repeated(
		"--"+hostileBoundary+"\r\nContent-Disposition: form-data; name=\"x-ignore-v\"\r\n\r\n", "v", 32<<20,
		"\r\n"+filePart)},
}

// countingBody counts the bytes the handler reads from a request body.
type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestHostilePostForms sends hostileConcurrency anonymous hostile forms at
// once to objectserver's handler (configured as main.go configures it) over
// real HTTP, and checks that each is refused with
// MaxPostPreDataLengthExceeded after reading at most the limit and one read
// buffer of its body, and that the heap grows by at most hostileHeapBudget.
func TestHostilePostForms(t *testing.T) {
	creds := credentials.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "test/secret"}
	secrets := sigv4.StaticSecrets(creds)
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "s3", Regions: []string{"us-east-1"}, Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	backend := NewMemory()
	if err := backend.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var codes []string
	srv := &Server{Backend: backend, Verifier: v,
		PostPolicy: &policy.Verifier{Lookup: secrets.LookupSecret, Region: "us-east-1"},
		Log: func(_ *http.Request, status int, code string) {
			mu.Lock()
			codes = append(codes, fmt.Sprintf("%d %s", status, code))
			mu.Unlock()
		}}
	h := srv.Handler()
	var readMu sync.Mutex
	var read []int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n atomic.Int64
		r2 := *r // leave the server's own request (and its body handling) alone
		r2.Body = countingBody{r.Body, &n}
		h.ServeHTTP(w, &r2)
		readMu.Lock()
		read = append(read, n.Load())
		readMu.Unlock()
	}))
	defer ts.Close()
	client := ts.Client()

	for _, hf := range hostileForms {
		t.Run(hf.name, func(t *testing.T) {
			mu.Lock()
			codes = nil
			mu.Unlock()
			readMu.Lock()
			read = nil
			readMu.Unlock()
			size := hf.size()

			runtime.GC()
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			var peak atomic.Uint64
			peak.Store(before.HeapAlloc)
			stop := make(chan struct{})
			sampled := make(chan struct{})
			go func() {
				defer close(sampled)
				var ms runtime.MemStats
				tick := time.NewTicker(time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
						runtime.ReadMemStats(&ms)
						if ms.HeapAlloc > peak.Load() {
							peak.Store(ms.HeapAlloc)
						}
					}
				}
			}()

			start := time.Now()
			var wg sync.WaitGroup
			for range hostileConcurrency {
				wg.Go(func() {
					ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
					defer cancel()
					req, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/bkt", &genReader{next: hf.gen()})
					if err != nil {
						t.Error(err)
						return
					}
					req.ContentLength = size
					req.Header.Set("Content-Type", "multipart/form-data; boundary="+hostileBoundary)
					// The server may close the connection while the
					// body is still being sent; its verdict is in codes.
					if resp, err := client.Do(req); err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				})
			}
			wg.Wait()
			// A client may see the answer before its handler returns.
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
				readMu.Lock()
				n := len(read)
				readMu.Unlock()
				if n == hostileConcurrency {
					break
				}
			}
			elapsed := time.Since(start)
			close(stop)
			<-sampled
			runtime.GC()
			var after runtime.MemStats
			runtime.ReadMemStats(&after)

			growth := int64(peak.Load()) - int64(before.HeapAlloc)
			mu.Lock()
			gotCodes := append([]string(nil), codes...)
			mu.Unlock()
			readMu.Lock()
			var maxRead int64
			for _, n := range read {
				maxRead = max(maxRead, n)
			}
			readMu.Unlock()
			t.Logf("%d × %d-byte body: peak heap growth %.1f MiB, allocated %.1f MiB, at most %d bytes read per request, %v; codes %v",
				hostileConcurrency, size, float64(growth)/(1<<20), float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), maxRead, elapsed.Round(time.Millisecond), gotCodes)

			want := fmt.Sprintf("%d %s", http.StatusBadRequest, policy.CodeMaxPostPreDataLengthExceeded)
			if len(gotCodes) != hostileConcurrency {
				t.Errorf("%d requests answered, want %d", len(gotCodes), hostileConcurrency)
			}
			for _, c := range gotCodes {
				if c != want {
					t.Errorf("answered %q, want %q", c, want)
				}
			}
			if limit := int64(policy.DefaultMaxFieldBytes + readBuffer); maxRead > limit {
				t.Errorf("read %d bytes of a request body, want at most %d", maxRead, limit)
			}
			if growth > hostileHeapBudget {
				t.Errorf("the heap grew by %d bytes, want at most %d", growth, hostileHeapBudget)
			}
		})
	}
}
