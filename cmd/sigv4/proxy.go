package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sigv4kit/sigv4kit/awsconfig"
	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/redact"
	"github.com/sigv4kit/sigv4kit/sigv4"
	"github.com/sigv4kit/sigv4kit/sigv4a"
)

const proxyHelp = `Usage: sigv4 proxy --upstream URL [flags]

Listens on --listen and forwards every request it receives to --upstream,
signed with SigV4 with the credentials that the other commands use (the
environment, the shared files, SSO, roles, the container and instance
metadata endpoints; refreshed before they expire). Tools that cannot sign
(curl, a browser, Grafana, OpenSearch Dashboards, Prometheus) reach AWS
through it:

  sigv4 proxy --upstream https://search-logs-abc.us-east-1.es.amazonaws.com
  curl http://127.0.0.1:8080/_cat/indices

With --resign, every request must arrive signed with one of the
placeholder keys of --accept-key: the proxy verifies it (an unknown key, a
wrong signature, a tampered body or chunk gets S3's 403 and nothing is
forwarded) and signs it again with the real credentials. A sandbox or an
agent runs its SDK with the placeholder keys and never holds the real ones:

  sigv4 proxy --resign --accept-key AKIDPLACEHOLDER:placeholder-secret \
      --upstream https://s3.us-east-1.amazonaws.com
  AWS_ACCESS_KEY_ID=AKIDPLACEHOLDER AWS_SECRET_ACCESS_KEY=placeholder-secret \
      aws --endpoint-url http://127.0.0.1:8080 s3 ls

Flags:
  --upstream URL        where every request goes: http(s)://host[:port][/path]
                        (required); the client's Host header never changes it
  --listen ADDR         the address to listen on (default 127.0.0.1:8080;
                        port 0 picks a free port, printed at start)
  --allow-remote        allow a --listen address that is not loopback; without
                        --resign, whoever reaches it acts with your credentials
  --service S           the signing service (default: inferred from the
                        upstream host, as s3, es or execute-api); with
                        --resign, the services clients may sign for
                        (repeatable or comma-separated; default: any)
  --region R            the signing region (default: inferred from the upstream
                        host, else AWS_REGION, AWS_DEFAULT_REGION, the
                        profile's); with --resign, the regions clients may sign
                        for (repeatable or comma-separated; default: any)
  --profile P           the profile of the AWS shared files
  --sigv4a              sign with SigV4a (AWS4-ECDSA-P256-SHA256), valid in
                        every region of --region-set (no --region needed); a
                        read-once body to S3 over http is then spooled to a
                        temporary file and its SHA-256 signed (SigV4a signs
                        no aws-chunked chunks)
  --region-set R1,R2    the SigV4a region set (implies --sigv4a); default "*"
  --resign              verify each request against the --accept-key keys and
                        sign it again with the real credentials, for the
                        service and region of its own credential scope
  --accept-key ID:SECRET
                        a placeholder key the clients sign with (repeatable)
  --tls                 serve HTTPS, with a self-signed certificate made at
                        start for 127.0.0.1, ::1, localhost and the --listen host
  --tls-cert-out FILE   write that certificate (PEM) to FILE, for the clients
                        to trust (curl --cacert, aws --ca-bundle, AWS_CA_BUNDLE)
  -v, --verbose         log each request on standard error: method, path,
                        status, time, bytes received, and with --resign the
                        payload line it signed (never a key, a signature, a
                        token or the query)

What is forwarded: the method, the path (below the upstream's path), the
query and the headers, less the hop-by-hop headers (Connection and those it
names, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade),
X-Forwarded-*, Expect (the proxy answers 100-continue itself), and any
Authorization, X-Amz-Date, X-Amz-Security-Token, X-Amz-Content-Sha256,
X-Amz-Region-Set and X-Amz-* query signature, which the new signature
replaces. Request and response bodies stream; responses are flushed as
they arrive. Error bodies (4xx, 5xx) have the session token redacted, and
with --resign also the upstream's canonical request and string to sign,
which describe the real signature.

How a body is signed (sigv4.Transport's table): to S3 over https,
UNSIGNED-PAYLOAD; to S3 over http, a body of known length is re-framed as
signed aws-chunked (each 64 KiB chunk signed as it streams); other services
sign the SHA-256 of the body, which is held in memory up to 1 MiB and
beyond that written to a temporary file first. A chunked body (of unknown
length) is written to a temporary file first, for its length. With --resign, the client's choice is
kept: a hex payload hash is signed again as is (the proxy checks the body
against it as it streams), UNSIGNED-PAYLOAD stays unsigned, signed
aws-chunked bodies are verified chunk by chunk and framed again with chunk
signatures chained from the new seed, and STREAMING-UNSIGNED-PAYLOAD-TRAILER
bodies are forwarded byte for byte (their checksum trailer is end to end). A
presigned URL is forwarded header-signed. A client may sign with SigV4a
(its region set must name a --region when that allow-list is given); it
is signed again with SigV4a, for its region set narrowed to the allowed
regions, or for --region-set with --sigv4a. With --sigv4a, a signed
aws-chunked body cannot be framed again (SigV4a signs no chunks): it is
refused with 501 NotImplemented, and the client should sign the payload's
SHA-256, UNSIGNED-PAYLOAD or STREAMING-UNSIGNED-PAYLOAD-TRAILER instead.
The first 64 KiB of a signed body are verified before anything is sent
upstream, so a short tampered body
never reaches it; a tampered byte further on aborts the upstream request
mid-body, so the upstream never gets a complete request.
`

