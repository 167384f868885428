package sigv4

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/awsenc"
)

// Limits that bound the work and memory of [Verifier.Verify] on hostile
// input. A request beyond them is refused before any secret is looked up.
const (
	// MaxAuthorizationBytes bounds the Authorization header.
	MaxAuthorizationBytes = 8 << 10
	// MaxSignedHeaders bounds the number of names in SignedHeaders.
	MaxSignedHeaders = 64
	// MaxQueryBytes bounds the raw query string.
	MaxQueryBytes = 16 << 10
	// MaxPathBytes bounds the raw path.
	MaxPathBytes = 8 << 10
	// MaxSignedHeaderBytes bounds the total size of the signed headers'
	// names and values.
	MaxSignedHeaderBytes = 64 << 10
	// DefaultMaxSkew is the clock skew AWS allows between a client and a
	// server.
	DefaultMaxSkew = 15 * time.Minute
	// DefaultMaxBufferedBody is the default for
	// [VerifierConfig.MaxBufferedBody].
	DefaultMaxBufferedBody = 1 << 20
)

// ErrUnknownAccessKey is what a [SecretLookup] returns (or wraps) for an
// access key it does not know; Verify reports it as InvalidAccessKeyId.
var ErrUnknownAccessKey = errors.New("sigv4: unknown access key")

// ErrNotSigned is wrapped by the AccessDenied [AuthError] that Verify
// returns for a request with neither an Authorization header nor X-Amz-*
// query parameters: an anonymous request. A server that allows anonymous
// reads tests for it with errors.Is.
var ErrNotSigned = errors.New("sigv4: request is not signed")

// SecretLookup finds the credentials of an access key ID on the server
// side. It returns an error wrapping [ErrUnknownAccessKey] for an unknown
// key, an [*AuthError] to refuse the request with its own code, and any
// other error for a failure of its own (answered as InternalError). When
// the credentials have a SessionToken, requests must carry exactly that
// X-Amz-Security-Token; when they have an Expires, requests after it are
// refused with ExpiredToken.
type SecretLookup interface {
	LookupSecret(ctx context.Context, accessKeyID string) (credentials.Credentials, error)
}

// SecretLookupFunc adapts a function to [SecretLookup].
type SecretLookupFunc func(ctx context.Context, accessKeyID string) (credentials.Credentials, error)

// LookupSecret returns f(ctx, accessKeyID).
func (f SecretLookupFunc) LookupSecret(ctx context.Context, accessKeyID string) (credentials.Credentials, error) {
	return f(ctx, accessKeyID)
}

// StaticSecrets returns a [SecretLookup] over a fixed set of credentials,
// indexed by access key ID. It prints the access key IDs only.
func StaticSecrets(creds ...credentials.Credentials) SecretLookup {
	m := make(map[string]*credentials.Credentials, len(creds))
	for _, c := range creds {
		m[c.AccessKeyID] = &c
	}
	return &staticSecrets{m}
}

// staticSecrets keeps each secret behind two pointers: see redact.go.
type staticSecrets struct {
	m map[string]*credentials.Credentials
}

func (s *staticSecrets) LookupSecret(_ context.Context, id string) (credentials.Credentials, error) {
	c, ok := s.m[id]
	if !ok {
		return credentials.Credentials{}, ErrUnknownAccessKey
	}
	return *c, nil
}

// VerifierConfig configures a [Verifier]. It prints redacted, naming its
// secret lookup by type.
type VerifierConfig struct {
	// Service is the signing name the server answers for ("s3").
	Service string
	// Regions lists the signing regions the server accepts; at least one.
	Regions []string
	// Secrets finds the credentials of an access key.
	Secrets SecretLookup
	// Now returns the server's time; nil means time.Now.
	Now func() time.Time
	// MaxSkew is the largest difference allowed between the request time
	// of a header-signed request and Now, and how far in the future a
	// presigned URL's X-Amz-Date may be. Zero means DefaultMaxSkew (15
	// minutes, as AWS).
	MaxSkew time.Duration

	// DoubleEscape and NormalizePath must match the clients' signers (see
	// [Config]); Default means what AWS does for Service. On the server,
	// the canonical URI is the decoded path escaped once (S3 family) or
	// the path as sent on the wire escaped again.
	DoubleEscape, NormalizePath Toggle
	// SignSessionToken Off accepts a session token that was added after
	// signing (Config.SignSessionToken Off on the client). Default and On
	// require it to be signed.
	SignSessionToken Toggle

	// MaxBufferedBody bounds the body that Verify reads into memory to hash
	// it, for the requests whose payload hash is not sent (services other
	// than S3 without X-Amz-Content-Sha256, and their presigned URLs). Zero
	// means DefaultMaxBufferedBody (1 MiB); negative refuses such requests
	// when they have a body.
	MaxBufferedBody int64
	// RefuseStreaming refuses aws-chunked bodies (the STREAMING-* payload
	// hashes) with NotImplemented. By default Verify decodes them and
	// verifies every chunk, trailer and checksum as the handler reads the
	// body (see [StreamMode]).
	RefuseStreaming bool
	// KeyCacheSize bounds the number of derived signing keys kept. Zero
	// means 64; negative disables the cache.
	KeyCacheSize int
}

