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
// # Performance
//
// A Signer caches derived keys (bounded, keyed by access key, secret, date,
// region and service, so a rotated secret never reuses a stale key) with
// HMAC's inner and outer states precomputed, and builds each canonical
// request in reused buffers: signing an S3 GET costs one allocation, the
// Authorization value. Signers are safe for concurrent use.
//
// Each Signer keeps one set of buffers between calls (concurrent calls take
// more from a pool), and the buffers remember what does not change from one
// request to the next. Within one second and scope, the string to sign is the same up to
// the canonical request's hash, and so is the HMAC state after its first
// 64-byte block: that block is hashed once per second, not per signature.
// And a service sends requests of a few shapes: when a request has exactly
// the header keys of the last one signed (as many keys, each present), the
// order of the canonical header lines, their lower-case names and the signed
// headers list are reused, and only the values are read and canonicalized
// again. The results are byte for byte those of the full computation; the
// tests check long runs of changing shapes against a slow reference.
//
// The specification is [Signature Version 4]; the test suites it publishes
// run in this package's tests.
//
// [Signature Version 4]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
package sigv4
