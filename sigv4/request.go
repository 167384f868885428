package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/awsenc"
)

// This file reads a request for the four steps (steps.go): what they sign
// of it, and what the signer adds (the credentials, the time, the payload
// line, its own headers).

// message is a request as the four steps read it, whichever entry it came
// through (an *http.Request, [Parts], a request a Verifier received), with
// the choices of the signer or the verifier that differ between them.
type message struct {
	method        string
	scheme        string
	host          []byte // the canonical host: without a default port
	path          []byte // what the canonical URI escapes (see requestPath)
	query         []byte // the raw query
	header        http.Header
	contentLength int64
	body          reqBody

	// single: the canonical URI is path escaped once, as it is (the S3
	// rule, for a path that starts with '/'); otherwise it is path
	// normalized when normalize is set, then escaped. escaped: path is
	// already the canonical URI (Parts whose path is escaped as S3 signs
	// it).
	single, normalize, escaped bool

	payload    string                // the last line of the canonical request
	payloadHex []byte                // or, for a body the signer hashed, its digest (scratch.payloadHex)
	skip       func(key []byte) bool // query parameters left out of the canonical query
	// queryParsed: scratch.q holds the query parsed already, skip applied
	// (the verifier reads a presigned URL's query once).
	queryParsed bool
	presign     *presignParams // the parameters a presigned URL adds, or nil
	pick        headerPicker   // which headers are signed
	shape       *shapeKey      // the key of the shape cache, or nil not to use it
}

// presignParams are the X-Amz-* parameters that presigning adds to the
// canonical query, each as it is escaped there.
type presignParams struct {
	algorithm  string
	credential []byte
	amzDate    []byte
	expires    []byte // in seconds, decimal
	regionSet  string // for an algorithm with region sets
	token      string // "" for none
}

// result is what signing a request worked out besides the steps' buffers:
// what Sign and Presign need to finish.
type result struct {
	creds   credentials.Credentials
	scope   string // the credential scope
	payload string // the payload line, unless hashed
	// hashed: the signer hashed the body, and the payload line is the hex
	// digest in scratch.payloadHex; payload is "". The digest stays in the
	// scratch so that a body hash costs no string of its own: Sign copies
	// it into the one string it makes anyway, when it sets the header.
	hashed      bool
	presignHash bool // presigning signs X-Amz-Content-Sha256: payload
	signedAt    time.Time
	expires     time.Duration
	signed      []byte   // the signed headers list, in the scratch or its shape
	sendHeaders []string // request header keys a presigned client must send
	variants    bool     // the request has a case variant of a header Sign sets

	// The request's values of the headers Sign sets, nil when absent (a
	// token slot is non-nil, maybe empty, when the key is present).
	dateSlot, sha256Slot, tokenSlot, authSlot, regionSetSlot []string
}

// signing is how a request is signed: with the Authorization header, or
// presigned for expires.
type signing struct {
	presign     bool
	expires     time.Duration
	payloadHash string
}

// readRequest reads req into sc.msg for the signer.
func (s *Signer) readRequest(sc *scratch, req *http.Request) error {
	if req == nil || req.URL == nil {
		return fmt.Errorf("%w: nil request or URL", ErrInvalidRequest)
	}
	u := req.URL
	if u.Scheme == "" || u.Host == "" && req.Host == "" {
		return fmt.Errorf("%w: URL %q is not absolute", ErrInvalidRequest, u.Redacted())
	}
	host := canonicalHost(u.Scheme, req.Host, u.Host)
	if host == "" {
		return fmt.Errorf("%w: no host", ErrInvalidRequest)
	}
	if err := checkHost(sc, host); err != nil {
		return err
	}
	path, err := requestPath(u, s.doubleEscape)
	if err != nil {
		return err
	}
	m := &sc.msg // zero: cleanScratch left it so
	m.method, m.scheme, m.header, m.contentLength = req.Method, u.Scheme, req.Header, req.ContentLength
	m.body = reqBody{req.Body, req.GetBody}
	m.single = !s.doubleEscape && !s.normalize && strings.HasPrefix(u.Path, "/")
	m.normalize = s.normalize
	sc.setBytes(host, path, u.RawQuery)
	return nil
}

