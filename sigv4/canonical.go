package sigv4

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/sigv4kit/sigv4kit/internal/awsenc"
)

// This file holds the canonicalization rules of SigV4: how the path, the
// query and the headers of a request are rewritten into the canonical
// request. Each exported function is a documented building block; step 1
// (steps.go) uses the append* forms, which write into reused buffers.

// text is a string or a byte slice: a request read from an *http.Request
// has strings, one given as [Parts] has bytes.
type text interface{ ~string | ~[]byte }

// appendInt appends the decimal form of n.
func appendInt(dst []byte, n int64) []byte { return strconv.AppendInt(dst, n, 10) }

// appendEscaped appends s with every byte outside the unreserved set
// percent-encoded; with keepSlash, '/' is kept.
func appendEscaped[S ~string | ~[]byte](dst []byte, s S, keepSlash bool) []byte {
	return awsenc.AppendEscaped(dst, s, keepSlash)
}

// escapedLen returns the length of s escaped by appendEscaped without
// keepSlash.
func escapedLen[S ~string | ~[]byte](s S) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !awsenc.Unreserved[s[i]] {
			n += 2
		}
	}
	return n
}

// needsEscape reports whether appendEscaped would change s.
func needsEscape(s string, keepSlash bool) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !awsenc.Unreserved[c] && !(keepSlash && c == '/') {
			return true
		}
	}
	return false
}

// EscapeURIComponent percent-encodes every byte of s outside the unreserved
// set A-Za-z0-9-._~, as SigV4 does for query keys and values ("a b+c" becomes
// "a%20b%2Bc"). '/' is encoded too.
func EscapeURIComponent(s string) string {
	if !needsEscape(s, false) {
		return s
	}
	return string(appendEscaped(make([]byte, 0, len(s)+16), s, false))
}

// EscapePath percent-encodes every byte of path outside the unreserved set,
// keeping '/'. It is how an S3 object key becomes a canonical URI:
// "/photos/my cat+1.jpg" becomes "/photos/my%20cat%2B1.jpg".
func EscapePath(path string) string {
	if !needsEscape(path, true) {
		return path
	}
	return string(appendEscaped(make([]byte, 0, len(path)+16), path, true))
}

// NormalizePath removes "." segments, resolves ".." segments and collapses
// runs of '/' in a path, the way AWS normalizes non-S3 paths before
// signing (RFC 3986's "remove dot segments", plus collapsing "//", as
// aws-c-auth, botocore and the AWS SDKs do). The result always starts with
// '/'. It ends with '/' only when the path as sent ends with '/' and some
// segment remains: a trailing "." or ".." segment leaves no trailing
// slash, and ".." above the root stays at the root.
//
//	NormalizePath("//a/./b/../c/") == "/a/c/"
//	NormalizePath("/a/b/..")       == "/a"
//	NormalizePath("/a/.")          == "/a"
//	NormalizePath("/example/..")   == "/"
//	NormalizePath("/../a")         == "/a"
func NormalizePath(path string) string {
	if !needsNormalize(path) {
		if path == "" {
			return "/"
		}
		return path
	}
	segs := make([]string, 0, 8)
	for _, seg := range strings.Split(path, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, seg)
		}
	}
	if len(segs) == 0 {
		return "/"
	}
	out := "/" + strings.Join(segs, "/")
	if strings.HasSuffix(path, "/") {
		out += "/"
	}
	return out
}

// needsNormalize reports whether NormalizePath would change path (other than
// an empty path becoming "/").
func needsNormalize[T text](path T) bool {
	if len(path) == 0 {
		return false
	}
	if path[0] != '/' {
		return true
	}
	// Look for "//", "/./", "/../", and trailing "/." or "/..".
	for i := 0; i < len(path); i++ {
		if path[i] != '/' {
			continue
		}
		rest := path[i+1:]
		if len(rest) > 0 && rest[0] == '/' {
			return true
		}
		// rest starts with "." or ".." followed by the end or a '/'.
		dots := 0
		for dots < len(rest) && dots < 2 && rest[dots] == '.' {
			dots++
		}
		if dots > 0 && (dots == len(rest) || rest[dots] == '/') {
			return true
		}
	}
	return false
}

