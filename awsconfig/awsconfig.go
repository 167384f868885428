// Package awsconfig loads what the AWS CLI resolves before it sends a
// request (credentials, region, endpoint URLs and the S3 settings) from
// the environment and the shared config and credentials files, in one
// call: [Load], in the spirit of aws-sdk-go-v2's config.LoadDefaultConfig.
//
//	cfg, err := awsconfig.Load(ctx, awsconfig.Options{})
//	// cfg.Credentials, cfg.Region, cfg.EndpointURL("s3"), cfg.S3
//
// presign.ConfigFrom and presign.FromEnvironment build a Presigner from it.
//
// The precedence is botocore's (the AWS CLI's), checked by a table of
// scenarios that botocore itself answered (testdata/botocore):
//
//   - Profile: Options.Profile (like --profile), else AWS_DEFAULT_PROFILE,
//     else AWS_PROFILE, else "default". A profile named by any of them that
//     is in neither file is an error, even when the environment holds keys;
//     a missing "default" profile is not (the usual container setup).
//   - Credentials: the chain of stscreds.DefaultWithSTS, cached: environment keys
//     (skipped when Options.Profile is set), web identity, the profile
//     (role_arn with source_profile or credential_source, SSO, keys,
//     credential_process), the container endpoint, the instance metadata
//     service. Load does not call any of them: the first Retrieve does.
//   - Region: Options.Region, else AWS_REGION, else AWS_DEFAULT_REGION,
//     else the profile's region (the selected profile's only: a role
//     profile does not inherit the region of its source_profile, as in
//     botocore), else, only when Options.IMDSRegion is set, the instance's
//     region from IMDS. botocore does not read AWS_REGION; the AWS CLI v2
//     and the other SDKs do, before AWS_DEFAULT_REGION.
//   - Endpoint URLs ([Config.EndpointURL]): AWS_ENDPOINT_URL_<SERVICE>,
//     AWS_ENDPOINT_URL, the service's endpoint_url in the profile's
//     services section, the profile's endpoint_url; none of them when
//     AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the profile's
//     ignore_configured_endpoint_urls) is true.
//   - S3 ([S3]): the nested "s3 =" settings addressing_style,
//     use_accelerate_endpoint and use_dualstack_endpoint, with
//     AWS_USE_DUALSTACK_ENDPOINT, AWS_USE_FIPS_ENDPOINT and the profile's
//     use_dualstack_endpoint and use_fips_endpoint.
//
// Load works without any config file, without a default profile, and in
// containers and on EC2 (the container and IMDS sources are in the chain).
// Everything it reads goes through Options (Getenv, HomeDir, ReadFile,
// HTTPClient, Now): no global state, and tests never touch the real
// environment.
package awsconfig

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/credentials/stscreds"
)

// ErrInvalidConfig is returned (wrapped) when a setting has a value that
// Load cannot use (a region that is not a region name, an addressing_style
// other than auto, virtual or path). The error names the setting and where
// it was set.
var ErrInvalidConfig = errors.New("awsconfig: invalid setting")

// Options configures [Load]. The zero value reads the real environment and
// files.
type Options struct {
	// Profile selects the profile like the CLI's --profile: it wins over
	// AWS_DEFAULT_PROFILE and AWS_PROFILE, and it removes the environment
	// keys from the credential chain.
	Profile string
	// Region overrides every configured region, like the CLI's --region.
	Region string
	// IMDSRegion asks the instance metadata service for the region when
	// none is configured, as aws-sdk-go-v2's config.WithEC2IMDSRegion does
	// (botocore and the SDKs never do it unasked). Off a machine with IMDS
	// it costs up to a second, and the region stays empty.
	IMDSRegion bool

	// ConfigFile and CredentialsFile override the paths of the shared
	// files (and AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE).
	ConfigFile, CredentialsFile string
	// Getenv reads a variable; nil means os.Getenv.
	Getenv func(string) string
	// HomeDir is the home directory ("~"); "" means os.UserHomeDir.
	HomeDir string
	// ReadFile reads the shared files and token files; nil means
	// os.ReadFile.
	ReadFile func(string) ([]byte, error)
	// HTTPClient sends every request of the credential sources (STS, SSO,
	// the container and instance metadata endpoints); nil means the
	// defaults of each source.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Stderr receives the standard error of credential_process; nil means
	// os.Stderr.
	Stderr io.Writer
	// TokenCode returns the MFA code of role profiles with mfa_serial.
	TokenCode func(ctx context.Context, serialNumber string) (string, error)
	// ExpiryWindow is the refresh window of the credentials cache; zero
	// means credentials.DefaultExpiryWindow.
	ExpiryWindow time.Duration
}

