package policy_test

import (
	"context"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/examples/objectserver/objectstore"
	"github.com/sigv4kit/sigv4kit/policy"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// TestObjectServer runs the same forms against examples/objectserver, whose
// POST uploads go through policy.Verifier: the outcomes must be those of
// versitygw and of the local verifier.
func TestObjectServer(t *testing.T) {
	creds := credentials.Credentials{AccessKeyID: "OBJSERVERKEY", SecretAccessKey: "objectserver-secret-0123456789"}
	secrets := sigv4.StaticSecrets(creds)
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "s3", Regions: []string{"us-east-1"}, Secrets: secrets})
	if err != nil {
		t.Fatal(err)
	}
	backend := objectstore.NewMemory("mybucket")
	srv := httptest.NewServer((&objectstore.Server{
		Backend:    backend,
		Verifier:   v,
		PostPolicy: &policy.Verifier{Lookup: secrets.LookupSecret, Region: "us-east-1"},
	}).Handler())
	defer srv.Close()
	runCases(t, target{
		Endpoint: srv.URL, Bucket: "mybucket", Region: "us-east-1", Creds: creds,
		Fetch: func(_ context.Context, key string) ([]byte, string, error) {
			c, o, err := backend.Get("mybucket", key)
			if err != nil {
				return nil, "", err
			}
			defer c.Close()
			data, err := io.ReadAll(c)
			return data, o.ContentType, err
		},
	})
}
