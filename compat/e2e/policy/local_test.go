package policy_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/policy"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// objectStore is a minimal S3 stand-in that accepts POST uploads through
// policy.Verifier, the way examples/objectserver does.
type objectStore struct {
	mu      sync.Mutex
	objects map[string]storedObject
	v       *policy.Verifier
}

type storedObject struct {
	data        []byte
	contentType string
}

func (s *objectStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	bucket := r.PathValue("bucket")
	u, err := s.v.VerifyRequest(r, bucket)
	var data []byte
	if err == nil {
		data, err = io.ReadAll(u.File) // a real store streams to disk
	}
	var ae *sigv4.AuthError
	if errors.As(err, &ae) {
		ae.WriteHTTP(w, r, "local")
		return
	} else if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.mu.Lock()
	s.objects[bucket+"/"+u.Key] = storedObject{data, u.ContentType()}
	s.mu.Unlock()
	u.WriteSuccess(w, "http://"+r.Host+"/"+bucket+"/"+u.Key, `"local-etag"`)
}

// TestLocalVerifier runs the cases against an in-process server built on
// policy.Verifier.
func TestLocalVerifier(t *testing.T) {
	creds := credentials.Credentials{AccessKeyID: "LOCALKEY", SecretAccessKey: "local-secret-key-0123456789"}
	store := &objectStore{objects: map[string]storedObject{}, v: &policy.Verifier{
		Lookup: func(_ context.Context, id string) (credentials.Credentials, error) {
			if id != creds.AccessKeyID {
				return credentials.Credentials{}, fmt.Errorf("unknown access key %q", id)
			}
			return creds, nil
		},
		Region: "us-east-1",
	}}
	mux := http.NewServeMux()
	mux.Handle("POST /{bucket}", store)
	mux.Handle("POST /{bucket}/", store)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	runCases(t, target{
		Endpoint: srv.URL, Bucket: "mybucket", Region: "us-east-1", Creds: creds,
		Fetch: func(_ context.Context, key string) ([]byte, string, error) {
			store.mu.Lock()
			defer store.mu.Unlock()
			o, ok := store.objects["mybucket/"+key]
			if !ok {
				return nil, "", fmt.Errorf("no object %q", key)
			}
			return o.data, o.contentType, nil
		},
	})
}
