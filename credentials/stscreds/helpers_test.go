package stscreds

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// Test secrets: TestMain fails the run if an error recorded with noteErr
// shows one of them.
const (
	sourceKeyID   = "AKIDSOURCEEXAMPLE"
	sourceSecret  = "SoUrCeSeCrEtwJalrXUtnFEMIK7MDENGbPxRfiCY"
	sourceToken   = "SoUrCeToKeNFwoGZXIvYXdzEBYaDH"
	roleSecret    = "RoLeSeCrEt9drTJvcXLB89EXAMPLELONG"
	roleToken     = "RoLeToKeNIQoJb3JpZ2luX2VjEXAMPLE"
	webToken      = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.WeBiDeNtItYsIgNaTuRe"
	mfaCode       = "908172"
	roleARN       = "arn:aws:iam::123456789012:role/demo"
	testRequestID = "c6104cbe-af31-11e0-8154-cbc7ccf896c7"
)

var secrets = []string{sourceSecret, sourceToken, roleSecret, roleToken, webToken, mfaCode}

var (
	recordedMu sync.Mutex
	recorded   []string
)

func noteErr(err error) error {
	if err == nil {
		return nil
	}
	recordedMu.Lock()
	defer recordedMu.Unlock()
	recorded = append(recorded, err.Error(), fmt.Sprintf("%v|%+v|%#v|%q", err, err, err, err))
	return err
}

func TestMain(m *testing.M) {
	code := m.Run()
	recordedMu.Lock()
	for _, s := range recorded {
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				fmt.Fprintf(os.Stderr, "FAIL: an error shows a test secret: %s\n", s)
				code = 1
			}
		}
	}
	if f := flag.Lookup("test.run"); code == 0 && len(recorded) < 20 && f != nil && f.Value.String() == "" {
		fmt.Fprintf(os.Stderr, "FAIL: only %d errors recorded for the secret check\n", len(recorded))
		code = 1
	}
	recordedMu.Unlock()
	os.Exit(code)
}

var testNow = time.Date(2026, 11, 28, 13, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func memFiles(m map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		s, ok := m[name]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		return []byte(s), nil
	}
}

// assumeRoleXML is the documented AssumeRole response.
func assumeRoleXML(expiration string) string {
	return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>Alice</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>` + roleSecret + `</SecretAccessKey>
      <SessionToken>` + roleToken + `</SessionToken>
      <Expiration>` + expiration + `</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>` + testRequestID + `</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`
}

// webIdentityXML is the documented AssumeRoleWithWebIdentity response.
func webIdentityXML(expiration string) string {
	return `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:default:app</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/app1</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:app1</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>` + roleToken + `</SessionToken>
      <SecretAccessKey>` + roleSecret + `</SecretAccessKey>
      <Expiration>` + expiration + `</Expiration>
      <AccessKeyId>ASIAWEBIDENTITYEXAMPLE</AccessKeyId>
    </Credentials>
    <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
`
}

// errorXML is the documented STS error response.
func errorXML(typ, code, message string) string {
	return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>` + typ + `</Type>
    <Code>` + code + `</Code>
    <Message>` + message + `</Message>
  </Error>
  <RequestId>` + testRequestID + `</RequestId>
</ErrorResponse>
`
}

// stsRequest is what the test STS server received.
type stsRequest struct {
	form     url.Values
	header   http.Header
	verified error // signature check (AssumeRole only)
}

// verifySignature re-signs the request as received, with the secret the
// client must have used, and compares the Authorization headers. It checks
// that what was signed is what went over the wire.
func verifySignature(r *http.Request, body []byte, secret string) error {
	auth := r.Header.Get("Authorization")
	const prefix = "AWS4-HMAC-SHA256 Credential="
	if !strings.HasPrefix(auth, prefix) {
		return fmt.Errorf("no SigV4 Authorization header: %q", auth)
	}
	parts := strings.Split(strings.TrimPrefix(auth, prefix), ", ")
	if len(parts) != 3 || !strings.HasPrefix(parts[1], "SignedHeaders=") {
		return fmt.Errorf("malformed Authorization %q", auth)
	}
	scope := strings.Split(parts[0], "/") // AKID/date/region/service/aws4_request
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return fmt.Errorf("malformed scope %q", parts[0])
	}
	t, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("X-Amz-Date: %v", err)
	}
	req, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	for _, h := range strings.Split(strings.TrimPrefix(parts[1], "SignedHeaders="), ";") {
		if h != "host" {
			req.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	signer, err := sigv4.New(sigv4.Config{
		Service: scope[3], Region: scope[2], Now: func() time.Time { return t },
		Credentials: credentials.Static(scope[0], secret, r.Header.Get("X-Amz-Security-Token")),
	})
	if err != nil {
		return err
	}
	if err := signer.Sign(context.Background(), req, ""); err != nil {
		return err
	}
	if got := req.Header.Get("Authorization"); got != auth {
		return fmt.Errorf("signature mismatch:\n got  %s\n want %s", auth, got)
	}
	return nil
}

// readForm reads a form POST the way STS does.
func readForm(r *http.Request) (url.Values, []byte, error) {
	if r.Method != http.MethodPost {
		return nil, nil, fmt.Errorf("method %s", r.Method)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return nil, nil, fmt.Errorf("content type %q", ct)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, nil, err
	}
	form, err := url.ParseQuery(string(body))
	return form, body, err
}
