// Package policy builds, signs and verifies S3 POST policies: the documents
// that let a browser upload a file straight to a bucket with an HTML form,
// limited by the conditions the policy lists.
//
// # Building
//
// [New] starts a policy with its expiration; typed methods add the
// conditions S3 documents, in order:
//
//	p := policy.New(now.Add(15 * time.Minute)).
//		Bucket("photos").
//		KeyStartsWith("uploads/").
//		ContentLengthRange(1, 10<<20).
//		ContentTypeStartsWith("image/")
//
// Each method validates its arguments; the first problem is kept and
// reported by [Policy.Err], [Policy.JSON] and [Policy.Sign], so a chain of
// calls needs one error check. The JSON document is produced by a careful
// encoder: every string is escaped (a key containing `"`, `\`, control
// characters or `</script>` stays one string), and the same policy always
// encodes to the same bytes, conditions in the order they were added.
//
// # Signing
//
// [Policy.Sign] adds the x-amz-algorithm, x-amz-credential, x-amz-date and
// (for temporary credentials) x-amz-security-token conditions, encodes the
// policy, signs its base64 form with the SigV4 signing key for S3 and returns
// a [Form]: the fields a browser posts, besides the file. [BucketURL] and
// [PathStyleURL] give the form's action, and [Form.HTML] renders a minimal
// form.
//
// The signature is
//
//	hex(HMAC-SHA256(SigningKey(secret, date, region, "s3"), base64(policy JSON)))
//
// # Verifying
//
// A [Verifier] checks a submitted multipart form the way S3 does: the
// signature (compared in constant time), the expiration, every condition,
// that every submitted field other than x-amz-signature, file, policy and
// x-ignore-* is covered by a condition, and the file's size against
// content-length-range while the file streams. Its errors are
// [*sigv4.AuthError] values with S3 error codes, ready for
// [sigv4.AuthError.WriteHTTP].
//
// Nothing in a form can be authenticated before its signature is checked,
// and the signature comes with the fields, before the file. So the
// verifier bounds what it reads before the file: at most
// [Verifier.MaxFieldBytes] ([DefaultMaxFieldBytes], 64 KiB, by default) of
// raw body — preamble, boundary lines, part headers, field names and
// values — and at most 1000 fields. A form over either limit is refused
// with MaxPostPreDataLengthExceeded as soon as it crosses it, without the
// rest being read. The policy document itself is parsed strictly: a
// member repeated in any of its objects refuses it.
//
// See the Amazon S3 documentation, [Browser-based uploads using POST] and
// [Creating a POST policy].
//
// [Browser-based uploads using POST]: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-UsingHTTPPOST.html
// [Creating a POST policy]: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
package policy