// proxyOptions are the flags of proxy.
type proxyOptions struct {
	aws                                  awsFlags
	listen, upstream, certOut            string
	services, regions, acceptKeys        listFlag
	allowRemote, resign, useTLS, verbose bool
	sig                                  sigv4aFlags
}

// listFlag is a repeatable flag whose values may also be comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// keyList is the repeatable --accept-key flag: one ID:SECRET per use
// (a secret may hold a comma).
type keyList []string

func (l *keyList) String() string { return fmt.Sprintf("%d keys", len(*l)) }
func (l *keyList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func (o *proxyOptions) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("proxy", flag.ContinueOnError)
	fs.StringVar(&o.aws.profile, "profile", "", "")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "")
	fs.StringVar(&o.upstream, "upstream", "", "")
	fs.StringVar(&o.certOut, "tls-cert-out", "", "")
	fs.Var(&o.services, "service", "")
	fs.Var(&o.regions, "region", "")
	fs.Var((*keyList)(&o.acceptKeys), "accept-key", "")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "")
	fs.BoolVar(&o.resign, "resign", false, "")
	fs.BoolVar(&o.useTLS, "tls", false, "")
	o.sig.register(fs)
	for _, n := range []string{"v", "verbose"} {
		fs.BoolVar(&o.verbose, n, false, "")
	}
	return fs
}

// runProxy serves until interrupted (SIGINT, SIGTERM), then shuts down
// gracefully.
func runProxy(a *app, args []string) error {
	var o proxyOptions
	fs := o.flagSet()
	pos, err := a.parseFlags(fs, proxyHelp, expandShortFlags(fs, args))
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("proxy takes no arguments, got %q", pos[0]).withHint("name the upstream with --upstream URL")
	}
	p, err := a.newProxy(&o)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(a.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return p.serve(ctx)
}

// proxy is the running proxy: the http.Handler that verifies (with
// --resign) and forwards, and the http.RoundTripper behind its
// httputil.ReverseProxy that signs. It reaches the real credentials (its
// transports' signers) and the placeholder keys (its verifiers); it prints
// redacted.
type proxy struct {
	a        *app
	upstream *url.URL
	listener net.Listener
	certPEM  []byte // with --tls
	rp       *httputil.ReverseProxy
	base     http.RoundTripper
	creds    credentials.Provider // the real credentials (a cache)
	verbose  bool
	logMu    sync.Mutex

	// Without --resign: the one service and region.
	service, region string
	// With --sigv4a: the region set outbound requests are signed for
	// with SigV4a (nil: SigV4).
	regionSet []string

	// With --resign: the placeholder keys, and the allow-lists (nil: any).
	resign            bool
	accepted          sigv4.SecretLookup
	services, regions []string

	mu         sync.Mutex
	transports map[string]*sigv4.Transport // by service/region
	verifiers  map[string]*sigv4.Verifier  // by service/region
}

// maxCached bounds the transports and verifiers the proxy keeps (one per
// service and region that clients sign for).
const maxCached = 64

