package presign_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/awsconfig"
	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/presign"
)

func TestFromEnvironment(t *testing.T) {
	keys := map[string]string{"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range keys {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		env     map[string]string
		url     string // prefix of the URL
		wantErr error
		msg     string
	}{
		{name: "region from AWS_DEFAULT_REGION", env: with("AWS_DEFAULT_REGION", "eu-west-1"), url: "https://my-bucket.s3.eu-west-1.amazonaws.com/k?"},
		{name: "endpoint from AWS_ENDPOINT_URL_S3: path-style", env: with("AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000"), url: "http://127.0.0.1:9000/my-bucket/k?"},
		{name: "dual-stack from the environment", env: with("AWS_REGION", "eu-west-1", "AWS_USE_DUALSTACK_ENDPOINT", "true"), url: "https://my-bucket.s3.dualstack.eu-west-1.amazonaws.com/k?"},
		{name: "no region", env: with(), wantErr: presign.ErrInvalidConfig, msg: "no region"},
		{name: "missing profile", env: with("AWS_REGION", "eu-west-1", "AWS_PROFILE", "nosuch"), wantErr: credentials.ErrProfileNotFound},
		{name: "no credentials: reported by the operation", env: map[string]string{"AWS_REGION": "eu-west-1", "AWS_EC2_METADATA_DISABLED": "true"}, wantErr: credentials.ErrNoCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			p := presign.FromEnvironment(ctx, awsconfig.Options{
				Getenv: func(k string) string { return tt.env[k] }, HomeDir: t.TempDir(),
				Now: func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
			})
			r, err := p.GetObject(ctx, "my-bucket", "k", time.Hour)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.msg) {
					t.Fatalf("err = %v, want %v containing %q", err, tt.wantErr, tt.msg)
				}
				// A load error is sticky and reported by Err at once; a
				// credentials error only comes with the operation.
				if errors.Is(tt.wantErr, credentials.ErrNoCredentials) != (p.Err() == nil) {
					t.Errorf("Err() = %v", p.Err())
				}
				if p.Err() != nil && (p.Region() != "" || p.Endpoint() != "" || !strings.Contains(p.String(), "Err")) {
					t.Errorf("a failed Presigner shows Region %q, Endpoint %q, String %s", p.Region(), p.Endpoint(), p)
				}
				return
			}
			if err != nil || p.Err() != nil {
				t.Fatalf("err = %v, Err() = %v", err, p.Err())
			}
			if !strings.HasPrefix(r.URL, tt.url) {
				t.Errorf("URL %s, want %s...", r.URL, tt.url)
			}
		})
	}
}

// ExampleFromEnvironment presigns with the configuration of the
// environment; here an injected one, with a fixed clock.
func ExampleFromEnvironment() {
	env := map[string]string{
		"AWS_ACCESS_KEY_ID":     "AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_DEFAULT_REGION":    "eu-west-1",
	}
	ctx := context.Background()
	p := presign.FromEnvironment(ctx, awsconfig.Options{
		Getenv:  func(k string) string { return env[k] },
		HomeDir: "/nonexistent",
		Now:     func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
	})
	r, err := p.GetObject(ctx, "my-bucket", "reports/q3.pdf", time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.URL)
	// Output:
	// https://my-bucket.s3.eu-west-1.amazonaws.com/reports/q3.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=95018434046cc1965063b7c21da4f491e4cf0341021731845a1c5d7e057482a7
}
