package credentials

import (
	"context"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/internal/redacttest"
)

// The secret and the token of the redaction table: every case holds them,
// and none may print them.
const (
	tableKeyID  = "AKIDREDACTIONTABLE"
	tableSecret = "tableSecretKey/EXAMPLEwJalrXUtnFEMI"
	tableToken  = "tableSessionTokenEXAMPLEFwoGZXIvYXdz"
)

// redactionCases returns one case per type of this package that reaches a
// secret, each holding tableSecret and tableToken (retrieved once where the
// type caches them), and the providers that only find credentials.
func redactionCases(t *testing.T) []redacttest.Case {
	t.Helper()
	creds := Credentials{AccessKeyID: tableKeyID, SecretAccessKey: tableSecret, SessionToken: tableToken,
		Expires: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Source: "table"}
	env := map[string]string{EnvAccessKeyID: tableKeyID, EnvSecretAccessKey: tableSecret, EnvSessionToken: tableToken}
	getenv := func(k string) string { return env[k] }
	static := Static(tableKeyID, tableSecret, tableToken)
	retrieved := func(p Provider) Provider {
		if _, err := p.Retrieve(context.Background()); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return []redacttest.Case{
		{Name: "Credentials", Value: creds, Inline: true, Why: "its fields are the contract: strings"},
		{Name: "*Credentials", Value: &creds, Inline: true, Why: "its fields are the contract: strings"},
		{Name: "Static", Value: static},
		{Name: "Chain", Value: Chain(static, Env{Getenv: getenv})},
		{Name: "Cache, empty", Value: NewCache(static, CacheOptions{})},
		{Name: "Cache, retrieved", Value: retrieved(NewCache(static, CacheOptions{}))},
		{Name: "Default, retrieved", Value: retrieved(Default(DefaultOptions{Getenv: getenv, HomeDir: t.TempDir()}))},
		{Name: "Env", Value: Env{Getenv: getenv}},
		{Name: "Process", Value: Process{Command: "helper --secret " + tableSecret, Env: []string{EnvSecretAccessKey + "=" + tableSecret, EnvSessionToken + "=" + tableToken}},
			Inline: true, Why: "Command and Env are the caller's strings, in exported fields of a config struct"},
		{Name: "SharedFiles", Value: SharedFiles{Getenv: getenv}},
		{Name: "IMDS", Value: IMDS{Getenv: getenv}},
		{Name: "Container", Value: Container{Getenv: getenv}},
		{Name: "webIdentityEnv", Value: webIdentityEnv{files: SharedFiles{Getenv: getenv}}},
		{Name: "checkedEnv", Value: checkedEnv{Env: Env{Getenv: getenv}, files: SharedFiles{Getenv: getenv}}},
		{Name: "SSO", Value: SSO{StartURL: "https://example.awsapps.com/start", Region: "eu-west-1", AccountID: "123456789012", RoleName: "r", SessionName: "s"}},
		{Name: "ProviderFunc", Value: ProviderFunc(func(context.Context) (Credentials, error) { return creds, nil })},
	}
}

// TestRedactionTable prints every case every way (every fmt verb with and
// without flags, nested, log/slog text and JSON, encoding/json) and fails
// on the secret or the token.
func TestRedactionTable(t *testing.T) {
	secrets := redacttest.Secrets(tableSecret, tableToken)
	for _, c := range redactionCases(t) {
		t.Run(c.Name, func(t *testing.T) { redacttest.Check(t, c, secrets) })
	}
}

// TestRedactionTableComplete fails when a type of this package that holds
// or reaches credentials (found with go/types) has no case above.
func TestRedactionTableComplete(t *testing.T) {
	redacttest.Complete(t, "github.com/sigv4kit/sigv4kit/credentials", redactionCases(t))
}
