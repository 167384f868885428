package credentials_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
)

// A program that must not fall back to anonymous access:
// DefaultWithoutSTS lists what every source said.
func ExampleDefaultWithoutSTS() {
	// For role profiles and web identity, use stscreds.DefaultWithSTS
	// (or awsconfig.Load) instead.
	provider := credentials.DefaultWithoutSTS(credentials.DefaultOptions{})
	creds, err := provider.Retrieve(context.Background())
	if errors.Is(err, credentials.ErrNoCredentials) {
		log.Fatalf("no AWS credentials configured: %v", err)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(creds) // the secret is redacted
}

func ExampleEnv() {
	vars := map[string]string{
		"AWS_ACCESS_KEY_ID":     "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	}
	creds, err := credentials.Env{Getenv: func(k string) string { return vars[k] }}.Retrieve(context.Background())
	fmt.Println(creds, err)

	delete(vars, "AWS_SECRET_ACCESS_KEY")
	_, err = credentials.Env{Getenv: func(k string) string { return vars[k] }}.Retrieve(context.Background())
	fmt.Println(err)
	// Output:
	// credentials{AccessKeyID: AKIDEXAMPLE, SecretAccessKey: [REDACTED], Source: env} <nil>
	// credentials: env: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not
}

func ExampleSharedFiles_LoadProfile() {
	files := map[string]string{
		"/home/gopher/.aws/config": `[profile dev]
region = eu-west-1
services = local

[services local]
s3 =
  endpoint_url = http://127.0.0.1:9000
`,
	}
	sf := credentials.SharedFiles{
		Profile: "dev",
		HomeDir: "/home/gopher",
		ReadFile: func(name string) ([]byte, error) {
			if s, ok := files[name]; ok {
				return []byte(s), nil
			}
			return nil, fs.ErrNotExist
		},
	}
	p, err := sf.LoadProfile()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Region, p.ServiceEndpointURL("s3"), p.ServiceEndpointURL("sqs") == "")
	// Output: eu-west-1 http://127.0.0.1:9000 true
}

func ExampleFileError() {
	sf := credentials.SharedFiles{
		CredentialsFile: "credentials",
		ConfigFile:      "config",
		Getenv:          func(string) string { return "" },
		ReadFile: func(name string) ([]byte, error) {
			if name == "credentials" {
				return []byte("[default]\naws_access_key_id = AKIDEXAMPLE\n[default]\n"), nil
			}
			return nil, fs.ErrNotExist
		},
	}
	_, err := sf.Retrieve(context.Background())
	var fe *credentials.FileError
	if errors.As(err, &fe) {
		fmt.Println(fe.File, fe.Line)
	}
	fmt.Println(err)
	// Output:
	// credentials 3
	// credentials: credentials:3: section [default] already defined at line 1
}

func ExampleChain() {
	chain := credentials.Chain(
		credentials.Env{Getenv: func(string) string { return "" }},
		credentials.Static("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
	)
	creds, err := chain.Retrieve(context.Background())
	fmt.Println(creds.Source, err)

	_, err = credentials.Chain(credentials.Env{Getenv: func(string) string { return "" }}).Retrieve(context.Background())
	fmt.Println(err)
	// Output:
	// static <nil>
	// credentials: no provider found credentials: 1. env: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set
}

func ExampleNewCache() {
	calls := 0
	slow := credentials.ProviderFunc(func(ctx context.Context) (credentials.Credentials, error) {
		calls++
		return credentials.Credentials{
			AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "secret", SessionToken: "token",
			Expires: time.Now().Add(time.Hour),
		}, nil
	})
	cache := credentials.NewCache(slow, credentials.CacheOptions{ExpiryWindow: 5 * time.Minute})
	for range 3 {
		if _, err := cache.Retrieve(context.Background()); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("provider calls:", calls)
	// Output: provider calls: 1
}

func ExampleProcess() {
	// The credential_process of a profile, run directly.
	p := credentials.Process{Command: "aws-vault export --format=json dev", Timeout: 30 * time.Second}
	creds, err := p.Retrieve(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(creds.AccessKeyID)
}
