package sigv4

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/awsenc"
)

// Algorithm is the SigV4 algorithm name, the first line of the string to
// sign and the X-Amz-Algorithm of presigned URLs.
const Algorithm = "AWS4-HMAC-SHA256"

// Payload hash values other than a hex SHA-256 digest.
const (
	// UnsignedPayload signs the request without its body: the last line of
	// the canonical request is this literal. S3 accepts it over HTTPS, and
	// presigned S3 URLs always use it.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// StreamingPayload announces an aws-chunked body whose chunks are signed.
	StreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	// StreamingPayloadTrailer is StreamingPayload with a signed trailer.
	StreamingPayloadTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	// StreamingUnsignedPayloadTrailer announces an aws-chunked body with
	// unsigned chunks and a checksum trailer.
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	// EmptyPayloadHash is the hex SHA-256 of an empty body.
	EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// algorithmBytes is Algorithm as a query value, never written.
var algorithmBytes = []byte(Algorithm)

// MaxExpires is the longest validity of a presigned URL: seven days.
const MaxExpires = 7 * 24 * time.Hour

// Trace holds every intermediate of one signature, for learning and for
// debugging SignatureDoesNotMatch: compare CanonicalRequest with the one the
// server returns in its error.
type Trace struct {
	// CanonicalRequest is method, canonical URI, canonical query, canonical
	// headers, signed headers and payload hash, joined by newlines.
	CanonicalRequest string
	// StringToSign is the algorithm, the request time, the credential scope
	// and the hex SHA-256 of CanonicalRequest, joined by newlines.
	StringToSign string
	// SignedHeaders lists the signed header names, lower case, joined by ';'.
	SignedHeaders string
	// CredentialScope is date/region/service/aws4_request.
	CredentialScope string
	// Signature is the hex HMAC-SHA256 of StringToSign with the signing key.
	Signature string
}

// Presigned is a presigned request: what a client without credentials needs
// to send it.
type Presigned struct {
	// Method is the HTTP method the URL is signed for.
	Method string
	// URL is the full URL with the X-Amz-* query parameters.
	URL string
	// Header holds the signed headers, other than Host, that the client must
	// send with exactly these values. It is never nil.
	Header http.Header
	// Expires is the real end of validity: the signing time plus
	// X-Amz-Expires, which is capped at the credentials' expiry.
	Expires time.Time
}

// Sign signs req with the Authorization header. It sets X-Amz-Date, the
// Authorization header, X-Amz-Security-Token when the credentials have a
// session token, and X-Amz-Content-Sha256 when ContentSHA256Header is on
// (the S3 default). It leaves a Date header alone. When the URL has an
// explicit default port (":443" on https, ":80" on http), Sign sets req.Host
// to the host without it, as signed. Under single escaping (S3), Sign also
// sets req.URL.RawPath to the canonical escaping of the path when net/url
// would send the path otherwise, so the path on the wire is byte for byte
// the one signed.
//
// payloadHash is the lower-case hex SHA-256 of the body, [UnsignedPayload],
// one of the STREAMING-* values, or "" to hash the body: through
// req.GetBody, or by reading and rewinding a body that is an io.ReadSeeker;
// a body that can be read only once is an error ([ErrBodyNotReplayable]).
func (s *Signer) Sign(ctx context.Context, req *http.Request, payloadHash string) error {
	sc := s.getScratch()
	defer s.putScratch(sc)
	r := &sc.res
	if err := s.compute(ctx, sc, r, req, payloadHash, false, 0); err != nil {
		return err
	}
	// One string holds every value the signer sets: the date, then the
	// Authorization value.
	if r.creds.AccessKeyID != sc.authKeyID {
		sc.authHead = append(sc.authHead[:0], sc.amzDate[:]...)
		sc.authHead = append(sc.authHead, Algorithm+" Credential="...)
		sc.authHead = append(sc.authHead, r.creds.AccessKeyID...)
		sc.authHead = append(sc.authHead, '/')
		sc.authHead = append(sc.authHead, sc.scope...)
		sc.authHead = append(sc.authHead, ", SignedHeaders="...)
		sc.authKeyID = r.creds.AccessKeyID
	}
	// A Builder grown to the exact size makes the string in one
	// allocation, without a copy.
	var sb strings.Builder
	sb.Grow(len(sc.authHead) + len(r.signed) + len(", Signature=") + len(sc.sigHex))
	sb.Write(sc.authHead)
	sb.Write(r.signed)
	sb.WriteString(", Signature=")
	sb.Write(sc.sigHex[:])
	all := sb.String()
	if req.Header == nil {
		req.Header = make(http.Header, 4)
	}
	if r.variants {
		for k := range req.Header {
			ck := http.CanonicalHeaderKey(k)
			switch ck {
			case "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256", "Authorization":
				if k != ck && (ck != "X-Amz-Content-Sha256" || s.contentHeader) {
					delete(req.Header, k)
				}
			}
		}
	}
	// compute kept the value slices of the headers Sign sets, when the
	// request had them (a request signed again): set them in place.
	setHeader(req.Header, r.dateSlot, "X-Amz-Date", all[:16])
	if s.contentHeader {
		setHeader(req.Header, r.sha256Slot, "X-Amz-Content-Sha256", r.payload)
	}
	if r.creds.SessionToken != "" {
		setHeader(req.Header, r.tokenSlot, "X-Amz-Security-Token", r.creds.SessionToken)
	} else if r.tokenSlot != nil {
		delete(req.Header, "X-Amz-Security-Token") // a stale token from an earlier signature
	}
	setHeader(req.Header, r.authSlot, "Authorization", all[16:])
	if r.host != req.Host {
		req.Host = r.host
	}
	if r.rawPath != "" {
		req.URL.RawPath = r.rawPath
	}
	return nil
}

// setHeader sets a canonical-key header to one value, reusing slot, the
// header's existing values, when it has exactly one.
func setHeader(h http.Header, slot []string, key, value string) {
	if len(slot) == 1 {
		slot[0] = value
		return
	}
	h[key] = []string{value}
}

// Explain computes what Sign would produce for req and payloadHash and
// returns every intermediate, without changing req.
func (s *Signer) Explain(ctx context.Context, req *http.Request, payloadHash string) (*Trace, error) {
	sc := s.getScratch()
	defer s.putScratch(sc)
	if err := s.compute(ctx, sc, &sc.res, req, payloadHash, false, 0); err != nil {
		return nil, err
	}
	return sc.trace(), nil
}

// Presign returns a presigned URL for req, valid for expires (1 second to 7
// days; sub-second parts are dropped). When the credentials expire earlier,
// the URL's X-Amz-Expires is cut to their remaining lifetime and
// Presigned.Expires says so.
//
// The URL carries X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
// X-Amz-SignedHeaders, X-Amz-Expires, X-Amz-Security-Token (with a session
// token) and X-Amz-Signature after the request's own query parameters. Host
// and every other header of req (less the deny list, see
// [Config.SignHeader]) are signed; Presigned.Header lists those the client
// must send. The payload is UNSIGNED-PAYLOAD for the S3 family and the SHA-256
// of the body (through GetBody, empty without a body) for other services.
// Presign does not change req.
func (s *Signer) Presign(ctx context.Context, req *http.Request, expires time.Duration) (*Presigned, error) {
	return s.presign(ctx, req, expires, "")
}

func (s *Signer) presign(ctx context.Context, req *http.Request, expires time.Duration, payloadHash string) (*Presigned, error) {
	sc := s.getScratch()
	defer s.putScratch(sc)
	r := &sc.res
	if err := s.compute(ctx, sc, r, req, payloadHash, true, expires); err != nil {
		return nil, err
	}
	b := sc.out[:0]
	b = append(b, r.scheme...)
	b = append(b, "://"...)
	b = append(b, r.host...)
	b = append(b, r.wirePath...)
	b = append(b, r.wireURI...)
	b = append(b, '?')
	if r.rawQuery != "" {
		b = append(b, r.rawQuery...)
		b = append(b, '&')
	}
	b = append(b, "X-Amz-Algorithm="+Algorithm+"&X-Amz-Credential="...)
	b = append(b, sc.credEsc...)
	b = append(b, "&X-Amz-Date="...)
	b = append(b, sc.amzDate[:]...)
	b = append(b, "&X-Amz-SignedHeaders="...)
	b = appendEscaped(b, r.signed, false)
	b = append(b, "&X-Amz-Expires="...)
	b = strconv.AppendInt(b, int64(r.expires/time.Second), 10)
	if r.creds.SessionToken != "" {
		b = append(b, "&X-Amz-Security-Token="...)
		b = appendEscaped(b, r.creds.SessionToken, false)
	}
	b = append(b, "&X-Amz-Signature="...)
	b = append(b, sc.sigHex[:]...)
	sc.out = b
	p := &Presigned{
		Method:  r.method,
		URL:     string(b),
		Header:  make(http.Header, len(r.sendHeaders)),
		Expires: r.signedAt.Add(r.expires),
	}
	// Keys that differ only in case were signed as one header, their values
	// joined in key order: hand them to the client the same way.
	slices.Sort(r.sendHeaders)
	for _, k := range r.sendHeaders {
		ck := http.CanonicalHeaderKey(k)
		p.Header[ck] = append(p.Header[ck], req.Header[k]...)
	}
	if r.contentLength > 0 {
		p.Header["Content-Length"] = []string{strconv.FormatInt(r.contentLength, 10)}
	}
	if r.presignHash {
		p.Header["X-Amz-Content-Sha256"] = []string{r.payload}
	}
	return p, nil
}

// PresignPayload is [Signer.Presign] with the payload line of the canonical
// request given, as Sign takes it: "" is Presign's default (UNSIGNED-PAYLOAD
// for the S3 family, the SHA-256 of the body through GetBody for other
// services), and otherwise payloadHash is [UnsignedPayload] or the
// lower-case hex SHA-256 of the body the client will send.
//
// Use it for services outside the S3 family when the body is streamed and
// cannot be hashed now (UnsignedPayload), or when its hash is known without
// reading it. A payload line the server cannot assume (any given hash
// except UNSIGNED-PAYLOAD for S3) is also signed as an X-Amz-Content-Sha256
// header, which Presigned.Header lists: the client must send it, and the
// server (S3, MinIO and sigv4kit's [Verifier]) reads the payload line from
// it. This is how @smithy/signature-v4 presigns a request that carries the
// header.
func (s *Signer) PresignPayload(ctx context.Context, req *http.Request, expires time.Duration, payloadHash string) (*Presigned, error) {
	return s.presign(ctx, req, expires, payloadHash)
}

// ExplainPresign computes what Presign would produce for req and expires
// and returns every intermediate.
func (s *Signer) ExplainPresign(ctx context.Context, req *http.Request, expires time.Duration) (*Trace, error) {
	return s.ExplainPresignPayload(ctx, req, expires, "")
}

// ExplainPresignPayload computes what [Signer.PresignPayload] would produce
// and returns every intermediate.
func (s *Signer) ExplainPresignPayload(ctx context.Context, req *http.Request, expires time.Duration, payloadHash string) (*Trace, error) {
	sc := s.getScratch()
	defer s.putScratch(sc)
	if err := s.compute(ctx, sc, &sc.res, req, payloadHash, true, expires); err != nil {
		return nil, err
	}
	return sc.trace(), nil
}

// scratch is the reusable per-signature storage.
type scratch struct {
	res    result
	h      hmacer
	body   hash.Hash // hashes request bodies
	hdr    headerBuf
	q      queryBuf
	creq   []byte // canonical request
	sts    []byte // string to sign
	signed []byte // signed headers
	scope  string // credential scope (reused when unchanged)
	scopeB []byte
	// amzDate and scope are for this second, region and service; a new
	// scratch has dateUnix 0, a time no request is signed at.
	dateUnix                  int64
	scopeRegion, scopeService string
	// The last host and access key ID that passed their checks.
	validHost, validKeyID string
	// The last header key set signed (see shape), and the keys the walk of
	// the last request's headers met.
	shape shape
	seen  []seenKey
	// For this second and scope: the string to sign up to the hash, the
	// HMAC state after its first block, and the Authorization value up to
	// the signed headers for the access key authKeyID.
	stsHead   []byte
	mid       midstate
	authHead  []byte
	authKeyID string
	// For this second and scope: the X-Amz-Credential value, escaped, of
	// the access key credKeyID.
	credEsc   []byte
	credKeyID string
	out       []byte
	amzDate   [16]byte
	hashHex   [64]byte
	sigHex    [64]byte
	sig       [sha256.Size]byte
	id        keyID
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

// getScratch takes the Signer's spare scratch, whose caches (date, scope,
// header shape, HMAC midstate) most likely fit the next request, or one from
// the pool when another goroutine has it.
func (s *Signer) getScratch() *scratch {
	if sc := s.spare.Swap(nil); sc != nil {
		return sc
	}
	return getScratch()
}

// putScratch cleans sc and keeps it as the spare, or returns it to the pool.
func (s *Signer) putScratch(sc *scratch) {
	if !cleanScratch(sc) {
		return
	}
	if !s.spare.CompareAndSwap(nil, sc) {
		scratchPool.Put(sc)
	}
}

func putScratch(sc *scratch) {
	if cleanScratch(sc) {
		scratchPool.Put(sc)
	}
}

// cleanScratch drops what sc holds of the last request and reports whether
// sc is worth keeping (its buffers are not huge).
func cleanScratch(sc *scratch) bool {
	sc.res = result{} // drop the credentials and the request's strings
	sc.shape.clear()
	clear(sc.seen)
	return cap(sc.creq) <= 64<<10 && cap(sc.q.b) <= 64<<10 && cap(sc.out) <= 64<<10
}

func (sc *scratch) trace() *Trace {
	return &Trace{
		CanonicalRequest: string(sc.creq),
		StringToSign:     string(sc.sts),
		SignedHeaders:    string(sc.res.signed),
		CredentialScope:  sc.scope,
		Signature:        string(sc.sigHex[:]),
	}
}

// result is what compute hands to Sign and Presign besides the scratch.
type result struct {
	creds         credentials.Credentials
	method        string
	scheme, host  string
	wirePath      string // path to put in a presigned URL
	wireURI       []byte // or this one, in the scratch's canonical request
	rawPath       string // RawPath for Sign to set ("" to leave it)
	rawQuery      string // query for a presigned URL, without old X-Amz-* auth parameters
	payload       string
	presignHash   bool // presigning signs X-Amz-Content-Sha256: payload
	signedAt      time.Time
	expires       time.Duration
	signed        []byte   // the signed headers list, in the scratch or its shape
	sendHeaders   []string // request header keys a presigned client must send
	variants      bool     // the request has a case variant of a header Sign sets
	contentLength int64

	// The request's values of the headers Sign sets, nil when absent (a
	// token slot is non-nil, maybe empty, when the key is present).
	dateSlot, sha256Slot, tokenSlot, authSlot []string
}

// compute builds the canonical request, the string to sign and the
// signature into sc, for header signing or, with presign, query signing.
func (s *Signer) compute(ctx context.Context, sc *scratch, r *result, req *http.Request, payloadHash string, presign bool, expires time.Duration) error {
	// r is zero: cleanScratch zeroes it before a scratch is kept.
	if req == nil || req.URL == nil {
		return fmt.Errorf("%w: nil request or URL", ErrInvalidRequest)
	}
	u := req.URL
	if u.Scheme == "" || u.Host == "" && req.Host == "" {
		return fmt.Errorf("%w: URL %q is not absolute", ErrInvalidRequest, u.Redacted())
	}
	r.scheme = u.Scheme
	r.host = canonicalHost(u.Scheme, req.Host, u.Host)
	if r.host == "" {
		return fmt.Errorf("%w: no host", ErrInvalidRequest)
	}
	if r.host != sc.validHost {
		if !awsenc.ValidHost(r.host) {
			return fmt.Errorf("%w: invalid host %q", ErrInvalidRequest, r.host)
		}
		sc.validHost = r.host
	}
	r.method = req.Method
	if r.method == "" {
		r.method = http.MethodGet
	}
	if presign {
		if expires < time.Second || expires > MaxExpires {
			return fmt.Errorf("%w: %v is outside 1s..168h (7 days)", ErrInvalidExpiry, expires)
		}
		expires = expires.Truncate(time.Second)
	}

	creds, err := s.creds.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("sigv4: retrieve credentials: %w", err)
	}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return fmt.Errorf("%w: empty access key ID or secret access key", ErrInvalidCredentials)
	}
	if creds.AccessKeyID != sc.validKeyID {
		if !awsenc.ValidAccessKeyID(creds.AccessKeyID) {
			return fmt.Errorf("%w: access key ID %q contains '/', ',', '=' or whitespace", ErrInvalidCredentials, creds.AccessKeyID)
		}
		sc.validKeyID = creds.AccessKeyID
	}
	now := s.now().UTC().Truncate(time.Second)
	r.signedAt = now
	if !creds.Expires.IsZero() && !now.Before(creds.Expires) { // creds.Expired(now), without copying creds
		return fmt.Errorf("%w: expired at %s (source %q)", ErrExpiredCredentials, creds.Expires.UTC().Format(time.RFC3339), creds.Source)
	}
	if presign && creds.CanExpire() {
		left := creds.Expires.Sub(now).Truncate(time.Second)
		if left < time.Second {
			return fmt.Errorf("%w: they expire at %s, less than a second after signing", ErrExpiredCredentials, creds.Expires.UTC().Format(time.RFC3339))
		}
		expires = min(expires, left)
	}
	r.expires = expires
	r.creds = creds

	// Payload.
	if presign {
		switch {
		case payloadHash == "" && s.s3:
			r.payload = UnsignedPayload
		case payloadHash == "":
			if r.payload, err = sc.hashBody(req); err != nil {
				return err
			}
		case validPayloadHash(payloadHash) && !strings.HasPrefix(payloadHash, "STREAMING-"):
			// A payload line the server cannot assume travels in a signed
			// X-Amz-Content-Sha256 header (see PresignPayload).
			r.payload = payloadHash
			r.presignHash = !s.s3 || payloadHash != UnsignedPayload
		default:
			return fmt.Errorf("%w: %q is neither 64 lower-case hex digits nor %s", ErrInvalidPayloadHash, payloadHash, UnsignedPayload)
		}
	} else {
		switch {
		case payloadHash == "":
			if r.payload, err = sc.hashBody(req); err != nil {
				return err
			}
		case validPayloadHash(payloadHash):
			r.payload = payloadHash
		default:
			return fmt.Errorf("%w: %q is neither 64 lower-case hex digits, %s nor a STREAMING-* value", ErrInvalidPayloadHash, payloadHash, UnsignedPayload)
		}
	}

	// Date and scope, kept in the scratch while the second, the region and
	// the service stay the same.
	if unix := now.Unix(); unix != sc.dateUnix || sc.scopeRegion != s.region || sc.scopeService != s.service {
		awsenc.AppendAmzDate(sc.amzDate[:0], now)
		sc.scopeB = append(sc.scopeB[:0], sc.amzDate[:8]...)
		sc.scopeB = append(sc.scopeB, '/')
		sc.scopeB = append(sc.scopeB, s.region...)
		sc.scopeB = append(sc.scopeB, '/')
		sc.scopeB = append(sc.scopeB, s.service...)
		sc.scopeB = append(sc.scopeB, "/aws4_request"...)
		if sc.scope != string(sc.scopeB) {
			sc.scope = string(sc.scopeB)
		}
		// The string to sign up to the canonical request's hash.
		sc.stsHead = append(sc.stsHead[:0], Algorithm+"\n"...)
		sc.stsHead = append(sc.stsHead, sc.amzDate[:]...)
		sc.stsHead = append(sc.stsHead, '\n')
		sc.stsHead = append(sc.stsHead, sc.scope...)
		sc.stsHead = append(sc.stsHead, '\n')
		sc.mid.key = nil
		sc.authKeyID, sc.credKeyID = "", ""
		sc.dateUnix, sc.scopeRegion, sc.scopeService = unix, s.region, s.service
	}

	// Canonical request: method.
	b := append(sc.creq[:0], r.method...)
	b = append(b, '\n')

	// URI.
	path, err := requestPath(u, s.doubleEscape)
	if err != nil {
		return err
	}
	uriStart := len(b)
	single := !s.doubleEscape && !s.normalize && strings.HasPrefix(u.Path, "/")
	netURLKeeps := false // the path has a byte net/url would not escape
	if single {
		b, netURLKeeps = awsenc.AppendEscapedPath(b, u.Path)
	} else {
		b = appendCanonicalURI(b, path, s.normalize)
	}
	b = append(b, '\n')
	if single {
		// Single escaping (S3): the canonical URI goes on the wire, so the
		// server decodes exactly the path that was signed.
		switch uri := b[uriStart : len(b)-1 : len(b)-1]; {
		case u.RawPath == "" && string(uri) == u.Path:
			r.wirePath = u.Path
		case string(uri) == u.RawPath:
			r.wirePath = u.RawPath
		case presign:
			// The URL is built from the canonical request's bytes, which
			// stay put until Presign is done.
			r.wireURI = uri
		case u.RawPath == "" && !netURLKeeps:
			// Without RawPath, net/url sends this path escaped as signed.
		default:
			r.rawPath = string(uri)
		}
	} else if presign {
		r.wirePath = u.EscapedPath()
		if u.Opaque != "" {
			r.wirePath, _ = opaquePath(u) // checked by requestPath
		}
		if r.wirePath == "" {
			r.wirePath = "/"
		}
	}

	// Query.
	sc.q.reset()
	r.rawQuery = u.RawQuery
	if presign {
		if err := sc.q.parse(u.RawQuery, isAuthParam); err != nil {
			return err
		}
		if hasAuthParam(u.RawQuery) {
			r.rawQuery = stripAuthParams(u.RawQuery)
		}
	} else if err := sc.q.parse(u.RawQuery, nil); err != nil {
		return err
	}

	// Headers.
	hb := &sc.hdr
	hb.reset()
	hb.set(slotHost, r.host, nil, false)
	if r.presignHash {
		hb.set(slotContentSHA256, r.payload, nil, false)
	}
	if !presign {
		hb.set(slotDate, "", sc.amzDate[:], false)
		if s.contentHeader {
			hb.set(slotContentSHA256, r.payload, nil, false)
		}
		if creds.SessionToken != "" && s.signToken {
			hb.set(slotToken, creds.SessionToken, nil, true)
		}
	}
	if req.ContentLength > 0 && (s.signHeader == nil || s.signHeader("content-length", true)) {
		r.contentLength = req.ContentLength
		hb.setContentLength(req.ContentLength)
	}
	// Header signing without a hook remembers the key set (see shape).
	useShape := !presign && s.signHeader == nil
	sh := &sc.shape
	fast := useShape && sh.lookup(req.Header, hb.slots, r)
	if !fast {
		sh.ok, sc.seen = false, sc.seen[:0]
		for k, vv := range req.Header {
			signed := s.collectHeader(hb, r, k, vv, presign)
			if useShape {
				entry := -1
				if signed {
					entry = len(hb.entries) - 1
				}
				sc.seen = append(sc.seen, seenKey{k, entry})
			}
		}
	}

	if r.presignHash && r.sha256Slot != nil && (len(r.sha256Slot) != 1 || r.sha256Slot[0] != r.payload) {
		return fmt.Errorf("%w: the request's X-Amz-Content-Sha256 header %q is not the payload hash %q", ErrInvalidPayloadHash, r.sha256Slot, r.payload)
	}

	// Canonical query and headers. Presigning signs the signed headers list
	// in the query, so it builds the headers first.
	if presign {
		var hdrs []byte
		hdrs, sc.signed, err = hb.appendCanonical(sc.out[:0], sc.signed[:0])
		sc.out = hdrs
		if err != nil {
			return err
		}
		r.signed = sc.signed
		if creds.AccessKeyID != sc.credKeyID {
			sc.credEsc = appendEscaped(sc.credEsc[:0], creds.AccessKeyID, false)
			sc.credEsc = append(sc.credEsc, "%2F"...)
			sc.credEsc = appendEscaped(sc.credEsc, sc.scope, false)
			sc.credKeyID = creds.AccessKeyID
		}
		token := creds.SessionToken != "" && s.signToken
		if len(sc.q.pairs) == 0 {
			// The presign parameters alone, written in their sorted order.
			b = append(b, "X-Amz-Algorithm="+Algorithm+"&X-Amz-Credential="...)
			b = append(b, sc.credEsc...)
			b = append(b, "&X-Amz-Date="...)
			b = append(b, sc.amzDate[:]...)
			b = append(b, "&X-Amz-Expires="...)
			b = strconv.AppendInt(b, int64(expires/time.Second), 10)
			if token {
				b = append(b, "&X-Amz-Security-Token="...)
				b = appendEscaped(b, creds.SessionToken, false)
			}
			b = append(b, "&X-Amz-SignedHeaders="...)
			b = appendEscaped(b, sc.signed, false)
		} else {
			// They join the request's own parameters before sorting.
			sc.q.add("X-Amz-Algorithm", algorithmBytes)
			sc.q.add("X-Amz-Credential", sc.credEsc)
			sc.q.add("X-Amz-Date", sc.amzDate[:])
			sc.sts = strconv.AppendInt(sc.sts[:0], int64(expires/time.Second), 10)
			sc.q.add("X-Amz-Expires", sc.sts)
			if token {
				sc.sts = appendEscaped(sc.sts[:0], creds.SessionToken, false)
				sc.q.add("X-Amz-Security-Token", sc.sts)
			}
			sc.sts = appendEscaped(sc.sts[:0], sc.signed, false)
			sc.q.add("X-Amz-SignedHeaders", sc.sts)
			b = sc.q.appendCanonical(b)
		}
		b = append(b, '\n')
		b = append(b, hdrs...)
	} else {
		b = sc.q.appendCanonical(b)
		b = append(b, '\n')
		if fast {
			if b, err = sh.appendCanonical(b, hb); err != nil {
				return err
			}
			r.signed = sh.signed // read only: no record happens before Sign is done
		} else {
			if b, sc.signed, err = hb.appendCanonical(b, sc.signed[:0]); err != nil {
				return err
			}
			if useShape {
				sh.record(req.Header, hb, sc.seen, sc.signed, r.variants)
			}
			r.signed = sc.signed
		}
	}
	b = append(b, '\n')
	b = append(b, r.signed...)
	b = append(b, '\n')
	b = append(b, r.payload...)
	sc.creq = b

	// String to sign.
	sum := sha256.Sum256(b)
	n := len(sc.stsHead)
	t := append(sc.sts[:0], sc.stsHead...)
	t = append(t, make([]byte, 2*sha256.Size)...)
	awsenc.EncodeHex32((*[2 * sha256.Size]byte)(t[n:]), &sum)
	sc.sts = t

	// Signature.
	key := s.signingKey(sc, &creds)
	sc.h.signFrom(key, &sc.mid, &sc.sig, sc.sts)
	awsenc.EncodeHex32(&sc.sigHex, &sc.sig)
	return nil
}

