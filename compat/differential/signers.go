package differential

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/encoding/httpbinding"
	"github.com/aws/smithy-go/logging"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// Result is what one signer produced for a Spec.
type Result struct {
	// Authorization is the Authorization header (header signing).
	Authorization string
	// Date is the X-Amz-Date header or parameter.
	Date string
	// Signature, SignedHeaders and Credential are taken from the
	// Authorization header or from the presigned URL.
	Signature, SignedHeaders, Credential string
	// URL is the presigned URL (presigning).
	URL string
	// WirePath is the escaped path the request goes out with.
	WirePath string
	// Host is the host the request goes out with.
	Host string
	// Canonical returns the signer's canonical request; it is called only
	// to explain a mismatch.
	Canonical func() string
}

// KitConfig returns the sigv4kit configuration that applies s's rules.
func (s *Spec) KitConfig() sigv4.Config {
	cfg := sigv4.Config{
		Service:     s.Service,
		Region:      s.Region,
		Credentials: credentials.Static(s.AccessKey, s.Secret, s.Token),
		Now:         func() time.Time { return s.Time },
	}
	if !s.S3 && !s.Normalize {
		cfg.NormalizePath = sigv4.Off
	}
	if !s.S3 && s.ContentHeader {
		cfg.ContentSHA256Header = sigv4.On
	}
	if s.UnsignedToken {
		cfg.SignSessionToken = sigv4.Off
	}
	return cfg
}

// baseURL returns the URL both sides start from.
func (s *Spec) baseURL() *url.URL {
	return &url.URL{Scheme: s.Scheme, Host: s.URLHost, Path: s.Path, RawPath: s.RawPath, RawQuery: s.RawQuery}
}

// newRequest builds a request for u with s's method, headers and body.
// headers may be a subset of s.Headers.
func (s *Spec) newRequest(u *url.URL, headers []Header) *http.Request {
	req := &http.Request{
		Method: s.Method,
		URL:    u,
		Host:   s.ReqHost,
		Header: make(http.Header),
	}
	for _, h := range headers {
		req.Header[h.Name] = append(req.Header[h.Name], h.Value)
	}
	if len(s.Body) > 0 {
		body := s.Body
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		req.ContentLength = int64(len(body))
	}
	return req
}

