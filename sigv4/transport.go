package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/sigv4kit/sigv4kit/internal/redact"
)

// PayloadMode chooses how a [Transport] signs the body of a request that
// does not name its payload line itself (see [Transport]).
type PayloadMode uint8

// The payload modes of a Transport.
const (
	// PayloadAuto chooses per request, as the AWS SDKs do: the table in
	// [Transport].
	PayloadAuto PayloadMode = iota
	// PayloadSigned signs every byte of every body: the S3 family over
	// HTTPS is signed as over HTTP (hashed, streamed signed or buffered)
	// instead of with UNSIGNED-PAYLOAD.
	PayloadSigned
	// PayloadUnsigned signs UNSIGNED-PAYLOAD for every request with a
	// body, and sends X-Amz-Content-Sha256 to say so. The body is never
	// read before it is sent. The S3 family accepts it; most other
	// services do not.
	PayloadUnsigned
)

// String returns "auto", "signed" or "unsigned".
func (m PayloadMode) String() string {
	switch m {
	case PayloadAuto:
		return "auto"
	case PayloadSigned:
		return "signed"
	case PayloadUnsigned:
		return "unsigned"
	}
	return "PayloadMode(" + strconv.Itoa(int(m)) + ")"
}

// Transport is an [http.RoundTripper] that signs every request with its
// Signer and sends it with Base, for an http.Client that calls Amazon
// OpenSearch (service "es" or "aoss"), API Gateway ("execute-api"),
// Lambda function URLs ("lambda"), Bedrock or S3. It is safe for
// concurrent use, and prints redacted (fmt, log/slog) as its Signer does.
//
// Transport never changes the caller's request: it signs a clone
// (http.Request.Clone), as oauth2.Transport does, and closes the
// request's body on every path, errors included, as RoundTrip must.
// Credentials come from the Signer's provider for every request: give it a
// credentials.Cache, which refreshes them before they expire.
//
// # The payload
//
// A request that names its payload line in an X-Amz-Content-Sha256
// header is signed with it, and its body is not read to sign it, as
// aws-sdk-go (v1) does: a lower-case hex SHA-256 or [UnsignedPayload] (the
// body is sent as it is), [StreamingUnsignedPayloadTrailer] (the body is
// an aws-chunked encoding already, which does not depend on the
// signature, and is sent as it is), or [StreamingPayload] or
// [StreamingPayloadTrailer] (the body is the payload, of known length:
// Transport encodes it with [Signer.SignStreaming], with the checksum
// that X-Amz-Trailer names and the chunk size of Stream).
//
// For any other request, the payload line depends on the body, the
// service and the scheme. In the default mode, [PayloadAuto]:
//
//	body                               S3 family, https   S3 family, http    other services
//	none (nil, http.NoBody)            empty body's hash  empty body's hash  empty body's hash
//	replayable (GetBody, io.Seeker)    UNSIGNED-PAYLOAD   SHA-256 of body    SHA-256 of body
//	read-once, ContentLength known     UNSIGNED-PAYLOAD   signed aws-chunked buffered, SHA-256
//	read-once, length unknown          UNSIGNED-PAYLOAD   buffered, SHA-256  buffered, SHA-256
//
// A replayable body is hashed through GetBody (http.NewRequest sets it
// for a *bytes.Buffer, *bytes.Reader or *strings.Reader), or read and
// rewound when req.Body itself is an io.Seeker that can seek (an *os.File
// of a regular file, set as req.Body: http.NewRequest wraps an *os.File
// in a reader that cannot seek). A seekable body of unknown length
// (ContentLength 0) is sent with the length it has from its offset to its
// end. The S3 family over HTTPS signs UNSIGNED-PAYLOAD, as the AWS SDKs
// sign S3 uploads, so that a body is read once; TLS protects it. Signed
// aws-chunked streaming reads a body once, a chunk at a time, and
// announces its length ([Signer.SignStreaming]). A body that can be read
// only once is otherwise read into memory, up to MaxBufferedBody, and
// hashed; a larger one fails the request with [ErrBodyNotReplayable]
// before anything is sent. [PayloadSigned] and [PayloadUnsigned] change
// the table (see them).
//
// # Redirects and retries
//
// Each signed request goes to the one host it was signed for. An
// http.Client that follows a redirect calls RoundTrip again with a new
// request made from the caller's, which Transport signs for the new host;
// its body comes from GetBody, so a redirected request with a body (307,
// 308) needs one. The signature's service and region stay the Signer's:
// a redirect to another region (S3's 307 to a bucket's regional endpoint)
// needs a Signer for that region. Transport does not retry; Base may
// resend a request whose connection failed (net/http does for idempotent
// requests), with the same signature and a body from GetBody, which
// Transport sets for the bodies it buffers.
//
// A request without a body can be sent through a Transport from many
// goroutines at once: RoundTrip only reads it.
type Transport struct {
	// Signer signs every request. It is required.
	Signer *Signer
	// Base sends the signed requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Payload chooses how bodies are signed; the zero value is
	// PayloadAuto.
	Payload PayloadMode
	// MaxBufferedBody bounds the body of unknown length or of a service
	// outside the S3 family that Transport reads into memory to hash it
	// when it can be read only once. Zero means DefaultMaxBufferedBody
	// (1 MiB, as the Verifier); negative never buffers, and such requests
	// fail with ErrBodyNotReplayable.
	MaxBufferedBody int64
	// Stream configures the aws-chunked uploads Transport makes for
	// read-once bodies (see the table): mode, chunk size and checksum
	// trailer. The zero value streams signed 64 KiB chunks without a
	// trailer.
	Stream StreamOptions
}

