package presign_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/redacttest"
	"github.com/sigv4kit/sigv4kit/presign"
)

// The secret and the token of the redaction table: every case holds them
// (and the signing key derived from the secret), and none may print them.
const (
	tableKeyID  = "AKIDREDACTIONTABLE"
	tableSecret = "tableSecretKey/EXAMPLEwJalrXUtnFEMI"
	tableToken  = "tableSessionTokenEXAMPLEFwoGZXIvYXdz"
)

var tableNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// tableSigningKey is the SigV4 signing key of tableSecret for the table's
// date and region and service.
func tableSigningKey(region, service string) string {
	mac := func(key []byte, s string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(s))
		return h.Sum(nil)
	}
	k := mac([]byte("AWS4"+tableSecret), tableNow.Format("20060102"))
	for _, s := range []string{region, service, "aws4_request"} {
		k = mac(k, s)
	}
	return string(k)
}

// redactionCases returns one case per type of this package that reaches a
// secret, each holding tableSecret and tableToken, after a URL was signed
// (so that the signer's key cache holds the signing key).
func redactionCases(t *testing.T) []redacttest.Case {
	t.Helper()
	cfg := presign.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewCache(credentials.Static(tableKeyID, tableSecret, tableToken), credentials.CacheOptions{}),
		Endpoint:    "http://127.0.0.1:9000",
		Now:         func() time.Time { return tableNow },
		Getenv:      func(string) string { return "" },
	}
	p, err := presign.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.GetObject(context.Background(), "bucket", "key", time.Hour); err != nil {
		t.Fatal(err)
	}
	s, err := presign.NewSTS(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.EKSToken(context.Background(), "cluster")
	if err != nil {
		t.Fatal(err)
	}
	return []redacttest.Case{
		{Name: "Config", Value: cfg},
		{Name: "Presigner", Value: p},
		{Name: "STS", Value: s},
		{Name: "*EKSToken", Value: tok, Inline: true, Why: "Token is the exported product"},
		{Name: "EKSToken", Value: *tok, Inline: true, Why: "Token is the exported product"},
	}
}

// TestRedactionTable prints every case every way (every fmt verb with and
// without flags, nested, log/slog text and JSON, encoding/json) and fails
// on the secret, the token or a signing key.
func TestRedactionTable(t *testing.T) {
	secrets := redacttest.Secrets(tableSecret, tableToken, tableSigningKey("us-east-1", "s3"), tableSigningKey("us-east-1", "sts"))
	for _, c := range redactionCases(t) {
		t.Run(c.Name, func(t *testing.T) { redacttest.Check(t, c, secrets) })
	}
}

// TestRedactionTableComplete fails when a type of this package that holds
// or reaches credentials (found with go/types) has no case above.
func TestRedactionTableComplete(t *testing.T) {
	redacttest.Complete(t, "github.com/sigv4kit/sigv4kit/presign", redactionCases(t))
}
