package presign

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/sigv4kit/sigv4kit/credentials"
)

// settings reads the environment and the profile, with the AWS SDKs'
// precedence: the environment first.
type settings struct {
	getenv  func(string) string
	profile *credentials.Profile
}

func (s settings) profileSetting(key string) string {
	if s.profile == nil {
		return ""
	}
	return s.profile.Settings[key]
}

// region returns AWS_REGION, AWS_DEFAULT_REGION or the profile's region.
func (s settings) region() string {
	if r := s.getenv("AWS_REGION"); r != "" {
		return r
	}
	if r := s.getenv("AWS_DEFAULT_REGION"); r != "" {
		return r
	}
	if s.profile != nil {
		return s.profile.Region
	}
	return ""
}

// flag returns the boolean environment variable env if it is set, else the
// profile setting key.
func (s settings) flag(env, key string) bool {
	if v := s.getenv(env); v != "" {
		return strings.EqualFold(v, "true")
	}
	return strings.EqualFold(s.profileSetting(key), "true")
}

// endpointURL returns the configured endpoint URL for a service: the
// service's environment variable (AWS_ENDPOINT_URL_S3), AWS_ENDPOINT_URL, the
// profile's services section, the profile's endpoint_url; "" when none is
// set or AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true.
func (s settings) endpointURL(service, env string) string {
	if s.flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls") {
		return ""
	}
	if v := s.getenv(env); v != "" {
		return v
	}
	if v := s.getenv("AWS_ENDPOINT_URL"); v != "" {
		return v
	}
	if s.profile != nil {
		return s.profile.ServiceEndpointURL(service)
	}
	return ""
}

// endpointOptions are the AWS endpoint variants.
type endpointOptions struct {
	dualStack, fips, accelerate bool
}

// endpoint is a resolved service endpoint.
type endpoint struct {
	scheme   string // "https" or "http"
	host     string // host[:port], without a bucket
	basePath string // "" or a path prefix without a trailing '/'
	aws      bool   // an AWS endpoint: virtual-hosted addressing by default
	ipHost   bool   // an IP address: never virtual-hosted
}

