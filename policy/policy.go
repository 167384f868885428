package policy

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Errors that callers can test for with [errors.Is]. The errors of the
// builder and of Sign wrap one of these and say what was wrong.
var (
	// ErrInvalidCondition reports a condition that cannot be part of a
	// policy: an empty key, min > max, starts-with on $bucket, an unknown
	// operator, a field that Sign sets itself, two conditions that no form
	// can satisfy together, a value that is not valid UTF-8.
	ErrInvalidCondition = errors.New("policy: invalid condition")

	// ErrMissingCondition reports a policy that Sign refuses because it has
	// no bucket or no key condition.
	ErrMissingCondition = errors.New("policy: missing condition")

	// ErrExpired reports an expiration that is zero or not after the
	// signing time.
	ErrExpired = errors.New("policy: expired")

	// ErrInvalidCredentials reports credentials or a region that cannot
	// sign: an empty access key or secret, expired credentials, a '/' in the
	// access key ID or the region.
	ErrInvalidCredentials = errors.New("policy: invalid credentials")
)

// Operator is the operator of a condition: [Eq] or [StartsWith].
// (content-length-range has its own method, [Policy.ContentLengthRange].)
type Operator string

// The operators of S3 POST policy conditions on form fields.
const (
	// Eq requires the field to equal the value exactly.
	Eq Operator = "eq"
	// StartsWith requires the field to start with the value; an empty
	// value allows any content.
	StartsWith Operator = "starts-with"
)

// The operator of the size condition.
const opRange = "content-length-range"

// condition is one entry of the policy's conditions array.
type condition struct {
	op       string // "eq", "starts-with" or "content-length-range"
	field    string // form field name as written, without "$"
	value    string
	min, max int64
}

// name returns the field name in lower case, as S3 compares it.
func (c condition) name() string { return strings.ToLower(c.field) }

// Policy is an S3 POST policy under construction: an expiration and an
// ordered list of conditions. Create one with [New] and add conditions with
// its methods, which return the policy so that calls chain.
//
// The methods validate their arguments. The first invalid call is kept,
// later calls are ignored, and the error is reported by [Policy.Err],
// [Policy.JSON] and [Policy.Sign]. A Policy is not safe for concurrent
// modification; once built, Sign and JSON may be called concurrently.
type Policy struct {
	expiration time.Time
	conds      []condition
	err        error
}

// New returns a policy that expires at expiration (sent in UTC with
// millisecond precision; S3 refuses forms after it). An expiration in the
// past makes [Policy.Sign] fail; the zero time is an error at once.
func New(expiration time.Time) *Policy {
	p := &Policy{expiration: expiration.UTC().Truncate(time.Millisecond)}
	if expiration.IsZero() {
		p.err = fmt.Errorf("%w: New: zero expiration", ErrExpired)
	}
	return p
}

// Err returns the first error of the calls that built p, or nil.
func (p *Policy) Err() error { return p.err }

// Expiration returns the policy's expiration, in UTC.
func (p *Policy) Expiration() time.Time { return p.expiration }

// fail records the first error.
func (p *Policy) fail(method, format string, args ...any) *Policy {
	if p.err == nil {
		p.err = fmt.Errorf("%w: %s: %s", ErrInvalidCondition, method, fmt.Sprintf(format, args...))
	}
	return p
}

// add appends a condition after checking it against the earlier ones.
func (p *Policy) add(method string, c condition) *Policy {
	if p.err != nil {
		return p
	}
	if c.op != opRange {
		if !utf8.ValidString(c.value) {
			return p.fail(method, "value for %q is not valid UTF-8", c.field)
		}
		if err := checkFieldName(c.field); err != nil {
			return p.fail(method, "%v", err)
		}
	}
	for _, o := range p.conds {
		if o.op == opRange || c.op == opRange || o.name() != c.name() {
			continue
		}
		switch {
		case o.op == string(Eq) && c.op == string(Eq) && o.value != c.value:
			return p.fail(method, "%q must equal both %q and %q", c.field, o.value, c.value)
		case o.op == string(Eq) && c.op == string(StartsWith) && !strings.HasPrefix(o.value, c.value),
			o.op == string(StartsWith) && c.op == string(Eq) && !strings.HasPrefix(c.value, o.value):
			return p.fail(method, "%q cannot equal %q and start with %q", c.field, eqOf(o, c).value, swOf(o, c).value)
		}
	}
	p.conds = append(p.conds, c)
	return p
}

func eqOf(a, b condition) condition {
	if a.op == string(Eq) {
		return a
	}
	return b
}

func swOf(a, b condition) condition {
	if a.op == string(StartsWith) {
		return a
	}
	return b
}

