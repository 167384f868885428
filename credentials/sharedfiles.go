package credentials

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/internal/ini"
)

// Environment variables read by [SharedFiles].
const (
	EnvProfile               = "AWS_PROFILE"
	EnvDefaultProfile        = "AWS_DEFAULT_PROFILE"
	EnvConfigFile            = "AWS_CONFIG_FILE"
	EnvSharedCredentialsFile = "AWS_SHARED_CREDENTIALS_FILE"
)

// ErrProfileNotFound is returned (wrapped) when the selected profile is in
// neither shared file.
var ErrProfileNotFound = errors.New("credentials: profile not found")

// SharedFiles reads the AWS shared config and credentials files, the way the
// AWS CLI v2 does.
//
// # Files
//
// The config file is AWS_CONFIG_FILE, else ~/.aws/config; the credentials
// file is AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials. A leading
// "~" and $VARIABLES in these paths are expanded. A missing file counts as
// empty.
//
// The syntax is the CLI's: "[section]" headers; "key = value" (or
// "key: value"), keys case-insensitive, values trimmed and verbatim; lines
// starting with "#" or ";" are comments, and there are no inline comments
// ("region = us-east-1 # x" is a bad region); a line indented deeper than the
// key above continues its value, and "s3 =" followed by indented
// "name = value" lines is a nested sub-section. Like the CLI (and unlike some
// SDKs), the parser is strict: a syntax error, or a section or key defined
// twice in one file, is a [*FileError] with the file and line.
//
// # Profiles
//
// The profile is the Profile field, else AWS_DEFAULT_PROFILE, else
// AWS_PROFILE, else "default" (botocore, and so the AWS CLI, read
// AWS_DEFAULT_PROFILE first; the other SDKs read only AWS_PROFILE). In the
// credentials file a profile is the section "[name]"; in the config file it
// is "[profile name]", except the default profile, which may be "[default]"
// ("[profile default]" wins when both exist). "[services name]" sections hold
// per-service settings that a profile selects with "services = name", and
// "[sso-session name]" sections the SSO settings a profile selects with
// "sso_session = name".
// When both files define a key for a profile, the credentials file wins.
// A profile named explicitly (field, AWS_DEFAULT_PROFILE or AWS_PROFILE) that
// is in neither file
// is an error matching [ErrProfileNotFound]; a missing "default" profile only
// means no credentials ([ErrNoCredentials]).
//
// # Credentials
//
// Retrieve resolves the profile's credentials in the CLI's order:
//
//  1. role_arn with source_profile or credential_source: assume the role
//     (through the Roles hook) with the credentials of the source profile
//     (resolved the same way; a profile that names itself as source uses its
//     own keys) or of the credential source: "Environment" ([Env]),
//     "Ec2InstanceMetadata" ([IMDS]) or "EcsContainer" ([Container]).
//  2. role_arn with web_identity_token_file: AssumeRoleWithWebIdentity
//     (through the Roles hook).
//  3. SSO (sso_account_id and sso_role_name, with sso_session or the
//     legacy sso_start_url and sso_region): [SSO], with the token that
//     "aws sso login" cached.
//  4. aws_access_key_id and aws_secret_access_key (with the optional
//     aws_session_token, or the legacy aws_security_token, which botocore
//     prefers when both are set) from the credentials file.
//  5. credential_process ([Process]).
//  6. aws_access_key_id and aws_secret_access_key from the config file.
//
// The STS calls live in the stscreds package, which imports this one; set
// Roles to stscreds.Roles(...) (stscreds.DefaultWithSTS does) to enable steps 1
// and 2. Without it, a role profile is an error. A profile that signs in
// with "aws login" (login_session) is an error naming the setting: that
// flow is not supported.
//
// A SharedFiles value re-reads the files at every call; wrap it in a
// [Cache].
type SharedFiles struct {
	// Profile selects the profile; "" means AWS_DEFAULT_PROFILE, else
	// AWS_PROFILE, else "default".
	Profile string
	// ConfigFile and CredentialsFile override the file paths (and the
	// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE variables).
	ConfigFile, CredentialsFile string
	// Getenv reads a variable; nil means os.Getenv.
	Getenv func(string) string
	// HomeDir is the home directory for "~"; "" means os.UserHomeDir.
	HomeDir string
	// ReadFile reads a file; nil means os.ReadFile.
	ReadFile func(name string) ([]byte, error)

	// Roles builds the STS providers of role profiles (see above).
	Roles RoleFunc
	// HTTPClient is used by the IMDS and container credential sources
	// (nil means a client with short timeouts and no proxy) and by SSO
	// profiles (nil means a client with a 30 s timeout that honours the
	// proxy variables).
	HTTPClient *http.Client
	// ProcessTimeout bounds credential_process; zero means one minute.
	ProcessTimeout time.Duration
	// Stderr receives the standard error of credential_process; nil means
	// os.Stderr.
	Stderr io.Writer
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// SSOPortalEndpoint and SSOOIDCEndpoint override the endpoints of SSO
	// profiles (see [SSO]); "" means AWS_ENDPOINT_URL_SSO and
	// AWS_ENDPOINT_URL_SSO_OIDC, then the sso and sso_oidc endpoint_url of
	// the profile's services section, then AWS's endpoints for the
	// profile's sso_region.
	SSOPortalEndpoint, SSOOIDCEndpoint string
}