// newProxy checks the options, resolves the credentials and the region,
// and listens.
func (a *app) newProxy(o *proxyOptions) (*proxy, error) {
	u, err := parseUpstream(o.upstream)
	if err != nil {
		return nil, err
	}
	host, _, err := net.SplitHostPort(o.listen)
	if err != nil {
		return nil, usagef("--listen %q is not host:port", o.listen).withHint("write --listen 127.0.0.1:8080 (port 0 picks a free port)")
	}
	if !isLoopback(host) && !o.allowRemote {
		e := usagef("--listen %s is reachable from other machines", o.listen)
		if !o.resign {
			e.withHint("whoever reaches it would act with your AWS credentials; listen on 127.0.0.1, or pass --allow-remote (with --resign, clients must sign with an --accept-key key)")
		} else {
			e.withHint("listen on 127.0.0.1, or pass --allow-remote to accept clients from other machines")
		}
		return nil, e
	}
	if o.certOut != "" && !o.useTLS {
		return nil, usagef("--tls-cert-out writes the certificate of --tls").withHint("add --tls, or drop --tls-cert-out")
	}
	p := &proxy{a: a, upstream: u, verbose: o.verbose, resign: o.resign,
		transports: map[string]*sigv4.Transport{}, verifiers: map[string]*sigv4.Verifier{}}
	var cfg *awsconfig.Config
	if o.resign {
		if len(o.acceptKeys) == 0 {
			return nil, usagef("--resign needs the placeholder keys clients sign with").withHint("add --accept-key ID:SECRET, once per key")
		}
		keys, err := parseAcceptKeys(o.acceptKeys)
		if err != nil {
			return nil, err
		}
		p.accepted = sigv4.StaticSecrets(keys...)
		for _, l := range []struct {
			name string
			vals []string
		}{{"--service", o.services}, {"--region", o.regions}} {
			for _, v := range l.vals {
				if !validScopePart(v) {
					return nil, usagef("%s %q is not a service or region name", l.name, v).withHint("names are lower-case letters, digits and '-': --service s3 --region us-east-1,eu-west-1")
				}
			}
		}
		p.services, p.regions = o.services, o.regions
		if cfg, err = a.config(o.aws, ""); err != nil {
			return nil, err
		}
	} else {
		if len(o.acceptKeys) > 0 {
			return nil, usagef("--accept-key is for --resign").withHint("add --resign to verify clients' signatures and sign again, or drop --accept-key to sign unsigned requests")
		}
		if len(o.services) > 1 || len(o.regions) > 1 {
			return nil, usagef("--service and --region take one name each without --resign").withHint("pass one service and one region; lists are allow-lists of --resign")
		}
		inferredService, inferredRegion := inferService(u.Host)
		p.service = cmp.Or(first(o.services), inferredService)
		if p.service == "" {
			return nil, usagef("cannot tell the service from the upstream host %s", u.Hostname()).
				withHint("pass --service (s3, es, execute-api, ...) for hosts that are not AWS endpoints")
		}
		if cfg, err = a.config(o.aws, cmp.Or(first(o.regions), inferredRegion)); err != nil {
			return nil, err
		}
		if p.region = cfg.Region; p.region == "" && !o.sig.enabled() {
			return nil, failf("no region for %s", u.Host).withHint("pass --region, set AWS_REGION, or set region in the profile")
		}
	}
	// Fail at start, not at the first request, when there are no
	// credentials; the cache refreshes them before they expire.
	creds, err := cfg.Credentials.Retrieve(a.ctx)
	if err != nil {
		return nil, err
	}
	a.tokens.add(creds.SessionToken)
	p.creds = cfg.Credentials
	if o.sig.enabled() {
		// Check the region set at start.
		if _, err := o.sig.signer(cmp.Or(p.service, "s3"), p.creds, a.now); err != nil {
			return nil, err
		}
		p.regionSet = o.sig.set()
	}
	if p.base, err = a.upstreamTransport(cfg); err != nil {
		return nil, err
	}
	if !p.resign {
		if _, err := p.transportFor(p.service, p.region, p.regionSet); err != nil {
			return nil, err
		}
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite:        p.rewrite,
		Transport:      p,
		FlushInterval:  -1, // flush every write: responses stream
		ErrorHandler:   p.proxyError,
		ModifyResponse: p.scrub,
		ErrorLog:       log.New(p.logWriter(), "", 0),
	}

	l, err := net.Listen("tcp", o.listen)
	if err != nil {
		return nil, failf("cannot listen on %s: %v", o.listen, unwrapNetError(err)).withHint("pick another port with --listen 127.0.0.1:PORT (port 0 picks a free one)")
	}
	if o.useTLS {
		cert, certPEM, err := selfSignedCert(certHosts(host), time.Now())
		if err != nil {
			l.Close()
			return nil, failf("making the TLS certificate: %v", err).withHint("no hint for this error yet: please report it")
		}
		if o.certOut != "" {
			if err := os.WriteFile(o.certOut, certPEM, 0o644); err != nil {
				l.Close()
				return nil, outputError(err, o.certOut)
			}
		}
		p.certPEM = certPEM
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}, MinVersion: tls.VersionTLS12})
	}
	p.listener = l
	return p, nil
}

// first returns the first of l, or "".
func first(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return l[0]
}

