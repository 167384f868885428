package stscreds

import (
	"context"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
)

// Options configures [Roles] and [DefaultWithSTS].
type Options struct {
	// Getenv reads a variable; nil means os.Getenv.
	Getenv func(string) string
	// ReadFile reads the web identity token file; nil means os.ReadFile.
	ReadFile func(string) ([]byte, error)
	// HTTPClient sends the STS requests; nil means a client with a 30 s
	// timeout.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Endpoint overrides the STS endpoint URL, before any configured one.
	Endpoint string
	// Region, when set, is the region of every STS call, instead of
	// AWS_REGION, AWS_DEFAULT_REGION and the region of the profile that
	// assumes the role: botocore and aws-sdk-go-v2 call STS in the region
	// of the selected profile for every hop of a source_profile chain.
	// "aws-global" means the global endpoint (sts.amazonaws.com), which is
	// what they use when no region is configured. awsconfig.Load sets it.
	Region string
	// TokenCode returns the MFA code of profiles with mfa_serial.
	TokenCode func(ctx context.Context, serialNumber string) (string, error)
}

// Roles returns the [credentials.RoleFunc] that builds an [AssumeRole] or a
// [WebIdentity] provider from a profile, for credentials.SharedFiles.Roles
// and credentials.DefaultOptions.Roles.
//
// Settings come from the profile (role_arn, role_session_name,
// external_id, duration_seconds, mfa_serial, web_identity_token_file) and,
// as in the AWS CLI, the environment overrides the profile for the region
// (Options.Region, else AWS_REGION, then AWS_DEFAULT_REGION, then the
// profile's region),
// AWS_STS_REGIONAL_ENDPOINTS over sts_regional_endpoints, and the endpoint
// URL, in the SDKs' order: Options.Endpoint, AWS_ENDPOINT_URL_STS,
// AWS_ENDPOINT_URL, the sts entry of the profile's services section, the
// profile's endpoint_url; all but Options.Endpoint are ignored when
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or ignore_configured_endpoint_urls)
// is true.
func Roles(opts Options) credentials.RoleFunc {
	return func(p credentials.Profile, source credentials.Provider) (credentials.Provider, error) {
		getenv := opts.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		region := first(opts.Region, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"), p.Region)
		legacy := strings.EqualFold(first(getenv("AWS_STS_REGIONAL_ENDPOINTS"), p.STSRegionalEndpoints), "legacy")
		endpoint := opts.Endpoint
		ignore := first(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), p.Settings["ignore_configured_endpoint_urls"])
		if endpoint == "" && !strings.EqualFold(ignore, "true") {
			endpoint = first(getenv("AWS_ENDPOINT_URL_STS"), getenv("AWS_ENDPOINT_URL"), p.ServiceEndpointURL("sts"))
		}
		duration := time.Duration(p.DurationSeconds) * time.Second
		if source == nil {
			return WebIdentity{
				RoleARN: p.RoleARN, TokenFile: p.WebIdentityTokenFile, RoleSessionName: p.RoleSessionName,
				Duration: duration, ReadFile: opts.ReadFile,
				Region: region, Legacy: legacy, Endpoint: endpoint, HTTPClient: opts.HTTPClient, Now: opts.Now,
			}, nil
		}
		return AssumeRole{
			Source: source, RoleARN: p.RoleARN, RoleSessionName: p.RoleSessionName, ExternalID: p.ExternalID,
			Duration: duration, SerialNumber: p.MFASerial, TokenCode: opts.TokenCode,
			Region: region, Legacy: legacy, Endpoint: endpoint, HTTPClient: opts.HTTPClient, Now: opts.Now,
		}, nil
	}
}

// DefaultWithSTS returns credentials.DefaultWithoutSTS(copts) with the STS
// providers of [Roles] wired in (unless copts.Roles is already set): the
// full default chain of the AWS SDKs, role profiles and web identity
// included. Getenv, ReadFile, HTTPClient and Now of copts are used for the
// STS calls too. awsconfig.Load returns this chain with the region and
// endpoint URLs.
func DefaultWithSTS(copts credentials.DefaultOptions, opts Options) *credentials.Cache {
	if copts.Roles == nil {
		if opts.Getenv == nil {
			opts.Getenv = copts.Getenv
		}
		if opts.ReadFile == nil {
			opts.ReadFile = copts.ReadFile
		}
		if opts.Now == nil {
			opts.Now = copts.Now
		}
		if opts.HTTPClient == nil {
			opts.HTTPClient = copts.HTTPClient
		}
		copts.Roles = Roles(opts)
	}
	return credentials.DefaultWithoutSTS(copts)
}

// Default is [DefaultWithSTS].
//
// Deprecated: the name does not say how it differs from
// credentials.Default (this chain has the STS sources). Use
// DefaultWithSTS.
func Default(copts credentials.DefaultOptions, opts Options) *credentials.Cache {
	return DefaultWithSTS(copts, opts)
}

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
