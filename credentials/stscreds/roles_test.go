package stscreds

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sigv4kit/sigv4kit/credentials"
)

func TestDefaultRoleProfile(t *testing.T) {
	t.Parallel()
	srv, endpoint := newSTS(t, stsResponse{status: 200, body: assumeRoleXML("2026-11-28T14:00:00Z")})
	config := `[profile admin]
role_arn = ` + roleARN + `
source_profile = base
role_session_name = alice
external_id = ext-9
duration_seconds = 1800
region = ap-southeast-2
services = local

[services local]
sts =
  endpoint_url = ` + endpoint + `
`
	creds := "[base]\naws_access_key_id = " + sourceKeyID + "\naws_secret_access_key = " + sourceSecret + "\n"
	p := Default(credentials.DefaultOptions{
		Getenv:   env(map[string]string{"AWS_PROFILE": "admin", "AWS_EC2_METADATA_DISABLED": "true"}),
		HomeDir:  "/home/u",
		ReadFile: memFiles(map[string]string{"/home/u/.aws/config": config, "/home/u/.aws/credentials": creds}),
		Now:      fixedNow,
	}, Options{})
	got, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessKeyID != "ASIAIOSFODNN7EXAMPLE" || got.Source != "assume-role:"+roleARN {
		t.Errorf("got %v", got)
	}
	reqs := srv.got()
	if len(reqs) != 1 || reqs[0].verified != nil {
		t.Fatalf("requests %d, signature %v", len(reqs), reqs[0].verified)
	}
	r := reqs[0]
	if r.form.Get("RoleSessionName") != "alice" || r.form.Get("ExternalId") != "ext-9" || r.form.Get("DurationSeconds") != "1800" {
		t.Errorf("form = %v", r.form)
	}
	if !strings.Contains(r.header.Get("Authorization"), "/20261128/ap-southeast-2/sts/aws4_request") {
		t.Errorf("signed for the wrong region: %s", r.header.Get("Authorization"))
	}
	// Cached: a second call does not go to STS.
	if _, err := p.Retrieve(context.Background()); err != nil || len(srv.got()) != 1 {
		t.Errorf("second call: %v, %d requests", err, len(srv.got()))
	}
}

func TestDefaultWebIdentityEnv(t *testing.T) {
	t.Parallel()
	srv, endpoint := newSTS(t, stsResponse{status: 200, body: webIdentityXML("2026-11-28T14:00:00Z")})
	p := Default(credentials.DefaultOptions{
		Getenv: env(map[string]string{
			"AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
			"AWS_ROLE_ARN":                roleARN,
			"AWS_REGION":                  "us-west-2",
			"AWS_ENDPOINT_URL_STS":        endpoint,
		}),
		HomeDir:  "/home/u",
		ReadFile: memFiles(map[string]string{"/var/run/secrets/eks.amazonaws.com/serviceaccount/token": webToken}),
		Now:      fixedNow,
	}, Options{})
	got, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessKeyID != "ASIAWEBIDENTITYEXAMPLE" {
		t.Errorf("got %v", got)
	}
	if reqs := srv.got(); len(reqs) != 1 || !strings.HasPrefix(reqs[0].form.Get("RoleSessionName"), "sigv4kit-session-") {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestDefaultRoleFailureStopsChain(t *testing.T) {
	t.Parallel()
	_, endpoint := newSTS(t, stsResponse{status: 403, body: errorXML("Sender", "AccessDenied", "not authorized")})
	config := "[default]\nrole_arn = " + roleARN + "\ncredential_source = Environment\n"
	p := Default(credentials.DefaultOptions{
		Profile: "default",
		Getenv: env(map[string]string{
			"AWS_ACCESS_KEY_ID": sourceKeyID, "AWS_SECRET_ACCESS_KEY": sourceSecret, "AWS_SESSION_TOKEN": sourceToken,
			"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1",
		}),
		HomeDir:  "/home/u",
		ReadFile: memFiles(map[string]string{"/home/u/.aws/config": config}),
		Now:      fixedNow,
	}, Options{Endpoint: endpoint})
	_, err := p.Retrieve(context.Background())
	noteErr(err)
	var se *Error
	var ce *credentials.ChainError
	if !errors.As(err, &se) || se.Code != "AccessDenied" || !errors.As(err, &ce) || !ce.Stopped || len(ce.Errors) != 2 {
		t.Fatalf("err = %v", err)
	}
	if errors.Is(err, credentials.ErrNoCredentials) {
		t.Error("a failed AssumeRole must not read as 'no credentials'")
	}
	if !strings.Contains(err.Error(), `profile "default": assuming role: stscreds: AssumeRole: AccessDenied`) {
		t.Errorf("err = %v", err)
	}
}

func TestRolesSettings(t *testing.T) {
	roles := Roles(Options{Getenv: env(map[string]string{"AWS_DEFAULT_REGION": "eu-west-1", "AWS_STS_REGIONAL_ENDPOINTS": "legacy"})})
	p, err := roles(credentials.Profile{RoleARN: roleARN, Region: "us-east-2", DurationSeconds: 900, MFASerial: "m"}, sourceProvider())
	if err != nil {
		t.Fatal(err)
	}
	ar, ok := p.(AssumeRole)
	if !ok || ar.Region != "eu-west-1" || !ar.Legacy || ar.Duration.Seconds() != 900 || ar.SerialNumber != "m" || ar.Endpoint != "" {
		t.Errorf("AssumeRole = %+v", p)
	}
	p, _ = Roles(Options{Getenv: env(nil)})(credentials.Profile{
		RoleARN: roleARN, WebIdentityTokenFile: "/t", Region: "us-east-2",
		EndpointURL: "http://global", Services: map[string]map[string]string{"sts": {"endpoint_url": "http://sts-only"}},
	}, nil)
	wi, ok := p.(WebIdentity)
	if !ok || wi.Region != "us-east-2" || wi.TokenFile != "/t" || wi.Endpoint != "http://sts-only" {
		t.Errorf("WebIdentity = %+v", p)
	}

	prof := credentials.Profile{RoleARN: roleARN, EndpointURL: "http://profile", Services: map[string]map[string]string{"sts": {"endpoint_url": "http://profile-sts"}}}
	for _, tt := range []struct {
		env  map[string]string
		opt  string
		want string
	}{
		{nil, "", "http://profile-sts"},
		{map[string]string{"AWS_ENDPOINT_URL": "http://env"}, "", "http://env"},
		{map[string]string{"AWS_ENDPOINT_URL": "http://env", "AWS_ENDPOINT_URL_STS": "http://env-sts"}, "", "http://env-sts"},
		{map[string]string{"AWS_ENDPOINT_URL_STS": "http://env-sts"}, "http://option", "http://option"},
		{map[string]string{"AWS_ENDPOINT_URL_STS": "http://env-sts", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, "", ""},
	} {
		p, _ := Roles(Options{Getenv: env(tt.env), Endpoint: tt.opt})(prof, sourceProvider())
		if got := p.(AssumeRole).Endpoint; got != tt.want {
			t.Errorf("env %v, option %q: endpoint %q, want %q", tt.env, tt.opt, got, tt.want)
		}
	}
}
