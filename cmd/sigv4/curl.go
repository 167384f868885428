package main

import (
	"bytes"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/sigv4"
)

const curlHelp = `Usage: sigv4 curl [flags] URL

Signs a request with SigV4 and sends it, like awscurl; prints the response
body (with -i, the status line and headers too).

Flags:
  -X, --request M       the method (default GET, or POST with -d)
  -H, --header 'N: v'   a header, repeatable ('Host: name' sets the host)
  -d, --data DATA       the body: a string, @file, or @- for standard input
      --data-binary D   the same as -d (the body is sent as is)
  --service S           the signing service (default: inferred from AWS
                        host names such as dynamodb.us-east-1.amazonaws.com)
  --region R            the signing region (default: inferred from the host,
                        else AWS_REGION, AWS_DEFAULT_REGION, the profile's)
  --profile P           the profile of the AWS shared files
  --unsigned-payload    sign UNSIGNED-PAYLOAD instead of hashing the body
                        (S3 only: for large files over https)
  --dry-run             print the signed request instead of sending it
  -v, --verbose         print the canonical request and the string to sign
                        (standard error) and, on SignatureDoesNotMatch, the
                        difference with the server's
  --show-token          print the session token whole in -v and --dry-run
                        output, diffs and hints (by default it is redacted
                        to its ends and length: FwoG…(812 chars)…xyz)
  -i, --include         print the response status line and headers
  -o, --output FILE     write the response body to FILE
  -f, --fail            exit with status 1 when the response is 400 or more
  --max-time D          give up after D (a duration like 30s; default 5m)

Redirects are not followed: the signature covers the host.
`