// collectHeader records request header k in hb when it is to be signed,
// and reports whether it is. It keeps the values of the headers Sign sets
// in r.
func (s *Signer) collectHeader(hb *headerBuf, r *result, k string, vv []string, presign bool) bool {
	// The canonical keys of headers never signed from the map are skipped
	// before lower-casing.
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
		if s.contentHeader && !presign || r.presignHash {
			return false
		}
	case "Host", "Content-Length":
		return false
	case "User-Agent":
		if s.signHeader == nil {
			return false // the hook, when set, decides on User-Agent
		}
	}
	n, nl := len(hb.entries), len(hb.names)
	hb.add(k, vv)
	name := hb.name(n)
	var sign bool
	switch string(name) {
	case "host", "content-length":
		// They come from req.Host and req.ContentLength.
	case "x-amz-date", "x-amz-security-token", "authorization":
		// The signer's own. A key spelled otherwise than Sign sets it
		// ("x-amz-date") would go out beside the new value: Sign drops it.
		r.variants = r.variants || k != http.CanonicalHeaderKey(k)
	case "x-amz-content-sha256":
		sign = presign && !r.presignHash || !presign && !s.contentHeader
		r.variants = r.variants || !sign && k != "X-Amz-Content-Sha256"
	default:
		sign = !deniedHeader(name)
		if s.signHeader != nil {
			sign = s.signHeader(string(name), sign)
		}
	}
	if !sign {
		hb.entries, hb.names = hb.entries[:n], hb.names[:nl]
		return false
	}
	if presign {
		r.sendHeaders = append(r.sendHeaders, k)
	}
	return true
}

