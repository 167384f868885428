package sigv4_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// This file runs AWS's two published SigV4 test suites through the public
// API. The suites live outside the repository (see testdataDir); each case
// is one subtest.

// testdataDir returns the directory holding AWS's test suites:
// $SIGV4_TESTDATA, or ../shared/testdata next to the module root. It skips
// the test when neither exists.
func testdataDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("SIGV4_TESTDATA"); d != "" {
		if _, err := os.Stat(d); err == nil {
			return d
		}
		t.Skipf("SIGV4_TESTDATA=%s does not exist; AWS's suites are not available", d)
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found; AWS's suites are not available")
		}
		dir = parent
	}
	d := filepath.Join(dir, "..", "shared", "testdata")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("AWS's SigV4 test suites not found: set SIGV4_TESTDATA or place them at %s", d)
	}
	return d
}

// suiteRequest is a request parsed from a suite's .req / request.txt file.
type suiteRequest struct {
	method, path, rawQuery string
	host                   string
	header                 http.Header // in file order per name
	order                  []string    // header names in file order
	body                   []byte
	contentLength          int64 // -1: no Content-Length line
}

// parseSuiteRequest parses the suites' request format: the request line
// (METHOD SP target SP HTTP/1.1, the target a raw, decoded path), headers
// "Name:value" with obs-fold continuation lines, a blank line, the body.
// With foldAsValues, a continuation line becomes a separate value of the
// header (the legacy suite's reading); otherwise it stays in the value as
// an obs-fold ("\n" + the line), which the signer must read as one space.
func parseSuiteRequest(t testing.TB, data []byte, foldAsValues bool) *suiteRequest {
	t.Helper()
	text := string(data)
	head, body, _ := strings.Cut(text, "\n\n")
	lines := strings.Split(head, "\n")
	reqLine := lines[0]
	sp := strings.IndexByte(reqLine, ' ')
	hp := strings.LastIndex(reqLine, " HTTP/")
	if sp < 0 || hp <= sp {
		t.Fatalf("bad request line %q", reqLine)
	}
	r := &suiteRequest{method: reqLine[:sp], header: http.Header{}, body: []byte(body), contentLength: -1}
	target := reqLine[sp+1 : hp]
	r.path, r.rawQuery, _ = strings.Cut(target, "?")
	var last string
	for _, line := range lines[1:] {
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			vv := r.header[last]
			if foldAsValues {
				r.header[last] = append(vv, line)
			} else {
				vv[len(vv)-1] += "\n" + line
			}
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("bad header line %q", line)
		}
		key := http.CanonicalHeaderKey(name)
		switch key {
		case "Host":
			r.host = value
		case "Content-Length":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				t.Fatalf("bad Content-Length %q", value)
			}
			r.contentLength = n
		default:
			if _, seen := r.header[key]; !seen {
				r.order = append(r.order, key)
			}
			r.header[key] = append(r.header[key], value)
		}
		last = key
	}
	return r
}

