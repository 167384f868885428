package credentials

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// fakeRoles is a RoleFunc that "assumes" a role by retrieving the source
// and returning credentials that say which role and source they came from.
func fakeRoles(seen *[]Profile) RoleFunc {
	return func(p Profile, source Provider) (Provider, error) {
		*seen = append(*seen, p)
		return ProviderFunc(func(ctx context.Context) (Credentials, error) {
			if source == nil {
				return Credentials{AccessKeyID: "ASIAWEB", SecretAccessKey: testSecret, SessionToken: testToken,
					Source: "web:" + p.RoleARN + " token " + p.WebIdentityTokenFile}, nil
			}
			src, err := source.Retrieve(ctx)
			if err != nil {
				return Credentials{}, err
			}
			return Credentials{AccessKeyID: "ASIAROLE", SecretAccessKey: testSecret, SessionToken: testToken,
				Source: "role:" + p.RoleARN + " from " + src.Source}, nil
		}), nil
	}
}

const roleConfig = `[profile a]
role_arn = arn:aws:iam::1:role/a
source_profile = b

[profile b]
role_arn = arn:aws:iam::1:role/b
source_profile = c

[profile c]
credential_process = false-but-never-run

[profile self]
role_arn = arn:aws:iam::1:role/self
source_profile = self

[profile envsource]
role_arn = arn:aws:iam::1:role/env
credential_source = Environment

[profile envsource-empty]
role_arn = arn:aws:iam::1:role/env
credential_source = Environment

[profile "quoted name"]
role_arn = arn:aws:iam::1:role/q
source_profile = c

[profile badsource]
role_arn = arn:aws:iam::1:role/x
credential_source = Laptop

[profile both]
role_arn = arn:aws:iam::1:role/x
source_profile = c
credential_source = Environment

[profile lonely]
role_arn = arn:aws:iam::1:role/x

[profile web]
role_arn = arn:aws:iam::1:role/web
web_identity_token_file = /var/run/token

[profile loop1]
role_arn = arn:aws:iam::1:role/l1
source_profile = loop2

[profile loop2]
role_arn = arn:aws:iam::1:role/l2
source_profile = loop1

[profile dangling]
role_arn = arn:aws:iam::1:role/d
source_profile = ghost
`

const roleCreds = `[c]
aws_access_key_id = AKIDC
aws_secret_access_key = ` + testSecret + `

[self]
aws_access_key_id = AKIDSELF
aws_secret_access_key = ` + testSecret + `
`

func TestSharedFilesRoles(t *testing.T) {
	tests := []struct {
		profile    string
		wantSource string
		wantErr    error
		msg        string
	}{
		{profile: "a", wantSource: "role:arn:aws:iam::1:role/a from role:arn:aws:iam::1:role/b from profile:c"},
		{profile: "self", wantSource: "role:arn:aws:iam::1:role/self from profile:self"},
		{profile: "envsource", wantSource: "role:arn:aws:iam::1:role/env from env"},
		{profile: "quoted name", wantSource: "role:arn:aws:iam::1:role/q from profile:c"},
		{profile: "web", wantSource: "web:arn:aws:iam::1:role/web token /var/run/token"},
		{profile: "envsource-empty", wantErr: ErrInvalidValue, msg: `profile "envsource-empty": assuming role: the source has no credentials: env:`},
		{profile: "badsource", msg: "credential_source: must be Environment, Ec2InstanceMetadata or EcsContainer"},
		{profile: "both", msg: "cannot be used together with source_profile"},
		{profile: "lonely", msg: "needs source_profile, credential_source or web_identity_token_file"},
		{profile: "loop1", wantErr: ErrInvalidValue, msg: "source_profile cycle loop1 -> loop2 -> loop1"},
		{profile: "dangling", wantErr: ErrProfileNotFound, msg: `"ghost"`},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			var seen []Profile
			getenv := env(map[string]string{"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": testSecret})
			if tt.profile == "envsource-empty" {
				getenv = env(nil)
			}
			s := SharedFiles{
				Profile: tt.profile, ConfigFile: "config", CredentialsFile: "credentials",
				Getenv:   getenv,
				ReadFile: memFiles(map[string]string{"config": roleConfig, "credentials": roleCreds}),
				Roles:    fakeRoles(&seen),
			}
			got, err := s.Retrieve(context.Background())
			noteErr(err)
			if tt.msg != "" {
				if err == nil || !strings.Contains(err.Error(), tt.msg) || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
					t.Fatalf("err = %v, want %v containing %q", err, tt.wantErr, tt.msg)
				}
				if errors.Is(err, ErrNoCredentials) {
					t.Errorf("a misconfigured role profile matches ErrNoCredentials: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Source != tt.wantSource {
				t.Errorf("Source = %q, want %q", got.Source, tt.wantSource)
			}
		})
	}
}

func TestSharedFilesRoleWithoutSTS(t *testing.T) {
	s := SharedFiles{Profile: "a", ConfigFile: "config", CredentialsFile: "credentials", Getenv: env(nil),
		ReadFile: memFiles(map[string]string{"config": roleConfig, "credentials": roleCreds})}
	_, err := s.Retrieve(context.Background())
	if !errors.Is(noteErr(err), ErrNoRoleSupport) || !strings.Contains(err.Error(), "stscreds.Default") {
		t.Errorf("err = %v, want ErrNoRoleSupport", err)
	}
}
