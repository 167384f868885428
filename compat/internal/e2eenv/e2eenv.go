// Package e2eenv describes the S3 server that compat/scripts/e2e.sh
// starts for the end-to-end tests, from the variables the script sets:
// SIGV4_E2E_ENDPOINT, SIGV4_E2E_REGION, SIGV4_E2E_ACCESS_KEY,
// SIGV4_E2E_SECRET_KEY and SIGV4_E2E_BUCKET.
package e2eenv

import (
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/sigv4kit/sigv4kit/credentials"
)

// Server is the running S3 server.
type Server struct {
	Endpoint  string // http://127.0.0.1:port, path-style
	Region    string
	AccessKey string
	SecretKey string
	Bucket    string
}

// Credentials returns the server's root keys.
func (s Server) Credentials() credentials.Credentials {
	return credentials.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.SecretKey}
}

// Get returns the server. Without SIGV4_E2E_ENDPOINT the test is skipped,
// or fails when SIGV4_E2E_REQUIRE is set (as e2e.sh sets it), so that the
// end-to-end tests never pass by skipping in CI. The region defaults to
// us-east-1; the other variables are required.
func Get(t testing.TB) Server {
	t.Helper()
	s := Server{
		Endpoint:  os.Getenv("SIGV4_E2E_ENDPOINT"),
		Region:    os.Getenv("SIGV4_E2E_REGION"),
		AccessKey: os.Getenv("SIGV4_E2E_ACCESS_KEY"),
		SecretKey: os.Getenv("SIGV4_E2E_SECRET_KEY"),
		Bucket:    os.Getenv("SIGV4_E2E_BUCKET"),
	}
	if s.Endpoint == "" {
		if os.Getenv("SIGV4_E2E_REQUIRE") != "" {
			t.Fatal("SIGV4_E2E_ENDPOINT is not set, and SIGV4_E2E_REQUIRE is")
		}
		t.Skip("SIGV4_E2E_ENDPOINT is not set: run through compat/scripts/e2e.sh (make e2e)")
	}
	if s.AccessKey == "" || s.SecretKey == "" || s.Bucket == "" {
		t.Fatal("SIGV4_E2E_ACCESS_KEY, SIGV4_E2E_SECRET_KEY and SIGV4_E2E_BUCKET must be set with SIGV4_E2E_ENDPOINT")
	}
	if s.Region == "" {
		s.Region = "us-east-1"
	}
	return s
}

// Response is a response read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Code returns the S3 error code of an error response's body, or "".
func (r Response) Code() string {
	var e struct {
		Code string `xml:"Code"`
	}
	if xml.Unmarshal(r.Body, &e) != nil {
		return ""
	}
	return e.Code
}

// Do sends req with client and reads the whole response, failing the test
// when it cannot.
func Do(t testing.TB, client *http.Client, req *http.Request) Response {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{resp.StatusCode, resp.Header, b}
}
