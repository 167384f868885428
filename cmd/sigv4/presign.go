package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/presign"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

const presignHelp = `Usage: sigv4 presign s3://bucket/key [flags]

Prints a presigned URL for an S3 object: whoever has the URL can send the
request until it expires, without credentials.

Flags:
  --expires-in N        validity in seconds, or a duration (15m, 12h, 7d);
                        1 second to 604800 (7 days); default 3600
  -X, --request, --method M
                        GET (default), PUT, HEAD or DELETE
  --content-type T      the Content-Type an upload (PUT) must send; signed
  --region R            the bucket's region (default: AWS_REGION,
                        AWS_DEFAULT_REGION, then the profile's)
  --profile P           the profile of the AWS shared files
  --endpoint-url URL    an S3-compatible server (MinIO, versitygw, R2...);
                        default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the
                        profile's endpoint_url, then AWS
  --path-style          https://host/bucket/key even for AWS endpoints
  --sigv4a              sign with SigV4a (AWS4-ECDSA-P256-SHA256), valid in
                        a set of regions; s3://ALIAS.mrap/key presigns for
                        the S3 Multi-Region Access Point ALIAS
                        (ALIAS.accesspoint.s3-global.amazonaws.com)
  --region-set R1,R2    the SigV4a region set (implies --sigv4a); default "*"

The profile's s3 settings apply as in the AWS CLI (addressing_style,
use_accelerate_endpoint, use_dualstack_endpoint), and so do
AWS_USE_DUALSTACK_ENDPOINT and AWS_USE_FIPS_ENDPOINT.
  --json                print the method, URL, headers to send and expiry

A URL is limited to the credentials' lifetime: with temporary credentials
it may expire earlier than --expires-in (a warning says so).
`

// runPresign prints a presigned S3 URL.
func runPresign(a *app, args []string) error {
	fs := flag.NewFlagSet("presign", flag.ContinueOnError)
	var (
		o           awsFlags
		expiresIn   = "3600"
		method      = "GET"
		contentType string
		pathStyle   bool
		asJSON      bool
		sig         sigv4aFlags
	)
	o.register(fs, true)
	sig.register(fs)
	fs.StringVar(&expiresIn, "expires-in", expiresIn, "")
	for _, n := range []string{"method", "X", "request"} {
		fs.StringVar(&method, n, method, "") // -X and --request as in curl
	}
	fs.StringVar(&contentType, "content-type", "", "")
	fs.BoolVar(&pathStyle, "path-style", false, "")
	fs.BoolVar(&asJSON, "json", false, "")
	pos, err := a.parseFlags(fs, presignHelp, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("presign takes one s3://bucket/key argument, got %d", len(pos)).withHint(`run "sigv4 presign --help" for usage`)
	}
	bucket, key, err := parseS3URL(pos[0])
	if err != nil {
		return err
	}
	if key == "" {
		return usagef("%q has no object key", pos[0]).withHint("presign needs an object: s3://bucket/key")
	}
	expires, err := parseExpiry(expiresIn)
	if err != nil {
		return usagef("--expires-in: %v", err).withHint("write seconds (3600, as in aws s3 presign) or a duration (15m, 12h, 7d)")
	}
	if expires < time.Second || expires > sigv4.MaxExpires {
		return usagef("--expires-in %s is out of range", expiresIn).withHint("a presigned URL is valid for 1 second to 604800 seconds (7 days)")
	}
	method = strings.ToUpper(method)
	if !slices.Contains([]string{"GET", "PUT", "HEAD", "DELETE"}, method) {
		return usagef("--method %s: presign supports GET, PUT, HEAD and DELETE", method).withHint("pass one of GET, PUT, HEAD and DELETE; sigv4 curl signs other requests")
	}
	if contentType != "" && method != "PUT" {
		return usagef("--content-type applies to uploads").withHint("add --method PUT, or drop --content-type")
	}

	cfg, err := a.config(o, o.region)
	if err != nil {
		return err
	}
	creds, provider, err := a.credentials(cfg)
	if err != nil {
		return err
	}
	mrap := sig.enabled() && strings.HasSuffix(bucket, ".mrap")
	if cfg.Region == "" && !mrap {
		return failf("no region").withHint("pass --region, set AWS_REGION, or set region in the profile")
	}
	if mrap {
		s, err := sig.signer("s3", provider, a.now)
		if err != nil {
			return err
		}
		var opts []presign.Option
		if contentType != "" {
			opts = append(opts, presign.ContentType(contentType))
		}
		r, err := presign.MultiRegionAccessPoint(a.ctx, s, method, bucket, key, expires, opts...)
		if err != nil {
			return err
		}
		return a.printPresigned(r, asJSON, creds, expires)
	}
	pc := presign.ConfigFrom(cfg)
	pc.Credentials = provider
	if o.endpoint != "" {
		pc.Endpoint = o.endpoint
		// A custom endpoint: no AWS endpoint variant applies, the
		// profile's addressing style still does.
		pc.DualStack, pc.FIPS, pc.Accelerate = false, false, false
		pc.VirtualHosted = cfg.S3.AddressingStyle == "virtual"
		pc.PathStyle = cfg.S3.AddressingStyle == "path"
	}
	if pathStyle {
		pc.PathStyle, pc.VirtualHosted = true, false
	}
	p, err := presign.New(pc)
	if err != nil {
		return err
	}
	var opts []presign.Option
	if contentType != "" {
		opts = append(opts, presign.ContentType(contentType))
	}
	var r *presign.Request
	switch method {
	case "GET":
		r, err = p.GetObject(a.ctx, bucket, key, expires, opts...)
	case "PUT":
		r, err = p.PutObject(a.ctx, bucket, key, expires, opts...)
	case "HEAD":
		r, err = p.HeadObject(a.ctx, bucket, key, expires, opts...)
	case "DELETE":
		r, err = p.DeleteObject(a.ctx, bucket, key, expires, opts...)
	}
	if err != nil {
		return err
	}
	if sig.enabled() {
		// The same address, signed with SigV4a instead.
		s, err := sig.signer("s3", provider, a.now)
		if err != nil {
			return err
		}
		if r, err = presign.Presign(a.ctx, s.SigV4(), method, withoutAuthParams(r.URL), expires, opts...); err != nil {
			return err
		}
	}
	return a.printPresigned(r, asJSON, creds, expires)
}