// CanonicalURI returns the canonical URI of u, the second line of the
// canonical request.
//
// With doubleEscape false (the S3 rule) it is the decoded path u.Path escaped
// once: an S3 key "a b+c" is "/a%20b%2Bc". With doubleEscape true (every
// other service) it is the path as sent on the wire, u.EscapedPath(), escaped
// a second time: "/a b" goes on the wire as "/a%20b" and is signed as
// "/a%2520b". With normalize true, "." and ".." segments are resolved and
// "//" collapsed first (see [NormalizePath]). An empty path is "/".
//
// A URL whose Opaque is set (as aws-sdk-go-v2 users do to choose the escaped
// path) is read as that escaped path: "/a%20b", or "//host/a%20b" with the
// URL's own host. Any other Opaque is refused with [ErrInvalidRequest].
func CanonicalURI(u *url.URL, doubleEscape, normalize bool) (string, error) {
	path, err := requestPath(u, doubleEscape)
	if err != nil {
		return "", err
	}
	return string(appendCanonicalURI(nil, path, normalize)), nil
}

// opaquePath returns the escaped path that u.Opaque sends on the wire, as
// aws-sdk-go-v2 reads it: "/a%20b", or "//host/a%20b" (net/http then sends
// the absolute form), whose host must be the URL's. A query in Opaque, or
// an opaque URL that is not a path ("mailto:x"), is refused.
func opaquePath(u *url.URL) (string, error) {
	o := u.Opaque
	if rest, ok := strings.CutPrefix(o, "//"); ok {
		host, path, _ := strings.Cut(rest, "/")
		if host != u.Host {
			return "", fmt.Errorf("%w: URL.Opaque %q names host %q, not the URL's %q: set URL.Path (decoded) or URL.RawPath (escaped) instead", ErrInvalidRequest, o, host, u.Host)
		}
		o = "/" + path
	}
	if !strings.HasPrefix(o, "/") || strings.ContainsAny(o, "?# ") {
		return "", fmt.Errorf("%w: URL.Opaque %q is not an escaped path: set URL.Path (decoded) or URL.RawPath (escaped) instead", ErrInvalidRequest, u.Opaque)
	}
	if _, err := url.PathUnescape(o); err != nil {
		return "", fmt.Errorf("%w: URL.Opaque %q has an invalid escape: set URL.Path to the decoded path instead", ErrInvalidRequest, u.Opaque)
	}
	return o, nil
}

// appendCanonicalURI appends the canonical URI for path (already chosen by
// requestPath) to dst.
func appendCanonicalURI[T text](dst []byte, path T, normalize bool) []byte {
	if normalize && needsNormalize(path) {
		return appendEscaped(dst, NormalizePath(string(path)), true)
	}
	if len(path) == 0 {
		return append(dst, '/')
	}
	if path[0] != '/' {
		dst = append(dst, '/')
	}
	return appendEscaped(dst, path, true)
}

// appendUnescapedPath appends an escaped path decoded, as url.PathUnescape
// decodes it ('+' stays), and reports false for an invalid escape.
func appendUnescapedPath(dst, path []byte) ([]byte, bool) {
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c == '%' {
			if i+2 >= len(path) || !ishex(path[i+1]) || !ishex(path[i+2]) {
				return dst, false
			}
			c = unhex(path[i+1])<<4 | unhex(path[i+2])
			i += 2
		}
		dst = append(dst, c)
	}
	return dst, true
}

// errQueryEscape is wrapped by query parse errors.
var errQueryEscape = errors.New("invalid percent-escape in query")

