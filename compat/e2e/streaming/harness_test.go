//go:build e2e

// Package streaming_test runs real S3 clients against examples/objectserver
// started with -tls: the AWS CLI on the machine (botocore) and
// @aws-sdk/client-s3 run with node, at their defaults and with the options
// that change what they send, and sigv4kit's own encoder. Every upload is
// read back byte for byte, and objectserver's log says which aws-chunked
// mode and checksum it received, which the tests assert. Uploads corrupted
// on the wire are refused with S3's codes and store nothing; a 100 MiB
// upload keeps objectserver's memory flat.
//
// The tests build objectserver and start it themselves, on 127.0.0.1 with a
// free port and fresh random keys: they need no versitygw, and run with
// `go test -tags e2e ./e2e/streaming/` as well as under compat/scripts/e2e.sh.
// Without the aws command they skip its tests with a message; node's
// package (@aws-sdk/client-s3, pinned by package-lock.json) is installed
// into node_modules by compat/scripts/streaming-setup.sh, which `make e2e`
// runs first. Without it the node test skips, or fails when
// SIGV4_E2E_REQUIRE is set (as e2e.sh sets it).
package streaming_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/compat/internal/gobuild"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

const (
	region = "us-east-1"
	bucket = "bkt"
)

var objectserverBin = gobuild.Binary{Pkg: "github.com/sigv4kit/sigv4kit/examples/objectserver"}

func TestMain(m *testing.M) { objectserverBin.Main(m) }

// objectserverBinary builds examples/objectserver once and returns its path.
func objectserverBinary(t *testing.T) string {
	t.Helper()
	return objectserverBin.Path(t)
}

// server is a running objectserver process.
type server struct {
	URL       string // https://127.0.0.1:PORT (http:// without TLS)
	CertFile  string // the certificate's PEM, with TLS
	Roots     *x509.CertPool
	AccessKey string
	SecretKey string
	Dir       string // the directory backend's root, "" in memory
	cmd       *exec.Cmd

	mu    sync.Mutex
	lines []string // stderr: the request log
}

// serverOptions choose how objectserver runs.
type serverOptions struct {
	noTLS bool // plain HTTP
	dir   bool // the directory backend (else memory)
}

// randomKey returns n random characters of alphabet.
func randomKey(n int, alphabet string) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// startServer starts objectserver on a free port of 127.0.0.1 with fresh
// random keys and the bucket "bkt", and stops it (by its PID) when the test
// ends.
func startServer(t *testing.T, opts serverOptions) *server {
	t.Helper()
	tmp := t.TempDir()
	s := &server{
		AccessKey: "AKST" + randomKey(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
		SecretKey: randomKey(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
	}
	args := []string{"-listen", "127.0.0.1:0", "-bucket", bucket, "-region", region}
	if !opts.noTLS {
		s.CertFile = filepath.Join(tmp, "objectserver.pem")
		args = append(args, "-tls", "-tls-cert-out", s.CertFile)
	}
	if opts.dir {
		s.Dir = filepath.Join(tmp, "data")
		if err := os.Mkdir(s.Dir, 0o755); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-dir", s.Dir)
	}
	cmd := exec.Command(objectserverBinary(t), args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "OBJECTSERVER_ACCESS_KEY_ID=" + s.AccessKey, "OBJECTSERVER_SECRET_ACCESS_KEY=" + s.SecretKey}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.cmd = cmd
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.mu.Lock()
			s.lines = append(s.lines, sc.Text())
			s.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-logDone
		cmd.Wait()
		if t.Failed() {
			s.mu.Lock()
			t.Logf("objectserver log:\n%s", strings.Join(s.lines, "\n"))
			s.mu.Unlock()
		}
	})

	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), "listening on "); ok {
				u, _, _ = strings.Cut(u, " ")
				found <- u
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			t.Fatal("objectserver exited without listening")
		}
		s.URL = u
	case <-time.After(30 * time.Second):
		t.Fatal("objectserver did not print its address within 30 s")
	}
	if !opts.noTLS {
		pem, err := os.ReadFile(s.CertFile)
		if err != nil {
			t.Fatal(err)
		}
		s.Roots = x509.NewCertPool()
		if !s.Roots.AppendCertsFromPEM(pem) {
			t.Fatalf("%s holds no certificate", s.CertFile)
		}
	}
	return s
}

// endpoint is where a client sends its requests, and with which keys.
type endpoint struct {
	URL       string
	CertFile  string // the PEM to trust, "" for plain HTTP
	AccessKey string
	SecretKey string
}

// endpoint is the server's own.
func (s *server) endpoint() endpoint {
	return endpoint{URL: s.URL, CertFile: s.CertFile, AccessKey: s.AccessKey, SecretKey: s.SecretKey}
}

// PID is the server process's.
func (s *server) PID() int { return s.cmd.Process.Pid }

// logEntry is one request of objectserver's log.
type logEntry struct {
	Line     string
	Status   int
	Code     string // S3 error code, "" on success
	Stream   string // the aws-chunked mode's payload line, "" for a plain body
	Payload  string // a plain body's payload line: SHA256, UNSIGNED-PAYLOAD
	Decoded  int64  // the aws-chunked body's decoded length
	Checksum string // CRC32, ..., "" for none
	Value    string
	Where    string // header or trailer
	Verified bool
}

