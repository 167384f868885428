package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

const explainHelp = `Usage: sigv4 explain [flags] URL
       sigv4 explain [flags] --request-file FILE

Reads the error an AWS service answered (S3's XML SignatureDoesNotMatch
body, or the XML or JSON error of other services, whose message quotes the
canonical request; from standard input or --error FILE) and the request
that produced it, computes
the canonical request and string to sign of that request, and prints the
difference with the server's, line by line (- server, + sigv4), with the
first differing line called out and hints for the classic causes.

The request is given like curl's, with curl's flags and meanings (-X, -H,
-d, --data-binary, -T and the URL, exactly as sent: a presigned URL with
its X-Amz-* parameters, or the Authorization and X-Amz-Date headers of a
header-signed request), or as a raw HTTP request with --request-file FILE
("GET /path HTTP/1.1", headers, blank line, body).

The signing time, region, service and access key come from the request,
else from the server's string to sign; the signed headers from the server's
canonical request. When the credentials of the environment or the profile
are for the same access key, the signatures are compared too.

Flags:
  --error FILE          the error body, or the whole answer as curl -i
                        saves it (its headers tell MinIO and radosgw
                        apart) (default: standard input)
  --request-file FILE   a raw HTTP request (scheme and host from URL, if
                        given; the scheme defaults to https)
  -X, --request M       the method (default GET; POST with -d, PUT with -T)
  -H, --header 'N: v'   a header of the request, repeatable
  -d, --data DATA       the body, as curl sends it: a string, @file (without
                        its line breaks) or @- for standard input; also
                        --data-binary (@file byte for byte), --data-raw
  -T, --upload-file F   the file the request uploaded
  --region R, --service S
                        override the signing region and service
  --profile P           the profile whose keys compare the signatures
  --show-token          print session tokens whole in the diff and hints
                        (by default they are redacted to their ends and
                        length: FwoG…(812 chars)…xyz)
`

// runExplain diffs a server's canonical request against ours.
func runExplain(a *app, args []string) error {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	var (
		o                         awsFlags
		rf                        requestFlags
		errFile, reqFile, service string
		showToken                 bool
	)
	o.register(fs, false)
	rf.register(fs)
	fs.StringVar(&errFile, "error", "-", "")
	fs.StringVar(&reqFile, "request-file", "", "")
	fs.StringVar(&rf.method, "request-method", "", "") // the old name of --request
	fs.StringVar(&service, "service", "", "")
	fs.BoolVar(&showToken, "show-token", false, "")
	pos, err := a.parseFlags(fs, explainHelp, expandShortFlags(fs, args))
	if err != nil {
		return err
	}
	a.tokens.show = showToken
	if rf.method != "" && !validMethod(rf.method) || looksLikeFile(rf.method) {
		return usagef("--request %q is not an HTTP method", rf.method).
			withHint("--request is the method, as in curl and the other commands; the raw request file is --request-file %s", rf.method)
	}
	if len(pos) > 1 {
		return usagef("explain takes one URL, got %d arguments", len(pos)).withHint(`run "sigv4 explain --help" for usage`)
	}
	if len(pos) == 0 && reqFile == "" {
		return usagef("explain needs the request: a URL (with -X and -H) or --request-file FILE").withHint(`run "sigv4 explain --help" for usage`)
	}
	if errFile == "-" && (reqFile == "-" || rf.readsStdin()) {
		return usagef("the error body and the request cannot both come from standard input").withHint("pass the error with --error FILE")
	}

	if errFile == "-" && isTerminal(a.stdin) {
		return usagef("explain reads the error body from standard input").withHint("pipe it in (pbpaste | sigv4 explain ...) or pass --error FILE")
	}
	raw, err := a.readInput(errFile, "--error")
	if err != nil {
		return err
	}
	respHeader, raw := splitHTTPResponse(raw)
	e, ok := parseErrorBody(raw)
	if !ok {
		return failf("%s is not an AWS error body (S3's <Error><Code>..., or a JSON or XML error with a message)", inputName(errFile)).
			withHint("save the body of the 403 answer: curl -s ... > error.xml, or the SDK's raw response")
	}

	var req *http.Request
	if reqFile != "" {
		base := ""
		if len(pos) == 1 {
			base = pos[0]
		}
		req, err = a.readRawRequest(reqFile, base)
	} else {
		var b *builtRequest
		b, err = a.buildRequest(&rf, pos[0])
		if b != nil {
			defer b.cleanup()
			req = b.req
		}
	}
	if err != nil {
		return err
	}
	a.tokens.learn(e.CanonicalRequest)
	a.learnRequest(req)

	a.printf(a.stdout, "server: %s: %s\n", e.Code, e.Message)
	if e.Code != sigv4.CodeSignatureDoesNotMatch || e.CanonicalRequest == "" {
		return a.explainWithoutCanonical(req, e, respHeader, raw, o.region, service, o.profile) // explainserver.go
	}
	x, err := a.explainRequest(req, e, o.region, service, o.profile)
	if err != nil {
		return err
	}
	for _, n := range x.notes {
		a.printf(a.stdout, "note: %s\n", n)
	}
	a.printDiff(a.stdout, e, x.trace)
	a.compareSignatures(e, x)
	return nil
}

