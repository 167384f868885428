package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/awsconfig"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

const curlHelp = `Usage: sigv4 curl [flags] URL

Signs a request with SigV4 and sends it, like awscurl; prints the response
body. The flags of curl mean what they mean in curl, and short ones
combine (-sS, -XPUT).

Flags, as in curl:
  -X, --request M       the method (default GET; POST with -d, PUT with -T)
  -H, --header 'N: v'   a header, repeatable ('Host: name' sets the host;
                        'N:' removes a header sigv4 would send, 'N;' sends
                        it empty)
  -d, --data DATA       the body, sent as application/x-www-form-urlencoded
                        unless -H sets Content-Type: a string, @FILE (its
                        carriage returns and line feeds removed) or @- for
                        standard input; repeated, the parts are joined
                        with '&'
      --data-ascii DATA the same as -d
      --data-binary DATA
                        the same as -d, but @FILE is sent byte for byte
      --data-raw DATA   the same as -d, with no special '@'
  -T, --upload-file F   send the file F (- for standard input) with PUT,
                        streamed from disk; a URL ending in '/' gets F's name
  -o, --output FILE     write the response body to FILE (- for standard
                        output)
  -i, --include         include the status line and headers in the output
  -s, --silent          print no errors, warnings or hints
  -S, --show-error      with -s, print errors (and their hints) all the same
  -v, --verbose         print the canonical request and the string to sign,
                        the request (> lines) and the response headers
                        (< lines) on standard error; on SignatureDoesNotMatch,
                        the difference with the server's
  -f, --fail            when the response is 400 or more, print no body and
                        exit with status 1
  -k, --insecure        do not verify the server's TLS certificate
      --cacert FILE     the CA certificates (PEM) to trust; default:
                        AWS_CA_BUNDLE, then the profile's ca_bundle, then
                        the system's
  -m, --max-time S      give up after S seconds (2.5 is allowed); default:
                        no limit

Flags of sigv4:
  --service S           the signing service (default: inferred from AWS
                        host names such as dynamodb.us-east-1.amazonaws.com)
  --region R            the signing region (default: inferred from the host,
                        else AWS_REGION, AWS_DEFAULT_REGION, the profile's)
  --profile P           the profile of the AWS shared files
  --sigv4a              sign with SigV4a (AWS4-ECDSA-P256-SHA256), valid in
                        every region of --region-set; -T then sends a plain
                        body (SigV4a streams no signed chunks)
  --region-set R1,R2    the SigV4a region set (implies --sigv4a); default "*"
  --unsigned-payload    sign UNSIGNED-PAYLOAD instead of hashing the body
                        (S3 only, over https)
  --no-chunked          send -T's file to S3 as a plain body signed with
                        its SHA-256 (read twice), for servers without
                        aws-chunked uploads
  --dry-run             print the signed request instead of sending it
  --show-token          print the session token whole in -v and --dry-run
                        output, diffs and hints (by default it is redacted
                        to its ends and length: FwoG…(812 chars)…xyz)

A file given with -T or --data-binary @FILE is never held in memory. To S3
(--service s3 or an S3 host), -T sends it aws-chunked, every chunk signed
as it is read (STREAMING-AWS4-HMAC-SHA256-PAYLOAD); otherwise the file is
read once to hash it into the signature and once to send it. Standard
input is first copied to a temporary file. Redirects are not followed:
the signature covers the host.
`

// curlOptions are the flags of curl that are not about the request.
type curlOptions struct {
	aws                                    awsFlags
	req                                    requestFlags
	service, output, maxTime, cacert       string
	dryRun, verbose, include, fail, unsign bool
	noChunked                              bool
	silent, showError, insecure, showToken bool
	sig                                    sigv4aFlags
}

