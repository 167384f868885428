package policydiff_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/sigv4kit/sigv4kit/compat/policydiff"
	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/policy"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// TestVerifier compares the two libraries' forms on an in-process server
// built on policy.Verifier.
func TestVerifier(t *testing.T) {
	creds := credentials.Credentials{AccessKeyID: "DIFFKEY", SecretAccessKey: "diff-secret-0123456789"}
	v := &policy.Verifier{
		Lookup: func(_ context.Context, id string) (credentials.Credentials, error) {
			if id != creds.AccessKeyID {
				return credentials.Credentials{}, fmt.Errorf("unknown access key %q", id)
			}
			return creds, nil
		},
		Region: "us-east-1",
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := v.VerifyRequest(r, r.PathValue("bucket"))
		if err == nil {
			_, err = io.Copy(io.Discard, u.File)
		}
		var ae *sigv4.AuthError
		if errors.As(err, &ae) {
			ae.WriteHTTP(w, r, "")
			return
		} else if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		u.WriteSuccess(w, "", `"etag"`)
	})
	mux := http.NewServeMux()
	mux.Handle("POST /{bucket}", h)
	mux.Handle("POST /{bucket}/", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	policydiff.Check(t, policydiff.Server{Endpoint: srv.URL, Bucket: "mybucket", Region: "us-east-1", Creds: creds})
}

// TestVersitygw compares them on versitygw when SIGV4_E2E_ENDPOINT is set
// (compat/e2e/policy runs the same check under compat/scripts/e2e.sh).
func TestVersitygw(t *testing.T) {
	ep := os.Getenv("SIGV4_E2E_ENDPOINT")
	if ep == "" {
		t.Skip("SIGV4_E2E_ENDPOINT is not set; compat/scripts/e2e.sh runs this check in compat/e2e/policy")
	}
	policydiff.Check(t, policydiff.Server{Endpoint: ep, Bucket: os.Getenv("SIGV4_E2E_BUCKET"), Region: os.Getenv("SIGV4_E2E_REGION"),
		Creds: credentials.Credentials{AccessKeyID: os.Getenv("SIGV4_E2E_ACCESS_KEY"), SecretAccessKey: os.Getenv("SIGV4_E2E_SECRET_KEY")}})
}

// TestInjection shows the difference that matters: a key with a quote.
// minio-go builds its JSON with Sprintf, so the key escapes its string;
// sigv4kit's document keeps it one value.
func TestInjection(t *testing.T) {
	evil := `x","$acl","public-read`
	exp := time.Now().Add(time.Hour)
	doc, err := policy.New(exp).Bucket("b").Key(evil).JSON()
	if err != nil {
		t.Fatal(err)
	}
	var d struct{ Conditions []map[string]string }
	if err := json.Unmarshal(doc, &d); err != nil || len(d.Conditions) != 2 || d.Conditions[1]["key"] != evil {
		t.Errorf("sigv4kit: %s (%v)", doc, err)
	}
	mp := minio.NewPostPolicy()
	mp.SetExpires(exp)
	mp.SetBucket("b")
	mp.SetKey(evil)
	t.Logf("minio-go's document for the same key: %s", mp.String())
	var arr struct{ Conditions [][]string }
	if err := json.Unmarshal([]byte(mp.String()), &arr); err == nil && len(arr.Conditions) == 2 && arr.Conditions[1][2] == evil {
		t.Log("minio-go now escapes keys too")
	}
}