// Verifier checks requests signed with SigV4, as AWS does, on the server
// side. It is safe for concurrent use. A Verifier prints redacted (fmt,
// log/slog): its service, regions and secret lookup type.
type Verifier struct {
	service      string
	s3           bool
	regions      []string
	secrets      SecretLookup
	now          func() time.Time
	skew         time.Duration
	doubleEscape bool
	normalize    bool
	signedToken  bool
	maxBuffered  int64
	streaming    bool
	keys         *keyCache
	last         atomic.Pointer[cachedKey]
}

// NewVerifier returns a Verifier for cfg. It fails when the service, the
// regions or the secret lookup are missing, or a toggle has an unknown
// value.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if err := checkScopePart("service", cfg.Service); err != nil {
		return nil, err
	}
	if len(cfg.Regions) == 0 {
		return nil, fmt.Errorf("%w: no regions", ErrInvalidConfig)
	}
	for _, r := range cfg.Regions {
		if err := checkScopePart("region", r); err != nil {
			return nil, err
		}
	}
	if cfg.Secrets == nil {
		return nil, fmt.Errorf("%w: no secret lookup", ErrInvalidConfig)
	}
	if cfg.MaxSkew < 0 {
		return nil, fmt.Errorf("%w: negative MaxSkew", ErrInvalidConfig)
	}
	for _, t := range []struct {
		name string
		v    Toggle
	}{{"DoubleEscape", cfg.DoubleEscape}, {"NormalizePath", cfg.NormalizePath}, {"SignSessionToken", cfg.SignSessionToken}} {
		if t.v > Off {
			return nil, fmt.Errorf("%w: %s has unknown value %d", ErrInvalidConfig, t.name, uint8(t.v))
		}
	}
	s3 := isS3Family(cfg.Service)
	v := &Verifier{
		service:      cfg.Service,
		s3:           s3,
		regions:      append([]string(nil), cfg.Regions...),
		secrets:      cfg.Secrets,
		now:          cfg.Now,
		skew:         cfg.MaxSkew,
		doubleEscape: cfg.DoubleEscape.resolve(!s3),
		normalize:    cfg.NormalizePath.resolve(!s3),
		signedToken:  cfg.SignSessionToken.resolve(true),
		maxBuffered:  cfg.MaxBufferedBody,
		streaming:    !cfg.RefuseStreaming,
		keys:         newKeyCache(cfg.KeyCacheSize),
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.skew == 0 {
		v.skew = DefaultMaxSkew
	}
	if v.maxBuffered == 0 {
		v.maxBuffered = DefaultMaxBufferedBody
	}
	return v, nil
}

// Verified describes a request that passed verification. It prints
// redacted, like its Credentials (see [credentials.Credentials] for the
// raw paths of fmt that no method can redact).
type Verified struct {
	// AccessKeyID is the access key that signed the request.
	AccessKeyID string
	// Credentials are what the secret lookup returned for it. They print
	// redacted.
	Credentials credentials.Credentials
	// SignedAt is the request time (X-Amz-Date).
	SignedAt time.Time
	// Region and Service are those of the credential scope.
	Region, Service string
	// SignedHeaders lists the signed header names, lower case, joined by
	// ';' as in the request (see [Verified.SignedHeaderNames]).
	SignedHeaders string
	// PayloadHash is the payload line of the canonical request: a hex
	// SHA-256 (which the request body is checked against as it is read),
	// UNSIGNED-PAYLOAD, or a STREAMING-* value.
	PayloadHash string
	// Presigned reports a presigned URL (query signing).
	Presigned bool
	// Expires is the end of a presigned URL's validity; zero for
	// header-signed requests.
	Expires time.Time
	// Signature is the request's hex signature: the seed signature of an
	// aws-chunked body.
	Signature string
	// Stream is the aws-chunked framing of the body, zero for a body that
	// is not aws-chunked; DecodedContentLength is then the body's length
	// (X-Amz-Decoded-Content-Length), which Verify also sets as the
	// request's ContentLength.
	Stream               StreamMode
	DecodedContentLength int64
	// Checksum is the x-amz-checksum-* checksum the body is checked
	// against as it is read (from a header or an aws-chunked trailer),
	// nil when the request has none.
	Checksum *Checksum
	// Path and RawPath are the path the signature covers, decoded, as the
	// handler must act on it, in the form of [url.URL]'s fields of the
	// same names: RawPath is the escaped form when it is not Path's
	// default escaping, else empty. Set them in a URL to get the request
	// the signature covers; [Verifier.Middleware] does.
	//
	// For the S3 family the signature covers the decoded path, so an
	// escaped '/' is a '/' like any other: "/photos%2Fx/y" and
	// "/photos/x/y" sign alike and both have the Path "/photos/x/y" and
	// an empty RawPath (bucket photos, key x/y). For other services it
	// covers the escaped path after [NormalizePath]:
	// "/admin/../public/report" has the Path "/public/report", and
	// "/a%2Fb" keeps its RawPath, one segment. A handler that calls
	// Verify itself must act on these, not on the request's URL.
	Path, RawPath string
}

