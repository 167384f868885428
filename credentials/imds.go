package credentials

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Environment variables read by [IMDS].
const (
	EnvEC2MetadataDisabled            = "AWS_EC2_METADATA_DISABLED"
	EnvEC2MetadataServiceEndpoint     = "AWS_EC2_METADATA_SERVICE_ENDPOINT"
	EnvEC2MetadataServiceEndpointMode = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"
)

// Default IMDS endpoints.
const (
	IMDSEndpointIPv4 = "http://169.254.169.254"
	IMDSEndpointIPv6 = "http://[fd00:ec2::254]"
)

// IMDS is a Provider that reads the credentials of an EC2 instance role from
// the instance metadata service, with the IMDSv2 session protocol:
//
//  1. PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds: 21600
//     returns a session token;
//  2. GET /latest/meta-data/iam/security-credentials/ with the token in
//     X-aws-ec2-metadata-token returns the role name;
//  3. GET /latest/meta-data/iam/security-credentials/<role> returns the
//     credentials as JSON (Code, AccessKeyId, SecretAccessKey, Token,
//     Expiration).
//
// The endpoint is the Endpoint field, else AWS_EC2_METADATA_SERVICE_ENDPOINT,
// else http://[fd00:ec2::254] when AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE is
// "IPv6", else http://169.254.169.254. AWS_EC2_METADATA_DISABLED=true turns
// the provider off ([ErrNoCredentials]).
//
// Each request has a short timeout (one second by default). 5xx responses
// and broken connections are retried a bounded number of times; a timeout
// or a refused connection is not, so a machine that is not on EC2 learns it
// within a second: an unreachable endpoint matches [ErrNoCredentials], as
// do an instance without a role and, as in botocore, a session token
// request answered 403 (the metadata service is turned off), 404 or 405
// (not EC2's metadata service).
//
// No redirect is followed, even with an HTTPClient whose policy follows
// them: a redirect response is an error matching [ErrRedirect] and
// [ErrMetadata], and the session token goes nowhere else.
//
// Unlike the AWS CLI, IMDS never falls back to IMDSv1 (requests without a
// token) when the token request fails: IMDSv1 is what server-side request
// forgery exploits, and every current instance supports IMDSv2.
type IMDS struct {
	// Endpoint overrides the endpoint ("http://127.0.0.1:8080").
	Endpoint string
	// Getenv reads a variable; nil means os.Getenv.
	Getenv func(string) string
	// HTTPClient sends the requests; nil means a client without proxy.
	HTTPClient *http.Client
	// Timeout bounds each request; zero means one second.
	Timeout time.Duration
	// Attempts bounds the tries of each request; zero means two.
	Attempts int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

const (
	imdsTokenPath       = "/latest/api/token"
	imdsCredentialsPath = "/latest/meta-data/iam/security-credentials/"
	imdsTTLHeader       = "X-Aws-Ec2-Metadata-Token-Ttl-Seconds"
	imdsTokenHeader     = "X-Aws-Ec2-Metadata-Token"
)

// Retrieve fetches the instance role's credentials. Their Source is "imds".
func (p IMDS) Retrieve(ctx context.Context) (Credentials, error) {
	base, err := p.endpoint()
	if err != nil {
		return Credentials{}, err
	}

	m := newMetadataClient(p.HTTPClient, p.Timeout, p.Attempts, false)
	defer m.close()

	token, err := m.do(ctx, http.MethodPut, base+imdsTokenPath, http.Header{imdsTTLHeader: {"21600"}})
	if err != nil {
		var se *statusError
		if errors.As(err, &se) && (se.status == http.StatusForbidden || se.status == http.StatusNotFound || se.status == http.StatusMethodNotAllowed) {
			// As botocore: the token is refused where the metadata
			// service is turned off (403) or is not EC2's (404, 405), so
			// there is no instance role to find, not a broken source.
			return Credentials{}, notFoundCause(se, "imds: not on EC2, or its metadata service is turned off (the session token was refused)")
		}
		return Credentials{}, imdsError(err, "session token")
	}
	auth := http.Header{imdsTokenHeader: {string(token)}}
	roles, err := m.do(ctx, http.MethodGet, base+imdsCredentialsPath, auth)
	if err != nil {
		var se *statusError
		if errors.As(err, &se) && se.status == http.StatusNotFound {
			return Credentials{}, notFound("imds: the instance has no IAM role")
		}
		return Credentials{}, imdsError(err, "role name")
	}
	role, _, _ := strings.Cut(strings.TrimSpace(string(roles)), "\n")
	role = strings.TrimSpace(role)
	if role == "" {
		return Credentials{}, notFound("imds: the instance has no IAM role")
	}
	body, err := m.do(ctx, http.MethodGet, base+imdsCredentialsPath+url.PathEscape(role), auth)
	if err != nil {
		return Credentials{}, imdsError(err, "credentials of role "+printable(role))
	}
	return decodeMetadataCredentials(body, "imds", orNow(p.Now)())
}

func imdsError(err error, what string) error {
	var te *transportError
	if errors.As(err, &te) {
		return notFoundCause(err, "imds: no instance metadata service (getting the %s)", what)
	}
	var se *statusError
	if errors.As(err, &se) {
		return &kindError{msg: "credentials: imds: getting the " + what + ": " + se.Error(), kind: ErrMetadata, cause: se}
	}
	var re *redirectError
	if errors.As(err, &re) {
		return &kindError{msg: "credentials: imds: getting the " + what + ": " + re.Error(), kind: ErrMetadata, cause: re}
	}
	return &kindError{msg: "credentials: imds: getting the " + what + ": " + err.Error(), kind: err}
}

// endpoint returns the base URL of the metadata service (see [IMDS]), or an
// error matching ErrNoCredentials when IMDS is disabled.
func (p IMDS) endpoint() (string, error) {
	getenv := orGetenv(p.Getenv)
	if strings.EqualFold(getenv(EnvEC2MetadataDisabled), "true") {
		return "", notFound("imds: disabled by %s", EnvEC2MetadataDisabled)
	}
	endpoint := p.Endpoint
	if endpoint == "" {
		endpoint = getenv(EnvEC2MetadataServiceEndpoint)
	}
	if endpoint == "" {
		switch mode := getenv(EnvEC2MetadataServiceEndpointMode); {
		case mode == "" || strings.EqualFold(mode, "IPv4"):
			endpoint = IMDSEndpointIPv4
		case strings.EqualFold(mode, "IPv6"):
			endpoint = IMDSEndpointIPv6
		default:
			return "", kindf(ErrInvalidValue, "imds: %s must be IPv4 or IPv6", EnvEC2MetadataServiceEndpointMode)
		}
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", kindf(ErrInvalidValue, "imds: endpoint %q is not an http(s) URL", endpoint)
	}
	return strings.TrimRight(u.String(), "/"), nil
}
