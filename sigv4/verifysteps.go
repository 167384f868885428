package sigv4

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
)

// This file runs the four steps (steps.go) on a request a Verifier
// received. Step 1 reads the request as the signer does, with what differs
// on the server: the signed header names come from the request's
// SignedHeaders (verifierPicker), an x-amz-* header that is not signed
// refuses the request, and X-Amz-Signature leaves the canonical query.

// canonicalRequest runs step 1 on r, with payload as the payload line and
// host and rawQuery as the request's (matchVariant tries others), into
// sc.creq. It returns the refusal of a request that cannot have been
// signed as it is.
func (v *Verifier) canonicalRequest(sc *scratch, r *http.Request, a *auth, payload, host, rawQuery string) error {
	path, err := requestPath(r.URL, v.doubleEscape)
	if err != nil {
		return authErr(http.StatusBadRequest, CodeInvalidRequest, "The request URL is opaque.")
	}
	m := &sc.msg
	m.method, m.header, m.contentLength, m.payload = r.Method, r.Header, r.ContentLength, payload
	if m.method == "" {
		m.method = http.MethodGet
	}
	m.single = !v.doubleEscape && !v.normalize && strings.HasPrefix(r.URL.Path, "/")
	m.normalize = v.normalize
	m.skip = nil
	if a.presigned {
		m.skip = a.skip
	}
	// readAuth recoded a presigned URL's query into sc.q already; a
	// variant reading (matchVariant) parses its own.
	m.queryParsed = a.queryParsed && rawQuery == r.URL.RawQuery
	a.queryParsed = false
	if m.queryParsed {
		rawQuery = "" // step 1 reads sc.q, not the query
	}
	sc.setBytes(host, path, rawQuery)
	p := &sc.verifyPick
	*p = verifierPicker{list: a.list, host: host, hostOK: host != "" && checkHost(sc, host) == nil,
		contentLength: r.ContentLength, accessKey: a.accessKey, unsignedToken: !v.signedToken}
	m.pick = p
	sc.vshape = shapeKey{owner: shapeVerifier, list: a.signedHeaders}
	if !v.signedToken {
		sc.vshape.owner = shapeVerifierAnyToken
	}
	m.shape = &sc.vshape
	if err := sc.canonicalRequest(); err != nil {
		return refusal(err)
	}
	if string(sc.res.signed) != a.signedHeaders { // cannot happen: the list is sorted and every name found
		return malformedHeader("SignedHeaders does not match the headers")
	}
	return nil
}

// credentials looks up the credentials of the access key and checks that
// they have not expired and that the session token is theirs.
func (v *Verifier) credentials(r *http.Request, a *auth, now time.Time) (credentials.Credentials, error) {
	creds, err := v.lookup(r.Context(), a.accessKey)
	if err != nil {
		return creds, err
	}
	if creds.Expired(now) {
		return creds, &AuthError{Code: CodeExpiredToken, StatusCode: http.StatusBadRequest, Message: "The provided token has expired.", AccessKeyID: a.accessKey}
	}
	return creds, v.checkToken(r, a, creds)
}

// checkSignature runs steps 2 to 4 on the canonical request in sc (with
// step 3, the signing key, for AWS4-HMAC-SHA256) and refuses the request
// when its signature is another, after the readings of matchVariant. It
// returns the key and the payload line that matched.
func (v *Verifier) checkSignature(sc *scratch, r *http.Request, a *auth, creds *credentials.Credentials, payload, host string) (*signingKey, string, error) {
	var key *signingKey
	if a.alg == nil {
		var date [8]byte // a.date has 8 digits
		copy(date[:], a.date)
		key = v.key(&sc.h, a.accessKey, creds.SecretAccessKey, date[:], a.region, a.service) // step 3
	}
	match := v.signatureMatches(sc, key, a, creds)
	if !match {
		match, payload = v.matchVariant(sc, r, a, key, creds, payload, host)
	}
	// AWS4-HMAC-SHA256's signature needs no check of its form: sameSignature
	// accepts only the computed hex, lower case.
	if !match || a.alg != nil && !validSignatureHex(a.signature) {
		return nil, payload, &AuthError{
			Code:              CodeSignatureDoesNotMatch,
			StatusCode:        http.StatusForbidden,
			Message:           "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
			AccessKeyID:       a.accessKey,
			CanonicalRequest:  string(sc.creq),
			StringToSign:      string(sc.sts),
			SignatureProvided: a.signature,
		}
	}
	return key, payload, nil
}

