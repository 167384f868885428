package credentials

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Environment variables that override the endpoints of SSO profiles, read
// by [SharedFiles].
const (
	EnvEndpointURLSSO     = "AWS_ENDPOINT_URL_SSO"
	EnvEndpointURLSSOOIDC = "AWS_ENDPOINT_URL_SSO_OIDC"
)

// ErrSSOLoginRequired is returned (wrapped) when an SSO profile has no
// usable access token: none is cached, the cached one has expired and
// cannot be refreshed, or the portal refused it (HTTP 401). The error ends
// with the "aws sso login" command to run.
var ErrSSOLoginRequired = errors.New("credentials: sso: login required")

// ErrSSOService is returned (wrapped) when the SSO portal or the SSO OIDC
// service answers with an error other than an expired session (a role the
// user may not assume, throttling, a server error). The error quotes the
// service's error type and message.
var ErrSSOService = errors.New("credentials: sso: service error")

// SSORefreshWindow is how long before its expiry the access token of an
// sso-session is refreshed: 15 minutes, as botocore does.
const SSORefreshWindow = 15 * time.Minute

// SSO is a Provider that exchanges the access token that "aws sso login"
// cached for the temporary credentials of an IAM Identity Center (SSO)
// role, as the AWS CLI does for SSO profiles.
//
// The token is read from the cache directory (~/.aws/sso/cache) at every
// call, from the file named by the hex SHA-1 of the session name (an
// sso-session profile) or of the start URL (a legacy profile with
// sso_start_url), with ".json" appended:
//
//	{"accessToken": "...", "expiresAt": "2026-11-28T20:00:00Z",
//	 "refreshToken": "...", "clientId": "...", "clientSecret": "...",
//	 "registrationExpiresAt": "2027-02-26T12:00:00Z", ...}
//
// When the token of an sso-session expires within [SSORefreshWindow] and the
// file has a refresh token and an unexpired client registration, Retrieve
// refreshes it with the OIDC CreateToken refresh-token grant (POST
// https://oidc.<Region>.amazonaws.com/token) and writes the new token back
// to the file atomically (a temporary file renamed over it, mode 0600),
// keeping the file's other fields; a failed refresh falls back to the
// cached token while it is valid. Legacy tokens are never refreshed.
//
// The credentials come from the portal's GetRoleCredentials (GET
// https://portal.sso.<Region>.amazonaws.com/federation/credentials with the
// token in x-amz-sso_bearer_token). A missing, expired or refused token is
// an error matching [ErrSSOLoginRequired] that ends with the command to run:
// "aws sso login --sso-session NAME", or "aws sso login --profile NAME" for
// a legacy profile. Other service errors match [ErrSSOService].
//
// No redirect is followed, even with an HTTPClient whose policy follows
// them: a redirect is an error matching [ErrRedirect], so that the bearer
// token and the client secret go to the configured endpoints only. No error
// quotes a token or the client secret.
type SSO struct {
	// StartURL is the sso_start_url ("https://my-org.awsapps.com/start").
	StartURL string
	// Region is the sso_region: where the portal and OIDC endpoints are.
	Region string
	// AccountID and RoleName select the role (sso_account_id,
	// sso_role_name).
	AccountID, RoleName string
	// SessionName is the sso-session of the profile; "" for a legacy
	// profile.
	SessionName string
	// ProfileName names the profile in errors and in the login command of
	// a legacy profile.
	ProfileName string

	// CacheDir is the token cache directory; "" means ~/.aws/sso/cache.
	CacheDir string
	// HomeDir is the home directory of the default CacheDir; "" means
	// os.UserHomeDir.
	HomeDir string
	// PortalEndpoint overrides https://portal.sso.<Region>.amazonaws.com
	// ("http://127.0.0.1:8080").
	PortalEndpoint string
	// OIDCEndpoint overrides https://oidc.<Region>.amazonaws.com.
	OIDCEndpoint string
	// HTTPClient sends the requests; nil means a client with a 30 s
	// timeout that honours the proxy variables.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// maxSSOBody bounds the bodies read from the SSO services.
const maxSSOBody = 1 << 20

// Retrieve returns the role's credentials. Their Source is
// "sso:<profile>", or "sso" without a ProfileName.
func (p SSO) Retrieve(ctx context.Context) (Credentials, error) {
	var missing []string
	for _, f := range []struct{ v, name string }{
		{p.StartURL, "sso_start_url"}, {p.Region, "sso_region"},
		{p.AccountID, "sso_account_id"}, {p.RoleName, "sso_role_name"},
	} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return Credentials{}, kindf(ErrInvalidValue, "sso: %s: missing %s", p.what(), strings.Join(missing, ", "))
	}
	if !validRegionName(p.Region) {
		return Credentials{}, kindf(ErrInvalidValue, "sso: %s: sso_region %q is not a region name", p.what(), printable(p.Region))
	}
	now := orNow(p.Now)
	client := ssoClient(p.HTTPClient)
	token, err := p.token(ctx, client, now)
	if err != nil {
		return Credentials{}, err
	}
	return p.roleCredentials(ctx, client, token, now())
}

