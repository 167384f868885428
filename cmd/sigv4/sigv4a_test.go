package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
	"github.com/sigv4kit/sigv4kit/sigv4a"
)

// sigv4aVerifier is a Verifier in region that accepts SigV4a with the
// example keys, at the test clock of credEnv.
func sigv4aVerifier(t *testing.T, region string) *sigv4.Verifier {
	t.Helper()
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "s3", Regions: []string{region},
		Secrets: sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: exampleID, SecretAccessKey: exampleSecret}),
		Now:     func() time.Time { return time.Date(2013, 5, 24, 0, 5, 0, 0, time.UTC) }, Algorithms: []sigv4.SignatureAlgorithm{sigv4a.Algorithm()}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// verifyPresigned verifies a presigned URL as a server receives it.
func verifyPresigned(t *testing.T, v *sigv4.Verifier, rawURL string) error {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	r := &http.Request{Method: "GET", URL: &url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}, Host: u.Host, RequestURI: u.RequestURI(), Header: http.Header{}}
	_, err = v.Verify(r)
	return err
}

// TestPresignSigV4a presigns with --sigv4a and --region-set: a regional
// bucket URL and a Multi-Region Access Point URL, both verified by a
// Verifier with sigv4a.Algorithm; a region outside the set is refused, and
// a malformed region set is a usage error.
func TestPresignSigV4a(t *testing.T) {
	env := credEnv(t)
	r := runIn(t, env, "", "presign", "--region-set", "us-east-1,eu-west-1", "s3://photos/cats/tom.png")
	r.check(t, exitOK, []string{"https://photos.s3.us-east-1.amazonaws.com/cats/tom.png?", "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256",
		"X-Amz-Region-Set=us-east-1%2Ceu-west-1", "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fs3%2Faws4_request"}, nil)
	url1 := strings.TrimSpace(r.stdout)
	if err := verifyPresigned(t, sigv4aVerifier(t, "eu-west-1"), url1); err != nil {
		t.Errorf("eu-west-1: %v", err)
	}
	if err := verifyPresigned(t, sigv4aVerifier(t, "ap-south-1"), url1); err == nil {
		t.Error("ap-south-1, outside the region set, accepted the URL")
	}

	r = runIn(t, env, "", "presign", "--sigv4a", "s3://mfzwi23gnjvgw.mrap/reports/2026.csv")
	r.check(t, exitOK, []string{"https://mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/reports/2026.csv?", "X-Amz-Region-Set=%2A"}, nil)
	if err := verifyPresigned(t, sigv4aVerifier(t, "ap-south-1"), strings.TrimSpace(r.stdout)); err != nil {
		t.Errorf("MRAP URL: %v", err)
	}

	runIn(t, env, "", "presign", "--region-set", "us-east-1,,eu-west-1", "s3://photos/a").
		check(t, exitUsage, nil, []string{`sigv4: error: --region-set "us-east-1,,eu-west-1"`, "sigv4: hint:"})
	runIn(t, env, "", "presign", "--region-set", "us-east-1", "s3://x.mrap/a").
		check(t, exitError, nil, []string{"region set", "sigv4: hint:"})
}

// TestCurlSigV4a sends SigV4a-signed requests with curl --sigv4a to a
// 127.0.0.1 server that verifies them.
func TestCurlSigV4a(t *testing.T) {
	v := sigv4aVerifier(t, "us-east-1")
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("set=" + r.Header.Get("X-Amz-Region-Set")))
	})))
	defer srv.Close()
	env := credEnv(t)
	runIn(t, env, "", "curl", "--sigv4a", "--service", "s3", srv.URL+"/b/k").check(t, exitOK, []string{"set=*"}, nil)
	runIn(t, env, "hi", "curl", "--region-set", "us-east-1,eu-west-1", "-X", "PUT", "-d", "@-", "--service", "s3", srv.URL+"/b/k").
		check(t, exitOK, []string{"set=us-east-1,eu-west-1"}, nil)
	runIn(t, env, "", "curl", "-f", "--region-set", "eu-west-1", "--service", "s3", srv.URL+"/b/k").
		check(t, exitError, nil, []string{"sigv4: hint:"})
}
