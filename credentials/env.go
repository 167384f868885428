package credentials

import (
	"context"
	"os"
	"time"
)

// Environment variables read by [Env].
const (
	EnvAccessKeyID          = "AWS_ACCESS_KEY_ID"
	EnvSecretAccessKey      = "AWS_SECRET_ACCESS_KEY"
	EnvSessionToken         = "AWS_SESSION_TOKEN"
	EnvSecurityToken        = "AWS_SECURITY_TOKEN" // the legacy name of AWS_SESSION_TOKEN
	EnvCredentialExpiration = "AWS_CREDENTIAL_EXPIRATION"
)

// Env is a Provider that reads the keys from the environment, like the AWS
// CLI: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, the optional session token
// (AWS_SECURITY_TOKEN, its legacy name, else AWS_SESSION_TOKEN: botocore's
// order) and the optional AWS_CREDENTIAL_EXPIRATION (RFC 3339). An empty
// variable counts as unset.
//
// As in botocore, the access key ID decides: Retrieve returns an error
// matching [ErrNoCredentials] when AWS_ACCESS_KEY_ID is not set (naming
// AWS_SECRET_ACCESS_KEY when that one is, so that a chain's error shows it),
// and one matching [ErrPartialCredentials] when AWS_ACCESS_KEY_ID is set
// without AWS_SECRET_ACCESS_KEY. The legacy names AWS_ACCESS_KEY and
// AWS_SECRET_KEY are not read.
type Env struct {
	// Getenv reads a variable; nil means os.Getenv.
	Getenv func(string) string
	// Now is the clock used to reject expired credentials; nil means time.Now.
	Now func() time.Time
}

// Retrieve reads the credentials from the environment. Their Source is "env".
func (e Env) Retrieve(ctx context.Context) (Credentials, error) {
	getenv := orGetenv(e.Getenv)
	id, secret := getenv(EnvAccessKeyID), getenv(EnvSecretAccessKey)
	switch {
	case id == "" && secret == "":
		return Credentials{}, notFound("env: %s and %s are not set", EnvAccessKeyID, EnvSecretAccessKey)
	case secret == "":
		return Credentials{}, kindf(ErrPartialCredentials, "env: %s is set but %s is not", EnvAccessKeyID, EnvSecretAccessKey)
	case id == "":
		return Credentials{}, notFound("env: %s is set but %s is not; ignored, as botocore does", EnvSecretAccessKey, EnvAccessKeyID)
	}
	c := Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: firstNonEmpty(getenv(EnvSecurityToken), getenv(EnvSessionToken)), Source: "env"}
	if s := getenv(EnvCredentialExpiration); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return Credentials{}, kindf(ErrInvalidValue, "env: %s is not an RFC 3339 time", EnvCredentialExpiration)
		}
		c.Expires = t
		if c.Expired(orNow(e.Now)()) {
			return Credentials{}, kindf(ErrExpired, "env: credentials expired at %s (%s)", t.UTC().Format(time.RFC3339), EnvCredentialExpiration)
		}
	}
	return c, nil
}

func orGetenv(f func(string) string) func(string) string {
	if f == nil {
		return os.Getenv
	}
	return f
}

func orNow(f func() time.Time) func() time.Time {
	if f == nil {
		return time.Now
	}
	return f
}
