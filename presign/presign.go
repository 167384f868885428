package presign

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/awsenc"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// Request is a presigned request: the method, the URL, the headers that the
// client must send with exactly these values (besides Host), and the real
// end of validity. It is the type that [sigv4.Signer.Presign] returns.
type Request = sigv4.Presigned

// Errors that callers can test for with [errors.Is]. Errors from the signer
// (an expiry outside 1 second to 7 days, expired credentials) wrap the
// sigv4 sentinels, such as [sigv4.ErrInvalidExpiry] and
// [sigv4.ErrExpiredCredentials].
var (
	// ErrInvalidConfig reports a Config that New cannot use: no region, no
	// credentials, an endpoint that is not an http or https URL,
	// contradictory addressing settings.
	ErrInvalidConfig = errors.New("presign: invalid config")

	// ErrInvalidBucket reports a bucket name that cannot be addressed: empty,
	// with a '/' or a control character, or not DNS-safe where virtual-hosted
	// addressing is required (accelerate endpoints).
	ErrInvalidBucket = errors.New("presign: invalid bucket name")

	// ErrInvalidKey reports an empty object key or one longer than 1024
	// bytes.
	ErrInvalidKey = errors.New("presign: invalid key")

	// ErrInvalidOption reports an option with an unusable value, such as a
	// Content-MD5 that is not the base64 of 16 bytes.
	ErrInvalidOption = errors.New("presign: invalid option")

	// ErrExpiryCapped reports, under StrictExpiry, that the credentials
	// expire before the requested expiry.
	ErrExpiryCapped = errors.New("presign: credentials expire before the requested expiry")
)

// Config configures a [Presigner]. It prints redacted, naming its provider
// by type.
type Config struct {
	// Region is the bucket's region ("eu-west-1"; "auto" for Cloudflare R2).
	// Empty means AWS_REGION, then AWS_DEFAULT_REGION, then the profile's
	// region.
	Region string

	// Credentials provides the keys. It is called for every URL: wrap slow
	// providers in a cache (credentials.Cache).
	Credentials credentials.Provider

	// Endpoint is the S3 endpoint URL, with scheme and optional port and path
	// ("http://127.0.0.1:9000", "https://<account>.r2.cloudflarestorage.com").
	// Empty means the first of AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, and the
	// profile's s3 endpoint_url and global endpoint_url that is set (none of
	// them when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true), else AWS's
	// endpoint for Region.
	Endpoint string

	// PathStyle forces path-style addressing (https://host/bucket/key).
	PathStyle bool
	// VirtualHosted forces virtual-hosted addressing
	// (https://bucket.host/key) on custom endpoints, which use path-style
	// addressing by default. Buckets that are not DNS-safe still use
	// path-style addressing.
	VirtualHosted bool

	// DualStack selects AWS's IPv4 and IPv6 endpoints
	// (s3.dualstack.region.amazonaws.com). Also set by
	// AWS_USE_DUALSTACK_ENDPOINT=true and the profile's
	// use_dualstack_endpoint.
	DualStack bool
	// FIPS selects AWS's FIPS endpoints (s3-fips.region.amazonaws.com). Also
	// set by AWS_USE_FIPS_ENDPOINT=true and the profile's use_fips_endpoint.
	FIPS bool
	// Accelerate selects S3 Transfer Acceleration
	// (bucket.s3-accelerate.amazonaws.com), which needs DNS-safe bucket names
	// without dots and virtual-hosted addressing.
	Accelerate bool

	// Profile, when set, supplies the region, the endpoint_url settings, the
	// dual-stack and FIPS settings, and s3.addressing_style = path
	// (credentials.SharedFiles.LoadProfile reads one).
	Profile *credentials.Profile

	// StrictExpiry makes a URL whose expiry would be cut short by the
	// credentials' expiry an error (ErrExpiryCapped) instead.
	StrictExpiry bool

	// Now returns the signing time; nil means time.Now.
	Now func() time.Time
	// Getenv reads environment variables; nil means os.Getenv.
	Getenv func(string) string
}

// Presigner presigns S3 requests. It is safe for concurrent use. It prints
// redacted (fmt, log/slog): never a secret or a signing key.
type Presigner struct {
	signer   *sigv4.Signer
	ep       endpoint
	pathOnly bool // path-style for every bucket
	accel    bool
	strict   bool

	creds  credentials.Provider // for printing (redact.go)
	region string
	slow   bool // tests: presign an *http.Request with Presign, not Parts with PresignParts

	err error // FromEnvironment's error: every operation returns it (load.go)
}

