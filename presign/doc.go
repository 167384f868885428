// Package presign makes presigned URLs for Amazon S3 and S3-compatible
// stores (MinIO, Ceph, Cloudflare R2, versitygw), and for any other AWS
// request, such as the STS GetCallerIdentity URL behind EKS tokens.
//
// A presigned URL lets a client that has no credentials (a browser, curl, a
// partner's program) send one request, until the URL expires:
//
//	p, err := presign.New(presign.Config{
//		Region:      "eu-west-1",
//		Credentials: credentials.Static(id, secret, ""),
//	})
//	...
//	r, err := p.GetObject(ctx, "my-bucket", "reports/2026/q3 summary.pdf", time.Hour,
//		presign.ResponseContentDisposition(`attachment; filename="summary.pdf"`))
//	// r.Method is "GET", r.URL the URL, r.Expires the real end of validity.
//
// Every operation returns a [Request]: the method, the URL, the headers the
// client must send with exactly those values, and the moment the URL stops
// working.
//
// # What a URL enforces
//
// Options that describe the object being written ([ContentType],
// [ContentMD5], [Checksum], [ContentLength], [ServerSideEncryption],
// [StorageClass], [ACL], [Metadata], ...) are signed. S3 refuses a request
// whose headers differ from the signed ones, so a URL presigned with
// ContentType("image/png") cannot upload a text/html file. The headers
// come back in Request.Header: send them as they are. Options for headers
// whose names start with x-amz- and that S3 accepts in the query string
// (for example [ExpectedBucketOwner]) are put in the signed query, as the
// AWS SDKs do, so the client need not send them.
//
// # Keys and addressing
//
// Keys are escaped exactly once, byte for byte, with SigV4's unreserved set
// (A-Z a-z 0-9 - . _ ~): a space is %20, '+' is %2B, '/' stays '/'. Keys are
// not paths: "a//b", "/a", "./a" and "a/../b" are signed and sent as they
// are. (Browsers and curl without --path-as-is remove "." and ".." segments
// from URLs before sending them; such keys need a client that does not.)
//
// AWS endpoints use virtual-hosted addressing
// (https://bucket.s3.region.amazonaws.com/key) unless the bucket name is not
// DNS-safe (upper case, underscores, or dots over https), in which case they
// use path-style addressing (https://s3.region.amazonaws.com/bucket/key).
// Custom endpoints use path-style addressing unless Config.VirtualHosted is
// set. See [Config] for dual-stack, FIPS and accelerate endpoints, and for
// the AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL and endpoint_url settings.
//
// # Expiry
//
// An expiry is required: 1 second to 7 days. When the credentials (for
// example from an assumed role) expire earlier, the URL is cut to their
// lifetime and Request.Expires says so; [StrictExpiry] or
// Config.StrictExpiry makes that an error ([ErrExpiryCapped]) instead.
//
// # Browser multipart uploads
//
// A server creates the upload (header-signed, or with a presigned
// [Presigner.CreateMultipartUpload]), hands the browser one
// [Presigner.UploadPart] URL per part, and completes the upload with the
// ETags the browser collected ([Presigner.CompleteMultipartUpload]). The
// bucket's CORS configuration must expose the ETag header.
package presign