// flagSet returns the flags of curl, bound to o.
func (o *curlOptions) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("curl", flag.ContinueOnError)
	o.aws.register(fs, false)
	o.req.register(fs)
	o.sig.register(fs)
	for _, f := range []struct {
		names []string
		v     *bool
	}{
		{[]string{"v", "verbose"}, &o.verbose},
		{[]string{"i", "include"}, &o.include},
		{[]string{"f", "fail"}, &o.fail},
		{[]string{"s", "silent"}, &o.silent},
		{[]string{"S", "show-error"}, &o.showError},
		{[]string{"k", "insecure"}, &o.insecure},
		{[]string{"dry-run"}, &o.dryRun},
		{[]string{"show-token"}, &o.showToken},
		{[]string{"unsigned-payload"}, &o.unsign},
		{[]string{"no-chunked"}, &o.noChunked},
	} {
		for _, n := range f.names {
			fs.BoolVar(f.v, n, false, "")
		}
	}
	for _, n := range []string{"o", "output"} {
		fs.StringVar(&o.output, n, "", "")
	}
	for _, n := range []string{"m", "max-time"} {
		fs.StringVar(&o.maxTime, n, "", "")
	}
	fs.StringVar(&o.cacert, "cacert", "", "")
	fs.StringVar(&o.service, "service", "", "")
	return fs
}

// runCurl signs a request and sends it, or prints it with --dry-run.
func runCurl(a *app, args []string) error {
	var o curlOptions
	fs := o.flagSet()
	pos, err := a.parseFlags(fs, curlHelp, expandShortFlags(fs, args))
	if err != nil {
		return err
	}
	a.tokens.show = o.showToken
	a.silent, a.showError = o.silent, o.showError
	if len(pos) != 1 {
		return usagef("curl takes one URL, got %d arguments", len(pos)).withHint(`run "sigv4 curl --help" for usage`)
	}
	var timeout time.Duration
	if o.maxTime != "" {
		if timeout, err = parseSeconds(o.maxTime); err != nil {
			return usagef("--max-time %q is not a number of seconds", o.maxTime).withHint("--max-time takes seconds, as in curl: --max-time 30, or --max-time 2.5")
		}
	}
	if o.dryRun && o.output != "" {
		return usagef("--dry-run sends nothing, so -o has nothing to write").withHint("drop -o, or drop --dry-run")
	}

	b, err := a.buildRequest(&o.req, pos[0])
	if err != nil {
		return err
	}
	defer b.cleanup()
	req := b.req
	a.learnRequest(req)

	host := req.URL.Host
	if req.Host != "" {
		host = req.Host
	}
	inferredService, inferredRegion := inferService(host)
	service := cmp.Or(o.service, inferredService)
	if service == "" {
		return usagef("cannot tell the service from the host %s", req.URL.Hostname()).
			withHint("pass --service (s3, execute-api, dynamodb, ...) for hosts that are not AWS endpoints")
	}
	cfg, err := a.config(o.aws, cmp.Or(o.aws.region, inferredRegion))
	if err != nil {
		return err
	}
	if cfg.Region == "" && !o.sig.enabled() {
		return failf("no region for %s", req.URL.Host).withHint("pass --region, set AWS_REGION, or set region in the profile")
	}
	client, err := a.httpClient(o, timeout, cfg)
	if err != nil {
		return err
	}
	creds, provider, err := a.credentials(cfg)
	if err != nil {
		return err
	}
	a.tokens.add(creds.SessionToken)
	now := a.now() // one time for the trace and the signature
	signer, err := sigv4.New(sigv4.Config{Service: service, Region: cmp.Or(cfg.Region, "us-east-1"), Credentials: provider, Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	if o.sig.enabled() {
		s, err := o.sig.signer(service, provider, func() time.Time { return now })
		if err != nil {
			return err
		}
		signer = s.SigV4()
		o.noChunked = true // SigV4a streams no signed chunks
	}
	trace, err := a.sign(signer, b, service, o)
	if err != nil {
		return err
	}
	if o.verbose {
		a.printBlock(a.stderr, "canonical request", trace.CanonicalRequest)
		a.printBlock(a.stderr, "string to sign", trace.StringToSign)
	}
	if o.dryRun {
		var sb strings.Builder
		err := dumpRequest(&sb, req)
		a.printf(a.stdout, "%s", sb.String())
		return err
	}
	if o.verbose {
		var sb strings.Builder
		writeRequestHead(&sb, req)
		a.printf(a.stderr, "%s", prefixLines(sb.String(), "> "))
	}

	resp, err := client.Do(req)
	if err != nil {
		return a.sendError(req, err, o.maxTime)
	}
	defer resp.Body.Close()
	if o.verbose {
		var sb strings.Builder
		writeResponseHead(&sb, resp)
		a.printf(a.stderr, "%s", prefixLines(sb.String(), "< "))
	}
	out := a.stdout
	var file *os.File
	if o.output != "" && o.output != "-" {
		if file, err = os.Create(o.output); err != nil {
			return outputError(err, o.output)
		}
		defer file.Close()
		out = file
	}
	if o.include {
		var sb strings.Builder
		writeResponseHead(&sb, resp)
		if _, err := io.WriteString(out, sb.String()); err != nil {
			return failf("writing the response: %v", err).withHint("check the output (-o) and the disk")
		}
	}
	var respBody []byte
	if o.fail && resp.StatusCode >= 400 {
		out = io.Discard // curl -f prints no body for an error
	}
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
		return a.sendError(req, err, o.maxTime)
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return outputError(err, o.output)
		}
	}
	if respBody != nil {
		if e, ok := parseErrorBody(respBody); ok {
			a.explainResponse(trace, e, o.verbose)
		}
	}
	if o.fail && resp.StatusCode >= 400 {
		return failf("the server answered %s", resp.Status).withHint("drop -f to see the server's answer")
	}
	return nil
}