// parseUpstream checks --upstream: an http or https URL with a host, and
// no query, fragment or user.
func parseUpstream(s string) (*url.URL, error) {
	const example = "write --upstream https://s3.us-east-1.amazonaws.com (or http://127.0.0.1:9000 for a local server)"
	if s == "" {
		return nil, usagef("proxy needs --upstream").withHint("%s", example)
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, usagef("--upstream %q is not a URL", s).withHint("%s", example)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, usagef("--upstream %q is not an http or https URL", s).withHint("%s", example)
	case u.Host == "" || u.Hostname() == "":
		return nil, usagef("--upstream %q has no host", s).withHint("%s", example)
	case u.User != nil:
		return nil, usagef("--upstream has a user name or password").withHint("the proxy signs with SigV4: drop the user:password@ part")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, usagef("--upstream %q has a query or fragment", s).withHint("the query of each request is forwarded: drop the ?... part of --upstream")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	return u, nil
}

// isLoopback reports whether host (of --listen) is a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseAcceptKeys reads the --accept-key values: ID:SECRET, or
// ID:SECRET:TOKEN for clients that also send a placeholder session token.
func parseAcceptKeys(vals []string) ([]credentials.Credentials, error) {
	var keys []credentials.Credentials
	seen := map[string]bool{}
	for i, v := range vals {
		parts := strings.SplitN(v, ":", 3)
		if len(parts) < 2 || parts[0] == "" || parts[1] == "" || strings.ContainsAny(parts[0], " /,=") {
			return nil, usagef("--accept-key number %d is not ID:SECRET", i+1).withHint("write --accept-key AKIDPLACEHOLDER:placeholder-secret: the keys the clients are given")
		}
		if seen[parts[0]] {
			return nil, usagef("--accept-key %s is given twice", parts[0]).withHint("give each access key ID once")
		}
		seen[parts[0]] = true
		c := credentials.Credentials{AccessKeyID: parts[0], SecretAccessKey: parts[1], Source: "--accept-key"}
		if len(parts) == 3 {
			c.SessionToken = parts[2]
		}
		keys = append(keys, c)
	}
	return keys, nil
}

// validScopePart reports whether s can be a service or region name of a
// credential scope.
func validScopePart(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// upstreamTransport returns the transport to the upstream: no
// compression added (bodies pass byte for byte), and the CA bundle of
// AWS_CA_BUNDLE or the profile's ca_bundle.
func (a *app) upstreamTransport(cfg *awsconfig.Config) (*http.Transport, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableCompression = true
	tr.MaxIdleConnsPerHost = 64
	bundle, from := a.getenv("AWS_CA_BUNDLE"), "AWS_CA_BUNDLE"
	if bundle == "" {
		bundle, from = cfg.Profile.Settings["ca_bundle"], fmt.Sprintf("ca_bundle of profile %q", cfg.Profile.Name)
	}
	if bundle != "" {
		b, err := os.ReadFile(bundle)
		if err != nil {
			return nil, fileError(err, bundle, from)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(b) {
			return nil, failf("%s: %s holds no PEM certificate", from, bundle).withHint(`the bundle is PEM text: "-----BEGIN CERTIFICATE-----" blocks`)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	return tr, nil
}

// serve serves until ctx is done, then shuts down, letting requests in
// flight finish for up to 10 seconds.
func (p *proxy) serve(ctx context.Context) error {
	srv := &http.Server{
		Handler:           p,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          log.New(p.logWriter(), "", 0),
	}
	scheme := "http"
	if p.certPEM != nil {
		scheme = "https"
	}
	mode := fmt.Sprintf("signing for %s in %s", p.service, p.region)
	if p.regionSet != nil {
		mode = fmt.Sprintf("signing with SigV4a for %s in the region set %s", p.service, strings.Join(p.regionSet, ","))
	}
	if p.resign {
		mode = "re-signing requests verified against --accept-key"
	}
	p.a.printf(p.a.stderr, "sigv4: proxy: listening on %s://%s, forwarding to %s (%s)\n", scheme, p.listener.Addr(), p.upstream.Redacted(), mode)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(p.listener) }()
	select {
	case err := <-errc:
		return failf("proxy: %v", err).withHint("check --listen")
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
	p.closeIdle()
	return nil
}

// closeIdle closes the idle upstream connections.
func (p *proxy) closeIdle() {
	if c, ok := p.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// forward is what the proxy knows of one request, from the handler to
// the rewrite, the signature and the log.
type forward struct {
	method, path string // as received, for the log
	start        time.Time

	// With --resign, from the verified request.
	verified        bool
	service, region string
	payload         string // the payload line to sign with (X-Amz-Content-Sha256)
	stream          sigv4.StreamMode
	vpath, vrawPath string   // the path the client's signature covers
	regionSet       []string // to sign with SigV4a for (nil: SigV4)

	watch   *bodyWatch
	refused string // the S3 code of a refusal
	err     error  // an error of the forwarding
}

type forwardKey struct{}

func forwardOf(ctx context.Context) *forward {
	if f, ok := ctx.Value(forwardKey{}).(*forward); ok {
		return f
	}
	return &forward{}
}

// ServeHTTP verifies the request with --resign, then forwards it.
func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := &forward{method: r.Method, path: r.URL.EscapedPath(), start: time.Now()}
	sw := &statusWriter{ResponseWriter: w}
	// net/http decides whether the connection can serve another request
	// from the state of the body it gave the handler (read to the end,
	// closed early, how much is left), which it reads through r.Body:
	// give it back the body it made, not the verifier's or ours.
	received := r.Body
	defer func() {
		r.Body = received
		p.logRequest(f, sw.status)
	}()
	if p.resign {
		if err := p.verify(r, f); err != nil {
			var ae *sigv4.AuthError
			if errors.As(err, &ae) {
				f.refused = ae.Code
			} else {
				f.err = err
			}
			sigv4.WriteError(sw, r, err)
			return
		}
	}
	if r.Body != nil && r.Body != http.NoBody {
		f.watch = &bodyWatch{rc: r.Body}
		r.Body = f.watch
	}
	p.rp.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), forwardKey{}, f)))
}

// authQuery lists the query parameters of a presigned URL: the
// signature the proxy replaces.
var authQuery = []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
	"X-Amz-Security-Token", "X-Amz-Signature", "X-Amz-Content-Sha256", "X-Amz-Region-Set"}

// rewrite sets the upstream URL and removes what the new signature
// replaces (httputil.ReverseProxy has removed the hop-by-hop headers and
// X-Forwarded-*).
func (p *proxy) rewrite(pr *httputil.ProxyRequest) {
	f := forwardOf(pr.In.Context())
	if f.verified {
		// Forward the path the client's signature covers.
		pr.Out.URL.Path, pr.Out.URL.RawPath = f.vpath, f.vrawPath
	}
	pr.SetURL(p.upstream)
	pr.Out.URL.RawQuery = withoutParams(pr.Out.URL.RawQuery, authQuery)
	h := pr.Out.Header
	// Expect: 100-continue was answered to the client already (net/http
	// does when the body is first read); the upstream gets the body at
	// once.
	for _, k := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256", "X-Amz-Region-Set", "Expect"} {
		delete(h, k)
	}
	if f.payload != "" {
		// sigv4.Transport signs with the payload line it is given.
		h["X-Amz-Content-Sha256"] = []string{f.payload}
		if f.stream == sigv4.StreamSigned || f.stream == sigv4.StreamSignedTrailer {
			// The body is the decoded payload: SignStreaming frames it
			// again and sets these.
			delete(h, "X-Amz-Decoded-Content-Length")
		}
	}
}