// putScratch drops what sc holds of the request and keeps it for the next.
// The steps left nothing else of the request in sc.res.
func (v *Verifier) putScratch(sc *scratch) {
	sc.auth.reset()
	sc.verifyPick, sc.vshape = verifierPicker{}, shapeKey{}
	v.spare.put(sc)
}

// refusal turns an error of step 1 into the verifier's answer.
func refusal(err error) error {
	var ae *AuthError
	var hv *headerValueError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &hv):
		return authErr(http.StatusBadRequest, CodeInvalidRequest, "A signed header has a CR or LF in its value.")
	case errors.Is(err, errQueryEscape):
		return authErr(http.StatusBadRequest, CodeInvalidRequest, "The query string has an invalid percent-escape.")
	}
	return authErr(http.StatusBadRequest, CodeInvalidRequest, "The request cannot be read: "+err.Error())
}

// querySkip returns the query parameters a presigned URL's canonical
// query leaves out: X-Amz-Signature, and X-Amz-Security-Token when the
// token may be unsigned.
func (v *Verifier) querySkip() func(key []byte) bool {
	if v.signedToken {
		return isSignatureParam
	}
	return isSignatureOrTokenParam
}

func isSignatureParam(key []byte) bool { return string(key) == "X-Amz-Signature" }

func isSignatureOrTokenParam(key []byte) bool {
	return string(key) == "X-Amz-Signature" || string(key) == "X-Amz-Security-Token"
}

// verifierPicker is the verifier's choice of the headers step 1 signs:
// host, and every header the request's SignedHeaders names. An x-amz-*
// header it does not name refuses the request (but an unsigned
// X-Amz-Security-Token, when unsignedToken), and so does a name no header
// has.
type verifierPicker struct {
	list          *nameList
	host          string
	hostOK        bool // a valid host (checkHost)
	contentLength int64
	accessKey     string
	unsignedToken bool
	hb            *headerBuf
	found         uint64 // bit i: the i-th name has a header
	size          int    // of the signed names and values
}

// begin checks that host is signed and valid, sets it, and sets
// Content-Length from the request's length when it is signed (a header of
// that name takes its place).
func (p *verifierPicker) begin(hb *headerBuf) error {
	i := index(p.list, "host")
	if i < 0 {
		return authErr(http.StatusForbidden, CodeAccessDenied, "There were headers present in the request which were not signed: host")
	}
	if !p.hostOK {
		return authErr(http.StatusBadRequest, CodeInvalidRequest, "The request has no valid Host header.")
	}
	p.hb = hb
	hb.reset()
	hb.set(slotHost, p.host, nil, false)
	p.found, p.size = 1<<i, len(p.host)
	if p.contentLength >= 0 && p.list.has("content-length") {
		hb.setContentLength(p.contentLength)
	}
	return nil
}

func (p *verifierPicker) byKey(k string, _ []string) bool { return k != "Authorization" && k != "Host" }

func (p *verifierPicker) byName(_ string, name []byte, vv []string) (bool, error) {
	switch string(name) {
	case "host", "authorization":
		return false, nil
	}
	i := index(p.list, name)
	if i < 0 {
		if string(name[:min(len(name), 6)]) == "x-amz-" && !(p.unsignedToken && string(name) == "x-amz-security-token") {
			return false, authErr(http.StatusForbidden, CodeAccessDenied, "There were headers present in the request which were not signed: "+truncate(string(name)))
		}
		return false, nil
	}
	if string(name) == "content-length" {
		p.hb.slots &^= 1 << slotContentLength // the header's value is signed
	}
	p.found |= 1 << i
	return true, p.count(len(name), vv)
}

