package main

import (
	"context"
	"crypto/hmac"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

const verifyHelp = `Usage: sigv4 verify [flags] URL

Checks a presigned URL offline, as the server would: the X-Amz-*
parameters, the expiry, the credential scope and, with the credentials of
the access key that signed it (environment or --profile), the signature.
Prints what is wrong and exits with status 1, or prints what the URL
allows.

Flags:
  -X, --request M       the method the URL is meant for (default: GET; when
                        the signature is wrong, other methods are tried)
  -H, --header 'N: v'   the value of a signed header other than host
                        (repeatable), as the client will send it
  --region R            the region the URL must be signed for
  --service S           the service the URL must be signed for
  --profile P           the profile with the signing keys
  --show-token          print the URL's session token whole in errors (by
                        default it is redacted: FwoG…(812 chars)…xyz)
`

// maxSkew is the clock skew servers allow.
const maxSkew = 15 * time.Minute

// runVerify checks a presigned URL offline.
func runVerify(a *app, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	var (
		o               awsFlags
		method, service string
		headers         headerList
		showToken       bool
	)
	o.register(fs, false)
	for _, n := range []string{"X", "request"} {
		fs.StringVar(&method, n, "", "")
	}
	for _, n := range []string{"H", "header"} {
		fs.Var(&headers, n, "")
	}
	fs.StringVar(&service, "service", "", "")
	fs.BoolVar(&showToken, "show-token", false, "")
	pos, err := a.parseFlags(fs, verifyHelp, args)
	if err != nil {
		return err
	}
	a.tokens.show = showToken
	if len(pos) != 1 {
		return usagef("verify takes one URL, got %d arguments", len(pos)).withHint(`run "sigv4 verify --help" for usage`)
	}
	u, err := parseHTTPURL(pos[0])
	if err != nil {
		return err
	}
	a.tokens.learn(u.RawQuery)
	p, err := parsePresigned(u.RawQuery)
	if err != nil {
		return err
	}
	now := a.now().UTC()
	var problems []*cliError

	// Scope.
	if p.scopeDate != p.date.Format("20060102") {
		problems = append(problems, failf("the credential scope's date %s is not the date of X-Amz-Date %s", p.scopeDate, p.date.Format("20060102")).
			withHint("the URL was changed after signing, or its signer is broken: presign it again"))
	}
	if o.region != "" && o.region != p.region {
		problems = append(problems, failf("the URL is signed for region %s, not %s", p.region, o.region).withHint("presign it for the bucket's region"))
	}
	if service != "" && service != p.service {
		problems = append(problems, failf("the URL is signed for service %s, not %s", p.service, service).withHint("presign it for service %s, or check --service", service))
	}
	s, r := inferService(u.Host)
	global := s == "s3" && isS3GlobalHost(u.Hostname())
	if global {
		r = "" // the global endpoint serves every region's buckets
	}
	if s != "" && r != "" && (s != p.service || r != p.region) && o.region == "" && service == "" {
		problems = append(problems, failf("the URL is signed for %s in %s, but its host %s is %s in %s", p.service, p.region, u.Hostname(), s, r).
			withHint("presign it for %s (--region %s), or for the host of %s; --region %s checks the URL against the region you expect", r, r, p.region, p.region))
	}

	// Time.
	end := p.date.Add(p.expires)
	switch {
	case p.date.After(now.Add(maxSkew)):
		problems = append(problems, failf("the URL is not valid yet: signed at %s, %s in the future", p.date.Format(time.RFC3339), formatDuration(p.date.Sub(now))).
			withHint("the signer's clock is ahead; servers allow 15 minutes of skew"))
	case !now.Before(end):
		problems = append(problems, failf("the URL expired at %s, %s ago (signed at %s for %s)",
			end.Format(time.RFC3339), formatDuration(now.Sub(end)), p.date.Format(time.RFC3339), formatDuration(p.expires)).
			withHint("presign a new URL; the longest validity is 7 days"))
	}

	// Signature.
	sigOK := false
	c, _, credErr := a.offlineCredentials(o.profile)
	var verifiedMethod string
	switch {
	case credErr != nil:
		problems = append(problems, failf("signature not checked: %s", a.describe(credErr).msg).
			withHint("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or --profile) to the keys of %s", p.accessKey))
	case c.AccessKeyID != p.accessKey:
		problems = append(problems, failf("signature not checked: the URL is signed by access key %s, the credentials (%s) are for %s", p.accessKey, c.Source, c.AccessKeyID).
			withHint("select the credentials of %s with --profile or AWS_ACCESS_KEY_ID", p.accessKey))
	default:
		hdr := http.Header{}
		for _, h := range headers {
			name, value, _, err := parseHeader(h)
			if err != nil {
				return err
			}
			hdr.Add(name, value)
		}
		for _, name := range p.signedHeaders {
			if name != "host" && hdr.Get(name) == "" && name != "content-length" {
				return failf("the URL signs header %s: its value is needed to check the signature", name).
					withHint("pass the value the client will send: -H '%s: ...'", http.CanonicalHeaderKey(name))
			}
		}
		methods := []string{"GET", "PUT", "HEAD", "DELETE", "POST"}
		if method != "" {
			methods = []string{strings.ToUpper(method)}
		}
		var first string
		for _, m := range methods {
			got, err := presignedSignature(a.ctx, u, m, hdr, p, c)
			if err != nil {
				return err
			}
			if first == "" {
				first = got
			}
			if hmac.Equal([]byte(got), []byte(p.signature)) {
				sigOK, verifiedMethod = true, m
				break
			}
		}
		switch {
		case sigOK && method == "" && verifiedMethod != "GET":
			a.warnf("the URL is signed for %s, not GET", verifiedMethod)
		case !sigOK:
			e := failf("the signature does not match: the URL says %s, the credentials (%s) give %s for %s", short(p.signature), c.Source, short(first), methods[0])
			if method == "" {
				e.withHint("no method among %s gives the signature", strings.Join(methods, ", "))
			}
			e.withHint("the URL was changed after signing (a parameter, the path's escaping, the host), signed headers differ, or the secret access key is not the one that signed it")
			problems = append(problems, e)
		}
	}

	if len(problems) == 0 && sigOK {
		// A second opinion: the server-side verifier of package sigv4,
		// given the request as a server would receive it.
		if err := serverVerify(u, verifiedMethod, headers, p, c, now); err != nil {
			problems = append(problems, failf("a server would refuse the request: %v", err).
				withHint("presign the URL again with sigv4 presign, and compare the two"))
		}
	}
	if len(problems) > 0 {
		for _, pr := range problems {
			a.exit(pr)
		}
		return silentError{exitError}
	}
	w := a.stdout
	fmt.Fprintf(w, "valid: %s %s://%s%s\n", verifiedMethod, u.Scheme, u.Host, u.EscapedPath())
	fmt.Fprintf(w, "  signed by %s for %s in %s at %s\n", p.accessKey, p.service, p.region, p.date.Format(time.RFC3339))
	fmt.Fprintf(w, "  expires %s (in %s)\n", end.Format(time.RFC3339), formatDuration(end.Sub(now)))
	fmt.Fprintf(w, "  signed headers: %s\n", strings.Join(p.signedHeaders, ";"))
	if p.token {
		fmt.Fprintln(w, "  with a session token (temporary credentials: the URL stops working when they expire)")
	}
	if global {
		fmt.Fprintf(w, "  host %s is S3's global endpoint: it serves the URL if the bucket is in %s\n", u.Hostname(), p.region)
	}
	return nil
}

// isS3GlobalHost reports whether host is S3's global endpoint,
// s3.amazonaws.com, bare or with a bucket: it signs for the bucket's
// region, whichever that is.
func isS3GlobalHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == "s3.amazonaws.com" || strings.HasSuffix(host, ".s3.amazonaws.com")
}

