package sigv4a

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// AlgorithmName is SigV4a's algorithm name: the first line of its string
// to sign, the first word of its Authorization header and its
// X-Amz-Algorithm.
const AlgorithmName = algorithm

// ErrInvalidConfig reports a Config that New refuses; the error wrapping
// it names the field and what is wrong with it.
var ErrInvalidConfig = errors.New("sigv4a: invalid config")

// Config configures a SigV4a [Signer]. Its fields mean what those of
// [sigv4.Config] mean, with RegionSet in place of Region. It prints
// redacted, naming its provider by type.
type Config struct {
	// Service is the signing name of the service ("s3").
	Service string
	// RegionSet lists the regions the signatures are valid in, each a
	// region name ("us-east-1") or a pattern with '*' ("*" for every
	// region, as S3 Multi-Region Access Points want, or "us-*"). It is
	// signed as X-Amz-Region-Set, comma-joined in this order.
	RegionSet []string
	// Credentials provides the keys; it is called once per signature.
	Credentials credentials.Provider
	// Now returns the signing time; nil means time.Now.
	Now func() time.Time

	// DoubleEscape, NormalizePath, ContentSHA256Header and
	// SignSessionToken are those of [sigv4.Config], with the same
	// defaults for Service.
	DoubleEscape, NormalizePath, ContentSHA256Header, SignSessionToken sigv4.Toggle
}

// Signer signs HTTP requests with SigV4a (AWS4-ECDSA-P256-SHA256). It is a
// [sigv4.Signer] whose key and signature steps are SigV4a's: the canonical
// request and the string to sign are sigv4's, with the region-less
// credential scope and X-Amz-Region-Set signed. It derives the private
// key of its credentials once (see [DeriveKey]) and keeps it in a bounded
// cache, so that a signature costs one ECDSA signing. It is safe for
// concurrent use, and prints redacted (its service, region set and
// provider type).
type Signer struct {
	v4    *sigv4.Signer
	alg   *ecdsaAlgorithm
	creds credentials.Provider
	set   string
}

// New returns a Signer for cfg. It fails, with an error wrapping
// [ErrInvalidConfig] or sigv4.ErrInvalidConfig, when the service, the
// region set or the credentials provider is missing or malformed, or a
// toggle has an unknown value.
func New(cfg Config) (*Signer, error) {
	set, err := joinRegionSet(cfg.RegionSet)
	if err != nil {
		return nil, err
	}
	alg := newAlgorithm()
	v4, err := sigv4.New(sigv4.Config{
		Service:             cfg.Service,
		Region:              set,
		Credentials:         cfg.Credentials,
		Now:                 cfg.Now,
		DoubleEscape:        cfg.DoubleEscape,
		NormalizePath:       cfg.NormalizePath,
		ContentSHA256Header: cfg.ContentSHA256Header,
		SignSessionToken:    cfg.SignSessionToken,
		KeyCacheSize:        -1, // SigV4's HMAC keys are never derived
		Algorithm:           alg,
	})
	if err != nil {
		return nil, fmt.Errorf("sigv4a: %w", err)
	}
	return &Signer{v4: v4, alg: alg, creds: cfg.Credentials, set: set}, nil
}

// joinRegionSet checks a region set and returns it comma-joined.
func joinRegionSet(set []string) (string, error) {
	if len(set) == 0 {
		return "", fmt.Errorf("%w: empty RegionSet (want regions such as \"us-east-1\", or \"*\" for all)", ErrInvalidConfig)
	}
	for i, r := range set {
		if !validRegionPattern(r) {
			return "", fmt.Errorf("%w: RegionSet[%d] %q is not a region name or a pattern with '*' (lower-case letters, digits, '-' and '*'; no commas or spaces)", ErrInvalidConfig, i, r)
		}
	}
	return strings.Join(set, ","), nil
}

// validRegionPattern reports whether r is 1 to 64 lower-case letters,
// digits, dashes and stars.
func validRegionPattern(r string) bool {
	if r == "" || len(r) > 64 {
		return false
	}
	for i := 0; i < len(r); i++ {
		if c := r[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '*') {
			return false
		}
	}
	return true
}

// Sign signs req in place with the Authorization header, as
// [sigv4.Signer.Sign] does, adding X-Amz-Date, X-Amz-Region-Set and, per
// the toggles, X-Amz-Content-Sha256 and X-Amz-Security-Token. The
// signature is randomized: two signatures of one request differ, and both
// verify.
func (s *Signer) Sign(ctx context.Context, req *http.Request, payloadHash string) error {
	return s.v4.Sign(ctx, req, payloadHash)
}