// withoutParams returns the raw query without the parameters named in
// names, the others left as they were sent.
func withoutParams(raw string, names []string) string {
	if raw == "" || !strings.Contains(raw, "X-Amz-") && !strings.Contains(raw, "x-amz-") {
		return raw
	}
	var kept []string
	for _, kv := range strings.Split(raw, "&") {
		k, _, _ := strings.Cut(kv, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, k) }) {
			kept = append(kept, kv)
		}
	}
	return strings.Join(kept, "&")
}

// RoundTrip signs the outgoing request with sigv4.Transport, for the
// proxy's service and region or, with --resign, those the client signed
// for.
func (p *proxy) RoundTrip(req *http.Request) (*http.Response, error) {
	f := forwardOf(req.Context())
	service, region, set := p.service, p.region, p.regionSet
	if p.resign {
		service, region, set = f.service, f.region, f.regionSet
	}
	t, err := p.transportFor(service, region, set)
	if err == nil && !p.resign {
		// SigV4a signs no aws-chunked chunks: a read-once body to S3 over
		// http is hashed instead (from a temporary file).
		err = spoolBody(req, service, set != nil && !strings.EqualFold(req.URL.Scheme, "https"))
	}
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return t.RoundTrip(req)
}

// transport returns the SigV4 signing transport for service and region.
func (p *proxy) transport(service, region string) (*sigv4.Transport, error) {
	return p.transportFor(service, region, nil)
}

// transportFor returns the signing transport for service and region, or
// with a region set, the SigV4a transport for service and that set.
func (p *proxy) transportFor(service, region string, set []string) (*sigv4.Transport, error) {
	key := service + "/" + region
	if set != nil {
		key = service + "/sigv4a:" + strings.Join(set, ",")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.transports[key]; t != nil {
		return t, nil
	}
	var s *sigv4.Signer
	var err error
	if set != nil {
		var sa *sigv4a.Signer
		if sa, err = sigv4a.New(sigv4a.Config{Service: service, RegionSet: set, Credentials: p.creds, Now: p.a.now}); err == nil {
			s = sa.SigV4()
		}
	} else {
		s, err = sigv4.New(sigv4.Config{Service: service, Region: region, Credentials: p.creds, Now: p.a.now})
	}
	if err != nil {
		return nil, err
	}
	if len(p.transports) >= maxCached {
		clear(p.transports)
	}
	t := &sigv4.Transport{Signer: s, Base: p.base}
	p.transports[key] = t
	return t, nil
}

// spoolBodyThreshold is the body sigv4.Transport holds in memory to hash
// it (its MaxBufferedBody default); larger read-once bodies to services
// outside the S3 family go to a temporary file first.
const spoolBodyThreshold = sigv4.DefaultMaxBufferedBody

// spoolBody writes a read-once body to a temporary file, which
// sigv4.Transport then signs (hashing it, or UNSIGNED-PAYLOAD to S3 over
// https) and sends with its length, when the body has no length (a
// chunked upload: S3 wants a Content-Length, and signed aws-chunked
// announces the length) or is bound for a service outside the S3 family
// and larger than spoolBodyThreshold (such services sign the SHA-256 of
// the body, which must be known before its first byte is sent), or, with
// hash (SigV4a to S3 over http, which cannot stream signed chunks), has
// any length. The file is removed when the request's body is closed.
func spoolBody(req *http.Request, service string, hash bool) error {
	if req.Body == nil || req.Body == http.NoBody || req.GetBody != nil || req.Header.Get("X-Amz-Content-Sha256") != "" ||
		!hash && req.ContentLength >= 0 && (isS3Family(service) || req.ContentLength <= spoolBodyThreshold) {
		return nil
	}
	f, err := os.CreateTemp("", "sigv4-proxy-body-")
	if err != nil {
		return err
	}
	sp := &spooled{File: f}
	n, err := io.Copy(f, req.Body)
	req.Body.Close()
	if err == nil && req.ContentLength >= 0 && n != req.ContentLength {
		err = fmt.Errorf("the body has %d bytes, not its Content-Length %d", n, req.ContentLength)
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		sp.Close()
		return err
	}
	req.Body, req.ContentLength, req.TransferEncoding = sp, n, nil
	return nil
}

// spooled is a body in a temporary file, removed on Close.
type spooled struct {
	*os.File
	once sync.Once
}

func (s *spooled) Close() error {
	s.once.Do(func() {
		s.File.Close()
		os.Remove(s.File.Name())
	})
	return nil
}

// verifier returns the verifier of the placeholder keys for service and
// region.
func (p *proxy) verifier(service, region string) (*sigv4.Verifier, error) {
	return p.verifierFor(service, []string{region})
}

// verifierFor returns the verifier of the placeholder keys for service
// and regions. It accepts SigV4 and SigV4a; a SigV4a request's region set
// must name one of regions.
func (p *proxy) verifierFor(service string, regions []string) (*sigv4.Verifier, error) {
	key := service + "/" + strings.Join(regions, ",")
	p.mu.Lock()
	defer p.mu.Unlock()
	if v := p.verifiers[key]; v != nil {
		return v, nil
	}
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: service, Regions: regions, Secrets: p.accepted, Now: p.a.now,
		Algorithms: []sigv4.SignatureAlgorithm{sigv4a.Algorithm()}})
	if err != nil {
		return nil, err
	}
	if len(p.verifiers) >= maxCached {
		clear(p.verifiers)
	}
	p.verifiers[key] = v
	return v, nil
}

// prefetchSize is how much of a signed body the proxy verifies before it
// sends anything upstream.
const prefetchSize = 64 << 10

