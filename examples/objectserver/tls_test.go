package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// TestParseFlags checks the flags, their defaults and the refusals.
func TestParseFlags(t *testing.T) {
	env := map[string]string{"OBJECTSERVER_ACCESS_KEY_ID": "ENVKEY", "OBJECTSERVER_SECRET_ACCESS_KEY": "envsecret"}
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		want    func(c config) bool
		wantErr string
	}{
		{name: "defaults", args: nil, want: func(c config) bool {
			return c.addr == "127.0.0.1:9000" && c.region == "us-east-1" && !c.tls && c.certOut == "" && c.dir == "" &&
				c.readHeaderTimeout == 10*time.Second && c.readTimeout == 5*time.Minute && c.writeTimeout == 10*time.Minute && c.idleTimeout == 2*time.Minute
		}},
		{name: "keys from the environment", env: env, want: func(c config) bool { return c.accessKey == "ENVKEY" && c.secretKey == "envsecret" }},
		{name: "flags over the environment", env: env, args: []string{"-access-key", "K", "-secret-key", "S"},
			want: func(c config) bool { return c.accessKey == "K" && c.secretKey == "S" }},
		{name: "tls", args: []string{"-tls"}, want: func(c config) bool { return c.tls && c.certOut == "" }},
		{name: "tls and cert file", args: []string{"-tls", "-tls-cert-out", "/tmp/x.pem", "-listen", "127.0.0.1:0"},
			want: func(c config) bool { return c.tls && c.certOut == "/tmp/x.pem" && c.addr == "127.0.0.1:0" }},
		{name: "cert file without tls", args: []string{"-tls-cert-out", "/tmp/x.pem"}, wantErr: "-tls-cert-out needs -tls"},
		{name: "stray argument", args: []string{"-tls", "extra"}, wantErr: `unexpected argument "extra"`},
		{name: "unknown flag", args: []string{"-tsl"}, wantErr: "flag provided but not defined: -tsl"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseFlags(c.args, func(k string) string { return c.env[k] }, io.Discard)
			switch {
			case c.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			case !c.want(got):
				t.Fatalf("config %+v", got)
			}
		})
	}
	if _, err := parseFlags([]string{"-h"}, func(string) string { return "" }, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
}

// TestSelfSignedCertificate checks the -tls certificate: ECDSA P-256, its
// own CA, valid now (and an hour ago) for 127.0.0.1, localhost and ::1 and
// for no other name, and its PEM the certificate served.
func TestSelfSignedCertificate(t *testing.T) {
	now := time.Now()
	cert, pemBytes, err := selfSignedCertificate(now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, rest := pem.Decode(pemBytes)
	if block == nil || block.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
		t.Fatalf("PEM %q", pemBytes)
	}
	if !bytes.Equal(block.Bytes, cert.Certificate[0]) {
		t.Fatal("the PEM is not the certificate served")
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
		t.Errorf("public key %T, want ECDSA P-256", leaf.PublicKey)
	}
	if !leaf.IsCA || leaf.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("IsCA %t, key usage %b: not a trust anchor", leaf.IsCA, leaf.KeyUsage)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	for _, c := range []struct {
		host string
		at   time.Time
		ok   bool
	}{
		{"127.0.0.1", now, true},
		{"localhost", now, true},
		{"::1", now, true},
		{"127.0.0.1", now.Add(-59 * time.Minute), true},
		{"127.0.0.1", now.Add(certificateLifetime - time.Minute), true},
		{"127.0.0.1", now.Add(certificateLifetime + time.Minute), false},
		{"127.0.0.2", now, false},
		{"example.com", now, false},
	} {
		_, err := leaf.Verify(x509.VerifyOptions{DNSName: c.host, Roots: roots, CurrentTime: c.at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
		if (err == nil) != c.ok {
			t.Errorf("%s at %s: verify error %v, want ok %t", c.host, c.at.Format(time.RFC3339), err, c.ok)
		}
	}
	if _, _, err := selfSignedCertificate(now, bytes.NewReader(nil)); err == nil {
		t.Error("no randomness: no error")
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRunTLS runs objectserver as main does, with -tls on a free port:
// the certificate is written to -tls-cert-out, the address printed is
// the one it listens on, a client that trusts the PEM uploads with signed
// chunks over HTTPS and reads the object back, and the log names the
// mode. A client that does not trust it is refused.
func TestRunTLS(t *testing.T) {
	certFile := filepath.Join(t.TempDir(), "cert.pem")
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-tls", "-tls-cert-out", certFile, "-bucket", "bkt", "-dir", t.TempDir()},
			func(k string) string {
				return map[string]string{"OBJECTSERVER_ACCESS_KEY_ID": "AKIDTEST", "OBJECTSERVER_SECRET_ACCESS_KEY": "test/secret"}[k]
			}, outW, &logs)
		outW.Close()
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	var endpoint, printed string
	sc := bufio.NewScanner(outR)
	for sc.Scan() {
		printed += sc.Text() + "\n"
		if _, u, ok := strings.Cut(sc.Text(), "listening on "); ok {
			endpoint, _, _ = strings.Cut(u, " ")
			break
		}
	}
	go io.Copy(io.Discard, outR)
	if !strings.HasPrefix(endpoint, "https://127.0.0.1:") || strings.HasSuffix(endpoint, ":0") {
		t.Fatalf("printed %q", printed)
	}
	if !strings.Contains(printed, certFile) {
		t.Errorf("the certificate's path is not printed: %q", printed)
	}
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("%s holds no certificate", certFile)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	s, err := sigv4.New(sigv4.Config{Service: "s3", Region: "us-east-1", Credentials: credentials.Static("AKIDTEST", "test/secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("sigv4kit "), 20000)
	req, _ := http.NewRequest("PUT", endpoint+"/bkt/k", bytes.NewReader(data))
	if err := s.SignStreaming(context.Background(), req, sigv4.StreamOptions{Mode: sigv4.StreamSignedTrailer, Checksum: sigv4.ChecksumCRC32C}); err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Amz-Checksum-Crc32c") == "" {
		t.Fatalf("PUT over TLS: %d, headers %v", resp.StatusCode, resp.Header)
	}
	req, _ = http.NewRequest("GET", endpoint+"/bkt/k", nil)
	if err := s.Sign(context.Background(), req, ""); err != nil {
		t.Fatal(err)
	}
	if resp, err = client.Do(req); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || !bytes.Equal(got, data) {
		t.Fatalf("GET over TLS: %d, %d bytes, %v", resp.StatusCode, len(got), err)
	}
	want := "PUT /bkt/k -> 200 stream=STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER decoded-length=180000 checksum=CRC32C:"
	if !strings.Contains(logs.String(), want) || !strings.Contains(logs.String(), "(trailer, verified=true)") {
		t.Errorf("log %q, want a line with %q", logs.String(), want)
	}
	if _, err := http.Get(endpoint + "/"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("a client without the certificate: %v, want a certificate error", err)
	}
}
