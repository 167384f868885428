package sigv4_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/redacttest"
	"github.com/sigv4kit/sigv4kit/sigv4"
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
// date, region and service.
func tableSigningKey() string {
	mac := func(key []byte, s string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(s))
		return h.Sum(nil)
	}
	k := mac([]byte("AWS4"+tableSecret), tableNow.Format("20060102"))
	for _, s := range []string{"us-east-1", "s3", "aws4_request"} {
		k = mac(k, s)
	}
	return string(k)
}

// redactionCases returns one case per type of this package that reaches a
// secret, each holding tableSecret and tableToken, after a signature (so
// that the signer's and the verifier's key caches hold the signing key).
func redactionCases(t *testing.T) []redacttest.Case {
	t.Helper()
	creds := credentials.Credentials{AccessKeyID: tableKeyID, SecretAccessKey: tableSecret, SessionToken: tableToken, Source: "table"}
	now := func() time.Time { return tableNow }
	static := credentials.Static(tableKeyID, tableSecret, tableToken)
	cfg := sigv4.Config{Service: "s3", Region: "us-east-1", Credentials: static, Now: now}
	signer, err := sigv4.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cached := credentials.NewCache(static, credentials.CacheOptions{})
	cachedSigner, err := sigv4.New(sigv4.Config{Service: "s3", Region: "us-east-1", Credentials: cached, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	secrets := sigv4.StaticSecrets(creds)
	vcfg := sigv4.VerifierConfig{Service: "s3", Regions: []string{"us-east-1"}, Secrets: secrets, Now: now}
	verifier, err := sigv4.NewVerifier(vcfg)
	if err != nil {
		t.Fatal(err)
	}
	var verified *sigv4.Verified
	for _, s := range []*sigv4.Signer{signer, cachedSigner} {
		req, _ := http.NewRequest("GET", "http://127.0.0.1:9000/bucket/key", nil)
		if err := s.Sign(context.Background(), req, sigv4.EmptyPayloadHash); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Presign(context.Background(), req, time.Hour); err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("GET", "/bucket/key", nil)
		r.Host = "127.0.0.1:9000"
		r.Header = req.Header
		if verified, err = verifier.Verify(r); err != nil {
			t.Fatal(err)
		}
	}
	lookup := sigv4.SecretLookupFunc(func(context.Context, string) (credentials.Credentials, error) { return creds, nil })
	return []redacttest.Case{
		{Name: "Signer", Value: signer},
		{Name: "Signer over a Cache", Value: cachedSigner},
		{Name: "Config", Value: cfg},
		{Name: "Verifier", Value: verifier},
		{Name: "VerifierConfig", Value: vcfg},
		{Name: "StaticSecrets", Value: secrets},
		{Name: "SecretLookupFunc", Value: lookup},
		{Name: "Transport", Value: &sigv4.Transport{Signer: cachedSigner, Base: http.DefaultTransport}},
		{Name: "*Verified", Value: verified, Inline: true, Why: "its Credentials field is exported API"},
		{Name: "Verified", Value: *verified, Inline: true, Why: "its Credentials field is exported API"},
	}
}

// TestRedactionTable prints every case every way (every fmt verb with and
// without flags, nested, log/slog text and JSON, encoding/json) and fails
// on the secret, the token or the signing key.
func TestRedactionTable(t *testing.T) {
	secrets := redacttest.Secrets(tableSecret, tableToken, tableSigningKey())
	for _, c := range redactionCases(t) {
		t.Run(c.Name, func(t *testing.T) { redacttest.Check(t, c, secrets) })
	}
}

// TestRedactionTableComplete fails when a type of this package that holds
// or reaches credentials (found with go/types) has no case above.
func TestRedactionTableComplete(t *testing.T) {
	redacttest.Complete(t, "github.com/sigv4kit/sigv4kit/sigv4", redactionCases(t))
}