// what names the profile or session in errors.
func (p SSO) what() string {
	switch {
	case p.ProfileName != "":
		return fmt.Sprintf("profile %q", p.ProfileName)
	case p.SessionName != "":
		return fmt.Sprintf("sso-session %q", p.SessionName)
	}
	return "start URL " + printable(p.StartURL)
}

// LoginCommand returns the command that caches a new token for this
// profile: "aws sso login --sso-session NAME", or
// "aws sso login --profile NAME" for a legacy profile.
func (p SSO) LoginCommand() string {
	if p.SessionName != "" {
		return "aws sso login --sso-session " + shellQuote(p.SessionName)
	}
	if p.ProfileName != "" {
		return "aws sso login --profile " + shellQuote(p.ProfileName)
	}
	return "aws sso login"
}

// CachePath returns the path of the token cache file.
func (p SSO) CachePath() string {
	dir := p.CacheDir
	if dir == "" {
		home := p.HomeDir
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		dir = filepath.Join(home, ".aws", "sso", "cache")
	}
	key := p.StartURL
	if p.SessionName != "" {
		key = p.SessionName
	}
	sum := sha1.Sum([]byte(key))
	return filepath.Join(dir, hex.EncodeToString(sum[:])+".json")
}

// loginRequired returns an ErrSSOLoginRequired error ending with the login
// command.
func (p SSO) loginRequired(format string, args ...any) error {
	return kindf(ErrSSOLoginRequired, "sso: %s: %s; run: %s", p.what(), fmt.Sprintf(format, args...), p.LoginCommand())
}

// ssoToken is the content of an SSO token cache file, as "aws sso login"
// writes it. It prints redacted.
type ssoToken struct {
	// AccessToken is the bearer token of the portal.
	AccessToken string
	// ExpiresAt is when AccessToken expires.
	ExpiresAt time.Time
	// RefreshToken, ClientID, ClientSecret and RegistrationExpiresAt
	// allow a refresh (sso-session tokens only); RegistrationExpiresAt is
	// zero when the file has none.
	RefreshToken, ClientID, ClientSecret string
	RegistrationExpiresAt                time.Time

	// fields holds every field of the file, so that a refresh keeps the
	// ones this type does not know.
	fields map[string]json.RawMessage
}

// String returns the expiry and whether the token can be refreshed, never
// the tokens or the client secret.
func (t ssoToken) String() string {
	return fmt.Sprintf("credentials.ssoToken{ExpiresAt: %s, Refreshable: %t}", t.ExpiresAt.UTC().Format(time.RFC3339), t.RefreshToken != "")
}

// GoString returns String.
func (t ssoToken) GoString() string { return t.String() }

// Format prints String for every verb.
func (t ssoToken) Format(f fmt.State, verb rune) { fmt.Fprint(f, t.String()) }