// readParts reads p into sc.msg for the signer.
func (s *Signer) readParts(sc *scratch, p *Parts) error {
	if p == nil || p.Scheme == "" || len(p.Host) == 0 {
		return fmt.Errorf("%w: Parts without a scheme or a host", ErrInvalidRequest)
	}
	host := canonicalHost(p.Scheme, p.Host, nil)
	if len(host) == 0 {
		return fmt.Errorf("%w: no host", ErrInvalidRequest)
	}
	if err := checkHost(sc, host); err != nil {
		return err
	}
	m := &sc.msg // zero: cleanScratch left it so
	m.method, m.scheme, m.header, m.contentLength = p.Method, p.Scheme, p.Header, p.ContentLength
	m.single = !s.doubleEscape && !s.normalize && len(p.Path) > 0 && p.Path[0] == '/'
	m.normalize = s.normalize
	sc.in = append(sc.in[:0], host...)
	m.host = sc.in[:len(host)]
	m.path, m.query = p.Path, p.Query
	if p.PathDecoded {
		if m.single {
			return nil // the canonical URI escapes it (appendURI)
		}
		// The URL's path: escaped as SigV4 escapes it.
		sc.out, _ = awsenc.AppendEscapedPath(sc.out[:0], p.Path)
		if s.doubleEscape {
			m.path = sc.out // the canonical URI escapes the escaped path again
		}
		return nil // otherwise the canonical URI escapes the decoded path, p.Path
	}
	if m.single && canonicallyEscaped(m.path) {
		m.escaped = true // decoding and escaping again would give it back
	} else if !s.doubleEscape { // the canonical URI escapes the decoded path
		var ok bool
		if sc.in, ok = appendUnescapedPath(sc.in, m.path); !ok {
			return fmt.Errorf("%w: path %q has an invalid escape", ErrInvalidRequest, p.Path)
		}
		m.host, m.path = sc.in[:len(host)], sc.in[len(host):]
	}
	return nil
}

// canonicallyEscaped reports whether an escaped path is escaped exactly as
// S3's canonical URI escapes its decoded form: every byte unreserved or
// '/', or a %XX escape (upper-case hex) of a byte that is neither.
func canonicallyEscaped(path []byte) bool { return canonicalRun(path, true) == len(path) }

func upperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// setBytes copies a request's host, path and query into sc.in and points
// sc.msg at them.
func (sc *scratch) setBytes(host, path, query string) {
	b := append(sc.in[:0], host...)
	b = append(b, path...)
	b = append(b, query...)
	sc.in = b
	n, p := len(host), len(host)+len(path)
	sc.msg.host, sc.msg.path, sc.msg.query = b[:n:n], b[n:p:p], b[p:]
}

// checkHost refuses a host with a control character, a space or a '/', or
// a malformed IP literal. The last valid host is remembered.
func checkHost[T text](sc *scratch, host T) error {
	if string(host) == string(sc.validHost) {
		return nil
	}
	if !awsenc.ValidHost(host) {
		return fmt.Errorf("%w: invalid host %q", ErrInvalidRequest, host)
	}
	sc.validHost = append(sc.validHost[:0], host...)
	return nil
}

// prepare fixes the inputs of the steps besides the request: the
// credentials, the time and the scope, the payload line, the headers the
// signer adds and, for a presigned URL, its parameters.
func (s *Signer) prepare(ctx context.Context, sc *scratch, how signing) error {
	m, r := &sc.msg, &sc.res
	if m.method == "" {
		m.method = http.MethodGet
	}
	if err := s.credentialsAt(ctx, sc, how); err != nil {
		return err
	}
	if err := s.payloadLine(sc, how); err != nil {
		return err
	}
	name, regionSet := s.algName, s.regionSet
	sc.scope.update(r.signedAt, name, regionSet, s.region, s.service)
	r.scope = sc.scope.scope
	s.fixedHeaders(sc, how.presign)
	sc.signPick = signerPicker{s: s, r: r, presign: how.presign}
	m.pick = &sc.signPick
	if !how.presign && s.signHeader == nil {
		m.shape = &signerShape
	}
	if how.presign {
		p := &sc.params
		p.algorithm, p.credential = name, sc.scope.credential(r.creds.AccessKeyID)
		p.amzDate, p.expires = sc.scope.amzDate[:], appendInt(sc.expires[:0], int64(r.expires/time.Second))
		p.regionSet, p.token = "", ""
		if regionSet {
			p.regionSet = s.region
		}
		if s.signToken {
			p.token = r.creds.SessionToken
		}
		m.presign = p
		m.skip = isAuthParam
		if regionSet {
			m.skip = isAuthOrRegionSetParam
		}
	}
	return nil
}

