//go:build e2e

// Package proxy_test runs `sigv4 proxy`, built from cmd/sigv4 and started
// as a process, in front of a real S3 server, versitygw, with real clients:
// curl through the signing proxy, and aws-sdk-go-v2, minio-go, the AWS CLI
// and sigv4kit's own streaming signer with placeholder keys through the
// re-signing proxy (--resign). compat/scripts/e2e.sh (make e2e) starts
// versitygw and sets the SIGV4_E2E_* variables; without them these tests
// skip, unless SIGV4_E2E_REQUIRE is set, and then they fail.
//
// The benchmarks (bench_test.go) measure the proxy's overhead on a small
// GET and its upload throughput and peak memory, against going direct.
package proxy_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
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

	"github.com/sigv4kit/sigv4kit/compat/internal/e2eenv"
	"github.com/sigv4kit/sigv4kit/compat/internal/gobuild"
)

// The placeholder key the clients of --resign sign with.
const (
	placeholderID     = "AKIDPROXYPLACEHOLDER"
	placeholderSecret = "placeholder/secret+not-a-real-key"
)

var sigv4Bin = gobuild.Binary{Pkg: "github.com/sigv4kit/sigv4kit/cmd/sigv4"}

func TestMain(m *testing.M) { sigv4Bin.Main(m) }

// binary builds cmd/sigv4 once and returns its path.
func binary(tb testing.TB) string {
	tb.Helper()
	return sigv4Bin.Path(tb)
}

// lockedBuffer collects the proxy's standard error.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// proxyProc is a running `sigv4 proxy`.
type proxyProc struct {
	URL      string // http(s)://127.0.0.1:PORT
	CertFile string // with --tls
	cmd      *exec.Cmd
	stderr   *lockedBuffer
}

// startProxy starts `sigv4 proxy --listen 127.0.0.1:0 --upstream
// ENDPOINT -v args...` with the server's root keys as its credentials, in
// a clean environment, and stops it when the test ends.
func startProxy(tb testing.TB, e e2eenv.Server, args ...string) *proxyProc {
	tb.Helper()
	return startProxyLog(tb, e, true, args...)
}

// startProxyLog is startProxy, with -v only when verbose.
func startProxyLog(tb testing.TB, e e2eenv.Server, verbose bool, args ...string) *proxyProc {
	tb.Helper()
	home := tb.TempDir()
	p := &proxyProc{stderr: &lockedBuffer{}}
	full := append([]string{"proxy", "--listen", "127.0.0.1:0", "--upstream", e.Endpoint}, args...)
	if verbose {
		full = append(full, "-v")
	}
	for _, a := range args {
		if a == "--tls" {
			p.CertFile = filepath.Join(home, "proxy.pem")
			full = append(full, "--tls-cert-out", p.CertFile)
		}
	}
	p.cmd = exec.Command(binary(tb), full...)
	p.cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ACCESS_KEY_ID=" + e.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + e.SecretKey,
		"AWS_REGION=" + e.Region,
	}
	pipe, err := p.cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		listening := regexp.MustCompile(`listening on (https?://[0-9.:]+)`)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			p.stderr.Write([]byte(sc.Text() + "\n"))
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	tb.Cleanup(func() {
		p.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			p.cmd.Process.Kill()
			<-done
		}
		if tb.Failed() {
			tb.Logf("proxy log (%s):\n%s", strings.Join(full, " "), p.stderr)
		}
	})
	select {
	case u, ok := <-found:
		if !ok {
			tb.Fatalf("sigv4 %s exited:\n%s", strings.Join(full, " "), p.stderr)
		}
		p.URL = u
	case <-time.After(30 * time.Second):
		tb.Fatalf("sigv4 %s did not start:\n%s", strings.Join(full, " "), p.stderr)
	}
	return p
}

// log returns what the proxy logged.
func (p *proxyProc) log() string { return p.stderr.String() }

// client returns an HTTP client for the proxy (trusting its certificate
// with --tls).
func (p *proxyProc) client(tb testing.TB) *http.Client {
	tb.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: 4}
	if p.CertFile != "" {
		pemBytes, err := os.ReadFile(p.CertFile)
		if err != nil {
			tb.Fatal(err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemBytes) {
			tb.Fatalf("%s holds no certificate", p.CertFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
		tr.ForceAttemptHTTP2 = true
	}
	return &http.Client{Transport: tr, Timeout: 5 * time.Minute}
}

// peakRSS returns the proxy process's peak resident set size (VmHWM of
// /proc/PID/status) in bytes, or -1 where there is no /proc.
func (p *proxyProc) peakRSS() int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(v) // "12345 kB"
			if n, err := strconv.ParseInt(f[0], 10, 64); err == nil && len(f) == 2 && f[1] == "kB" {
				return n << 10
			}
		}
	}
	return -1
}

// prefix returns a key prefix unique to the test, in the shared bucket.
func prefix(tb testing.TB) string {
	return "proxy/" + strings.NewReplacer("/", "-", " ", "-").Replace(tb.Name()) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "/"
}

func randomBytes(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return b
}

// writeFile writes data to a new file in dir and returns its path.
func writeFile(tb testing.TB, dir, name string, data []byte) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}
