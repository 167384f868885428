package credentials

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"
)

// Environment variables of web identity federation (EKS IRSA and others),
// read by [DefaultWithoutSTS].
const (
	EnvWebIdentityTokenFile = "AWS_WEB_IDENTITY_TOKEN_FILE"
	EnvRoleARN              = "AWS_ROLE_ARN"
	EnvRoleSessionName      = "AWS_ROLE_SESSION_NAME"
)

// DefaultOptions configures [DefaultWithoutSTS] (and
// stscreds.DefaultWithSTS). The zero value reads the real
// environment and files; tests inject Getenv, HomeDir or ReadFile,
// HTTPClient and Now.
type DefaultOptions struct {
	// Profile selects the profile like the CLI's --profile: it overrides
	// AWS_DEFAULT_PROFILE and AWS_PROFILE, and it removes the environment
	// keys from the chain so that the named profile is used. "" means
	// AWS_DEFAULT_PROFILE, else AWS_PROFILE, else "default", with the
	// environment keys first.
	Profile string
	// Getenv reads a variable; nil means os.Getenv.
	Getenv func(string) string
	// HomeDir is the home directory of ~/.aws; "" means os.UserHomeDir.
	HomeDir string
	// ReadFile reads files; nil means os.ReadFile.
	ReadFile func(string) ([]byte, error)
	// HTTPClient is used for the container and instance metadata endpoints;
	// nil means a client without proxy and with short timeouts.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Stderr receives the standard error of credential_process.
	Stderr io.Writer
	// Roles builds the STS providers for web identity and role profiles.
	// stscreds.DefaultWithSTS sets it; without it, those sources are
	// errors matching ErrNoRoleSupport.
	Roles RoleFunc
	// ExpiryWindow is the Cache's refresh window; zero means
	// DefaultExpiryWindow.
	ExpiryWindow time.Duration
}

// DefaultWithoutSTS returns the default credential chain, cached, without
// the sources that call STS (role profiles and web identity) unless
// opts.Roles supplies them: the sources of the AWS SDKs, in their order.
// For the full chain, use stscreds.DefaultWithSTS, or awsconfig.Load,
// which also resolves the region and endpoint URLs.
//
//  1. The environment ([Env]), unless DefaultOptions.Profile is set.
//  2. Web identity from the environment: AWS_WEB_IDENTITY_TOKEN_FILE with
//     AWS_ROLE_ARN and the optional AWS_ROLE_SESSION_NAME, through the
//     Roles hook (AssumeRoleWithWebIdentity; the token file is re-read at
//     each refresh), unless the selected profile assumes a role with
//     source_profile or credential_source, which botocore tries first.
//  3. The shared config and credentials files ([SharedFiles]): role
//     profiles, SSO, keys and credential_process.
//  4. The container endpoint ([Container]: ECS, EKS Pod Identity).
//  5. The EC2 instance metadata service ([IMDS]).
//
// As in botocore (and so the AWS CLI), the shared files are read before
// the environment keys are used: a syntax error in either file, or a
// profile named by AWS_DEFAULT_PROFILE or AWS_PROFILE that is in neither
// file, is an error even when the environment holds keys.
//
// DefaultWithoutSTS never falls back to anonymous access: when no source has
// credentials, Retrieve returns a [*ChainError] that lists what each source
// said (and matches [ErrNoCredentials]); a source that is configured but
// broken stops the chain with its error.
//
// The STS-based sources need the stscreds package, which imports this one
// (through sigv4); stscreds.DefaultWithSTS(opts) fills in opts.Roles and
// calls DefaultWithoutSTS. Without Roles, web identity and role profiles
// are errors matching [ErrNoRoleSupport].
func DefaultWithoutSTS(opts DefaultOptions) *Cache {
	files := SharedFiles{
		Profile: opts.Profile, Getenv: opts.Getenv, HomeDir: opts.HomeDir, ReadFile: opts.ReadFile,
		Roles: opts.Roles, HTTPClient: opts.HTTPClient, Stderr: opts.Stderr, Now: opts.Now,
	}
	var providers []Provider
	if opts.Profile == "" {
		providers = append(providers, checkedEnv{Env: Env{Getenv: opts.Getenv, Now: opts.Now}, files: files})
	}
	providers = append(providers,
		webIdentityEnv{files: files},
		files,
		Container{Getenv: opts.Getenv, ReadFile: opts.ReadFile, HTTPClient: opts.HTTPClient, Now: opts.Now},
		IMDS{Getenv: opts.Getenv, HTTPClient: opts.HTTPClient, Now: opts.Now},
	)
	return NewCache(Chain(providers...), CacheOptions{ExpiryWindow: opts.ExpiryWindow, Now: opts.Now})
}

// Default is [DefaultWithoutSTS].
//
// Deprecated: the name does not say that this chain has no STS sources
// (role profiles and web identity are errors unless opts.Roles is set),
// unlike stscreds.Default. Use DefaultWithoutSTS, or
// stscreds.DefaultWithSTS for the full chain.
func Default(opts DefaultOptions) *Cache { return DefaultWithoutSTS(opts) }

// webIdentityEnv is the web identity source of the environment.
type webIdentityEnv struct{ files SharedFiles }

// Retrieve assumes the role of the web identity variables through the Roles hook.
func (w webIdentityEnv) Retrieve(ctx context.Context) (Credentials, error) {
	getenv := orGetenv(w.files.Getenv)
	tokenFile := getenv(EnvWebIdentityTokenFile)
	if tokenFile == "" {
		return Credentials{}, notFound("web identity: %s is not set", EnvWebIdentityTokenFile)
	}
	roleARN := getenv(EnvRoleARN)
	if roleARN == "" {
		return Credentials{}, kindf(ErrInvalidValue, "web identity: %s is set but %s is not", EnvWebIdentityTokenFile, EnvRoleARN)
	}
	if w.files.Roles == nil {
		return Credentials{}, kindf(ErrNoRoleSupport, "web identity: %s is set; use stscreds.DefaultWithSTS or set DefaultOptions.Roles", EnvWebIdentityTokenFile)
	}
	// The profile still supplies the region and STS endpoint settings.
	p, err := w.files.LoadProfile()
	if err != nil && !errors.Is(err, ErrProfileNotFound) {
		return Credentials{}, err
	}
	if p.RoleARN != "" && p.WebIdentityTokenFile == "" && (p.SourceProfile != "" || p.CredentialSource != "") {
		return Credentials{}, notFound("web identity: profile %q assumes a role with source_profile or credential_source, which comes first", p.Name)
	}
	p.RoleARN, p.WebIdentityTokenFile, p.RoleSessionName = roleARN, tokenFile, getenv(EnvRoleSessionName)
	p.SourceProfile, p.CredentialSource, p.ExternalID, p.MFASerial = "", "", "", ""
	prov, err := w.files.Roles(p, nil)
	if err != nil {
		return Credentials{}, err
	}
	return prov.Retrieve(ctx)
}

// checkedEnv is the environment source of [DefaultWithoutSTS]: it reads the shared
// files first, as botocore does, so that a syntax error or an explicitly
// named profile that does not exist stops the chain even when the
// environment holds keys.
type checkedEnv struct {
	Env
	files SharedFiles
}

// Retrieve checks the shared files, then reads the environment.
func (e checkedEnv) Retrieve(ctx context.Context) (Credentials, error) {
	if _, err := e.files.LoadProfile(); err != nil {
		if _, explicit := e.files.profileName(); explicit || !errors.Is(err, ErrProfileNotFound) {
			return Credentials{}, err
		}
	}
	return e.Env.Retrieve(ctx)
}
