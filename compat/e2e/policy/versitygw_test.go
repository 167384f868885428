//go:build e2e

package policy_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/compat/internal/e2eenv"
	"github.com/sigv4kit/sigv4kit/compat/policydiff"
	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/policy"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// versitygw returns the server that compat/scripts/e2e.sh started.
func versitygw(t *testing.T) target {
	t.Helper()
	e := e2eenv.Get(t)
	endpoint, bucket, region, creds := e.Endpoint, e.Bucket, e.Region, e.Credentials()
	signer, err := sigv4.New(sigv4.Config{Service: "s3", Region: region,
		Credentials: credentials.Static(creds.AccessKeyID, creds.SecretAccessKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	return target{
		Endpoint: endpoint, Bucket: bucket, Region: region, Creds: creds,
		Fetch: func(ctx context.Context, key string) ([]byte, string, error) {
			u, err := policy.PathStyleURL(endpoint, bucket)
			if err != nil {
				return nil, "", err
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u+"/"+key, nil)
			if err != nil {
				return nil, "", err
			}
			if err := signer.Sign(ctx, req, sigv4.EmptyPayloadHash); err != nil {
				return nil, "", err
			}
			resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
			if err != nil {
				return nil, "", err
			}
			defer resp.Body.Close()
			data, err := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				return nil, "", fmt.Errorf("GET %s: %s\n%s", key, resp.Status, data)
			}
			return data, resp.Header.Get("Content-Type"), err
		},
	}
}

// TestVersitygw posts the cases to versitygw.
func TestVersitygw(t *testing.T) {
	runCases(t, versitygw(t))
}

// TestVersitygwMinioGo checks that versitygw treats the forms of sigv4kit
// and of minio-go's PostPolicy alike.
func TestVersitygwMinioGo(t *testing.T) {
	tg := versitygw(t)
	policydiff.Check(t, policydiff.Server{Endpoint: tg.Endpoint, Bucket: tg.Bucket, Region: tg.Region, Creds: tg.Creds})
}
