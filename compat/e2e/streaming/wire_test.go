//go:build e2e

package streaming_test

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// tap is a TLS-terminating TCP proxy in front of a plain-HTTP objectserver:
// clients see an HTTPS endpoint (so they send what they send over
// HTTPS), and every byte they send is recorded, to be parsed back into
// requests, their headers and their aws-chunked framing.
type tap struct {
	ln       net.Listener
	CertFile string
	mu       sync.Mutex
	conns    []*bytes.Buffer
}

// startTap starts a tap on 127.0.0.1 forwarding to target (host:port),
// with a self-signed certificate of its own, written to a PEM file.
func startTap(t *testing.T, target string) *tap {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	tp := &tap{CertFile: filepath.Join(t.TempDir(), "tap.pem")}
	if err := os.WriteFile(tp.CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	if tp.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { tp.ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := tp.ln.Accept()
			if err != nil {
				return
			}
			rec := &bytes.Buffer{}
			tp.mu.Lock()
			tp.conns = append(tp.conns, rec)
			tp.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				tp.proxy(tls.Server(c, cfg), target, rec)
			}()
		}
	}()
	return tp
}

// lockedWriter appends to a buffer under the tap's lock.
type lockedWriter struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (tp *tap) proxy(client *tls.Conn, target string, rec *bytes.Buffer) {
	defer client.Close()
	upstream, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer upstream.Close()
	go func() {
		io.Copy(upstream, io.TeeReader(client, lockedWriter{&tp.mu, rec}))
		upstream.(*net.TCPConn).CloseWrite()
	}()
	io.Copy(client, upstream)
}

// wireRequest is a request as a client sent it.
type wireRequest struct {
	Method, Path     string
	Header           http.Header
	ContentLength    int64 // -1: not sent
	TransferEncoding []string
	Body             []byte // without HTTP's chunked framing
}