var logRE = regexp.MustCompile(`-> (\d+)( [A-Za-z]+)?(?: stream=(\S+) decoded-length=(\d+))?(?: payload=(\S+))?(?: checksum=(\w+):(\S*) \((header|trailer), verified=(true|false)\))?$`)

// entry waits for the log line of the request "METHOD /bkt/key" and parses
// it.
func (s *server) entry(t *testing.T, method, key string) logEntry {
	t.Helper()
	want := " " + method + " /" + bucket + "/" + key + " -> "
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		var line string
		for _, l := range s.lines {
			if strings.Contains(l, want) {
				line = l
			}
		}
		s.mu.Unlock()
		if line != "" {
			m := logRE.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("log line %q not understood", line)
			}
			e := logEntry{Line: line[strings.Index(line, want)+1:], Code: strings.TrimSpace(m[2]), Stream: m[3], Payload: m[5],
				Checksum: m[6], Value: m[7], Where: m[8], Verified: m[9] == "true"}
			e.Status, _ = strconv.Atoi(m[1])
			e.Decoded, _ = strconv.ParseInt(m[4], 10, 64)
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line for %s /%s/%s within 10 s", method, bucket, key)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// signer signs with the server's keys.
func (s *server) signer(t *testing.T) *sigv4.Signer {
	t.Helper()
	sg, err := sigv4.New(sigv4.Config{Service: "s3", Region: region, Credentials: credentials.Static(s.AccessKey, s.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	return sg
}

// tlsConfig trusts the server's certificate.
func (s *server) tlsConfig() *tls.Config { return &tls.Config{RootCAs: s.Roots} }

// client is an HTTP client that trusts the server.
func (s *server) client() *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: s.tlsConfig()}, Timeout: 5 * time.Minute}
}

// objectURL is the object's path-style URL.
func (s *server) objectURL(key string) string { return s.URL + "/" + bucket + "/" + key }

// get reads an object with sigv4kit, asking for its checksum
// (x-amz-checksum-mode: ENABLED); the body is written to w.
func (s *server) get(t *testing.T, key string, w io.Writer) (int, http.Header) {
	t.Helper()
	req, err := http.NewRequest("GET", s.objectURL(key), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Checksum-Mode", "ENABLED")
	if err := s.signer(t).Sign(context.Background(), req, ""); err != nil {
		t.Fatal(err)
	}
	resp, err := s.client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header
}

// getBytes reads an object whole.
func (s *server) getBytes(t *testing.T, key string) (int, []byte, http.Header) {
	t.Helper()
	var b strings.Builder
	status, h := s.get(t, key, &b)
	return status, []byte(b.String()), h
}

// checkStored reads key back with sigv4kit: the bytes must be data, and the
// object's checksum the one objectserver logged for the upload.
func (s *server) checkStored(t *testing.T, key string, data []byte, e logEntry) {
	t.Helper()
	status, got, h := s.getBytes(t, key)
	if status != 200 || string(got) != string(data) {
		t.Errorf("%s: GET %d, %d bytes back of %d, equal %t", key, status, len(got), len(data), string(got) == string(data))
	}
	alg := sigv4.ChecksumAlgorithm(e.Checksum)
	if alg == "" {
		alg = sigv4.ChecksumCRC64NVME // what S3 and objectserver compute when none was sent
	}
	want := checksumOf(alg, data)
	if e.Value != "" && e.Value != want {
		t.Errorf("%s: the client sent %s %s, the bytes' is %s", key, alg, e.Value, want)
	}
	if got := h.Get(alg.HeaderName()); got != want {
		t.Errorf("%s: GET answered %s: %q, want %q", key, alg.HeaderName(), got, want)
	}
}

// checksumOf is data's checksum, base64.
func checksumOf(alg sigv4.ChecksumAlgorithm, data []byte) string {
	h := alg.New()
	h.Write(data)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// randomFile writes n random bytes to a new file in dir.
func randomFile(t *testing.T, dir, name string, n int) (string, []byte) {
	t.Helper()
	data := make([]byte, n)
	rand.Read(data)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, data
}

// expectMode checks a log entry against the mode and checksum expected.
func expectMode(t *testing.T, e logEntry, stream, payload, checksum, where string, size int) {
	t.Helper()
	if e.Status != 200 {
		t.Errorf("%s: status %d %s, want 200", e.Line, e.Status, e.Code)
	}
	if e.Stream != stream || e.Payload != payload {
		t.Errorf("%s: received stream %q payload %q, want stream %q payload %q", e.Line, e.Stream, e.Payload, stream, payload)
	}
	if stream != "" && e.Decoded != int64(size) {
		t.Errorf("%s: decoded length %d, want %d", e.Line, e.Decoded, size)
	}
	if e.Checksum != checksum || e.Where != where || (checksum != "" && !e.Verified) {
		t.Errorf("%s: checksum %q in %q (verified %t), want %q in %q, verified", e.Line, e.Checksum, e.Where, e.Verified, checksum, where)
	}
}

// fmtSize is a size for test names.
func fmtSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}
