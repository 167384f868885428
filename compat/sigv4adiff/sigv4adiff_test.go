// Package sigv4adiff cross-checks sigv4kit's SigV4a (package sigv4a)
// against smithy-go's aws-http-auth/sigv4a over the differential
// generator's requests.
//
// aws-http-auth signs SigV4a but has no verifier, so each side's check of
// the other's signature is built from what each side computes:
//
//   - aws-http-auth's signature (header and query form) is verified with
//     crypto/ecdsa over the string to sign of sigv4kit's ExplainPresign or
//     Explain of the same request, under the public key sigv4kit's Explain
//     shows (sigv4a.DeriveKey): it verifies only if both built the same
//     canonical request and string to sign and derived the same key pair;
//   - sigv4kit's signature of that string to sign (Trace.Signature) is then
//     a signature of aws-http-auth's string to sign under aws-http-auth's
//     key, so it is checked with crypto/ecdsa, as aws-http-auth's
//     verification would check it, and both Authorization headers name the
//     same signed headers;
//   - aws-http-auth's header-signed requests of S3 specs are also sent to a
//     127.0.0.1 server behind sigv4.Verifier with sigv4a.Algorithm.
package sigv4adiff

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	hacreds "github.com/aws/smithy-go/aws-http-auth/credentials"
	hasigv4a "github.com/aws/smithy-go/aws-http-auth/sigv4a"
	hav4 "github.com/aws/smithy-go/aws-http-auth/v4"

	"github.com/sigv4kit/sigv4kit/compat/differential"
	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
	"github.com/sigv4kit/sigv4kit/sigv4a"
)

// specs is the number of generated requests, each signed in header and
// query form by both sides.
const specs = 2000

// signedByDefault is sigv4kit's header rule, for aws-http-auth (which signs
// only host and x-amz-* by default).
type signedByDefault struct{}

func (signedByDefault) IsSigned(h string) bool {
	switch h {
	case "authorization", "user-agent", "x-amzn-trace-id", "expect", "transfer-encoding", "connection":
		return false
	}
	return true
}

// regionSets are the region sets the specs are signed for, by index.
var regionSets = [][]string{{"*"}, {"eu-west-1"}, {"us-east-1", "eu-west-1"}, {"eu-*"}}

func publicKey(t *testing.T, tr *sigv4.Trace) *ecdsa.PublicKey {
	t.Helper()
	x, y, _ := strings.Cut(tr.PublicKey, " ")
	point, err := hex.DecodeString("04" + x + y)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

func verifies(pub *ecdsa.PublicKey, sts, sigHex string) bool {
	der, err := hex.DecodeString(sigHex)
	if err != nil {
		return false
	}
	d := sha256.Sum256([]byte(sts))
	return ecdsa.VerifyASN1(pub, d[:], der)
}

func authField(auth, field string) string {
	_, v, _ := strings.Cut(auth, field+"=")
	v, _, _ = strings.Cut(v, ",")
	return v
}

func kitSigner(t *testing.T, s *differential.Spec, set []string) *sigv4a.Signer {
	t.Helper()
	c := s.KitConfig()
	k, err := sigv4a.New(sigv4a.Config{Service: c.Service, RegionSet: set, Credentials: c.Credentials, Now: c.Now,
		NormalizePath: c.NormalizePath, ContentSHA256Header: c.ContentSHA256Header, SignSessionToken: c.SignSessionToken})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func smithySigner(s *differential.Spec) *hasigv4a.Signer {
	return hasigv4a.New(func(o *hav4.SignerOptions) {
		o.HeaderRules = signedByDefault{}
		o.DisableDoublePathEscape = s.S3
		o.AddPayloadHashHeader = s.S3 || s.ContentHeader
	})
}

// verifier is the server side of spec s, in eu-west-1, accepting SigV4a.
func verifier(t *testing.T, s *differential.Spec) *sigv4.Verifier {
	t.Helper()
	cfg := sigv4.VerifierConfig{
		Service:    s.Service,
		Regions:    []string{"eu-west-1"},
		Secrets:    sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.Secret, SessionToken: s.Token}),
		Now:        func() time.Time { return s.Time },
		Algorithms: []sigv4.SignatureAlgorithm{sigv4a.Algorithm()},
	}
	if !s.S3 && !s.Normalize {
		cfg.NormalizePath = sigv4.Off
	}
	v, err := sigv4.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// throughWire returns the server's view of req, or nil when the wire
// cannot carry it (Go's client or server refuses the bytes).
func throughWire(req *http.Request) *http.Request {
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		return nil
	}
	r, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		return nil
	}
	return r
}

