package sigv4_test

import (
	"context"
	"errors"
	"net/http"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// suiteVerifier is the server side of suiteSigner.
func suiteVerifier(t testing.TB, c suiteContext) *sigv4.Verifier {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, c.Timestamp)
	if err != nil {
		t.Fatal(err)
	}
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{
		Service: c.Service,
		Regions: []string{c.Region},
		Secrets: sigv4.StaticSecrets(credentials.Credentials{
			AccessKeyID: c.Credentials.AccessKeyID, SecretAccessKey: c.Credentials.SecretAccessKey, SessionToken: c.Credentials.Token,
		}),
		Now:              func() time.Time { return ts },
		DoubleEscape:     sigv4.Off,
		NormalizePath:    toggle(c.Normalize),
		SignSessionToken: toggle(!c.OmitSessionToken),
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// verifySuiteRequest sends a signed client request through its wire form
// and verifies it.
func verifySuiteRequest(t *testing.T, v *sigv4.Verifier, req *http.Request) {
	t.Helper()
	r := vServerRequest(t, vWire(t, req))
	if _, _, err := vVerifyAll(v, r); err != nil {
		var ae *sigv4.AuthError
		if errors.As(err, &ae) && ae.CanonicalRequest != "" {
			t.Fatalf("%v\nserver's canonical request:\n%s", err, ae.CanonicalRequest)
		}
		t.Fatal(err)
	}
}

// TestVerifySigningSuite verifies every case of AWS's current suite, header
// signed and presigned, as the signer signs it.
func TestVerifySigningSuite(t *testing.T) {
	for _, c := range loadSigningSuite(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, v := suiteSigner(t, c.ctx), suiteVerifier(t, c.ctx)
			ctx := context.Background()
			t.Run("header", func(t *testing.T) {
				req := c.req.httpRequest()
				if err := s.Sign(ctx, req, ""); err != nil {
					t.Fatal(err)
				}
				verifySuiteRequest(t, v, req)
			})
			t.Run("query", func(t *testing.T) {
				p, err := s.Presign(ctx, c.req.httpRequest(), time.Duration(c.ctx.ExpirationInSeconds)*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				req, err := http.NewRequest(p.Method, p.URL, nil)
				if err != nil {
					t.Fatal(err)
				}
				src := c.req.httpRequest()
				req.Body, req.GetBody, req.ContentLength = src.Body, src.GetBody, src.ContentLength
				for k, vv := range p.Header {
					if k != "Content-Length" {
						req.Header[k] = vv
					}
				}
				verifySuiteRequest(t, v, req)
			})
		})
	}
}

// TestVerifyLegacySuite verifies every case of AWS's legacy suite.
func TestVerifyLegacySuite(t *testing.T) {
	cases, token := legacyCases(t)
	for _, lc := range cases {
		name := path.Base(lc.Name)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := suiteContext{Region: "us-east-1", Service: "service", Timestamp: "2015-08-30T12:36:00Z", Normalize: true}
			c.Credentials.AccessKeyID, c.Credentials.SecretAccessKey = suiteAccessKey, suiteSecret
			if strings.HasPrefix(name, "post-sts-") {
				c.Credentials.Token = token
				c.OmitSessionToken = name == "post-sts-header-after"
			}
			r := parseSuiteRequest(t, caseFile(t, lc, name+".req"), true)
			req := r.httpRequest()
			if err := suiteSigner(t, c).Sign(context.Background(), req, ""); err != nil {
				t.Fatal(err)
			}
			verifySuiteRequest(t, suiteVerifier(t, c), req)
		})
	}
}