// Config is what [Load] resolved.
//
// It prints redacted (fmt, log/slog): the credentials are named by the
// cache's description, never their secret.
type Config struct {
	// Credentials is the cached credential chain. It has not been called:
	// the first Retrieve finds the source.
	Credentials *credentials.Cache
	// Region is the resolved region; "" when none is configured.
	Region string
	// RegionSource says where Region came from: "Options.Region",
	// "AWS_REGION", "AWS_DEFAULT_REGION", `profile "name"` or "imds"; ""
	// when Region is empty.
	RegionSource string
	// Profile is the selected profile. When it is in neither file (only
	// possible for "default"), only its Name is set.
	Profile credentials.Profile
	// S3 holds the S3 settings.
	S3 S3
	// UseDualStack and UseFIPS select the dual-stack and FIPS endpoints of
	// every service (AWS_USE_DUALSTACK_ENDPOINT, AWS_USE_FIPS_ENDPOINT, or
	// the profile's use_dualstack_endpoint and use_fips_endpoint).
	UseDualStack, UseFIPS bool
	// IgnoreConfiguredEndpointURLs is AWS_IGNORE_CONFIGURED_ENDPOINT_URLS,
	// else the profile's ignore_configured_endpoint_urls.
	IgnoreConfiguredEndpointURLs bool
	// Now is Options.Now, for the programs that sign with this
	// configuration; nil means time.Now.
	Now func() time.Time

	getenv func(string) string
}

// S3 holds the S3 settings of the profile (the nested "s3 =" section) and
// of the environment, resolved as botocore resolves them.
type S3 struct {
	// AddressingStyle is "auto" (or ""), "virtual" or "path". "auto" and
	// "" mean virtual-hosted addressing on AWS endpoints and path-style
	// addressing on custom endpoints; "virtual" forces virtual-hosted
	// addressing on custom endpoints too.
	AddressingStyle string
	// UseAccelerate is s3.use_accelerate_endpoint (S3 Transfer
	// Acceleration).
	UseAccelerate bool
	// UseDualStack is true when s3.use_dualstack_endpoint is true, else it
	// is the global setting (Config.UseDualStack): as in botocore, a nested
	// false does not turn off a global true, and a nested true wins over
	// AWS_USE_DUALSTACK_ENDPOINT=false.
	UseDualStack bool
	// UseFIPS is the global FIPS setting (Config.UseFIPS).
	UseFIPS bool
}

// EnvRegion and EnvDefaultRegion name the region variables.
const (
	EnvRegion        = "AWS_REGION"
	EnvDefaultRegion = "AWS_DEFAULT_REGION"
)

// Load resolves the credentials, the region, the endpoint URLs and the S3
// settings like the AWS CLI (see the package documentation for the
// precedence).
//
// Load reads the shared files once and fails on what makes them unusable:
// a syntax error (a [*credentials.FileError]), a profile named by
// Options.Profile, AWS_DEFAULT_PROFILE or AWS_PROFILE that is in neither
// file ([credentials.ErrProfileNotFound]), and a region or S3 setting with
// an unusable value ([ErrInvalidConfig]). It makes no network call unless
// Options.IMDSRegion is set and no region is configured. Errors from the
// credential sources come from the first Retrieve of Config.Credentials.
func Load(ctx context.Context, opts Options) (*Config, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	files := credentials.SharedFiles{
		Profile: opts.Profile, ConfigFile: opts.ConfigFile, CredentialsFile: opts.CredentialsFile,
		Getenv: getenv, HomeDir: opts.HomeDir, ReadFile: opts.ReadFile,
	}
	prof, err := files.LoadProfile()
	if err != nil {
		// A missing profile is an error when it was named; "default" may
		// be missing.
		if !errors.Is(err, credentials.ErrProfileNotFound) || opts.Profile != "" ||
			getenv(credentials.EnvDefaultProfile) != "" || getenv(credentials.EnvProfile) != "" {
			return nil, err
		}
	}
	cfg := &Config{Profile: prof, Now: opts.Now, getenv: getenv}
	if err := cfg.resolveRegion(ctx, opts); err != nil {
		return nil, err
	}
	if err := cfg.resolveFlags(); err != nil {
		return nil, err
	}
	stsRegion := cfg.Region
	if stsRegion == "" {
		stsRegion = "aws-global"
	}
	cfg.Credentials = stscreds.DefaultWithSTS(credentials.DefaultOptions{
		Profile: opts.Profile, Getenv: getenv, HomeDir: opts.HomeDir, ReadFile: opts.ReadFile,
		HTTPClient: opts.HTTPClient, Now: opts.Now, Stderr: opts.Stderr, ExpiryWindow: opts.ExpiryWindow,
	}, stscreds.Options{
		Getenv: getenv, ReadFile: opts.ReadFile, HTTPClient: opts.HTTPClient, Now: opts.Now,
		TokenCode: opts.TokenCode, Region: stsRegion,
	})
	return cfg, nil
}

