package credentials

import (
	"fmt"
	"strings"
)

// ssoProvider builds the [SSO] provider of a profile with sso_account_id or
// sso_role_name, checking the settings as botocore does: the sso-session
// the profile names must exist, a setting that the profile repeats must
// have the session's value, and the start URL, the SSO region, the account
// and the role are required.
func (s SharedFiles) ssoProvider(sf *sharedFiles, p Profile, o origin) (Provider, error) {
	if p.SSOSession != "" {
		sec := sf.ssoSessions[p.SSOSession]
		if sec == nil {
			return nil, o.invalid("sso_session", fmt.Sprintf("there is no [sso-session %s] section in %s", p.SSOSession, sf.configPath))
		}
		for _, k := range []string{"sso_start_url", "sso_region"} {
			if v, ok := p.Settings[k]; ok && sec.Values[k] != "" && v != sec.Values[k] {
				return nil, o.invalid(k, fmt.Sprintf("differs from the value of [sso-session %s]", p.SSOSession))
			}
		}
	}
	var missing []string
	for _, f := range []struct{ v, name string }{
		{p.SSORoleName, "sso_role_name"}, {p.SSOAccountID, "sso_account_id"},
		{p.SSOStartURL, "sso_start_url"}, {p.SSORegion, "sso_region"},
	} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		key := "sso_account_id"
		if p.SSOAccountID == "" {
			key = "sso_role_name"
		}
		return nil, o.invalid(key, "the profile uses SSO but lacks "+strings.Join(missing, ", "))
	}
	getenv := orGetenv(s.Getenv)
	ignore := strings.EqualFold(firstNonEmpty(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), p.Settings["ignore_configured_endpoint_urls"]), "true")
	configured := func(field, env, service string) string {
		if field != "" || ignore {
			return field
		}
		// Only the service's own settings: the global AWS_ENDPOINT_URL and
		// endpoint_url usually name an S3-compatible store, which must not
		// receive the bearer token or the client secret.
		return firstNonEmpty(getenv(env), p.Services[service]["endpoint_url"])
	}
	return SSO{
		StartURL: p.SSOStartURL, Region: p.SSORegion, AccountID: p.SSOAccountID, RoleName: p.SSORoleName,
		SessionName: p.SSOSession, ProfileName: p.Name, HomeDir: s.HomeDir,
		PortalEndpoint: configured(s.SSOPortalEndpoint, EnvEndpointURLSSO, "sso"),
		OIDCEndpoint:   configured(s.SSOOIDCEndpoint, EnvEndpointURLSSOOIDC, "sso_oidc"),
		HTTPClient:     s.HTTPClient, Now: s.Now,
	}, nil
}
