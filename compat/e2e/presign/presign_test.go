//go:build e2e

package presign_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/compat/internal/e2eenv"
	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/presign"
)

// server is the S3 server the test talks to, from the environment that
// compat/scripts/e2e.sh sets.
type server struct {
	endpoint, region, accessKey, secretKey, bucket string
}

func getServer(t *testing.T) server {
	t.Helper()
	e := e2eenv.Get(t)
	return server{endpoint: e.Endpoint, region: e.Region, accessKey: e.AccessKey, secretKey: e.SecretKey, bucket: e.Bucket}
}

// presigner returns a Presigner for the server; now, when set, is its clock.
func (s server) presigner(t *testing.T, now func() time.Time) *presign.Presigner {
	t.Helper()
	p, err := presign.New(presign.Config{
		Region:      s.region,
		Endpoint:    s.endpoint,
		Credentials: credentials.Static(s.accessKey, s.secretKey, ""),
		Now:         now,
		Getenv:      func(string) string { return "" },
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var client = &http.Client{Timeout: 30 * time.Second}

// send sends a presigned request the way a client without credentials
// would: the URL, the listed headers, the body.
func send(t *testing.T, r *presign.Request, body []byte, extra http.Header) (int, []byte, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(r.Method, r.URL, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, vv := range r.Header {
		if k == "Content-Length" {
			continue // net/http sends the body's length
		}
		req.Header[k] = vv
	}
	for k, vv := range extra {
		req.Header[k] = vv
	}
	resp := e2eenv.Do(t, client, req)
	return resp.Status, resp.Body, resp.Header
}

func mustOK(t *testing.T, what string, code int, body []byte) {
	t.Helper()
	if code/100 != 2 {
		t.Fatalf("%s: HTTP %d: %s", what, code, body)
	}
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// prefix returns a unique key prefix for a test: the bucket is shared.
func prefix(t *testing.T) string {
	return fmt.Sprintf("presign/%s/%d/", t.Name(), time.Now().UnixNano())
}

func TestGetPutHeadDelete(t *testing.T) {
	s := getServer(t)
	p := s.presigner(t, nil)
	ctx := context.Background()
	key := prefix(t) + "hello.txt"
	body := []byte("hello, presigned world\n")

	put, err := p.PutObject(ctx, s.bucket, key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	code, b, _ := send(t, put, body, nil)
	mustOK(t, "PUT", code, b)

	head, err := p.HeadObject(ctx, s.bucket, key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	code, b, h := send(t, head, nil, nil)
	mustOK(t, "HEAD", code, b)
	if got := h.Get("Content-Length"); got != fmt.Sprint(len(body)) {
		t.Errorf("HEAD Content-Length %s, want %d", got, len(body))
	}

	get, err := p.GetObject(ctx, s.bucket, key, time.Minute,
		presign.ResponseContentDisposition(`attachment; filename="hello world.txt"`))
	if err != nil {
		t.Fatal(err)
	}
	code, b, h = send(t, get, nil, nil)
	mustOK(t, "GET", code, b)
	if !bytes.Equal(b, body) {
		t.Errorf("GET body %q, want %q", b, body)
	}
	if got := h.Get("Content-Disposition"); got != `attachment; filename="hello world.txt"` {
		t.Errorf("GET Content-Disposition %q", got)
	}

	del, err := p.DeleteObject(ctx, s.bucket, key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	code, b, _ = send(t, del, nil, nil)
	mustOK(t, "DELETE", code, b)

	code, _, _ = send(t, get, nil, nil)
	if code != http.StatusNotFound {
		t.Errorf("GET after DELETE: HTTP %d, want 404", code)
	}
}

func TestMultipartUpload(t *testing.T) {
	s := getServer(t)
	p := s.presigner(t, nil)
	ctx := context.Background()
	key := prefix(t) + "big file.bin"
	// Parts other than the last must be at least 5 MiB.
	parts := [][]byte{randomBytes(t, 5<<20), randomBytes(t, 5<<20), randomBytes(t, 1234)}

	create, err := p.CreateMultipartUpload(ctx, s.bucket, key, time.Minute, presign.ContentType("application/x-test"))
	if err != nil {
		t.Fatal(err)
	}
	code, b, _ := send(t, create, nil, nil)
	mustOK(t, "CreateMultipartUpload", code, b)
	var created struct {
		UploadID string `xml:"UploadId"`
	}
	if err := xml.Unmarshal(b, &created); err != nil || created.UploadID == "" {
		t.Fatalf("CreateMultipartUpload response %s: %v", b, err)
	}

	type part struct {
		PartNumber int
		ETag       string
	}
	var done []part
	for i, data := range parts {
		// What a browser gets from the server: one URL per part, the size
		// of the part signed.
		up, err := p.UploadPart(ctx, s.bucket, key, created.UploadID, i+1, time.Minute, presign.ContentLength(int64(len(data))))
		if err != nil {
			t.Fatal(err)
		}
		code, b, h := send(t, up, data, nil)
		mustOK(t, fmt.Sprintf("UploadPart %d", i+1), code, b)
		done = append(done, part{i + 1, h.Get("ETag")})
	}

	var list bytes.Buffer
	list.WriteString("<CompleteMultipartUpload>")
	for _, d := range done {
		fmt.Fprintf(&list, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", d.PartNumber, xmlEscape(d.ETag))
	}
	list.WriteString("</CompleteMultipartUpload>")
	complete, err := p.CompleteMultipartUpload(ctx, s.bucket, key, created.UploadID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	code, b, _ = send(t, complete, list.Bytes(), nil)
	mustOK(t, "CompleteMultipartUpload", code, b)
	if bytes.Contains(b, []byte("<Error>")) {
		t.Fatalf("CompleteMultipartUpload: %s", b)
	}

	get, err := p.GetObject(ctx, s.bucket, key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	code, b, h := send(t, get, nil, nil)
	mustOK(t, "GET", code, nil)
	if want := bytes.Join(parts, nil); !bytes.Equal(b, want) {
		t.Errorf("object has %d bytes, want the %d bytes uploaded in parts (equal: %v)", len(b), len(want), bytes.Equal(b, want))
	}
	if got := h.Get("Content-Type"); got != "application/x-test" {
		t.Errorf("Content-Type %q, want the one of CreateMultipartUpload", got)
	}

	// An aborted upload is gone.
	create2, _ := p.CreateMultipartUpload(ctx, s.bucket, key+".2", time.Minute)
	code, b, _ = send(t, create2, nil, nil)
	mustOK(t, "CreateMultipartUpload 2", code, b)
	if err := xml.Unmarshal(b, &created); err != nil {
		t.Fatal(err)
	}
	abort, err := p.AbortMultipartUpload(ctx, s.bucket, key+".2", created.UploadID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	code, b, _ = send(t, abort, nil, nil)
	mustOK(t, "AbortMultipartUpload", code, b)
	up, _ := p.UploadPart(ctx, s.bucket, key+".2", created.UploadID, 1, time.Minute)
	if code, b, _ := send(t, up, []byte("x"), nil); code/100 == 2 {
		t.Errorf("UploadPart after abort: HTTP %d %s, want an error", code, b)
	}
}

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func TestContentTypeEnforced(t *testing.T) {
	s := getServer(t)
	p := s.presigner(t, nil)
	ctx := context.Background()
	key := prefix(t) + "avatar.png"
	put, err := p.PutObject(ctx, s.bucket, key, time.Minute, presign.ContentType("image/png"))
	if err != nil {
		t.Fatal(err)
	}
	if put.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("Content-Type not reported: %v", put.Header)
	}
	// The same URL with another content type is refused...
	code, b, _ := send(t, put, []byte("<script>alert(1)</script>"), http.Header{"Content-Type": {"text/html"}})
	if code != http.StatusForbidden || !bytes.Contains(b, []byte("SignatureDoesNotMatch")) {
		t.Errorf("PUT with text/html: HTTP %d %s, want 403 SignatureDoesNotMatch", code, b)
	}
	// ... and so is one without it.
	req, _ := http.NewRequest("PUT", put.URL, strings.NewReader("png?"))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("PUT without Content-Type: HTTP %d, want 403", resp.StatusCode)
	}
	// With the signed headers it works.
	code, b, _ = send(t, put, []byte("\x89PNG"), nil)
	mustOK(t, "PUT with image/png", code, b)
	head, _ := p.HeadObject(ctx, s.bucket, key, time.Minute)
	code, b, h := send(t, head, nil, nil)
	mustOK(t, "HEAD", code, b)
	if h.Get("Content-Type") != "image/png" {
		t.Errorf("stored Content-Type %q", h.Get("Content-Type"))
	}
}

func TestContentLengthEnforced(t *testing.T) {
	s := getServer(t)
	p := s.presigner(t, nil)
	put, err := p.PutObject(context.Background(), s.bucket, prefix(t)+"sized", time.Minute, presign.ContentLength(4))
	if err != nil {
		t.Fatal(err)
	}
	if code, b, _ := send(t, put, []byte("12345"), nil); code != http.StatusForbidden {
		t.Errorf("PUT of 5 bytes signed for 4: HTTP %d %s, want 403", code, b)
	}
	code, b, _ := send(t, put, []byte("1234"), nil)
	mustOK(t, "PUT of 4 bytes", code, b)
}

// compatKeys is the key list of the compat issue.
var compatKeys = []string{
	"with space.txt",
	"ünïcödé-日本.txt",
	"plus+sign.txt",
	"eq=ual.txt",
	"tilde~x.txt",
	"per%cent.txt",
	"per%20cent.txt",
	"mix a+b=c~d%e&f?g#h.txt",
	"semi;colon,comma!bang'quote(paren)*star@at$dollar.txt",
	"a/b/c/deep.txt",
}

func TestEveryKey(t *testing.T) {
	s := getServer(t)
	p := s.presigner(t, nil)
	ctx := context.Background()
	dir := prefix(t)
	for _, k := range compatKeys {
		t.Run(k, func(t *testing.T) {
			key := dir + k
			body := []byte("content of " + k)
			put, err := p.PutObject(ctx, s.bucket, key, time.Minute, presign.ContentType("text/plain; charset=utf-8"))
			if err != nil {
				t.Fatal(err)
			}
			code, b, _ := send(t, put, body, nil)
			mustOK(t, "PUT", code, b)
			get, err := p.GetObject(ctx, s.bucket, key, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			code, b, _ = send(t, get, nil, nil)
			mustOK(t, "GET", code, b)
			if !bytes.Equal(b, body) {
				t.Errorf("GET %q: %q, want %q", key, b, body)
			}
		})
	}
	// The listing has every key exactly as given.
	list, err := p.ListObjectsV2(ctx, s.bucket, time.Minute, presign.Prefix(dir))
	if err != nil {
		t.Fatal(err)
	}
	code, b, _ := send(t, list, nil, nil)
	mustOK(t, "ListObjectsV2", code, b)
	var res struct {
		Contents []struct{ Key string }
	}
	if err := xml.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, c := range res.Contents {
		got[strings.TrimPrefix(c.Key, dir)] = true
	}
	for _, k := range compatKeys {
		if !got[k] {
			t.Errorf("key %q missing from the listing %v", k, got)
		}
	}
}

func TestExpiredURLRefused(t *testing.T) {
	s := getServer(t)
	ctx := context.Background()
	key := prefix(t) + "expiring.txt"
	put, err := s.presigner(t, nil).PutObject(ctx, s.bucket, key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	code, b, _ := send(t, put, []byte("x"), nil)
	mustOK(t, "PUT", code, b)

	// Signed an hour ago for a minute: expired 59 minutes ago.
	past := s.presigner(t, func() time.Time { return time.Now().Add(-time.Hour) })
	get, err := past.GetObject(ctx, s.bucket, key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if code, b, _ := send(t, get, nil, nil); code != http.StatusForbidden {
		t.Errorf("expired URL: HTTP %d %s, want 403", code, b)
	}
	// A URL that lives one second, used after it.
	short, err := s.presigner(t, nil).GetObject(ctx, s.bucket, key, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond)
	if code, b, _ := send(t, short, nil, nil); code != http.StatusForbidden {
		t.Errorf("URL used after its second: HTTP %d %s, want 403", code, b)
	}
}

func TestTamperedURLRefused(t *testing.T) {
	s := getServer(t)
	p := s.presigner(t, nil)
	get, err := p.GetObject(context.Background(), s.bucket, prefix(t)+"a.txt", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tampered := *get
	tampered.URL = strings.Replace(get.URL, "/a.txt?", "/b.txt?", 1)
	if code, b, _ := send(t, &tampered, nil, nil); code != http.StatusForbidden {
		t.Errorf("tampered URL: HTTP %d %s, want 403", code, b)
	}
}