// New returns a Presigner for cfg. It resolves the region and the endpoint
// once, from cfg, the environment and the profile.
func New(cfg Config) (*Presigner, error) {
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if cfg.Credentials == nil {
		return nil, fmt.Errorf("%w: no credentials provider", ErrInvalidConfig)
	}
	if cfg.PathStyle && cfg.VirtualHosted {
		return nil, fmt.Errorf("%w: PathStyle and VirtualHosted are both set", ErrInvalidConfig)
	}
	st := settings{getenv: getenv, profile: cfg.Profile}
	region := cfg.Region
	if region == "" {
		region = st.region()
	}
	if region == "" {
		return nil, fmt.Errorf("%w: no region (set Config.Region, AWS_REGION or the profile's region)", ErrInvalidConfig)
	}
	if !validRegion(region) {
		return nil, fmt.Errorf("%w: region %q", ErrInvalidConfig, region)
	}
	opts := endpointOptions{
		dualStack:  cfg.DualStack || st.flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"),
		fips:       cfg.FIPS || st.flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
		accelerate: cfg.Accelerate || st.profileSetting("s3.use_accelerate_endpoint") == "true",
	}
	raw := cfg.Endpoint
	if raw == "" {
		raw = st.endpointURL("s3", "AWS_ENDPOINT_URL_S3")
	}
	ep, err := resolveEndpoint(raw, region, "s3", opts)
	if err != nil {
		return nil, err
	}
	pathStyle := cfg.PathStyle || st.profileSetting("s3.addressing_style") == "path"
	if opts.accelerate && pathStyle {
		return nil, fmt.Errorf("%w: accelerate endpoints do not support path-style addressing", ErrInvalidConfig)
	}
	s, err := sigv4.New(sigv4.Config{
		Service:     "s3",
		Region:      region,
		Credentials: cfg.Credentials,
		Now:         cfg.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("presign: %w", err)
	}
	p := &Presigner{
		signer: s,
		ep:     ep,
		accel:  opts.accelerate,
		strict: cfg.StrictExpiry,
		creds:  cfg.Credentials,
		region: region,
	}
	vhost := ep.aws && !cfg.PathStyle && !pathStyle || cfg.VirtualHosted
	if !vhost || ep.ipHost {
		p.pathOnly = true
	}
	return p, nil
}

// Region returns the signing region.
func (p *Presigner) Region() string {
	if p.err != nil {
		return ""
	}
	return p.signer.Region()
}

// Endpoint returns the endpoint URL that bucket addresses are built on
// ("https://s3.eu-west-1.amazonaws.com").
func (p *Presigner) Endpoint() string {
	if p.err != nil {
		return ""
	}
	return p.ep.scheme + "://" + p.ep.host + p.ep.basePath
}

// call is the per-request state: the options and the pieces of the request.
type call struct {
	header http.Header
	query  []param
	length int64 // signed Content-Length, when positive
	strict bool
	err    error

	b []byte
}

// param is a query parameter, not yet escaped.
type param struct{ name, value string }

var callPool = sync.Pool{New: func() any { return new(call) }}

func getCall() *call { return callPool.Get().(*call) }

func putCall(c *call) {
	if cap(c.b) > 4<<10 || cap(c.query) > 64 {
		return
	}
	clear(c.query)
	*c = call{query: c.query[:0], b: c.b[:0]}
	callPool.Put(c)
}

// setHeader records a header option (the last one of a name wins).
func (c *call) setHeader(name, value string) {
	if c.header == nil {
		c.header = make(http.Header, 4)
	}
	c.header[http.CanonicalHeaderKey(name)] = []string{value}
}

func (c *call) addQuery(name, value string) { c.query = append(c.query, param{name, value}) }

// setQuery replaces a query parameter or adds it.
func (c *call) setQuery(name, value string) {
	for i := range c.query {
		if c.query[i].name == name {
			c.query[i].value = value
			return
		}
	}
	c.addQuery(name, value)
}

func (c *call) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// object presigns an operation on bucket and key (key "" for bucket
// operations). Operation parameters are in c.query already.
func (p *Presigner) object(ctx context.Context, c *call, method, bucket, key string, keyRequired bool, expires time.Duration, opts []Option) (*Request, error) {
	defer putCall(c)
	if p.err != nil {
		return nil, p.err
	}
	// A bucket fit for a virtual-hosted address passes checkBucket: only
	// the others are checked.
	virtual := p.virtualHosted(bucket)
	if !virtual {
		if err := checkBucket(bucket); err != nil {
			return nil, err
		}
	}
	if keyRequired {
		if key == "" {
			return nil, fmt.Errorf("%w: empty key", ErrInvalidKey)
		}
		if len(key) > 1024 {
			return nil, fmt.Errorf("%w: %d bytes, S3 allows 1024", ErrInvalidKey, len(key))
		}
	}
	c.strict = p.strict
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	a, err := p.address(bucket, key, keyRequired, virtual)
	if err != nil {
		return nil, err
	}
	hoist(c)
	if p.slow {
		c.b = p.appendHost(c.b[:0], a)
		host := string(c.b)
		c.b = p.appendPath(c.b[:0], a)
		path := string(c.b)
		u := &url.URL{Scheme: p.ep.scheme, Host: host, Path: path, RawQuery: encodeQuery(c)}
		req := &http.Request{Method: method, URL: u, Header: c.header, ContentLength: c.length}
		return presign(ctx, p.signer, req, expires, c.strict)
	}
	// The request's parts, built into c.b without allocating: the host, the
	// path decoded (the signer escapes it, once), the query.
	b := p.appendHost(c.b[:0], a)
	h := len(b)
	b = p.appendPath(b, a)
	q := len(b)
	c.b = appendQuery(b, c)
	// parts stays on the stack: PresignParts keeps none of it.
	parts := sigv4.Parts{Method: method, Scheme: p.ep.scheme, Host: c.b[:h], Path: c.b[h:q], PathDecoded: true,
		Query: c.b[q:], Header: c.header, ContentLength: c.length}
	r, err := p.signer.PresignParts(ctx, &parts, expires, "")
	return checkPresigned(r, err, expires, c.strict)
}

// presign signs req and applies the strict expiry rule.
func presign(ctx context.Context, s *sigv4.Signer, req *http.Request, expires time.Duration, strict bool) (*Request, error) {
	r, err := s.Presign(ctx, req, expires)
	return checkPresigned(r, err, expires, strict)
}

// checkPresigned wraps an error of the signer and applies the strict expiry
// rule.
func checkPresigned(r *Request, err error, expires time.Duration, strict bool) (*Request, error) {
	if err != nil {
		return nil, fmt.Errorf("presign: %w", err)
	}
	if strict {
		if got := urlExpires(r.URL); got < int64(expires/time.Second) {
			return nil, fmt.Errorf("%w: asked for %v, the credentials allow %v (until %s)",
				ErrExpiryCapped, expires, time.Duration(got)*time.Second, r.Expires.UTC().Format(time.RFC3339))
		}
	}
	return r, nil
}

// urlExpires returns the X-Amz-Expires of a presigned URL.
func urlExpires(u string) int64 {
	_, v, ok := strings.Cut(u, "&X-Amz-Expires=")
	if !ok {
		return -1
	}
	v, _, _ = strings.Cut(v, "&")
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// encodeQuery returns the raw query of c's parameters (see appendQuery).
func encodeQuery(c *call) string {
	if len(c.query) == 0 {
		return ""
	}
	c.b = appendQuery(c.b[:0], c)
	return string(c.b)
}

// appendQuery appends the raw query of c's parameters, each name and value
// escaped with SigV4's rule so that the URL is byte for byte what is
// signed. A parameter without a value is written without '=' ("uploads").
func appendQuery(b []byte, c *call) []byte {
	for i, q := range c.query {
		if i > 0 {
			b = append(b, '&')
		}
		b = appendEscaped(b, q.name)
		if q.value != "" {
			b = append(b, '=')
			b = appendEscaped(b, q.value)
		}
	}
	return b
}

// appendEscaped appends s with every byte outside A-Za-z0-9-._~ encoded as
// %XX, as sigv4.EscapeURIComponent does.
func appendEscaped(b []byte, s string) []byte { return awsenc.AppendEscaped(b, s, false) }
