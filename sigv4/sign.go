package sigv4

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"
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
	// CredentialScope is date/region/service/aws4_request
	// (date/service/aws4_request for an algorithm with region sets).
	CredentialScope string
	// Signature is the hex HMAC-SHA256 of StringToSign with the signing key
	// (for a plugged algorithm, its signature: SigV4a's hex DER ECDSA).
	Signature string
	// PublicKey is empty for SigV4. For an algorithm with a public key
	// (package sigv4a's Explain), it is the public key that checks
	// Signature: the hex X and Y coordinates, "X Y".
	PublicKey string
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

// Parts is a request given by its parts rather than as an *http.Request,
// for [Signer.PresignParts]: a caller that builds URLs in reused buffers
// (package presign) presigns without allocating a request. Its byte slices
// are read during the call only, never kept or changed.
type Parts struct {
	// Method is the HTTP method; "" is GET.
	Method string
	// Scheme is "https" or "http".
	Scheme string
	// Host is the host, with a port unless it is the scheme's default.
	Host []byte
	// Path is the path as sent, escaped (url.URL.EscapedPath's form):
	// "/photos/cat%20picture.jpg". Empty is "/". The S3 family signs it
	// decoded and escaped again, and the URL carries that escaping.
	Path []byte
	// PathDecoded says that Path is decoded instead (url.URL.Path's form,
	// "/photos/cat picture.jpg"), as a caller that builds paths from S3
	// keys has them: the signer escapes it as SigV4 does ('/' kept), once,
	// and the URL carries that escaping. It spares escaping the path, then
	// checking and copying the escaped form.
	PathDecoded bool
	// Query is the raw query, escaped, without '?'.
	Query []byte
	// Header holds the headers to sign besides Host, as Presign reads them
	// from a request; nil for none.
	Header http.Header
	// ContentLength, when positive, is signed as Content-Length.
	ContentLength int64
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
	sc := s.spare.get()
	defer s.spare.putSigning(sc)
	if err := s.readRequest(sc, req); err != nil {
		return err
	}
	if err := s.compute(ctx, sc, signing{payloadHash: payloadHash}); err != nil {
		return err
	}
	s.setAuthHeaders(sc, req)
	return nil
}