// count adds a signed header to the size and refuses a request whose signed
// headers are too large.
func (p *verifierPicker) count(name int, vv []string) error {
	p.size += name
	for _, s := range vv {
		p.size += len(s)
	}
	if p.size > MaxSignedHeaderBytes {
		return authErr(http.StatusBadRequest, CodeInvalidRequest, "The signed headers are larger than "+strconv.Itoa(MaxSignedHeaderBytes)+" bytes.")
	}
	return nil
}

// end refuses a request that lacks a header its SignedHeaders names.
func (p *verifierPicker) end(hb *headerBuf) error {
	if hb.slots&(1<<slotContentLength) != 0 {
		p.found |= 1 << index(p.list, "content-length")
	}
	if p.found == 1<<p.list.n-1 {
		return nil
	}
	for i, name := range p.list.names[:p.list.n] {
		if p.found&(1<<i) != 0 {
			continue
		}
		if name == "x-amz-security-token" {
			return &AuthError{Code: CodeMissingSecurityHeader, StatusCode: http.StatusBadRequest, Message: "Your request is missing a required header: x-amz-security-token.", AccessKeyID: p.accessKey}
		}
		return &AuthError{Code: CodeSignatureDoesNotMatch, StatusCode: http.StatusForbidden,
			Message: "The request signature we calculated does not match the signature you provided: the signed header " + truncate(name) + " is missing.", AccessKeyID: p.accessKey}
	}
	return nil
}

// reuse counts the size of a request with the key set of a shape recorded
// under the same SignedHeaders: the rest was checked when it was recorded.
func (p *verifierPicker) reuse(sh *shape) error {
	for i, k := range sh.signedKeys {
		if err := p.count(len(k), sh.vals[i]); err != nil {
			return err
		}
	}
	return nil
}

// signatureMatches runs steps 2 to 4 on sc.creq and reports whether the
// signature is the request's: for AWS4-HMAC-SHA256, computed with key and
// compared in constant time, in hex, with the request's; for another
// algorithm, checked by it with creds.
func (v *Verifier) signatureMatches(sc *scratch, key *signingKey, a *auth, creds *credentials.Credentials) bool {
	h := append(sc.head[:0], a.algName...)
	h = append(h, '\n')
	h = append(h, a.amzDate...)
	h = append(h, '\n')
	h = append(h, a.scope...)
	sc.head = append(h, '\n')
	sc.stringToSign(sc.head) // step 2
	if a.alg != nil {
		return a.alg.VerifySignature(*creds, sc.sts, a.signature) == nil
	}
	sc.signature(key) // step 4
	return sameSignature(sc.sigHex, a.signature)
}

// sameSignature reports whether sig is computed, the hex signature of step
// 4, in a time that depends on their lengths only.
func sameSignature(computed []byte, sig string) bool {
	if len(sig) != len(computed) || len(computed) != 2*sha256.Size {
		return false
	}
	var diff uint64
	for i := 0; i < len(computed); i += 8 {
		diff |= binary.LittleEndian.Uint64(computed[i:i+8]) ^ binary.LittleEndian.Uint64([]byte(sig[i:i+8]))
	}
	return diff == 0
}

