package sigv4_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// FuzzVerify verifies arbitrary methods, request targets, Authorization
// headers, extra headers and bodies, seeded with signed requests. Verify
// must never panic, and whatever it accepts must carry the HMAC, under the
// real secret, of the string to sign the server computed: a verifier with
// a wrong secret refuses the same request with SignatureDoesNotMatch and
// reports that string to sign, which the test signs independently with
// crypto/hmac.
func FuzzVerify(f *testing.F) {
	for _, c := range vCorpus(f) {
		r := vServerRequest(f, c.wire)
		body, _ := io.ReadAll(r.Body)
		var extra strings.Builder
		for k, vv := range r.Header {
			if k != "Authorization" {
				for _, v := range vv {
					extra.WriteString(k + ": " + v + "\n")
				}
			}
		}
		f.Add(c.name[:2], r.Method, r.RequestURI, r.Host, r.Header.Get("Authorization"), extra.String(), body)
	}
	f.Add("s3", "GET", "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2F20261128%2Fus-east-1%2Fs3%2Faws4_request", "h", "", "", []byte(nil))
	f.Add("s3", "GET", "/", "h", "AWS4-HMAC-SHA256 Credential=,,,SignedHeaders=;;;,Signature==", "X-Amz-Date: 20261128T120000Z\n", []byte("x"))
	now := func() time.Time { return vTime.Add(time.Minute) }
	verifiers := map[string][2]*sigv4.Verifier{}
	for _, svc := range []string{"s3", "dynamodb"} {
		good := vVerifier(f, svc, sigv4.VerifierConfig{Now: now, MaxBufferedBody: 1 << 16})
		bad := vVerifier(f, svc, sigv4.VerifierConfig{Now: now, MaxBufferedBody: 1 << 16, Secrets: sigv4.SecretLookupFunc(
			func(_ context.Context, id string) (credentials.Credentials, error) {
				c, err := sigv4.StaticSecrets(vCreds, vTokens).LookupSecret(context.Background(), id)
				c.SecretAccessKey += "-wrong"
				return c, err
			})})
		verifiers[svc[:2]] = [2]*sigv4.Verifier{good, bad}
	}
	f.Fuzz(func(t *testing.T, svc, method, target, host, authz, extra string, body []byte) {
		vs, ok := verifiers[svc]
		if !ok {
			vs = verifiers["s3"]
		}
		build := func() *http.Request {
			u, err := url.ParseRequestURI(target)
			if err != nil {
				return nil
			}
			r := &http.Request{Method: method, URL: u, Host: host, Header: http.Header{}, RequestURI: target,
				Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}
			if authz != "" {
				r.Header["Authorization"] = []string{authz}
			}
			for _, line := range strings.Split(extra, "\n") {
				k, v, ok := strings.Cut(line, ":")
				if ok {
					r.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
				}
			}
			return r
		}
		r := build()
		if r == nil {
			return
		}
		vd, got, err := vVerifyAll(vs[0], r)
		if err != nil {
			var ae *sigv4.AuthError
			if !errors.As(err, &ae) || ae.Code == "" || ae.StatusCode < 400 {
				t.Fatalf("error is not a complete AuthError: %#v", err)
			}
			return
		}
		if !bytes.Equal(got, body) {
			t.Fatalf("accepted body %q, sent %q", got, body)
		}
		// Accepted: the signature must be the HMAC of the server's string
		// to sign under the real secret.
		_, _, err = vVerifyAll(vs[1], build())
		var ae *sigv4.AuthError
		if !errors.As(err, &ae) || ae.Code != sigv4.CodeSignatureDoesNotMatch {
			t.Fatalf("accepted with the right secret, and with a wrong one: %v", err)
		}
		secret := vCreds.SecretAccessKey
		if vd.AccessKeyID == vTokens.AccessKeyID {
			secret = vTokens.SecretAccessKey
		}
		key := sigv4.SigningKey(secret, vd.SignedAt, vd.Region, vd.Service)
		m := hmac.New(sha256.New, key)
		m.Write([]byte(ae.StringToSign))
		if want := hex.EncodeToString(m.Sum(nil)); want != vd.Signature || ae.SignatureProvided != vd.Signature {
			t.Fatalf("accepted signature %s, but the string to sign signs as %s", vd.Signature, want)
		}
		if len(authz) > sigv4.MaxAuthorizationBytes || len(r.URL.RawQuery) > sigv4.MaxQueryBytes {
			t.Fatalf("accepted input beyond the limits")
		}
	})
}
