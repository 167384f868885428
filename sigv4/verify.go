package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strings"
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
	// Algorithms are the algorithms accepted besides AWS4-HMAC-SHA256
	// (package sigv4a provides AWS4-ECDSA-P256-SHA256; see
	// [SignatureAlgorithm]). Verify reads a request's algorithm from its
	// Authorization header or X-Amz-Algorithm and checks the signature
	// with it; for an algorithm with region sets, X-Amz-Region-Set must
	// name one of Regions (a '*' in it matches any run of characters).
	Algorithms []SignatureAlgorithm
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
	algs         []SignatureAlgorithm
	keyStore                  // step 3's keys (keycache.go)
	spare        spareScratch // buffers and caches for the next call (scratch.go)
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
	for _, alg := range cfg.Algorithms {
		if _, _, err := checkAlgorithm(alg, "*"); err != nil || alg == nil {
			return nil, fmt.Errorf("%w: Algorithms: %v is not an algorithm other than %s", ErrInvalidConfig, alg, Algorithm)
		}
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
		algs:         append([]SignatureAlgorithm(nil), cfg.Algorithms...),
		keyStore:     keyStore{keys: newKeyCache(cfg.KeyCacheSize)},
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

// Verify checks the signature of r, a request received by a server: a
// header-signed request (Authorization: AWS4-HMAC-SHA256 ..., or another
// of [VerifierConfig.Algorithms]) or a presigned URL (X-Amz-* query
// parameters), with the rules AWS applies:
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
	if err := checkLimits(r); err != nil {
		return nil, err
	}
	sc := v.spare.get()
	defer v.putScratch(sc)
	a := &sc.auth
	a.cache, a.dates, a.query, a.skip = &sc.authCache, &sc.dates, &sc.q, v.querySkip()
	if err := v.readAuth(r, a); err != nil {
		return nil, err
	}
	now := v.now().UTC()
	expires, err := v.checkTime(a, now)
	if err != nil {
		return nil, err
	}
	payload, err := v.payloadHash(r, a, sc)
	if err != nil {
		return nil, err
	}

	// Step 1, before the lookup: malformed requests never cost a lookup.
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	if err := v.canonicalRequest(sc, r, a, payload, host, r.URL.RawQuery); err != nil {
		return nil, err
	}
	creds, err := v.credentials(r, a, now)
	if err != nil {
		return nil, err
	}
	// Steps 2 to 4.
	key, payload, err := v.checkSignature(sc, r, a, &creds, payload, host)
	if err != nil {
		return nil, err
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
	if a.presigned && v.s3 && a.list.has("x-amz-content-sha256") {
		// A presigned S3 request signs UNSIGNED-PAYLOAD; a signed
		// X-Amz-Content-Sha256 header still binds the body. (An unsigned
		// one was refused.)
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

// payloadHash returns the payload line of the canonical request.
func (v *Verifier) payloadHash(r *http.Request, a *auth, sc *scratch) (string, error) {
	if a.presigned {
		// A presigned request that signs X-Amz-Content-Sha256 carries its
		// payload line there (see Signer.PresignPayload). S3 clients mostly
		// sign UNSIGNED-PAYLOAD beside it, so for S3 that stays the first
		// reading and the header's value is tried second (matchVariant).
		if !v.s3 && a.list.has("x-amz-content-sha256") {
			if h := r.Header["X-Amz-Content-Sha256"]; len(h) == 1 && validPayloadHash(h[0]) && !strings.HasPrefix(h[0], "STREAMING-") {
				return h[0], nil
			}
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

// wrapBody replaces r.Body with a reader that checks the payload hash.
func wrapBody(r *http.Request, payloadHash string) {
	b := &digestBody{rc: r.Body, h: sha256.New(), size: sha256.Size, expect: r.ContentLength}
	if b.rc == nil {
		b.rc = http.NoBody
	}
	decodeLowerHex(b.want[:], payloadHash)
	r.Body = b
	r.GetBody = nil
}

// digestBody hashes a body as it is read and fails the read that reaches
// its end when the digest differs from the one signed: the payload hash
// (X-Amz-Content-Sha256, spec nil) or an x-amz-checksum-* header's.
type digestBody struct {
	rc      io.ReadCloser
	h       hash.Hash
	want    [sha256.Size]byte
	size    int           // the digest's length, at most sha256.Size
	spec    *checksumSpec // the checksum's algorithm, nil for the payload hash
	ck      *Checksum     // marked Verified when the checksum matches
	n       int64
	expect  int64 // Content-Length, or -1
	checked bool
	err     error
}

// Read reads from the body. The read that reaches the end of the body
// (io.EOF, or Content-Length bytes) returns no bytes and an *AuthError
// (XAmzContentSHA256Mismatch, BadDigest) when the digest differs.
func (b *digestBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.rc.Read(p)
	if b.checked {
		if n > 0 {
			b.err = authErr(http.StatusBadRequest, CodeIncompleteBody, "The request body is longer than its Content-Length.")
			return 0, b.err
		}
		return 0, err
	}
	b.h.Write(p[:n])
	b.n += int64(n)
	if b.expect >= 0 && b.n > b.expect {
		b.err = authErr(http.StatusBadRequest, CodeIncompleteBody, "The request body is longer than its Content-Length.")
		return 0, b.err
	}
	if err == io.EOF || b.expect >= 0 && b.n == b.expect {
		if b.err = b.check(); b.err != nil {
			return 0, b.err
		}
	} else if err != nil {
		b.err = err
	}
	return n, err
}

// check compares the digest of what was read with the signed one.
func (b *digestBody) check() error {
	var got [sha256.Size]byte
	b.h.Sum(got[:0])
	if subtle.ConstantTimeCompare(got[:b.size], b.want[:b.size]) != 1 {
		if b.spec != nil {
			return badDigest(b.spec)
		}
		return authErr(http.StatusBadRequest, CodeXAmzContentSHA256Mismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	b.checked = true
	if b.ck != nil {
		b.ck.Verified = true
	}
	return nil
}

// Close closes the underlying body.
func (b *digestBody) Close() error { return b.rc.Close() }
