package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"
)

// Environment variables read by [Container].
const (
	EnvContainerCredentialsRelativeURI = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
	EnvContainerCredentialsFullURI     = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	EnvContainerAuthorizationToken     = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
	EnvContainerAuthorizationTokenFile = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
)

// ContainerHost is the ECS credentials endpoint that relative URIs refer to.
const ContainerHost = "169.254.170.2"

// Container is a Provider that reads credentials from the endpoint that ECS
// tasks and EKS Pod Identity give containers.
//
// The URL is http://169.254.170.2 followed by
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI when that is set, else
// AWS_CONTAINER_CREDENTIALS_FULL_URI. A full URI must use https, or http
// with a loopback host (127.0.0.0/8, ::1, localhost) or one of the ECS and
// EKS link-local hosts 169.254.170.2, 169.254.170.23 and fd00:ec2::23; any
// other is an error, so that a leaked variable cannot send the request (and
// its authorization token) to an arbitrary server.
//
// The Authorization header is the content of the file named by
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read at every call, as EKS
// rotates it), else AWS_CONTAINER_AUTHORIZATION_TOKEN. The response is JSON
// with AccessKeyId, SecretAccessKey, Token and Expiration; an error response
// may carry JSON "code" and "message", which the error reports.
//
// No redirect is followed, even with an HTTPClient whose policy follows
// them: a redirect response is an error matching [ErrRedirect] and
// [ErrMetadata] that names its target, so the authorization token and the
// request go to the allowed host and port only.
//
// Each request has a timeout (two seconds by default); failures (timeouts,
// refused connections, 5xx) are retried, three attempts by default, as the
// agent may be starting. Retrieve matches [ErrNoCredentials] when neither
// URI variable is set.
type Container struct {
	// Getenv reads a variable; nil means os.Getenv.
	Getenv func(string) string
	// ReadFile reads the token file; nil means os.ReadFile.
	ReadFile func(string) ([]byte, error)
	// HTTPClient sends the request; nil means a client without proxy.
	HTTPClient *http.Client
	// Timeout bounds each request; zero means two seconds.
	Timeout time.Duration
	// Attempts bounds the tries; zero means three.
	Attempts int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Retrieve fetches the container's credentials. Their Source is "container".
func (p Container) Retrieve(ctx context.Context) (Credentials, error) {
	getenv := orGetenv(p.Getenv)
	var endpoint string
	if rel := getenv(EnvContainerCredentialsRelativeURI); rel != "" {
		if !strings.HasPrefix(rel, "/") {
			return Credentials{}, kindf(ErrInvalidValue, "container: %s must start with /", EnvContainerCredentialsRelativeURI)
		}
		endpoint = "http://" + ContainerHost + rel
	} else if full := getenv(EnvContainerCredentialsFullURI); full != "" {
		if err := checkContainerURI(full); err != nil {
			return Credentials{}, err
		}
		endpoint = full
	} else {
		return Credentials{}, notFound("container: %s and %s are not set", EnvContainerCredentialsRelativeURI, EnvContainerCredentialsFullURI)
	}

	header := http.Header{}
	token := getenv(EnvContainerAuthorizationToken)
	if file := getenv(EnvContainerAuthorizationTokenFile); file != "" {
		read := p.ReadFile
		if read == nil {
			read = os.ReadFile
		}
		b, err := read(file)
		if err != nil {
			return Credentials{}, fmt.Errorf("credentials: container: reading %s: %w", EnvContainerAuthorizationTokenFile, err)
		}
		token = strings.TrimSpace(string(b))
	}
	if token != "" {
		if strings.ContainsAny(token, "\r\n") {
			return Credentials{}, kindf(ErrInvalidValue, "container: the authorization token contains a line break")
		}
		header.Set("Authorization", token)
	}

	timeout, attempts := p.Timeout, p.Attempts
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	if attempts <= 0 {
		attempts = 3
	}
	m := newMetadataClient(p.HTTPClient, timeout, attempts, true)
	defer m.close()
	body, err := m.do(ctx, http.MethodGet, endpoint, header)
	if err != nil {
		var se *statusError
		if errors.As(err, &se) {
			var e struct{ Code, Message string }
			msg := se.Error()
			if json.Unmarshal(se.body, &e) == nil && (e.Code != "" || e.Message != "") {
				msg += ": " + printable(scrubToken(e.Code, token)) + ": " + printable(scrubToken(e.Message, token))
			}
			return Credentials{}, &kindError{msg: "credentials: container: " + msg, kind: ErrMetadata, cause: se}
		}
		var re *redirectError
		if errors.As(err, &re) {
			return Credentials{}, &kindError{msg: "credentials: container: " + re.Error(), kind: ErrMetadata, cause: re}
		}
		return Credentials{}, fmt.Errorf("credentials: container: %w", err)
	}
	return decodeMetadataCredentials(body, "container", orNow(p.Now)())
}

// scrubToken replaces the authorization token in s, a server's text, with
// [REDACTED].
func scrubToken(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "[REDACTED]")
}

// checkContainerURI enforces the hosts allowed in a full URI.
func checkContainerURI(full string) error {
	u, err := url.Parse(full)
	if err != nil || u.Host == "" {
		return kindf(ErrInvalidValue, "container: %s is not an absolute URL", EnvContainerCredentialsFullURI)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
	default:
		return kindf(ErrInvalidValue, "container: %s must be http or https", EnvContainerCredentialsFullURI)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap()
		if ip.IsLoopback() {
			return nil
		}
		for _, allowed := range []string{"169.254.170.2", "169.254.170.23", "fd00:ec2::23"} {
			if ip == netip.MustParseAddr(allowed) {
				return nil
			}
		}
	}
	return kindf(ErrInvalidValue, "container: %s host %q is not allowed over http (loopback, 169.254.170.2, 169.254.170.23 or fd00:ec2::23, or use https)", EnvContainerCredentialsFullURI, host)
}