var _ http.RoundTripper = (*Transport)(nil)

// RoundTrip signs a clone of req, as the type's documentation describes,
// and sends it with Base. Errors before sending wrap [ErrInvalidConfig]
// (no Signer, an unknown Payload), [ErrInvalidRequest],
// [ErrInvalidPayloadHash], [ErrBodyNotReplayable] or the credential
// provider's error; req's body is closed in every case.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := &outgoing{body: req.Body}
	r, err := t.sign(req, out)
	if err != nil {
		out.close()
		return nil, err
	}
	// From here Base owns r.Body, and through it the caller's body.
	return t.base().RoundTrip(r)
}

// CloseIdleConnections closes the idle connections of Base, when it has
// the method (http.Client.CloseIdleConnections calls it).
func (t *Transport) CloseIdleConnections() {
	if c, ok := t.base().(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// outgoing tracks the caller's body until Base owns it.
type outgoing struct {
	body io.ReadCloser // nil once closed
}

func (o *outgoing) close() {
	if o.body != nil {
		o.body.Close()
		o.body = nil
	}
}

// sign returns a signed clone of req.
func (t *Transport) sign(req *http.Request, out *outgoing) (*http.Request, error) {
	s := t.Signer
	switch {
	case s == nil:
		return nil, fmt.Errorf("%w: Transport has no Signer", ErrInvalidConfig)
	case t.Payload > PayloadUnsigned:
		return nil, fmt.Errorf("%w: Transport.Payload has unknown value %d", ErrInvalidConfig, uint8(t.Payload))
	case req.URL == nil:
		return nil, fmt.Errorf("%w: nil URL", ErrInvalidRequest)
	}
	ctx := req.Context()
	r := req.Clone(ctx)
	if r.Header == nil {
		r.Header = make(http.Header, 4)
	}

	if given := r.Header.Get("X-Amz-Content-Sha256"); given != "" {
		if mode := streamModeOf(given); mode.signed() {
			opts, err := t.streamOptions(r, mode)
			if err != nil {
				return nil, err
			}
			return r, s.SignStreaming(ctx, r, opts)
		}
		return r, s.Sign(ctx, r, given)
	}
	if r.Body == nil || r.Body == http.NoBody {
		return r, s.Sign(ctx, r, EmptyPayloadHash)
	}

	seeks := r.GetBody == nil && seekable(r, out)
	if r.Body == http.NoBody { // an empty seekable body
		return r, s.Sign(ctx, r, EmptyPayloadHash)
	}
	s3 := isS3Family(s.service)
	https := strings.EqualFold(r.URL.Scheme, "https")
	switch {
	case t.Payload == PayloadUnsigned, t.Payload == PayloadAuto && s3 && https:
		r.Header["X-Amz-Content-Sha256"] = []string{UnsignedPayload}
		return r, s.Sign(ctx, r, UnsignedPayload)
	case r.GetBody != nil, seeks:
		return r, s.Sign(ctx, r, "")
	case s3 && r.ContentLength > 0:
		return r, s.SignStreaming(ctx, r, t.Stream)
	}
	hash, err := t.buffer(r, out)
	if err != nil {
		return nil, err
	}
	return r, s.Sign(ctx, r, hash)
}

// seekable reports whether r.Body can seek (an *os.File of a pipe is an
// io.Seeker that cannot). It gives a seekable body of unknown length
// (ContentLength 0) the length from its offset to its end, so that it is
// sent with a Content-Length, and replaces one with nothing left by
// http.NoBody, closing it.
func seekable(r *http.Request, out *outgoing) bool {
	sk, ok := r.Body.(io.Seeker)
	if !ok {
		return false
	}
	pos, err := sk.Seek(0, io.SeekCurrent)
	if err != nil || r.ContentLength != 0 {
		return err == nil
	}
	end, err := sk.Seek(0, io.SeekEnd)
	if err != nil {
		return false
	}
	if _, err := sk.Seek(pos, io.SeekStart); err != nil {
		return false
	}
	if end <= pos {
		out.close()
		r.Body = http.NoBody
		return true
	}
	r.ContentLength = end - pos
	return true
}

// streamOptions returns Stream's options for an aws-chunked upload in
// mode; a request that names a signed trailer in X-Amz-Content-Sha256
// names its checksum in X-Amz-Trailer.
func (t *Transport) streamOptions(r *http.Request, mode StreamMode) (StreamOptions, error) {
	opts := t.Stream
	opts.Mode = mode
	switch mode {
	case StreamSigned:
		opts.Checksum = ""
	case StreamSignedTrailer:
		if name := r.Header.Get("X-Amz-Trailer"); name != "" {
			alg, ok := checksumNamed(name)
			if !ok {
				return opts, fmt.Errorf("%w: X-Amz-Trailer %q names no checksum that sigv4 computes", ErrInvalidRequest, name)
			}
			opts.Checksum = alg
		}
	}
	return opts, nil
}

// checksumNamed returns the checksum whose header is name
// ("x-amz-checksum-crc32").
func checksumNamed(name string) (ChecksumAlgorithm, bool) {
	name = strings.TrimSpace(name)
	for _, a := range []ChecksumAlgorithm{ChecksumCRC32, ChecksumCRC32C, ChecksumCRC64NVME, ChecksumSHA1, ChecksumSHA256} {
		if strings.EqualFold(a.HeaderName(), name) {
			return a, true
		}
	}
	return "", false
}

// buffer reads r's read-once body into memory, within MaxBufferedBody,
// closes it, gives r a replayable copy of it and returns its hash.
func (t *Transport) buffer(r *http.Request, out *outgoing) (string, error) {
	limit := t.MaxBufferedBody
	if limit == 0 {
		limit = DefaultMaxBufferedBody
	}
	const fix = "set GetBody, use a seekable body, or raise Transport.MaxBufferedBody"
	switch {
	case limit < 0:
		return "", fmt.Errorf("%w: the %s body can be read only once and Transport.MaxBufferedBody is negative: %s", ErrBodyNotReplayable, t.Signer.service, fix)
	case r.ContentLength > limit:
		return "", fmt.Errorf("%w: the %s body of %d bytes can be read only once and is larger than Transport.MaxBufferedBody (%d bytes): %s", ErrBodyNotReplayable, t.Signer.service, r.ContentLength, limit, fix)
	}
	want := r.ContentLength // -1 or 0: unknown
	var buf bytes.Buffer
	n := limit + 1
	if want > 0 {
		buf.Grow(int(want))
		n = want + 1
	}
	_, err := buf.ReadFrom(io.LimitReader(r.Body, n))
	out.close()
	b := buf.Bytes()
	switch {
	case err != nil:
		return "", fmt.Errorf("sigv4: read body: %w", err)
	case want > 0 && int64(len(b)) != want:
		return "", fmt.Errorf("%w: ContentLength=%d with body length %d", ErrInvalidRequest, want, len(b))
	case int64(len(b)) > limit:
		return "", fmt.Errorf("%w: the %s body of unknown length can be read only once and is larger than Transport.MaxBufferedBody (%d bytes): %s", ErrBodyNotReplayable, t.Signer.service, limit, fix)
	}
	r.ContentLength, r.TransferEncoding = int64(len(b)), nil
	if len(b) == 0 {
		r.Body = http.NoBody
		r.GetBody = func() (io.ReadCloser, error) { return http.NoBody, nil }
		return EmptyPayloadHash, nil
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

func (t *Transport) describe() []string {
	if t == nil {
		return nil
	}
	kv := []string{"Signer", "", "Base", redact.TypeName(t.Base), "Payload", t.Payload.String()}
	if t.Signer != nil {
		kv[1] = t.Signer.String()
	}
	if t.MaxBufferedBody != 0 {
		kv = append(kv, "MaxBufferedBody", strconv.FormatInt(t.MaxBufferedBody, 10))
	}
	return kv
}

// String returns the transport's signer (service, region, provider type),
// its Base's type and its payload settings.
func (t *Transport) String() string { return redact.Describe("sigv4.Transport", t.describe()...) }

// GoString returns String.
func (t *Transport) GoString() string { return t.String() }

// Format prints String for every verb: never a secret or a signing key.
func (t *Transport) Format(f fmt.State, verb rune) { redact.Format(f, verb, t.String()) }

// LogValue logs what String shows.
func (t *Transport) LogValue() slog.Value {
	return redact.LogValue("sigv4.Transport", t.describe()...)
}
