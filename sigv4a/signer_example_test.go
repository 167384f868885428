package sigv4a_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
	"github.com/sigv4kit/sigv4kit/sigv4a"
)

// ExampleNew signs a request for every region with SigV4a and verifies it
// as a server in eu-west-1 would, with sigv4.Verifier and Algorithm.
// Signatures are randomized, so the example prints what does not change.
func ExampleNew() {
	now := func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }
	s, err := sigv4a.New(sigv4a.Config{
		Service:     "s3",
		RegionSet:   []string{"*"},
		Credentials: credentials.Static("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
		Now:         now,
	})
	if err != nil {
		log.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "https://bucket.s3.amazonaws.com/report.csv", nil)
	if err := s.Sign(context.Background(), req, sigv4.EmptyPayloadHash); err != nil {
		log.Fatal(err)
	}
	fmt.Println("X-Amz-Region-Set:", req.Header.Get("X-Amz-Region-Set"))

	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{
		Service: "s3",
		Regions: []string{"eu-west-1"},
		Secrets: sigv4.StaticSecrets(credentials.Credentials{
			AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		}),
		Now:        now,
		Algorithms: []sigv4.SignatureAlgorithm{sigv4a.Algorithm()},
	})
	if err != nil {
		log.Fatal(err)
	}
	server, _ := http.NewRequest("GET", "/report.csv", nil)
	server.Host, server.Header = "bucket.s3.amazonaws.com", req.Header
	_, err = v.Verify(server)
	fmt.Println("verified in eu-west-1:", err == nil)
	// Output:
	// X-Amz-Region-Set: *
	// verified in eu-west-1: true
}

// ExampleSigner_Explain shows the string to sign, the region-less scope
// and the public key that checks the signature.
func ExampleSigner_Explain() {
	s, err := sigv4a.New(sigv4a.Config{
		Service:     "service",
		RegionSet:   []string{"us-east-1"},
		Credentials: credentials.Static("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
		Now:         func() time.Time { return time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC) },
	})
	if err != nil {
		log.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "https://example.amazonaws.com/", nil)
	tr, err := s.Explain(context.Background(), req, sigv4.EmptyPayloadHash)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tr.StringToSign)
	fmt.Println("scope:", tr.CredentialScope)
	fmt.Println("public key:", tr.PublicKey)
	// Output:
	// AWS4-ECDSA-P256-SHA256
	// 20150830T123600Z
	// 20150830/service/aws4_request
	// cf59db423e841c8b7e3444158185aa261b724a5c27cbe762676f3eed19f4dc02
	// scope: 20150830/service/aws4_request
	// public key: b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1 865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518
}