// parseSSOToken parses a token cache file. accessToken and expiresAt are
// required; expiresAt and registrationExpiresAt are RFC 3339 times (the
// AWS CLI v1's "2006-01-02T15:04:05UTC" form is accepted too). Errors name
// the field, never its value.
func parseSSOToken(data []byte) (ssoToken, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return ssoToken{}, kindf(ErrInvalidValue, "sso: the token cache file is not a JSON object")
	}
	str := func(name string) (string, error) {
		raw, ok := fields[name]
		if !ok || string(raw) == "null" {
			return "", nil
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return "", kindf(ErrInvalidValue, "sso: the token cache field %s is not a string", name)
		}
		return v, nil
	}
	var t ssoToken
	var err error
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"accessToken", &t.AccessToken}, {"refreshToken", &t.RefreshToken},
		{"clientId", &t.ClientID}, {"clientSecret", &t.ClientSecret},
	} {
		if *f.dst, err = str(f.name); err != nil {
			return ssoToken{}, err
		}
	}
	if t.AccessToken == "" {
		return ssoToken{}, kindf(ErrInvalidValue, "sso: the token cache file has no accessToken")
	}
	for _, f := range []struct {
		name     string
		dst      *time.Time
		required bool
	}{
		{"expiresAt", &t.ExpiresAt, true}, {"registrationExpiresAt", &t.RegistrationExpiresAt, false},
	} {
		s, err := str(f.name)
		if err != nil {
			return ssoToken{}, err
		}
		if s == "" {
			if f.required {
				return ssoToken{}, kindf(ErrInvalidValue, "sso: the token cache file has no %s", f.name)
			}
			continue
		}
		if *f.dst, err = parseSSOTime(s); err != nil {
			return ssoToken{}, kindf(ErrInvalidValue, "sso: the token cache field %s is not an RFC 3339 time", f.name)
		}
	}
	t.fields = fields
	return t, nil
}

func parseSSOTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02T15:04:05UTC", s)
}

// refreshable reports whether t has what the refresh-token grant needs.
func (t ssoToken) refreshable(now time.Time) bool {
	return t.RefreshToken != "" && t.ClientID != "" && t.ClientSecret != "" &&
		!t.RegistrationExpiresAt.IsZero() && now.Before(t.RegistrationExpiresAt)
}

// marshal returns the file's JSON with t's fields updated.
func (t ssoToken) marshal() ([]byte, error) {
	fields := make(map[string]json.RawMessage, len(t.fields)+4)
	for k, v := range t.fields {
		fields[k] = v
	}
	set := func(k string, v any) {
		b, _ := json.Marshal(v)
		fields[k] = b
	}
	set("accessToken", t.AccessToken)
	set("expiresAt", t.ExpiresAt.UTC().Format(time.RFC3339))
	if t.RefreshToken != "" {
		set("refreshToken", t.RefreshToken)
	}
	return json.MarshalIndent(fields, "", "  ")
}

// token returns a valid access token, refreshed when it is due.
func (p SSO) token(ctx context.Context, client *http.Client, now func() time.Time) (string, error) {
	path := p.CachePath()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", p.loginRequired("no cached token (%s)", path)
	}
	if err != nil {
		return "", fmt.Errorf("credentials: sso: %s: reading the cached token: %w", p.what(), err)
	}
	t, err := parseSSOToken(data)
	if err != nil {
		return "", p.loginRequired("%s (%s)", strings.TrimPrefix(err.Error(), "credentials: sso: "), path)
	}
	if p.SessionName == "" {
		if !now().Before(t.ExpiresAt) {
			return "", p.loginRequired("the cached token expired at %s", t.ExpiresAt.UTC().Format(time.RFC3339))
		}
		return t.AccessToken, nil
	}
	if t.ExpiresAt.Sub(now()) >= SSORefreshWindow {
		return t.AccessToken, nil
	}
	var refreshErr error
	if t.refreshable(now()) {
		nt, err := p.refresh(ctx, client, t, now)
		if err == nil {
			if err := writeFileAtomic(path, nt); err != nil {
				return "", fmt.Errorf("credentials: sso: %s: writing the refreshed token: %w", p.what(), err)
			}
			return nt.AccessToken, nil
		}
		refreshErr = err
	}
	if now().Before(t.ExpiresAt) {
		return t.AccessToken, nil
	}
	if refreshErr != nil {
		return "", &kindError{
			msg:   p.loginRequired("the cached token expired at %s and refreshing it failed: %s", t.ExpiresAt.UTC().Format(time.RFC3339), strings.TrimPrefix(refreshErr.Error(), "credentials: ")).Error(),
			kind:  ErrSSOLoginRequired,
			cause: refreshErr,
		}
	}
	return "", p.loginRequired("the cached token expired at %s and cannot be refreshed (no refresh token or client registration)", t.ExpiresAt.UTC().Format(time.RFC3339))
}