// httpRequest builds a fresh *http.Request for the parsed request.
func (r *suiteRequest) httpRequest() *http.Request {
	req := &http.Request{
		Method: r.method,
		URL:    &url.URL{Scheme: "https", Host: r.host, Path: r.path, RawQuery: r.rawQuery},
		Host:   r.host,
		Header: r.header.Clone(),
	}
	switch {
	case r.contentLength >= 0:
		req.ContentLength = r.contentLength
	case len(r.body) > 0:
		req.ContentLength = -1
	}
	if len(r.body) > 0 {
		body := r.body
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return req
}

// signedRequest is the header block of a suite's signed request file.
type signedRequest struct {
	target string
	header map[string][]string // lower-case name -> values
}

func parseSignedRequest(t testing.TB, data []byte) signedRequest {
	t.Helper()
	head, _, _ := strings.Cut(string(data), "\n\n")
	lines := strings.Split(head, "\n")
	reqLine := lines[0]
	sp := strings.IndexByte(reqLine, ' ')
	hp := strings.LastIndex(reqLine, " HTTP/")
	s := signedRequest{target: reqLine[sp+1 : hp], header: map[string][]string{}}
	for _, line := range lines[1:] {
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		name = strings.ToLower(name)
		if name == "authorization" {
			value = strings.TrimPrefix(value, " ") // the legacy suite writes "Authorization: ..."
		}
		s.header[name] = append(s.header[name], value)
	}
	return s
}

var suiteTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

const (
	suiteAccessKey = "AKIDEXAMPLE"
	suiteSecret    = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

type suiteContext struct {
	Credentials struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
		Token           string `json:"token"`
	} `json:"credentials"`
	ExpirationInSeconds int    `json:"expiration_in_seconds"`
	Normalize           bool   `json:"normalize"`
	Region              string `json:"region"`
	Service             string `json:"service"`
	SignBody            bool   `json:"sign_body"`
	OmitSessionToken    bool   `json:"omit_session_token"`
	Timestamp           string `json:"timestamp"`
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func toggle(on bool) sigv4.Toggle {
	if on {
		return sigv4.On
	}
	return sigv4.Off
}

// suiteSigner maps a context.json to a signer: the suite's paths are
// decoded paths encoded once (DoubleEscape Off), normalize maps to
// NormalizePath, sign_body to ContentSHA256Header, omit_session_token to
// SignSessionToken Off.
func suiteSigner(t testing.TB, c suiteContext) *sigv4.Signer {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, c.Timestamp)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sigv4.New(sigv4.Config{
		Service:             c.Service,
		Region:              c.Region,
		Credentials:         credentials.Static(c.Credentials.AccessKeyID, c.Credentials.SecretAccessKey, c.Credentials.Token),
		Now:                 func() time.Time { return ts },
		DoubleEscape:        sigv4.Off,
		NormalizePath:       toggle(c.Normalize),
		ContentSHA256Header: toggle(c.SignBody),
		SignSessionToken:    toggle(!c.OmitSessionToken),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// SuiteCase is one case of the current suite, loaded.
type suiteCase struct {
	name string
	dir  string
	ctx  suiteContext
	req  *suiteRequest
}

func loadSigningSuite(t testing.TB) []suiteCase {
	t.Helper()
	root := filepath.Join(testdataDir(t), "aws-signing-test-suite", "v4")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var cases []suiteCase
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		var c suiteContext
		if err := json.Unmarshal(readFile(t, filepath.Join(dir, "context.json")), &c); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		cases = append(cases, suiteCase{
			name: e.Name(), dir: dir, ctx: c,
			req: parseSuiteRequest(t, readFile(t, filepath.Join(dir, "request.txt")), false),
		})
	}
	return cases
}

func TestSigningSuite(t *testing.T) {
	cases := loadSigningSuite(t)
	if len(cases) != 38 {
		t.Fatalf("found %d cases in the v4 suite, want 38", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			want := func(f string) string { return string(readFile(t, filepath.Join(c.dir, f))) }
			s := suiteSigner(t, c.ctx)
			ctx := context.Background()

			t.Run("header", func(t *testing.T) {
				tr, err := s.Explain(ctx, c.req.httpRequest(), "")
				if err != nil {
					t.Fatal(err)
				}
				diff(t, "canonical request", tr.CanonicalRequest, want("header-canonical-request.txt"))
				diff(t, "string to sign", tr.StringToSign, want("header-string-to-sign.txt"))
				diff(t, "signature", tr.Signature, want("header-signature.txt"))

				req := c.req.httpRequest()
				if err := s.Sign(ctx, req, ""); err != nil {
					t.Fatal(err)
				}
				checkAddedHeaders(t, c.req, req, parseSignedRequest(t, readFile(t, filepath.Join(c.dir, "header-signed-request.txt"))))
			})

			t.Run("query", func(t *testing.T) {
				expires := time.Duration(c.ctx.ExpirationInSeconds) * time.Second
				tr, err := s.ExplainPresign(ctx, c.req.httpRequest(), expires)
				if err != nil {
					t.Fatal(err)
				}
				diff(t, "canonical request", tr.CanonicalRequest, want("query-canonical-request.txt"))
				diff(t, "string to sign", tr.StringToSign, want("query-string-to-sign.txt"))
				diff(t, "signature", tr.Signature, want("query-signature.txt"))

				p, err := s.Presign(ctx, c.req.httpRequest(), expires)
				if err != nil {
					t.Fatal(err)
				}
				if !p.Expires.Equal(suiteTime.Add(expires)) {
					t.Errorf("Expires = %v, want %v", p.Expires, suiteTime.Add(expires))
				}
				sr := parseSignedRequest(t, readFile(t, filepath.Join(c.dir, "query-signed-request.txt")))
				_, wantQuery, _ := strings.Cut(sr.target, "?")
				got, err := url.Parse(p.URL)
				if err != nil {
					t.Fatal(err)
				}
				// The presign parameters follow the request's own, in the
				// suite's emission order.
				diff(t, "added query", addedParams(got.RawQuery, c.req.rawQuery), addedParams(wantQuery, c.req.rawQuery))
				if got.Host != c.req.host {
					t.Errorf("URL host %q, want %q", got.Host, c.req.host)
				}
				// The client must send every signed header but host.
				for _, k := range c.req.order {
					if !slices.Equal(p.Header[k], c.req.header[k]) {
						t.Errorf("Presigned.Header[%q] = %q, want %q", k, p.Header[k], c.req.header[k])
					}
				}
			})
		})
	}
}

// addedParams returns the part of rawQuery after the request's own query.
func addedParams(rawQuery, own string) string {
	if own != "" {
		rawQuery = strings.TrimPrefix(rawQuery, own+"&")
	}
	return rawQuery
}

// checkAddedHeaders compares the headers Sign added to req with those the
// suite's signed request has beyond the unsigned one.
func checkAddedHeaders(t *testing.T, orig *suiteRequest, req *http.Request, want signedRequest) {
	t.Helper()
	for name, vv := range want.header {
		key := http.CanonicalHeaderKey(name)
		if _, ok := orig.header[key]; ok || key == "Host" || key == "Content-Length" {
			continue
		}
		if !slices.Equal(req.Header[key], vv) {
			t.Errorf("added header %s = %q, want %q", key, req.Header[key], vv)
		}
	}
	for key := range req.Header {
		if _, ok := orig.header[key]; ok {
			continue
		}
		if _, ok := want.header[strings.ToLower(key)]; !ok {
			t.Errorf("Sign added %s, which the suite does not", key)
		}
	}
}

func diff(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n got: %q\nwant: %q", what, got, want)
	}
}

// legacyCases lists the legacy suite's case directories (31).
func legacyCases(t testing.TB) []string {
	t.Helper()
	root := filepath.Join(testdataDir(t), "aws-sig-v4-test-suite")
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".req") {
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

func TestLegacySuite(t *testing.T) {
	dirs := legacyCases(t)
	if len(dirs) != 31 {
		t.Fatalf("found %d cases in the legacy suite, want 31", len(dirs))
	}
	root := filepath.Join(testdataDir(t), "aws-sig-v4-test-suite")
	readme := strings.TrimRight(string(readFile(t, filepath.Join(root, "post-sts-token", "readme.txt"))), "\r\n")
	token := readme[strings.LastIndexAny(readme, "\n")+1:]
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			file := func(ext string) string { return string(readFile(t, filepath.Join(dir, name+ext))) }
			c := suiteContext{Region: "us-east-1", Service: "service", Timestamp: "2015-08-30T12:36:00Z", Normalize: true}
			c.Credentials.AccessKeyID, c.Credentials.SecretAccessKey = suiteAccessKey, suiteSecret
			if strings.HasPrefix(name, "post-sts-") {
				c.Credentials.Token = token
				c.OmitSessionToken = name == "post-sts-header-after"
			}
			s := suiteSigner(t, c)
			r := parseSuiteRequest(t, []byte(file(".req")), true)
			tr, err := s.Explain(context.Background(), r.httpRequest(), "")
			if err != nil {
				t.Fatal(err)
			}
			diff(t, "canonical request", tr.CanonicalRequest, file(".creq"))
			diff(t, "string to sign", tr.StringToSign, file(".sts"))

			req := r.httpRequest()
			if err := s.Sign(context.Background(), req, ""); err != nil {
				t.Fatal(err)
			}
			diff(t, "authorization", req.Header.Get("Authorization"), file(".authz"))
			checkAddedHeaders(t, r, req, parseSignedRequest(t, []byte(file(".sreq"))))
		})
	}
}