type outcome struct{ verified, wireless, lies int }

// check verifies req as the server sees it. lie marks a header-signed
// request of a service without X-Amz-Content-Sha256 whose payload line is
// not its body's hash: the server hashes the body, so it must refuse.
func check(t *testing.T, v *sigv4.Verifier, s *differential.Spec, who string, req *http.Request, o *outcome, lie bool) {
	t.Helper()
	r := throughWire(req)
	if r == nil {
		o.wireless++
		return
	}
	_, err := v.Verify(r)
	var ae *sigv4.AuthError
	if lie {
		if !errors.As(err, &ae) || ae.Code != sigv4.CodeSignatureDoesNotMatch {
			t.Errorf("%s: a payload line that is not the body's hash: %v\nspec: %s", who, err, s.String())
		}
		o.lies++
		return
	}
	if err != nil {
		errors.As(err, &ae)
		cr := ""
		if ae != nil {
			cr = ae.CanonicalRequest
		}
		t.Errorf("%s: %v\nspec: %s\nserver's canonical request:\n%s", who, err, s.String(), cr)
		return
	}
	o.verified++
}

func presignedRequest(method, rawURL string, h http.Header, body []byte) *http.Request {
	req, err := http.NewRequest(method, rawURL, bytes.NewReader(body))
	if err != nil {
		return nil
	}
	if len(body) == 0 {
		req.Body, req.GetBody, req.ContentLength = nil, nil, 0
	}
	for k, vv := range h {
		if !strings.EqualFold(k, "Host") && !strings.EqualFold(k, "Content-Length") {
			req.Header[k] = vv
		}
	}
	return req
}

// harmonize rewrites a spec into the form on which aws-http-auth's
// canonicalization is SigV4's, the same for both signers, and reports
// false for a spec it cannot sign as SigV4 wants. aws-http-auth (v1.2.2)
// departs from SigV4's rules, which sigv4kit, aws-sdk-go-v2 and the
// service follow, in three ways (its internal/v4/signer.go and
// strings.go), none of them SigV4a's:
//   - header values are trimmed but inner runs of spaces are not collapsed:
//     runs are collapsed here, for both signers;
//   - the query is read with url.Values, so a '+' is a space (it is sent
//     as %20 here) and a pair that url.ParseQuery refuses (";", a bad
//     %-escape) is dropped silently (such specs are skipped);
//   - header keys that differ only in case are separate canonical lines
//     (SDKRequest merges them, without hoisting);
//   - the host is signed with the scheme's default port when the URL has
//     one, where sigv4kit and aws-sdk-go-v2 leave it out (and net/http
//     sends it): it is taken out of the URL here.
func harmonize(s *differential.Spec) bool {
	if _, err := url.ParseQuery(s.RawQuery); err != nil {
		return false
	}
	s.RawQuery = strings.ReplaceAll(s.RawQuery, "+", "%20")
	s.Hoist = false // aws-http-auth never moves headers into the query
	for _, h := range []*string{&s.URLHost, &s.ReqHost} {
		switch scheme := strings.ToLower(s.Scheme); {
		case scheme == "http" && strings.HasSuffix(*h, ":80"), scheme == "https" && strings.HasSuffix(*h, ":443"):
			*h = (*h)[:strings.LastIndexByte(*h, ':')]
		}
	}
	for i, h := range s.Headers {
		s.Headers[i].Value = strings.Join(strings.FieldsFunc(h.Value, func(r rune) bool { return r == ' ' }), " ")
	}
	return true
}

