//go:build e2e

package proxy_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/compat/internal/e2eenv"
	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// Run with compat/scripts/e2e.sh, for example:
//
//	E2E_PKGS=./e2e/proxy/ bash compat/scripts/e2e.sh -run '^$' -bench Proxy -benchtime 3x
//
// Each benchmark alternates going direct to versitygw and going through
// the proxy within every iteration, so that both see the same load of the
// shared machine, and reports both and their ratio.

// benchClient sends the benchmarks' requests.
var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4, DisableCompression: true}}

// do sends req and fails unless the answer is 200; it reads the body.
func do(tb testing.TB, req *http.Request) {
	resp, err := benchClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		tb.Fatalf("%s %s: status %d: %s", req.Method, req.URL, resp.StatusCode, b)
	}
}

// signers returns a signer with the server's keys and one with the
// placeholder key.
func signers(tb testing.TB, e e2eenv.Server) (real, placeholder *sigv4.Signer) {
	tb.Helper()
	var err error
	if real, err = sigv4.New(sigv4.Config{Service: "s3", Region: e.Region, Credentials: credentials.Static(e.AccessKey, e.SecretKey, "")}); err != nil {
		tb.Fatal(err)
	}
	if placeholder, err = sigv4.New(sigv4.Config{Service: "s3", Region: e.Region, Credentials: credentials.Static(placeholderID, placeholderSecret, "")}); err != nil {
		tb.Fatal(err)
	}
	return real, placeholder
}

// BenchmarkProxySmallGET: a GET of a 1 KiB object, direct (signed with
// the real keys), through the signing proxy (unsigned) and through the
// re-signing proxy (signed with the placeholder key, verified, signed
// again); reported in µs per GET, with the proxies' overheads.
func BenchmarkProxySmallGET(b *testing.B) {
	e := e2eenv.Get(b)
	real, placeholder := signers(b, e)
	ctx := context.Background()
	key := "proxy/bench/small"
	put, _ := http.NewRequest(http.MethodPut, e.Endpoint+"/"+e.Bucket+"/"+key, bytes.NewReader(make([]byte, 1024)))
	if err := real.Sign(ctx, put, ""); err != nil {
		b.Fatal(err)
	}
	do(b, put)
	sign := startProxyLog(b, e, false, "--service", "s3")
	resign := startProxyLog(b, e, false, resignArgs(e)...)
	get := func(base string, s *sigv4.Signer) time.Duration {
		start := time.Now()
		req, _ := http.NewRequest(http.MethodGet, base+"/"+e.Bucket+"/"+key, nil)
		if s != nil {
			if err := s.Sign(ctx, req, sigv4.EmptyPayloadHash); err != nil {
				b.Fatal(err)
			}
		}
		do(b, req)
		return time.Since(start)
	}
	// Warm the connections.
	get(e.Endpoint, real)
	get(sign.URL, nil)
	get(resign.URL, placeholder)
	var direct, signed, resigned time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		direct += get(e.Endpoint, real)
		signed += get(sign.URL, nil)
		resigned += get(resign.URL, placeholder)
	}
	us := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
	b.ReportMetric(us(direct), "direct-µs")
	b.ReportMetric(us(signed), "sign-µs")
	b.ReportMetric(us(resigned), "resign-µs")
	b.ReportMetric(us(signed-direct), "sign-overhead-µs")
	b.ReportMetric(us(resigned-direct), "resign-overhead-µs")
}

// BenchmarkProxyUpload100MiB uploads 100 MiB in each mode of the proxy,
// each iteration once direct (signed the way the proxy signs it upstream)
// and once through the proxy, and reports both throughputs, their ratio,
// and the peak resident memory of the proxy process (VmHWM): flat memory
// is a peak far below the 100 MiB uploaded.
func BenchmarkProxyUpload100MiB(b *testing.B) {
	e := e2eenv.Get(b)
	real, placeholder := signers(b, e)
	ctx := context.Background()
	const size = 100 << 20
	data := make([]byte, size)
	copy(data, randomBytes(b, size))
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	streaming := func(mode sigv4.StreamMode, alg sigv4.ChecksumAlgorithm) func(*sigv4.Signer, *http.Request) error {
		return func(s *sigv4.Signer, req *http.Request) error {
			return s.SignStreaming(ctx, req, sigv4.StreamOptions{Mode: mode, Checksum: alg})
		}
	}
	for _, m := range []struct {
		name string
		args []string
		// direct signs the direct upload (with the real keys) and
		// client the proxied one (with the placeholder key); nil client:
		// unsigned.
		direct, client func(*sigv4.Signer, *http.Request) error
	}{
		{"sign", []string{"--service", "s3"}, streaming(sigv4.StreamSigned, ""), nil},
		{"resign-hex", resignArgs(e), func(s *sigv4.Signer, r *http.Request) error { return s.Sign(ctx, r, hash) },
			func(s *sigv4.Signer, r *http.Request) error { return s.Sign(ctx, r, hash) }},
		{"resign-unsigned", resignArgs(e), func(s *sigv4.Signer, r *http.Request) error { return s.Sign(ctx, r, sigv4.UnsignedPayload) },
			func(s *sigv4.Signer, r *http.Request) error { return s.Sign(ctx, r, sigv4.UnsignedPayload) }},
		{"resign-signed-chunks", resignArgs(e), streaming(sigv4.StreamSigned, ""), streaming(sigv4.StreamSigned, "")},
		{"resign-unsigned-trailer", resignArgs(e), streaming(sigv4.StreamUnsignedTrailer, sigv4.ChecksumCRC32), streaming(sigv4.StreamUnsignedTrailer, sigv4.ChecksumCRC32)},
	} {
		b.Run(m.name, func(b *testing.B) {
			p := startProxyLog(b, e, false, m.args...)
			key := "proxy/bench/upload-" + m.name
			upload := func(base string, s *sigv4.Signer, sign func(*sigv4.Signer, *http.Request) error) time.Duration {
				req, _ := http.NewRequest(http.MethodPut, base+"/"+e.Bucket+"/"+key, bytes.NewReader(data))
				start := time.Now()
				if sign != nil {
					if err := sign(s, req); err != nil {
						b.Fatal(err)
					}
				}
				do(b, req)
				return time.Since(start)
			}
			var direct, proxied time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				direct += upload(e.Endpoint, real, m.direct)
				proxied += upload(p.URL, placeholder, m.client)
			}
			b.StopTimer()
			mbps := func(d time.Duration) float64 { return float64(size) * float64(b.N) / d.Seconds() / 1e6 }
			b.ReportMetric(mbps(direct), "direct-MB/s")
			b.ReportMetric(mbps(proxied), "proxy-MB/s")
			b.ReportMetric(100*direct.Seconds()/proxied.Seconds(), "%-of-direct")
			b.ReportMetric(float64(p.peakRSS())/(1<<20), "proxy-peak-RSS-MiB")
		})
	}
}