// presigned holds the X-Amz-* parameters of a presigned URL.
type presigned struct {
	accessKey, scopeDate, region, service string
	date                                  time.Time
	expires                               time.Duration
	signedHeaders                         []string
	signature                             string
	token                                 bool
	tokenValue                            string
}

// parsePresigned reads the X-Amz-* parameters strictly: each once, with
// the syntax servers require.
func parsePresigned(rawQuery string) (*presigned, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		reason := strings.TrimPrefix(err.Error(), "invalid URL escape ")
		if reason != err.Error() {
			reason = "a % not followed by two hex digits: " + reason
		}
		return nil, failf("the query string is malformed: %s", reason).
			withHint("quote the URL in single quotes so the shell passes it whole; a presigned URL needs no change")
	}
	get := func(name string, required bool) (string, error) {
		vv, ok := q[name]
		if !ok {
			for k := range q {
				if strings.EqualFold(k, name) {
					return "", failf("parameter %s must be spelled %s", k, name).withHint("parameter names are case-sensitive: the URL was changed after signing")
				}
			}
			if required {
				return "", failf("the URL has no %s parameter: it is not a presigned SigV4 URL", name).
					withHint("a presigned URL carries X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature")
			}
			return "", nil
		}
		if len(vv) != 1 {
			return "", failf("parameter %s appears %d times", name, len(vv)).withHint("keep the URL as it was presigned: something appended parameters to it")
		}
		return vv[0], nil
	}
	if _, sigV4 := q["X-Amz-Algorithm"]; !sigV4 && q.Has("AWSAccessKeyId") && q.Has("Signature") {
		return nil, failf("the URL is signed with Signature Version 2 (AWSAccessKeyId, Signature, Expires), which verify does not check").
			withHint("aws s3 presign of the AWS CLI v1 makes these by default; for SigV4 URLs set s3.signature_version = s3v4 in the profile (aws configure set default.s3.signature_version s3v4), or use sigv4 presign")
	}
	var p presigned
	vals := map[string]string{}
	for _, n := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"} {
		v, err := get(n, true)
		if err != nil {
			return nil, err
		}
		vals[n] = v
	}
	tok, err := get("X-Amz-Security-Token", false)
	if err != nil {
		return nil, err
	}
	p.token, p.tokenValue = tok != "", tok
	if v := vals["X-Amz-Algorithm"]; v != sigv4.Algorithm {
		return nil, failf("X-Amz-Algorithm is %q, not %s", v, sigv4.Algorithm).withHint("verify checks SigV4 (AWS4-HMAC-SHA256) URLs only")
	}
	parts := strings.Split(vals["X-Amz-Credential"], "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || slices.Contains(parts, "") {
		return nil, failf("X-Amz-Credential %q is not ACCESS-KEY/YYYYMMDD/region/service/aws4_request", vals["X-Amz-Credential"]).
			withHint("the URL was cut or changed after signing: copy it whole, in single quotes")
	}
	p.accessKey, p.scopeDate, p.region, p.service = parts[0], parts[1], parts[2], parts[3]
	if _, err := time.Parse("20060102", p.scopeDate); err != nil {
		return nil, failf("the credential scope's date %q is not YYYYMMDD", p.scopeDate).withHint("the URL was changed after signing: presign it again")
	}
	if p.date, err = time.Parse("20060102T150405Z", vals["X-Amz-Date"]); err != nil {
		return nil, failf("X-Amz-Date %q is not YYYYMMDDTHHMMSSZ", vals["X-Amz-Date"]).withHint("the URL was changed after signing: presign it again")
	}
	n, err := strconv.ParseInt(vals["X-Amz-Expires"], 10, 64)
	if err != nil || n < 1 || n > int64(sigv4.MaxExpires/time.Second) {
		return nil, failf("X-Amz-Expires %q is not a number of seconds from 1 to 604800 (7 days)", vals["X-Amz-Expires"]).
			withHint("presign it again with an expiry of 7 days or less")
	}
	p.expires = time.Duration(n) * time.Second
	sh := vals["X-Amz-SignedHeaders"]
	p.signedHeaders = strings.Split(sh, ";")
	if !slices.Contains(p.signedHeaders, "host") {
		return nil, failf("X-Amz-SignedHeaders %q does not include host", sh).withHint("every SigV4 signature covers the host: the URL was changed, or its signer is broken")
	}
	if sh != strings.ToLower(sh) || !slices.IsSorted(p.signedHeaders) || slices.Contains(p.signedHeaders, "") {
		return nil, failf("X-Amz-SignedHeaders %q is not a sorted list of lower-case names separated by ';'", sh).
			withHint("servers refuse such a URL: presign it again with a SigV4 library")
	}
	p.signature = vals["X-Amz-Signature"]
	if len(p.signature) != 64 || strings.Trim(p.signature, "0123456789abcdef") != "" {
		return nil, failf("X-Amz-Signature %q is not 64 lower-case hex digits", p.signature).withHint("the URL was cut or changed after signing: copy it whole, in single quotes")
	}
	return &p, nil
}

