package objectstore

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/sigv4"
)

// pathSigned returns a PUT of body signed (or presigned) for path on ts.
func pathSigned(t *testing.T, s *sigv4.Signer, ts *httptest.Server, path string, body []byte, presign bool) *http.Request {
	t.Helper()
	req, err := http.NewRequest("PUT", ts.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if !presign {
		if err := s.Sign(context.Background(), req, ""); err != nil {
			t.Fatal(err)
		}
		return req
	}
	p, err := s.Presign(context.Background(), req, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	preq, err := http.NewRequest(p.Method, p.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vv := range p.Header {
		if k != "Content-Length" {
			preq.Header[k] = vv
		}
	}
	return preq
}

// pathSendRaw writes req on a new TCP connection to ts with target
// (verbatim) as its path, and returns the answer's status and body.
func pathSendRaw(t *testing.T, ts *httptest.Server, req *http.Request, target string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if req.URL.RawQuery != "" {
		target += "?" + req.URL.RawQuery
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", req.Method, target, req.URL.Host)
	if err := req.Header.Write(&b); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\nConnection: close\r\n\r\n", len(body))
	b.Write(body)
	if _, err := conn.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(out)
}

// TestPathIsTheSignedOne: a PUT signed for one bucket and key lands under
// exactly that bucket and key, whatever wire spelling of its path it is
// sent with, and is refused when the wire path means another one.
func TestPathIsTheSignedOne(t *testing.T) {
	for name, newBackend := range map[string]func(t *testing.T) Backend{
		"memory": func(*testing.T) Backend { return NewMemory() },
		"dir": func(t *testing.T) Backend {
			d, err := NewDir(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return d
		},
	} {
		t.Run(name, func(t *testing.T) {
			b := newBackend(t)
			ts, s := newTestServer(t, b)
			if err := b.CreateBucket("other"); err != nil {
				t.Fatal(err)
			}
			for _, presign := range []bool{false, true} {
				// Spellings of /bkt/x/y: stored as bucket bkt, key x/y.
				for i, wire := range []string{"/bkt/x/y", "/bkt%2Fx/y", "/bkt/x%2Fy", "/bkt%2fx%2Fy", "/%62kt/x/y"} {
					body := fmt.Sprintf("body %d %v", i, presign)
					status, resp := pathSendRaw(t, ts, pathSigned(t, s, ts, "/bkt/x/y", []byte(body), presign), wire)
					if status != http.StatusOK {
						t.Errorf("presigned=%v: PUT signed for /bkt/x/y sent as %s: %d %s", presign, wire, status, resp)
						continue
					}
					c, o, err := b.Get("bkt", "x/y")
					if err != nil {
						t.Errorf("presigned=%v: sent as %s: bkt/x/y: %v", presign, wire, err)
						continue
					}
					got, _ := io.ReadAll(c)
					c.Close()
					if string(got) != body || o.Key != "x/y" {
						t.Errorf("presigned=%v: sent as %s: bkt/x/y is %q (key %q), want %q", presign, wire, got, o.Key, body)
					}
				}
				// Paths that mean another bucket or key: refused.
				for _, wire := range []string{"/other/k", "/bkt/../other/k", "/bkt%2F..%2Fother/k", "/other%2F..%2Fbkt/k", "/bkt/./k", "/bkt//k", "/bkt/k/"} {
					status, resp := pathSendRaw(t, ts, pathSigned(t, s, ts, "/bkt/k", []byte("stray"), presign), wire)
					if status != http.StatusForbidden {
						t.Errorf("presigned=%v: PUT signed for /bkt/k sent as %s: %d %s, want 403", presign, wire, status, resp)
					}
				}
			}
			if buckets, err := b.Buckets(); err != nil || !slices.Equal(buckets, []string{"bkt", "other"}) {
				t.Errorf("buckets %q, %v; want bkt and other", buckets, err)
			}
			for bucket, want := range map[string][]string{"bkt": {"x/y"}, "other": nil} {
				objs, err := b.List(bucket, "")
				var keys []string
				for _, o := range objs {
					keys = append(keys, o.Key)
				}
				if err != nil || !slices.Equal(keys, want) {
					t.Errorf("bucket %s holds %q, %v; want %q", bucket, keys, err, want)
				}
			}
		})
	}
}
