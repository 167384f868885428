package sigv4

import (
	"fmt"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
)

// Toggle is a protocol switch in [Config]. Its zero value, Default, means
// "what AWS does for the configured service".
type Toggle uint8

const (
	// Default selects AWS's behaviour for the service.
	Default Toggle = iota
	// On forces the behaviour on.
	On
	// Off forces the behaviour off.
	Off
)

// String returns "default", "on" or "off".
func (t Toggle) String() string {
	switch t {
	case Default:
		return "default"
	case On:
		return "on"
	case Off:
		return "off"
	}
	return fmt.Sprintf("Toggle(%d)", uint8(t))
}

// resolve returns whether the toggle is on, given the service default.
func (t Toggle) resolve(def bool) bool {
	switch t {
	case On:
		return true
	case Off:
		return false
	}
	return def
}

// Config configures a [Signer]. It prints redacted, naming its provider by
// type.
type Config struct {
	// Service is the signing name of the service ("s3", "dynamodb", "sts").
	Service string
	// Region is the signing region ("us-east-1").
	Region string
	// Credentials provides the keys; it is called once per signature.
	// Wrap slow providers in a cache.
	Credentials credentials.Provider
	// Now returns the signing time; nil means time.Now.
	Now func() time.Time

	// DoubleEscape escapes the request's (already escaped) path once more.
	// Default: On, and Off for the S3 family, whose canonical URI is the
	// object key escaped once.
	DoubleEscape Toggle
	// NormalizePath removes "." and ".." segments and collapses "//" before
	// escaping. Default: On, and Off for the S3 family (S3 keys are not
	// paths).
	NormalizePath Toggle
	// ContentSHA256Header makes header signing add and sign
	// X-Amz-Content-Sha256 with the payload hash. Default: Off, and On for the
	// S3 family. Presigned URLs never carry it.
	ContentSHA256Header Toggle
	// SignSessionToken signs X-Amz-Security-Token. Off adds the token after
	// signing, for the few services that want it so. Default: On.
	SignSessionToken Toggle

	// SignHeader, when set, decides for each header of the request whether
	// it is signed. It gets the lower-case name and whether the header would
	// be signed by default (every header except authorization, user-agent,
	// x-amzn-trace-id, expect, transfer-encoding and connection) and returns
	// the decision. Content-Length is signed by default when
	// req.ContentLength is positive, and asked about as "content-length".
	// Host, X-Amz-Date, and the X-Amz-Content-Sha256 and X-Amz-Security-Token
	// headers that the signer adds are always signed and never passed to it.
	SignHeader func(name string, signedByDefault bool) bool

	// KeyCacheSize bounds the number of derived signing keys kept. Zero means
	// 64; a negative value disables the cache.
	KeyCacheSize int

	// Algorithm, when set, signs with another algorithm than
	// AWS4-HMAC-SHA256: package sigv4a sets it for AWS4-ECDSA-P256-SHA256
	// (see [SignatureAlgorithm]). For an algorithm with region sets, Region
	// is the region set ("us-east-1,us-west-2", or "*").
	Algorithm SignatureAlgorithm
}

// s3Family lists the services signed with S3's rules.
func isS3Family(service string) bool {
	switch service {
	case "s3", "s3-object-lambda", "s3-outposts", "s3express":
		return true
	}
	return false
}

// Signer signs HTTP requests with AWS Signature Version 4. It is safe for
// concurrent use; derived signing keys are cached (see [Config.KeyCacheSize]).
// A Signer prints redacted (fmt, log/slog): its service, region and
// provider type, never a secret or a signing key.
type Signer struct {
	service, region string
	creds           credentials.Provider
	now             func() time.Time
	s3              bool
	doubleEscape    bool
	normalize       bool
	contentHeader   bool
	signToken       bool
	signHeader      func(string, bool) bool
	keyStore                     // step 3's keys (keycache.go)
	spare           spareScratch // buffers and caches for the next call (scratch.go)

	// A plugged algorithm (algorithm.go), nil for AWS4-HMAC-SHA256, and
	// its name and whether it signs region sets.
	alg       SignatureAlgorithm
	algName   string
	regionSet bool
}

// New returns a Signer for cfg. It fails when the service, the region or the
// credentials provider is missing, or a toggle has an unknown value.
func New(cfg Config) (*Signer, error) {
	if err := checkScopePart("service", cfg.Service); err != nil {
		return nil, err
	}
	if err := checkScopePart("region", cfg.Region); err != nil {
		return nil, err
	}
	if cfg.Credentials == nil {
		return nil, fmt.Errorf("%w: no credentials provider", ErrInvalidConfig)
	}
	for _, t := range []struct {
		name string
		v    Toggle
	}{
		{"DoubleEscape", cfg.DoubleEscape},
		{"NormalizePath", cfg.NormalizePath},
		{"ContentSHA256Header", cfg.ContentSHA256Header},
		{"SignSessionToken", cfg.SignSessionToken},
	} {
		if t.v > Off {
			return nil, fmt.Errorf("%w: %s has unknown value %d", ErrInvalidConfig, t.name, uint8(t.v))
		}
	}
	name, regionSet, err := checkAlgorithm(cfg.Algorithm, cfg.Region)
	if err != nil {
		return nil, err
	}
	s3 := isS3Family(cfg.Service)
	s := &Signer{
		service:       cfg.Service,
		region:        cfg.Region,
		creds:         cfg.Credentials,
		now:           cfg.Now,
		s3:            s3,
		doubleEscape:  cfg.DoubleEscape.resolve(!s3),
		normalize:     cfg.NormalizePath.resolve(!s3),
		contentHeader: cfg.ContentSHA256Header.resolve(s3),
		signToken:     cfg.SignSessionToken.resolve(true),
		signHeader:    cfg.SignHeader,
		keyStore:      keyStore{keys: newKeyCache(cfg.KeyCacheSize)},
		alg:           cfg.Algorithm,
		algName:       name,
		regionSet:     regionSet,
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// checkScopePart rejects values that cannot appear in a credential scope.
func checkScopePart(what, v string) error {
	if v == "" {
		return fmt.Errorf("%w: empty %s", ErrInvalidConfig, what)
	}
	if strings.ContainsAny(v, "/ \t\r\n") {
		return fmt.Errorf("%w: %s %q contains '/' or whitespace", ErrInvalidConfig, what, v)
	}
	return nil
}

// ForRegion returns a Signer for another region with the same settings. The
// two share their cache of signing keys, so a program that signs for many
// regions keeps one bounded cache.
func (s *Signer) ForRegion(region string) (*Signer, error) {
	if err := checkScopePart("region", region); err != nil {
		return nil, err
	}
	if _, _, err := checkAlgorithm(s.alg, region); err != nil {
		return nil, err
	}
	return &Signer{
		service:       s.service,
		region:        region,
		creds:         s.creds,
		now:           s.now,
		s3:            s.s3,
		doubleEscape:  s.doubleEscape,
		normalize:     s.normalize,
		contentHeader: s.contentHeader,
		signToken:     s.signToken,
		signHeader:    s.signHeader,
		keyStore:      keyStore{keys: s.keys},
		alg:           s.alg,
		algName:       s.algName,
		regionSet:     s.regionSet,
	}, nil
}

// Region returns the signing region.
func (s *Signer) Region() string { return s.region }

// Service returns the signing service name.
func (s *Signer) Service() string { return s.service }