// RoleFunc builds the provider that assumes the role of a profile:
// AssumeRole with the credentials of source when the profile has a
// source_profile or credential_source, or AssumeRoleWithWebIdentity (source
// is nil) when it has a web_identity_token_file. The stscreds package
// provides one (stscreds.Roles); it lives there because STS requests are
// signed with sigv4, which imports this package.
type RoleFunc func(profile Profile, source Provider) (Provider, error)

// ProfileName returns the selected profile: the Profile field, else
// AWS_DEFAULT_PROFILE, else AWS_PROFILE, else "default".
func (s SharedFiles) ProfileName() string {
	name, _ := s.profileName()
	return name
}

func (s SharedFiles) profileName() (name string, explicit bool) {
	if s.Profile != "" {
		return s.Profile, true
	}
	getenv := orGetenv(s.Getenv)
	for _, k := range []string{EnvDefaultProfile, EnvProfile} {
		if p := getenv(k); p != "" {
			return p, true
		}
	}
	return "default", false
}

// Paths returns the paths of the config and credentials files.
func (s SharedFiles) Paths() (config, credentials string) {
	getenv := orGetenv(s.Getenv)
	config = firstNonEmpty(s.ConfigFile, getenv(EnvConfigFile), filepath.Join("~", ".aws", "config"))
	credentials = firstNonEmpty(s.CredentialsFile, getenv(EnvSharedCredentialsFile), filepath.Join("~", ".aws", "credentials"))
	return s.expand(config), s.expand(credentials)
}

func (s SharedFiles) expand(path string) string {
	if strings.Contains(path, "$") {
		path = os.Expand(path, orGetenv(s.Getenv))
	}
	if path == "~" || strings.HasPrefix(path, "~/") || strings.HasPrefix(path, "~"+string(filepath.Separator)) {
		home := s.HomeDir
		if home == "" {
			h, err := os.UserHomeDir()
			if err != nil {
				return path // a file named "~/..." that will not exist
			}
			home = h
		}
		path = filepath.Join(home, path[1:])
	}
	return path
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// LoadProfile reads the selected profile from the shared files: region,
// endpoint URLs, services, role settings and every other setting, for
// programs that need them besides credentials. When the profile is in
// neither file, it returns a Profile with only the Name set and an error
// matching [ErrProfileNotFound].
//
// Profile.Settings leaves out aws_secret_access_key and aws_session_token,
// so that printing a Profile never shows a secret; [SharedFiles.Retrieve]
// returns the keys.
func (s SharedFiles) LoadProfile() (Profile, error) {
	name, _ := s.profileName()
	sf, err := s.load()
	if err != nil {
		return Profile{Name: name}, err
	}
	p, _, err := sf.profile(name)
	return p, err
}

// sharedFiles is the parsed content of both files.
type sharedFiles struct {
	configPath, credsPath string
	config                map[string]*ini.Section // profile name -> section
	creds                 map[string]*ini.Section
	services              map[string]*ini.Section
	ssoSessions           map[string]*ini.Section
}

func (s SharedFiles) load() (*sharedFiles, error) {
	configPath, credsPath := s.Paths()
	sf := &sharedFiles{
		configPath: configPath, credsPath: credsPath,
		config: map[string]*ini.Section{}, creds: map[string]*ini.Section{}, services: map[string]*ini.Section{},
		ssoSessions: map[string]*ini.Section{},
	}
	read := s.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	cf, err := parseFile(read, configPath)
	if err != nil {
		return nil, err
	}
	if cf != nil {
		for _, sec := range cf.Sections {
			// Like the CLI, split "profile name" with shell rules, so that
			// [profile "my profile"] names "my profile".
			fields, err := splitCommand(sec.Name)
			if err != nil {
				continue
			}
			switch {
			case sec.Name == "default":
				if _, ok := sf.config["default"]; !ok {
					sf.config["default"] = sec
				}
			case len(fields) == 2 && fields[0] == "profile":
				sf.config[fields[1]] = sec // "[profile default]" replaces "[default]"
			case len(fields) == 2 && fields[0] == "services":
				sf.services[fields[1]] = sec
			case len(fields) == 2 && fields[0] == "sso-session":
				sf.ssoSessions[fields[1]] = sec
			}
		}
	}
	kf, err := parseFile(read, credsPath)
	if err != nil {
		return nil, err
	}
	if kf != nil {
		for _, sec := range kf.Sections {
			sf.creds[sec.Name] = sec
		}
	}
	return sf, nil
}

// parseFile reads and parses one file; a missing file is nil, nil.
func parseFile(read func(string) ([]byte, error), path string) (*ini.File, error) {
	data, err := read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("credentials: reading shared file: %w", err)
	}
	f, err := ini.Parse(path, data)
	if err != nil {
		var e *ini.Error
		if errors.As(err, &e) {
			return nil, &FileError{File: e.File, Line: e.Line, Msg: e.Msg}
		}
		return nil, fmt.Errorf("credentials: %w", err)
	}
	return f, nil
}