// checkFieldName accepts an HTTP token (RFC 9110), the characters a form
// field name can carry through multipart/form-data unchanged.
func checkFieldName(name string) error {
	if name == "" {
		return errors.New("empty field name")
	}
	for i := 0; i < len(name); i++ {
		if !isTokenChar(name[i]) {
			return fmt.Errorf("field name %q has character %q; use letters, digits and !#$%%&'*+-.^_`|~", name, name[i])
		}
	}
	return nil
}

func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// checkHeaderValue refuses what cannot travel in an HTTP header: the
// value of a field that S3 stores as an object header.
func checkHeaderValue(v string) error {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '\r' || c == '\n' || c == 0 {
			return fmt.Errorf("value %q contains a CR, LF or NUL", v)
		}
	}
	return nil
}

// eq and sw add equality and prefix conditions on a header-like field.
func (p *Policy) eq(method, field, value string, header bool) *Policy {
	if header {
		if err := checkHeaderValue(value); err != nil {
			return p.fail(method, "%v", err)
		}
	}
	return p.add(method, condition{op: string(Eq), field: field, value: value})
}

func (p *Policy) sw(method, field, prefix string, header bool) *Policy {
	if header {
		if err := checkHeaderValue(prefix); err != nil {
			return p.fail(method, "%v", err)
		}
	}
	return p.add(method, condition{op: string(StartsWith), field: field, value: prefix})
}

// Bucket requires the form to be posted to the named bucket:
// {"bucket": name}. S3 does not allow starts-with on the bucket.
func (p *Policy) Bucket(name string) *Policy {
	if name == "" {
		return p.fail("Bucket", "empty bucket name")
	}
	return p.add("Bucket", condition{op: string(Eq), field: "bucket", value: name})
}

// maxKeyLen is S3's limit on the length of an object key, in bytes.
const maxKeyLen = 1024

// Key requires the object key to be exactly key. The form's key field
// holds it. A key may contain "${filename}", which S3 replaces with the
// name of the uploaded file.
func (p *Policy) Key(key string) *Policy {
	switch {
	case key == "":
		return p.fail("Key", "empty key")
	case len(key) > maxKeyLen:
		return p.fail("Key", "key is %d bytes, longer than %d", len(key), maxKeyLen)
	}
	return p.add("Key", condition{op: string(Eq), field: "key", value: key})
}

// KeyStartsWith requires the object key to start with prefix; an empty
// prefix allows any key. The form's key field is prefix followed by
// "${filename}", which S3 replaces with the name of the uploaded file;
// change [Form.Fields]["key"] to any key with the prefix.
func (p *Policy) KeyStartsWith(prefix string) *Policy {
	if len(prefix) > maxKeyLen {
		return p.fail("KeyStartsWith", "prefix is %d bytes, longer than %d", len(prefix), maxKeyLen)
	}
	return p.add("KeyStartsWith", condition{op: string(StartsWith), field: "key", value: prefix})
}

// ContentLengthRange requires the size of the uploaded file, in bytes, to
// be between min and max inclusive. 0 ≤ min ≤ max.
func (p *Policy) ContentLengthRange(min, max int64) *Policy {
	switch {
	case min < 0:
		return p.fail("ContentLengthRange", "negative minimum %d", min)
	case min > max:
		return p.fail("ContentLengthRange", "minimum %d is greater than maximum %d", min, max)
	}
	return p.add("ContentLengthRange", condition{op: opRange, min: min, max: max})
}

// ContentType requires the Content-Type field, which S3 stores as the
// object's Content-Type, to be exactly contentType.
func (p *Policy) ContentType(contentType string) *Policy {
	return p.eq("ContentType", "Content-Type", contentType, true)
}

// ContentTypeStartsWith requires the Content-Type field to start with
// prefix ("image/"). As in S3, a comma-separated value must have every
// entry start with prefix. An empty prefix allows any content type. The
// page sets the value, normally to the chosen file's type: the signed form
// lists the field in [Form.StartsWith], and [Form.HTML] fills it from the
// file rather than posting the prefix, which S3 would store as the
// object's type.
func (p *Policy) ContentTypeStartsWith(prefix string) *Policy {
	return p.sw("ContentTypeStartsWith", "Content-Type", prefix, true)
}

// SuccessActionStatus makes S3 answer a successful upload with status
// 200, 201 (with an XML body naming the object) or 204 (S3's default),
// when no success_action_redirect applies.
func (p *Policy) SuccessActionStatus(status int) *Policy {
	switch status {
	case http.StatusOK, http.StatusCreated, http.StatusNoContent:
	default:
		return p.fail("SuccessActionStatus", "status %d is not 200, 201 or 204", status)
	}
	return p.add("SuccessActionStatus", condition{op: string(Eq), field: "success_action_status", value: strconv.Itoa(status)})
}

