// Package sigv4 signs and verifies HTTP requests with AWS Signature Version
// 4 (SigV4), the scheme every AWS service and every S3-compatible server
// authenticates requests with.
//
// A [Signer] signs with the Authorization header ([Signer.Sign]) or into
// the query string, as a presigned URL ([Signer.Presign]). [Signer.Explain]
// and [Signer.ExplainPresign] return every intermediate of a signature as a
// [Trace]: the first thing to compare when a server answers
// SignatureDoesNotMatch.
//
// The server side is a [Verifier]: it checks header-signed requests and
// presigned URLs with the same canonicalization, compares signatures in
// constant time, checks the payload hash as the body streams, and reports
// refusals as [AuthError] values carrying S3's error codes; [Verifier.Middleware]
// puts it in front of an http.Handler.
//
// Uploads can also be signed as they stream, in aws-chunked encoding:
// [Signer.SignStreaming] signs each chunk (or sends a checksum trailer,
// see [StreamMode]) without reading the body first, and the Verifier
// decodes such bodies, releasing each chunk only once verified.
//
// # The protocol, step by step
//
// SigV4 signs a canonical form of the request with a key derived from the
// secret access key. The walk below follows AWS's published IAM example:
// access key AKIDEXAMPLE, secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
// region us-east-1, service iam, at 2015-08-30T12:36:00Z, for
//
//	GET https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08
//	Content-Type: application/x-www-form-urlencoded; charset=utf-8
//
// Step 1, the canonical request: the method, the canonical URI
// ([CanonicalURI]), the canonical query ([CanonicalQuery]), the canonical
// headers and the signed header names ([CanonicalHeaders]), and the
// hex SHA-256 of the payload, one per line:
//
//	GET
//	/
//	Action=ListUsers&Version=2010-05-08
//	content-type:application/x-www-form-urlencoded; charset=utf-8
//	host:iam.amazonaws.com
//	x-amz-date:20150830T123600Z
//
//	content-type;host;x-amz-date
//	e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
//
// The path is escaped with the unreserved set A-Za-z0-9-._~: once for S3
// (the canonical URI of the key "a b+c" is "/a%20b%2Bc"), and twice for
// every other service, whose path is also normalized ("." and ".."
// resolved, "//" collapsed, and a trailing '/' kept only where the path
// as sent ends in one: "/a/b/.." is signed as "/a"). Query keys and values are decoded, escaped
// again and sorted. Header names are lower-cased and sorted; values are
// trimmed and inner runs of spaces collapsed; repeated headers are joined
// with commas. The last line is the payload hash: here the hash of an empty
// body; [UnsignedPayload] for S3 requests that do not sign their body.
//
// Step 2, the string to sign: the algorithm, the request time, the
// credential scope (date/region/service/aws4_request) and the hex SHA-256
// of the canonical request:
//
//	AWS4-HMAC-SHA256
//	20150830T123600Z
//	20150830/us-east-1/iam/aws4_request
//	f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59
//
// Step 3, the signing key ([SigningKey]): four chained HMAC-SHA256s of the
// date, region, service and "aws4_request", starting from "AWS4" + secret:
//
//	c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9
//
// Step 4, the signature: the hex HMAC-SHA256 of the string to sign with the
// signing key, sent in the Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request,
//	  SignedHeaders=content-type;host;x-amz-date,
//	  Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7
//
// A presigned URL carries the same parts as query parameters
// (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
// X-Amz-SignedHeaders, X-Amz-Security-Token), which are then part of the
// canonical query, and X-Amz-Signature after them.
//
// # Service rules
//
// The S3 family (s3, s3-object-lambda, s3-outposts, s3express) escapes the
// path once, never normalizes it, and signs an X-Amz-Content-Sha256 header;
// other services do the opposite. [Config] has a [Toggle] for each rule, so
// that the defaults are AWS's and any of them can be forced.
//
// # Reading the code
//
// The source follows the four steps above. steps.go holds them in that
// order: canonicalRequest (step 1, which puts together the canonical URI,
// query and headers from the building blocks of canonical.go),
// stringToSign (step 2), derive (step 3, behind [SigningKey]) and
// signature (step 4). [Signer.Sign] and the other entries of sign.go read
// the request (request.go: an *http.Request, or [Parts] for a caller that
// has no request to build) and call compute, a short sequence of the four.
// The [Verifier] runs the same steps on the request it received
// (verifysteps.go); what differs is said where the steps ask: which headers
// step 1 signs (for the verifier, the names the request's SignedHeaders
// lists, and an x-amz-* header it does not list refuses the request) and
// which query parameters it leaves out (X-Amz-Signature) or adds (the
// presign parameters).
//
// Steps 3 and 4 are the algorithm's own. A [SignatureAlgorithm] plugs in
// another one ([Config.Algorithm], [VerifierConfig.Algorithms]): package
// sigv4a's AWS4-ECDSA-P256-SHA256, whose credential scope leaves out the
// region (date/service/aws4_request) and whose regions are signed as
// X-Amz-Region-Set. Steps 1 and 2 do not change: the tests run AWS's v4a
// suite through them.
//
// # Performance
//
// Header-signing an S3 GET costs one allocation (the Authorization value)
// and about twice the work no signer can skip (SHA-256 of the canonical
// request and one HMAC). Hashing a body adds none of the signer's own: the
// digest stays in the scratch, and when it is sent as X-Amz-Content-Sha256
// it shares the Authorization value's string (a GetBody call allocates
// what it returns). Presigning an S3 GET costs 3 allocations; verifying
// either costs one (the [Verified]) and about 1.4 to 1.5 times signing it
// (a presigned URL's query is read once, for its X-Amz-* parameters and
// step 1 together).
// Signers and Verifiers are safe for concurrent use.
//
// Each Signer and Verifier keeps one scratch of buffers between calls
// (concurrent calls take more from a pool), and the scratch remembers what
// does not change from one request to the next. Each cache is a small type
// in its own file, which says what it remembers and why the result is
// byte for byte the full computation's:
//
//   - scope.go: X-Amz-Date, the credential scope and the first lines of the
//     string to sign, per second, algorithm, region and service;
//   - midstate.go: the HMAC's state after the first 64-byte block of the
//     string to sign, which every signature of one second and scope shares,
//     so that block is hashed once per second, not per signature;
//   - shape.go: what step 1 worked out for the last header key set (which
//     keys are signed, under which lower-case names, in which order), so a
//     request with the same keys and new values costs one map lookup per
//     key instead of collecting, lower-casing and sorting them again;
//   - keycache.go: derived signing keys with HMAC's pad states precomputed,
//     bounded and keyed by access key, secret, date, region and service, so
//     a rotated secret never reuses a stale key;
//   - authcache.go: the verifier's last Credential and SignedHeaders, split,
//     and each presign parameter's last value that was canonical as sent,
//     so that reading it into the canonical query needs no scan.
//
// The tests run long random sequences of requests from concurrent
// goroutines through the caches and compare every result with a reference
// computed without any cache.
//
// Steps 2 and 4 hash short messages, so the SHA-256 calls finish them
// without hash.Hash.Sum: the message's last block is written with its
// padding, and the digest read from the finished state (an internal
// package, tested against crypto/sha256 at every padding boundary).
//
// The specification is [Signature Version 4]; the test suites it publishes
// run in this package's tests.
//
// [Signature Version 4]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
package sigv4
