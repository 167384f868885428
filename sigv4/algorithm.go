package sigv4

import (
	"fmt"
	"strings"

	"github.com/sigv4kit/sigv4kit/credentials"
)

// The algorithm seam.
//
// Steps 1 and 2 of a signature (steps.go) are the same for every algorithm
// AWS defines: the canonical request, then the string to sign, whose first
// line names the algorithm. Steps 3 and 4, the key and the signature, are
// the algorithm's own: SigV4's HMAC-SHA256, which Signer and Verifier
// compute themselves with their caches, or another algorithm plugged in as
// a SignatureAlgorithm (SigV4a's ECDSA P-256, package sigv4a). An algorithm
// with region sets changes two inputs of steps 1 and 2, not how they work:
// its credential scope leaves out the region, and X-Amz-Region-Set is
// signed, as a header (slotRegionSet) or a presign query parameter.

// SignatureAlgorithm is the key and signature steps (3 and 4) of an
// algorithm other than AWS4-HMAC-SHA256: package sigv4a implements
// AWS4-ECDSA-P256-SHA256 with it. A [Signer] built with one
// ([Config.Algorithm]) and a [Verifier] that accepts one
// ([VerifierConfig.Algorithms]) build the canonical request and the string
// to sign as for SigV4 and hand the string to sign to it.
type SignatureAlgorithm interface {
	// Name returns the algorithm's name: the first line of the string to
	// sign, the first word of the Authorization header and the value of
	// X-Amz-Algorithm. It is constant, and not "AWS4-HMAC-SHA256".
	Name() string
	// RegionSet reports whether the algorithm signs for a set of regions;
	// it is constant. When it does, the credential scope is
	// date/service/aws4_request and the regions are signed as
	// X-Amz-Region-Set: a header when signing with the Authorization
	// header, a query parameter when presigning.
	RegionSet() bool
	// AppendSignature appends to dst the signature of stringToSign with
	// creds, as a request carries it: lower-case hex digits, at most
	// MaxSignatureHex of them. It is called concurrently.
	AppendSignature(dst []byte, creds credentials.Credentials, stringToSign []byte) ([]byte, error)
	// VerifySignature returns nil when signature, as a request carries it,
	// is a signature of stringToSign with creds, and an error saying why
	// not otherwise. It is called concurrently.
	VerifySignature(creds credentials.Credentials, stringToSign []byte, signature string) error
}

// MaxSignatureHex bounds the hex digits of a signature: those a
// [SignatureAlgorithm] returns, and those a Verifier reads.
const MaxSignatureHex = 512

// checkAlgorithm checks a plugged algorithm, and for one with region sets
// the region set, and returns its name.
func checkAlgorithm(alg SignatureAlgorithm, region string) (name string, regionSet bool, err error) {
	if alg == nil {
		return Algorithm, false, nil
	}
	name = alg.Name()
	if !validAlgorithmName(name) || name == Algorithm {
		return "", false, fmt.Errorf("%w: algorithm name %q is not of the form AWS4-... or is AWS4-HMAC-SHA256", ErrInvalidConfig, name)
	}
	if alg.RegionSet() {
		for _, r := range strings.Split(region, ",") {
			if r == "" {
				return "", false, fmt.Errorf("%w: region set %q has an empty region", ErrInvalidConfig, region)
			}
		}
	}
	return name, alg.RegionSet(), nil
}

// validAlgorithmName reports whether name is "AWS4-" and upper-case
// letters, digits and dashes.
func validAlgorithmName(name string) bool {
	if !strings.HasPrefix(name, "AWS4-") || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// signWith is steps 3 and 4 with a plugged algorithm: the signature of
// sc.sts into sc.sigHex.
func (sc *scratch) signWith(alg SignatureAlgorithm, name string, creds *credentials.Credentials) error {
	sig, err := alg.AppendSignature(sc.sigHex[:0], *creds, sc.sts)
	if err != nil {
		return fmt.Errorf("sigv4: %s signature: %w", name, err)
	}
	if !validSignatureHex(sig) {
		return fmt.Errorf("%w: %s made a signature that is not 1 to %d lower-case hex digits", ErrInvalidConfig, name, MaxSignatureHex)
	}
	sc.sigHex = sig
	return nil
}

// validSignatureHex reports whether sig is 1 to MaxSignatureHex lower-case
// hex digits.
func validSignatureHex[T text](sig T) bool {
	if len(sig) == 0 || len(sig) > MaxSignatureHex {
		return false
	}
	for i := 0; i < len(sig); i++ {
		if !lowerHex[sig[i]] {
			return false
		}
	}
	return true
}