// canonicalHost returns the host to sign: req.Host when set, else the URL's
// host, without a default port (":80" on http, ":443" on https).
func canonicalHost(scheme, reqHost, urlHost string) string {
	h := reqHost
	if h == "" {
		h = urlHost
	}
	switch {
	case strings.HasSuffix(h, ":443") && strings.EqualFold(scheme, "https"):
		h = h[:len(h)-4]
	case strings.HasSuffix(h, ":80") && strings.EqualFold(scheme, "http"):
		h = h[:len(h)-3]
	}
	return h
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

// hashBody returns the hex SHA-256 of req's body without consuming it.
func (sc *scratch) hashBody(req *http.Request) (string, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return EmptyPayloadHash, nil
	}
	if sc.body == nil {
		sc.body = sha256.New()
	}
	h := sc.body
	h.Reset()
	switch {
	case req.GetBody != nil:
		body, err := req.GetBody()
		if err != nil {
			return "", fmt.Errorf("sigv4: hash body: GetBody: %w", err)
		}
		_, err = io.Copy(h, body)
		body.Close()
		if err != nil {
			return "", fmt.Errorf("sigv4: hash body: %w", err)
		}
	default:
		rs, ok := req.Body.(io.ReadSeeker)
		if !ok {
			return "", fmt.Errorf("%w: pass the payload hash, set GetBody or use an io.ReadSeeker body", ErrBodyNotReplayable)
		}
		pos, err := rs.Seek(0, io.SeekCurrent)
		if err != nil {
			return "", fmt.Errorf("sigv4: hash body: %w", err)
		}
		if _, err := io.Copy(h, rs); err != nil {
			return "", fmt.Errorf("sigv4: hash body: %w", err)
		}
		if _, err := rs.Seek(pos, io.SeekStart); err != nil {
			return "", fmt.Errorf("sigv4: hash body: rewind: %w", err)
		}
	}
	var sum [sha256.Size]byte
	var hexSum [2 * sha256.Size]byte
	h.Sum(sum[:0])
	awsenc.EncodeHex32(&hexSum, &sum)
	return string(hexSum[:]), nil
}

