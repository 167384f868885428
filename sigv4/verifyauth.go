package sigv4

import (
	"encoding/binary"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/internal/awsenc"
)

// This file parses what a request says of its signature: the
// Authorization header or the X-Amz-* query parameters of a presigned URL,
// and X-Amz-Date. The steps (steps.go) then recompute the signature.

// checkLimits refuses a request beyond the limits before anything of it
// is parsed.
func checkLimits(r *http.Request) error {
	if r == nil || r.URL == nil {
		return authErr(http.StatusBadRequest, CodeInvalidRequest, "nil request or URL")
	}
	if len(r.URL.RawQuery) > MaxQueryBytes {
		return authErr(http.StatusBadRequest, CodeInvalidRequest, "The query string is longer than "+strconv.Itoa(MaxQueryBytes)+" bytes.")
	}
	if len(r.URL.Path) > MaxPathBytes || len(r.URL.RawPath) > MaxPathBytes {
		return authErr(http.StatusBadRequest, CodeInvalidRequest, "The path is longer than "+strconv.Itoa(MaxPathBytes)+" bytes.")
	}
	return nil
}

// readAuth parses the authentication of r into a: the Authorization header
// and X-Amz-Date (or Date), or a presigned URL's parameters; and checks its
// credential scope.
func (v *Verifier) readAuth(r *http.Request, a *auth) error {
	authz, hasAuthz := r.Header["Authorization"]
	presigned, err := hasPresignParams(r.URL.RawQuery)
	if err != nil {
		return err
	}
	switch {
	case hasAuthz && presigned:
		return authErr(http.StatusBadRequest, CodeInvalidArgument, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.")
	case hasAuthz:
		if len(authz) != 1 {
			return malformedHeader("more than one Authorization header")
		}
		if err := a.parseHeader(authz[0], v.algs); err != nil {
			return err
		}
		if err := v.parseHeaderDate(r, a); err != nil {
			return err
		}
		if a.regionSet {
			if set := r.Header["X-Amz-Region-Set"]; len(set) == 1 {
				a.region = set[0]
			}
		}
	case presigned:
		if err := a.parseQuery(r.URL.RawQuery, v.algs); err != nil {
			return err
		}
	default:
		return &AuthError{Code: CodeAccessDenied, StatusCode: http.StatusForbidden, Message: "Anonymous access is forbidden for this operation.", Err: ErrNotSigned}
	}
	return v.checkScope(a)
}

// checkTime checks the request time against now: a presigned URL must be
// valid already and not expired, a header-signed request within MaxSkew.
// It returns a presigned URL's end of validity.
func (v *Verifier) checkTime(a *auth, now time.Time) (time.Time, error) {
	if !a.presigned {
		if d := now.Sub(a.signedAt); d > v.skew || d < -v.skew {
			return time.Time{}, authErr(http.StatusForbidden, CodeRequestTimeTooSkewed, "The difference between the request time and the current time is too large.")
		}
		return time.Time{}, nil
	}
	if a.signedAt.Sub(now) > v.skew {
		return time.Time{}, authErr(http.StatusForbidden, CodeAccessDenied, "Request is not valid yet")
	}
	expires := a.signedAt.Add(a.expires)
	if now.After(expires) {
		return time.Time{}, authErr(http.StatusForbidden, CodeAccessDenied, "Request has expired")
	}
	return expires, nil
}

// auth is the parsed authentication of a request; every string is a
// substring of the request's own.
type auth struct {
	presigned     bool
	alg           SignatureAlgorithm // nil for AWS4-HMAC-SHA256
	algName       string
	regionSet     bool // the algorithm signs a region set, not in the scope
	accessKey     string
	scope         string // date/region/service/aws4_request
	date          string // of the scope
	region        string // or the region set (X-Amz-Region-Set)
	service       string
	signedHeaders string
	list          *nameList  // signedHeaders, split (in cache)
	cache         *authCache // the scratch's (authcache.go)
	dates         *dateCache // the last X-Amz-Date parsed (in the scratch)
	signature     string
	amzDate       string // YYYYMMDD'T'HHMMSS'Z'
	signedAt      time.Time
	expires       time.Duration
	token         string
	hasToken      bool

	// A presigned URL's query is read once: while its parameters are
	// looked for, every pair is recoded into query as step 1 needs it,
	// less those skip leaves out. queryParsed reports that query holds the
	// whole of it (a pair that cannot be recoded leaves the reading to
	// step 1, and its error with it).
	query       *queryBuf
	skip        func(key []byte) bool
	queryParsed bool
}

// reset drops what a holds of the last request.
func (a *auth) reset() { *a = auth{} }

// nameList is a SignedHeaders list split into its names, substrings of
// the request's, in their (sorted) order.
type nameList struct {
	names [MaxSignedHeaders]string
	n     int
}

// index returns the position of name in the list, or -1.
func index[T text](l *nameList, name T) int {
	for i, n := range l.names[:l.n] {
		if n == string(name) {
			return i
		}
		if n > string(name) { // the list is sorted
			return -1
		}
	}
	return -1
}

// has reports whether the list has name.
func (l *nameList) has(name string) bool { return index(l, name) >= 0 }

// setAlgorithm sets the algorithm a request names, among AWS4-HMAC-SHA256
// and the verifier's others, and reports whether it is one of them.
func (a *auth) setAlgorithm(name string, algs []SignatureAlgorithm) bool {
	if name == Algorithm {
		a.alg, a.algName, a.regionSet = nil, Algorithm, false
		return true
	}
	for _, alg := range algs {
		if alg.Name() == name {
			a.alg, a.algName, a.regionSet = alg, name, alg.RegionSet()
			return true
		}
	}
	return false
}

// hasPresignParams reports whether the raw query has X-Amz-Algorithm,
// X-Amz-Credential or X-Amz-Signature (decoded).
func hasPresignParams(rawQuery string) (bool, error) {
	if rawQuery == "" {
		return false, nil
	}
	if !strings.Contains(rawQuery, "X-Amz-") && !strings.Contains(rawQuery, "%") {
		return false, nil
	}
	for q := rawQuery; q != ""; {
		var piece string
		piece, q = cut(q, '&')
		k, _ := cut(piece, '=')
		k, err := decodeQueryKey(k)
		if err != nil {
			return false, malformedQuery("The query string has an invalid percent-escape.")
		}
		switch k {
		case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature":
			return true, nil
		}
	}
	return false, nil
}

// decodeQueryKey decodes a query component ('+' is a space), without
// allocating when there is nothing to decode and with one allocation
// otherwise.
func decodeQueryKey(s string) (string, error) {
	if !hasEscape(s) {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b.WriteByte(' ')
		case '%':
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				return "", errQueryEscape
			}
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// hasEscape reports whether s has a '%' or a '+', eight bytes at a time.
func hasEscape(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64([]byte(s[i : i+8]))
		// A zero byte of x^c marks a byte c: (v-1)&^v has its high bit
		// set exactly when some byte of v is zero.
		p, q := x^(ones*'%'), x^(ones*'+')
		if ((p-ones)&^p|(q-ones)&^q)&highs != 0 {
			return true
		}
	}
	for ; i < len(s); i++ {
		if s[i] == '%' || s[i] == '+' {
			return true
		}
	}
	return false
}

// parseHeader parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=...", or the same for another of algs. The three parts may
// come in any order, each once, separated by ',' and optional spaces.
func (a *auth) parseHeader(h string, algs []SignatureAlgorithm) error {
	if len(h) > MaxAuthorizationBytes {
		return malformedHeader("it is longer than " + strconv.Itoa(MaxAuthorizationBytes) + " bytes")
	}
	alg, rest := cut(h, ' ')
	if !a.setAlgorithm(alg, algs) {
		if strings.HasPrefix(h, "AWS ") {
			return authErr(http.StatusBadRequest, CodeInvalidRequest, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
		}
		return malformedHeader("the authorization mechanism must be " + Algorithm)
	}
	if len(alg) == len(h) {
		return malformedHeader("incorrect component count")
	}
	var seen [3]bool
	n := 0
	for rest != "" {
		var part string
		part, rest = cut(rest, ',')
		part = strings.TrimLeft(part, " ")
		if rest == "" && part == "" {
			break
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			return malformedHeader("the component " + strconv.Quote(truncate(part)) + " is not of the form key=value")
		}
		var i int
		switch k {
		case "Credential":
			i = 0
			if err := a.parseCredential(val, false); err != nil {
				return err
			}
		case "SignedHeaders":
			i = 1
			a.signedHeaders = val
		case "Signature":
			i = 2
			a.signature = val
		default:
			return malformedHeader("unknown component " + strconv.Quote(truncate(k)))
		}
		if seen[i] {
			return malformedHeader("the component " + k + " appears more than once")
		}
		seen[i] = true
		n++
	}
	if n != 3 {
		return malformedHeader("incorrect component count; Credential, SignedHeaders and Signature are required")
	}
	return a.parseSignedHeaders(false)
}

// truncate shortens s for an error message.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// parseCredential parses accessKey/date/region/service/aws4_request, or
// accessKey/date/service/aws4_request for an algorithm with region sets:
// raw, as the Authorization header has it or, with query, as the
// X-Amz-Credential parameter has it (escaped; its escapes are valid).
func (a *auth) parseCredential(raw string, query bool) error {
	if a.cache.credential(a, raw, query) {
		return nil
	}
	c := raw
	if query {
		c, _ = decodeQueryKey(raw)
	}
	if err := a.splitCredential(c, query); err != nil {
		return err
	}
	a.cache.rememberCredential(a, raw, query)
	return nil
}

// splitCredential is parseCredential for a decoded credential c.
func (a *auth) splitCredential(c string, query bool) error {
	form := "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request"
	if a.regionSet {
		form = "<YOUR-AKID>/YYYYMMDD/SERVICE/aws4_request"
	}
	bad := func(why string) error {
		if query {
			return malformedQuery("Error parsing the X-Amz-Credential parameter; " + why + ".")
		}
		return malformedHeader(why)
	}
	i := strings.IndexByte(c, '/')
	if i <= 0 {
		return bad("the Credential is mal-formed; expecting \"" + form + "\"")
	}
	a.accessKey, a.scope = c[:i], c[i+1:]
	var parts [4]string
	n := len(parts)
	if a.regionSet {
		n-- // no region
	}
	rest := a.scope
	for j := range n {
		var ok bool
		parts[j], rest, ok = strings.Cut(rest, "/")
		if parts[j] == "" || (j < n-1) != ok {
			return bad("the Credential is mal-formed; expecting \"" + form + "\"")
		}
	}
	if !awsenc.ValidAccessKeyID(a.accessKey) {
		return bad("the access key ID has an invalid character")
	}
	if a.regionSet {
		parts[1], parts[2], parts[3] = "", parts[1], parts[2] // the region set is X-Amz-Region-Set
	}
	a.date, a.service = parts[0], parts[2]
	if !a.regionSet {
		a.region = parts[1]
	}
	if parts[3] != "aws4_request" {
		return bad("incorrect terminal " + strconv.Quote(truncate(parts[3])) + ". This endpoint uses \"aws4_request\"")
	}
	if len(a.date) != 8 || !allDigits(a.date) {
		return bad("the credential date " + strconv.Quote(truncate(a.date)) + " is not YYYYMMDD")
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseSignedHeaders checks the SignedHeaders list, 1 to MaxSignedHeaders
// lower-case names in strictly ascending order, and splits it into a.list.
func (a *auth) parseSignedHeaders(query bool) error {
	if a.signedHeaders == "" {
		return signedHeadersError(query, "is empty")
	}
	return a.cache.signedHeaders(a, query)
}

// signedHeadersError is the refusal of a malformed SignedHeaders list.
func signedHeadersError(query bool, why string) error {
	if query {
		return malformedQuery("X-Amz-SignedHeaders is malformed: " + why + ".")
	}
	return malformedHeader("SignedHeaders " + why)
}

// splitSignedHeaders splits a SignedHeaders list s into l, checking each
// name.
func splitSignedHeaders(l *nameList, s string, query bool) error {
	bad := func(why string) error { return signedHeadersError(query, why) }
	l.n = 0
	for rest := s; ; {
		name, more := cut(rest, ';')
		if name == "" {
			return bad("has an empty name")
		}
		for i := 0; i < len(name); i++ {
			if !lowerNameByte[name[i]] {
				return bad("has a name that is not a lower-case header name")
			}
		}
		if l.n > 0 && name <= l.names[l.n-1] {
			return bad("is not sorted or has a duplicate")
		}
		if l.n == MaxSignedHeaders {
			return bad("has more than " + strconv.Itoa(MaxSignedHeaders) + " names")
		}
		l.names[l.n] = name
		l.n++
		if len(name) == len(rest) {
			break
		}
		rest = more
	}
	return nil
}

// lowerNameByte[c] reports whether c may be in a signed header name: a
// printable ASCII byte other than ':' and the upper-case letters.
var lowerNameByte = func() (t [256]bool) {
	for c := '!'; c < 0x7f; c++ {
		t[c] = c != ':' && !('A' <= c && c <= 'Z')
	}
	return t
}()

// dateCache remembers the last X-Amz-Date parsed: requests come in
// seconds, and a server verifies many per second.
type dateCache struct {
	s  [16]byte
	t  time.Time
	ok bool
}

// parse is parseAmzDate, remembering the last date parsed.
func (c *dateCache) parse(s string) (time.Time, bool) {
	if c != nil && c.ok && string(c.s[:]) == s {
		return c.t, true
	}
	t, ok := parseAmzDate(s)
	if ok && c != nil {
		copy(c.s[:], s)
		c.t, c.ok = t, true
	}
	return t, ok
}

// parseAmzDate parses YYYYMMDD'T'HHMMSS'Z' strictly.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != 16 || s[8] != 'T' || s[15] != 'Z' || !allDigits(s[:8]) || !allDigits(s[9:15]) {
		return time.Time{}, false
	}
	n := func(i, j int) int {
		v := 0
		for ; i < j; i++ {
			v = v*10 + int(s[i]-'0')
		}
		return v
	}
	y, mo, d, h, mi, sec := n(0, 4), n(4, 6), n(6, 8), n(9, 11), n(11, 13), n(13, 15)
	if mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d { // February 30th
		return time.Time{}, false
	}
	return t, true
}

// parseHeaderDate sets the request time of a header-signed request from
// X-Amz-Date, or Date when there is none; the header must be signed.
func (v *Verifier) parseHeaderDate(r *http.Request, a *auth) error {
	if d := r.Header["X-Amz-Date"]; len(d) > 0 {
		if len(d) != 1 {
			return authErr(http.StatusForbidden, CodeAccessDenied, "AWS authentication requires a valid Date or x-amz-date header")
		}
		t, ok := a.dates.parse(d[0])
		if !ok {
			return authErr(http.StatusForbidden, CodeAccessDenied, "AWS authentication requires a valid Date or x-amz-date header")
		}
		a.amzDate, a.signedAt = d[0], t
		return nil
	}
	d := r.Header["Date"]
	if len(d) != 1 || !a.list.has("date") {
		return authErr(http.StatusForbidden, CodeAccessDenied, "AWS authentication requires a valid Date or x-amz-date header")
	}
	t, err := http.ParseTime(d[0])
	if err != nil {
		return authErr(http.StatusForbidden, CodeAccessDenied, "AWS authentication requires a valid Date or x-amz-date header")
	}
	a.signedAt = t.UTC()
	a.amzDate = string(awsenc.AppendAmzDate(nil, a.signedAt))
	return nil
}

// parseQuery parses the X-Amz-* parameters of a presigned URL. Each must
// appear exactly once (X-Amz-Security-Token at most once).
func (a *auth) parseQuery(rawQuery string, algs []SignatureAlgorithm) error {
	a.presigned = true
	var vals [len(authParams)]string
	if err := a.queryParams(rawQuery, &vals); err != nil {
		return err
	}
	alg, cred, date, exp, signed, sig := vals[0], vals[1], vals[2], vals[3], vals[4], vals[6]
	if !a.setAlgorithm(alg, algs) {
		return malformedQuery("X-Amz-Algorithm only supports \"" + Algorithm + "\".")
	}
	if err := a.parseCredential(cred, true); err != nil {
		return err
	}
	t, ok := a.dates.parse(date)
	if !ok {
		return malformedQuery("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\".")
	}
	a.amzDate, a.signedAt = date, t
	if exp == "" || len(exp) > 7 || !allDigits(exp) {
		return malformedQuery("X-Amz-Expires should be a number.")
	}
	n, _ := strconv.Atoi(exp)
	if n < 1 {
		return malformedQuery("X-Amz-Expires must be non-negative.")
	}
	if n > int(MaxExpires/time.Second) {
		return malformedQuery("X-Amz-Expires must be less than a week (in seconds) that is 604800.")
	}
	a.expires = time.Duration(n) * time.Second
	a.signedHeaders, a.signature = signed, sig
	return a.parseSignedHeaders(true)
}

// queryParams reads the values of the presign parameters (authParams'
// order) and, for an algorithm with region sets, X-Amz-Region-Set; and
// recodes the pairs into a.query (see auth).
func (a *auth) queryParams(rawQuery string, vals *[len(authParams)]string) error {
	var seen [len(authParams)]bool
	q := a.query
	q.reset()
	parsed := true
	for rest := rawQuery; rest != ""; {
		var piece string
		piece, rest = cut(rest, '&')
		if piece == "" {
			continue
		}
		rk, rv := cut(piece, '=')
		// The key recoded: a presign parameter's name is its own encoding,
		// so it is recognized there as well as decoded. Sent as it is
		// (the usual case), it needs no recoding.
		ks := len(q.b)
		var err error
		i := authParamIndex(rk)
		if i >= 0 {
			q.b = append(q.b, rk...)
		} else if q.b, err = appendRecoded(q.b, rk); err != nil {
			return malformedQuery("The query string has an invalid percent-escape.")
		} else {
			i = authParamIndex(q.b[ks:])
		}
		key := q.b[ks:]
		regionSet := i < 0 && string(key) == "X-Amz-Region-Set"
		if i >= 0 && seen[i] {
			return malformedQuery("The query parameter " + string(key) + " appears more than once.")
		}
		recoded := false
		switch {
		case !parsed || a.skip(key):
			q.b = q.b[:ks]
		case addValueRun(q, ks, rv, a.cache.valueRun(i, rv)) != nil:
			parsed = false // step 1 reads the query again, and refuses it
		default:
			recoded = true // rv's escapes are well-formed
		}
		if i >= 0 || regionSet {
			var val string
			if i == 1 { // X-Amz-Credential is decoded when not cached (parseCredential)
				val = rv
				if !recoded {
					err = checkEscapes(rv)
				}
			} else {
				val, err = decodeQueryKey(rv)
			}
			if err != nil {
				return malformedQuery("The query string has an invalid percent-escape.")
			}
			if regionSet { // signed in the canonical query
				a.region = val
			} else {
				seen[i], vals[i] = true, val
				if i == tokenParam {
					a.token, a.hasToken = val, true
				}
			}
		}
	}
	for i, ok := range seen {
		if !ok && authParams[i] != "X-Amz-Security-Token" {
			return malformedQuery("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
		}
	}
	a.queryParsed = parsed
	return nil
}

// authParamIndex returns the index of a presign parameter in authParams,
// or -1.
func authParamIndex[T text](k T) int {
	switch string(k) {
	case "X-Amz-Algorithm":
		return 0
	case "X-Amz-Credential":
		return 1
	case "X-Amz-Date":
		return 2
	case "X-Amz-Expires":
		return 3
	case "X-Amz-SignedHeaders":
		return 4
	case "X-Amz-Security-Token":
		return 5
	case "X-Amz-Signature":
		return 6
	}
	return -1
}

// checkScope checks the credential scope against the request date, the
// accepted regions and the service.
func (v *Verifier) checkScope(a *auth) error {
	bad := func(why string) error {
		if a.presigned {
			return malformedQuery("Error parsing the X-Amz-Credential parameter; " + why + ".")
		}
		return malformedHeader(why)
	}
	if a.date != a.amzDate[:8] {
		return bad("Invalid credential date. Date is not the same as X-Amz-Date")
	}
	if a.regionSet {
		if !regionSetAccepts(a.region, v.regions) {
			return bad("the region set " + strconv.Quote(truncate(a.region)) + " (X-Amz-Region-Set) has none of the regions of this endpoint; expecting " + strconv.Quote(v.regions[0]))
		}
	} else if !acceptsRegion(a.region, v.regions) {
		return bad("the region " + strconv.Quote(truncate(a.region)) + " is wrong; expecting " + strconv.Quote(v.regions[0]))
	}
	if a.service != v.service {
		return bad("incorrect service " + strconv.Quote(truncate(a.service)) + ". This endpoint belongs to " + strconv.Quote(v.service))
	}
	return nil
}

func acceptsRegion(region string, regions []string) bool {
	for _, r := range regions {
		if r == region {
			return true
		}
	}
	return false
}

// regionSetAccepts reports whether a region set (X-Amz-Region-Set:
// comma-separated regions, each maybe with '*' wildcards, as "*" or
// "us-*") names one of regions.
func regionSetAccepts(set string, regions []string) bool {
	for set != "" {
		var pattern string
		pattern, set = cut(set, ',')
		pattern = strings.TrimSpace(pattern)
		for _, r := range regions {
			if wildcardMatch(pattern, r) {
				return true
			}
		}
	}
	return false
}

// wildcardMatch reports whether s matches pattern, where '*' matches any
// run of bytes.
func wildcardMatch(pattern, s string) bool {
	star, next := -1, 0 // the last '*' in pattern, and where s resumes after it
	for p, i := 0, 0; i < len(s) || p < len(pattern); {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, next = p, i
			p++
		case p < len(pattern) && i < len(s) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0 && next < len(s):
			next++
			p, i = star+1, next
		default:
			return false
		}
	}
	return true
}