// Presign returns a presigned URL for req, as [sigv4.Signer.Presign]
// does, with X-Amz-Algorithm AWS4-ECDSA-P256-SHA256, the region-less
// X-Amz-Credential and X-Amz-Region-Set among its signed parameters.
func (s *Signer) Presign(ctx context.Context, req *http.Request, expires time.Duration) (*sigv4.Presigned, error) {
	return s.v4.Presign(ctx, req, expires)
}

// Explain computes the signature of req as Sign would, without changing
// req, and returns every intermediate value: the canonical request, the
// string to sign, the scope date/service/aws4_request, the hex DER
// signature (a fresh one: Sign's will differ) and, in Trace.PublicKey,
// the public key of the credentials, "X Y" in hex, that checks it.
func (s *Signer) Explain(ctx context.Context, req *http.Request, payloadHash string) (*sigv4.Trace, error) {
	tr, err := s.v4.Explain(ctx, req, payloadHash)
	if err != nil {
		return nil, err
	}
	return s.withPublicKey(ctx, tr)
}

// ExplainPresign is Explain for Presign: the values of the presigned URL's
// signature.
func (s *Signer) ExplainPresign(ctx context.Context, req *http.Request, expires time.Duration) (*sigv4.Trace, error) {
	tr, err := s.v4.ExplainPresign(ctx, req, expires)
	if err != nil {
		return nil, err
	}
	return s.withPublicKey(ctx, tr)
}

// withPublicKey sets tr.PublicKey to the public key of the credentials.
// It retrieves them again: a provider that rotated in between gives the
// key of the new credentials, which no longer checks tr.Signature.
func (s *Signer) withPublicKey(ctx context.Context, tr *sigv4.Trace) (*sigv4.Trace, error) {
	creds, err := s.creds.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("sigv4a: credentials: %w", err)
	}
	priv, err := s.alg.keys.get(creds.AccessKeyID, creds.SecretAccessKey)
	if err != nil {
		return nil, err
	}
	x, y, err := publicKeyCoordinates(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	tr.PublicKey = x + " " + y
	return tr, nil
}

// RegionSet returns the region set, comma-joined, as X-Amz-Region-Set
// carries it.
func (s *Signer) RegionSet() string { return s.set }

// Service returns the signing service name.
func (s *Signer) Service() string { return s.v4.Service() }

// SigV4 returns the [sigv4.Signer] that s wraps, which signs with SigV4a:
// for the APIs that take a *sigv4.Signer, such as [sigv4.Transport]
// (Transport{Signer: s.SigV4()} signs every request with SigV4a) and
// SignStreaming (unsigned-trailer uploads only).
func (s *Signer) SigV4() *sigv4.Signer { return s.v4 }

// Algorithm returns SigV4a as a [sigv4.SignatureAlgorithm], for a
// [sigv4.Verifier] that accepts SigV4a requests:
//
//	sigv4.VerifierConfig{..., Algorithms: []sigv4.SignatureAlgorithm{sigv4a.Algorithm()}}
//
// The Verifier then checks, for a request signed with
// AWS4-ECDSA-P256-SHA256, that X-Amz-Region-Set is signed and names one
// of its Regions ('*' matches any), derives the public key from the
// secret it looks up, and verifies the ECDSA signature. Each call returns
// an algorithm with its own cache of derived keys (64 access keys), so
// give each Verifier its own.
func Algorithm() sigv4.SignatureAlgorithm { return newAlgorithm() }

// ecdsaAlgorithm is AWS4-ECDSA-P256-SHA256 as sigv4's key and signature
// steps, with a cache of derived keys. It prints redacted: the cache holds
// secrets and private keys.
type ecdsaAlgorithm struct {
	keys *keyCache
}

func newAlgorithm() *ecdsaAlgorithm { return &ecdsaAlgorithm{keys: newKeyCache(0)} }

// Name returns AWS4-ECDSA-P256-SHA256.
func (a *ecdsaAlgorithm) Name() string { return algorithm }

// RegionSet returns true: SigV4a signs for a region set.
func (a *ecdsaAlgorithm) RegionSet() bool { return true }

// AppendSignature appends the hex DER ECDSA signature of stringToSign with
// the (cached) key of creds.
func (a *ecdsaAlgorithm) AppendSignature(dst []byte, creds credentials.Credentials, stringToSign []byte) ([]byte, error) {
	priv, err := a.keys.get(creds.AccessKeyID, creds.SecretAccessKey)
	if err != nil {
		return dst, err
	}
	return appendSignature(dst, priv, stringToSign)
}

// VerifySignature checks signature, hex DER, against stringToSign and the
// public key of creds (derived once and cached).
func (a *ecdsaAlgorithm) VerifySignature(creds credentials.Credentials, stringToSign []byte, signature string) error {
	priv, err := a.keys.get(creds.AccessKeyID, creds.SecretAccessKey)
	if err != nil {
		return err
	}
	return verifySignature(&priv.PublicKey, stringToSign, signature)
}
