package credentials

// Profile is what a named profile of the shared config and credentials
// files says besides (or instead of) keys: the settings that a program needs
// to sign and send requests the way the AWS CLI would.
type Profile struct {
	// Name is the profile name ("default", "dev").
	Name string
	// Region is the profile's region setting.
	Region string
	// EndpointURL is the profile's global endpoint_url setting.
	EndpointURL string
	// Services holds the settings of the profile's services section, by
	// service key ("s3") and setting name ("endpoint_url").
	Services map[string]map[string]string

	// Role settings, for profiles that assume a role.
	RoleARN              string
	SourceProfile        string
	CredentialSource     string
	ExternalID           string
	RoleSessionName      string
	MFASerial            string
	DurationSeconds      int
	WebIdentityTokenFile string
	// CredentialProcess is the credential_process command line.
	CredentialProcess string
	// STSRegionalEndpoints is "regional" or "legacy".
	STSRegionalEndpoints string

	// SSO settings (IAM Identity Center). SSOSession names the
	// [sso-session NAME] section that SSOStartURL and SSORegion come from;
	// a legacy SSO profile has no SSOSession and sets sso_start_url and
	// sso_region itself. SSOAccountID and SSORoleName select the role.
	SSOSession   string
	SSOStartURL  string
	SSORegion    string
	SSOAccountID string
	SSORoleName  string

	// Settings holds every key of the profile (after the credentials file
	// overrode the config file), including nested sub-section keys as
	// "parent.key" ("s3.addressing_style").
	Settings map[string]string
}

// ServiceEndpointURL returns the endpoint URL for a service key (as used
// in services sections and AWS_ENDPOINT_URL_<KEY>, "s3"): the service's
// endpoint_url from the profile's services section, else the profile's
// global EndpointURL, else "".
func (p Profile) ServiceEndpointURL(service string) string {
	if s, ok := p.Services[service]; ok {
		if u := s["endpoint_url"]; u != "" {
			return u
		}
	}
	return p.EndpointURL
}