// CanonicalQuery returns the canonical query string of a raw (still
// encoded) query, the third line of the canonical request: each key and
// value is decoded ('+' is a space, "%2B" a plus sign) and encoded again
// with SigV4's rule, then the pairs are sorted by encoded key and then by
// encoded value. Repeated keys are kept; a key without a value is written
// "key=". Empty pieces between '&' are dropped.
//
//	CanonicalQuery("b=2&a=x+y&a=%2B") == "a=%2B&a=x%20y&b=2"
func CanonicalQuery(rawQuery string) (string, error) {
	var q queryBuf
	if err := q.parse([]byte(rawQuery), nil); err != nil {
		return "", err
	}
	return string(q.appendCanonical(nil)), nil
}

// queryPair is a key and a value, both canonically encoded, as offsets into
// queryBuf.b.
type queryPair struct {
	ks, ke, vs, ve int
	prefix         uint64 // the key's namePrefix, to compare most keys at once
}

// queryBuf parses and sorts a query into reusable storage.
type queryBuf struct {
	b     []byte
	pairs []queryPair
}

func (q *queryBuf) reset() {
	q.b = q.b[:0]
	q.pairs = q.pairs[:0]
}

// parse adds the pairs of rawQuery, skipping those whose decoded key skip
// reports true for (nil skips none).
func (q *queryBuf) parse(rawQuery []byte, skip func(key []byte) bool) error {
	for len(rawQuery) > 0 {
		var piece []byte
		piece, rawQuery = cutBytes(rawQuery, '&')
		if len(piece) == 0 {
			continue
		}
		k, v := cutBytes(piece, '=')
		ks := len(q.b)
		var err error
		if q.b, err = appendRecoded(q.b, k); err != nil {
			q.b = q.b[:ks]
			return fmt.Errorf("%w: %w in key %q", ErrInvalidRequest, err, k)
		}
		if skip != nil && skip(q.b[ks:]) {
			// Left out, but its value must still be well-formed.
			q.b = q.b[:ks]
			if err = checkEscapesBytes(v); err != nil {
				return fmt.Errorf("%w: %w in value of %q", ErrInvalidRequest, err, k)
			}
			continue
		}
		if err = addValue(q, ks, v); err != nil {
			return fmt.Errorf("%w: %w in value of %q", ErrInvalidRequest, err, k)
		}
	}
	return nil
}

// addValue finishes the pair whose key parse (or the verifier's reading of
// a presigned URL, verifyauth.go) recoded at q.b[ks:]: it recodes the raw
// value v after it.
func addValue[T text](q *queryBuf, ks int, v T) error {
	return addValueRun(q, ks, v, canonicalRun(v, false))
}

// addValueRun is addValue for a value whose first run bytes are known to be
// canonical (canonicalRun).
func addValueRun[T text](q *queryBuf, ks int, v T, run int) error {
	ke := len(q.b)
	var err error
	if q.b, err = appendRecodedRun(q.b, v, run); err != nil {
		q.b = q.b[:ks]
		return err
	}
	q.pairs = append(q.pairs, queryPair{ks, ke, ke, len(q.b), namePrefix(q.b[ks:ke])})
	return nil
}

// add appends a pair whose key and value are already canonically encoded.
func (q *queryBuf) add(key string, value []byte) {
	ks := len(q.b)
	q.b = append(q.b, key...)
	ke := len(q.b)
	q.b = append(q.b, value...)
	q.pairs = append(q.pairs, queryPair{ks, ke, ke, len(q.b), namePrefix(q.b[ks:ke])})
}

func (q *queryBuf) compare(a, b queryPair) int {
	if a.prefix != b.prefix {
		if a.prefix < b.prefix {
			return -1
		}
		return 1
	}
	if c := bytes.Compare(q.b[a.ks:a.ke], q.b[b.ks:b.ke]); c != 0 {
		return c
	}
	return bytes.Compare(q.b[a.vs:a.ve], q.b[b.vs:b.ve])
}