// request waits for the client's request "METHOD path" to have arrived
// whole and returns it.
func (tp *tap) request(t *testing.T, method, path string) wireRequest {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		tp.mu.Lock()
		var raws [][]byte
		for _, c := range tp.conns {
			raws = append(raws, bytes.Clone(c.Bytes()))
		}
		tp.mu.Unlock()
		for _, raw := range raws {
			br := bufio.NewReader(bytes.NewReader(raw))
			for {
				req, err := http.ReadRequest(br)
				if err != nil {
					break
				}
				body, err := io.ReadAll(req.Body)
				if err != nil {
					break // not all here yet
				}
				if req.Method == method && req.URL.Path == path {
					cl := req.ContentLength
					if req.Header.Get("Content-Length") == "" {
						cl = -1
					}
					return wireRequest{Method: req.Method, Path: req.URL.Path, Header: req.Header, ContentLength: cl,
						TransferEncoding: req.TransferEncoding, Body: body}
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tap saw no whole %s %s within 10 s", method, path)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// framing is an aws-chunked body's structure.
type framing struct {
	Sizes   []int64  // the data chunks' sizes, in order (the final 0 not included)
	Signed  bool     // the size lines carry chunk signatures
	Trailer []string // the lines after the final chunk, but the empty one
}

// parseFraming parses an aws-chunked body, leniently: this is for the
// record, the Verifier is what checks.
func parseFraming(t *testing.T, body []byte) framing {
	t.Helper()
	var f framing
	for pos := 0; ; {
		i := bytes.Index(body[pos:], []byte("\r\n"))
		if i < 0 {
			t.Fatalf("no size line at %d of %d", pos, len(body))
		}
		line := string(body[pos : pos+i])
		sizeHex, ext, signed := strings.Cut(line, ";")
		if signed && !strings.HasPrefix(ext, "chunk-signature=") {
			t.Fatalf("size line %q", line)
		}
		f.Signed = signed
		n, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil {
			t.Fatalf("size line %q: %v", line, err)
		}
		pos += i + 2
		if n == 0 {
			for _, l := range strings.Split(string(body[pos:]), "\r\n") {
				if l = strings.TrimSpace(l); l != "" {
					f.Trailer = append(f.Trailer, l)
				}
			}
			return f
		}
		f.Sizes = append(f.Sizes, n)
		pos += int(n) + 2
	}
}

// String is the chunk sizes, run-length encoded: "3×1048576, 1×5".
func (f framing) String() string {
	var parts []string
	for i := 0; i < len(f.Sizes); {
		j := i
		for j < len(f.Sizes) && f.Sizes[j] == f.Sizes[i] {
			j++
		}
		parts = append(parts, fmt.Sprintf("%d×%d", j-i, f.Sizes[i]))
		i = j
	}
	if len(parts) == 0 {
		return "no data chunk"
	}
	return strings.Join(parts, ", ")
}

// describe is what a request's headers say about its body.
func (r wireRequest) describe() string {
	var b strings.Builder
	cl := "none"
	if r.ContentLength >= 0 {
		cl = strconv.FormatInt(r.ContentLength, 10)
	}
	fmt.Fprintf(&b, "Content-Length: %s; Transfer-Encoding: %q", cl, r.TransferEncoding)
	for _, h := range []string{"Content-Encoding", "X-Amz-Content-Sha256", "X-Amz-Decoded-Content-Length", "X-Amz-Trailer", "X-Amz-Sdk-Checksum-Algorithm", "Content-Md5", "Expect"} {
		if v := r.Header.Get(h); v != "" {
			fmt.Fprintf(&b, "; %s: %s", h, v)
		}
	}
	for k, v := range r.Header {
		if strings.HasPrefix(k, "X-Amz-Checksum-") {
			fmt.Fprintf(&b, "; %s: %s", k, v[0])
		}
	}
	return b.String()
}

// TestWireFormat records what the AWS CLI and @aws-sdk/client-s3 send over
// HTTPS at their defaults, through a recording TLS proxy in front of
// objectserver, and logs it (run with -v): the headers that describe the
// body, and the aws-chunked framing (chunk sizes, trailer). It asserts
// what objectserver relies on and the README states: the AWS CLI sends
// Transfer-Encoding: chunked with no Content-Length, unsigned 1 MiB
// chunks and a CRC32 trailer; node's SDK sends a stream as unsigned
// chunks with a CRC32 trailer and a Buffer as a plain body with an
// x-amz-checksum-crc32 header.
func TestWireFormat(t *testing.T) {
	s := startServer(t, serverOptions{noTLS: true})
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	tp := startTap(t, u.Host)
	ep := endpoint{URL: "https://" + tp.ln.Addr().String(), CertFile: tp.CertFile, AccessKey: s.AccessKey, SecretKey: s.SecretKey}
	tmp := t.TempDir()
	const size = 3<<20 + 5

	t.Run("aws", func(t *testing.T) {
		a := newAWSCLI(t, ep, nil)
		file, data := randomFile(t, tmp, "aws", size)
		for _, args := range [][]string{
			{"s3api", "put-object", "--bucket", bucket, "--key", "wire/aws-put-object", "--body", file},
			{"s3", "cp", file, "s3://" + bucket + "/wire/aws-cp", "--no-progress"},
		} {
			if _, errOut, err := a.run(args...); err != nil {
				t.Fatalf("aws %s: %v: %s", strings.Join(args, " "), err, errOut)
			}
		}
		for _, key := range []string{"wire/aws-put-object", "wire/aws-cp"} {
			r := tp.request(t, "PUT", "/"+bucket+"/"+key)
			f := parseFraming(t, r.Body)
			t.Logf("%s: %s\n\tchunks: %s, final 0; trailer %q", key, r.describe(), f, f.Trailer)
			if r.ContentLength != -1 || len(r.TransferEncoding) != 1 || r.TransferEncoding[0] != "chunked" ||
				r.Header.Get("Content-Encoding") != "aws-chunked" || r.Header.Get("X-Amz-Content-Sha256") != "STREAMING-UNSIGNED-PAYLOAD-TRAILER" ||
				r.Header.Get("X-Amz-Decoded-Content-Length") != strconv.Itoa(size) || r.Header.Get("X-Amz-Trailer") != "x-amz-checksum-crc32" {
				t.Errorf("%s: %s", key, r.describe())
			}
			var total int64
			for i, n := range f.Sizes {
				total += n
				if i < len(f.Sizes)-1 && n != 1<<20 {
					t.Errorf("%s: chunk %d has %d bytes, want 1 MiB", key, i, n)
				}
			}
			if f.Signed || total != size || len(f.Trailer) != 1 || f.Trailer[0] != "x-amz-checksum-crc32:"+checksumOf("CRC32", data) {
				t.Errorf("%s: signed %t, %d bytes, trailer %q", key, f.Signed, total, f.Trailer)
			}
			expectMode(t, s.entry(t, "PUT", key), "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "", "CRC32", "trailer", size)
		}
	})

	t.Run("node", func(t *testing.T) {
		file, data := randomFile(t, tmp, "node", size)
		res := runNode(t, ep, []nodeOp{
			{Op: "put", Key: "wire/node-stream", File: file, Body: "stream"},
			{Op: "put", Key: "wire/node-buffer", File: file, Body: "buffer"},
		})
		for _, r := range res {
			if !r.OK {
				t.Fatalf("%s: %+v", r.Key, r.Error)
			}
		}
		r := tp.request(t, "PUT", "/"+bucket+"/wire/node-stream")
		f := parseFraming(t, r.Body)
		t.Logf("wire/node-stream: %s\n\tchunks: %s, final 0; trailer %q", r.describe(), f, f.Trailer)
		var total int64
		for _, n := range f.Sizes {
			total += n
		}
		if r.Header.Get("Content-Encoding") != "aws-chunked" || r.Header.Get("X-Amz-Content-Sha256") != "STREAMING-UNSIGNED-PAYLOAD-TRAILER" ||
			r.Header.Get("X-Amz-Trailer") != "x-amz-checksum-crc32" || f.Signed || total != size ||
			len(f.Trailer) != 1 || f.Trailer[0] != "x-amz-checksum-crc32:"+checksumOf("CRC32", data) {
			t.Errorf("wire/node-stream: %s; signed %t, %d bytes, trailer %q", r.describe(), f.Signed, total, f.Trailer)
		}
		r = tp.request(t, "PUT", "/"+bucket+"/wire/node-buffer")
		t.Logf("wire/node-buffer: %s", r.describe())
		if r.Header.Get("Content-Encoding") == "aws-chunked" || r.ContentLength != size || !bytes.Equal(r.Body, data) ||
			r.Header.Get("X-Amz-Checksum-Crc32") != checksumOf("CRC32", data) || len(r.Header.Get("X-Amz-Content-Sha256")) != 64 {
			t.Errorf("wire/node-buffer: %s", r.describe())
		}
	})
}