// sdkRequiredSigned mirrors aws-sdk-go-v2's RequiredSignedHeaders: the
// X-Amz-* headers its presigner keeps as headers. Map entries match the
// http.Header key exactly, as in the SDK.
var sdkRequiredSigned = map[string]bool{
	"X-Amz-Acl": true, "X-Amz-Copy-Source": true, "X-Amz-Copy-Source-If-Match": true,
	"X-Amz-Copy-Source-If-Modified-Since": true, "X-Amz-Copy-Source-If-None-Match": true,
	"X-Amz-Copy-Source-If-Unmodified-Since": true, "X-Amz-Copy-Source-Range": true,
	"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Algorithm": true,
	"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key":       true,
	"X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key-Md5":   true,
	"X-Amz-Grant-Full-control":                                    true, "X-Amz-Grant-Read": true, "X-Amz-Grant-Read-Acp": true,
	"X-Amz-Grant-Write": true, "X-Amz-Grant-Write-Acp": true, "X-Amz-Metadata-Directive": true,
	"X-Amz-Mfa": true, "X-Amz-Server-Side-Encryption": true,
	"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id": true, "X-Amz-Server-Side-Encryption-Context": true,
	"X-Amz-Server-Side-Encryption-Customer-Algorithm": true,
	"X-Amz-Server-Side-Encryption-Customer-Key":       true,
	"X-Amz-Server-Side-Encryption-Customer-Key-Md5":   true, "X-Amz-Storage-Class": true,
	"X-Amz-Website-Redirect-Location": true, "X-Amz-Content-Sha256": true, "X-Amz-Tagging": true,
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// SDKHoists reports whether aws-sdk-go-v2's presigner (with hoisting on)
// moves the header with map key name into the query.
func SDKHoists(name string) bool {
	if !hasPrefixFold(name, "X-Amz-") || sdkRequiredSigned[name] {
		return false
	}
	switch {
	case hasPrefixFold(name, "X-Amz-Checksum-") && !hasPrefixFold(name, "X-Amz-Checksum-Mode"),
		hasPrefixFold(name, "X-Amz-Object-Lock-"), hasPrefixFold(name, "X-Amz-Meta-"):
		return false
	}
	return true
}

// KitRequest builds sigv4kit's request. For presigning with s.Hoist, the
// headers the SDK hoists are query parameters instead, appended in order.
func (s *Spec) KitRequest(presign bool) *http.Request {
	u := s.baseURL()
	headers := s.Headers
	if presign && s.Hoist {
		headers = nil
		var extra []string
		for _, h := range s.Headers {
			if SDKHoists(h.Name) {
				extra = append(extra, sigv4.EscapeURIComponent(h.Name)+"="+sigv4.EscapeURIComponent(h.Value))
			} else {
				headers = append(headers, h)
			}
		}
		if len(extra) > 0 {
			if u.RawQuery != "" {
				u.RawQuery += "&"
			}
			u.RawQuery += strings.Join(extra, "&")
		}
	}
	return s.newRequest(u, headers)
}

// sdkURL returns the URL aws-sdk-go-v2 gets: for S3, RawPath is the key
// escaped once by smithy-go's httpbinding.EscapePath, as the SDK's S3 client
// does; for other services the wire path, normalized by [RefNormalize] when
// s.Normalize is set (the SDK never normalizes).
func (s *Spec) sdkURL() *url.URL {
	u := s.baseURL()
	if s.S3 {
		u.RawPath = httpbinding.EscapePath(s.Path, false)
		return u
	}
	ep := u.EscapedPath()
	if s.Normalize {
		ep = RefNormalize(ep)
	}
	p, err := url.PathUnescape(ep)
	if err != nil {
		panic(fmt.Sprintf("differential: escaped path %q does not unescape: %v", ep, err))
	}
	u.Path, u.RawPath = p, ep
	if got := u.EscapedPath(); got != ep {
		panic(fmt.Sprintf("differential: EscapedPath %q, want %q", got, ep))
	}
	return u
}

// RefNormalize is a reference normalization of a URI path, independent of
// sigv4kit's: path.Clean (which resolves "." and "..", collapses "//" and
// never climbs above the root), keeping a trailing '/' only when the path
// ended with "/", as aws-c-auth, botocore and @smithy/signature-v4 do.
func RefNormalize(p string) string {
	if p == "" {
		return "/"
	}
	c := path.Clean("/" + p)
	if c != "/" && strings.HasSuffix(p, "/") {
		c += "/"
	}
	return c
}

// SDKRequest builds aws-sdk-go-v2's request. Header map keys that differ
// only in case are merged into one key, values in sigv4kit's order (by map
// key), because the SDK joins them in map iteration order, which is random
// (see TestQuirkSDKMixedCaseDuplicateOrder).
func (s *Spec) SDKRequest(presign bool) *http.Request {
	u := s.sdkURL()
	headers := mergeCaseVariants(s.Headers)
	if presign && s.Hoist {
		// Hoisted headers become query parameters under their own keys:
		// merge only those that stay headers.
		var hoisted, kept []Header
		for _, h := range s.Headers {
			if SDKHoists(h.Name) {
				hoisted = append(hoisted, h)
			} else {
				kept = append(kept, h)
			}
		}
		headers = append(hoisted, mergeCaseVariants(kept)...)
	}
	req := s.newRequest(u, headers)
	if presign {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += "X-Amz-Expires=" + strconv.FormatInt(int64(s.Expires/time.Second), 10)
	}
	return req
}

// mergeCaseVariants merges headers whose names are equal ignoring case
// under the first key in sorted order, values ordered by key.
func mergeCaseVariants(hs []Header) []Header {
	byLower := map[string][]string{}
	for _, h := range hs {
		l := strings.ToLower(h.Name)
		if !containsString(byLower[l], h.Name) {
			byLower[l] = append(byLower[l], h.Name)
		}
	}
	var out []Header
	done := map[string]bool{}
	for _, h := range hs {
		l := strings.ToLower(h.Name)
		keys := byLower[l]
		if len(keys) == 1 {
			out = append(out, h)
			continue
		}
		if done[l] {
			continue
		}
		done[l] = true
		sort.Strings(keys)
		for _, k := range keys {
			for _, h2 := range hs {
				if h2.Name == k {
					out = append(out, Header{keys[0], h2.Value})
				}
			}
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sdkPayload returns the payload hash the SDK is given for header signing.
func (s *Spec) sdkPayload() string {
	if s.PayloadHash == "" {
		return s.BodyHash()
	}
	return s.PayloadHash
}

// SDKSigner is the aws-sdk-go-v2 signer the comparisons use.
var SDKSigner = v4.NewSigner()

func (s *Spec) sdkOptions(presign bool, logger logging.Logger) func(*v4.SignerOptions) {
	return func(o *v4.SignerOptions) {
		o.DisableURIPathEscaping = s.S3
		o.DisableSessionToken = s.UnsignedToken
		o.DisableHeaderHoisting = !(presign && s.Hoist)
		if logger != nil {
			o.LogSigning = true
			o.Logger = logger
		}
	}
}

func (s *Spec) sdkCreds() aws.Credentials {
	return aws.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.Secret, SessionToken: s.Token}
}

// canonicalFromLog extracts the canonical request from the SDK's signing
// log.
func canonicalFromLog(msg string) string {
	const start = "---[ CANONICAL STRING  ]-----------------------------\n"
	const end = "\n---[ STRING TO SIGN ]"
	i := strings.Index(msg, start)
	j := strings.Index(msg, end)
	if i < 0 || j < i {
		return msg
	}
	return msg[i+len(start) : j]
}

func sdkLogger(out *string) logging.Logger {
	return logging.LoggerFunc(func(_ logging.Classification, format string, v ...any) {
		*out = fmt.Sprintf(format, v...)
	})
}

// parseAuthorization splits an Authorization header into its parts.
func parseAuthorization(r *Result) {
	v := strings.TrimPrefix(r.Authorization, sigv4.Algorithm+" ")
	for _, part := range strings.Split(v, ", ") {
		k, val, _ := strings.Cut(part, "=")
		switch k {
		case "Credential":
			r.Credential = val
		case "SignedHeaders":
			r.SignedHeaders = val
		case "Signature":
			r.Signature = val
		}
	}
}

func effectiveHost(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	return req.URL.Host
}

// KitSign header-signs s with sigv4kit.
func (s *Spec) KitSign(ctx context.Context) (Result, error) {
	signer, err := sigv4.New(s.KitConfig())
	if err != nil {
		return Result{}, err
	}
	req := s.KitRequest(false)
	if err := signer.Sign(ctx, req, s.PayloadHash); err != nil {
		return Result{}, err
	}
	r := Result{
		Authorization: req.Header.Get("Authorization"),
		Date:          req.Header.Get("X-Amz-Date"),
		WirePath:      req.URL.EscapedPath(),
		Host:          effectiveHost(req),
	}
	parseAuthorization(&r)
	r.Canonical = func() string {
		tr, err := signer.Explain(ctx, s.KitRequest(false), s.PayloadHash)
		if err != nil {
			return "Explain: " + err.Error()
		}
		return tr.CanonicalRequest
	}
	return r, nil
}

// SDKSign header-signs s with aws-sdk-go-v2.
func (s *Spec) SDKSign(ctx context.Context) (Result, error) {
	req := s.SDKRequest(false)
	payload := s.sdkPayload()
	if s.S3 || s.ContentHeader {
		req.Header.Set("X-Amz-Content-Sha256", payload)
	}
	if err := SDKSigner.SignHTTP(ctx, s.sdkCreds(), req, payload, s.Service, s.Region, s.Time, s.sdkOptions(false, nil)); err != nil {
		return Result{}, err
	}
	r := Result{
		Authorization: req.Header.Get("Authorization"),
		Date:          req.Header.Get("X-Amz-Date"),
		WirePath:      req.URL.EscapedPath(),
		Host:          effectiveHost(req),
	}
	parseAuthorization(&r)
	r.Canonical = func() string {
		var msg string
		req := s.SDKRequest(false)
		if s.S3 || s.ContentHeader {
			req.Header.Set("X-Amz-Content-Sha256", payload)
		}
		err := v4.NewSigner().SignHTTP(ctx, s.sdkCreds(), req, payload, s.Service, s.Region, s.Time, s.sdkOptions(false, sdkLogger(&msg)))
		if err != nil {
			return "SignHTTP: " + err.Error()
		}
		return canonicalFromLog(msg)
	}
	return r, nil
}

// presignResult fills a Result from a presigned URL.
func presignResult(rawURL string) (Result, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Result{}, err
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		// A pair the generator put there may not parse (the SDK's own
		// re-encoding always does); the X-Amz-* ones are what matters.
		q = parseLoose(u.RawQuery)
	}
	return Result{
		URL:           rawURL,
		Date:          q.Get("X-Amz-Date"),
		Signature:     q.Get("X-Amz-Signature"),
		SignedHeaders: q.Get("X-Amz-SignedHeaders"),
		Credential:    q.Get("X-Amz-Credential"),
		WirePath:      u.EscapedPath(),
		Host:          u.Host,
	}, nil
}

func parseLoose(raw string) url.Values {
	v := url.Values{}
	for _, piece := range strings.Split(raw, "&") {
		k, val, _ := strings.Cut(piece, "=")
		if !strings.HasPrefix(k, "X-Amz-") {
			continue
		}
		if dv, err := url.QueryUnescape(val); err == nil {
			v.Add(k, dv)
		}
	}
	return v
}

// KitPresign presigns s with sigv4kit.
func (s *Spec) KitPresign(ctx context.Context) (Result, *sigv4.Presigned, error) {
	signer, err := sigv4.New(s.KitConfig())
	if err != nil {
		return Result{}, nil, err
	}
	p, err := signer.Presign(ctx, s.KitRequest(true), s.Expires)
	if err != nil {
		return Result{}, nil, err
	}
	r, err := presignResult(p.URL)
	if err != nil {
		return Result{}, nil, err
	}
	r.Canonical = func() string {
		tr, err := signer.ExplainPresign(ctx, s.KitRequest(true), s.Expires)
		if err != nil {
			return "ExplainPresign: " + err.Error()
		}
		return tr.CanonicalRequest
	}
	return r, p, nil
}

// sdkPresignPayload is the payload line of a presigned request: UNSIGNED-PAYLOAD
// for S3, the body's hash otherwise (what sigv4kit does).
func (s *Spec) sdkPresignPayload() string {
	if s.S3 {
		return sigv4.UnsignedPayload
	}
	return s.BodyHash()
}

// SDKPresign presigns s with aws-sdk-go-v2.
func (s *Spec) SDKPresign(ctx context.Context) (Result, http.Header, error) {
	signed, hdr, err := SDKSigner.PresignHTTP(ctx, s.sdkCreds(), s.SDKRequest(true), s.sdkPresignPayload(), s.Service, s.Region, s.Time, s.sdkOptions(true, nil))
	if err != nil {
		return Result{}, nil, err
	}
	r, err := presignResult(signed)
	if err != nil {
		return Result{}, nil, err
	}
	r.Canonical = func() string {
		var msg string
		_, _, err := v4.NewSigner().PresignHTTP(ctx, s.sdkCreds(), s.SDKRequest(true), s.sdkPresignPayload(), s.Service, s.Region, s.Time, s.sdkOptions(true, sdkLogger(&msg)))
		if err != nil {
			return "PresignHTTP: " + err.Error()
		}
		return canonicalFromLog(msg)
	}
	return r, hdr, nil
}