// SuccessActionRedirect makes S3 redirect the browser after a successful
// upload to rawURL, with bucket, key and etag added to its query.
// rawURL must be an absolute http or https URL.
func (p *Policy) SuccessActionRedirect(rawURL string) *Policy {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return p.fail("SuccessActionRedirect", "%q is not an absolute http or https URL", rawURL)
	}
	return p.add("SuccessActionRedirect", condition{op: string(Eq), field: "success_action_redirect", value: rawURL})
}

// cannedACLs are the canned ACLs S3 accepts in the acl field.
var cannedACLs = []string{
	"private", "public-read", "public-read-write", "aws-exec-read",
	"authenticated-read", "bucket-owner-read", "bucket-owner-full-control",
	"log-delivery-write",
}

// ACL requires the acl field to be the canned ACL acl ("private",
// "public-read", "bucket-owner-full-control", ...).
func (p *Policy) ACL(acl string) *Policy {
	for _, a := range cannedACLs {
		if acl == a {
			return p.add("ACL", condition{op: string(Eq), field: "acl", value: acl})
		}
	}
	return p.fail("ACL", "unknown canned ACL %q (known: %s)", acl, strings.Join(cannedACLs, ", "))
}

// CacheControl requires the Cache-Control field to be exactly v.
func (p *Policy) CacheControl(v string) *Policy {
	return p.eq("CacheControl", "Cache-Control", v, true)
}

// ContentDisposition requires the Content-Disposition field to be
// exactly v.
func (p *Policy) ContentDisposition(v string) *Policy {
	return p.eq("ContentDisposition", "Content-Disposition", v, true)
}

// ContentEncoding requires the Content-Encoding field to be exactly v.
func (p *Policy) ContentEncoding(v string) *Policy {
	return p.eq("ContentEncoding", "Content-Encoding", v, true)
}

// Expires requires the Expires field, the object's Expires header, to be
// t in HTTP date format.
func (p *Policy) Expires(t time.Time) *Policy {
	if t.IsZero() {
		return p.fail("Expires", "zero time")
	}
	return p.add("Expires", condition{op: string(Eq), field: "Expires", value: t.UTC().Format(http.TimeFormat)})
}

// checkMetaName validates the name of user metadata (after x-amz-meta-).
func checkMetaName(method, name string) error {
	if name == "" {
		return fmt.Errorf("%w: %s: empty metadata name", ErrInvalidCondition, method)
	}
	if err := checkFieldName(name); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInvalidCondition, method, err)
	}
	return nil
}

// Meta requires the user metadata x-amz-meta-<name> to be exactly value.
func (p *Policy) Meta(name, value string) *Policy {
	if err := checkMetaName("Meta", name); err != nil && p.err == nil {
		p.err = err
	}
	return p.eq("Meta", "x-amz-meta-"+name, value, true)
}

// MetaStartsWith requires the user metadata x-amz-meta-<name> to start
// with prefix; an empty prefix allows any value.
func (p *Policy) MetaStartsWith(name, prefix string) *Policy {
	if err := checkMetaName("MetaStartsWith", name); err != nil && p.err == nil {
		p.err = err
	}
	return p.sw("MetaStartsWith", "x-amz-meta-"+name, prefix, true)
}

// ServerSideEncryption requires the x-amz-server-side-encryption field
// to be algorithm: "AES256", "aws:kms" or "aws:kms:dsse".
func (p *Policy) ServerSideEncryption(algorithm string) *Policy {
	switch algorithm {
	case "AES256", "aws:kms", "aws:kms:dsse":
	default:
		return p.fail("ServerSideEncryption", "unknown algorithm %q (known: AES256, aws:kms, aws:kms:dsse)", algorithm)
	}
	return p.eq("ServerSideEncryption", "x-amz-server-side-encryption", algorithm, true)
}

// ServerSideEncryptionKMSKeyID requires the
// x-amz-server-side-encryption-aws-kms-key-id field to be keyID.
func (p *Policy) ServerSideEncryptionKMSKeyID(keyID string) *Policy {
	if keyID == "" {
		return p.fail("ServerSideEncryptionKMSKeyID", "empty key ID")
	}
	return p.eq("ServerSideEncryptionKMSKeyID", "x-amz-server-side-encryption-aws-kms-key-id", keyID, true)
}

