package sigv4_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/suites"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// This file runs AWS's two published SigV4 test suites through the public
// API, from the repository's transcription of them (internal/suites,
// generated from ../shared/testdata); each case is one subtest.

// loadSuite loads one of the transcribed suites.
func loadSuite(t testing.TB, name string) *suites.Suite {
	t.Helper()
	s, err := suites.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// caseFile returns a file of a suite case.
func caseFile(t testing.TB, c *suites.Case, name string) []byte {
	t.Helper()
	b, err := c.File(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
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

// suiteContext is a case's context.json; the legacy suite's cases build
// one from the suite's fixed inputs.
type suiteContext = suites.Context

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
	return suiteSignerWith(t, c, nil)
}

// suiteSignerWith is suiteSigner with alg as Config.Algorithm (nil for
// SigV4).
func suiteSignerWith(t testing.TB, c suiteContext, alg sigv4.SignatureAlgorithm) *sigv4.Signer {
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
		Algorithm:           alg,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// suiteCase is one case of the current suite, loaded.
type suiteCase struct {
	name  string
	files *suites.Case
	ctx   suiteContext
	req   *suiteRequest
}

func loadSigningSuite(t testing.TB) []suiteCase {
	t.Helper()
	var cases []suiteCase
	for _, sc := range loadSuite(t, suites.V4).Cases {
		c, err := sc.Context()
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, suiteCase{
			name: sc.Name, files: sc, ctx: c,
			req: parseSuiteRequest(t, caseFile(t, sc, "request.txt"), false),
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
			want := func(f string) string { return string(caseFile(t, c.files, f)) }
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
				checkAddedHeaders(t, c.req, req, parseSignedRequest(t, caseFile(t, c.files, "header-signed-request.txt")))
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
				sr := parseSignedRequest(t, caseFile(t, c.files, "query-signed-request.txt"))
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

// legacyCases returns the legacy suite's cases (31) and the session token
// of its post-sts-token cases, the last line of post-sts-token/readme.txt.
func legacyCases(t testing.TB) (cases []*suites.Case, token string) {
	t.Helper()
	s := loadSuite(t, suites.Legacy)
	b, err := s.File("post-sts-token/readme.txt")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.TrimRight(string(b), "\r\n")
	return s.Cases, readme[strings.LastIndexAny(readme, "\n")+1:]
}

func TestLegacySuite(t *testing.T) {
	cases, token := legacyCases(t)
	if len(cases) != 31 {
		t.Fatalf("found %d cases in the legacy suite, want 31", len(cases))
	}
	for _, lc := range cases {
		name := path.Base(lc.Name)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			file := func(ext string) string { return string(caseFile(t, lc, name+ext)) }
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