// matchVariant tries the other canonical requests that honest clients
// compute for the same bytes on the wire, after the first one failed. It
// reports whether one matches and the payload line it used. Each reading
// covers exactly the bytes received, so none lets a changed request pass:
//
//   - Host with and without a default port: some clients sign
//     "example.com" and send "example.com:443" (aws-sdk-go-v2's presigned
//     URLs keep the port they were given).
//   - A literal '+' in the query read as "%2B": aws-sdk-go-v2 and sigv4kit
//     read it as a space, as url.Values.Encode writes spaces; botocore and
//     curl sign it as a plus sign. Tried only when the raw query has one.
//   - For a presigned request with a signed X-Amz-Content-Sha256 header,
//     that header's value as the payload line: aws-sdk-go, aws-c-auth and
//     sigv4kit's PresignPayload sign it there, and S3 and MinIO read it
//     so. The body is then checked against it as it streams.
//
// On failure sc keeps the first canonical request and string to sign, for
// the error.
func (v *Verifier) matchVariant(sc *scratch, r *http.Request, a *auth, key *signingKey, creds *credentials.Credentials, payload, host string) (bool, string) {
	hosts := [2]string{host}
	if h, ok := strings.CutSuffix(host, ":443"); ok && h != "" {
		hosts[1] = h
	} else if h, ok := strings.CutSuffix(host, ":80"); ok && h != "" {
		hosts[1] = h
	}
	queries := [2]string{r.URL.RawQuery}
	if strings.IndexByte(r.URL.RawQuery, '+') >= 0 {
		queries[1] = strings.ReplaceAll(r.URL.RawQuery, "+", "%2B")
	}
	payloads := [2]string{payload}
	if h := r.Header["X-Amz-Content-Sha256"]; a.presigned && len(h) == 1 && h[0] != payload &&
		validPayloadHash(h[0]) && !strings.HasPrefix(h[0], "STREAMING-") && a.list.has("x-amz-content-sha256") {
		payloads[1] = h[0]
	}
	if hosts[1] == "" && queries[1] == "" && payloads[1] == "" {
		return false, payload
	}
	creq, sts := string(sc.creq), string(sc.sts)
	for i := range 8 {
		h, q, p := hosts[i&1], queries[i>>1&1], payloads[i>>2]
		if i == 0 || h == "" || q == "" && i>>1&1 == 1 || p == "" {
			continue
		}
		if v.canonicalRequest(sc, r, a, p, h, q) == nil && v.signatureMatches(sc, key, a, creds) {
			return true, p
		}
	}
	sc.creq, sc.sts = append(sc.creq[:0], creq...), append(sc.sts[:0], sts...)
	return false, payload
}

// verifiedPath returns the path that the canonical URI of u covers, as
// [Verified.Path] and [Verified.RawPath]: what requestPath gives the
// canonical URI, normalized when the verifier normalizes, and decoded under
// double escaping. It starts with '/', as the canonical URI does.
func (v *Verifier) verifiedPath(u *url.URL) (path, rawPath string, err error) {
	p, err := requestPath(u, v.doubleEscape)
	if err != nil { // cannot happen: the canonical URI was built from it
		return "", "", authErr(http.StatusBadRequest, CodeInvalidRequest, "The request URL is opaque.")
	}
	if v.normalize {
		p = NormalizePath(p)
	}
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	if !v.doubleEscape {
		return p, "", nil
	}
	if path, err = url.PathUnescape(p); err != nil { // cannot happen: an escaped path is valid
		return "", "", authErr(http.StatusBadRequest, CodeInvalidRequest, "The request path has an invalid percent-escape.")
	}
	if !strings.Contains(p, "%") && !needsEscape(p, true) {
		return path, "", nil // the common case: nothing escaped, nothing to escape
	}
	if def := (&url.URL{Path: path}).EscapedPath(); def == p {
		return path, "", nil
	}
	return path, p, nil
}

// decodeLowerHex decodes 2*len(dst) lower-case hex digits into dst,
// reporting whether s was such; it runs in time independent of the digits.
func decodeLowerHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	var bad byte
	for i := range dst {
		hi, lo := hexValue[s[2*i]], hexValue[s[2*i+1]]
		bad |= hi | lo
		dst[i] = hi<<4 | lo&0x0f
	}
	return bad&0xf0 == 0
}

// hexValue[c] is the value of the lower-case hex digit c, and 0xff for
// any other byte.
var hexValue = func() (t [256]byte) {
	for c := range t {
		t[c] = 0xff
	}
	for i, c := range "0123456789abcdef" {
		t[c] = byte(i)
	}
	return t
}()

// lowerHex[c] reports whether c is a lower-case hex digit.
var lowerHex = func() (t [256]bool) {
	for _, c := range "0123456789abcdef" {
		t[c] = true
	}
	return t
}()