// s3Error is S3's XML error body, with the fields explain uses.
type s3Error struct {
	XMLName           xml.Name `xml:"Error"`
	Code              string   `xml:"Code"`
	Message           string   `xml:"Message"`
	AccessKeyID       string   `xml:"AWSAccessKeyId"`
	StringToSign      string   `xml:"StringToSign"`
	SignatureProvided string   `xml:"SignatureProvided"`
	CanonicalRequest  string   `xml:"CanonicalRequest"`
	Region            string   `xml:"Region"`
	RequestTime       string   `xml:"RequestTime"`
	ServerTime        string   `xml:"ServerTime"`
	Expires           string   `xml:"Expires"`
}

// parseErrorBody reads an error body: S3's XML <Error>, or the form of the
// other AWS services, whose message carries the canonical request and the
// string to sign as text, in an XML <ErrorResponse> (STS, IAM, EC2) or a
// JSON object (DynamoDB, API Gateway, Lambda).
func parseErrorBody(raw []byte) (*s3Error, bool) {
	var e s3Error
	err := xml.Unmarshal(raw, &e)
	if err == nil && e.Code != "" {
		return &e, true
	}
	// XML that is not well-formed is not the other form either: the
	// decoder would stop at the same byte.
	var syntax *xml.SyntaxError
	wellFormed := !errors.As(err, &syntax)
	var msg, code string
	var xr struct {
		Error struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Error"`
	}
	var jr map[string]any
	switch {
	case wellFormed && xml.Unmarshal(raw, &xr) == nil && xr.Error.Code != "":
		code, msg = xr.Error.Code, xr.Error.Message
	case json.Unmarshal(raw, &jr) == nil:
		for _, k := range []string{"message", "Message"} {
			if v, ok := jr[k].(string); ok {
				msg = v
			}
		}
		for _, k := range []string{"__type", "code", "Code"} {
			if v, ok := jr[k].(string); ok && code == "" {
				_, code, _ = strings.Cut(v, "#")
				if code == "" {
					code = v
				}
			}
		}
	default:
		return nil, false
	}
	if msg == "" && code == "" {
		return nil, false
	}
	e = s3Error{Code: code, Message: msg}
	const crIntro, stsIntro = "The Canonical String for this request should have been\n'", "'\n\nThe String-to-Sign should have been\n'"
	if _, rest, ok := strings.Cut(msg, crIntro); ok {
		if cr, rest, ok := strings.Cut(rest, stsIntro); ok {
			e.CanonicalRequest = cr
			if i := strings.LastIndex(rest, "'"); i >= 0 {
				e.StringToSign = rest[:i]
			}
			e.Message, _, _ = strings.Cut(msg, "\n")
		}
	}
	if e.CanonicalRequest != "" {
		// InvalidSignatureException, IncompleteSignature...: the same question.
		e.Code = sigv4.CodeSignatureDoesNotMatch
	}
	if e.Code == "" {
		e.Code = "Error"
	}
	return &e, true
}

// looksLikeFile reports whether a --request value is a path rather than a
// method: explain's --request once named the raw request file.
func looksLikeFile(v string) bool {
	return strings.ContainsAny(v, "/.\\")
}

// inputName names an input file in messages.
func inputName(f string) string {
	if f == "-" {
		return "standard input"
	}
	return f
}

// readInput reads the file of a flag, or standard input for "-".
func (a *app) readInput(name, flagName string) ([]byte, error) {
	if name == "-" {
		b, err := io.ReadAll(io.LimitReader(a.stdin, 16<<20))
		if err != nil {
			return nil, failf("reading standard input: %v", err).withHint("pipe the input in, or pass %s FILE", flagName)
		}
		return b, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fileError(err, name, flagName)
	}
	return b, nil
}