// runCurl signs a request and sends it, or prints it with --dry-run.
func runCurl(a *app, args []string) error {
	fs := flag.NewFlagSet("curl", flag.ContinueOnError)
	var (
		o                                      awsFlags
		method, data, service, output, maxTime string
		headers                                headerList
		dryRun, verbose, include, fail, unsign bool
		silent, showToken                      bool
	)
	o.register(fs, false)
	for _, n := range []string{"X", "request"} {
		fs.StringVar(&method, n, "", "")
	}
	for _, n := range []string{"H", "header"} {
		fs.Var(&headers, n, "")
	}
	for _, n := range []string{"d", "data", "data-binary", "data-raw"} {
		fs.StringVar(&data, n, "", "")
	}
	for _, n := range []string{"v", "verbose"} {
		fs.BoolVar(&verbose, n, false, "")
	}
	for _, n := range []string{"i", "include"} {
		fs.BoolVar(&include, n, false, "")
	}
	for _, n := range []string{"o", "output"} {
		fs.StringVar(&output, n, "", "")
	}
	for _, n := range []string{"f", "fail"} {
		fs.BoolVar(&fail, n, false, "")
	}
	for _, n := range []string{"s", "silent"} {
		fs.BoolVar(&silent, n, false, "") // accepted for curl habits; nothing to silence
	}
	fs.StringVar(&service, "service", "", "")
	fs.BoolVar(&dryRun, "dry-run", false, "")
	fs.BoolVar(&showToken, "show-token", false, "")
	fs.BoolVar(&unsign, "unsigned-payload", false, "")
	fs.StringVar(&maxTime, "max-time", "5m", "")
	pos, err := a.parseFlags(fs, curlHelp, args)
	if err != nil {
		return err
	}
	a.tokens.show = showToken
	if len(pos) != 1 {
		return usagef("curl takes one URL, got %d arguments", len(pos)).withHint(`run "sigv4 curl --help" for usage`)
	}
	timeout, err := time.ParseDuration(maxTime)
	if err != nil || timeout <= 0 {
		return usagef("--max-time %q is not a positive duration like 30s", maxTime)
	}
	dataSet := false
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "d", "data", "data-binary", "data-raw":
			dataSet = true
		}
	})

	req, body, err := a.buildRequest(method, pos[0], headers, data, dataSet)
	if err != nil {
		return err
	}
	if body != nil {
		defer body.Close()
	}
	a.learnRequest(req)

	profile, err := a.loadProfile(o.profile)
	if err != nil {
		return err
	}
	inferredService, inferredRegion := inferService(req.URL.Host)
	if req.Host != "" {
		inferredService, inferredRegion = inferService(req.Host)
	}
	if service == "" {
		service = inferredService
	}
	if service == "" {
		return usagef("cannot tell the service from the host %s", req.URL.Hostname()).
			withHint("pass --service (s3, execute-api, dynamodb, ...) for hosts that are not AWS endpoints")
	}
	region := o.region
	if region == "" {
		region = inferredRegion
	}
	region = a.region(region, profile)
	if region == "" {
		return failf("no region for %s", req.URL.Host).withHint("pass --region, set AWS_REGION, or set region in the profile")
	}
	creds, provider, err := a.credentials(o.profile)
	if err != nil {
		return err
	}
	a.tokens.add(creds.SessionToken)
	now := a.now() // one time for the trace and the signature
	signer, err := sigv4.New(sigv4.Config{Service: service, Region: region, Credentials: provider, Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	payload := ""
	if unsign {
		payload = sigv4.UnsignedPayload
	}
	trace, err := signer.Explain(a.ctx, req, payload)
	if err != nil {
		return err
	}
	if verbose {
		a.printBlock(a.stderr, "canonical request", trace.CanonicalRequest)
		a.printBlock(a.stderr, "string to sign", trace.StringToSign)
	}
	if err := signer.Sign(a.ctx, req, payload); err != nil {
		return err
	}
	if dryRun {
		var b strings.Builder
		err := dumpRequest(&b, req)
		a.printf(a.stdout, "%s", b.String())
		return err
	}

	client := &http.Client{
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		return failf("%s %s: %v", req.Method, req.URL.Redacted(), unwrapURLError(err))
	}
	defer resp.Body.Close()
	out := a.stdout
	if output != "" {
		f, err := os.Create(output)
		if err != nil {
			return failf("%v", err)
		}
		defer f.Close()
		out = f
	}
	if include {
		fmt.Fprintf(a.stdout, "%s %s\r\n", resp.Proto, resp.Status)
		resp.Header.Write(a.stdout)
		io.WriteString(a.stdout, "\r\n")
	}
	var respBody []byte
	if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusBadRequest {
		// Keep the (small) error body to explain it.
		respBody, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err == nil {
			_, err = out.Write(respBody)
		}
		if err == nil {
			_, err = io.Copy(out, resp.Body)
		}
	} else {
		_, err = io.Copy(out, resp.Body)
	}
	if err != nil {
		return failf("reading the response: %v", err)
	}
	if output != "" {
		if err := out.(*os.File).Close(); err != nil {
			return failf("%v", err)
		}
	}
	if respBody != nil {
		if e, ok := parseErrorBody(respBody); ok {
			a.explainResponse(trace, e, verbose)
		}
	}
	if fail && resp.StatusCode >= 400 {
		return failf("the server answered %s", resp.Status)
	}
	return nil
}

// unwrapURLError drops the method and URL that *url.Error repeats.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// buildRequest makes the request of a curl-like command line: method, URL,
// headers and body. The body is an *os.File for @file (hashed by seeking)
// or bytes.
func (a *app) buildRequest(method, rawURL string, headers []string, data string, dataSet bool) (*http.Request, io.ReadCloser, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil, usagef("invalid URL %q: %v", rawURL, unwrapURLError(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, nil, usagef("%q is not an http or https URL", rawURL)
	}
	if method == "" {
		method = "GET"
		if dataSet {
			method = "POST"
		}
	}
	req, err := http.NewRequestWithContext(a.ctx, method, u.String(), nil)
	if err != nil {
		return nil, nil, usagef("%v", err)
	}
	req.URL = u // keep the URL as given, escaping included
	req.Header.Set("User-Agent", "sigv4kit-cli/"+strings.Fields(version())[0])
	for _, h := range headers {
		name, value, err := parseHeader(h)
		if err != nil {
			return nil, nil, err
		}
		switch http.CanonicalHeaderKey(name) {
		case "Host":
			req.Host = value
		case "Content-Length":
			return nil, nil, usagef("Content-Length is set from the body; do not pass it with -H")
		default:
			req.Header.Add(name, value)
		}
	}
	var closer io.ReadCloser
	switch {
	case !dataSet:
	case data == "@-":
		b, err := io.ReadAll(a.stdin)
		if err != nil {
			return nil, nil, failf("reading standard input: %v", err)
		}
		setBytesBody(req, b)
	case strings.HasPrefix(data, "@"):
		f, err := os.Open(data[1:])
		if err != nil {
			return nil, nil, failf("%v", err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, nil, failf("%v", err)
		}
		if !st.Mode().IsRegular() {
			b, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return nil, nil, failf("%v", err)
			}
			setBytesBody(req, b)
			break
		}
		req.Body, req.ContentLength, closer = io.NopCloser(f), st.Size(), f
		name := data[1:]
		req.GetBody = func() (io.ReadCloser, error) { return os.Open(name) }
		if st.Size() == 0 {
			req.Body, req.GetBody = http.NoBody, nil
		}
	default:
		setBytesBody(req, []byte(data))
	}
	return req, closer, nil
}

// setBytesBody makes b the replayable body of req.
func setBytesBody(req *http.Request, b []byte) {
	req.ContentLength = int64(len(b))
	if len(b) == 0 {
		req.Body = http.NoBody
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

// dumpRequest prints a signed request as it goes on the wire (the body
// when it is short text, else its size).
func dumpRequest(w io.Writer, req *http.Request) error {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	fmt.Fprintf(w, "%s %s HTTP/1.1\r\n", req.Method, req.URL.RequestURI())
	fmt.Fprintf(w, "Host: %s\r\n", host)
	for _, k := range slices.Sorted(maps.Keys(req.Header)) {
		for _, v := range req.Header[k] {
			fmt.Fprintf(w, "%s: %s\r\n", k, v)
		}
	}
	if req.ContentLength > 0 {
		fmt.Fprintf(w, "Content-Length: %d\r\n", req.ContentLength)
	}
	io.WriteString(w, "\r\n")
	if req.GetBody != nil && req.ContentLength > 0 {
		if req.ContentLength > 4096 {
			fmt.Fprintf(w, "[%d bytes]\n", req.ContentLength)
			return nil
		}
		body, err := req.GetBody()
		if err != nil {
			return failf("%v", err)
		}
		defer body.Close()
		b, _ := io.ReadAll(body)
		if isText(b) {
			w.Write(b)
			if !bytes.HasSuffix(b, []byte("\n")) {
				io.WriteString(w, "\n")
			}
		} else {
			fmt.Fprintf(w, "[%d bytes]\n", len(b))
		}
	}
	return nil
}

// isText reports whether b prints as text.
func isText(b []byte) bool {
	for _, c := range b {
		if c < ' ' && c != '\n' && c != '\r' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// explainResponse prints hints for the authentication error e answered to
// a request the program signed: with verbose, the difference between the
// server's canonical request and ours.
func (a *app) explainResponse(tr *sigv4.Trace, e *s3Error, verbose bool) {
	a.tokens.learn(e.CanonicalRequest)
	if e.Code != sigv4.CodeSignatureDoesNotMatch || e.CanonicalRequest == "" {
		for _, h := range codeHints(e) {
			a.hintf("%s", h)
		}
		return
	}
	if e.CanonicalRequest == tr.CanonicalRequest && e.StringToSign == tr.StringToSign {
		a.hintf("the server's canonical request and string to sign are sigv4's: the secret access key is not the server's for %s", cmp.Or(e.AccessKeyID, "this access key"))
		return
	}
	if !verbose {
		server, ours := parseCanonical(e.CanonicalRequest), parseCanonical(tr.CanonicalRequest)
		if i := firstDiff(server.lines, ours.lines); i >= 0 {
			a.hintf("the server computed another canonical request (first difference: %s); rerun with -v to see both", server.lineName(i))
		} else {
			a.hintf("the server computed another string to sign; rerun with -v to see both")
		}
		return
	}
	a.printDiff(a.stderr, e, tr) // standard output has the response
}