// refresh runs the OIDC CreateToken refresh-token grant.
func (p SSO) refresh(ctx context.Context, client *http.Client, t ssoToken, now func() time.Time) (ssoToken, error) {
	body, _ := json.Marshal(map[string]string{
		"clientId": t.ClientID, "clientSecret": t.ClientSecret,
		"grantType": "refresh_token", "refreshToken": t.RefreshToken,
	})
	endpoint := p.OIDCEndpoint
	if endpoint == "" {
		endpoint = "https://oidc." + p.Region + "." + partitionDomain(p.Region)
	}
	secrets := []string{t.ClientSecret, t.RefreshToken, t.AccessToken}
	resp, err := ssoDo(ctx, client, http.MethodPost, strings.TrimRight(endpoint, "/")+"/token", nil, body, "CreateToken", secrets)
	if err != nil {
		return ssoToken{}, err
	}
	var r struct {
		AccessToken  string `json:"accessToken"`
		ExpiresIn    int64  `json:"expiresIn"`
		RefreshToken string `json:"refreshToken"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		return ssoToken{}, kindf(ErrInvalidValue, "sso: CreateToken: the response is not a token object: %s", describeJSONError(err))
	}
	if r.AccessToken == "" || r.ExpiresIn <= 0 {
		return ssoToken{}, kindf(ErrInvalidValue, "sso: CreateToken: the response has no accessToken or no positive expiresIn")
	}
	t.AccessToken = r.AccessToken
	t.ExpiresAt = now().Add(time.Duration(r.ExpiresIn) * time.Second).Truncate(time.Second)
	if r.RefreshToken != "" {
		t.RefreshToken = r.RefreshToken
	}
	return t, nil
}

// roleCredentials calls GetRoleCredentials.
func (p SSO) roleCredentials(ctx context.Context, client *http.Client, token string, now time.Time) (Credentials, error) {
	endpoint := p.PortalEndpoint
	if endpoint == "" {
		endpoint = "https://portal.sso." + p.Region + "." + partitionDomain(p.Region)
	}
	q := url.Values{"role_name": {p.RoleName}, "account_id": {p.AccountID}}
	u := strings.TrimRight(endpoint, "/") + "/federation/credentials?" + q.Encode()
	body, err := ssoDo(ctx, client, http.MethodGet, u, http.Header{"X-Amz-Sso_bearer_token": {token}}, nil, "GetRoleCredentials", []string{token})
	if err != nil {
		var se *ssoStatusError
		if errors.As(err, &se) && se.status == http.StatusUnauthorized {
			return Credentials{}, &kindError{msg: p.loginRequired("the portal refused the cached token (%s)", se.Error()).Error(), kind: ErrSSOLoginRequired, cause: se}
		}
		return Credentials{}, fmt.Errorf("credentials: sso: %s: %w", p.what(), err)
	}
	var r struct {
		RoleCredentials *struct {
			AccessKeyID     string `json:"accessKeyId"`
			SecretAccessKey string `json:"secretAccessKey"`
			SessionToken    string `json:"sessionToken"`
			Expiration      int64  `json:"expiration"`
		} `json:"roleCredentials"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return Credentials{}, kindf(ErrInvalidValue, "sso: %s: GetRoleCredentials: the response is not a credentials object: %s", p.what(), describeJSONError(err))
	}
	rc := r.RoleCredentials
	if rc == nil {
		return Credentials{}, kindf(ErrInvalidValue, "sso: %s: GetRoleCredentials: the response has no roleCredentials", p.what())
	}
	c := Credentials{AccessKeyID: rc.AccessKeyID, SecretAccessKey: rc.SecretAccessKey, SessionToken: rc.SessionToken, Source: "sso"}
	if p.ProfileName != "" {
		c.Source = "sso:" + p.ProfileName
	}
	if !c.HasKeys() || c.SessionToken == "" {
		return Credentials{}, kindf(ErrPartialCredentials, "sso: %s: GetRoleCredentials: the response lacks accessKeyId, secretAccessKey or sessionToken", p.what())
	}
	if rc.Expiration > 0 {
		c.Expires = time.UnixMilli(rc.Expiration).UTC()
		if c.Expired(now) {
			return Credentials{}, kindf(ErrExpired, "sso: %s: GetRoleCredentials returned credentials that expired at %s", p.what(), c.Expires.Format(time.RFC3339))
		}
	}
	return c, nil
}

