package sigv4a_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"net/http"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/floor"
	"github.com/sigv4kit/sigv4kit/sigv4"
	"github.com/sigv4kit/sigv4kit/sigv4a"
)

// The public API's costs beside crypto/ecdsa: Signer.Sign of an S3 GET
// (canonical request, string to sign, cached key, one ECDSA signature,
// headers) over one P-256 signature, and sigv4.Verifier.Verify of it with
// Algorithm (parsing, canonical request, region set, cached public key,
// one ECDSA verification) over one P-256 verification. Targets: both
// within 1.3x (x-ecdsa, run in alternating batches by floor.RatioTo).
// Key derivation is BenchmarkDeriveKey (package-internal benchmarks).

var benchNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

const (
	benchKeyID  = "AKIAIOSFODNN7EXAMPLE"
	benchSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func benchSigner(b *testing.B) *sigv4a.Signer {
	s, err := sigv4a.New(sigv4a.Config{Service: "s3", RegionSet: []string{"*"},
		Credentials: credentials.Static(benchKeyID, benchSecret, ""), Now: func() time.Time { return benchNow }})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func benchRequest() *http.Request {
	req, _ := http.NewRequest("GET", "https://bucket.s3.amazonaws.com/photos/2026/cat.jpg?versionId=3", nil)
	return req
}

// floorKey is the bench credentials' private key and a digest to sign.
func floorKey(b *testing.B) (*ecdsa.PrivateKey, []byte) {
	priv, err := sigv4a.DeriveKey(benchKeyID, benchSecret)
	if err != nil {
		b.Fatal(err)
	}
	d := sha256.Sum256([]byte("string to sign"))
	return priv, d[:]
}

func signOnce(b *testing.B, s *sigv4a.Signer, req *http.Request) {
	req.Header = http.Header{}
	if err := s.Sign(context.Background(), req, sigv4.EmptyPayloadHash); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkSignerSign(b *testing.B) {
	s, req := benchSigner(b), benchRequest()
	signOnce(b, s, req) // derive the key
	b.ReportAllocs()
	for b.Loop() {
		signOnce(b, s, req)
	}
}

func BenchmarkVerifierVerify(b *testing.B) {
	v, req := benchVerifier(b), benchSignedRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(req); err != nil {
			b.Fatal(err)
		}
	}
}

func benchVerifier(b *testing.B) *sigv4.Verifier {
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "s3", Regions: []string{"us-east-1"},
		Secrets: sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: benchKeyID, SecretAccessKey: benchSecret}),
		Now:     func() time.Time { return benchNow }, Algorithms: []sigv4.SignatureAlgorithm{sigv4a.Algorithm()}})
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// benchSignedRequest is a signed request as a server receives it.
func benchSignedRequest(b *testing.B) *http.Request {
	s, req := benchSigner(b), benchRequest()
	signOnce(b, s, req)
	r, _ := http.NewRequest("GET", "/photos/2026/cat.jpg?versionId=3", nil)
	r.Host, r.RequestURI, r.Header = req.URL.Host, "/photos/2026/cat.jpg?versionId=3", req.Header
	return r
}

// BenchmarkRatioAPI reports Sign and Verify over one crypto/ecdsa P-256
// signature and verification, as x-ecdsa; targets below 1.3.
func BenchmarkRatioAPI(b *testing.B) {
	b.Run("Sign", func(b *testing.B) {
		s, req := benchSigner(b), benchRequest()
		signOnce(b, s, req)
		priv, digest := floorKey(b)
		floor.RatioTo(b, func() { signOnce(b, s, req) }, func() {
			if _, err := ecdsa.SignASN1(rand.Reader, priv, digest); err != nil {
				b.Fatal(err)
			}
		}, "x-ecdsa")
	})
	b.Run("Verify", func(b *testing.B) {
		v, req := benchVerifier(b), benchSignedRequest(b)
		if _, err := v.Verify(req); err != nil {
			b.Fatal(err)
		}
		priv, digest := floorKey(b)
		der, err := ecdsa.SignASN1(rand.Reader, priv, digest)
		if err != nil {
			b.Fatal(err)
		}
		floor.RatioTo(b, func() {
			if _, err := v.Verify(req); err != nil {
				b.Fatal(err)
			}
		}, func() {
			if !ecdsa.VerifyASN1(&priv.PublicKey, digest, der) {
				b.Fatal("floor signature does not verify")
			}
		}, "x-ecdsa")
	})
}