// credentialsAt retrieves and checks the credentials, and fixes the signing
// time and a presigned URL's validity, cut to the credentials' lifetime.
func (s *Signer) credentialsAt(ctx context.Context, sc *scratch, how signing) error {
	r := &sc.res
	expires := how.expires
	if how.presign {
		if expires < time.Second || expires > MaxExpires {
			return fmt.Errorf("%w: %v is outside 1s..168h (7 days)", ErrInvalidExpiry, expires)
		}
		expires = expires.Truncate(time.Second)
	}
	var err error
	if r.creds, err = s.creds.Retrieve(ctx); err != nil {
		return fmt.Errorf("sigv4: retrieve credentials: %w", err)
	}
	creds := &r.creds
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return fmt.Errorf("%w: empty access key ID or secret access key", ErrInvalidCredentials)
	}
	if creds.AccessKeyID != sc.validKey {
		if !awsenc.ValidAccessKeyID(creds.AccessKeyID) {
			return fmt.Errorf("%w: access key ID %q contains '/', ',', '=' or whitespace", ErrInvalidCredentials, creds.AccessKeyID)
		}
		sc.validKey = creds.AccessKeyID
	}
	now := s.now().UTC().Truncate(time.Second)
	if !creds.Expires.IsZero() && !now.Before(creds.Expires) { // creds.Expired(now), without copying creds
		return fmt.Errorf("%w: expired at %s (source %q)", ErrExpiredCredentials, creds.Expires.UTC().Format(time.RFC3339), creds.Source)
	}
	if how.presign && creds.CanExpire() {
		left := creds.Expires.Sub(now).Truncate(time.Second)
		if left < time.Second {
			return fmt.Errorf("%w: they expire at %s, less than a second after signing", ErrExpiredCredentials, creds.Expires.UTC().Format(time.RFC3339))
		}
		expires = min(expires, left)
	}
	r.signedAt, r.expires = now, expires
	return nil
}

// payloadLine fixes the last line of the canonical request.
func (s *Signer) payloadLine(sc *scratch, how signing) error {
	r, m := &sc.res, &sc.msg
	h := how.payloadHash
	var err error
	switch {
	case h == "" && how.presign && s.s3:
		r.payload = UnsignedPayload
	case h == "":
		r.hashed = true
		err = sc.hashBody(m.body)
	case how.presign && validPayloadHash(h) && !strings.HasPrefix(h, "STREAMING-"):
		// A payload line the server cannot assume travels in a signed
		// X-Amz-Content-Sha256 header (see PresignPayload).
		r.payload = h
		r.presignHash = !s.s3 || h != UnsignedPayload
	case how.presign:
		err = fmt.Errorf("%w: %q is neither 64 lower-case hex digits nor %s", ErrInvalidPayloadHash, h, UnsignedPayload)
	case validPayloadHash(h):
		r.payload = h
	default:
		err = fmt.Errorf("%w: %q is neither 64 lower-case hex digits, %s nor a STREAMING-* value", ErrInvalidPayloadHash, h, UnsignedPayload)
	}
	m.payload = r.payload
	if r.hashed {
		m.payloadHex = sc.payloadHex[:]
	}
	return err
}

// fixedHeaders sets the headers the signer signs from its own values: host
// always; X-Amz-Date, X-Amz-Content-Sha256 (S3), X-Amz-Security-Token and
// X-Amz-Region-Set when signing with the Authorization header;
// X-Amz-Content-Sha256 when presigning with a payload hash; Content-Length
// when the request has a body.
func (s *Signer) fixedHeaders(sc *scratch, presign bool) {
	hb, m, r := &sc.hdr, &sc.msg, &sc.res
	hb.reset()
	hb.set(slotHost, "", m.host, false)
	if r.presignHash {
		hb.set(slotContentSHA256, r.payload, nil, false) // a hash the caller gave
	}
	if !presign {
		hb.set(slotDate, "", sc.scope.amzDate[:], false)
		if s.contentHeader {
			hb.set(slotContentSHA256, r.payload, m.payloadHex, false) // one of the two is empty
		}
		if r.creds.SessionToken != "" && s.signToken {
			hb.set(slotToken, r.creds.SessionToken, nil, true)
		}
		if s.regionSet {
			hb.set(slotRegionSet, s.region, nil, false)
		}
	}
	if m.contentLength > 0 && (s.signHeader == nil || s.signHeader("content-length", true)) {
		hb.setContentLength(m.contentLength)
	}
}