// ssoStatusError is a non-2xx answer of an SSO service.
type ssoStatusError struct {
	status        int
	kind, message string // the service's error type and message, cleaned
}

func (e *ssoStatusError) Error() string {
	s := fmt.Sprintf("HTTP %d", e.status)
	if e.kind != "" {
		s += " " + e.kind
	}
	if e.message != "" {
		s += ": " + e.message
	}
	return s
}

func (e *ssoStatusError) Is(target error) bool { return target == ErrSSOService }

// ssoClient returns a copy of c (or of a default client) that follows no
// redirect.
func ssoClient(c *http.Client) *http.Client {
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	cc := *c
	cc.CheckRedirect = refuseRedirect
	return &cc
}

// ssoDo sends one request to an SSO service and returns the body of a 2xx
// answer. secrets are scrubbed from any text of the service quoted in an
// error.
func ssoDo(ctx context.Context, client *http.Client, method, u string, header http.Header, body []byte, action string, secrets []string) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, kindf(ErrInvalidValue, "sso: %s: bad endpoint URL: %s", action, printable(u))
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		// The URL of a transport error holds no secret: the token travels
		// in a header or the body.
		return nil, fmt.Errorf("credentials: sso: %s: %w", action, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxSSOBody))
	if err != nil {
		return nil, fmt.Errorf("credentials: sso: %s: reading the response: %w", action, err)
	}
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		re := newRedirectError(resp)
		return nil, &kindError{msg: "credentials: sso: " + action + ": " + re.Error(), kind: ErrSSOService, cause: re}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := &ssoStatusError{status: resp.StatusCode}
		var eb struct {
			Type        string `json:"__type"`
			Error       string `json:"error"`
			Message     string `json:"message"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(data, &eb)
		kind := firstNonEmpty(resp.Header.Get("X-Amzn-Errortype"), eb.Type, eb.Error)
		kind, _, _ = strings.Cut(kind, ":")
		e.kind = scrub(kind, secrets, 64)
		e.message = scrub(firstNonEmpty(eb.Message, eb.Description), secrets, 256)
		return nil, &kindError{msg: "credentials: sso: " + action + ": " + e.Error(), kind: ErrSSOService, cause: e}
	}
	return data, nil
}

// scrub replaces the secrets in a service's text and bounds it to n
// printable bytes.
func scrub(s string, secrets []string, n int) string {
	for _, v := range secrets {
		if v != "" {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	return bounded(s, n)
}

// writeFileAtomic writes the token to path through a temporary file in the
// same directory, renamed over it.
func writeFileAtomic(path string, t ssoToken) error {
	data, err := t.marshal()
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".sigv4kit-*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o600)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// partitionDomain returns the DNS suffix of region's partition.
func partitionDomain(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "amazonaws.com.cn"
	case strings.HasPrefix(region, "us-isob-"):
		return "sc2s.sgov.gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "c2s.ic.gov"
	}
	return "amazonaws.com"
}

// validRegionName reports whether region can be part of a host name.
func validRegionName(region string) bool {
	if region == "" || len(region) > 63 || region[0] == '-' || region[len(region)-1] == '-' {
		return false
	}
	for i := 0; i < len(region); i++ {
		if c := region[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	safe := s != ""
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.@%+=:,/", c) >= 0) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
