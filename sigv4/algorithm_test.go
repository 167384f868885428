package sigv4_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/suites"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// stubAlgorithm stands in at the algorithm seam for package sigv4a's
// AWS4-ECDSA-P256-SHA256: its name and its region sets are SigV4a's, but
// it signs with an HMAC-SHA256 of the string to sign under the secret,
// which the tests recompute. It plugs in through the exported
// SignatureAlgorithm alone, as sigv4a does.
type stubAlgorithm struct {
	name      string
	regionSet bool
}

func (a stubAlgorithm) Name() string    { return a.name }
func (a stubAlgorithm) RegionSet() bool { return a.regionSet }

func (a stubAlgorithm) AppendSignature(dst []byte, c credentials.Credentials, sts []byte) ([]byte, error) {
	return hex.AppendEncode(dst, stubMAC(c.SecretAccessKey, sts)), nil
}

func (a stubAlgorithm) VerifySignature(c credentials.Credentials, sts []byte, sig string) error {
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, stubMAC(c.SecretAccessKey, sts)) {
		return errors.New("stub: signature mismatch")
	}
	return nil
}

func stubMAC(secret string, sts []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(sts)
	return m.Sum(nil)
}

var stubECDSA = stubAlgorithm{name: "AWS4-ECDSA-P256-SHA256", regionSet: true}