// signerShape is the shape cache's key for header signing: the signer's
// choices depend on nothing but the slots, which the cache compares too.
var signerShape = shapeKey{owner: shapeSigner}

// signerPicker is the signer's choice of the headers to sign: every header
// of the request but those on the deny list (or as Config.SignHeader
// decides) and those the signer sets itself. It keeps in r the values of
// the headers Sign sets, when the request has them.
type signerPicker struct {
	s       *Signer
	r       *result
	presign bool
}

func (p *signerPicker) begin(*headerBuf) error { return nil }

// byKey decides, before lower-casing, the canonical keys never signed from
// the map.
func (p *signerPicker) byKey(k string, vv []string) bool {
	r := p.r
	switch k {
	case "Authorization":
		r.authSlot = vv
		return false
	case "X-Amz-Date":
		r.dateSlot = vv
		return false
	case "X-Amz-Security-Token":
		r.tokenSlot = vv
		if r.tokenSlot == nil {
			r.tokenSlot = []string{}
		}
		return false
	case "X-Amz-Content-Sha256":
		r.sha256Slot = vv
		return !(p.s.contentHeader && !p.presign || r.presignHash)
	case "X-Amz-Region-Set":
		if p.s.regionSet && !p.presign {
			r.regionSetSlot = vv
			return false
		}
	case "Host", "Content-Length":
		return false
	case "User-Agent":
		return p.s.signHeader != nil // the hook, when set, decides on User-Agent
	}
	return true
}

// byName decides on a header by its lower-case name.
func (p *signerPicker) byName(k string, name []byte, _ []string) (bool, error) {
	s, r := p.s, p.r
	var sign bool
	switch string(name) {
	case "host", "content-length":
		// They come from the request's host and ContentLength.
	case "x-amz-date", "x-amz-security-token", "authorization":
		// The signer's own. A key spelled otherwise than Sign sets it
		// ("x-amz-date") would go out beside the new value: Sign drops it.
		r.variants = r.variants || k != http.CanonicalHeaderKey(k)
	case "x-amz-content-sha256":
		sign = p.presign && !r.presignHash || !p.presign && !s.contentHeader
		r.variants = r.variants || !sign && k != "X-Amz-Content-Sha256"
	case "x-amz-region-set":
		sign = !s.regionSet || p.presign
		r.variants = r.variants || !sign && k != "X-Amz-Region-Set"
	default:
		sign = !deniedHeader(name)
		if s.signHeader != nil {
			sign = s.signHeader(string(name), sign)
		}
	}
	if sign && p.presign {
		r.sendHeaders = append(r.sendHeaders, k)
	}
	return sign, nil
}

// end refuses a presigned request whose X-Amz-Content-Sha256 header is not
// the payload hash it signs.
func (p *signerPicker) end(*headerBuf) error {
	r := p.r
	if r.presignHash && r.sha256Slot != nil && (len(r.sha256Slot) != 1 || r.sha256Slot[0] != r.payload) {
		return fmt.Errorf("%w: the request's X-Amz-Content-Sha256 header %q is not the payload hash %q", ErrInvalidPayloadHash, r.sha256Slot, r.payload)
	}
	return nil
}

func (p *signerPicker) reuse(*shape) error { return nil }

// canonicalHost returns the host to sign: reqHost when set, else the URL's
// host, without a default port (":80" on http, ":443" on https).
func canonicalHost[T text](scheme string, reqHost, urlHost T) T {
	h := reqHost
	if len(h) == 0 {
		h = urlHost
	}
	switch {
	case hasSuffix(h, ":443") && strings.EqualFold(scheme, "https"):
		h = h[:len(h)-4]
	case hasSuffix(h, ":80") && strings.EqualFold(scheme, "http"):
		h = h[:len(h)-3]
	}
	return h
}

