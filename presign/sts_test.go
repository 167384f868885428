package presign_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/presign"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

func newSTS(t *testing.T, cfg presign.Config) *presign.STS {
	t.Helper()
	if cfg.Credentials == nil {
		cfg.Credentials = credentials.Static(docAccessKey, docSecret, "")
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return docTime }
	}
	if cfg.Getenv == nil {
		cfg.Getenv = noEnv
	}
	s, err := presign.NewSTS(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestGetCallerIdentity(t *testing.T) {
	tests := []struct {
		cfg    presign.Config
		prefix string
		region string
	}{
		{presign.Config{Region: "eu-west-1"}, "https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=", "eu-west-1"},
		{presign.Config{Region: "aws-global"}, "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&", "us-east-1"},
		{presign.Config{Region: "us-east-1", FIPS: true}, "https://sts-fips.us-east-1.amazonaws.com/?", "us-east-1"},
		{presign.Config{Region: "us-east-1", Getenv: envMap(map[string]string{"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:4566", "AWS_ENDPOINT_URL_S3": "http://wrong"})}, "http://127.0.0.1:4566/?", "us-east-1"},
	}
	for _, tt := range tests {
		s := newSTS(t, tt.cfg)
		r, err := s.GetCallerIdentity(context.Background(), 15*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.URL, tt.prefix) || !strings.Contains(r.URL, "%2F"+tt.region+"%2Fsts%2Faws4_request") {
			t.Errorf("URL %s, want prefix %s, region %s", r.URL, tt.prefix, tt.region)
		}
		checkSignature(t, r, tt.region)
	}
}

func TestEKSToken(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	s := newSTS(t, presign.Config{Region: "us-west-2", Now: func() time.Time { return now }})
	tok, err := s.EKSToken(context.Background(), "my-cluster")
	if err != nil {
		t.Fatal(err)
	}
	enc, ok := strings.CutPrefix(tok.Token, "k8s-aws-v1.")
	if !ok || strings.ContainsAny(enc, "=+/") {
		t.Fatalf("token %q is not k8s-aws-v1. + unpadded base64url", tok.Token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Host != "sts.us-west-2.amazonaws.com" || q.Get("Action") != "GetCallerIdentity" || q.Get("Version") != "2011-06-15" ||
		q.Get("X-Amz-Expires") != "60" || q.Get("X-Amz-SignedHeaders") != "host;x-k8s-aws-id" || q.Get("X-Amz-Date") != "20261128T120000Z" {
		t.Errorf("token URL %s", raw)
	}
	if want := now.Add(14 * time.Minute); !tok.Expires.Equal(want) {
		t.Errorf("Expires %v, want %v", tok.Expires, want)
	}
	r := &presign.Request{Method: "GET", URL: string(raw), Header: map[string][]string{"X-K8s-Aws-Id": {"my-cluster"}}}
	checkSignature(t, r, "us-west-2")

	// Credentials that expire sooner shorten the token's reported life.
	temp := credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) {
		return credentials.Credentials{AccessKeyID: docAccessKey, SecretAccessKey: docSecret, SessionToken: "t", Expires: now.Add(5 * time.Minute)}, nil
	})
	s = newSTS(t, presign.Config{Region: "us-west-2", Credentials: temp, Now: func() time.Time { return now }})
	if tok, err := s.EKSToken(context.Background(), "c"); err != nil || !tok.Expires.Equal(now.Add(5*time.Minute)) {
		t.Errorf("temporary credentials: %v, %v", tok, err)
	}
	if _, err := s.EKSToken(context.Background(), ""); !errors.Is(err, presign.ErrInvalidOption) {
		t.Errorf("empty cluster: %v", err)
	}
}

func TestGenericPresign(t *testing.T) {
	s, err := sigv4.New(sigv4.Config{Service: "iam", Region: "us-east-1", Credentials: credentials.Static(docAccessKey, docSecret, ""), Now: func() time.Time { return docTime }})
	if err != nil {
		t.Fatal(err)
	}
	r, err := presign.Presign(context.Background(), s, "GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", time.Minute,
		presign.Query("MaxItems", "10"), presign.Header("X-Custom", "v"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.URL, "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08&MaxItems=10&X-Amz-Algorithm=") || r.Header.Get("X-Custom") != "v" {
		t.Errorf("got %s %v", r.URL, r.Header)
	}
	checkSignature(t, r, "us-east-1")
	if _, err := presign.Presign(context.Background(), nil, "GET", "https://x/", time.Minute); !errors.Is(err, presign.ErrInvalidConfig) {
		t.Errorf("nil signer: %v", err)
	}
	if _, err := presign.Presign(context.Background(), s, "GET", "https://x/", 0); !errors.Is(err, sigv4.ErrInvalidExpiry) {
		t.Errorf("zero expiry: %v", err)
	}
}
