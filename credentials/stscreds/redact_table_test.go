package stscreds_test

import (
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/credentials/stscreds"
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
// secret, each over a source that holds tableSecret and tableToken.
func redactionCases(t *testing.T) []redacttest.Case {
	t.Helper()
	source := credentials.Static(tableKeyID, tableSecret, tableToken)
	return []redacttest.Case{
		{Name: "AssumeRole", Value: stscreds.AssumeRole{Source: source, RoleARN: "arn:aws:iam::123456789012:role/r", Region: "us-east-1", Duration: time.Hour}},
		{Name: "*AssumeRole over a Cache", Value: &stscreds.AssumeRole{Source: credentials.NewCache(source, credentials.CacheOptions{}), RoleARN: "arn:aws:iam::123456789012:role/r"}},
		{Name: "WebIdentity", Value: stscreds.WebIdentity{RoleARN: "arn:aws:iam::123456789012:role/r", TokenFile: "/var/run/token"}},
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
	redacttest.Complete(t, "github.com/sigv4kit/sigv4kit/credentials/stscreds", redactionCases(t))
}