// sort orders the pairs by encoded key, then encoded value.
func (q *queryBuf) sort() {
	p := q.pairs
	if len(p) > 12 {
		slices.SortFunc(p, q.compare)
		return
	}
	for i := 1; i < len(p); i++ {
		for j := i; j > 0; j-- {
			a, b := &p[j-1], &p[j]
			// Keys whose first eight bytes differ compare by them.
			if a.prefix < b.prefix || a.prefix == b.prefix && q.compare(*a, *b) <= 0 {
				break
			}
			*a, *b = *b, *a
		}
	}
}

// appendCanonical sorts the pairs and appends them joined by '&'.
func (q *queryBuf) appendCanonical(dst []byte) []byte {
	q.sort()
	for i, p := range q.pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, q.b[p.ks:p.ke]...)
		dst = append(dst, '=')
		dst = append(dst, q.b[p.vs:p.ve]...)
	}
	return dst
}

// cut slices s around the first sep, as strings.Cut does; after is
// s[len(s):] when there is none.
func cut(s string, sep byte) (before, after string) {
	if i := strings.IndexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, s[len(s):]
}

// cutBytes is cut for a byte slice.
func cutBytes(s []byte, sep byte) (before, after []byte) {
	if i := bytes.IndexByte(s, sep); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, s[len(s):]
}

// appendRecoded decodes a query component ('+' is a space) and appends its
// SigV4 encoding.
func appendRecoded[T text](dst []byte, s T) ([]byte, error) {
	// Most components arrive encoded as SigV4 encodes them (every client
	// that signs writes them so): such a prefix is copied as it is.
	return appendRecodedRun(dst, s, canonicalRun(s, false))
}

// appendRecodedRun is appendRecoded for s whose first n bytes are known to
// be canonical (canonicalRun).
func appendRecodedRun[T text](dst []byte, s T, n int) ([]byte, error) {
	dst = append(dst, s[:n]...)
	s = s[n:]
	for len(s) > 0 {
		// Copy the longest run that stays as it is in one go.
		i := awsenc.UnreservedRun(s, false)
		dst = append(dst, s[:i]...)
		if i == len(s) {
			break
		}
		c := s[i]
		switch c {
		case '+':
			dst = append(dst, "%20"...)
			s = s[i+1:]
			continue
		case '%':
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				end := min(i+3, len(s))
				return dst, fmt.Errorf("%w %q", errQueryEscape, s[i:end])
			}
			c = unhex(s[i+1])<<4 | unhex(s[i+2])
			s = s[i+3:]
		default:
			s = s[i+1:]
		}
		if awsenc.Unreserved[c] {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', awsenc.UpperHex[c>>4], awsenc.UpperHex[c&15])
		}
	}
	return dst, nil
}

// canonicalRun returns the length of the longest prefix of s that SigV4's
// encoding of its decoded form gives back: unreserved bytes (and '/', with
// slash, as S3 paths keep it) and %XX escapes (upper-case hex) of the
// others.
func canonicalRun[T text](s T, slash bool) int {
	i := 0
	for {
		i += awsenc.UnreservedRun(s[i:], slash)
		if i+2 >= len(s) || s[i] != '%' || !upperHex(s[i+1]) || !upperHex(s[i+2]) {
			return i
		}
		if d := unhex(s[i+1])<<4 | unhex(s[i+2]); awsenc.Unreserved[d] || slash && d == '/' {
			return i
		}
		i += 3
	}
}

// checkEscapes returns the error appendRecoded returns for s, without
// writing anything.
func checkEscapes(s string) error {
	for i := strings.IndexByte(s, '%'); i >= 0; i = strings.IndexByte(s, '%') {
		if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
			end := min(i+3, len(s))
			return fmt.Errorf("%w %q", errQueryEscape, s[i:end])
		}
		s = s[i+3:]
	}
	return nil
}