// readRawRequest reads an HTTP/1.x request from a file; base supplies the
// scheme (and host, when the request has none).
func (a *app) readRawRequest(name, base string) (*http.Request, error) {
	raw, err := a.readInput(name, "--request-file")
	if err != nil {
		return nil, err
	}
	// Accept bare LF line ends and a missing final blank line.
	if !bytes.Contains(raw, []byte("\n\n")) && !bytes.Contains(raw, []byte("\r\n\r\n")) {
		raw = append(raw, "\n\n"...)
	}
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil, failf("%s is not an HTTP request: %v", inputName(name), err).
			withHint(`the first line is "METHOD /path?query HTTP/1.1", then "Name: value" headers`)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, failf("%s: the body does not read: %v", inputName(name), err).withHint("end the headers with a blank line; a chunked body must be complete")
	}
	req.RequestURI = ""
	req.URL.Scheme = "https"
	req.URL.Host = req.Host
	if base != "" {
		bu, err := url.Parse(base)
		if err != nil || bu.Scheme == "" {
			return nil, usagef("%q is not an absolute URL", base).withHint("give the scheme and host: https://host")
		}
		req.URL.Scheme = bu.Scheme
		if req.Host == "" {
			req.URL.Host, req.Host = bu.Host, bu.Host
		}
	}
	if req.URL.Host == "" {
		return nil, failf("%s has no Host header", inputName(name)).withHint("add a Host header, or pass the URL")
	}
	req.Header.Del("Content-Length")
	setBytesBody(req, body)
	return req, nil
}

// explained is our side of an explanation.
type explained struct {
	trace       *sigv4.Trace
	accessKey   string
	withSecret  bool   // trace computed with the user's secret
	source      string // the credentials' source
	presigned   bool
	notes       []string
	signatureIn string // the signature the request carries
}

// explainRequest computes our canonical request for req with what the
// request and the server's error say about time, scope and signed headers.
func (a *app) explainRequest(req *http.Request, e *s3Error, region, service, profile string) (*explained, error) {
	x := &explained{}
	q := req.URL.Query()
	x.presigned = q.Has("X-Amz-Signature") || q.Has("X-Amz-Credential")

	var date, scope, signed string
	if x.presigned {
		date, scope, signed = q.Get("X-Amz-Date"), q.Get("X-Amz-Credential"), q.Get("X-Amz-SignedHeaders")
		x.signatureIn = q.Get("X-Amz-Signature")
	} else if auth := req.Header.Get("Authorization"); auth != "" {
		var err error
		if scope, signed, x.signatureIn, err = parseAuthorization(auth); err != nil {
			x.notes = append(x.notes, "ignoring the Authorization header: "+err.Error())
		}
	}
	if !x.presigned {
		date = req.Header.Get("X-Amz-Date")
	}
	sts := strings.Split(e.StringToSign, "\n")
	if date == "" && len(sts) >= 2 {
		date = sts[1]
		x.notes = append(x.notes, "the signing time is the server's ("+date+")")
	}
	if scope == "" && len(sts) >= 3 {
		scope = sts[2]
		if e.AccessKeyID != "" {
			scope = e.AccessKeyID + "/" + scope
		}
	}
	t, err := time.Parse("20060102T150405Z", date)
	if err != nil {
		return nil, failf("no signing time: the request has no X-Amz-Date and the error no <StringToSign>").
			withHint("pass the request's X-Amz-Date with -H")
	}
	parts := strings.Split(scope, "/")
	if len(parts) == 4 { // date/region/service/aws4_request without a key
		parts = append([]string{e.AccessKeyID}, parts...)
	}
	if len(parts) == 5 {
		x.accessKey = parts[0]
		if region == "" {
			region = parts[2]
		}
		if service == "" {
			service = parts[3]
		}
	}
	if service == "" || region == "" {
		s, r := inferService(req.URL.Host)
		service, region = cmp.Or(service, s), cmp.Or(region, r)
	}
	if service == "" || region == "" {
		return nil, failf("no credential scope in the request or the error").withHint("pass --service and --region")
	}
	if x.accessKey == "" {
		x.accessKey = cmp.Or(e.AccessKeyID, "AKIDEXAMPLE")
	}

	// The signed headers: the server's list, else the request's.
	if crLines := strings.Split(e.CanonicalRequest, "\n"); len(crLines) >= 2 {
		signed = crLines[len(crLines)-2]
	}
	var signSet map[string]bool
	if signed != "" {
		signSet = map[string]bool{}
		for _, h := range strings.Split(signed, ";") {
			signSet[h] = true
		}
	}

	// The secret: the user's when the credentials are for this key.
	creds := credentials.Credentials{AccessKeyID: x.accessKey, SecretAccessKey: "not-the-secret", Source: "placeholder"}
	if c, _, err := a.offlineCredentials(profile); err == nil && c.AccessKeyID == x.accessKey {
		creds, x.withSecret, x.source = c, true, c.Source
		a.tokens.add(c.SessionToken)
	}
	creds.Expires = time.Time{} // the signing time is in the past
	if x.presigned {
		creds.SessionToken = q.Get("X-Amz-Security-Token")
	} else {
		creds.SessionToken = req.Header.Get("X-Amz-Security-Token")
	}
	cfg := sigv4.Config{
		Service: service, Region: region,
		Credentials: credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) { return creds, nil }),
		Now:         func() time.Time { return t },
	}
	if signSet != nil {
		cfg.SignHeader = func(name string, _ bool) bool { return signSet[name] }
	}
	signer, err := sigv4.New(cfg)
	if err != nil {
		return nil, err
	}
	if x.presigned {
		exp, err := strconv.Atoi(q.Get("X-Amz-Expires"))
		if err != nil {
			return nil, failf("the presigned URL's X-Amz-Expires %q is not a number", q.Get("X-Amz-Expires")).withHint("pass the URL exactly as it was sent, in single quotes")
		}
		x.trace, err = signer.ExplainPresign(a.ctx, req, time.Duration(exp)*time.Second)
		if err != nil {
			return nil, err
		}
		return x, nil
	}
	payload := req.Header.Get("X-Amz-Content-Sha256")
	if payload == "" && req.ContentLength <= 0 {
		crLines := strings.Split(e.CanonicalRequest, "\n")
		payload = crLines[len(crLines)-1]
		x.notes = append(x.notes, "the payload hash is the server's (no body and no X-Amz-Content-Sha256 given)")
	}
	x.trace, err = signer.Explain(a.ctx, req, payload)
	if err != nil {
		return nil, err
	}
	return x, nil
}

