package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
	"github.com/sigv4kit/sigv4kit/sigv4a"
)

// The proxy with SigV4a: against real 127.0.0.1 upstreams in one region
// that verify SigV4 and SigV4a (sigv4a.Algorithm) with the real
// credentials, as the upstreams of proxy_test.go do.

// newUpstreamA is newUpstream for service in region, accepting SigV4a.
func newUpstreamA(t *testing.T, service, region string) *upstream {
	t.Helper()
	return serveUpstream(t, sigv4.VerifierConfig{
		Service:    service,
		Regions:    []string{region},
		Secrets:    sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: exampleID, SecretAccessKey: exampleSecret, SessionToken: proxyToken}),
		Algorithms: []sigv4.SignatureAlgorithm{sigv4a.Algorithm()},
	})
}

// isSigV4a reports whether the upstream got a SigV4a request signed with
// the real credentials.
func isSigV4a(got seen) bool {
	return strings.HasPrefix(got.header.Get("Authorization"), "AWS4-ECDSA-P256-SHA256 Credential="+exampleID+"/") &&
		got.verified != nil && got.verified.AccessKeyID == exampleID
}

// TestProxySigV4a sends unsigned requests through "sigv4 proxy --sigv4a"
// to an S3 upstream in eu-west-1, which the proxy's own region
// (us-east-1) is not: every body kind arrives SigV4a-signed for the region
// set, the body byte for byte. Read-once bodies, which SigV4 streams as
// signed aws-chunked over http, arrive with their SHA-256 signed.
func TestProxySigV4a(t *testing.T) {
	t.Parallel()
	up := newUpstreamA(t, "s3", "eu-west-1")
	big := randomBytes(t, 300<<10)
	for _, args := range [][]string{{"--sigv4a"}, {"--region-set", "eu-*,ap-south-1"}} {
		px := startProxy(t, proxyEnv(t), append([]string{"--upstream", up.URL, "--service", "s3"}, args...)...)
		wantSet := "*"
		if len(args) == 2 {
			wantSet = args[1]
		}
		for _, tc := range []struct {
			name   string
			body   func() io.Reader
			length int64 // -1: chunked
		}{
			{"read-once body of known length", func() io.Reader { return onlyReader{bytes.NewReader(big)} }, int64(len(big))},
			{"chunked body", func() io.Reader { return onlyReader{bytes.NewReader(big[:70<<10])} }, -1},
			{"replayable body", func() io.Reader { return bytes.NewReader(big[:1000]) }, 1000},
			{"empty body", nil, 0},
		} {
			t.Run(strings.Join(args, " ")+"/"+tc.name, func(t *testing.T) {
				key := "/bucket/" + strings.ReplaceAll(tc.name, " ", "-")
				var want []byte
				var body io.Reader
				if tc.body != nil {
					body = tc.body()
					want, _ = io.ReadAll(tc.body())
				}
				req, _ := http.NewRequest(http.MethodPut, px.url+key, body)
				req.ContentLength = tc.length
				resp, b := send(t, nil, req)
				if resp.StatusCode != 200 {
					t.Fatalf("PUT: status %d: %s", resp.StatusCode, b)
				}
				got := up.last(t)
				if got.verr != nil || !isSigV4a(got) {
					t.Fatalf("the upstream got %q: %v", got.header.Get("Authorization"), got.verr)
				}
				if got.header.Get("X-Amz-Region-Set") != wantSet || got.verified.Region != wantSet {
					t.Errorf("region set %q (verified %q), want %q", got.header.Get("X-Amz-Region-Set"), got.verified.Region, wantSet)
				}
				if !bytes.Equal(got.body, want) {
					t.Errorf("body: %d bytes, want %d", len(got.body), len(want))
				}
				if p := got.verified.PayloadHash; len(p) != 64 || got.verified.Stream != 0 {
					t.Errorf("payload line %q, stream %v: want the body's SHA-256 (SigV4a streams no signed chunks)", p, got.verified.Stream)
				}
				// And back.
				resp, b = send(t, nil, mustRequest(t, http.MethodGet, px.url+key))
				if resp.StatusCode != 200 || !bytes.Equal(b, want) {
					t.Errorf("GET: status %d, %d bytes, want %d", resp.StatusCode, len(b), len(want))
				}
				if got := up.last(t); got.method != http.MethodGet || !isSigV4a(got) {
					t.Errorf("GET reached the upstream as %s %q", got.method, got.header.Get("Authorization"))
				}
			})
		}
	}
}