// checkEscapesBytes is checkEscapes for a byte slice.
func checkEscapesBytes(s []byte) error {
	for i := bytes.IndexByte(s, '%'); i >= 0; i = bytes.IndexByte(s, '%') {
		if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
			end := min(i+3, len(s))
			return fmt.Errorf("%w %q", errQueryEscape, s[i:end])
		}
		s = s[i+3:]
	}
	return nil
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// CanonicalHeaders returns the canonical headers block and the signed
// headers list for host and every header in h: names lower-cased and sorted,
// each value trimmed with inner runs of spaces and tabs collapsed to one
// space, obsolete line folding (a line break followed by a space or tab)
// replaced by a space, and repeated headers joined with ',' in order. The
// block ends with a newline after each header, as in the canonical request.
// A Host entry in h is ignored in favour of host. A value with any other CR
// or LF is an error.
//
//	canonical: "host:example.com\nx-amz-date:20150830T123600Z\n"
//	signed:    "host;x-amz-date"
func CanonicalHeaders(host string, h http.Header) (canonical, signed string, err error) {
	var hb headerBuf
	hb.set(slotHost, host, nil, true)
	for k, vv := range h {
		if strings.EqualFold(k, "host") {
			continue
		}
		hb.add(k, vv)
	}
	c, s, err := hb.appendCanonical(nil, nil)
	return string(c), string(s), err
}

// headerEntry is one header of the request: its lower-case name (offsets
// into headerBuf.names, and its first bytes as a number for sorting), the
// request's key (to order case-variants deterministically) and its values.
type headerEntry struct {
	prefix uint64 // the first 8 bytes of the name, big-endian, zero-padded
	ns, ne int
	key    string
	values []string
}

// fixedSlot names a header the signer sets itself: host, content-length
// and the x-amz-* headers of the signature. No request header is signed
// under these names, so they need no sorting among the request's headers:
// the slots are in name order and are merged in.
type fixedSlot uint8

const (
	slotContentLength fixedSlot = iota
	slotHost
	slotContentSHA256
	slotDate
	slotRegionSet // X-Amz-Region-Set, for an algorithm with region sets
	slotToken
	numSlots
)

// fixedNames are the slots' header names, in order.
var fixedNames = [numSlots]string{"content-length", "host", "x-amz-content-sha256", "x-amz-date", "x-amz-region-set", "x-amz-security-token"}

// fixedPrefixes are the namePrefix of fixedNames.
var fixedPrefixes = func() (p [numSlots]uint64) {
	for i, name := range fixedNames {
		p[i] = namePrefix([]byte(name))
	}
	return p
}()

// fixedHeader is the value of a slot.
type fixedHeader struct {
	value string
	bytes []byte // the value, when it is in a buffer of the signer
	check bool   // the value is canonicalized like a request header's
}

// headerBuf collects the headers to sign into reusable storage.
type headerBuf struct {
	names   []byte
	entries []headerEntry
	order   []int32
	lines   []headerLine
	fixed   [numSlots]fixedHeader
	slots   uint8    // bit i: slot i is set
	clen    [20]byte // content-length digits
}

func (hb *headerBuf) reset() {
	hb.names = hb.names[:0]
	hb.entries = hb.entries[:0]
	hb.slots = 0
}

// add records a request header under its lower-case name and returns its
// entry.
func (hb *headerBuf) add(key string, values []string) int {
	ns := len(hb.names)
	var prefix uint64
	hb.names, prefix = appendLowerName(hb.names, key)
	hb.entries = append(hb.entries, headerEntry{prefix: prefix, ns: ns, ne: len(hb.names), key: key, values: values})
	return len(hb.entries) - 1
}

// drop removes entry n, the last one added.
func (hb *headerBuf) drop(n int) {
	hb.names = hb.names[:hb.entries[n].ns]
	hb.entries = hb.entries[:n]
}