// withoutAuthParams returns a presigned URL without its X-Amz-* signature
// parameters: the address and the request's own parameters.
func withoutAuthParams(u string) string {
	base, query, _ := strings.Cut(u, "?")
	var keep []string
	for _, kv := range strings.Split(query, "&") {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature", "":
			continue
		}
		keep = append(keep, kv)
	}
	if len(keep) == 0 {
		return base
	}
	return base + "?" + strings.Join(keep, "&")
}

// printPresigned prints a presigned request as presign does: the URL, or
// --json, with a warning when the credentials end its validity early and
// the headers to send as a hint.
func (a *app) printPresigned(r *presign.Request, asJSON bool, creds credentials.Credentials, expires time.Duration) error {
	if asJSON {
		return printPresignedJSON(a, r)
	}
	fmt.Fprintln(a.stdout, r.URL)
	if got := r.Expires.Sub(a.now().UTC().Truncate(time.Second)); got < expires.Truncate(time.Second) {
		a.warnf("the credentials (%s) expire at %s: the URL is valid for %s, not %s",
			creds.Source, creds.Expires.UTC().Format(time.RFC3339), formatDuration(got), formatDuration(expires))
	}
	if len(r.Header) > 0 {
		a.hintf("the request must send these headers: %s", headerLine(r.Header))
	}
	return nil
}

// presignedJSON is the --json output of presign.
type presignedJSON struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Expires string            `json:"expires"`
}

// printPresignedJSON prints r as presign --json does.
func printPresignedJSON(a *app, r *presign.Request) error {
	out := presignedJSON{Method: r.Method, URL: r.URL, Headers: map[string]string{}, Expires: r.Expires.UTC().Format(time.RFC3339)}
	for k, vv := range r.Header {
		out.Headers[k] = strings.Join(vv, ",")
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// headerLine renders headers as "Name: value; Name: value", sorted.
func headerLine(h http.Header) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(h)) {
		parts = append(parts, k+": "+strings.Join(h[k], ","))
	}
	return strings.Join(parts, "; ")
}