// verify checks r against the placeholder keys and the allow-lists, and
// records in f how to sign it again. On success r's body is the body to
// forward: the verifying reader of sigv4.Verifier (which fails the read
// that brings a wrong byte), after its first bytes were read and checked.
func (p *proxy) verify(r *http.Request, f *forward) error {
	service, region, ok := credentialScope(r)
	var set []string // the region set of a SigV4a request
	if s, rs, isA := regionSetScope(r); isA {
		service, region, ok = s, "", s != "" && rs != ""
		set = splitRegionSet(rs)
	}
	if ok {
		if len(p.services) > 0 && !slices.Contains(p.services, service) {
			return notForwarded("service", service, p.services)
		}
		switch {
		case set != nil && len(p.regions) > 0:
			if len(allowedRegions(set, p.regions)) == 0 {
				return notForwarded("region set", strings.Join(set, ","), p.regions)
			}
		case set == nil && len(p.regions) > 0 && !slices.Contains(p.regions, region):
			return notForwarded("region", region, p.regions)
		}
	}
	// The regions the verifier checks: a SigV4a request's region set must
	// name one of them. Without --region, any set: regions its patterns
	// name ('*' stands for any run, here "x").
	regions := []string{region}
	if set != nil {
		regions = p.regions
		if len(regions) == 0 {
			regions = nil
			for _, pat := range set {
				if r := strings.ReplaceAll(pat, "*", "x"); validScopePart(r) && !slices.Contains(regions, r) {
					regions = append(regions, r)
				}
			}
		}
	}
	if !ok || !validScopePart(service) || len(regions) == 0 || !validScopePart(regions[0]) || len(regions) > maxCached {
		// Let a verifier say what is wrong (not signed, malformed).
		service, regions = cmp.Or(first(p.services), "s3"), []string{cmp.Or(first(p.regions), "us-east-1")}
	}
	v, err := p.verifierFor(service, regions)
	if err != nil {
		return err
	}
	// What an unsigned-trailer body needs to pass through as it came.
	rawBody, rawLength := r.Body, r.ContentLength
	rawEncoding, hasEncoding := r.Header["Content-Encoding"]
	rawLengthHeader, hasLengthHeader := r.Header["Content-Length"]
	hadPayloadHeader := r.Header.Get("X-Amz-Content-Sha256") != ""

	vd, err := v.Verify(r)
	if err != nil {
		return err
	}
	f.verified = true
	f.service, f.region = vd.Service, vd.Region
	f.vpath, f.vrawPath = vd.Path, vd.RawPath
	f.stream = vd.Stream
	switch {
	case p.regionSet != nil:
		f.regionSet = p.regionSet
	case set != nil:
		// Signed again for the client's region set, narrowed to the
		// allowed regions.
		f.regionSet = set
		if len(p.regions) > 0 {
			f.regionSet = allowedRegions(set, p.regions)
		}
	}
	if f.regionSet != nil && (vd.Stream == sigv4.StreamSigned || vd.Stream == sigv4.StreamSignedTrailer) {
		return &sigv4.AuthError{Code: "NotImplemented", StatusCode: http.StatusNotImplemented,
			Message: "This proxy signs with SigV4a, which cannot sign aws-chunked chunks: sign the payload's SHA-256, UNSIGNED-PAYLOAD or " + sigv4.StreamingUnsignedPayloadTrailer + " instead."}
	}
	switch {
	case vd.Stream == sigv4.StreamUnsignedTrailer:
		// Only the seed is signed; the chunks are not, and their
		// checksum trailer goes to the upstream, which checks it: forward
		// the bytes as they came, under a new seed signature.
		r.Body, r.ContentLength = rawBody, rawLength
		if hasEncoding {
			r.Header["Content-Encoding"] = rawEncoding
		}
		if hasLengthHeader {
			r.Header["Content-Length"] = rawLengthHeader
		}
		f.payload = sigv4.StreamingUnsignedPayloadTrailer
		return nil
	case vd.Stream != 0:
		f.payload = vd.Stream.String()
	case vd.PayloadHash == sigv4.UnsignedPayload:
		f.payload = sigv4.UnsignedPayload
		return nil // nothing to verify in the body
	case isS3Family(vd.Service) || hadPayloadHeader:
		f.payload = vd.PayloadHash
	}
	return prefetch(r)
}

// credentialScope returns the service and region of the credential scope
// of r (its Authorization header or X-Amz-Credential), unverified.
func credentialScope(r *http.Request) (service, region string, ok bool) {
	cred := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		i := strings.Index(auth, "Credential=")
		if i < 0 {
			return "", "", false
		}
		cred, _, _ = strings.Cut(auth[i+len("Credential="):], ",")
	} else if q := r.URL.Query(); q.Has("X-Amz-Credential") {
		cred = q.Get("X-Amz-Credential")
	}
	parts := strings.Split(strings.TrimSpace(cred), "/")
	// ID/date/region/service/aws4_request
	if n := len(parts); n >= 5 && parts[n-1] == "aws4_request" {
		return parts[n-2], parts[n-3], true
	}
	return "", "", false
}

