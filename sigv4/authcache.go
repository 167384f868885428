package sigv4

import "strings"

// The verifier's credential and signed-headers cache.
//
// What it remembers: per scratch, the last Credential (as the request
// carries it: escaped in a presigned URL) and the last SignedHeaders list
// that parsed without error, each split into its parts, which point into a
// copy of the string; and, per presign parameter, the last value that was
// already in canonical form, so that reading it into the canonical query
// needs no scan. A server verifies many requests from few clients: a
// client's credential changes once a day and its lists repeat with the
// shapes of its requests, so most requests parse neither.
//
// Why the result is byte-identical: the parts are a pure function of the
// string (and, for the credential, of whether the algorithm's scope has a
// region), which is compared in full before they are reused; so is whether
// a value is canonical. Only a string that parsed without error (a value
// that was canonical) is remembered, and a miss parses (scans) afresh.
type authCache struct {
	raw       string // the last credential, as sent; "" for none
	query     bool   // raw is an X-Amz-Credential value, escaped
	regionSet bool
	accessKey string
	scope     string
	date      string
	region    string
	service   string
	list      nameList
	listSrc   string // the string list was split from; "" for none

	// canon holds, per presign parameter (authParams' order) but
	// X-Amz-Security-Token, its last value that was canonical as sent:
	// canonicalRun covered all of it.
	canon [len(authParams)][]byte
}

// credential sets a's credential parts from the cache when raw is the last
// credential remembered, and reports whether it was.
func (c *authCache) credential(a *auth, raw string, query bool) bool {
	if c == nil || c.raw == "" || c.raw != raw || c.query != query || c.regionSet != a.regionSet {
		return false
	}
	a.accessKey, a.scope, a.date, a.service = c.accessKey, c.scope, c.date, c.service
	if !a.regionSet {
		a.region = c.region
	}
	return true
}

// rememberCredential remembers a's credential parts for raw, re-pointed
// into copies of the strings.
func (c *authCache) rememberCredential(a *auth, raw string, query bool) {
	if c == nil {
		return
	}
	c.raw = ""
	c.accessKey = strings.Clone(a.accessKey)
	c.scope = strings.Clone(a.scope)
	c.date, c.service = sub(c.scope, a.scope, a.date), sub(c.scope, a.scope, a.service)
	c.region = ""
	if !a.regionSet {
		c.region = sub(c.scope, a.scope, a.region)
	}
	c.raw, c.query, c.regionSet = strings.Clone(raw), query, a.regionSet
}

// sub returns the part of clone at the place of part in s, part being a
// substring of s.
func sub(clone, s, part string) string {
	i := strings.Index(s, part)
	return clone[i : i+len(part)]
}

// signedHeaders points a.list at the cache's list, split from a copy of
// a.signedHeaders (see splitSignedHeaders) when it is not the last list
// remembered.
func (c *authCache) signedHeaders(a *auth, query bool) error {
	a.list = &c.list
	if c.listSrc != "" && c.listSrc == a.signedHeaders {
		return nil
	}
	c.listSrc = ""
	s := strings.Clone(a.signedHeaders)
	if err := splitSignedHeaders(&c.list, s, query); err != nil {
		return err
	}
	c.listSrc = s
	return nil
}

// valueRun returns canonicalRun(v, false) for v, the value of the presign
// parameter authParams[i] (i < 0: another parameter), without scanning v
// when it is the last canonical value of that parameter.
func (c *authCache) valueRun(i int, v string) int {
	if i < 0 || c == nil || i == tokenParam {
		return canonicalRun(v, false) // a session token is not kept past its request
	}
	if string(c.canon[i]) == v {
		return len(v)
	}
	n := canonicalRun(v, false)
	if n == len(v) && len(v) <= maxCanonValue {
		c.canon[i] = append(c.canon[i][:0], v...)
	}
	return n
}

// maxCanonValue bounds the values valueRun remembers: a query-sized value
// is scanned each time rather than kept.
const maxCanonValue = 4 << 10