// TestCrossVerifyGenerated signs the generator's requests with sigv4kit's
// sigv4a.Signer and aws-http-auth's sigv4a.Signer, header signed and
// presigned, for region sets that hold the verifier's region, and
// verifies each with sigv4.Verifier and sigv4a.Algorithm; one request in
// four is also signed for a region set without it, and must be refused.
func TestCrossVerifyGenerated(t *testing.T) {
	n := specs
	if testing.Short() {
		n = 300
	}
	ctx := context.Background()
	g := differential.NewGenerator(0x5164a)
	var kitH, kitP, haH, haP outcome
	outside, skipped := 0, 0
	var cross crossOutcome
	for i := range n {
		s := g.Next()
		s.UnsignedToken = false // aws-http-auth always signs the token
		// The Verifier checks x-amz-checksum-* headers against the body
		// (the generator's values are not checksums): leave them out.
		s.Headers = slices.DeleteFunc(s.Headers, func(h differential.Header) bool {
			return strings.HasPrefix(strings.ToLower(h.Name), "x-amz-checksum-")
		})
		if !harmonize(&s) {
			skipped++
			continue
		}
		set := regionSets[i%len(regionSets)]
		v := verifier(t, &s)
		lie := !s.S3 && !s.ContentHeader && s.PayloadHash != "" && s.PayloadHash != s.BodyHash()

		// sigv4kit, header and presigned.
		kit := kitSigner(t, &s, set)
		req := s.KitRequest(false)
		if err := kit.Sign(ctx, req, s.PayloadHash); err == nil {
			check(t, v, &s, "sigv4kit Sign", req, &kitH, lie)
		}
		if s.Expires > 0 {
			if p, err := kit.Presign(ctx, s.KitRequest(false), s.Expires); err == nil {
				if r := presignedRequest(p.Method, p.URL, p.Header, s.Body); r != nil {
					check(t, v, &s, "sigv4kit Presign", r, &kitP, false)
				}
			}
		}

		// aws-http-auth, header signed.
		hc := hacreds.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.Secret, SessionToken: s.Token}
		payload := s.PayloadHash
		if payload == "" {
			payload = s.BodyHash()
		}
		ph := []byte(payload)
		if len(payload) == 64 {
			ph, _ = hex.DecodeString(payload)
		}
		req = s.SDKRequest(false)
		if err := smithySigner(&s).SignRequest(&hasigv4a.SignRequestInput{Request: req, PayloadHash: ph,
			Credentials: hc, Service: s.Service, RegionSet: set, Time: s.Time}); err == nil {
			crossStringToSign(t, &s, kit, req, payload, &cross)
			check(t, v, &s, "aws-http-auth header", req, &haH, lie)
		}
		// aws-http-auth, presigned (it wants X-Amz-Expires in the query).
		if s.Expires > 0 {
			ppayload := []byte(sigv4.UnsignedPayload)
			if !s.S3 {
				ppayload, _ = hex.DecodeString(s.BodyHash())
			}
			req = s.SDKRequest(true)
			err := smithySigner(&s).SignRequest(&hasigv4a.SignRequestInput{Request: req, PayloadHash: ppayload,
				Credentials: hc, Service: s.Service, RegionSet: set, Time: s.Time, SignatureType: hav4.SignatureTypeQueryString})
			if err == nil {
				h := req.Header.Clone()
				h.Del("Authorization") // a generated header that is never signed, not a second auth
				if r := presignedRequest(s.Method, req.URL.String(), h, s.Body); r != nil {
					if s.ReqHost != "" {
						r.Host = s.ReqHost
					}
					check(t, v, &s, "aws-http-auth presigned", r, &haP, false)
				}
			}
		}

		// A region set without eu-west-1 is refused, whoever signed.
		if i%4 == 0 {
			out := kitSigner(t, &s, []string{"us-west-2", "ap-*"})
			req := s.KitRequest(false)
			if err := out.Sign(ctx, req, s.PayloadHash); err == nil {
				if r := throughWire(req); r != nil {
					if _, err := v.Verify(r); err == nil {
						t.Errorf("region set us-west-2,ap-* accepted in eu-west-1\nspec: %s", s.String())
					}
					outside++
				}
			}
		}
	}
	t.Logf("%d generated requests, region sets %v; verified by sigv4.Verifier with sigv4a.Algorithm:", n, regionSets)
	for _, x := range []struct {
		name string
		o    outcome
	}{{"sigv4kit Sign", kitH}, {"sigv4kit Presign", kitP}, {"aws-http-auth header", haH}, {"aws-http-auth presigned", haP}} {
		t.Logf("  %-24s verified %4d, refused as expected %3d, not carried by the wire %d", x.name, x.o.verified, x.o.lies, x.o.wireless)
	}
	t.Logf("  string to sign: aws-http-auth's header signature verifies over sigv4kit's string to sign under sigv4kit's key, and sigv4kit's over it, for %d requests (%d sign a different header list: sigv4kit signs Content-Length)", cross.same, cross.otherHeaders)
	t.Logf("  region set outside: %d refused; %d specs whose query aws-http-auth cannot parse, skipped", outside, skipped)
	if kitH.verified+haH.verified < 2*1000 && !testing.Short() {
		t.Errorf("too few verified header-signed requests: %d and %d", kitH.verified, haH.verified)
	}
}

