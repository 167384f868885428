package awsconfig_test

import (
	"context"
	"testing"

	"github.com/sigv4kit/sigv4kit/awsconfig"
	"github.com/sigv4kit/sigv4kit/credentials"
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
// secret: a Config whose cache holds tableSecret and tableToken.
func redactionCases(t *testing.T) []redacttest.Case {
	t.Helper()
	env := map[string]string{
		credentials.EnvAccessKeyID: tableKeyID, credentials.EnvSecretAccessKey: tableSecret,
		credentials.EnvSessionToken: tableToken, "AWS_REGION": "eu-west-1",
	}
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Getenv: func(k string) string { return env[k] }, HomeDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.Credentials.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	return []redacttest.Case{
		{Name: "*Config, retrieved", Value: cfg},
		{Name: "Config, retrieved", Value: *cfg},
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
	redacttest.Complete(t, "github.com/sigv4kit/sigv4kit/awsconfig", redactionCases(t))
}
