package stscreds_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/credentials/stscreds"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// The full default chain of the AWS SDKs, including role profiles and
// web identity (EKS IRSA), feeding a signer.
func ExampleDefaultWithSTS() {
	provider := stscreds.DefaultWithSTS(credentials.DefaultOptions{}, stscreds.Options{})
	signer, err := sigv4.New(sigv4.Config{Service: "s3", Region: "us-east-1", Credentials: provider})
	if err != nil {
		log.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "https://examplebucket.s3.amazonaws.com/photos/cat.jpg", nil)
	if err := signer.Sign(context.Background(), req, sigv4.UnsignedPayload); err != nil {
		log.Fatal(err) // lists what each credential source said
	}
}

// Assume a role with the credentials of the environment, caching the
// result until five minutes before it expires.
func ExampleAssumeRole() {
	role := credentials.NewCache(stscreds.AssumeRole{
		Source:          credentials.Env{},
		RoleARN:         "arn:aws:iam::123456789012:role/deploy",
		RoleSessionName: "ci-build-42",
		Duration:        time.Hour,
		Region:          "eu-west-1",
	}, credentials.CacheOptions{})
	creds, err := role.Retrieve(context.Background())
	if err != nil {
		log.Fatal(err) // e.g. stscreds: AssumeRole: AccessDenied: ...
	}
	fmt.Println(creds.Expires)
}

func ExampleEndpoint() {
	fmt.Println(stscreds.Endpoint("eu-west-1", false))
	fmt.Println(stscreds.Endpoint("eu-west-1", true))
	fmt.Println(stscreds.Endpoint("cn-north-1", false))
	// Output:
	// https://sts.eu-west-1.amazonaws.com eu-west-1
	// https://sts.amazonaws.com us-east-1
	// https://sts.cn-north-1.amazonaws.com.cn cn-north-1
}