// appendLowerName appends key lower-cased to dst and returns its
// namePrefix too.
func appendLowerName(dst []byte, key string) ([]byte, uint64) {
	n := len(dst)
	dst = append(dst, key...)
	if len(key) < 8 {
		out := dst[n:]
		for i, c := range out {
			if 'A' <= c && c <= 'Z' {
				out[i] = c + 'a' - 'A'
			}
		}
		return dst, namePrefix(out)
	}
	// Lower-case from key rather than in place: reading back the bytes
	// just written, at an offset, stalls the store forwarding.
	out := dst[n:]
	i := 0
	for ; i+8 <= len(key); i += 8 {
		binary.LittleEndian.PutUint64(out[i:i+8], awsenc.Lower8(binary.LittleEndian.Uint64([]byte(key[i:i+8]))))
	}
	if i < len(key) {
		j := len(key) - 8 // the last eight bytes, overlapping the word before
		binary.LittleEndian.PutUint64(out[j:j+8], awsenc.Lower8(binary.LittleEndian.Uint64([]byte(key[j:j+8]))))
	}
	return dst, binary.BigEndian.Uint64(out[:8])
}

// set fills a slot. The value is taken as canonical (a validated host, the
// date, a payload hash) unless check is set.
func (hb *headerBuf) set(slot fixedSlot, value string, bytes []byte, check bool) {
	hb.fixed[slot] = fixedHeader{value: value, bytes: bytes, check: check}
	hb.slots |= 1 << slot
}

// setContentLength fills the content-length slot.
func (hb *headerBuf) setContentLength(n int64) {
	hb.set(slotContentLength, "", strconv.AppendInt(hb.clen[:0], n, 10), false)
}

func (hb *headerBuf) name(i int) []byte { return hb.names[hb.entries[i].ns:hb.entries[i].ne] }

func (hb *headerBuf) compare(a, b int32) int {
	ea, eb := &hb.entries[a], &hb.entries[b]
	if ea.prefix != eb.prefix {
		if ea.prefix < eb.prefix {
			return -1
		}
		return 1
	}
	if c := bytes.Compare(hb.names[ea.ns:ea.ne], hb.names[eb.ns:eb.ne]); c != 0 {
		return c
	}
	return strings.Compare(ea.key, eb.key)
}

// namePrefix returns the first 8 bytes of name as a big-endian number,
// zero-padded, so that most name comparisons are one integer comparison.
func namePrefix(name []byte) uint64 {
	if len(name) >= 8 {
		return binary.BigEndian.Uint64(name)
	}
	var p uint64
	for i, c := range name {
		p |= uint64(c) << (56 - 8*i)
	}
	return p
}

// sort orders hb.order, the indexes of the entries, by name. Sorting
// indexes rather than the entries keeps pointer-carrying structs still.
//
// A request's headers come out of its map in random order, so a
// comparison sort mispredicts its branches; when every name prefix is
// distinct (the common case), an entry's place is the number of smaller
// prefixes, counted without branches. The places are then 0..n-1; equal
// prefixes share a place and make the sum of places smaller.
func (hb *headerBuf) sort() {
	e := hb.entries
	n := len(e)
	hb.order = slices.Grow(hb.order[:0], n)[:n]
	o := hb.order
	if n <= 16 {
		sum := 0
		for i := range e {
			p, rank := e[i].prefix, 0
			for j := range e {
				rank += b2i(e[j].prefix < p)
			}
			o[rank] = int32(i)
			sum += rank
		}
		if sum == n*(n-1)/2 {
			return
		}
	}
	for i := range o {
		o[i] = int32(i)
	}
	slices.SortFunc(o, hb.compare)
}

// b2i is 1 for true and 0 for false; the compiler makes it a flag move.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// headerLine is one line of the canonical headers block: a slot, or the
// request headers order[first:last], which share one lower-case name.
type headerLine struct {
	slot        fixedSlot // numSlots for request headers
	first, last int
}

