package objectstore

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

func newTestServer(t *testing.T, b Backend) (*httptest.Server, *sigv4.Signer) {
	t.Helper()
	creds := credentials.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "test/secret"}
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "s3", Regions: []string{"us-east-1"}, Secrets: sigv4.StaticSecrets(creds)})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer((&Server{Backend: b, Verifier: v}).Handler())
	t.Cleanup(ts.Close)
	s, err := sigv4.New(sigv4.Config{Service: "s3", Region: "us-east-1", Credentials: credentials.Static(creds.AccessKeyID, creds.SecretAccessKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	return ts, s
}

func do(t *testing.T, s *sigv4.Signer, method, url string, body []byte, tamper func(*http.Request)) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		req.Body, req.GetBody = nil, nil
	}
	if err := s.Sign(context.Background(), req, ""); err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readAll(t *testing.T, r io.Reader) string {
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestServer(t *testing.T) {
	for name, b := range map[string]func(t *testing.T) Backend{
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
			ts, s := newTestServer(t, b(t))
			base := ts.URL + "/bkt/"
			// PUT, GET, HEAD.
			if r := do(t, s, "PUT", base+"dir/a b+c.txt", []byte("hello"), nil); r.StatusCode != 200 || r.Header.Get("ETag") != `"5d41402abc4b2a76b9719d911017c592"` {
				t.Fatalf("PUT: %d %s %s", r.StatusCode, r.Header.Get("ETag"), readAll(t, r.Body))
			}
			if r := do(t, s, "GET", base+"dir/a b+c.txt", nil, nil); r.StatusCode != 200 || readAll(t, r.Body) != "hello" {
				t.Fatalf("GET: %d", r.StatusCode)
			}
			if r := do(t, s, "HEAD", base+"dir/a b+c.txt", nil, nil); r.StatusCode != 200 || r.ContentLength != 5 {
				t.Fatalf("HEAD: %d %d", r.StatusCode, r.ContentLength)
			}
			// A corrupted body (the signed hash is of "hello") is refused
			// and stores nothing.
			r := do(t, s, "PUT", base+"corrupt.txt", []byte("hello"), func(req *http.Request) {
				req.Body = io.NopCloser(strings.NewReader("HELLO"))
				req.GetBody = nil
			})
			if body := readAll(t, r.Body); r.StatusCode != 400 || !strings.Contains(body, "XAmzContentSHA256Mismatch") {
				t.Fatalf("corrupted PUT: %d %s", r.StatusCode, body)
			}
			if r := do(t, s, "GET", base+"corrupt.txt", nil, nil); r.StatusCode != 404 || !strings.Contains(readAll(t, r.Body), "NoSuchKey") {
				t.Fatalf("corrupted object was stored: %d", r.StatusCode)
			}
			// Listing with pagination and a delimiter.
			for i := range 5 {
				do(t, s, "PUT", fmt.Sprintf("%sk%d", base, i), []byte("x"), nil)
			}
			var page ListBucketResult
			list := func(q string) {
				t.Helper()
				r := do(t, s, "GET", ts.URL+"/bkt?list-type=2&"+q, nil, nil)
				page = ListBucketResult{}
				if err := xml.Unmarshal([]byte(readAll(t, r.Body)), &page); err != nil || r.StatusCode != 200 {
					t.Fatalf("list: %d %v", r.StatusCode, err)
				}
			}
			list("max-keys=4")
			if page.KeyCount != 4 || !page.IsTruncated || page.Contents[0].Key != "dir/a b+c.txt" || page.NextContinuationToken == "" {
				t.Fatalf("page 1: %+v", page)
			}
			list("max-keys=4&continuation-token=" + page.NextContinuationToken)
			if page.KeyCount != 2 || page.IsTruncated || page.Contents[1].Key != "k4" {
				t.Fatalf("page 2: %+v", page)
			}
			list("delimiter=/")
			if len(page.CommonPrefixes) != 1 || page.CommonPrefixes[0].Prefix != "dir/" || len(page.Contents) != 5 {
				t.Fatalf("delimiter: %+v", page)
			}
			// DELETE.
			if r := do(t, s, "DELETE", base+"k0", nil, nil); r.StatusCode != 204 {
				t.Fatalf("DELETE: %d", r.StatusCode)
			}
			if r := do(t, s, "GET", base+"k0", nil, nil); r.StatusCode != 404 {
				t.Fatalf("GET after DELETE: %d", r.StatusCode)
			}
			// Unsigned and wrongly signed requests.
			resp, err := http.Get(base + "k1")
			if err != nil {
				t.Fatal(err)
			}
			if body := readAll(t, resp.Body); resp.StatusCode != 403 || !strings.Contains(body, "AccessDenied") {
				t.Fatalf("anonymous GET: %d %s", resp.StatusCode, body)
			}
			if r := do(t, s, "GET", base+"k1", nil, func(req *http.Request) { req.URL.Path = "/bkt/k2" }); r.StatusCode != 403 {
				t.Fatalf("tampered GET: %d", r.StatusCode)
			}
			if r := do(t, s, "GET", ts.URL+"/nobucket/x", nil, nil); r.StatusCode != 404 || !strings.Contains(readAll(t, r.Body), "NoSuchBucket") {
				t.Fatalf("no bucket: %d", r.StatusCode)
			}
		})
	}
}

// TestPutInterrupted checks that a body cut short leaves no object.
func TestPutInterrupted(t *testing.T) {
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ts, s := newTestServer(t, d)
	req, _ := http.NewRequest("PUT", ts.URL+"/bkt/big", bytes.NewReader(make([]byte, 1000)))
	if err := s.Sign(context.Background(), req, ""); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	req.Write(&buf)
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn.Write(buf.Bytes()[:buf.Len()-500])
	conn.Close()
	time.Sleep(100 * time.Millisecond)
	if objs, _ := d.List("bkt", ""); len(objs) != 0 {
		t.Fatalf("an interrupted PUT stored %v", objs)
	}
}
