package sigv4a_test

import (
	"context"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/redacttest"
	"github.com/sigv4kit/sigv4kit/sigv4"
	"github.com/sigv4kit/sigv4kit/sigv4a"
)

const (
	tableKeyID  = "AKIDREDACTIONTABLE"
	tableSecret = "tableSecretKey/EXAMPLEwJalrXUtnFEMI"
	tableToken  = "tableSessionTokenEXAMPLEFwoGZXIvYXdz"
)

// redactionCases returns one case per type of this package that reaches a
// secret, each after a signature, so that the key caches hold the derived
// private key.
func redactionCases(t *testing.T) []redacttest.Case {
	t.Helper()
	static := credentials.Static(tableKeyID, tableSecret, tableToken)
	cfg := sigv4a.Config{Service: "s3", RegionSet: []string{"*"}, Credentials: static}
	signer, err := sigv4a.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "https://example.com/bucket/key", nil)
	if err := signer.Sign(context.Background(), req, sigv4.EmptyPayloadHash); err != nil {
		t.Fatal(err)
	}
	if _, err := signer.Presign(context.Background(), req, time.Hour); err != nil {
		t.Fatal(err)
	}
	alg := sigv4a.Algorithm()
	creds := credentials.Credentials{AccessKeyID: tableKeyID, SecretAccessKey: tableSecret, SessionToken: tableToken}
	if _, err := alg.AppendSignature(nil, creds, []byte("string to sign")); err != nil {
		t.Fatal(err)
	}
	return []redacttest.Case{
		{Name: "Signer", Value: signer},
		{Name: "Config", Value: cfg},
		{Name: "Algorithm", Value: alg},
	}
}

// TestRedactionTable prints every case every way and fails on the secret,
// the token or the derived private key.
func TestRedactionTable(t *testing.T) {
	priv, err := sigv4a.DeriveKey(tableKeyID, tableSecret)
	if err != nil {
		t.Fatal(err)
	}
	d, err := priv.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	secrets := redacttest.Secrets(tableSecret, tableToken, string(d), hex.EncodeToString(d))
	for _, c := range redactionCases(t) {
		t.Run(c.Name, func(t *testing.T) { redacttest.Check(t, c, secrets) })
	}
}

// TestRedactionTableComplete fails when a type of this package that holds
// or reaches credentials or a private key has no case above.
func TestRedactionTableComplete(t *testing.T) {
	redacttest.Complete(t, "github.com/sigv4kit/sigv4kit/sigv4a", redactionCases(t))
}