// SignedHeaderNames returns the signed header names as a slice.
func (v *Verified) SignedHeaderNames() []string { return strings.Split(v.SignedHeaders, ";") }

// auth is the parsed authentication of a request; every string is a
// substring of the request's own.
type auth struct {
	presigned     bool
	accessKey     string
	scope         string // date/region/service/aws4_request
	date          string // of the scope
	region        string
	service       string
	signedHeaders string
	signature     string
	amzDate       string // YYYYMMDD'T'HHMMSS'Z'
	signedAt      time.Time
	expires       time.Duration
	token         string
	hasToken      bool
}

// Verify checks the signature of r, a request received by a server: a
// header-signed request (Authorization: AWS4-HMAC-SHA256 ...) or a presigned
// URL (X-Amz-* query parameters), with the rules AWS applies:
//
//   - the Authorization header or the query parameters are parsed
//     strictly (each part once; SignedHeaders lower case, sorted, unique);
//   - the credential scope names the request's date, one of the accepted
//     regions, the service, and aws4_request;
//   - a header-signed request is within MaxSkew of the server's time; a
//     presigned URL (X-Amz-Expires 1 to 604800 seconds) is neither not
//     yet valid nor expired at the moment of the request;
//   - host and every x-amz-* header the request carries are signed;
//   - a session token is present exactly when the credentials have one,
//     and equal to it;
//   - the signature, recomputed with the canonicalization of [Signer], is
//     compared in constant time.
//
// When the payload hash is a hex SHA-256, Verify replaces r.Body with a
// reader that hashes the body as it streams and fails the read that
// reaches the end of the body (io.EOF, or Content-Length bytes) with a
// XAmzContentSHA256Mismatch [*AuthError] when it differs, withholding that
// last read's bytes: a handler that stores the body only after reading it
// to the end without error never commits a corrupted object. An
// aws-chunked body (a STREAMING-* payload hash) is decoded the same way:
// r.Body becomes a reader of the decoded bytes that releases a signed
// chunk only once its signature (chained from the seed) checks out and
// fails the read that brings the last bytes when the final chunk, the
// trailer, the decoded length or the checksum is wrong; r.ContentLength
// becomes X-Amz-Decoded-Content-Length and aws-chunked leaves
// Content-Encoding. An x-amz-checksum-* header is checked against the body
// the same way (BadDigest), but for CompleteMultipartUpload, whose header
// is the object's checksum. [Verified.Stream] and [Verified.Checksum] say
// what was found.
//
// Every refusal is an [*AuthError] with the S3 code and status; a
// signature mismatch carries the canonical request and string to sign the
// server computed. Inputs beyond the limits (MaxAuthorizationBytes,
// MaxSignedHeaders, MaxQueryBytes, MaxPathBytes, MaxSignedHeaderBytes) are
// refused before any secret lookup.
func (v *Verifier) Verify(r *http.Request) (*Verified, error) {
	if r == nil || r.URL == nil {
		return nil, authErr(http.StatusBadRequest, CodeInvalidRequest, "nil request or URL")
	}
	if len(r.URL.RawQuery) > MaxQueryBytes {
		return nil, authErr(http.StatusBadRequest, CodeInvalidRequest, "The query string is longer than "+strconv.Itoa(MaxQueryBytes)+" bytes.")
	}
	if len(r.URL.Path) > MaxPathBytes || len(r.URL.RawPath) > MaxPathBytes {
		return nil, authErr(http.StatusBadRequest, CodeInvalidRequest, "The path is longer than "+strconv.Itoa(MaxPathBytes)+" bytes.")
	}
	var a auth
	authz, hasAuthz := r.Header["Authorization"]
	presigned, err := hasPresignParams(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	switch {
	case hasAuthz && presigned:
		return nil, authErr(http.StatusBadRequest, CodeInvalidArgument, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.")
	case hasAuthz:
		if len(authz) != 1 {
			return nil, malformedHeader("more than one Authorization header")
		}
		if err := a.parseHeader(authz[0]); err != nil {
			return nil, err
		}
		if err := v.parseHeaderDate(r, &a); err != nil {
			return nil, err
		}
	case presigned:
		if err := a.parseQuery(r.URL.RawQuery); err != nil {
			return nil, err
		}
	default:
		return nil, &AuthError{Code: CodeAccessDenied, StatusCode: http.StatusForbidden, Message: "Anonymous access is forbidden for this operation.", Err: ErrNotSigned}
	}
	if err := v.checkScope(&a); err != nil {
		return nil, err
	}

	// Time.
	now := v.now().UTC()
	var expires time.Time
	if a.presigned {
		if a.signedAt.Sub(now) > v.skew {
			return nil, authErr(http.StatusForbidden, CodeAccessDenied, "Request is not valid yet")
		}
		expires = a.signedAt.Add(a.expires)
		if now.After(expires) {
			return nil, authErr(http.StatusForbidden, CodeAccessDenied, "Request has expired")
		}
	} else if d := now.Sub(a.signedAt); d > v.skew || d < -v.skew {
		return nil, authErr(http.StatusForbidden, CodeRequestTimeTooSkewed, "The difference between the request time and the current time is too large.")
	}

	sc := getScratch()
	defer putScratch(sc)

	// Payload.
	payload, err := v.payloadHash(r, &a, sc)
	if err != nil {
		return nil, err
	}

	// Canonical request, before the lookup: malformed requests never cost
	// a lookup.
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	if err := v.canonicalRequest(sc, r, &a, payload, host, r.URL.RawQuery); err != nil {
		return nil, err
	}

	// Credentials.
	creds, err := v.lookup(r.Context(), a.accessKey)
	if err != nil {
		return nil, err
	}
	if creds.Expired(now) {
		return nil, &AuthError{Code: CodeExpiredToken, StatusCode: http.StatusBadRequest, Message: "The provided token has expired.", AccessKeyID: a.accessKey}
	}
	if err := v.checkToken(r, &a, creds); err != nil {
		return nil, err
	}

	// Signature.
	sc.id = keyID{accessKey: a.accessKey, secret: creds.SecretAccessKey, region: a.region, service: a.service}
	copy(sc.id.date[:], a.date)
	var key *signingKey
	if c := v.last.Load(); c != nil && c.id == sc.id {
		key = c.key
	} else {
		key = v.keys.get(&sc.h, &sc.id)
		if v.keys.max > 0 {
			v.last.Store(&cachedKey{id: sc.id, key: key})
		}
	}
	sc.id = keyID{}
	var provided [sha256.Size]byte
	okHex := decodeLowerHex(provided[:], a.signature)
	match := v.signatureMatches(sc, key, &a, provided[:])
	if !match {
		match, payload = v.matchVariant(sc, r, &a, key, provided[:], payload, host)
	}
	if !match || !okHex {
		return nil, &AuthError{
			Code:              CodeSignatureDoesNotMatch,
			StatusCode:        http.StatusForbidden,
			Message:           "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
			AccessKeyID:       a.accessKey,
			CanonicalRequest:  string(sc.creq),
			StringToSign:      string(sc.sts),
			SignatureProvided: a.signature,
		}
	}

	vd := &Verified{
		AccessKeyID:   a.accessKey,
		Credentials:   creds,
		SignedAt:      a.signedAt,
		Region:        a.region,
		Service:       a.service,
		SignedHeaders: a.signedHeaders,
		PayloadHash:   payload,
		Presigned:     a.presigned,
		Expires:       expires,
		Signature:     a.signature,
	}
	if vd.Path, vd.RawPath, err = v.verifiedPath(r.URL); err != nil {
		return nil, err
	}
	if a.presigned && v.s3 {
		// A presigned S3 request signs UNSIGNED-PAYLOAD; a signed
		// X-Amz-Content-Sha256 header still binds the body.
		if h := r.Header["X-Amz-Content-Sha256"]; len(h) == 1 && len(h[0]) == 64 && validPayloadHash(h[0]) {
			vd.PayloadHash = h[0]
		}
	}
	if len(vd.PayloadHash) == 64 && (vd.PayloadHash != EmptyPayloadHash || (r.Body != nil && r.Body != http.NoBody)) {
		wrapBody(r, vd.PayloadHash)
	}
	// The aws-chunked decoder and the x-amz-checksum-* checks (chunkdec.go).
	if err := v.checkBody(r, vd, key, a.amzDate, a.scope); err != nil {
		return nil, err
	}
	return vd, nil
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
func (v *Verifier) matchVariant(sc *scratch, r *http.Request, a *auth, key *signingKey, provided []byte, payload, host string) (bool, string) {
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
		validPayloadHash(h[0]) && !strings.HasPrefix(h[0], "STREAMING-") && hasName(a.signedHeaders, "x-amz-content-sha256") {
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
		if v.canonicalRequest(sc, r, a, p, h, q) == nil && v.signatureMatches(sc, key, a, provided) {
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

// signatureMatches builds the string to sign of sc.creq into sc.sts, signs
// it with key and compares the signature with provided in constant time.
func (v *Verifier) signatureMatches(sc *scratch, key *signingKey, a *auth, provided []byte) bool {
	sum := sha256.Sum256(sc.creq)
	awsenc.EncodeHex32(&sc.hashHex, &sum)
	t := append(sc.sts[:0], Algorithm+"\n"...)
	t = append(t, a.amzDate...)
	t = append(t, '\n')
	t = append(t, a.scope...)
	t = append(t, '\n')
	t = append(t, sc.hashHex[:]...)
	sc.sts = t
	sc.h.sign(key, &sc.sig, sc.sts)
	return hmac.Equal(provided, sc.sig[:])
}

// authErr returns an AuthError without a cause.
func authErr(status int, code, msg string) *AuthError {
	return &AuthError{Code: code, Message: msg, StatusCode: status}
}

func malformedHeader(why string) *AuthError {
	return authErr(http.StatusBadRequest, CodeAuthorizationHeaderMalformed, "The authorization header is malformed; "+why+".")
}

func malformedQuery(why string) *AuthError {
	return authErr(http.StatusBadRequest, CodeAuthorizationQueryParametersError, why)
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
		piece, q, _ = strings.Cut(q, "&")
		k, _, _ := strings.Cut(piece, "=")
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
// allocating when there is nothing to decode.
func decodeQueryKey(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				return "", errQueryEscape
			}
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b), nil
}

// parseHeader parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=...". The three parts may come in any order, each once,
// separated by ',' and optional spaces.
func (a *auth) parseHeader(h string) error {
	if len(h) > MaxAuthorizationBytes {
		return malformedHeader("it is longer than " + strconv.Itoa(MaxAuthorizationBytes) + " bytes")
	}
	alg, rest, ok := strings.Cut(h, " ")
	if alg != Algorithm {
		if strings.HasPrefix(h, "AWS ") {
			return authErr(http.StatusBadRequest, CodeInvalidRequest, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
		}
		return malformedHeader("the authorization mechanism must be " + Algorithm)
	}
	if !ok {
		return malformedHeader("incorrect component count")
	}
	var seen [3]bool
	n := 0
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
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
	return checkSignedHeaders(a.signedHeaders, false)
}

// truncate shortens s for an error message.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// parseCredential parses accessKey/date/region/service/aws4_request.
func (a *auth) parseCredential(c string, query bool) error {
	bad := func(why string) error {
		if query {
			return malformedQuery("Error parsing the X-Amz-Credential parameter; " + why + ".")
		}
		return malformedHeader(why)
	}
	i := strings.IndexByte(c, '/')
	if i <= 0 {
		return bad("the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"")
	}
	a.accessKey, a.scope = c[:i], c[i+1:]
	parts := [4]string{}
	rest := a.scope
	for j := range parts {
		var ok bool
		parts[j], rest, ok = strings.Cut(rest, "/")
		if parts[j] == "" || (j < 3) != ok {
			return bad("the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"")
		}
	}
	if !awsenc.ValidAccessKeyID(a.accessKey) {
		return bad("the access key ID has an invalid character")
	}
	a.date, a.region, a.service = parts[0], parts[1], parts[2]
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

// checkSignedHeaders checks a SignedHeaders list: 1 to MaxSignedHeaders
// lower-case names in strictly ascending order.
func checkSignedHeaders(s string, query bool) error {
	bad := func(why string) error {
		if query {
			return malformedQuery("X-Amz-SignedHeaders is malformed: " + why + ".")
		}
		return malformedHeader("SignedHeaders " + why)
	}
	if s == "" {
		return bad("is empty")
	}
	n := 0
	prev := ""
	for rest := s; ; {
		name, more, found := strings.Cut(rest, ";")
		if name == "" {
			return bad("has an empty name")
		}
		for i := 0; i < len(name); i++ {
			c := name[i]
			if c <= ' ' || c >= 0x7f || c == ':' || 'A' <= c && c <= 'Z' {
				return bad("has a name that is not a lower-case header name")
			}
		}
		if n > 0 && name <= prev {
			return bad("is not sorted or has a duplicate")
		}
		prev = name
		n++
		if n > MaxSignedHeaders {
			return bad("has more than " + strconv.Itoa(MaxSignedHeaders) + " names")
		}
		if !found {
			break
		}
		rest = more
	}
	return nil
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
		t, ok := parseAmzDate(d[0])
		if !ok {
			return authErr(http.StatusForbidden, CodeAccessDenied, "AWS authentication requires a valid Date or x-amz-date header")
		}
		a.amzDate, a.signedAt = d[0], t
		return nil
	}
	d := r.Header["Date"]
	if len(d) != 1 || !hasName(a.signedHeaders, "date") {
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

// hasName reports whether the ';'-separated list has name.
func hasName(list, name string) bool {
	for list != "" {
		var n string
		n, list, _ = strings.Cut(list, ";")
		if n == name {
			return true
		}
	}
	return false
}

// parseQuery parses the X-Amz-* parameters of a presigned URL. Each must
// appear exactly once (X-Amz-Security-Token at most once).
func (a *auth) parseQuery(rawQuery string) error {
	a.presigned = true
	var alg, cred, date, exp, signed, sig string
	var seen [7]bool
	for q := rawQuery; q != ""; {
		var piece string
		piece, q, _ = strings.Cut(q, "&")
		if piece == "" {
			continue
		}
		rk, rv, _ := strings.Cut(piece, "=")
		k, err := decodeQueryKey(rk)
		if err != nil {
			return malformedQuery("The query string has an invalid percent-escape.")
		}
		i := -1
		for j, p := range authParams {
			if k == p {
				i = j
			}
		}
		if i < 0 {
			continue
		}
		if seen[i] {
			return malformedQuery("The query parameter " + k + " appears more than once.")
		}
		seen[i] = true
		val, err := decodeQueryKey(rv)
		if err != nil {
			return malformedQuery("The query string has an invalid percent-escape.")
		}
		switch k {
		case "X-Amz-Algorithm":
			alg = val
		case "X-Amz-Credential":
			cred = val
		case "X-Amz-Date":
			date = val
		case "X-Amz-Expires":
			exp = val
		case "X-Amz-SignedHeaders":
			signed = val
		case "X-Amz-Security-Token":
			a.token, a.hasToken = val, true
		case "X-Amz-Signature":
			sig = val
		}
	}
	for i, ok := range seen {
		if !ok && authParams[i] != "X-Amz-Security-Token" {
			return malformedQuery("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
		}
	}
	if alg != Algorithm {
		return malformedQuery("X-Amz-Algorithm only supports \"" + Algorithm + "\".")
	}
	if err := a.parseCredential(cred, true); err != nil {
		return err
	}
	t, ok := parseAmzDate(date)
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
	return checkSignedHeaders(signed, true)
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
	ok := false
	for _, r := range v.regions {
		if r == a.region {
			ok = true
			break
		}
	}
	if !ok {
		return bad("the region " + strconv.Quote(truncate(a.region)) + " is wrong; expecting " + strconv.Quote(v.regions[0]))
	}
	if a.service != v.service {
		return bad("incorrect service " + strconv.Quote(truncate(a.service)) + ". This endpoint belongs to " + strconv.Quote(v.service))
	}
	return nil
}

// payloadHash returns the payload line of the canonical request.
func (v *Verifier) payloadHash(r *http.Request, a *auth, sc *scratch) (string, error) {
	if a.presigned {
		// A presigned request that signs X-Amz-Content-Sha256 carries its
		// payload line there (see Signer.PresignPayload). S3 clients mostly
		// sign UNSIGNED-PAYLOAD beside it, so for S3 that stays the first
		// reading and the header's value is tried second (matchVariant).
		if h := r.Header["X-Amz-Content-Sha256"]; !v.s3 && len(h) == 1 && validPayloadHash(h[0]) &&
			!strings.HasPrefix(h[0], "STREAMING-") && hasName(a.signedHeaders, "x-amz-content-sha256") {
			return h[0], nil
		}
		if v.s3 {
			return UnsignedPayload, nil
		}
	}
	if !a.presigned {
		if h, ok := r.Header["X-Amz-Content-Sha256"]; ok {
			if len(h) != 1 || !validPayloadHash(h[0]) {
				return "", authErr(http.StatusBadRequest, CodeInvalidArgument, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-* or a valid sha256 value.")
			}
			if strings.HasPrefix(h[0], "STREAMING-") && !v.streaming {
				return "", authErr(http.StatusNotImplemented, CodeNotImplemented, "A header you provided implies functionality that is not implemented: aws-chunked payloads.")
			}
			return h[0], nil
		}
		if v.s3 {
			return "", authErr(http.StatusBadRequest, CodeInvalidRequest, "Missing required header for this request: x-amz-content-sha256")
		}
	}
	// Hash the body: services other than S3 sign it without sending the
	// hash.
	if r.Body == nil || r.Body == http.NoBody {
		return EmptyPayloadHash, nil
	}
	if v.maxBuffered < 0 || r.ContentLength > v.maxBuffered {
		return "", authErr(http.StatusBadRequest, CodeEntityTooLarge, "The request body is too large to hash: send its X-Amz-Content-Sha256.")
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(r.Body, v.maxBuffered+1))
	r.Body.Close()
	if err != nil {
		return "", &AuthError{Code: CodeIncompleteBody, StatusCode: http.StatusBadRequest, Message: "The request body could not be read.", Err: err}
	}
	if n > v.maxBuffered {
		return "", authErr(http.StatusBadRequest, CodeEntityTooLarge, "The request body is too large to hash: send its X-Amz-Content-Sha256.")
	}
	body := buf.Bytes()
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	sum := sha256.Sum256(body)
	awsenc.EncodeHex32(&sc.hashHex, &sum)
	return string(sc.hashHex[:]), nil
}

// canonicalRequest builds the canonical request of r into sc.creq, with
// the building blocks of the signer.
func (v *Verifier) canonicalRequest(sc *scratch, r *http.Request, a *auth, payload, host, rawQuery string) error {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	b := append(sc.creq[:0], method...)
	b = append(b, '\n')
	path, err := requestPath(r.URL, v.doubleEscape)
	if err != nil {
		return authErr(http.StatusBadRequest, CodeInvalidRequest, "The request URL is opaque.")
	}
	b = appendCanonicalURI(b, path, v.normalize)
	b = append(b, '\n')

	sc.q.reset()
	var skip func([]byte) bool
	if a.presigned {
		skip = isSignatureParam
		if !v.signedToken {
			skip = isSignatureOrTokenParam
		}
	}
	if err := sc.q.parse(rawQuery, skip); err != nil {
		return authErr(http.StatusBadRequest, CodeInvalidRequest, "The query string has an invalid percent-escape.")
	}
	b = sc.q.appendCanonical(b)
	b = append(b, '\n')

	// Headers: host, then every header of the request whose name is
	// signed; an x-amz-* header that is not signed refuses the request.
	if !hasName(a.signedHeaders, "host") {
		return authErr(http.StatusForbidden, CodeAccessDenied, "There were headers present in the request which were not signed: host")
	}
	if host == "" || !awsenc.ValidHost(host) {
		return authErr(http.StatusBadRequest, CodeInvalidRequest, "The request has no valid Host header.")
	}
	hb := &sc.hdr
	hb.reset()
	hb.set(slotHost, host, nil, false)
	var found uint64 // bit i: the i-th signed name was found
	found |= 1 << nameIndex(a.signedHeaders, "host")
	size := len(host)
	for k, vv := range r.Header {
		if k == "Authorization" || k == "Host" {
			continue
		}
		n, nl := len(hb.entries), len(hb.names)
		hb.add(k, vv)
		name := hb.name(n)
		if string(name) == "host" || string(name) == "authorization" {
			hb.entries, hb.names = hb.entries[:n], hb.names[:nl]
			continue
		}
		i := nameIndex(a.signedHeaders, string(name))
		if i < 0 {
			hb.entries, hb.names = hb.entries[:n], hb.names[:nl]
			if bytes.HasPrefix(name, []byte("x-amz-")) && !(!v.signedToken && string(name) == "x-amz-security-token") {
				return authErr(http.StatusForbidden, CodeAccessDenied, "There were headers present in the request which were not signed: "+truncate(string(name)))
			}
			continue
		}
		found |= 1 << i
		size += len(name)
		for _, s := range vv {
			size += len(s)
		}
		if size > MaxSignedHeaderBytes {
			return authErr(http.StatusBadRequest, CodeInvalidRequest, "The signed headers are larger than "+strconv.Itoa(MaxSignedHeaderBytes)+" bytes.")
		}
	}
	if i := nameIndex(a.signedHeaders, "content-length"); i >= 0 && found&(1<<i) == 0 && r.ContentLength >= 0 {
		hb.setContentLength(r.ContentLength)
		found |= 1 << i
	}
	if count := strings.Count(a.signedHeaders, ";") + 1; found != 1<<count-1 {
		for i, rest := 0, a.signedHeaders; rest != ""; i++ {
			var name string
			name, rest, _ = strings.Cut(rest, ";")
			if found&(1<<i) == 0 {
				if name == "x-amz-security-token" {
					return &AuthError{Code: CodeMissingSecurityHeader, StatusCode: http.StatusBadRequest, Message: "Your request is missing a required header: x-amz-security-token.", AccessKeyID: a.accessKey}
				}
				return &AuthError{Code: CodeSignatureDoesNotMatch, StatusCode: http.StatusForbidden,
					Message: "The request signature we calculated does not match the signature you provided: the signed header " + truncate(name) + " is missing.", AccessKeyID: a.accessKey}
			}
		}
	}
	var hdrs []byte
	hdrs, sc.signed, err = hb.appendCanonical(sc.out[:0], sc.signed[:0])
	sc.out = hdrs
	if err != nil {
		return authErr(http.StatusBadRequest, CodeInvalidRequest, "A signed header has a CR or LF in its value.")
	}
	if string(sc.signed) != a.signedHeaders { // cannot happen: the list is sorted and every name found
		return malformedHeader("SignedHeaders does not match the headers")
	}
	b = append(b, hdrs...)
	b = append(b, '\n')
	b = append(b, sc.signed...)
	b = append(b, '\n')
	b = append(b, payload...)
	sc.creq = b
	return nil
}

// nameIndex returns the position of name in the ';'-separated list, or -1.
func nameIndex(list, name string) int {
	for i := 0; list != ""; i++ {
		var n string
		n, list, _ = strings.Cut(list, ";")
		if n == name {
			return i
		}
		if n > name { // the list is sorted
			return -1
		}
	}
	return -1
}

func isSignatureParam(key []byte) bool { return string(key) == "X-Amz-Signature" }

func isSignatureOrTokenParam(key []byte) bool {
	return string(key) == "X-Amz-Signature" || string(key) == "X-Amz-Security-Token"
}

// lookup finds the credentials of an access key.
func (v *Verifier) lookup(ctx context.Context, accessKey string) (credentials.Credentials, error) {
	creds, err := v.secrets.LookupSecret(ctx, accessKey)
	if err != nil {
		var ae *AuthError
		switch {
		case errors.As(err, &ae):
			return creds, err
		case errors.Is(err, ErrUnknownAccessKey):
			return creds, &AuthError{Code: CodeInvalidAccessKeyID, StatusCode: http.StatusForbidden,
				Message: "The AWS Access Key Id you provided does not exist in our records.", AccessKeyID: accessKey, Err: err}
		}
		return creds, &AuthError{Code: CodeInternalError, StatusCode: http.StatusInternalServerError,
			Message: "We encountered an internal error. Please try again.", AccessKeyID: accessKey, Err: err}
	}
	if creds.SecretAccessKey == "" || creds.AccessKeyID != "" && creds.AccessKeyID != accessKey {
		return creds, &AuthError{Code: CodeInvalidAccessKeyID, StatusCode: http.StatusForbidden,
			Message: "The AWS Access Key Id you provided does not exist in our records.", AccessKeyID: accessKey}
	}
	return creds, nil
}

// checkToken checks the session token: present exactly when the
// credentials have one, equal to it, and signed.
func (v *Verifier) checkToken(r *http.Request, a *auth, creds credentials.Credentials) error {
	token, has := a.token, a.hasToken
	if !a.presigned {
		vv, ok := r.Header["X-Amz-Security-Token"]
		if ok && len(vv) != 1 {
			return &AuthError{Code: CodeInvalidToken, StatusCode: http.StatusBadRequest, Message: "The provided token is malformed or otherwise invalid.", AccessKeyID: a.accessKey}
		}
		if ok {
			token, has = vv[0], true
		}
	}
	switch {
	case !has && creds.SessionToken == "":
		return nil
	case !has:
		return &AuthError{Code: CodeMissingSecurityHeader, StatusCode: http.StatusBadRequest, Message: "Your request is missing a required header: x-amz-security-token.", AccessKeyID: a.accessKey}
	case subtle.ConstantTimeCompare([]byte(token), []byte(creds.SessionToken)) != 1:
		return &AuthError{Code: CodeInvalidToken, StatusCode: http.StatusBadRequest, Message: "The provided token is malformed or otherwise invalid.", AccessKeyID: a.accessKey}
	}
	// Signed: a query token is in the canonical query (unless tokens may be
	// unsigned); a header token must be in SignedHeaders.
	if !a.presigned && v.signedToken && !hasName(a.signedHeaders, "x-amz-security-token") {
		return authErr(http.StatusForbidden, CodeAccessDenied, "There were headers present in the request which were not signed: x-amz-security-token")
	}
	return nil
}

// decodeLowerHex decodes 64 lower-case hex digits into dst, reporting
// whether s was such; it runs in time independent of the digits.
func decodeLowerHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) {
		return false
	}
	ok := true
	for i := range dst {
		hi, lo := s[2*i], s[2*i+1]
		ok = ok && lowerHex[hi] && lowerHex[lo]
		dst[i] = unhex(hi)<<4 | unhex(lo)
	}
	return ok
}

// lowerHex[c] reports whether c is a lower-case hex digit.
var lowerHex = func() (t [256]bool) {
	for _, c := range "0123456789abcdef" {
		t[c] = true
	}
	return t
}()

// wrapBody replaces r.Body with a reader that checks the payload hash.
func wrapBody(r *http.Request, payloadHash string) {
	b := &hashingBody{rc: r.Body, h: sha256.New(), expect: r.ContentLength}
	if b.rc == nil {
		b.rc = http.NoBody
	}
	decodeLowerHex(b.want[:], payloadHash)
	r.Body = b
	r.GetBody = nil
}

// hashingBody hashes a body as it is read and fails the read that reaches
// its end when the hash differs from the signed one.
type hashingBody struct {
	rc      io.ReadCloser
	h       hash.Hash
	want    [sha256.Size]byte
	n       int64
	expect  int64 // Content-Length, or -1
	checked bool
	err     error
}

// Read reads from the body. The read that reaches the end of the body
// (io.EOF, or Content-Length bytes) returns no bytes and a
// XAmzContentSHA256Mismatch *AuthError when the hash differs.
func (b *hashingBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.rc.Read(p)
	if b.checked {
		if n > 0 {
			b.err = authErr(http.StatusBadRequest, CodeIncompleteBody, "The request body is longer than its Content-Length.")
			return 0, b.err
		}
		return n, err
	}
	b.h.Write(p[:n])
	b.n += int64(n)
	if b.expect >= 0 && b.n > b.expect {
		b.err = authErr(http.StatusBadRequest, CodeIncompleteBody, "The request body is longer than its Content-Length.")
		return 0, b.err
	}
	if err == io.EOF || b.expect >= 0 && b.n == b.expect {
		var sum [sha256.Size]byte
		b.h.Sum(sum[:0])
		if !hmac.Equal(sum[:], b.want[:]) {
			b.err = authErr(http.StatusBadRequest, CodeXAmzContentSHA256Mismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
			return 0, b.err
		}
		b.checked = true
	} else if err != nil {
		b.err = err
	}
	return n, err
}

// Close closes the underlying body.
func (b *hashingBody) Close() error { return b.rc.Close() }