// regionSetScope returns the service and the X-Amz-Region-Set of a
// SigV4a request (isA), unverified: its credential scope is
// ID/date/service/aws4_request.
func regionSetScope(r *http.Request) (service, set string, isA bool) {
	cred := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		alg, rest, _ := strings.Cut(strings.TrimSpace(auth), " ")
		if alg != sigv4aAlgorithm {
			return "", "", false
		}
		if i := strings.Index(rest, "Credential="); i >= 0 {
			cred, _, _ = strings.Cut(rest[i+len("Credential="):], ",")
		}
		set = r.Header.Get("X-Amz-Region-Set")
	} else if q := r.URL.Query(); q.Get("X-Amz-Algorithm") == sigv4aAlgorithm {
		cred, set = q.Get("X-Amz-Credential"), q.Get("X-Amz-Region-Set")
	} else {
		return "", "", false
	}
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if n := len(parts); n >= 4 && parts[n-1] == "aws4_request" {
		service = parts[n-2]
	}
	return service, set, true
}

// sigv4aAlgorithm is the algorithm name of SigV4a.
const sigv4aAlgorithm = "AWS4-ECDSA-P256-SHA256"

// splitRegionSet splits X-Amz-Region-Set at commas.
func splitRegionSet(set string) []string {
	var l []string
	for _, s := range strings.Split(set, ",") {
		if s = strings.TrimSpace(s); s != "" {
			l = append(l, s)
		}
	}
	return l
}

// allowedRegions returns the regions of allowed that a region set names
// ('*' in a pattern matches any run of characters).
func allowedRegions(set, allowed []string) []string {
	var l []string
	for _, r := range allowed {
		for _, pat := range set {
			if ok, _ := path.Match(pat, r); ok {
				l = append(l, r)
				break
			}
		}
	}
	return l
}

// notForwarded refuses a request signed for a service or region outside
// the allow-lists, as S3 refuses: 403 AccessDenied.
func notForwarded(what, name string, allowed []string) error {
	return &sigv4.AuthError{Code: sigv4.CodeAccessDenied, StatusCode: http.StatusForbidden,
		Message: fmt.Sprintf("This proxy does not forward requests signed for the %s %q (it forwards %s).", what, name, strings.Join(allowed, ", "))}
}

// prefetch reads and so verifies the first prefetchSize bytes of r's
// body before anything is sent upstream: a tampered body that short
// (a whole small upload, the first chunk of a large one) is refused with
// nothing forwarded. The body is then those bytes followed by the rest.
func prefetch(r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	size := prefetchSize
	if r.ContentLength >= 0 && r.ContentLength < prefetchSize {
		size = int(r.ContentLength) + 1 // +1: read to the end, where the check is
	}
	buf := make([]byte, size)
	n, err := io.ReadFull(r.Body, buf)
	switch {
	case err == nil:
		r.Body = &prefixedBody{Reader: io.MultiReader(bytes.NewReader(buf), r.Body), body: r.Body}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		// The whole body, verified.
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(buf[:n]))
		if n == 0 {
			r.Body = http.NoBody
		}
	default:
		r.Body.Close()
		return err
	}
	return nil
}

// prefixedBody is a body's first bytes, read ahead, then the rest.
type prefixedBody struct {
	io.Reader
	body io.Closer
}

func (b *prefixedBody) Close() error { return b.body.Close() }

// bodyWatch counts the bytes of a request body and keeps the first read
// error: the verifier's refusal of a tampered byte, which the error
// handler answers.
type bodyWatch struct {
	rc  io.ReadCloser
	mu  sync.Mutex
	n   int64
	err error
}

func (b *bodyWatch) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.mu.Lock()
	b.n += int64(n)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	b.mu.Unlock()
	return n, err
}

func (b *bodyWatch) Close() error { return b.rc.Close() }

func (b *bodyWatch) readErr() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// proxyError answers a request that could not be forwarded: with the
// verifier's refusal when the body failed verification mid-stream (the
// upstream request was aborted), 502 otherwise.
func (p *proxy) proxyError(w http.ResponseWriter, r *http.Request, err error) {
	f := forwardOf(r.Context())
	var ae *sigv4.AuthError
	if f.watch != nil && errors.As(f.watch.readErr(), &ae) {
		f.refused = ae.Code
		sigv4.WriteError(w, r, ae)
		return
	}
	f.err = err
	status := http.StatusBadGateway
	if errors.Is(err, sigv4.ErrBodyNotReplayable) {
		status = http.StatusRequestEntityTooLarge
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, p.a.tokens.redact("sigv4 proxy: "+unwrapURLError(err).Error())+"\n")
}

// upstreamDetail lists the elements of an S3 error body that describe the
// upstream's signature: the real access key, canonical request and string
// to sign, which the clients of --resign must not see (they could not use
// them either: their signature is another).
var upstreamDetail = []string{"AWSAccessKeyId", "CanonicalRequest", "CanonicalRequestBytes", "StringToSign", "StringToSignBytes", "SignatureProvided"}

// maxScrubbed bounds the error body the proxy reads to scrub it.
const maxScrubbed = 1 << 20

