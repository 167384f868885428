package sigv4a

import "errors"

// Errors that callers can test for with [errors.Is]. The errors of this
// package wrap one of these and add what was wrong.
var (
	// ErrInvalidCredentials reports credentials without an access key ID
	// or a secret access key.
	ErrInvalidCredentials = errors.New("sigv4a: invalid credentials")

	// ErrKeyDerivation reports that key derivation found no private key:
	// every candidate of the 254 counter values was above n−2. For
	// HMAC-SHA256 outputs this happens with probability about 2^-8128, so
	// it signals a broken hash rather than unlucky credentials.
	ErrKeyDerivation = errors.New("sigv4a: key derivation failed")
)

// Errors of the signature helpers, for the signer and the verifier built on
// them.
var (
	// errMalformedSignature reports a signature that is not the lower-case
	// hex of at most 72 bytes.
	errMalformedSignature = errors.New("sigv4a: malformed signature")

	// errSignatureMismatch reports a well-formed signature that does not
	// verify.
	errSignatureMismatch = errors.New("sigv4a: signature does not match")
)