// TestV4ASuiteAtTheSeam signs every complete case of AWS's v4a suite with
// a Signer whose algorithm is stubECDSA: the canonical requests and the
// strings to sign, header and query form, are the suite's byte for byte.
// SigV4a then needs only its key and signature (steps 3 and 4) from
// package sigv4a; canonicalization does not change.
func TestV4ASuiteAtTheSeam(t *testing.T) {
	s, err := suites.Load(suites.V4A)
	if err != nil {
		t.Fatal(err)
	}
	complete := 0
	for _, sc := range s.Cases {
		if !sc.Complete {
			continue
		}
		complete++
		t.Run(sc.Name, func(t *testing.T) {
			c, err := sc.Context()
			if err != nil {
				t.Fatal(err)
			}
			signer := seamSigner(t, c)
			req := parseSuiteRequest(t, caseFile(t, sc, "request.txt"), false)
			want := func(f string) string { return string(caseFile(t, sc, f)) }
			ctx := context.Background()
			tr, err := signer.Explain(ctx, req.httpRequest(), "")
			if err != nil {
				t.Fatal(err)
			}
			diff(t, "header canonical request", tr.CanonicalRequest, want("header-canonical-request.txt"))
			diff(t, "header string to sign", tr.StringToSign, want("header-string-to-sign.txt"))
			diff(t, "signature", tr.Signature, hex.EncodeToString(stubMAC(c.Credentials.SecretAccessKey, []byte(tr.StringToSign))))
			tr, err = signer.ExplainPresign(ctx, req.httpRequest(), time.Duration(c.ExpirationInSeconds)*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			diff(t, "query canonical request", tr.CanonicalRequest, want("query-canonical-request.txt"))
			diff(t, "query string to sign", tr.StringToSign, want("query-string-to-sign.txt"))
		})
	}
	if complete < 30 {
		t.Fatalf("only %d complete v4a cases", complete)
	}
}

// seamSigner is suiteSigner with the stub algorithm; the context's region
// is the region set.
func seamSigner(t testing.TB, c suiteContext) *sigv4.Signer {
	t.Helper()
	return suiteSignerWith(t, c, stubECDSA)
}

// TestAlgorithmSignVerify signs with the stub algorithm, header-signed and
// presigned, and verifies with a Verifier that accepts it: the Verifier
// dispatches on the request's algorithm, reads the region-less scope and
// matches X-Amz-Region-Set against its regions; a Verifier without the
// algorithm, a region set it does not serve and a changed region set are
// refused, and AWS4-HMAC-SHA256 requests still verify beside it.
func TestAlgorithmSignVerify(t *testing.T) {
	ctx := context.Background()
	newSigner := func(regionSet string, alg sigv4.SignatureAlgorithm) *sigv4.Signer {
		s, err := sigv4.New(sigv4.Config{Service: "s3", Region: regionSet, Algorithm: alg,
			Credentials: credentials.Static(vCreds.AccessKeyID, vCreds.SecretAccessKey, ""), Now: func() time.Time { return vTime }})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	newVerifier := func(regions []string, algs ...sigv4.SignatureAlgorithm) *sigv4.Verifier {
		return vVerifier(t, "s3", sigv4.VerifierConfig{Regions: regions, Algorithms: algs})
	}
	// A signed request and a presigned one, as a server receives them.
	requests := func(s *sigv4.Signer) (header, presigned func() *http.Request) {
		req, _ := http.NewRequest("GET", "https://bucket.s3.amazonaws.com/k%20ey?versionId=1", nil)
		req.Header.Set("X-Amz-Meta-A", "b")
		if err := s.Sign(ctx, req, sigv4.UnsignedPayload); err != nil {
			t.Fatal(err)
		}
		hw := vWire(t, req)
		preq, _ := http.NewRequest("GET", "https://bucket.s3.amazonaws.com/k%20ey?versionId=1", nil)
		p, err := s.Presign(ctx, preq, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		pw := vWire(t, vPresignedRequest(t, p, ""))
		return func() *http.Request { return vServerRequest(t, hw) }, func() *http.Request { return vServerRequest(t, pw) }
	}
	header, presigned := requests(newSigner("us-west-2,eu-*", stubECDSA))
	if r := header(); !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-ECDSA-P256-SHA256 Credential="+vCreds.AccessKeyID+"/20261128/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-meta-a;x-amz-region-set, Signature=") ||
		r.Header.Get("X-Amz-Region-Set") != "us-west-2,eu-*" {
		t.Fatalf("header-signed request:\n%s\n%s", r.Header.Get("Authorization"), r.Header.Get("X-Amz-Region-Set"))
	}
	if r := presigned(); r.URL.Query().Get("X-Amz-Region-Set") != "us-west-2,eu-*" || r.URL.Query().Get("X-Amz-Algorithm") != "AWS4-ECDSA-P256-SHA256" {
		t.Fatalf("presigned URL %s", r.URL)
	}
	hmacHeader, hmacPresigned := requests(newSigner("eu-west-1", nil))

	accepts := newVerifier([]string{"eu-west-1"}, stubECDSA)
	for _, c := range []struct {
		name string
		v    *sigv4.Verifier
		r    func() *http.Request
		code string
	}{
		{"header", accepts, header, ""},
		{"presigned", accepts, presigned, ""},
		{"HMAC header beside it", accepts, hmacHeader, ""},
		{"HMAC presigned beside it", accepts, hmacPresigned, ""},
		{"header, algorithm not accepted", newVerifier([]string{"eu-west-1"}), header, sigv4.CodeAuthorizationHeaderMalformed},
		{"presigned, algorithm not accepted", newVerifier([]string{"eu-west-1"}), presigned, sigv4.CodeAuthorizationQueryParametersError},
		{"header, region not in the set", newVerifier([]string{"ap-south-1"}, stubECDSA), header, sigv4.CodeAuthorizationHeaderMalformed},
		{"presigned, region not in the set", newVerifier([]string{"ap-south-1"}, stubECDSA), presigned, sigv4.CodeAuthorizationQueryParametersError},
		{"region set changed", newVerifier([]string{"ap-south-1"}, stubECDSA), func() *http.Request {
			r := header()
			r.Header.Set("X-Amz-Region-Set", "*")
			return r
		}, sigv4.CodeSignatureDoesNotMatch},
		{"signature changed", accepts, func() *http.Request {
			r := header()
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-1]+string("10"[a[len(a)-1]&1]))
			return r
		}, sigv4.CodeSignatureDoesNotMatch},
	} {
		vd, err := c.v.Verify(c.r())
		if got := vCode(err); c.code == "" && err != nil || c.code != "" && got != c.code {
			t.Errorf("%s: %s, want %q", c.name, got, c.code)
			continue
		}
		if c.code == "" && strings.HasPrefix(c.name, "header") && (vd.Region != "us-west-2,eu-*" || vd.Service != "s3") {
			t.Errorf("%s: Verified region %q service %q", c.name, vd.Region, vd.Service)
		}
	}
}

// TestAlgorithmConfig checks the algorithms New and NewVerifier refuse,
// and what a Signer does with an algorithm that returns no signature.
func TestAlgorithmConfig(t *testing.T) {
	creds := credentials.Static("AKID", "SECRET", "")
	for _, c := range []struct {
		alg    sigv4.SignatureAlgorithm
		region string
	}{
		{stubAlgorithm{name: sigv4.Algorithm}, "us-east-1"},
		{stubAlgorithm{name: "aws4-lower"}, "us-east-1"},
		{stubAlgorithm{name: "AWS4-WITH SPACE"}, "us-east-1"},
		{stubAlgorithm{name: "HMAC"}, "us-east-1"},
		{stubAlgorithm{name: "AWS4-SET", regionSet: true}, "us-east-1,,eu-west-1"},
	} {
		if _, err := sigv4.New(sigv4.Config{Service: "s3", Region: c.region, Credentials: creds, Algorithm: c.alg}); !errors.Is(err, sigv4.ErrInvalidConfig) {
			t.Errorf("New with algorithm %q, region %q: %v, want ErrInvalidConfig", c.alg.Name(), c.region, err)
		}
	}
	for _, algs := range [][]sigv4.SignatureAlgorithm{{nil}, {stubAlgorithm{name: sigv4.Algorithm}}} {
		if _, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "s3", Regions: []string{"us-east-1"}, Secrets: sigv4.StaticSecrets(), Algorithms: algs}); !errors.Is(err, sigv4.ErrInvalidConfig) {
			t.Errorf("NewVerifier with %v: %v, want ErrInvalidConfig", algs, err)
		}
	}
	s, err := sigv4.New(sigv4.Config{Service: "s3", Region: "us-east-1", Credentials: creds, Algorithm: badHexAlgorithm{}})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "https://b.s3.amazonaws.com/k", nil)
	if err := s.Sign(context.Background(), req, sigv4.UnsignedPayload); !errors.Is(err, sigv4.ErrInvalidConfig) || req.Header.Get("Authorization") != "" {
		t.Errorf("Sign with an algorithm that signs %q: %v, Authorization %q", "not hex", err, req.Header.Get("Authorization"))
	}
}

// badHexAlgorithm returns a signature that cannot go in a header.
type badHexAlgorithm struct{ stubAlgorithm }

func (badHexAlgorithm) Name() string { return "AWS4-BAD" }

func (badHexAlgorithm) AppendSignature(dst []byte, _ credentials.Credentials, _ []byte) ([]byte, error) {
	return append(dst, "not hex, Signature=0"...), nil
}