// buildLines merges the sorted request headers and the slots into
// hb.lines. hb.sort must have run.
func (hb *headerBuf) buildLines() {
	hb.lines = hb.lines[:0]
	slots := hb.slots
	for i := 0; i < len(hb.order); {
		e := &hb.entries[hb.order[i]]
		name := hb.names[e.ns:e.ne]
		for slots != 0 {
			s := fixedSlot(bits.TrailingZeros8(slots))
			if p := fixedPrefixes[s]; p > e.prefix || p == e.prefix && fixedNames[s] > string(name) {
				break
			}
			hb.lines = append(hb.lines, headerLine{slot: s})
			slots &= slots - 1
		}
		j := i + 1
		for j < len(hb.order) {
			next := &hb.entries[hb.order[j]]
			if next.prefix != e.prefix || !bytes.Equal(hb.names[next.ns:next.ne], name) {
				break
			}
			j++
		}
		hb.lines = append(hb.lines, headerLine{slot: numSlots, first: i, last: j})
		i = j
	}
	for ; slots != 0; slots &= slots - 1 {
		hb.lines = append(hb.lines, headerLine{slot: fixedSlot(bits.TrailingZeros8(slots))})
	}
}

// lineName returns the lower-case name of a line.
func (hb *headerBuf) lineName(ln *headerLine) []byte {
	if ln.slot < numSlots {
		return fixedNameBytes[ln.slot]
	}
	e := &hb.entries[hb.order[ln.first]]
	return hb.names[e.ns:e.ne]
}

// fixedNameBytes are fixedNames as byte slices, never written.
var fixedNameBytes = func() (b [numSlots][]byte) {
	for i, name := range fixedNames {
		b[i] = []byte(name)
	}
	return b
}()

// appendCanonical sorts the entries and appends the canonical headers block
// to canon and the signed headers list to signed, the slots merged in.
// Entries with the same lower-case name are merged.
func (hb *headerBuf) appendCanonical(canon, signed []byte) ([]byte, []byte, error) {
	if len(hb.entries) == 0 {
		return hb.appendSlots(canon, signed)
	}
	hb.sort()
	hb.buildLines()
	var err error
	for i := range hb.lines {
		ln := &hb.lines[i]
		name := hb.lineName(ln)
		if i > 0 {
			signed = append(signed, ';')
		}
		signed = append(signed, name...)
		canon = append(canon, name...)
		canon = append(canon, ':')
		if ln.slot < numSlots {
			canon, err = hb.appendSlotValue(ln.slot, canon)
		} else {
			var ok bool
			if canon, ok = hb.appendValues(canon, ln.first, ln.last, nil); !ok {
				err = crlfError(name)
			}
		}
		if err != nil {
			return canon, signed, err
		}
		canon = append(canon, '\n')
	}
	return canon, signed, nil
}

// appendSlots is appendCanonical for the slots alone, in their order. It
// leaves hb.order and hb.lines as sort and buildLines would.
func (hb *headerBuf) appendSlots(canon, signed []byte) ([]byte, []byte, error) {
	var err error
	hb.order, hb.lines = hb.order[:0], hb.lines[:0]
	for slots := hb.slots; slots != 0; slots &= slots - 1 {
		s := fixedSlot(bits.TrailingZeros8(slots))
		hb.lines = append(hb.lines, headerLine{slot: s})
		if len(signed) > 0 {
			signed = append(signed, ';')
		}
		signed = append(signed, fixedNames[s]...)
		canon = append(canon, fixedNames[s]...)
		canon = append(canon, ':')
		if canon, err = hb.appendSlotValue(s, canon); err != nil {
			return canon, signed, err
		}
		canon = append(canon, '\n')
	}
	return canon, signed, nil
}

// appendValues appends the canonical values of request headers
// order[first:last], comma-joined; with vals set, vals[p] are the values of
// position p instead of the entries'. It reports false for a value with a
// CR or LF that is not line folding.
func (hb *headerBuf) appendValues(canon []byte, first, last int, vals [][]string) ([]byte, bool) {
	comma := false
	for p := first; p < last; p++ {
		var vv []string
		if vals != nil {
			vv = vals[p]
		} else {
			vv = hb.entries[hb.order[p]].values
		}
		for _, v := range vv {
			var ok bool
			if canon, ok = appendHeaderValue(canon, v, comma); !ok {
				return canon, false
			}
			comma = true
		}
	}
	return canon, true
}