// sign signs the request and returns the trace of its signature. An upload
// to S3 with -T is sent aws-chunked (Signer.SignStreaming): every chunk is
// signed as it streams from the file, which is read once. Other bodies are
// signed with their SHA-256, computed once (or UNSIGNED-PAYLOAD).
func (a *app) sign(signer *sigv4.Signer, b *builtRequest, service string, o curlOptions) (*sigv4.Trace, error) {
	req := b.req
	if o.unsign && !isS3Family(service) {
		return nil, usagef("--unsigned-payload is for S3: %s signs the body's hash", service).withHint("drop --unsigned-payload")
	}
	if o.req.upload != "" && service == "s3" && !o.unsign && !o.noChunked && req.ContentLength > 0 {
		if err := signer.SignStreaming(a.ctx, req, sigv4.StreamOptions{Mode: sigv4.StreamSigned}); err != nil {
			return nil, err
		}
		// The seed's trace: the request as signed, with its payload line.
		return signer.Explain(a.ctx, req.Clone(a.ctx), req.Header.Get("X-Amz-Content-Sha256"))
	}
	payload := sigv4.UnsignedPayload
	if !o.unsign {
		var err error
		if payload, err = b.payloadHash(); err != nil {
			return nil, err
		}
	}
	trace, err := signer.Explain(a.ctx, req, payload)
	if err != nil {
		return nil, err
	}
	if err := signer.Sign(a.ctx, req, payload); err != nil {
		return nil, err
	}
	return trace, nil
}

// isS3Family reports whether service signs with S3's rules, where
// UNSIGNED-PAYLOAD is allowed (as package sigv4 lists them).
func isS3Family(service string) bool {
	switch service {
	case "s3", "s3-object-lambda", "s3-outposts", "s3express":
		return true
	}
	return false
}

// parseSeconds reads curl's --max-time: seconds, fractions allowed ("30",
// "2.5"), or a Go duration ("30s").
func parseSeconds(s string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f <= 0 || f > 1e9 || math.IsNaN(f) {
			return 0, errors.New("out of range")
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, errors.New("not seconds")
	}
	return d, nil
}