// TestProxySigV4aRegionSet checks the region set against the upstream's
// region: a set that names eu-west-1 is accepted, one that does not is
// refused by the upstream (which the request reached, signed) with S3's
// 400 AuthorizationHeaderMalformed, as for a wrong region.
func TestProxySigV4aRegionSet(t *testing.T) {
	t.Parallel()
	up := newUpstreamA(t, "execute-api", "eu-west-1")
	for _, tc := range []struct {
		set    string
		status int
	}{
		{"*", 200},
		{"eu-west-1", 200},
		{"us-east-1,eu-west-1", 200},
		{"eu-*", 200},
		{"us-east-1", 400},
		{"us-*,ap-south-1", 400},
	} {
		t.Run(tc.set, func(t *testing.T) {
			px := startProxy(t, proxyEnv(t), "--upstream", up.URL, "--service", "execute-api", "--region-set", tc.set)
			before := len(up.all())
			resp, b := send(t, nil, mustRequest(t, http.MethodGet, px.url+"/stage/items"))
			if resp.StatusCode != tc.status && !(tc.status == 200 && resp.StatusCode == 404) {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, b)
			}
			all := up.all()
			if len(all) != before+1 {
				t.Fatalf("%d requests reached the upstream, want 1", len(all)-before)
			}
			got := all[len(all)-1]
			if !strings.HasPrefix(got.header.Get("Authorization"), "AWS4-ECDSA-P256-SHA256 ") || got.header.Get("X-Amz-Region-Set") != tc.set {
				t.Errorf("upstream got %q, region set %q", got.header.Get("Authorization"), got.header.Get("X-Amz-Region-Set"))
			}
			if tc.status == 400 && (got.verr == nil || !strings.Contains(got.verr.Error(), "region set") || !bytes.Contains(b, []byte("<Code>AuthorizationHeaderMalformed</Code>"))) {
				t.Errorf("the upstream's refusal %v does not name the region set: %s", got.verr, b)
			}
			if tc.status == 200 && got.verr != nil {
				t.Errorf("the upstream refused: %v", got.verr)
			}
		})
	}
}

// TestProxySigV4aBadRegionSet checks that an invalid --region-set stops
// the proxy at start with a usage error that names it.
func TestProxySigV4aBadRegionSet(t *testing.T) {
	t.Parallel()
	for _, set := range []string{"us-east-1,,eu-west-1", "US_EAST", "eu west"} {
		a := newApp(strings.NewReader(""), io.Discard, io.Discard, func(k string) string { return proxyEnv(t)[k] })
		var o proxyOptions
		if _, err := a.parseFlags(o.flagSet(), proxyHelp, []string{"--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:1", "--service", "s3", "--region-set", set}); err != nil {
			t.Fatal(err)
		}
		p, err := a.newProxy(&o)
		if err == nil {
			p.listener.Close()
			t.Errorf("--region-set %q: the proxy started", set)
			continue
		}
		if !strings.Contains(err.Error(), "--region-set") {
			t.Errorf("--region-set %q: error %q does not name the flag", set, err)
		}
	}
}

