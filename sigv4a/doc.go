// Package sigv4a implements AWS Signature Version 4a (SigV4a), the
// asymmetric variant of SigV4: one signature that is valid in a set of
// regions rather than in one.
//
// # Use
//
// [New] returns a [Signer] for a service and a region set; its Sign,
// Presign, Explain and ExplainPresign are those of [sigv4.Signer], whose
// canonicalization it reuses through sigv4's algorithm seam
// ([sigv4.SignatureAlgorithm]), and [Signer.SigV4] hands the wrapped
// sigv4.Signer to the APIs that take one ([sigv4.Transport], package
// presign's Presign and MultiRegionAccessPoint). A [sigv4.Verifier]
// accepts SigV4a requests, header-signed and presigned, when the
// Algorithms of its [sigv4.VerifierConfig] hold [Algorithm]:
//
//	s, _ := sigv4a.New(sigv4a.Config{Service: "s3", RegionSet: []string{"*"}, Credentials: provider})
//	v, _ := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "s3", Regions: []string{"eu-west-1"},
//		Secrets: secrets, Algorithms: []sigv4.SignatureAlgorithm{sigv4a.Algorithm()}})
//
// # Why SigV4a exists
//
// A SigV4 signature is an HMAC under a key derived from the secret, the
// date, the region and the service, so it is valid in one region only, and
// only a holder of the secret can check it. Some endpoints are served from
// many regions at once, and each region must check the same signature
// without holding the secret. SigV4a signs with an ECDSA P-256 private key
// derived from the secret, and AWS's regions verify with the public key.
// AWS requires SigV4a for:
//
//   - S3 Multi-Region Access Points
//     (<alias>.accesspoint.s3-global.amazonaws.com, region set "*");
//   - EventBridge global endpoints;
//   - CloudFront KeyValueStore.
//
// # What changes from SigV4
//
// The canonical request is SigV4's, byte for byte, with one more signed
// value: X-Amz-Region-Set, the comma-separated regions the signature is
// valid in ("us-east-1,eu-west-1"), or "*" for every region. Header
// signing sends and signs it as a header; a presigned URL as a query
// parameter.
//
// The string to sign names the algorithm AWS4-ECDSA-P256-SHA256, and its
// credential scope has no region: date/service/aws4_request. For the
// get-vanilla case of AWS's v4a test suite (access key AKIDEXAMPLE, secret
// wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, service "service", region set
// us-east-1, at 2015-08-30T12:36:00Z), the canonical request and the
// string to sign are
//
//	GET
//	/
//
//	host:example.amazonaws.com
//	x-amz-date:20150830T123600Z
//	x-amz-region-set:us-east-1
//
//	host;x-amz-date;x-amz-region-set
//	e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
//
//	AWS4-ECDSA-P256-SHA256
//	20150830T123600Z
//	20150830/service/aws4_request
//	cf59db423e841c8b7e3444158185aa261b724a5c27cbe762676f3eed19f4dc02
//
// and the Authorization header is
//
//	AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/service/aws4_request,
//	  SignedHeaders=host;x-amz-date;x-amz-region-set,
//	  Signature=3045022018b4e277d0281864beb51d3600e23f88510ea5031d68ddfbb686
//	            14b82a5eb7d2022100effb9c5f22ed9ef3ae0ab243d21f06bce82365bbb7
//	            9529a07b6888c343ae5f8c
//
// (one line on the wire). A presigned URL carries the same algorithm,
// region-less credential and region set in its X-Amz-Algorithm,
// X-Amz-Credential and X-Amz-Region-Set parameters, all of them signed.
//
// # The key
//
// [DeriveKey] turns the access key ID and the secret into a P-256 private
// key, once for all dates, regions and services: a counter-mode KDF
// (NIST SP 800-108) with HMAC-SHA256 under the key "AWS4A" + secret, over
//
//	00000001 || "AWS4-ECDSA-P256-SHA256" || 00 || access key ID || counter || 00000100
//
// gives a 256-bit candidate c; while c > n−2 (n the order of P-256), the
// one-byte counter goes up and the KDF runs again; the private key is
// d = c + 1 and the public key d·G. For the suite's credentials the first
// candidate is accepted:
//
//	c = 7efc8c0e65a324242818c5a50c891c6060b6a00717b7ba3cbe3c5d765be9259b
//	d = 7efc8c0e65a324242818c5a50c891c6060b6a00717b7ba3cbe3c5d765be9259c
//	X = b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1
//	Y = 865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518
//
// The derivation costs a scalar multiplication, so it is done once per
// credentials and cached.
//
// # The signature
//
// The signature is ECDSA P-256 over the SHA-256 of the string to sign,
// encoded in ASN.1 DER (a SEQUENCE of the integers r and s) and sent as
// lower-case hex. Unlike SigV4's:
//
//   - it is randomized: signing the same request twice gives two different
//     signatures, both valid, so a test compares by verifying, never by
//     equality (the suite's files hold one signature each, to verify);
//   - its length varies, mostly 140 to 144 hex digits, never SigV4's 64;
//   - it is checked with the public key: a verifier derives the key pair
//     from the secret it looks up, and runs ECDSA verification.
//
// A verifier also checks that its own region is in X-Amz-Region-Set ("*"
// matches any region).
//
// # Specifications
//
// AWS documents SigV4a in the IAM User Guide ("AWS Signature Version 4
// for API requests", the SigV4a section); the key derivation follows
// aws-c-auth (source/key_derivation.c), whose test suite
// (tests/aws-signing-test-suite/v4a) this package is checked against. The
// KDF is [NIST SP 800-108] section 4.1; the candidate test is
// [FIPS 186-4] appendix B.4.2; ECDSA and its DER form are [SEC 1].
//
// [NIST SP 800-108]: https://csrc.nist.gov/pubs/sp/800/108/r1/upd1/final
// [FIPS 186-4]: https://csrc.nist.gov/pubs/fips/186-4/final
// [SEC 1]: https://www.secg.org/sec1-v2.pdf
package sigv4a