// appendSlotValue appends the canonical value of a slot.
func (hb *headerBuf) appendSlotValue(s fixedSlot, canon []byte) ([]byte, error) {
	f := &hb.fixed[s]
	switch {
	case f.bytes != nil:
		return append(canon, f.bytes...), nil
	case f.check:
		canon, ok := appendHeaderValue(canon, f.value, false)
		if !ok {
			return canon, crlfError(fixedNameBytes[s])
		}
		return canon, nil
	}
	return append(canon, f.value...), nil
}

// appendHeaderValue appends a header value trimmed, with runs of spaces and
// tabs collapsed to one space and obs-folds (CRLF or LF followed by a space
// or tab) read as a space. comma prefixes a ',' (a repeated header). It
// reports false for a value with any other CR or LF.
func appendHeaderValue(dst []byte, v string, comma bool) ([]byte, bool) {
	if comma {
		dst = append(dst, ',')
	}
	if plainValue(v) {
		return append(dst, v...), true
	}
	start := len(dst)
	space := false // a space is pending
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch c {
		case ' ', '\t':
			space = true
			continue
		case '\r', '\n':
			// An obs-fold is CRLF (or a bare LF) followed by a space or tab.
			j := i
			if c == '\r' {
				if j+1 >= len(v) || v[j+1] != '\n' {
					return dst, false
				}
				j++
			}
			if j+1 < len(v) && (v[j+1] == ' ' || v[j+1] == '\t') {
				i = j
				space = true
				continue
			}
			return dst, false
		}
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		dst = append(dst, c)
	}
	return dst, true
}

// crlfError is the error for a header value with a CR or LF that is not
// line folding.
func crlfError(name []byte) error { return &headerValueError{string(name)} }

// headerValueError is a header value with a CR or LF that is not line
// folding. It wraps ErrInvalidRequest.
type headerValueError struct{ name string }

func (e *headerValueError) Error() string {
	return fmt.Sprintf("%v: header %q has a CR or LF in its value", ErrInvalidRequest, e.name)
}

func (e *headerValueError) Unwrap() error { return ErrInvalidRequest }

// plainValue reports whether a header value is already canonical: no
// leading or trailing space, no run of spaces, no tab, CR or LF.
func plainValue(v string) bool {
	if !hasSpaceOrControl(v) {
		return true
	}
	if v[0] == ' ' || v[len(v)-1] == ' ' {
		return false
	}
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\t', '\r', '\n':
			return false
		case ' ':
			if v[i+1] == ' ' {
				return false
			}
		}
	}
	return true
}

// hasSpaceOrControl reports whether s has a byte <= ' ' (which covers the
// space, the tab, CR and LF), eight bytes at a time.
func hasSpaceOrControl(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64([]byte(s[i : i+8]))
		// A byte below 0x21 borrows into its high bit when 0x21 is
		// subtracted, and had that bit clear before.
		if (x-0x2121212121212121)&^x&0x8080808080808080 != 0 {
			return true
		}
	}
	if i < len(s) && len(s) >= 8 {
		// The last eight bytes, overlapping the word before.
		x := binary.LittleEndian.Uint64([]byte(s[len(s)-8:]))
		return (x-0x2121212121212121)&^x&0x8080808080808080 != 0
	}
	for ; i < len(s); i++ {
		if s[i] <= ' ' {
			return true
		}
	}
	return false
}

// deniedHeader reports whether a lower-case header name is on the default
// deny list: headers that proxies and clients change or drop in transit.
func deniedHeader(name []byte) bool {
	switch string(name) {
	case "authorization", "user-agent", "x-amzn-trace-id", "expect", "transfer-encoding", "connection":
		return true
	}
	return false
}
