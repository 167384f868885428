package credentials

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const (
	cfgPath   = "/home/gopher/.aws/config"
	credsPath = "/home/gopher/.aws/credentials"
)

// realisticConfig is a config file as people write them.
const realisticConfig = `# ~/.aws/config
[default]
region = us-east-1
output = json

[profile dev]
region=eu-west-1
  ; an indented comment
s3 =
    addressing_style = path
    max_concurrent_requests = 20
services = local-dev

[profile   spaced	]
region = ap-southeast-2

[profile role]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = dev
external_id = ext-123
role_session_name = alice
mfa_serial = arn:aws:iam::123456789012:mfa/alice
duration_seconds = 3600
sts_regional_endpoints = regional
region = us-west-2

[profile withkeys]
aws_access_key_id = AKIDCONFIG
aws_secret_access_key = ` + testSecret + `
region = sa-east-1

[services local-dev]
s3 =
  endpoint_url = http://127.0.0.1:9000
sts =
  endpoint_url = http://127.0.0.1:4566

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start

[plugins]
foo = bar
`

// realisticCredentials is a credentials file.
const realisticCredentials = `[default]
aws_access_key_id = ` + testAccessKeyID + `
aws_secret_access_key = ` + testSecret + `

; dev has a session token
[dev]
aws_access_key_id=AKIDDEV
aws_secret_access_key=` + testSecret + `
aws_session_token=` + testToken + `
region = eu-central-1

[withkeys]
aws_access_key_id = AKIDCREDSFILE
aws_secret_access_key = ` + testSecret + `
`

func TestLoadProfile(t *testing.T) {
	files := memFiles(map[string]string{cfgPath: realisticConfig, credsPath: realisticCredentials})
	load := func(profile string) (Profile, error) {
		p, err := SharedFiles{Profile: profile, HomeDir: "/home/gopher", Getenv: env(nil), ReadFile: files}.LoadProfile()
		return p, noteErr(err)
	}

	t.Run("default", func(t *testing.T) {
		p, err := load("")
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "default" || p.Region != "us-east-1" || p.Settings["output"] != "json" {
			t.Errorf("profile = %+v", p)
		}
	})
	t.Run("credentials file wins, sub-sections and services", func(t *testing.T) {
		p, err := load("dev")
		if err != nil {
			t.Fatal(err)
		}
		if p.Region != "eu-central-1" {
			t.Errorf("Region = %q, want the credentials file's eu-central-1", p.Region)
		}
		if p.Settings["s3.addressing_style"] != "path" || p.Settings["s3.max_concurrent_requests"] != "20" {
			t.Errorf("Settings = %q", p.Settings)
		}
		if _, ok := p.Settings["s3"]; ok {
			t.Error("Settings has the sub-section key itself")
		}
		if p.Settings["aws_access_key_id"] != "AKIDDEV" {
			t.Errorf("Settings lacks the access key ID: %q", p.Settings)
		}
		if s := fmt.Sprintf("%v %+v %#v", p, p, p); strings.Contains(s, testSecret) || strings.Contains(s, testToken) {
			t.Errorf("a printed Profile shows a secret: %s", s)
		}
		want := map[string]map[string]string{
			"s3":  {"endpoint_url": "http://127.0.0.1:9000"},
			"sts": {"endpoint_url": "http://127.0.0.1:4566"},
		}
		if !reflect.DeepEqual(p.Services, want) {
			t.Errorf("Services = %q", p.Services)
		}
		if got := p.ServiceEndpointURL("s3"); got != "http://127.0.0.1:9000" {
			t.Errorf("ServiceEndpointURL(s3) = %q", got)
		}
	})
	t.Run("role settings", func(t *testing.T) {
		p, err := load("role")
		if err != nil {
			t.Fatal(err)
		}
		if p.RoleARN != "arn:aws:iam::123456789012:role/admin" || p.SourceProfile != "dev" || p.ExternalID != "ext-123" ||
			p.RoleSessionName != "alice" || p.MFASerial != "arn:aws:iam::123456789012:mfa/alice" ||
			p.DurationSeconds != 3600 || p.STSRegionalEndpoints != "regional" || p.Region != "us-west-2" {
			t.Errorf("profile = %+v", p)
		}
	})
	t.Run("whitespace in section name", func(t *testing.T) {
		p, err := load("spaced")
		if err != nil || p.Region != "ap-southeast-2" {
			t.Errorf("profile = %+v, %v", p, err)
		}
	})
	t.Run("sso-session and plugins are not profiles", func(t *testing.T) {
		for _, name := range []string{"corp", "plugins", "sso-session corp", "local-dev"} {
			if _, err := load(name); !errors.Is(err, ErrProfileNotFound) {
				t.Errorf("LoadProfile(%q) err = %v, want ErrProfileNotFound", name, err)
			}
		}
	})
	t.Run("missing profile", func(t *testing.T) {
		p, err := load("nope")
		if !errors.Is(err, ErrProfileNotFound) || p.Name != "nope" || !strings.Contains(err.Error(), cfgPath) {
			t.Errorf("p = %+v, err = %v", p, err)
		}
	})
}