// where names a profile setting in errors.
func (c *Config) where(key string) string {
	return fmt.Sprintf("profile %q setting %s", c.Profile.Name, key)
}

// resolveRegion sets Region and RegionSource.
func (c *Config) resolveRegion(ctx context.Context, opts Options) error {
	for _, r := range []struct{ v, src string }{
		{opts.Region, "Options.Region"},
		{c.getenv(EnvRegion), EnvRegion},
		{c.getenv(EnvDefaultRegion), EnvDefaultRegion},
		{c.Profile.Region, fmt.Sprintf("profile %q", c.Profile.Name)},
	} {
		if r.v != "" {
			if !validRegion(r.v) {
				return fmt.Errorf("%w: region %q from %s is not a region name", ErrInvalidConfig, r.v, r.src)
			}
			c.Region, c.RegionSource = r.v, r.src
			return nil
		}
	}
	if !opts.IMDSRegion {
		return nil
	}
	region, err := credentials.IMDS{Getenv: c.getenv, HTTPClient: opts.HTTPClient, Now: opts.Now}.Region(ctx)
	if errors.Is(err, credentials.ErrNoCredentials) {
		return nil // not on EC2: no region
	}
	if err != nil {
		return fmt.Errorf("awsconfig: region from the instance metadata service: %w", err)
	}
	c.Region, c.RegionSource = region, "imds"
	return nil
}

// resolveFlags sets the boolean and S3 settings.
func (c *Config) resolveFlags() error {
	set := c.Profile.Settings
	c.UseDualStack = c.flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")
	c.UseFIPS = c.flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")
	c.IgnoreConfiguredEndpointURLs = c.flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls")
	switch v := set["s3.addressing_style"]; v {
	case "", "auto", "virtual", "path":
		c.S3.AddressingStyle = v
	default:
		return fmt.Errorf("%w: %s is %q; use auto, virtual or path", ErrInvalidConfig, c.where("s3.addressing_style"), v)
	}
	c.S3.UseAccelerate = isTrue(set["s3.use_accelerate_endpoint"])
	c.S3.UseDualStack = isTrue(set["s3.use_dualstack_endpoint"]) || c.UseDualStack
	c.S3.UseFIPS = c.UseFIPS
	return nil
}

// flag returns the boolean variable env when it is set, else the profile
// setting key; "true" in any case is true, anything else false (botocore's
// ensure_boolean).
func (c *Config) flag(env, key string) bool {
	if v := c.env(env); v != "" {
		return isTrue(v)
	}
	return isTrue(c.Profile.Settings[key])
}

// env reads a variable with the Getenv of Load (os.Getenv for a Config
// built by hand).
func (c *Config) env(name string) string {
	if c.getenv == nil {
		return os.Getenv(name)
	}
	return c.getenv(name)
}

func isTrue(v string) bool { return strings.EqualFold(v, "true") }

// EndpointURL returns the configured endpoint URL of a service, by its key
// in services sections ("s3", "sts", "dynamodb", "sso_oidc"): the first
// set of AWS_ENDPOINT_URL_<KEY> (the key upper-cased, "-" and " " as "_"),
// AWS_ENDPOINT_URL, the service's endpoint_url in the profile's services
// section and the profile's endpoint_url; "" when none is set or
// IgnoreConfiguredEndpointURLs is true. "" means AWS's endpoint for the
// region. The variables are read at each call.
func (c *Config) EndpointURL(service string) string {
	if c.IgnoreConfiguredEndpointURLs {
		return ""
	}
	key := strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToUpper(service))
	for _, v := range []string{c.env("AWS_ENDPOINT_URL_" + key), c.env("AWS_ENDPOINT_URL")} {
		if v != "" {
			return v
		}
	}
	return c.Profile.ServiceEndpointURL(strings.ToLower(service))
}

// validRegion reports whether region can be part of a host name and a
// credential scope.
func validRegion(region string) bool {
	if len(region) > 63 || region[0] == '-' || region[len(region)-1] == '-' {
		return false
	}
	for i := 0; i < len(region); i++ {
		if c := region[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
