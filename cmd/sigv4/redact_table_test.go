package main

import (
	"testing"

	"github.com/sigv4kit/sigv4kit/internal/redacttest"
)

// The session token of the redaction table: no case may print it.
const tableToken = "tableSessionTokenEXAMPLEFwoGZXIvYXdz"

// redactionCases returns one case per type of this command that reaches a
// secret, each holding tableToken.
func redactionCases(t *testing.T) []redacttest.Case {
	t.Helper()
	p, err := parsePresigned("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261128%2Fus-east-1%2Fs3%2Faws4_request" +
		"&X-Amz-Date=20261128T120000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host" +
		"&X-Amz-Signature=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&X-Amz-Security-Token=" + tableToken)
	if err != nil {
		t.Fatal(err)
	}
	if p.tokenValue != tableToken {
		t.Fatalf("tokenValue = %q", p.tokenValue)
	}
	why := "the token is a string field of a type of package main, parsed and used in one call"
	return append([]redacttest.Case{
		{Name: "*presigned", Value: p, Inline: true, Why: why},
		{Name: "presigned", Value: *p, Inline: true, Why: why},
	}, proxyRedactionCases(t)...)
}

// TestRedactionTable prints every case every way (every fmt verb with and
// without flags, nested, log/slog text and JSON, encoding/json) and fails
// on the token.
func TestRedactionTable(t *testing.T) {
	secrets := redacttest.Secrets(tableToken)
	for _, c := range redactionCases(t) {
		t.Run(c.Name, func(t *testing.T) { redacttest.Check(t, c, secrets) })
	}
}

// TestRedactionTableComplete fails when a type of this command that holds
// or reaches credentials (found with go/types) has no case above.
func TestRedactionTableComplete(t *testing.T) {
	redacttest.Complete(t, "github.com/sigv4kit/sigv4kit/cmd/sigv4", redactionCases(t))
}