func hasSuffix[T text](s T, suffix string) bool {
	return len(s) >= len(suffix) && string(s[len(s)-len(suffix):]) == suffix
}

// validPayloadHash reports whether h is 64 lower-case hex digits or one of
// the literal payload values.
func validPayloadHash(h string) bool {
	if h == EmptyPayloadHash || awsenc.ValidHex64(h) {
		return true
	}
	switch h {
	case UnsignedPayload, StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer,
		"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER":
		return true
	}
	return false
}

// reqBody is a request's body and its GetBody; Parts have none.
type reqBody struct {
	rc      io.ReadCloser
	getBody func() (io.ReadCloser, error)
}

// hashBody writes the hex SHA-256 of a body into sc.payloadHex without
// consuming the body.
func (sc *scratch) hashBody(b reqBody) error {
	if b.rc == nil || b.rc == http.NoBody {
		copy(sc.payloadHex[:], EmptyPayloadHash)
		return nil
	}
	if sc.body == nil {
		sc.body = sha256.New()
	}
	h := sc.body
	h.Reset()
	switch {
	case b.getBody != nil:
		rc, err := b.getBody()
		if err != nil {
			return fmt.Errorf("sigv4: hash body: GetBody: %w", err)
		}
		_, err = io.Copy(h, rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("sigv4: hash body: %w", err)
		}
	default:
		rs, ok := b.rc.(io.ReadSeeker)
		if !ok {
			return fmt.Errorf("%w: pass the payload hash, set GetBody or use an io.ReadSeeker body", ErrBodyNotReplayable)
		}
		pos, err := rs.Seek(0, io.SeekCurrent)
		if err != nil {
			return fmt.Errorf("sigv4: hash body: %w", err)
		}
		if _, err := io.Copy(h, rs); err != nil {
			return fmt.Errorf("sigv4: hash body: %w", err)
		}
		if _, err := rs.Seek(pos, io.SeekStart); err != nil {
			return fmt.Errorf("sigv4: hash body: rewind: %w", err)
		}
	}
	h.Sum(sc.bodySum[:0]) // a field: a local array would escape through the interface
	awsenc.EncodeHex32(&sc.payloadHex, &sc.bodySum)
	return nil
}

// authParams are the query parameters that presigning sets.
var authParams = [...]string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature"}

// tokenParam is the index of X-Amz-Security-Token in authParams.
const tokenParam = 5

func isAuthParam(key []byte) bool {
	if len(key) < 6 || key[0] != 'X' {
		return false
	}
	for _, p := range authParams {
		if string(key) == p {
			return true
		}
	}
	return false
}

// isAuthOrRegionSetParam is isAuthParam for an algorithm with region
// sets, whose presigned URLs also carry X-Amz-Region-Set.
func isAuthOrRegionSetParam(key []byte) bool {
	return isAuthParam(key) || string(key) == "X-Amz-Region-Set"
}

// hasAuthParam reports whether a raw query may have presign parameters.
func hasAuthParam(rawQuery []byte) bool { return bytes.Contains(rawQuery, []byte("X-Amz-")) }

// appendWithoutAuthParams appends a raw query without the parameters skip
// reports (presign parameters), so that a presigned URL can be presigned
// again.
func appendWithoutAuthParams(dst, rawQuery []byte, skip func([]byte) bool) []byte {
	n := len(dst)
	for rest := rawQuery; len(rest) > 0; {
		var piece []byte
		piece, rest, _ = bytes.Cut(rest, []byte{'&'})
		k, _, _ := bytes.Cut(piece, []byte{'='})
		if len(piece) == 0 || skip(k) {
			continue
		}
		if len(dst) > n {
			dst = append(dst, '&')
		}
		dst = append(dst, piece...)
	}
	return dst
}

// requestPath returns the path that the canonical URI escapes: the decoded
// path for single escaping, the wire path for double escaping.
func requestPath(u *url.URL, doubleEscape bool) (string, error) {
	if u.Opaque != "" {
		esc, err := opaquePath(u)
		if err != nil || doubleEscape {
			return esc, err
		}
		return url.PathUnescape(esc) // checked by opaquePath
	}
	if doubleEscape {
		return u.EscapedPath(), nil
	}
	return u.Path, nil
}