// parseAuthorization splits an AWS4-HMAC-SHA256 Authorization value.
func parseAuthorization(v string) (credential, signedHeaders, signature string, err error) {
	rest, ok := strings.CutPrefix(v, sigv4.Algorithm+" ")
	if !ok {
		return "", "", "", fmt.Errorf("not %s", sigv4.Algorithm)
	}
	for _, part := range strings.Split(rest, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			credential = val
		case "SignedHeaders":
			signedHeaders = val
		case "Signature":
			signature = val
		}
	}
	if credential == "" || signedHeaders == "" || signature == "" {
		return "", "", "", errors.New("it lacks Credential, SignedHeaders or Signature")
	}
	return credential, signedHeaders, signature, nil
}

// compareSignatures says where the difference is when the canonical
// requests and strings to sign match.
func (a *app) compareSignatures(e *s3Error, x *explained) {
	if e.CanonicalRequest != x.trace.CanonicalRequest || e.StringToSign != x.trace.StringToSign {
		return
	}
	fmt.Fprintln(a.stdout, "the canonical request and the string to sign are the server's, byte for byte")
	sent := cmp.Or(e.SignatureProvided, x.signatureIn)
	switch {
	case !x.withSecret:
		a.hintf("so the signing key differs: the secret access key of %s, or the client's signing code", x.accessKey)
		a.hintf("set the credentials of %s (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or --profile) to compare signatures", x.accessKey)
	case sent != "" && sent == x.trace.Signature:
		fmt.Fprintf(a.stdout, "signature: %s, the one your credentials (%s) give\n", x.trace.Signature, x.source)
		a.hintf("the server's secret access key for %s is not yours: the key was rotated, or the server has another account", x.accessKey)
	default:
		fmt.Fprintf(a.stdout, "signature sent:            %s\n", sent)
		fmt.Fprintf(a.stdout, "signature with your key:   %s\n", x.trace.Signature)
		a.hintf("the client signed with another secret access key than your credentials (%s) for %s, or signed other bytes than it sent", x.source, x.accessKey)
	}
}

// isTerminal reports whether r is a terminal, which explain would wait on.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