// Explain computes what Sign would produce for req and payloadHash and
// returns every intermediate, without changing req.
func (s *Signer) Explain(ctx context.Context, req *http.Request, payloadHash string) (*Trace, error) {
	sc := s.spare.get()
	defer s.spare.putSigning(sc)
	if err := s.readRequest(sc, req); err != nil {
		return nil, err
	}
	if err := s.compute(ctx, sc, signing{payloadHash: payloadHash}); err != nil {
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
	sc := s.spare.get()
	defer s.spare.putSigning(sc)
	if err := s.readRequest(sc, req); err != nil {
		return nil, err
	}
	if err := s.compute(ctx, sc, signing{presign: true, expires: expires, payloadHash: payloadHash}); err != nil {
		return nil, err
	}
	return sc.trace(), nil
}

// PresignParts is [Signer.PresignPayload] for a request given by its parts.
// Parts have no body: payloadHash "" is UNSIGNED-PAYLOAD for the S3 family
// and the hash of an empty body for other services. The URL is byte for
// byte the one Presign returns for the same request.
func (s *Signer) PresignParts(ctx context.Context, p *Parts, expires time.Duration, payloadHash string) (*Presigned, error) {
	sc := s.spare.get()
	defer s.spare.putSigning(sc)
	if err := s.readParts(sc, p); err != nil {
		return nil, err
	}
	if err := s.compute(ctx, sc, signing{presign: true, expires: expires, payloadHash: payloadHash}); err != nil {
		return nil, err
	}
	var path []byte
	switch {
	case sc.msg.single:
		path = sc.creq[sc.uriStart:sc.uriEnd]
	case len(p.Path) == 0:
		path = []byte{'/'}
	case p.PathDecoded:
		path = sc.out // escaped by readParts
	default:
		path = p.Path
	}
	return sc.presigned(path), nil
}

func (s *Signer) presign(ctx context.Context, req *http.Request, expires time.Duration, payloadHash string) (*Presigned, error) {
	sc := s.spare.get()
	defer s.spare.putSigning(sc)
	if err := s.readRequest(sc, req); err != nil {
		return nil, err
	}
	if err := s.compute(ctx, sc, signing{presign: true, expires: expires, payloadHash: payloadHash}); err != nil {
		return nil, err
	}
	var path []byte
	if sc.msg.single {
		// The URL carries the canonical URI, so that the server decodes
		// exactly the path that was signed.
		path = sc.creq[sc.uriStart:sc.uriEnd]
	} else {
		sc.out = append(sc.out[:0], wirePath(req.URL)...)
		path = sc.out
	}
	return sc.presigned(path), nil
}

// compute runs the four steps of a signature (steps.go) on the request read
// into sc.msg, after fixing what they need besides it (request.go): the
// credentials, the time, the payload line and the signer's own headers.
func (s *Signer) compute(ctx context.Context, sc *scratch, how signing) error {
	if err := s.prepare(ctx, sc, how); err != nil {
		return err
	}
	if err := sc.canonicalRequest(); err != nil { // step 1
		return err
	}
	sc.stringToSign(sc.scope.head) // step 2
	creds := &sc.res.creds
	if s.alg != nil {
		return sc.signWith(s.alg, s.algName, creds) // another algorithm's steps 3 and 4
	}
	// Step 3, through the key caches (keycache.go), and step 4.
	key := s.key(&sc.h, creds.AccessKeyID, creds.SecretAccessKey, sc.scope.amzDate[:8], s.region, s.service)
	sc.signature(key)
	return nil
}

// setAuthHeaders sets on req the headers of a signature: X-Amz-Date,
// X-Amz-Content-Sha256, X-Amz-Security-Token, X-Amz-Region-Set and
// Authorization, as the Signer signs them; and the host and RawPath as
// signed.
func (s *Signer) setAuthHeaders(sc *scratch, req *http.Request) {
	r := &sc.res
	// One string holds every value the signer makes: the date, the hash
	// of a body it hashed when it sends it, then the Authorization value.
	// A Builder grown to the exact size makes the string in one
	// allocation, without a copy.
	head := sc.scope.authPrefix(r.creds.AccessKeyID) // the date, then the Authorization value's start
	d := len(sc.scope.amzDate)
	var hashed []byte
	if r.hashed && s.contentHeader {
		hashed = sc.payloadHex[:]
	}
	var sb strings.Builder
	sb.Grow(len(head) + len(hashed) + len(r.signed) + len(", Signature=") + len(sc.sigHex))
	if hashed == nil {
		sb.Write(head)
	} else {
		sb.Write(head[:d])
		sb.Write(hashed)
		sb.Write(head[d:])
	}
	sb.Write(r.signed)
	sb.WriteString(", Signature=")
	sb.Write(sc.sigHex)
	all := sb.String()
	date, authz, payload := all[:d], all[d+len(hashed):], r.payload
	if hashed != nil {
		payload = all[d : d+len(hashed)]
	}
	if req.Header == nil {
		req.Header = make(http.Header, 4)
	}
	if r.variants {
		s.dropVariants(req.Header)
	}
	// The request's value slices of the headers Sign sets, when it had
	// them (a request signed again), are set in place.
	setHeader(req.Header, r.dateSlot, "X-Amz-Date", date)
	if s.contentHeader {
		setHeader(req.Header, r.sha256Slot, "X-Amz-Content-Sha256", payload)
	}
	if s.regionSet {
		setHeader(req.Header, r.regionSetSlot, "X-Amz-Region-Set", s.region)
	}
	if r.creds.SessionToken != "" {
		setHeader(req.Header, r.tokenSlot, "X-Amz-Security-Token", r.creds.SessionToken)
	} else if r.tokenSlot != nil {
		delete(req.Header, "X-Amz-Security-Token") // a stale token from an earlier signature
	}
	setHeader(req.Header, r.authSlot, "Authorization", authz)
	if host := canonicalHost(req.URL.Scheme, req.Host, req.URL.Host); host != req.Host {
		req.Host = host
	}
	if raw := sc.rawPathFor(req.URL); raw != "" {
		req.URL.RawPath = raw
	}
}

// dropVariants deletes the keys that differ only in case from a header Sign
// sets: they would go out beside the new value.
func (s *Signer) dropVariants(h http.Header) {
	for k := range h {
		ck := http.CanonicalHeaderKey(k)
		switch ck {
		case "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256", "Authorization", "X-Amz-Region-Set":
			if k != ck && (ck != "X-Amz-Content-Sha256" || s.contentHeader) && (ck != "X-Amz-Region-Set" || s.regionSet) {
				delete(h, k)
			}
		}
	}
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

// rawPathFor returns the RawPath that Sign sets so that net/url sends the
// path that was signed, or "" to leave u alone. Only single escaping (S3)
// puts the canonical URI on the wire.
func (sc *scratch) rawPathFor(u *url.URL) string {
	if !sc.msg.single {
		return ""
	}
	switch uri := sc.creq[sc.uriStart:sc.uriEnd]; {
	case u.RawPath == "" && string(uri) == u.Path, string(uri) == u.RawPath:
		return ""
	case u.RawPath == "" && !sc.netURLKeeps:
		return "" // without RawPath, net/url sends this path escaped as signed
	default:
		return string(uri)
	}
}

// wirePath returns the path a presigned URL carries under double escaping:
// the request's, as net/url sends it.
func wirePath(u *url.URL) string {
	p := u.EscapedPath()
	if u.Opaque != "" {
		p, _ = opaquePath(u) // checked by requestPath
	}
	if p == "" {
		p = "/"
	}
	return p
}

// presigned returns the presigned request for path: its URL, and the
// headers the client must send.
func (sc *scratch) presigned(path []byte) *Presigned {
	m, r := &sc.msg, &sc.res
	pr := &Presigned{
		Method:  m.method,
		URL:     sc.presignedURL(path),
		Header:  make(http.Header, len(r.sendHeaders)),
		Expires: r.signedAt.Add(r.expires),
	}
	// Keys that differ only in case were signed as one header, their values
	// joined in key order: hand them to the client the same way.
	if len(r.sendHeaders) > 1 {
		slices.Sort(r.sendHeaders)
	}
	for _, k := range r.sendHeaders {
		ck := http.CanonicalHeaderKey(k)
		pr.Header[ck] = append(pr.Header[ck], m.header[k]...)
	}
	if sc.hdr.slots&(1<<slotContentLength) != 0 {
		pr.Header["Content-Length"] = []string{strconv.FormatInt(m.contentLength, 10)}
	}
	if r.presignHash {
		pr.Header["X-Amz-Content-Sha256"] = []string{r.payload}
	}
	return pr
}

// presignedURL returns the presigned URL: the scheme, the host and path,
// the request's query (less old presign parameters), then the presign
// parameters and the signature. It is written once, into an allocation of
// its exact length that becomes the string without a copy.
func (sc *scratch) presignedURL(path []byte) string {
	m, r, p := &sc.msg, &sc.res, &sc.params
	q := m.query
	if hasAuthParam(q) {
		sc.strip = appendWithoutAuthParams(sc.strip[:0], q, m.skip)
		q = sc.strip
	}
	n := len(m.scheme) + len("://") + len(m.host) + len(path) + len("?") +
		len("X-Amz-Algorithm=") + len(p.algorithm) + len("&X-Amz-Credential=") + len(p.credential) +
		len("&X-Amz-Date=") + len(p.amzDate) + len("&X-Amz-SignedHeaders=") + escapedLen(r.signed) +
		len("&X-Amz-Expires=") + len(p.expires) + len("&X-Amz-Signature=") + len(sc.sigHex)
	if len(q) > 0 {
		n += len(q) + len("&")
	}
	if p.regionSet != "" {
		n += len("&X-Amz-Region-Set=") + escapedLen(p.regionSet)
	}
	if r.creds.SessionToken != "" {
		n += len("&X-Amz-Security-Token=") + escapedLen(r.creds.SessionToken)
	}
	b := make([]byte, 0, n)
	b = append(b, m.scheme...)
	b = append(b, "://"...)
	b = append(b, m.host...)
	b = append(b, path...)
	b = append(b, '?')
	if len(q) > 0 {
		b = append(b, q...)
		b = append(b, '&')
	}
	b = append(b, "X-Amz-Algorithm="...)
	b = append(b, p.algorithm...)
	b = append(b, "&X-Amz-Credential="...)
	b = append(b, p.credential...)
	b = append(b, "&X-Amz-Date="...)
	b = append(b, p.amzDate...)
	if p.regionSet != "" {
		b = append(b, "&X-Amz-Region-Set="...)
		b = appendEscaped(b, p.regionSet, false)
	}
	b = append(b, "&X-Amz-SignedHeaders="...)
	b = appendEscaped(b, r.signed, false)
	b = append(b, "&X-Amz-Expires="...)
	b = append(b, p.expires...)
	if r.creds.SessionToken != "" {
		b = append(b, "&X-Amz-Security-Token="...)
		b = appendEscaped(b, r.creds.SessionToken, false)
	}
	b = append(b, "&X-Amz-Signature="...)
	b = append(b, sc.sigHex...)
	// b is never written again: the string may share its bytes.
	return unsafe.String(unsafe.SliceData(b), len(b))
}