// presignedSignature recomputes the signature of a presigned URL for a
// method and signed headers.
func presignedSignature(ctx context.Context, u *url.URL, method string, hdr http.Header, p *presigned, c credentials.Credentials) (string, error) {
	c.SessionToken = p.tokenValue
	c.Expires = time.Time{}
	signed := map[string]bool{}
	for _, h := range p.signedHeaders {
		signed[h] = true
	}
	s, err := sigv4.New(sigv4.Config{
		Service: p.service, Region: p.region,
		Credentials: credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) { return c, nil }),
		Now:         func() time.Time { return p.date },
		SignHeader:  func(name string, _ bool) bool { return signed[name] },
	})
	if err != nil {
		return "", err
	}
	req := &http.Request{Method: method, URL: u, Header: hdr.Clone(), Host: u.Host}
	if signed["content-length"] {
		n, err := strconv.ParseInt(hdr.Get("Content-Length"), 10, 64)
		if err != nil {
			return "", usagef("the URL signs content-length: its value is needed to check the signature").withHint("pass the length the upload will have: -H 'Content-Length: N'")
		}
		req.ContentLength = n
	}
	tr, err := s.ExplainPresign(ctx, req, p.expires)
	if err != nil {
		return "", err
	}
	return tr.Signature, nil
}

// serverVerify checks the request a client would send with the URL with
// [sigv4.Verifier], as a server would at now.
func serverVerify(u *url.URL, method string, headers []string, p *presigned, c credentials.Credentials, now time.Time) error {
	c.SessionToken, c.Expires = p.tokenValue, time.Time{}
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{
		Service: p.service,
		Regions: []string{p.region},
		Secrets: sigv4.StaticSecrets(c),
		Now:     func() time.Time { return now },
	})
	if err != nil {
		return err
	}
	req := &http.Request{Method: method, URL: u, Host: u.Host, Header: http.Header{}, Body: http.NoBody}
	for _, h := range headers {
		name, value, _, err := parseHeader(h)
		if err != nil {
			return err
		}
		if strings.EqualFold(name, "Content-Length") {
			req.ContentLength, _ = strconv.ParseInt(value, 10, 64)
			continue
		}
		req.Header.Add(name, value)
	}
	_, err = v.Verify(req)
	return err
}