// TestProxyResignSigV4aClient re-signs requests of a SigV4a client that
// holds only the placeholder key: header-signed and presigned, signed
// again with SigV4a and the real credentials for the client's region set
// (narrowed by --region), and refused, with nothing forwarded, for a
// wrong secret or a set outside --region.
func TestProxyResignSigV4aClient(t *testing.T) {
	t.Parallel()
	up := newUpstreamA(t, "s3", "us-east-1")
	ctx := context.Background()
	body := randomBytes(t, 100<<10)
	accept := placeholderID + ":" + placeholderSecret
	open := startProxy(t, proxyEnv(t), "--upstream", up.URL, "--resign", "--accept-key", accept)
	narrow := startProxy(t, proxyEnv(t), "--upstream", up.URL, "--resign", "--accept-key", accept, "--region", "us-east-1,us-west-2")

	for _, tc := range []struct {
		name    string
		px      *running
		set     []string
		secret  string
		status  int
		wantSet string // the region set the upstream sees
	}{
		{"any region", open, []string{"*"}, placeholderSecret, 200, "*"},
		{"two regions", open, []string{"us-east-1", "eu-west-1"}, placeholderSecret, 200, "us-east-1,eu-west-1"},
		{"set narrowed to --region", narrow, []string{"*"}, placeholderSecret, 200, "us-east-1,us-west-2"},
		{"set outside --region", narrow, []string{"eu-*"}, placeholderSecret, 403, ""},
		{"wrong placeholder secret", open, []string{"*"}, "not-the-secret", 403, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := sigv4a.New(sigv4a.Config{Service: "s3", RegionSet: tc.set, Credentials: credentials.Static(placeholderID, tc.secret, "")})
			if err != nil {
				t.Fatal(err)
			}
			key := "/bucket/" + strings.ReplaceAll(tc.name, " ", "-")
			before := len(up.all())
			req, _ := http.NewRequest(http.MethodPut, tc.px.url+key, bytes.NewReader(body))
			if err := s.Sign(ctx, req, ""); err != nil {
				t.Fatal(err)
			}
			resp, b := send(t, nil, req)
			if resp.StatusCode != tc.status {
				t.Fatalf("PUT: status %d, want %d: %s", resp.StatusCode, tc.status, b)
			}
			if tc.status != 200 {
				if n := len(up.all()) - before; n != 0 {
					t.Errorf("%d refused requests reached the upstream", n)
				}
				return
			}
			got := up.last(t)
			if got.verr != nil || !isSigV4a(got) || got.header.Get("X-Amz-Region-Set") != tc.wantSet || !bytes.Equal(got.body, body) {
				t.Fatalf("upstream got %q, set %q, %d bytes: %v", got.header.Get("Authorization"), got.header.Get("X-Amz-Region-Set"), len(got.body), got.verr)
			}
			// Back, presigned by the client: forwarded header-signed.
			get, _ := http.NewRequest(http.MethodGet, tc.px.url+key+"?versionId=null", nil)
			ps, err := s.Presign(ctx, get, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			resp, b = send(t, nil, mustRequest(t, http.MethodGet, ps.URL))
			if resp.StatusCode != 200 || !bytes.Equal(b, body) {
				t.Fatalf("presigned GET: status %d, %d bytes", resp.StatusCode, len(b))
			}
			got = up.last(t)
			if got.verified.Presigned || got.query != "versionId=null" || !isSigV4a(got) {
				t.Errorf("upstream got presigned=%v query %q %q", got.verified.Presigned, got.query, got.header.Get("Authorization"))
			}
		})
	}
}

// TestProxyResignSigV4aStreaming runs "--resign --sigv4a": SigV4 clients
// are signed again with SigV4a; a signed aws-chunked body, which SigV4a
// cannot frame again, is refused with 501 NotImplemented and nothing
// forwarded, while an unsigned-trailer body passes byte for byte.
func TestProxyResignSigV4aStreaming(t *testing.T) {
	t.Parallel()
	up := newUpstreamA(t, "s3", "us-east-1")
	px := startProxy(t, proxyEnv(t), "--upstream", up.URL, "--resign", "--accept-key", placeholderID+":"+placeholderSecret, "--sigv4a")
	client := placeholderSigner(t, "s3")
	ctx := context.Background()
	body := randomBytes(t, 100<<10+3)

	for _, tc := range []struct {
		name   string
		sign   func(req *http.Request) error
		status int
	}{
		{"hex payload hash", func(req *http.Request) error { return client.Sign(ctx, req, "") }, 200},
		{"UNSIGNED-PAYLOAD", func(req *http.Request) error { return client.Sign(ctx, req, sigv4.UnsignedPayload) }, 200},
		{"unsigned trailer", func(req *http.Request) error {
			return client.SignStreaming(ctx, req, sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumCRC32})
		}, 200},
		{"signed aws-chunked", func(req *http.Request) error {
			return client.SignStreaming(ctx, req, sigv4.StreamOptions{Mode: sigv4.StreamSigned})
		}, 501},
		{"signed trailer", func(req *http.Request) error {
			return client.SignStreaming(ctx, req, sigv4.StreamOptions{Mode: sigv4.StreamSignedTrailer, Checksum: sigv4.ChecksumCRC32C})
		}, 501},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(up.all())
			req, _ := http.NewRequest(http.MethodPut, px.url+"/bucket/"+strings.ReplaceAll(tc.name, " ", "-"), bytes.NewReader(body))
			if err := tc.sign(req); err != nil {
				t.Fatal(err)
			}
			resp, b := send(t, nil, req)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, b)
			}
			if tc.status == 501 {
				if !bytes.Contains(b, []byte("<Code>NotImplemented</Code>")) || !bytes.Contains(b, []byte(sigv4.StreamingUnsignedPayloadTrailer)) {
					t.Errorf("the 501 does not say what to do: %s", b)
				}
				if n := len(up.all()) - before; n != 0 {
					t.Errorf("%d refused requests reached the upstream", n)
				}
				return
			}
			got := up.last(t)
			if got.verr != nil || !isSigV4a(got) || got.header.Get("X-Amz-Region-Set") != "*" || !bytes.Equal(got.body, body) {
				t.Fatalf("upstream got %q, set %q, %d bytes: %v", got.header.Get("Authorization"), got.header.Get("X-Amz-Region-Set"), len(got.body), got.verr)
			}
		})
	}
}
