package credentials

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    Credentials
		wantErr error
		msg     string
	}{
		{
			name: "keys",
			env:  map[string]string{"AWS_ACCESS_KEY_ID": testAccessKeyID, "AWS_SECRET_ACCESS_KEY": testSecret},
			want: Credentials{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecret, Source: "env"},
		},
		{
			name: "session token and expiration",
			env: map[string]string{"AWS_ACCESS_KEY_ID": testAccessKeyID, "AWS_SECRET_ACCESS_KEY": testSecret,
				"AWS_SESSION_TOKEN": testToken, "AWS_CREDENTIAL_EXPIRATION": "2026-11-28T14:00:00Z"},
			want: Credentials{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecret, SessionToken: testToken,
				Expires: time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC), Source: "env"},
		},
		{name: "unset", env: nil, wantErr: ErrNoCredentials, msg: "not set"},
		{name: "empty counts as unset", env: map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}, wantErr: ErrNoCredentials},
		{name: "secret missing", env: map[string]string{"AWS_ACCESS_KEY_ID": testAccessKeyID}, wantErr: ErrPartialCredentials, msg: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"},
		{name: "id missing: ignored, as botocore does", env: map[string]string{"AWS_SECRET_ACCESS_KEY": testSecret, "AWS_SESSION_TOKEN": testToken}, wantErr: ErrNoCredentials, msg: "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; ignored"},
		{
			name: "legacy AWS_SECURITY_TOKEN",
			env:  map[string]string{"AWS_ACCESS_KEY_ID": testAccessKeyID, "AWS_SECRET_ACCESS_KEY": testSecret, "AWS_SECURITY_TOKEN": testToken},
			want: Credentials{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecret, SessionToken: testToken, Source: "env"},
		},
		{
			name: "AWS_SECURITY_TOKEN before AWS_SESSION_TOKEN, as botocore reads them",
			env:  map[string]string{"AWS_ACCESS_KEY_ID": testAccessKeyID, "AWS_SECRET_ACCESS_KEY": testSecret, "AWS_SECURITY_TOKEN": testToken, "AWS_SESSION_TOKEN": "other"},
			want: Credentials{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecret, SessionToken: testToken, Source: "env"},
		},
		{
			name: "bad expiration",
			env: map[string]string{"AWS_ACCESS_KEY_ID": testAccessKeyID, "AWS_SECRET_ACCESS_KEY": testSecret,
				"AWS_CREDENTIAL_EXPIRATION": "tomorrow"},
			wantErr: ErrInvalidValue, msg: "AWS_CREDENTIAL_EXPIRATION",
		},
		{
			name: "expired",
			env: map[string]string{"AWS_ACCESS_KEY_ID": testAccessKeyID, "AWS_SECRET_ACCESS_KEY": testSecret,
				"AWS_SESSION_TOKEN": testToken, "AWS_CREDENTIAL_EXPIRATION": "2026-11-28T12:59:59Z"},
			wantErr: ErrExpired, msg: "expired at 2026-11-28T12:59:59Z",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Env{Getenv: env(tt.env), Now: fixedNow}.Retrieve(context.Background())
			noteErr(err)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "credentials: env: ") {
					t.Fatalf("err = %v, want %v containing %q", err, tt.wantErr, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}