// authParams are the query parameters that presigning sets.
var authParams = [...]string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature"}

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

func hasAuthParam(rawQuery string) bool { return strings.Contains(rawQuery, "X-Amz-") }

// stripAuthParams removes presign parameters from a raw query, so that a
// presigned URL can be presigned again.
func stripAuthParams(rawQuery string) string {
	var kept []string
	for _, piece := range strings.Split(rawQuery, "&") {
		k, _, _ := strings.Cut(piece, "=")
		if piece == "" || isAuthParam([]byte(k)) {
			continue
		}
		kept = append(kept, piece)
	}
	return strings.Join(kept, "&")
}

// cachedKey is the signer's most recently used key, checked before the
// shared cache so that the common case takes no lock.
type cachedKey struct {
	id  keyID
	key *signingKey
}

// signingKey returns the signing key for creds on the date of sc.amzDate.
// The signer's last key is checked first, field by field, without building
// a keyID.
func (s *Signer) signingKey(sc *scratch, creds *credentials.Credentials) *signingKey {
	if c := s.last.Load(); c != nil && c.id.accessKey == creds.AccessKeyID && c.id.secret == creds.SecretAccessKey &&
		string(c.id.date[:]) == string(sc.amzDate[:8]) && c.id.region == s.region && c.id.service == s.service {
		return c.key
	}
	sc.id = keyID{accessKey: creds.AccessKeyID, secret: creds.SecretAccessKey, region: s.region, service: s.service}
	copy(sc.id.date[:], sc.amzDate[:8])
	k := s.keys.get(&sc.h, &sc.id)
	if s.keys.max > 0 {
		s.last.Store(&cachedKey{id: sc.id, key: k})
	}
	sc.id = keyID{}
	return k
}
