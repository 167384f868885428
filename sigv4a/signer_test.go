package sigv4a_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
	"github.com/sigv4kit/sigv4kit/sigv4a"
)

// TestNewRefuses checks that New names what is wrong in a Config.
func TestNewRefuses(t *testing.T) {
	static := credentials.Static("AKID", "secret", "")
	for _, c := range []struct {
		name string
		cfg  sigv4a.Config
		want string
		is   error
	}{
		{"no region set", sigv4a.Config{Service: "s3", Credentials: static}, "empty RegionSet", sigv4a.ErrInvalidConfig},
		{"empty entry", sigv4a.Config{Service: "s3", RegionSet: []string{"us-east-1", ""}, Credentials: static}, `RegionSet[1] ""`, sigv4a.ErrInvalidConfig},
		{"comma inside", sigv4a.Config{Service: "s3", RegionSet: []string{"us-east-1,eu-west-1"}, Credentials: static}, `RegionSet[0] "us-east-1,eu-west-1"`, sigv4a.ErrInvalidConfig},
		{"space inside", sigv4a.Config{Service: "s3", RegionSet: []string{"us-east-1 "}, Credentials: static}, `RegionSet[0]`, sigv4a.ErrInvalidConfig},
		{"upper case", sigv4a.Config{Service: "s3", RegionSet: []string{"US-EAST-1"}, Credentials: static}, `RegionSet[0]`, sigv4a.ErrInvalidConfig},
		{"no service", sigv4a.Config{RegionSet: []string{"*"}, Credentials: static}, "empty service", sigv4.ErrInvalidConfig},
		{"no credentials", sigv4a.Config{Service: "s3", RegionSet: []string{"*"}}, "no credentials provider", sigv4.ErrInvalidConfig},
		{"bad toggle", sigv4a.Config{Service: "s3", RegionSet: []string{"*"}, Credentials: static, NormalizePath: 7}, "NormalizePath", sigv4.ErrInvalidConfig},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := sigv4a.New(c.cfg)
			if err == nil || s != nil {
				t.Fatalf("New = %v, %v; want an error", s, err)
			}
			if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "sigv4a: ") {
				t.Errorf("error %q: want one wrapping %v that names %q", err, c.is, c.want)
			}
		})
	}
}

