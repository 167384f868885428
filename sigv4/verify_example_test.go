package sigv4_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// The server's keys and clock, fixed for the examples. A real server
// leaves Now nil (time.Now) and looks keys up in its user store.
var (
	exampleNow     = func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) }
	exampleSecrets = sigv4.StaticSecrets(credentials.Credentials{
		AccessKeyID:     "AKIDEXAMPLE",
		SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	})
)

func ExampleVerifier_Verify() {
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{
		Service: "s3",
		Regions: []string{"us-east-1"},
		Secrets: exampleSecrets,
		Now:     exampleNow,
	})
	if err != nil {
		panic(err)
	}

	// A client signs a GET.
	signer, _ := sigv4.New(sigv4.Config{
		Service:     "s3",
		Region:      "us-east-1",
		Credentials: credentials.Static("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
		Now:         exampleNow,
	})
	client, _ := http.NewRequest("GET", "http://127.0.0.1:9000/photos/cat.jpg", nil)
	signer.Sign(context.Background(), client, sigv4.EmptyPayloadHash)

	// The server receives it.
	r := httptest.NewRequest("GET", "/photos/cat.jpg", nil)
	r.Host = "127.0.0.1:9000"
	r.Header = client.Header
	who, err := v.Verify(r)
	fmt.Println(who.AccessKeyID, who.Region, who.SignedHeaders, err)

	// The same headers on another path.
	r = httptest.NewRequest("GET", "/photos/dog.jpg", nil)
	r.Host = "127.0.0.1:9000"
	r.Header = client.Header
	_, err = v.Verify(r)
	var ae *sigv4.AuthError
	if errors.As(err, &ae) {
		fmt.Println(ae.StatusCode, ae.Code)
	}
	// Output:
	// AKIDEXAMPLE us-east-1 host;x-amz-content-sha256;x-amz-date <nil>
	// 403 SignatureDoesNotMatch
}

func ExampleVerifier_Middleware() {
	v, _ := sigv4.NewVerifier(sigv4.VerifierConfig{
		Service: "s3",
		Regions: []string{"us-east-1"},
		Secrets: exampleSecrets,
		Now:     exampleNow,
	})
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, _ := sigv4.VerifiedFromContext(r.Context())
		// Read the body to the end: a body that does not match its signed
		// hash fails the last read.
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			sigv4.WriteError(w, r, err)
			return
		}
		fmt.Fprintf(w, "hello, %s", who.AccessKeyID)
	}))

	// A presigned URL, as a browser uses it.
	signer, _ := sigv4.New(sigv4.Config{
		Service:     "s3",
		Region:      "us-east-1",
		Credentials: credentials.Static("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
		Now:         exampleNow,
	})
	req, _ := http.NewRequest("GET", "http://example.com/bucket/key", nil)
	p, _ := signer.Presign(context.Background(), req, time.Hour)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", p.URL, nil))
	fmt.Println(rec.Code, rec.Body)

	// Without a signature, S3's answer.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://example.com/bucket/key", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	// Output:
	// 200 hello, AKIDEXAMPLE
	// 403 application/xml
}
