package credentials

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestDefaultBotocoreParity checks the behaviours of Default that
// awsconfig's botocore table found missing or different, on Default
// itself: AWS_DEFAULT_PROFILE, the legacy aws_security_token, and the
// shared files read before the environment keys are used.
func TestDefaultBotocoreParity(t *testing.T) {
	const cfgPath, credsPath = "/home/u/.aws/config", "/home/u/.aws/credentials"
	creds := "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = " + testSecret + "\n\n" +
		"[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = " + testSecret + "\n\n" +
		"[legacy]\naws_access_key_id = AKIDLEGACY\naws_secret_access_key = " + testSecret + "\naws_security_token = " + testToken + "\n"
	keys := map[string]string{EnvAccessKeyID: "AKIDENV", EnvSecretAccessKey: testSecret}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range keys {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		env     map[string]string
		config  string
		keyID   string
		token   string
		wantErr error
		msg     string
	}{
		{name: "AWS_DEFAULT_PROFILE selects", env: map[string]string{EnvDefaultProfile: "dev"}, keyID: "AKIDDEV"},
		{name: "AWS_DEFAULT_PROFILE before AWS_PROFILE", env: map[string]string{EnvDefaultProfile: "dev", EnvProfile: "legacy"}, keyID: "AKIDDEV"},
		{name: "aws_security_token", env: map[string]string{EnvProfile: "legacy"}, keyID: "AKIDLEGACY", token: testToken},
		{name: "AWS_PROFILE names a missing profile: error despite the keys", env: with(EnvProfile, "nosuch"), wantErr: ErrProfileNotFound, msg: `profile "nosuch" is in neither`},
		{name: "AWS_DEFAULT_PROFILE names a missing profile", env: with(EnvDefaultProfile, "nosuch"), wantErr: ErrProfileNotFound, msg: `profile "nosuch"`},
		{name: "syntax error in the config file: error despite the keys", env: with(), config: "[default]\nnot a setting\n", wantErr: nil, msg: cfgPath + ":2:"},
		{name: "environment keys with a missing default profile", env: with(), config: "[profile x]\n", keyID: "AKIDENV"},
		{name: "a lone AWS_SECRET_ACCESS_KEY is ignored", env: map[string]string{EnvSecretAccessKey: testSecret}, keyID: "AKIDDEFAULT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{credsPath: creds}
			if tt.config != "" {
				files[cfgPath] = tt.config
			}
			tt.env["AWS_EC2_METADATA_DISABLED"] = "true"
			c, err := Default(DefaultOptions{Getenv: env(tt.env), HomeDir: "/home/u", ReadFile: memFiles(files), Now: fixedNow}).Retrieve(context.Background())
			if tt.msg != "" {
				var fe *FileError
				if err == nil || !strings.Contains(err.Error(), tt.msg) || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) ||
					(tt.wantErr == nil && !errors.As(err, &fe)) {
					t.Fatalf("err = %v, want %v containing %q", err, tt.wantErr, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.AccessKeyID != tt.keyID || c.SessionToken != tt.token {
				t.Errorf("got %v, want key %s and token %q", c, tt.keyID, tt.token)
			}
		})
	}
}
