package awsconfig_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/sigv4kit/sigv4kit/awsconfig"
	"github.com/sigv4kit/sigv4kit/presign"
)

// The common case: presign a GET with the credentials, the region and the
// S3 settings that the AWS CLI would use (environment variables, the
// profile of AWS_PROFILE or the default one, SSO, roles, the container or
// EC2 instance role). TestCommonCaseLines counts the lines of this body.
func Example() {
	ctx := context.Background()
	p := presign.FromEnvironment(ctx, awsconfig.Options{})
	r, err := p.GetObject(ctx, "my-bucket", "reports/2026 Q3.pdf", time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.URL)
}

// Load with an injected environment, as a test would: keys and region from
// the variables, an S3 endpoint URL, and no shared files.
func ExampleLoad() {
	env := map[string]string{
		"AWS_ACCESS_KEY_ID":     "AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_DEFAULT_REGION":    "eu-west-1",
		"AWS_ENDPOINT_URL_S3":   "http://127.0.0.1:9000",
	}
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{
		Getenv:  func(k string) string { return env[k] },
		HomeDir: "/nonexistent", // no ~/.aws files
	})
	if err != nil {
		log.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.Region, "from", cfg.RegionSource)
	fmt.Println("s3 endpoint:", cfg.EndpointURL("s3"))
	fmt.Println("credentials from", creds.Source, creds.AccessKeyID)
	// Output:
	// eu-west-1 from AWS_DEFAULT_REGION
	// s3 endpoint: http://127.0.0.1:9000
	// credentials from env AKIAIOSFODNN7EXAMPLE
}

// EndpointURL follows the SDKs' precedence: the service's variable, the
// global variable, the services section, the profile's endpoint_url.
func ExampleConfig_EndpointURL() {
	env := map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000"}
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{
		Getenv: func(k string) string { return env[k] }, HomeDir: "/nonexistent",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.EndpointURL("dynamodb"))
	fmt.Println(cfg.EndpointURL("s3"))
	// Output:
	// http://127.0.0.1:8000
	// http://127.0.0.1:4566
}