// origin records where a profile's keys were set, for errors and for the
// credentials file / config file precedence.
type origin struct {
	config, creds *ini.Section
	configPath    string
	credsPath     string
}

// where returns the file and line that set key.
func (o origin) where(key string) (string, int) {
	if o.creds != nil {
		if l, ok := o.creds.Lines[key]; ok {
			return o.credsPath, l
		}
	}
	if o.config != nil {
		if l, ok := o.config.Lines[key]; ok {
			return o.configPath, l
		}
	}
	return "", 0
}

// invalid reports a setting with an unusable value: a [*FileError] that
// matches [ErrInvalidValue].
func (o origin) invalid(key, msg string) error {
	file, line := o.where(key)
	fe := &FileError{File: file, Line: line, Msg: key + ": " + msg}
	return &kindError{msg: fe.Error(), kind: ErrInvalidValue, cause: fe}
}

// profile builds the named profile.
func (sf *sharedFiles) profile(name string) (Profile, origin, error) {
	o := origin{config: sf.config[name], creds: sf.creds[name], configPath: sf.configPath, credsPath: sf.credsPath}
	p := Profile{Name: name}
	if o.config == nil && o.creds == nil {
		return p, o, &kindError{
			msg:  fmt.Sprintf("credentials: profile %q is in neither %s nor %s", name, sf.configPath, sf.credsPath),
			kind: ErrProfileNotFound,
		}
	}
	p.Settings = map[string]string{}
	for _, sec := range []*ini.Section{o.config, o.creds} {
		if sec == nil {
			continue
		}
		maps.Copy(p.Settings, sec.Values)
		for k, sub := range sec.Subsections {
			delete(p.Settings, k)
			for sk, sv := range sub {
				p.Settings[k+"."+sk] = sv
			}
		}
	}
	// Settings is meant to be shown; the secrets stay in the files (keys
	// are read from the sections by Retrieve).
	for _, k := range []string{"aws_secret_access_key", "aws_session_token", "aws_security_token"} {
		delete(p.Settings, k)
	}
	get := func(k string) string { return p.Settings[k] }
	p.Region = get("region")
	p.EndpointURL = get("endpoint_url")
	p.RoleARN = get("role_arn")
	p.SourceProfile = get("source_profile")
	p.CredentialSource = get("credential_source")
	p.ExternalID = get("external_id")
	p.RoleSessionName = get("role_session_name")
	p.MFASerial = get("mfa_serial")
	p.WebIdentityTokenFile = get("web_identity_token_file")
	p.CredentialProcess = get("credential_process")
	p.SSOSession = get("sso_session")
	p.SSOStartURL = get("sso_start_url")
	p.SSORegion = get("sso_region")
	p.SSOAccountID = get("sso_account_id")
	p.SSORoleName = get("sso_role_name")
	if sec := sf.ssoSessions[p.SSOSession]; p.SSOSession != "" && sec != nil {
		// The session's settings; a profile that repeats one with another
		// value is refused when its credentials are resolved (ssoProvider).
		p.SSOStartURL = firstNonEmpty(sec.Values["sso_start_url"], p.SSOStartURL)
		p.SSORegion = firstNonEmpty(sec.Values["sso_region"], p.SSORegion)
	}
	if v := get("duration_seconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return p, o, o.invalid("duration_seconds", "not a positive integer")
		}
		p.DurationSeconds = n
	}
	switch v := get("sts_regional_endpoints"); v {
	case "", "regional", "legacy":
		p.STSRegionalEndpoints = v
	default:
		return p, o, o.invalid("sts_regional_endpoints", `must be "regional" or "legacy"`)
	}
	if svc := get("services"); svc != "" {
		if sec := sf.services[svc]; sec != nil && len(sec.Subsections) > 0 {
			p.Services = make(map[string]map[string]string, len(sec.Subsections))
			for k, sub := range sec.Subsections {
				p.Services[k] = maps.Clone(sub)
			}
		}
	}
	return p, o, nil
}
