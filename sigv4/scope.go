package sigv4

import (
	"time"

	"github.com/sigv4kit/sigv4kit/internal/awsenc"
)

// The scope cache.
//
// What it remembers: for the second, the algorithm, the region and the
// service of the last signature made with a scratch, the X-Amz-Date value,
// the credential scope and the head of the string to sign (its first three
// lines, up to the canonical request's hash); and, for the access key of the
// last signature within them, the Authorization value up to the signed
// headers and the escaped X-Amz-Credential value of a presigned URL.
//
// Why the result is byte-identical: each of these is a pure function of
// the second, the algorithm, the region, the service and the access key
// ID, which are compared in full before anything is reused; a change of
// any of them rebuilds what depends on it.
type scopeCache struct {
	ok              bool // the fields below are built
	unix            int64
	alg             string
	regionSet       bool
	region, service string

	amzDate [16]byte // YYYYMMDD'T'HHMMSS'Z'
	scope   string   // date/region/service/aws4_request
	scopeB  []byte
	head    []byte // "ALGORITHM\n" + amzDate + "\n" + scope + "\n"

	authKeyID string
	authHead  []byte // amzDate + "ALGORITHM Credential=AKID/scope, SignedHeaders="
	credKeyID string
	credEsc   []byte // AKID%2Fscope, escaped
}

// update makes the cache hold the values for t (whole seconds), the
// algorithm, the region and the service. An algorithm with region sets
// leaves the region out of the scope (date/service/aws4_request).
func (c *scopeCache) update(t time.Time, alg string, regionSet bool, region, service string) {
	unix := t.Unix()
	if c.ok && unix == c.unix && alg == c.alg && regionSet == c.regionSet && region == c.region && service == c.service {
		return
	}
	awsenc.AppendAmzDate(c.amzDate[:0], t)
	b := append(c.scopeB[:0], c.amzDate[:8]...)
	b = append(b, '/')
	if !regionSet {
		b = append(b, region...)
		b = append(b, '/')
	}
	b = append(b, service...)
	b = append(b, "/aws4_request"...)
	c.scopeB = b
	if c.scope != string(b) {
		c.scope = string(b)
	}
	h := append(c.head[:0], alg...)
	h = append(h, '\n')
	h = append(h, c.amzDate[:]...)
	h = append(h, '\n')
	h = append(h, c.scope...)
	c.head = append(h, '\n')
	c.authKeyID, c.credKeyID = "", ""
	c.ok, c.unix, c.alg, c.regionSet, c.region, c.service = true, unix, alg, regionSet, region, service
}

// authPrefix returns X-Amz-Date followed by the Authorization value up to
// the signed headers list, for accessKey: Sign makes both strings in one.
func (c *scopeCache) authPrefix(accessKey string) []byte {
	if accessKey != c.authKeyID || c.authKeyID == "" {
		b := append(c.authHead[:0], c.amzDate[:]...)
		b = append(b, c.alg...)
		b = append(b, " Credential="...)
		b = append(b, accessKey...)
		b = append(b, '/')
		b = append(b, c.scope...)
		c.authHead = append(b, ", SignedHeaders="...)
		c.authKeyID = accessKey
	}
	return c.authHead
}

// credential returns the X-Amz-Credential value of a presigned URL for
// accessKey, escaped as in the URL and the canonical query.
func (c *scopeCache) credential(accessKey string) []byte {
	if accessKey != c.credKeyID || c.credKeyID == "" {
		b := appendEscaped(c.credEsc[:0], accessKey, false)
		b = append(b, "%2F"...)
		c.credEsc = appendEscaped(b, c.scope, false)
		c.credKeyID = accessKey
	}
	return c.credEsc
}