// ServerSideEncryptionCustomerKey requires encryption with the 256-bit
// customer-provided key (SSE-C): it adds equality conditions on
// x-amz-server-side-encryption-customer-algorithm (AES256), -customer-key
// (the key in base64) and -customer-key-MD5.
func (p *Policy) ServerSideEncryptionCustomerKey(key []byte) *Policy {
	const m = "ServerSideEncryptionCustomerKey"
	if len(key) != 32 {
		return p.fail(m, "key is %d bytes, not 32", len(key))
	}
	sum := md5.Sum(key)
	return p.eq(m, "x-amz-server-side-encryption-customer-algorithm", "AES256", true).
		eq(m, "x-amz-server-side-encryption-customer-key", base64.StdEncoding.EncodeToString(key), true).
		eq(m, "x-amz-server-side-encryption-customer-key-MD5", base64.StdEncoding.EncodeToString(sum[:]), true)
}

// StorageClass requires the x-amz-storage-class field to be class
// ("STANDARD", "STANDARD_IA", "GLACIER_IR", ...: upper-case letters, digits
// and underscores).
func (p *Policy) StorageClass(class string) *Policy {
	if class == "" || strings.TrimFunc(class, func(r rune) bool {
		return 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_'
	}) != "" {
		return p.fail("StorageClass", "invalid storage class %q", class)
	}
	return p.eq("StorageClass", "x-amz-storage-class", class, true)
}

// checksumSizes maps the checksum algorithms S3 accepts to their digest
// sizes in bytes.
var checksumSizes = map[string]int{
	"CRC32": 4, "CRC32C": 4, "CRC64NVME": 8, "SHA1": 20, "SHA256": 32,
}

// Checksum requires the object's checksum: the field
// x-amz-checksum-<algorithm> must be value, the base64 digest of the file.
// algorithm is CRC32, CRC32C, CRC64NVME, SHA1 or SHA256.
func (p *Policy) Checksum(algorithm, value string) *Policy {
	alg := strings.ToUpper(algorithm)
	size, ok := checksumSizes[alg]
	if !ok {
		return p.fail("Checksum", "unknown algorithm %q (known: CRC32, CRC32C, CRC64NVME, SHA1, SHA256)", algorithm)
	}
	if d, err := base64.StdEncoding.DecodeString(value); err != nil || len(d) != size {
		return p.fail("Checksum", "%q is not the base64 of a %d-byte %s digest", value, size, alg)
	}
	return p.eq("Checksum", "x-amz-checksum-"+strings.ToLower(alg), value, true)
}

// Tag is one object tag.
type Tag struct {
	Key, Value string
}

// Tagging requires the tagging field to be the XML tag set of tags, in
// order: <Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag>...
func (p *Policy) Tagging(tags ...Tag) *Policy {
	var b strings.Builder
	b.WriteString("<Tagging><TagSet>")
	for _, t := range tags {
		if t.Key == "" {
			return p.fail("Tagging", "empty tag key")
		}
		b.WriteString("<Tag><Key>")
		xml.EscapeText(&b, []byte(t.Key))
		b.WriteString("</Key><Value>")
		xml.EscapeText(&b, []byte(t.Value))
		b.WriteString("</Value></Tag>")
	}
	b.WriteString("</TagSet></Tagging>")
	return p.add("Tagging", condition{op: string(Eq), field: "tagging", value: b.String()})
}

// reservedFields are the fields a condition may not name: Sign covers the
// x-amz-* authentication fields itself, and S3 ignores the others.
var reservedFields = map[string]string{
	"policy":               "the policy is not a condition",
	"x-amz-signature":      "the signature is not a condition",
	"file":                 "the file is not a condition; use ContentLengthRange",
	"x-amz-algorithm":      "Sign adds it",
	"x-amz-credential":     "Sign adds it",
	"x-amz-date":           "Sign adds it",
	"x-amz-security-token": "Sign adds it",
}

// Condition adds any condition on a form field: op is [Eq] or
// [StartsWith], field the field name with or without the leading "$"
// ("x-amz-website-redirect-location", "$Content-Language"). Field names
// are compared without regard to case, as S3 does.
func (p *Policy) Condition(op Operator, field, value string) *Policy {
	const m = "Condition"
	field = strings.TrimPrefix(field, "$")
	lower := strings.ToLower(field)
	if why, ok := reservedFields[lower]; ok {
		return p.fail(m, "field %q: %s", field, why)
	}
	switch op {
	case Eq:
		if lower == "key" && value == "" {
			return p.fail(m, "empty key")
		}
	case StartsWith:
		if lower == "bucket" {
			return p.fail(m, "S3 does not allow starts-with on $bucket")
		}
	default:
		return p.fail(m, "unknown operator %q (known: eq, starts-with; use ContentLengthRange for sizes)", string(op))
	}
	return p.add(m, condition{op: string(op), field: field, value: value})
}