func TestLoadProfileDefaultForms(t *testing.T) {
	tests := []struct {
		name, config, region string
	}{
		{"[default]", "[default]\nregion = a\n", "a"},
		{"[profile default]", "[profile default]\nregion = b\n", "b"},
		{"[profile default] wins", "[profile default]\nregion = b\n[default]\nregion = a\n", "b"},
		{"[profile default] wins after", "[default]\nregion = a\n[profile default]\nregion = b\n", "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := SharedFiles{Getenv: env(nil), ConfigFile: "c", CredentialsFile: "k", ReadFile: memFiles(map[string]string{"c": tt.config})}.LoadProfile()
			if err != nil || p.Region != tt.region {
				t.Errorf("region = %q, %v; want %q", p.Region, err, tt.region)
			}
		})
	}
	// In the credentials file, "[profile x]" is a profile named "profile x".
	p, err := SharedFiles{Profile: "profile x", Getenv: env(nil), ConfigFile: "c", CredentialsFile: "k",
		ReadFile: memFiles(map[string]string{"k": "[profile x]\nregion = z\n"})}.LoadProfile()
	if err != nil || p.Region != "z" {
		t.Errorf("credentials file [profile x]: %+v, %v", p, err)
	}
}

func TestSharedFilesRetrieve(t *testing.T) {
	tests := []struct {
		name     string
		config   string
		creds    string
		env      map[string]string
		profile  string
		want     Credentials
		wantErr  error
		wantLine int // for *FileError
		msg      string
	}{
		{
			name: "default from credentials file", config: realisticConfig, creds: realisticCredentials,
			want: Credentials{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecret, Source: "profile:default"},
		},
		{
			name: "AWS_PROFILE", config: realisticConfig, creds: realisticCredentials, env: map[string]string{"AWS_PROFILE": "dev"},
			want: Credentials{AccessKeyID: "AKIDDEV", SecretAccessKey: testSecret, SessionToken: testToken, Source: "profile:dev"},
		},
		{
			name: "Profile field beats AWS_PROFILE", config: realisticConfig, creds: realisticCredentials,
			env: map[string]string{"AWS_PROFILE": "dev"}, profile: "default",
			want: Credentials{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecret, Source: "profile:default"},
		},
		{
			name: "credentials file keys beat config file keys", config: realisticConfig, creds: realisticCredentials, profile: "withkeys",
			want: Credentials{AccessKeyID: "AKIDCREDSFILE", SecretAccessKey: testSecret, Source: "profile:withkeys"},
		},
		{
			name: "keys in config file only", config: realisticConfig, profile: "withkeys",
			want: Credentials{AccessKeyID: "AKIDCONFIG", SecretAccessKey: testSecret, Source: "profile:withkeys"},
		},
		{
			name: "no files at all", wantErr: ErrNoCredentials, msg: "neither",
		},
		{
			name: "default profile missing", config: "[profile dev]\nregion = x\n", wantErr: ErrNoCredentials,
		},
		{
			name: "named profile missing is an error", config: realisticConfig, profile: "typo",
			wantErr: ErrProfileNotFound, msg: `profile "typo"`,
		},
		{
			name: "profile without keys", config: realisticConfig, profile: "dev", creds: "",
			wantErr: ErrNoCredentials, msg: "has no credentials",
		},
		{
			name: "missing secret names file and line", creds: "[default]\n# note\naws_access_key_id = AKID\n",
			wantErr: ErrPartialCredentials, msg: credsPath + ":3: profile \"default\" has aws_access_key_id but no aws_secret_access_key",
		},
		{
			name: "missing key id", creds: "[default]\naws_secret_access_key = " + testSecret + "\n",
			wantErr: ErrPartialCredentials, msg: "no aws_access_key_id",
		},
		{
			name: "duplicate section", creds: "[default]\naws_access_key_id = A\n[dev]\n[default]\n",
			wantLine: 4, msg: "already defined at line 1",
		},
		{
			name: "duplicate key", creds: "[default]\naws_access_key_id = A\naws_access_key_id = B\n",
			wantLine: 3, msg: "already set",
		},
		{
			name: "syntax error in config", config: "[default]\nregion = x\nthis is not ini\n", creds: realisticCredentials,
			wantLine: 3, msg: cfgPath,
		},
		{
			name: "key outside section", creds: "aws_access_key_id = " + testSecret + "\n",
			wantLine: 1, msg: "outside",
		},
		{
			name: "bad duration_seconds", config: "[default]\nregion = x\nduration_seconds = soon\n", creds: realisticCredentials,
			wantLine: 3, msg: "duration_seconds",
		},
		{
			name: "bad sts_regional_endpoints", config: "[default]\n\nsts_regional_endpoints = global\n",
			wantLine: 3, msg: "sts_regional_endpoints",
		},
		{
			name: "odd whitespace and comments", creds: "\n\n  # comment\n[ default ]   ; trailing\n\taws_access_key_id\t=\t" + testAccessKeyID +
				"   \n aws_secret_access_key:" + testSecret + "\r\n",
			want: Credentials{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecret, Source: "profile:default"},
		},
		{
			// As in the CLI, a line indented deeper than the key above it
			// continues that key's value.
			name: "deeper indentation continues the previous key", creds: "[default]\naws_access_key_id = A\n  aws_secret_access_key = " + testSecret + "\n",
			wantErr: ErrPartialCredentials, msg: "no aws_secret_access_key",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]string{}
			if tt.config != "" {
				m[cfgPath] = tt.config
			}
			if tt.creds != "" {
				m[credsPath] = tt.creds
			}
			s := SharedFiles{Profile: tt.profile, HomeDir: "/home/gopher", Getenv: env(tt.env), ReadFile: memFiles(m)}
			got, err := s.Retrieve(context.Background())
			noteErr(err)
			switch {
			case tt.wantLine > 0:
				var fe *FileError
				if !errors.As(err, &fe) || fe.Line != tt.wantLine || !strings.Contains(err.Error(), tt.msg) {
					t.Fatalf("err = %v, want a FileError at line %d containing %q", err, tt.wantLine, tt.msg)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.msg) {
					t.Fatalf("err = %v, want %v containing %q", err, tt.wantErr, tt.msg)
				}
			case err != nil:
				t.Fatal(err)
			case got != tt.want:
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestSharedFilesPaths(t *testing.T) {
	home := t.TempDir()
	s := SharedFiles{HomeDir: home, Getenv: env(nil)}
	c, k := s.Paths()
	if c != filepath.Join(home, ".aws", "config") || k != filepath.Join(home, ".aws", "credentials") {
		t.Errorf("Paths() = %q, %q", c, k)
	}
	s.Getenv = env(map[string]string{"AWS_CONFIG_FILE": "~/cfg", "AWS_SHARED_CREDENTIALS_FILE": "$XDG/creds", "XDG": "/x"})
	c, k = s.Paths()
	if c != filepath.Join(home, "cfg") || k != "/x/creds" {
		t.Errorf("Paths() with env = %q, %q", c, k)
	}
	s.ConfigFile, s.CredentialsFile = "/a", "/b"
	if c, k = s.Paths(); c != "/a" || k != "/b" {
		t.Errorf("Paths() with fields = %q, %q", c, k)
	}

	// Real files under the home directory, read with os.ReadFile.
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte(realisticCredentials), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := SharedFiles{HomeDir: home, Getenv: env(nil)}.Retrieve(context.Background())
	if err != nil || got.AccessKeyID != testAccessKeyID {
		t.Errorf("Retrieve = %v, %v", got, noteErr(err))
	}
	// An unreadable path (a directory) is an error, not "no credentials".
	_, err = SharedFiles{HomeDir: home, Getenv: env(nil), ConfigFile: home}.Retrieve(context.Background())
	if err == nil || errors.Is(noteErr(err), ErrNoCredentials) {
		t.Errorf("reading a directory: err = %v", err)
	}
}
