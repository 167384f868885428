package credentials

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sigv4kit/sigv4kit/internal/ini"
)

// Retrieve resolves the selected profile's credentials (see [SharedFiles]
// for the order). Keys from the files have Source "profile:<name>".
func (s SharedFiles) Retrieve(ctx context.Context) (Credentials, error) {
	name, explicit := s.profileName()
	sf, err := s.load()
	if err != nil {
		return Credentials{}, err
	}
	return s.resolve(ctx, sf, name, explicit, nil)
}

// resolve returns the credentials of profile name; visited holds the
// profiles of the source_profile chain that led here.
func (s SharedFiles) resolve(ctx context.Context, sf *sharedFiles, name string, explicit bool, visited []string) (Credentials, error) {
	p, o, err := sf.profile(name)
	if err != nil {
		if errors.Is(err, ErrProfileNotFound) && !explicit {
			return Credentials{}, &kindError{msg: err.Error(), kind: ErrNoCredentials, cause: ErrProfileNotFound}
		}
		return Credentials{}, err
	}
	if slices.Contains(visited, name) {
		return Credentials{}, kindf(ErrInvalidValue, "profile %q: source_profile cycle %s -> %s", visited[0], strings.Join(visited, " -> "), name)
	}
	visited = append(slices.Clone(visited), name)
	if p.RoleARN == "" {
		return s.keys(ctx, sf, p, o)
	}
	prov, err := s.roleProvider(sf, p, o, visited)
	if err != nil {
		return Credentials{}, err
	}
	c, err := prov.Retrieve(ctx)
	if errors.Is(err, ErrNoCredentials) {
		// The role's source has nothing: the profile is misconfigured, which
		// must stop a chain rather than read as "no credentials here".
		return Credentials{}, kindf(ErrInvalidValue, "profile %q: assuming role: the source has no credentials: %s", name, strings.TrimPrefix(err.Error(), "credentials: "))
	}
	if err != nil {
		return Credentials{}, fmt.Errorf("credentials: profile %q: assuming role: %w", name, err)
	}
	return c, nil
}

// roleProvider builds the provider of a profile with role_arn.
func (s SharedFiles) roleProvider(sf *sharedFiles, p Profile, o origin, visited []string) (Provider, error) {
	var source Provider
	switch {
	case p.SourceProfile != "" && p.CredentialSource != "":
		return nil, o.invalid("credential_source", "cannot be used together with source_profile")
	case p.SourceProfile == p.Name:
		// A profile that is its own source uses its own keys.
		source = ProviderFunc(func(ctx context.Context) (Credentials, error) { return s.keys(ctx, sf, p, o) })
	case p.SourceProfile != "" && sf.config[p.SourceProfile] == nil && sf.creds[p.SourceProfile] == nil:
		file, line := o.where("source_profile")
		return nil, &kindError{
			msg:  (&FileError{File: file, Line: line, Msg: fmt.Sprintf("source_profile: profile %q does not exist", p.SourceProfile)}).Error(),
			kind: ErrInvalidValue, cause: ErrProfileNotFound,
		}
	case p.SourceProfile != "":
		source = ProviderFunc(func(ctx context.Context) (Credentials, error) {
			return s.resolve(ctx, sf, p.SourceProfile, true, visited)
		})
	case p.CredentialSource != "":
		switch p.CredentialSource {
		case "Environment":
			source = Env{Getenv: s.Getenv, Now: s.Now}
		case "Ec2InstanceMetadata":
			source = IMDS{Getenv: s.Getenv, HTTPClient: s.HTTPClient, Now: s.Now}
		case "EcsContainer":
			source = Container{Getenv: s.Getenv, ReadFile: s.ReadFile, HTTPClient: s.HTTPClient, Now: s.Now}
		default:
			return nil, o.invalid("credential_source", "must be Environment, Ec2InstanceMetadata or EcsContainer")
		}
	case p.WebIdentityTokenFile != "":
		// AssumeRoleWithWebIdentity: no source credentials.
	default:
		return nil, o.invalid("role_arn", "needs source_profile, credential_source or web_identity_token_file")
	}
	if s.Roles == nil {
		return nil, kindf(ErrNoRoleSupport, "profile %q assumes a role; set SharedFiles.Roles (stscreds.DefaultWithSTS does)", p.Name)
	}
	return s.Roles(p, source)
}

// keys returns the credentials of a profile without a role: SSO, else the
// credentials file's keys, else credential_process, else the config
// file's keys (botocore's order).
func (s SharedFiles) keys(ctx context.Context, sf *sharedFiles, p Profile, o origin) (Credentials, error) {
	if p.SSOAccountID != "" || p.SSORoleName != "" {
		prov, err := s.ssoProvider(sf, p, o)
		if err != nil {
			return Credentials{}, err
		}
		return prov.Retrieve(ctx)
	}
	if c, ok, err := sectionKeys(o.creds, o.credsPath, p.Name); ok || err != nil {
		return c, err
	}
	if p.Settings["login_session"] != "" {
		return Credentials{}, o.invalid("login_session", `"aws login" sessions are not supported; use keys, an SSO profile or credential_process`)
	}
	if p.CredentialProcess != "" {
		c, err := Process{Command: p.CredentialProcess, Timeout: s.ProcessTimeout, Stderr: s.Stderr, Now: s.Now}.Retrieve(ctx)
		if err != nil {
			return Credentials{}, fmt.Errorf("credentials: profile %q: %w", p.Name, err)
		}
		c.Source = "process:" + p.Name
		return c, nil
	}
	if c, ok, err := sectionKeys(o.config, o.configPath, p.Name); ok || err != nil {
		return c, err
	}
	return Credentials{}, notFound("profile %q has no credentials (no keys, credential_process or role_arn)", p.Name)
}

// sectionKeys reads the static keys of one section.
func sectionKeys(sec *ini.Section, path, name string) (Credentials, bool, error) {
	if sec == nil {
		return Credentials{}, false, nil
	}
	id, secret := sec.Values["aws_access_key_id"], sec.Values["aws_secret_access_key"]
	switch {
	case id == "" && secret == "":
		return Credentials{}, false, nil
	case secret == "":
		return Credentials{}, true, &kindError{
			msg:  fmt.Sprintf("credentials: %s:%d: profile %q has aws_access_key_id but no aws_secret_access_key", path, sec.Lines["aws_access_key_id"], name),
			kind: ErrPartialCredentials,
		}
	case id == "":
		return Credentials{}, true, &kindError{
			msg:  fmt.Sprintf("credentials: %s:%d: profile %q has aws_secret_access_key but no aws_access_key_id", path, sec.Lines["aws_secret_access_key"], name),
			kind: ErrPartialCredentials,
		}
	}
	// botocore reads the legacy aws_security_token first.
	token := firstNonEmpty(sec.Values["aws_security_token"], sec.Values["aws_session_token"])
	return Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, Source: "profile:" + name}, true, nil
}
