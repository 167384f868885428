package presign

import (
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Option sets a parameter of one presigned request: a query parameter, or a
// header that is signed so that S3 enforces it.
type Option func(*call)

// Query adds a query parameter. It is signed and part of the URL; name and
// value are escaped once, like every query parameter.
func Query(name, value string) Option {
	return func(c *call) { c.addQuery(name, value) }
}

// Header signs a header with a fixed value. The client must send it as is;
// it is listed in Request.Header. Headers that start with x-amz- and that S3
// accepts in the query string are moved to the signed query instead (see
// the package documentation). Content-Length is better set with
// [ContentLength].
func Header(name, value string) Option {
	return func(c *call) {
		if strings.EqualFold(name, "Content-Length") {
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < 0 {
				c.fail(fmt.Errorf("%w: Content-Length %q", ErrInvalidOption, value))
				return
			}
			c.length = n
			return
		}
		if strings.EqualFold(name, "Host") || name == "" {
			c.fail(fmt.Errorf("%w: header name %q", ErrInvalidOption, name))
			return
		}
		c.setHeader(name, value)
	}
}

// StrictExpiry makes the request fail with ErrExpiryCapped when the
// credentials expire before the requested expiry, rather than returning a
// URL that lives only as long as they do.
func StrictExpiry() Option {
	return func(c *call) { c.strict = true }
}

// VersionID selects a version of the object (versionId).
func VersionID(id string) Option { return Query("versionId", id) }

// PartNumber reads one part of an object uploaded in parts (partNumber),
// for GetObject and HeadObject.
func PartNumber(n int) Option {
	return func(c *call) {
		if n < 1 || n > 10000 {
			c.fail(fmt.Errorf("%w: part number %d is outside 1..10000", ErrInvalidOption, n))
			return
		}
		c.setQuery("partNumber", strconv.Itoa(n))
	}
}

// ResponseContentDisposition sets the Content-Disposition of a GetObject
// response ("attachment; filename=\"report.pdf\"").
func ResponseContentDisposition(v string) Option { return Query("response-content-disposition", v) }

// ResponseContentType sets the Content-Type of a GetObject response.
func ResponseContentType(v string) Option { return Query("response-content-type", v) }

// ResponseContentLanguage sets the Content-Language of a GetObject response.
func ResponseContentLanguage(v string) Option { return Query("response-content-language", v) }

// ResponseContentEncoding sets the Content-Encoding of a GetObject response.
func ResponseContentEncoding(v string) Option { return Query("response-content-encoding", v) }

// ResponseCacheControl sets the Cache-Control of a GetObject response.
func ResponseCacheControl(v string) Option { return Query("response-cache-control", v) }

// ResponseExpires sets the Expires header of a GetObject response.
func ResponseExpires(t time.Time) Option {
	return Query("response-expires", t.UTC().Format(http.TimeFormat))
}

// Range signs a byte range for GetObject ("bytes=0-1023").
func Range(v string) Option { return Header("Range", v) }

// IfMatch signs an If-Match condition (an ETag): a GET or HEAD succeeds only
// for that version of the content; a PutObject writes only over it.
func IfMatch(etag string) Option { return Header("If-Match", etag) }

// IfNoneMatch signs an If-None-Match condition. IfNoneMatch("*") on
// PutObject writes only when no object has the key.
func IfNoneMatch(etag string) Option { return Header("If-None-Match", etag) }

// ContentType signs the Content-Type the client must upload with: S3
// refuses a PUT with any other value.
func ContentType(v string) Option { return Header("Content-Type", v) }

// ContentLength signs the exact size of the upload in bytes: S3 refuses a
// body of another size. It is listed in Request.Header as Content-Length.
func ContentLength(n int64) Option {
	return func(c *call) {
		if n < 0 {
			c.fail(fmt.Errorf("%w: negative content length %d", ErrInvalidOption, n))
			return
		}
		c.length = n
	}
}

// ContentMD5 signs the base64 MD5 digest of the upload (Content-MD5): S3
// refuses a body with another digest.
func ContentMD5(base64MD5 string) Option {
	return func(c *call) {
		if b, err := base64.StdEncoding.DecodeString(base64MD5); err != nil || len(b) != md5.Size {
			c.fail(fmt.Errorf("%w: Content-MD5 %q is not the base64 of 16 bytes", ErrInvalidOption, base64MD5))
			return
		}
		c.setHeader("Content-Md5", base64MD5)
	}
}

// ContentDisposition signs the Content-Disposition stored with the object.
func ContentDisposition(v string) Option { return Header("Content-Disposition", v) }

// ContentEncoding signs the Content-Encoding stored with the object.
func ContentEncoding(v string) Option { return Header("Content-Encoding", v) }

// ContentLanguage signs the Content-Language stored with the object.
func ContentLanguage(v string) Option { return Header("Content-Language", v) }

// CacheControl signs the Cache-Control stored with the object.
func CacheControl(v string) Option { return Header("Cache-Control", v) }

// ChecksumAlgorithm names an S3 additional checksum.
type ChecksumAlgorithm string

// The checksum algorithms of S3 (x-amz-checksum-*).
const (
	CRC32     ChecksumAlgorithm = "CRC32"
	CRC32C    ChecksumAlgorithm = "CRC32C"
	CRC64NVME ChecksumAlgorithm = "CRC64NVME"
	SHA1      ChecksumAlgorithm = "SHA1"
	SHA256    ChecksumAlgorithm = "SHA256"
)

// checksumSize is the digest size of each algorithm.
var checksumSize = map[ChecksumAlgorithm]int{CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32}

// Checksum signs the base64 checksum of the upload (x-amz-checksum-crc32,
// ...): S3 refuses a body with another checksum.
func Checksum(alg ChecksumAlgorithm, base64Sum string) Option {
	return func(c *call) {
		size, ok := checksumSize[alg]
		if !ok {
			c.fail(fmt.Errorf("%w: unknown checksum algorithm %q", ErrInvalidOption, alg))
			return
		}
		if b, err := base64.StdEncoding.DecodeString(base64Sum); err != nil || len(b) != size {
			c.fail(fmt.Errorf("%w: %s checksum %q is not the base64 of %d bytes", ErrInvalidOption, alg, base64Sum, size))
			return
		}
		c.setHeader("X-Amz-Checksum-"+strings.ToLower(string(alg)), base64Sum)
	}
}

// ChecksumMode asks GetObject and HeadObject to return the object's
// checksums (x-amz-checksum-mode: ENABLED).
func ChecksumMode() Option { return Header("X-Amz-Checksum-Mode", "ENABLED") }

// ServerSideEncryption signs the server-side encryption of the upload:
// "AES256", "aws:kms" or "aws:kms:dsse".
func ServerSideEncryption(alg string) Option { return Header("X-Amz-Server-Side-Encryption", alg) }

// SSEKMSKeyID signs the KMS key of aws:kms encryption.
func SSEKMSKeyID(id string) Option {
	return Header("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", id)
}

// SSEKMSEncryptionContext signs the base64 JSON encryption context of
// aws:kms encryption.
func SSEKMSEncryptionContext(base64JSON string) Option {
	return Header("X-Amz-Server-Side-Encryption-Context", base64JSON)
}

// BucketKeyEnabled signs whether aws:kms encryption uses an S3 Bucket Key.
func BucketKeyEnabled(on bool) Option {
	return Header("X-Amz-Server-Side-Encryption-Bucket-Key-Enabled", strconv.FormatBool(on))
}

// SSECustomerKey signs server-side encryption with a customer-provided
// 256-bit key (SSE-C), for uploads and for reads of such objects: the
// algorithm (AES256), the base64 key and its base64 MD5. The client must
// send the three headers, so the key travels with the request, not in the
// URL.
func SSECustomerKey(key []byte) Option {
	return func(c *call) {
		if len(key) != 32 {
			c.fail(fmt.Errorf("%w: SSE-C key has %d bytes, want 32", ErrInvalidOption, len(key)))
			return
		}
		sum := md5.Sum(key)
		c.setHeader("X-Amz-Server-Side-Encryption-Customer-Algorithm", "AES256")
		c.setHeader("X-Amz-Server-Side-Encryption-Customer-Key", base64.StdEncoding.EncodeToString(key))
		c.setHeader("X-Amz-Server-Side-Encryption-Customer-Key-Md5", base64.StdEncoding.EncodeToString(sum[:]))
	}
}

// StorageClass signs the storage class of the upload ("STANDARD_IA").
func StorageClass(v string) Option { return Header("X-Amz-Storage-Class", v) }

// ACL signs the canned ACL of the upload ("private", "public-read").
func ACL(v string) Option { return Header("X-Amz-Acl", v) }

// Metadata signs user metadata (x-amz-meta-<name>) for the upload. Names are
// lower-cased, as S3 stores them.
func Metadata(m map[string]string) Option {
	return func(c *call) {
		for k, v := range m {
			if k == "" {
				c.fail(fmt.Errorf("%w: empty metadata name", ErrInvalidOption))
				return
			}
			c.setHeader("X-Amz-Meta-"+strings.ToLower(k), v)
		}
	}
}

// Tagging signs the tag set of the upload, URL-encoded ("a=1&b=2").
func Tagging(v string) Option { return Header("X-Amz-Tagging", v) }

// ExpectedBucketOwner makes S3 refuse the request unless the bucket belongs
// to this account ID. It travels in the signed query.
func ExpectedBucketOwner(accountID string) Option {
	return Header("X-Amz-Expected-Bucket-Owner", accountID)
}

// RequestPayer acknowledges that the requester pays for a request to a
// Requester Pays bucket. It travels in the signed query.
func RequestPayer() Option { return Header("X-Amz-Request-Payer", "requester") }

// Prefix limits ListObjectsV2 to keys that start with p.
func Prefix(p string) Option { return Query("prefix", p) }

// Delimiter groups ListObjectsV2 keys by the part before d ("/").
func Delimiter(d string) Option { return Query("delimiter", d) }

// MaxKeys limits the number of keys ListObjectsV2 returns.
func MaxKeys(n int) Option { return Query("max-keys", strconv.Itoa(n)) }

// StartAfter makes ListObjectsV2 start after this key.
func StartAfter(key string) Option { return Query("start-after", key) }

// ContinuationToken continues a truncated ListObjectsV2 listing.
func ContinuationToken(t string) Option { return Query("continuation-token", t) }

// hoist moves x-amz- headers that S3 reads from the query string out of the
// headers and into the query, as the AWS SDKs do when they presign: the
// client then need not send them, and they stay signed. Headers that S3
// wants as headers (content, conditional, SSE, storage class, ACL, checksum
// values, object lock, metadata) stay headers.
func hoist(c *call) {
	if len(c.header) == 0 {
		return
	}
	var names []string
	for k := range c.header {
		if strings.HasPrefix(k, "X-Amz-") && !signedAsHeader(strings.ToLower(k)) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		for _, v := range c.header[k] {
			c.addQuery(queryName(k), v)
		}
		delete(c.header, k)
	}
}

// queryName returns the name of a hoisted header in the query: the
// canonical header key, except for the two that S3 recognizes in the query
// only in lower case (aws-sdk-go-v2 issues #2508 and #2764).
func queryName(key string) string {
	switch key {
	case "X-Amz-Expected-Bucket-Owner":
		return "x-amz-expected-bucket-owner"
	case "X-Amz-Request-Payer":
		return "x-amz-request-payer"
	}
	return key
}

// signedAsHeader reports whether an x-amz- header (lower case) must be sent
// as a header. The list is aws-sdk-go-v2's RequiredSignedHeaders.
func signedAsHeader(name string) bool {
	switch name {
	case "x-amz-acl", "x-amz-copy-source", "x-amz-copy-source-if-match",
		"x-amz-copy-source-if-modified-since", "x-amz-copy-source-if-none-match",
		"x-amz-copy-source-if-unmodified-since", "x-amz-copy-source-range",
		"x-amz-copy-source-server-side-encryption-customer-algorithm",
		"x-amz-copy-source-server-side-encryption-customer-key",
		"x-amz-copy-source-server-side-encryption-customer-key-md5",
		"x-amz-grant-full-control", "x-amz-grant-read", "x-amz-grant-read-acp",
		"x-amz-grant-write", "x-amz-grant-write-acp", "x-amz-metadata-directive",
		"x-amz-mfa", "x-amz-server-side-encryption",
		"x-amz-server-side-encryption-aws-kms-key-id",
		"x-amz-server-side-encryption-context",
		"x-amz-server-side-encryption-customer-algorithm",
		"x-amz-server-side-encryption-customer-key",
		"x-amz-server-side-encryption-customer-key-md5",
		"x-amz-storage-class", "x-amz-website-redirect-location",
		"x-amz-content-sha256", "x-amz-tagging":
		return true
	}
	return strings.HasPrefix(name, "x-amz-checksum-") && name != "x-amz-checksum-mode" ||
		strings.HasPrefix(name, "x-amz-object-lock-") ||
		strings.HasPrefix(name, "x-amz-meta-")
}
