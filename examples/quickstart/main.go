// Command quickstart runs the whole SigV4 cycle with no AWS account: it
// starts an in-process, signature-verifying S3-compatible object server on
// 127.0.0.1, presigns a PUT and uploads through it, presigns a GET and
// downloads, lists the bucket with a header-signed request, then shows
// that a tampered URL and an expired URL are refused with S3's error
// codes. It prints each step.
//
//	go run ./examples/quickstart
package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/examples/objectserver/objectstore"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	steps, err := run(ctx, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart: error:", err)
		os.Exit(1)
	}
	for _, s := range steps {
		if !s.AsExpected {
			fmt.Fprintf(os.Stderr, "quickstart: error: step %q did not behave as expected\n", s.Name)
			os.Exit(1)
		}
	}
}

// Step is the outcome of one step, for the test.
type Step struct {
	Name       string
	Status     int    // HTTP status the server answered
	Code       string // S3 error code, for refusals
	AsExpected bool
}

const (
	bucket  = "quickstart"
	key     = "hello/world.txt"
	content = "Hello from sigv4kit! Signed on the client, verified on the server.\n"
	region  = "us-east-1"
)

// run performs the steps, printing them to w, and returns their outcomes.
// It returns an error only when a step cannot run at all.
func run(ctx context.Context, w io.Writer) ([]Step, error) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	// Demo keys: the server knows them, the client signs with them.
	creds := credentials.Credentials{AccessKeyID: "AKIAQUICKSTARTEXAMPLE", SecretAccessKey: "quickstart/secret/key/never/use/for/real"}

	p("sigv4kit quickstart: the SigV4 cycle against a local, signature-verifying S3 server\n\n")

	// The server (set up, not a step).
	verifier, err := sigv4.NewVerifier(sigv4.VerifierConfig{
		Service: "s3",
		Regions: []string{region},
		Secrets: sigv4.StaticSecrets(creds),
	})
	if err != nil {
		return nil, err
	}
	srv := &objectstore.Server{Backend: objectstore.NewMemory(bucket), Verifier: verifier}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	endpoint := "http://" + ln.Addr().String()
	p("Started an S3-compatible object server on %s\n", endpoint)
	p("   bucket %q in memory; it verifies every request's signature with sigv4.Verifier\n\n", bucket)

	signer, err := sigv4.New(sigv4.Config{
		Service:     "s3",
		Region:      region,
		Credentials: credentials.Static(creds.AccessKeyID, creds.SecretAccessKey, ""),
	})
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 10 * time.Second}
	objectURL := endpoint + "/" + bucket + "/" + key
	var steps []Step

	// 1. Presigned PUT.
	put, _ := http.NewRequestWithContext(ctx, "PUT", objectURL, nil)
	put.Header.Set("Content-Type", "text/plain")
	pput, err := signer.Presign(ctx, put, 15*time.Minute)
	if err != nil {
		return nil, err
	}
	p("1. Presigned a PUT of %s, valid 15 minutes, with its Content-Type signed:\n   %s\n", key, pput.URL)
	resp, _, err := send(ctx, client, pput.Method, pput.URL, pput.Header, content)
	if err != nil {
		return nil, err
	}
	steps = append(steps, Step{Name: "presigned PUT", Status: resp.StatusCode, AsExpected: resp.StatusCode == http.StatusOK})
	p("   Uploaded %d bytes with plain net/http: %s, ETag %s\n\n", len(content), resp.Status, resp.Header.Get("ETag"))

	// 2. Presigned GET.
	get, _ := http.NewRequestWithContext(ctx, "GET", objectURL, nil)
	pget, err := signer.Presign(ctx, get, 15*time.Minute)
	if err != nil {
		return nil, err
	}
	resp, body, err := send(ctx, client, pget.Method, pget.URL, pget.Header, "")
	if err != nil {
		return nil, err
	}
	steps = append(steps, Step{Name: "presigned GET", Status: resp.StatusCode, AsExpected: resp.StatusCode == http.StatusOK && body == content})
	p("2. Presigned a GET and downloaded it: %s\n   %q\n\n", resp.Status, body)

	// 3. Header-signed ListObjectsV2.
	list, _ := http.NewRequestWithContext(ctx, "GET", endpoint+"/"+bucket+"?list-type=2&prefix=hello/", nil)
	if err := signer.Sign(ctx, list, sigv4.EmptyPayloadHash); err != nil {
		return nil, err
	}
	resp, err = client.Do(list)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var res objectstore.ListBucketResult
	xml.Unmarshal(raw, &res)
	listed := len(res.Contents) == 1 && res.Contents[0].Key == key && res.Contents[0].Size == int64(len(content))
	steps = append(steps, Step{Name: "header-signed list", Status: resp.StatusCode, AsExpected: resp.StatusCode == http.StatusOK && listed})
	p("3. Listed the bucket with a header-signed request (Authorization header): %s\n", resp.Status)
	for _, c := range res.Contents {
		p("   %s  %d bytes  %s\n", c.Key, c.Size, c.ETag)
	}
	p("\n")

	// 4. Tampered URL: the signature covers the path.
	tampered := strings.Replace(pget.URL, "/"+key, "/hello/secret.txt", 1)
	resp, body, err = send(ctx, client, "GET", tampered, pget.Header, "")
	if err != nil {
		return nil, err
	}
	e := parseError(body)
	steps = append(steps, Step{Name: "tampered URL", Status: resp.StatusCode, Code: e.Code,
		AsExpected: resp.StatusCode == http.StatusForbidden && e.Code == sigv4.CodeSignatureDoesNotMatch})
	p("4. Changed the key in the GET URL to hello/secret.txt: refused, %s %s\n", resp.Status, e.Code)
	p("   The server says what it signed, for the client to compare (Signer.Explain):\n")
	for _, line := range strings.Split(e.CanonicalRequest, "\n") {
		p("   | %s\n", line)
	}
	p("\n")

	// 5. Expired URL: signed two hours ago, valid one hour.
	past, err := sigv4.New(sigv4.Config{
		Service:     "s3",
		Region:      region,
		Credentials: credentials.Static(creds.AccessKeyID, creds.SecretAccessKey, ""),
		Now:         func() time.Time { return time.Now().Add(-2 * time.Hour) },
	})
	if err != nil {
		return nil, err
	}
	pold, err := past.Presign(ctx, get, time.Hour)
	if err != nil {
		return nil, err
	}
	resp, body, err = send(ctx, client, "GET", pold.URL, pold.Header, "")
	if err != nil {
		return nil, err
	}
	e = parseError(body)
	steps = append(steps, Step{Name: "expired URL", Status: resp.StatusCode, Code: e.Code,
		AsExpected: resp.StatusCode == http.StatusForbidden && e.Code == sigv4.CodeAccessDenied && e.Message == "Request has expired"})
	p("5. Used a GET URL that expired at %s: refused, %s %s: %s\n\n", pold.Expires.Format(time.RFC3339), resp.Status, e.Code, e.Message)

	ok := 0
	for _, s := range steps {
		if s.AsExpected {
			ok++
		}
	}
	p("%d of %d steps behaved as expected. Next: sigv4.Signer in your client, sigv4.Verifier in your server.\n", ok, len(steps))
	return steps, nil
}

// send makes a request without credentials, as a browser or curl would
// with a presigned URL, and returns the response and its body.
func send(ctx context.Context, c *http.Client, method, url string, h http.Header, body string) (*http.Response, string, error) {
	var rd io.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, "", err
	}
	for k, vv := range h {
		if k != "Content-Length" {
			req.Header[k] = vv
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", err
	}
	return resp, string(b), nil
}

type s3Error struct {
	Code             string `xml:"Code"`
	Message          string `xml:"Message"`
	CanonicalRequest string `xml:"CanonicalRequest"`
}

func parseError(body string) s3Error {
	var e s3Error
	if err := xml.Unmarshal([]byte(body), &e); err != nil {
		e.Code = "(not an S3 error: " + err.Error() + ")"
	}
	return e
}