type crossOutcome struct{ same, otherHeaders int }

// crossStringToSign checks aws-http-auth's header-signed req against
// sigv4kit's Explain of the same spec: when both sign the same headers,
// aws-http-auth's signature must verify, with crypto/ecdsa, over
// sigv4kit's string to sign and under the public key sigv4kit derives
// (so both built one string to sign and derived one key pair), and
// sigv4kit's signature of it must verify under that key, which is then
// aws-http-auth's: the check aws-http-auth would make, had it a verifier.
func crossStringToSign(t *testing.T, s *differential.Spec, kit *sigv4a.Signer, req *http.Request, payload string, o *crossOutcome) {
	t.Helper()
	tr, err := kit.Explain(context.Background(), s.KitRequest(false), payload)
	if err != nil {
		return
	}
	auth := req.Header.Get("Authorization")
	if authField(auth, "SignedHeaders") != tr.SignedHeaders {
		o.otherHeaders++
		return
	}
	pub := publicKey(t, tr)
	if !strings.Contains(auth, "Credential="+s.AccessKey+"/"+tr.CredentialScope+",") {
		t.Errorf("aws-http-auth's Authorization %q has not sigv4kit's scope %s", auth, tr.CredentialScope)
	}
	if !verifies(pub, tr.StringToSign, authField(auth, "Signature")) {
		t.Errorf("aws-http-auth's signature does not verify over sigv4kit's string to sign\n%s\nspec: %s", tr.StringToSign, s.String())
		return
	}
	if !verifies(pub, tr.StringToSign, tr.Signature) {
		t.Errorf("sigv4kit's signature does not verify under aws-http-auth's key\nspec: %s", s.String())
		return
	}
	o.same++
}

// TestSmithyThroughVerifier sends aws-http-auth's SigV4a requests to a
// 127.0.0.1 server behind sigv4.Verifier with sigv4a.Algorithm: header
// signed and presigned, region sets with and without the server's region.
func TestSmithyThroughVerifier(t *testing.T) {
	creds := credentials.Credentials{AccessKeyID: "AKIDSMITHY", SecretAccessKey: "smithy/secret", SessionToken: "smithy-token"}
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "s3", Regions: []string{"us-east-1"}, Secrets: sigv4.StaticSecrets(creds),
		Algorithms: []sigv4.SignatureAlgorithm{sigv4a.Algorithm()}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s", r.URL.Path, b)
	})))
	defer srv.Close()
	hc := hacreds.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken}
	signer := hasigv4a.New(func(o *hav4.SignerOptions) { o.DisableDoublePathEscape = true; o.AddPayloadHashHeader = true })
	for _, c := range []struct {
		set    []string
		method string
		query  bool
		status int
	}{
		{[]string{"*"}, "PUT", false, 200},
		{[]string{"us-east-1", "eu-west-1"}, "GET", false, 200},
		{[]string{"us-*"}, "GET", true, 200},
		{[]string{"*"}, "GET", true, 200},
		{[]string{"eu-west-1"}, "GET", false, 400},
		{[]string{"eu-west-1"}, "GET", true, 400},
	} {
		body := "body of " + strings.Join(c.set, ",")
		if c.method == "GET" {
			body = ""
		}
		req, _ := http.NewRequest(c.method, srv.URL+"/bucket/key%20one", strings.NewReader(body))
		sum := sha256.Sum256([]byte(body))
		in := &hasigv4a.SignRequestInput{Request: req, PayloadHash: sum[:], Credentials: hc, Service: "s3", RegionSet: c.set}
		if c.query {
			req.URL.RawQuery = "X-Amz-Expires=300"
			in.SignatureType, in.PayloadHash = hav4.SignatureTypeQueryString, []byte(sigv4.UnsignedPayload)
		}
		if err := signer.SignRequest(in); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || c.status == 200 && string(b) != "/bucket/key one "+body {
			t.Errorf("%v %s query=%v: %d %s, want %d", c.set, c.method, c.query, resp.StatusCode, b, c.status)
		}
	}
}