// httpClient returns the client of curl: no redirects, the timeout, and
// the TLS settings of -k, --cacert, AWS_CA_BUNDLE and the profile's
// ca_bundle.
func (a *app) httpClient(o curlOptions, timeout time.Duration, cfg *awsconfig.Config) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tlsConfig := &tls.Config{InsecureSkipVerify: o.insecure}
	bundle, from := o.cacert, "--cacert"
	if bundle == "" {
		bundle, from = a.getenv("AWS_CA_BUNDLE"), "AWS_CA_BUNDLE"
	}
	if bundle == "" {
		bundle, from = cfg.Profile.Settings["ca_bundle"], fmt.Sprintf("ca_bundle of profile %q", cfg.Profile.Name)
	}
	if bundle != "" && !o.insecure {
		pem, err := os.ReadFile(bundle)
		if err != nil {
			return nil, fileError(err, bundle, from)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, failf("%s: %s holds no PEM certificate", from, bundle).withHint(`the bundle is PEM text: "-----BEGIN CERTIFICATE-----" blocks`)
		}
		tlsConfig.RootCAs = pool
	}
	tr.TLSClientConfig = tlsConfig
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// sendError describes a failure to send req or read its answer, with a
// hint for what the user can do.
func (a *app) sendError(req *http.Request, err error, maxTime string) error {
	where := req.Method + " " + req.URL.Redacted()
	var (
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		certErr   *tls.CertificateVerificationError
		dnsErr    *net.DNSError
		opErr     *net.OpError
	)
	var netErr net.Error
	switch {
	case errors.As(err, &netErr) && netErr.Timeout(), errors.Is(err, context.DeadlineExceeded):
		e := failf("%s: no answer within --max-time %s", where, maxTime)
		if maxTime == "" {
			e = failf("%s: timed out", where)
		}
		return e.withHint("raise --max-time, or check that the server at %s is up", req.URL.Host)
	case errors.As(err, &unknownCA):
		return failf("%s: the server's certificate is signed by an authority that is not trusted", where).
			withHint("pass its CA certificate with --cacert FILE (or set AWS_CA_BUNDLE); -k skips the check (insecure)")
	case errors.As(err, &hostErr):
		return failf("%s: the server's certificate is not for %s", where, req.URL.Hostname()).
			withHint("use the host name the certificate names (%s); -k skips the check (insecure)", strings.Join(hostErr.Certificate.DNSNames, ", "))
	case errors.As(err, &certErr):
		return failf("%s: the server's certificate does not verify: %v", where, certErr.Err).
			withHint("pass its CA certificate with --cacert FILE (or set AWS_CA_BUNDLE); -k skips the check (insecure)")
	case errors.As(err, &dnsErr):
		return failf("%s: cannot resolve the host %s", where, dnsErr.Name).withHint("check the host name in the URL")
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return failf("%s: cannot connect to %s: %v", where, req.URL.Host, unwrapNetError(opErr.Err)).
			withHint("check the host and port, and that the server is running")
	}
	return failf("%s: %v", where, unwrapURLError(err)).withHint("check the URL and that the server is running; -v shows the exchange")
}

// unwrapNetError drops the syscall wrappers of a network error
// ("connect: connection refused" gives "connection refused").
func unwrapNetError(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// outputError describes an output file that cannot be written.
func outputError(err error, name string) error {
	var reason string
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		reason = "its directory does not exist"
	case errors.Is(err, fs.ErrPermission):
		reason = "permission denied"
	case errors.As(err, &pe):
		reason = pe.Err.Error()
	default:
		reason = err.Error()
	}
	return failf("-o: cannot write %s: %s", name, reason).withHint("check that the directory exists and is writable")
}

// prefixLines puts prefix before every line of s.
func prefixLines(s, prefix string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimRight(line, "\r"); line != "" {
			b.WriteString(prefix + line + "\n")
		}
	}
	return b.String()
}

// writeRequestHead writes the request line and headers as they are sent.
func writeRequestHead(w io.Writer, req *http.Request) {
	host := cmp.Or(req.Host, req.URL.Host)
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
}

// writeResponseHead writes the status line and headers of resp.
func writeResponseHead(w io.Writer, resp *http.Response) {
	fmt.Fprintf(w, "%s %s\r\n", resp.Proto, resp.Status)
	resp.Header.Write(w)
	io.WriteString(w, "\r\n")
}

// unwrapURLError drops the method and URL that *url.Error repeats.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// dumpRequest prints a signed request as it goes on the wire (the body
// when it is short text, else its size).
func dumpRequest(w io.Writer, req *http.Request) error {
	writeRequestHead(w, req)
	if req.GetBody != nil && req.ContentLength > 0 {
		if req.ContentLength > 4096 {
			fmt.Fprintf(w, "[%d bytes]\n", req.ContentLength)
			return nil
		}
		body, err := req.GetBody()
		if err != nil {
			return failf("reading the body again: %v", err).withHint("the file given with -d or -T changed or went away while sigv4 ran")
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