// scrub redacts the session token of the real credentials from error
// bodies (S3 echoes the canonical request, which signs it) and, with
// --resign, removes the upstream's signature details.
func (p *proxy) scrub(resp *http.Response) error {
	if resp.StatusCode < 400 || resp.Body == nil || resp.Body == http.NoBody {
		return nil
	}
	creds, err := p.creds.Retrieve(resp.Request.Context())
	if err != nil || creds.SessionToken == "" && !p.resign {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxScrubbed+1))
	if err != nil {
		return err
	}
	if len(body) > maxScrubbed {
		// Not an S3 error body: pass it on as it is.
		resp.Body = &prefixedBody{Reader: io.MultiReader(bytes.NewReader(body), resp.Body), body: resp.Body}
		return nil
	}
	resp.Body.Close()
	s := string(body)
	if p.resign {
		for _, name := range upstreamDetail {
			s = withoutElement(s, name)
		}
	}
	var tr tokenRedactor
	tr.add(creds.SessionToken)
	s = tr.redact(s)
	if tok := creds.SessionToken; tok != "" {
		// S3's CanonicalRequestBytes: the bytes in hex, space-separated.
		s = strings.ReplaceAll(s, spacedHex(tok), "(session token)")
	}
	resp.Body = io.NopCloser(strings.NewReader(s))
	resp.ContentLength = int64(len(s))
	resp.Header.Set("Content-Length", strconv.Itoa(len(s)))
	resp.Header.Del("Content-Md5")
	return nil
}

// spacedHex returns s's bytes as S3 writes them in CanonicalRequestBytes:
// two hex digits each, separated by spaces.
func spacedHex(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(hex.EncodeToString([]byte{s[i]}))
	}
	return b.String()
}

// withoutElement removes every <name>...</name> from an XML text.
func withoutElement(s, name string) string {
	open, end := "<"+name+">", "</"+name+">"
	for {
		i := strings.Index(s, open)
		if i < 0 {
			return s
		}
		j := strings.Index(s[i:], end)
		if j < 0 {
			return s
		}
		s = s[:i] + s[i+j+len(end):]
	}
}

// statusWriter records the status of a response. It unwraps for
// http.ResponseController, so that the proxy's flushes reach the
// connection.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequest prints one line per request with -v: the method, the path
// as received (without its query, which can carry a presigned URL's
// signature), the status, the time, and why a request was refused or not
// forwarded. Never a header, a key, a signature or a token.
func (p *proxy) logRequest(f *forward, status int) {
	if !p.verbose {
		return
	}
	line := fmt.Sprintf("%s %s %d %s", f.method, f.path, status, time.Since(f.start).Round(time.Microsecond))
	if f.watch != nil {
		f.watch.mu.Lock()
		line += fmt.Sprintf(" (%d bytes in)", f.watch.n)
		f.watch.mu.Unlock()
	}
	if f.payload != "" && f.refused == "" {
		line += " resigned " + f.payload
	}
	switch {
	case f.refused != "":
		line += " refused: " + f.refused
		if f.watch != nil && f.watch.readErr() != nil {
			line += " (mid-body: the upstream request was aborted)"
		} else {
			line += " (not forwarded)"
		}
	case f.err != nil:
		line += " error: " + unwrapURLError(f.err).Error()
	}
	p.logMu.Lock()
	defer p.logMu.Unlock()
	p.a.printf(p.a.stderr, "sigv4: proxy: %s\n", line)
}

// logWriter returns where net/http's own messages go: standard error
// with -v (redacted), nowhere otherwise.
func (p *proxy) logWriter() io.Writer {
	if !p.verbose {
		return io.Discard
	}
	return writerFunc(func(b []byte) (int, error) {
		p.logMu.Lock()
		defer p.logMu.Unlock()
		p.a.printf(p.a.stderr, "sigv4: proxy: %s", b)
		return len(b), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// certHosts returns the names the TLS certificate is for: the loopback
// names, and the --listen host (with the machine's name when it listens on
// every address).
func certHosts(listenHost string) []string {
	hosts := []string{"127.0.0.1", "::1", "localhost"}
	switch ip := net.ParseIP(listenHost); {
	case listenHost == "" || ip != nil && ip.IsUnspecified():
		if name, err := os.Hostname(); err == nil && name != "" {
			hosts = append(hosts, name)
		}
	case !slices.Contains(hosts, listenHost):
		hosts = append(hosts, listenHost)
	}
	return hosts
}

// selfSignedCert makes an ECDSA P-256 certificate for hosts, valid for 30
// days from now (the real time: TLS clients check it against theirs). It
// is its own CA, so that clients can trust it as a CA bundle.
func selfSignedCert(hosts []string, now time.Time) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	ski := sha256.Sum256(pub)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "sigv4 proxy", Organization: []string{"sigv4kit"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		SubjectKeyId:          ski[:20],
		AuthorityKeyId:        ski[:20],
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, certPEM, nil
}

func (p *proxy) describe() []string {
	kv := []string{"Upstream", p.upstream.Redacted()}
	if p.resign {
		kv = append(kv, "Mode", "resign", "Accepted", redact.TypeName(p.accepted),
			"Services", strings.Join(p.services, ","), "Regions", strings.Join(p.regions, ","))
	} else {
		kv = append(kv, "Mode", "sign", "Service", p.service, "Region", p.region)
	}
	if p.regionSet != nil {
		kv = append(kv, "RegionSet", strings.Join(p.regionSet, ","))
	}
	return append(kv, "Credentials", redact.TypeName(p.creds))
}

// String describes the proxy: its upstream, its mode, and the types of
// its credential source and accepted keys, never a secret.
func (p *proxy) String() string { return redact.Describe("proxy", p.describe()...) }

// GoString returns String.
func (p *proxy) GoString() string { return p.String() }

// Format prints String for every verb.
func (p *proxy) Format(f fmt.State, verb rune) { redact.Format(f, verb, p.String()) }

// LogValue logs what String shows.
func (p *proxy) LogValue() slog.Value { return redact.LogValue("proxy", p.describe()...) }