// TestSignVerifyRoundTrip signs one request many times (signatures differ,
// each verifies) for several region sets, through a sigv4.Verifier with
// Algorithm in us-east-1; a Verifier without Algorithm refuses them.
func TestSignVerifyRoundTrip(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	creds := credentials.Credentials{AccessKeyID: "AKIDROUNDTRIP", SecretAccessKey: "round/trip/secret", SessionToken: "tok"}
	vcfg := sigv4.VerifierConfig{Service: "s3", Regions: []string{"us-east-1"}, Secrets: sigv4.StaticSecrets(creds),
		Now: func() time.Time { return now }, Algorithms: []sigv4.SignatureAlgorithm{sigv4a.Algorithm()}}
	v, err := sigv4.NewVerifier(vcfg)
	if err != nil {
		t.Fatal(err)
	}
	vcfg.Algorithms = nil
	plain, err := sigv4.NewVerifier(vcfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range [][]string{{"us-east-1"}, {"*"}, {"eu-west-1", "us-east-1"}, {"us-east-*"}} {
		s, err := sigv4a.New(sigv4a.Config{Service: "s3", RegionSet: set, Credentials: credentials.Static(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken),
			Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for range 8 {
			req := httptest.NewRequest("GET", "http://bucket.example.com/some/key?x=1", nil)
			if err := s.Sign(context.Background(), req, sigv4.UnsignedPayload); err != nil {
				t.Fatal(err)
			}
			seen[req.Header.Get("Authorization")] = true
			if _, err := v.Verify(req); err != nil {
				t.Fatalf("region set %v: %v", set, err)
			}
			if _, err := plain.Verify(req); err == nil {
				t.Fatalf("a Verifier without sigv4a.Algorithm accepted a SigV4a request")
			}
		}
		if len(seen) != 8 {
			t.Errorf("8 signatures of one request gave %d distinct ones; ECDSA signatures are randomized", len(seen))
		}
	}
}

// TestTransport signs http.Client requests with SigV4a through
// sigv4.Transport and the Signer's SigV4, against a verifying 127.0.0.1
// server.
func TestTransport(t *testing.T) {
	creds := credentials.Credentials{AccessKeyID: "AKIDTRANSPORT", SecretAccessKey: "transport/secret"}
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "execute-api", Regions: []string{"eu-west-1"}, Secrets: sigv4.StaticSecrets(creds),
		Algorithms: []sigv4.SignatureAlgorithm{sigv4a.Algorithm()}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, r.Header.Get("X-Amz-Region-Set")+" "+string(b))
	})))
	defer srv.Close()
	s, err := sigv4a.New(sigv4a.Config{Service: "execute-api", RegionSet: []string{"*"}, Credentials: credentials.Static(creds.AccessKeyID, creds.SecretAccessKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &sigv4.Transport{Signer: s.SigV4()}}
	resp, err := client.Post(srv.URL+"/stage/items", "application/json", strings.NewReader(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != `* {"a":1}` {
		t.Fatalf("%d %q", resp.StatusCode, b)
	}
}

// TestExplainPublicKey checks that Explain's PublicKey is the key of
// DeriveKey, that its signature verifies, and that CredentialScope has no
// region.
func TestExplainPublicKey(t *testing.T) {
	s, err := sigv4a.New(sigv4a.Config{Service: "s3", RegionSet: []string{"*"}, Credentials: credentials.Static("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
		Now: func() time.Time { return time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := s.Explain(context.Background(), httptest.NewRequest("GET", "https://example.com/", nil), sigv4.EmptyPayloadHash)
	if err != nil {
		t.Fatal(err)
	}
	const want = "b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1 865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518"
	if tr.PublicKey != want || tr.CredentialScope != "20150830/s3/aws4_request" {
		t.Errorf("PublicKey %q, CredentialScope %q", tr.PublicKey, tr.CredentialScope)
	}
	priv, _ := sigv4a.DeriveKey("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
	if !verifyDER(&priv.PublicKey, tr.StringToSign, tr.Signature) {
		t.Error("Explain's signature does not verify")
	}
}

// TestSignStreamingUnsignedTrailer sends a SigV4a-seeded unsigned-trailer
// upload to a verifying server: the seed is ECDSA's longer signature, and
// signed chunks, which chain HMAC signatures, are refused.
func TestSignStreamingUnsignedTrailer(t *testing.T) {
	creds := credentials.Credentials{AccessKeyID: "AKIDSTREAM", SecretAccessKey: "stream/secret"}
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "s3", Regions: []string{"eu-west-1"}, Secrets: sigv4.StaticSecrets(creds),
		Algorithms: []sigv4.SignatureAlgorithm{sigv4a.Algorithm()}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			sigv4.WriteError(w, r, err)
			return
		}
		w.Write(b)
	})))
	defer srv.Close()
	s, err := sigv4a.New(sigv4a.Config{Service: "s3", RegionSet: []string{"*"}, Credentials: credentials.Static(creds.AccessKeyID, creds.SecretAccessKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("chunk of data ", 10000)
	req, _ := http.NewRequest("PUT", srv.URL+"/bkt/key", strings.NewReader(body))
	if err := s.SigV4().SignStreaming(context.Background(), req, sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumCRC32}); err != nil {
		t.Fatalf("SignStreaming(unsigned trailer): %v", err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != body {
		t.Fatalf("unsigned-trailer upload: %d, %d bytes back of %d\n%.300s", resp.StatusCode, len(b), len(body), b)
	}
	for _, mode := range []sigv4.StreamMode{sigv4.StreamSigned, sigv4.StreamSignedTrailer} {
		req, _ := http.NewRequest("PUT", srv.URL+"/bkt/key", strings.NewReader(body))
		opts := sigv4.StreamOptions{Mode: mode}
		if mode == sigv4.StreamSignedTrailer {
			opts.Checksum = sigv4.ChecksumCRC32
		}
		if err := s.SigV4().SignStreaming(context.Background(), req, opts); err == nil {
			t.Errorf("SignStreaming(%s) with SigV4a: no error", mode)
		}
	}
}
