package stscreds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// AssumeRole is a Provider that calls STS AssumeRole with the credentials of
// Source, signed with SigV4, and returns the role's temporary credentials.
//
// The request goes to Endpoint, else to the regional endpoint of Region
// (see [Endpoint]); an empty Region means the global endpoint. Failures are
// an [*Error] with the STS code when STS answered; temporary ones
// (5xx, throttling) are retried twice.
//
// An AssumeRole prints redacted (fmt, log/slog), naming Source by type.
type AssumeRole struct {
	// Source provides the credentials that sign the request.
	Source credentials.Provider
	// RoleARN is the role to assume.
	RoleARN string
	// RoleSessionName names the session; "" means
	// "sigv4kit-session-<unix seconds>".
	RoleSessionName string
	// ExternalID is the external ID the role's trust policy may require.
	ExternalID string
	// Duration is the session's lifetime; zero means STS's default (one
	// hour). It is sent in whole seconds.
	Duration time.Duration
	// SerialNumber is the MFA device (mfa_serial) the role requires.
	SerialNumber string
	// TokenCode returns the current MFA code for SerialNumber; it is
	// required when SerialNumber is set.
	TokenCode func(ctx context.Context, serialNumber string) (string, error)

	// Region selects the regional STS endpoint.
	Region string
	// Legacy sends the legacy global regions to the global endpoint
	// (sts_regional_endpoints = legacy).
	Legacy bool
	// Endpoint overrides the endpoint URL ("http://127.0.0.1:4566"); the
	// request is then signed for Region, or us-east-1.
	Endpoint string
	// HTTPClient sends the request; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// Now is the clock for signing and expiry checks; nil means time.Now.
	Now func() time.Time
}

// Retrieve assumes the role. The credentials' Source is
// "assume-role:<role ARN>".
func (a AssumeRole) Retrieve(ctx context.Context) (credentials.Credentials, error) {
	if a.RoleARN == "" {
		return credentials.Credentials{}, errors.New("stscreds: AssumeRole: no role ARN")
	}
	if a.Source == nil {
		return credentials.Credentials{}, errors.New("stscreds: AssumeRole: no source credentials provider")
	}
	now := orNow(a.Now)
	endpoint, signingRegion := resolveEndpoint(a.Endpoint, a.Region, a.Legacy)
	form := url.Values{
		"Action":          {"AssumeRole"},
		"Version":         {APIVersion},
		"RoleArn":         {a.RoleARN},
		"RoleSessionName": {sessionName(a.RoleSessionName, now())},
	}
	if a.ExternalID != "" {
		form.Set("ExternalId", a.ExternalID)
	}
	if a.Duration > 0 {
		form.Set("DurationSeconds", strconv.Itoa(int(a.Duration/time.Second)))
	}
	var code string
	if a.SerialNumber != "" {
		if a.TokenCode == nil {
			return credentials.Credentials{}, fmt.Errorf("stscreds: AssumeRole: role %s needs an MFA code for %s and no TokenCode function is set", a.RoleARN, a.SerialNumber)
		}
		var err error
		code, err = a.TokenCode(ctx, a.SerialNumber)
		if err != nil {
			return credentials.Credentials{}, fmt.Errorf("stscreds: AssumeRole: MFA code: %w", err)
		}
		form.Set("SerialNumber", a.SerialNumber)
		form.Set("TokenCode", code)
	}
	signer, err := sigv4.New(sigv4.Config{Service: "sts", Region: signingRegion, Credentials: a.Source, Now: a.Now})
	if err != nil {
		return credentials.Credentials{}, fmt.Errorf("stscreds: AssumeRole: %w", err)
	}
	c := &call{
		action:   "AssumeRole",
		endpoint: endpoint,
		form:     form,
		sign:     func(ctx context.Context, req *http.Request) error { return signer.Sign(ctx, req, "") },
		client:   httpClient(a.HTTPClient),
		now:      now,
		redact:   []string{code},
	}
	creds, err := c.do(ctx)
	if err != nil {
		return credentials.Credentials{}, err
	}
	creds.Source = "assume-role:" + a.RoleARN
	return creds, nil
}

// resolveEndpoint returns the endpoint and the signing region.
func resolveEndpoint(override, region string, legacy bool) (string, string) {
	if override != "" {
		if region == "" {
			region = "us-east-1"
		}
		return override, region
	}
	return Endpoint(region, legacy)
}
