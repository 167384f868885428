package credentials

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
)

func failing(err error) Provider {
	return ProviderFunc(func(context.Context) (Credentials, error) { return Credentials{}, err })
}

func TestChain(t *testing.T) {
	ctx := context.Background()
	none1, none2 := notFound("one: nothing"), notFound("two: nothing")
	broken := fmt.Errorf("credentials: two: broken config")

	c, err := Chain(failing(none1), Static(testAccessKeyID, testSecret, ""), failing(broken)).Retrieve(ctx)
	if err != nil || c.Source != "static" {
		t.Fatalf("Retrieve = %v, %v", c, err)
	}

	_, err = Chain(failing(none1), failing(none2)).Retrieve(ctx)
	var ce *ChainError
	if !errors.As(noteErr(err), &ce) || ce.Stopped || len(ce.Errors) != 2 || !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("all missing: err = %#v", err)
	}
	if got, want := err.Error(), "credentials: no provider found credentials: 1. one: nothing; 2. two: nothing"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}

	called := false
	later := ProviderFunc(func(context.Context) (Credentials, error) { called = true; return Credentials{}, nil })
	_, err = Chain(failing(none1), failing(broken), later).Retrieve(ctx)
	if !errors.As(noteErr(err), &ce) || !ce.Stopped || called {
		t.Fatalf("broken: err = %v, called later = %v", err, called)
	}
	if errors.Is(err, ErrNoCredentials) || !errors.Is(err, broken) {
		t.Errorf("a stopped chain must not match ErrNoCredentials, and must wrap the stopping error: %v", err)
	}
	if !strings.Contains(err.Error(), "provider 2 of the chain failed: 1. one: nothing; 2. two: broken config") {
		t.Errorf("Error() = %q", err)
	}

	// Nested chains: an inner chain that found nothing passes on.
	c, err = Chain(Chain(failing(none1)), Static(testAccessKeyID, testSecret, "")).Retrieve(ctx)
	if err != nil || c.AccessKeyID != testAccessKeyID {
		t.Errorf("nested: %v, %v", c, err)
	}
	// An empty chain finds nothing.
	if _, err := Chain().Retrieve(ctx); !errors.Is(noteErr(err), ErrNoCredentials) {
		t.Errorf("empty chain: err = %v", err)
	}
}

func TestDefault(t *testing.T) {
	ctx := context.Background()
	imdsSrv := &imdsServer{role: "r", body: imdsDocument("2026-11-28T19:00:00Z")}
	ts := httptest.NewServer(imdsSrv)
	defer ts.Close()
	files := memFiles(map[string]string{
		"/home/u/.aws/credentials": "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = " + testSecret + "\n" +
			"[other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = " + testSecret + "\n",
	})
	envKeys := map[string]string{"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": testSecret, "AWS_PROFILE": "other"}

	tests := []struct {
		name    string
		opts    DefaultOptions
		wantKey string
		wantErr []string
	}{
		{name: "env first", opts: DefaultOptions{Getenv: env(envKeys), ReadFile: files}, wantKey: "AKIDENV"},
		{name: "explicit profile skips env", opts: DefaultOptions{Profile: "default", Getenv: env(envKeys), ReadFile: files}, wantKey: "AKIDFILE"},
		{name: "AWS_PROFILE", opts: DefaultOptions{Getenv: env(map[string]string{"AWS_PROFILE": "other"}), ReadFile: files}, wantKey: "AKIDOTHER"},
		{name: "files", opts: DefaultOptions{Getenv: env(nil), ReadFile: files}, wantKey: "AKIDFILE"},
		{name: "imds last", opts: DefaultOptions{Getenv: env(map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": ts.URL}), ReadFile: memFiles(nil)}, wantKey: "ASIAIMDSEXAMPLE"},
		{
			name:    "nothing anywhere lists every source",
			opts:    DefaultOptions{Getenv: env(map[string]string{"AWS_EC2_METADATA_DISABLED": "true"}), ReadFile: memFiles(nil)},
			wantErr: []string{"no provider found credentials", "1. env:", "2. web identity:", "3. profile \"default\"", "4. container:", "5. imds: disabled"},
		},
		{
			name:    "web identity without STS support stops the chain",
			opts:    DefaultOptions{Getenv: env(map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "arn:aws:iam::1:role/r"}), ReadFile: files},
			wantErr: []string{"provider 2 of the chain failed", "stscreds.Default"},
		},
		{
			name:    "web identity without role",
			opts:    DefaultOptions{Getenv: env(map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": "/t"}), ReadFile: files},
			wantErr: []string{"AWS_ROLE_ARN is not"},
		},
		{
			name:    "half-set env stops the chain",
			opts:    DefaultOptions{Getenv: env(map[string]string{"AWS_ACCESS_KEY_ID": "AKID"}), ReadFile: files},
			wantErr: []string{"provider 1 of the chain failed", "AWS_SECRET_ACCESS_KEY is not"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.HomeDir = "/home/u"
			tt.opts.Now = fixedNow
			c, err := Default(tt.opts).Retrieve(ctx)
			noteErr(err)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("got %v, want an error", c)
				}
				for _, s := range tt.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("err = %v\nwant it to contain %q", err, s)
					}
				}
				return
			}
			if err != nil || c.AccessKeyID != tt.wantKey {
				t.Errorf("got %v, %v; want %s", c, err, tt.wantKey)
			}
		})
	}
}

func TestDefaultWebIdentityHook(t *testing.T) {
	var seen []Profile
	opts := DefaultOptions{
		Getenv: env(map[string]string{
			"AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
			"AWS_ROLE_ARN":                "arn:aws:iam::1:role/irsa",
			"AWS_ROLE_SESSION_NAME":       "pod-1",
			"AWS_ACCESS_KEY_ID":           "",
		}),
		HomeDir:  "/home/u",
		ReadFile: memFiles(map[string]string{"/home/u/.aws/config": "[default]\nregion = eu-north-1\n"}),
		Roles:    fakeRoles(&seen),
	}
	c, err := Default(opts).Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Source, "web:arn:aws:iam::1:role/irsa") || len(seen) != 1 {
		t.Fatalf("got %v, seen %v", c, seen)
	}
	if p := seen[0]; p.RoleSessionName != "pod-1" || p.Region != "eu-north-1" || p.WebIdentityTokenFile == "" {
		t.Errorf("profile given to Roles = %+v", p)
	}
}