// resolveEndpoint parses a configured endpoint URL, or builds AWS's endpoint
// for service in region when raw is empty.
func resolveEndpoint(raw, region, service string, o endpointOptions) (endpoint, error) {
	if raw == "" {
		return awsEndpoint(region, service, o)
	}
	if o.dualStack || o.fips || o.accelerate {
		return endpoint{}, fmt.Errorf("%w: dual-stack, FIPS and accelerate select AWS endpoints and cannot be used with the custom endpoint %q", ErrInvalidConfig, raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return endpoint{}, fmt.Errorf("%w: endpoint: %w", ErrInvalidConfig, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "https" && scheme != "http" || u.Host == "" || u.Opaque != "" {
		return endpoint{}, fmt.Errorf("%w: endpoint %q is not an http or https URL with a host", ErrInvalidConfig, raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return endpoint{}, fmt.Errorf("%w: endpoint %q has user info, a query or a fragment", ErrInvalidConfig, u.Redacted())
	}
	host := strings.ToLower(u.Host)
	// The host as signed and sent: without a default port.
	if scheme == "https" {
		host = strings.TrimSuffix(host, ":443")
	} else {
		host = strings.TrimSuffix(host, ":80")
	}
	ep := endpoint{scheme: scheme, host: host, basePath: strings.TrimRight(u.Path, "/")}
	hostname := strings.ToLower(u.Hostname())
	ep.aws = strings.HasSuffix(hostname, ".amazonaws.com") || strings.HasSuffix(hostname, ".amazonaws.com.cn")
	ep.ipHost = net.ParseIP(hostname) != nil
	return ep, nil
}

// awsEndpoint returns AWS's endpoint for service in region.
func awsEndpoint(region, service string, o endpointOptions) (endpoint, error) {
	if region == "auto" {
		return endpoint{}, fmt.Errorf("%w: region \"auto\" needs an endpoint (Cloudflare R2: %s)", ErrInvalidConfig, R2Endpoint("<account-id>"))
	}
	suffix := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	name := service
	if o.fips {
		name += "-fips"
	}
	var host string
	switch {
	case o.accelerate && service != "s3":
		return endpoint{}, fmt.Errorf("%w: accelerate is an S3 feature", ErrInvalidConfig)
	case o.accelerate && o.fips:
		return endpoint{}, fmt.Errorf("%w: S3 accelerate has no FIPS endpoint", ErrInvalidConfig)
	case o.accelerate && o.dualStack:
		host = "s3-accelerate.dualstack." + suffix
	case o.accelerate:
		host = "s3-accelerate." + suffix
	case o.dualStack:
		host = name + ".dualstack." + region + "." + suffix
	default:
		host = name + "." + region + "." + suffix
	}
	return endpoint{scheme: "https", host: host, aws: true}, nil
}

// R2Endpoint returns the S3 endpoint of a Cloudflare R2 account,
// "https://<accountID>.r2.cloudflarestorage.com", for Config.Endpoint (with
// Region "auto").
func R2Endpoint(accountID string) string {
	return "https://" + accountID + ".r2.cloudflarestorage.com"
}

// addr is where an object (or a bucket) is: the host is the bucket
// prefix (virtual-hosted addressing) and the endpoint's host; the path is
// the endpoint's base path, the bucket (path-style addressing) and the key.
type addr struct {
	virtual     bool
	bucket, key string
	hasKey      bool
}

// virtualHosted reports whether bucket is addressed virtual-hosted.
func (p *Presigner) virtualHosted(bucket string) bool {
	return !p.pathOnly && dnsSafe(bucket, p.ep.scheme == "https" || p.accel)
}

// address chooses the addressing of bucket and key (hasKey false: a bucket
// request); virtual is whether the bucket can be addressed virtual-hosted
// (see virtualHosted).
func (p *Presigner) address(bucket, key string, hasKey, virtual bool) (addr, error) {
	if p.accel && !virtual {
		return addr{}, fmt.Errorf("%w: %q: accelerate endpoints need a DNS-safe bucket name without dots", ErrInvalidBucket, bucket)
	}
	return addr{virtual: virtual, bucket: bucket, key: key, hasKey: hasKey}, nil
}

// appendHost appends the host of a.
func (p *Presigner) appendHost(b []byte, a addr) []byte {
	if a.virtual {
		b = append(b, a.bucket...)
		b = append(b, '.')
	}
	return append(b, p.ep.host...)
}

// appendPath appends the path of a, decoded (url.URL.Path's form).
func (p *Presigner) appendPath(b []byte, a addr) []byte {
	b = append(b, p.ep.basePath...)
	b = append(b, '/')
	if a.virtual {
		return append(b, a.key...)
	}
	b = append(b, a.bucket...)
	if a.hasKey {
		b = append(b, '/')
		b = append(b, a.key...)
	}
	return b
}

// checkBucket rejects bucket names that cannot be put in a URL.
func checkBucket(bucket string) error {
	if bucket == "" {
		return fmt.Errorf("%w: empty", ErrInvalidBucket)
	}
	if len(bucket) > 255 {
		return fmt.Errorf("%w: %d bytes", ErrInvalidBucket, len(bucket))
	}
	if strings.HasPrefix(bucket, "arn:") {
		return fmt.Errorf("%w: %q: access point and Outposts ARNs are not supported", ErrInvalidBucket, bucket)
	}
	for i := 0; i < len(bucket); i++ {
		if c := bucket[i]; c <= ' ' || c == '/' || c == 0x7f {
			return fmt.Errorf("%w: %q contains '/', a space or a control character", ErrInvalidBucket, bucket)
		}
	}
	return nil
}

// dnsSafe reports whether bucket can be a DNS label prefix of a
// virtual-hosted address: 3 to 63 lower-case letters, digits, '-' and '.',
// starting and ending with a letter or digit, labels not starting or ending
// with '-', not an IP address, and without dots when noDots (over https, a
// dot breaks the wildcard certificate).
func dnsSafe(bucket string, noDots bool) bool {
	if len(bucket) < 3 || len(bucket) > 63 {
		return false
	}
	dots := false
	prev := byte('.') // the label boundary before the first byte
	for i := 0; i < len(bucket); i++ {
		c := bucket[i]
		switch {
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
		case c == '-':
			if prev == '.' {
				return false
			}
		case c == '.':
			if prev == '.' || prev == '-' {
				return false
			}
			dots = true
		default:
			return false
		}
		prev = c
	}
	if prev == '-' || prev == '.' {
		return false
	}
	return !dots || !noDots && net.ParseIP(bucket) == nil
}

// validRegion reports whether region can appear in a host name and a
// credential scope.
func validRegion(region string) bool {
	for i := 0; i < len(region); i++ {
		if c := region[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return region != ""
}
