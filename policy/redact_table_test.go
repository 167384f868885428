package policy_test

import (
	"context"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/redacttest"
	"github.com/sigv4kit/sigv4kit/policy"
)

// The secret and the token of the redaction table: every case holds them
// or was made with them, and none may print them.
const (
	tableKeyID  = "AKIDREDACTIONTABLE"
	tableSecret = "tableSecretKey/EXAMPLEwJalrXUtnFEMI"
	tableToken  = "tableSessionTokenEXAMPLEFwoGZXIvYXdz"
)

// redactionCases returns a signed form, the upload that verifies it and the
// verifier, for credentials with a session token.
func redactionCases(t *testing.T) []redacttest.Case {
	t.Helper()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	creds := credentials.Credentials{AccessKeyID: tableKeyID, SecretAccessKey: tableSecret, SessionToken: tableToken}
	form, err := policy.New(now.Add(time.Hour)).Bucket("bucket").Key("key").Sign(creds, "us-east-1", now)
	if err != nil {
		t.Fatal(err)
	}
	if form.Fields[policy.FieldSecurityToken] != tableToken {
		t.Fatalf("the form has no token: %v", form.Fields)
	}
	v := &policy.Verifier{
		Lookup: func(context.Context, string) (credentials.Credentials, error) { return creds, nil },
		Region: "us-east-1",
		Now:    func() time.Time { return now },
	}
	up, err := v.VerifyFields(context.Background(), "bucket", form.Fields, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	why := "Fields is an exported map"
	return []redacttest.Case{
		{Name: "*Form", Value: form, Inline: true, Why: why, JSONProduct: true},
		{Name: "Form", Value: *form, Inline: true, Why: why, JSONProduct: true},
		{Name: "*Upload", Value: up, Inline: true, Why: why, JSONProduct: true},
		{Name: "Verifier", Value: v},
	}
}

// TestRedactionTable prints every case every way (every fmt verb with and
// without flags, nested, log/slog text and JSON) and fails on the secret
// or the token.
func TestRedactionTable(t *testing.T) {
	secrets := redacttest.Secrets(tableSecret, tableToken)
	for _, c := range redactionCases(t) {
		t.Run(c.Name, func(t *testing.T) { redacttest.Check(t, c, secrets) })
	}
}

// TestRedactionTableComplete fails when a type of this package that holds
// or reaches credentials (found with go/types) has no case above.
func TestRedactionTableComplete(t *testing.T) {
	redacttest.Complete(t, "github.com/sigv4kit/sigv4kit/policy", redactionCases(t))
}
