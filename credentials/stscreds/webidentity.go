package stscreds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
)

// WebIdentity is a Provider that exchanges a web identity token (an OIDC
// token, such as the service account token EKS mounts for IAM roles for
// service accounts) for the credentials of a role with STS
// AssumeRoleWithWebIdentity. The request is not signed: the token is the
// proof.
//
// The token is read from TokenFile at every call, because the platform
// rotates it. It is never included in an error.
type WebIdentity struct {
	// RoleARN is the role to assume.
	RoleARN string
	// TokenFile is the path of the token file.
	TokenFile string
	// RoleSessionName names the session; "" means
	// "sigv4kit-session-<unix seconds>".
	RoleSessionName string
	// Duration is the session's lifetime; zero means STS's default.
	Duration time.Duration
	// ReadFile reads the token file; nil means os.ReadFile.
	ReadFile func(string) ([]byte, error)

	// Region selects the regional STS endpoint.
	Region string
	// Legacy sends the legacy global regions to the global endpoint.
	Legacy bool
	// Endpoint overrides the endpoint URL.
	Endpoint string
	// HTTPClient sends the request; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// Now is the clock for expiry checks; nil means time.Now.
	Now func() time.Time
}

// Retrieve reads the token and assumes the role. The credentials' Source
// is "web-identity:<role ARN>".
func (w WebIdentity) Retrieve(ctx context.Context) (credentials.Credentials, error) {
	if w.RoleARN == "" {
		return credentials.Credentials{}, errors.New("stscreds: AssumeRoleWithWebIdentity: no role ARN")
	}
	if w.TokenFile == "" {
		return credentials.Credentials{}, errors.New("stscreds: AssumeRoleWithWebIdentity: no token file")
	}
	read := w.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	b, err := read(w.TokenFile)
	if err != nil {
		return credentials.Credentials{}, fmt.Errorf("stscreds: AssumeRoleWithWebIdentity: reading the token file: %w", err)
	}
	token := strings.TrimSpace(string(b))
	if token == "" {
		return credentials.Credentials{}, fmt.Errorf("stscreds: AssumeRoleWithWebIdentity: token file %s is empty", w.TokenFile)
	}
	now := orNow(w.Now)
	endpoint, _ := resolveEndpoint(w.Endpoint, w.Region, w.Legacy)
	form := url.Values{
		"Action":           {"AssumeRoleWithWebIdentity"},
		"Version":          {APIVersion},
		"RoleArn":          {w.RoleARN},
		"RoleSessionName":  {sessionName(w.RoleSessionName, now())},
		"WebIdentityToken": {token},
	}
	if w.Duration > 0 {
		form.Set("DurationSeconds", strconv.Itoa(int(w.Duration/time.Second)))
	}
	c := &call{
		action:   "AssumeRoleWithWebIdentity",
		endpoint: endpoint,
		form:     form,
		client:   httpClient(w.HTTPClient),
		now:      now,
		redact:   []string{token},
	}
	creds, err := c.do(ctx)
	if err != nil {
		return credentials.Credentials{}, err
	}
	creds.Source = "web-identity:" + w.RoleARN
	return creds, nil
}
