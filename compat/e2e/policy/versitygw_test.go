//go:build e2e

package policy_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/compat/policydiff"
	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/policy"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// versitygw returns the server that compat/scripts/e2e.sh started.
func versitygw(t *testing.T) target {
	t.Helper()
	env := func(name string) string {
		v := os.Getenv(name)
		switch {
		case v == "" && os.Getenv("SIGV4_E2E_REQUIRE") != "":
			t.Fatalf("%s is not set, and SIGV4_E2E_REQUIRE is", name)
		case v == "":
			t.Skipf("%s is not set: run through compat/scripts/e2e.sh (make e2e)", name)
		}
		return v
	}
	endpoint := env("SIGV4_E2E_ENDPOINT")
	bucket := env("SIGV4_E2E_BUCKET")
	region := env("SIGV4_E2E_REGION")
	creds := credentials.Credentials{AccessKeyID: env("SIGV4_E2E_ACCESS_KEY"), SecretAccessKey: env("SIGV4_E2E_SECRET_KEY")}
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
