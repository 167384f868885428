package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
)

// StreamOptions configures [Signer.SignStreaming].
type StreamOptions struct {
	// Mode is the aws-chunked framing. Zero means StreamSignedTrailer
	// when Checksum is set and StreamSigned otherwise.
	Mode StreamMode
	// Checksum names the checksum of the body sent in the trailer ("":
	// none). It needs a trailer mode, and a trailer mode needs it.
	Checksum ChecksumAlgorithm
	// ChunkSize is the size of every chunk but the last: zero means
	// DefaultChunkSize (64 KiB); otherwise MinChunkSize (8 KiB) to
	// MaxChunkSize (16 MiB).
	ChunkSize int
}

// SignStreaming signs req for an aws-chunked upload of its body, whose
// length is req.ContentLength, and replaces req.Body with the encoding,
// which the chunk signatures (chained from the seed signature of the
// Authorization header) or the checksum trailer protect as it streams. The
// body is read once, a chunk at a time: nothing is buffered beyond one
// chunk, and nothing is allocated per chunk.
//
// Before signing the seed request with [Signer.Sign], SignStreaming sets
//
//   - X-Amz-Content-Sha256 to the mode's payload line, such as
//     STREAMING-AWS4-HMAC-SHA256-PAYLOAD (signed, for every service);
//   - Content-Encoding to aws-chunked (before any other coding);
//   - X-Amz-Decoded-Content-Length to the body's length;
//   - X-Amz-Trailer, with a checksum (the AWS SDKs also send
//     X-Amz-Sdk-Checksum-Algorithm, which S3 does not need: set it before
//     calling SignStreaming to send it, signed);
//   - req.ContentLength to the exact length of the encoding, so that
//     net/http sends a Content-Length and never chunks the request itself
//     (req.TransferEncoding is cleared).
//
// The body must be of known length: req.ContentLength positive, or zero
// with no body (http.NoBody or nil); net/http reads 0 with a body as
// unknown, which is an error. A body that ends early or runs longer fails
// the request's read, as net/http does for a plain Content-Length. When
// req.GetBody is set, the new GetBody returns a fresh encoding of a fresh
// body, byte for byte the same, so that net/http can replay the request.
//
// The chunks are signed with the credentials that signed the seed, which
// are retrieved once, with HMAC-SHA256: a Signer with another
// [Config.Algorithm] streams StreamUnsignedTrailer only. The request must not be signed again afterwards,
// which would change the seed; sign a new request instead. On error, req
// is left as it was.
func (s *Signer) SignStreaming(ctx context.Context, req *http.Request, opts StreamOptions) error {
	if req == nil || req.URL == nil {
		return fmt.Errorf("%w: nil request or URL", ErrInvalidRequest)
	}
	p, err := s.streamParams(req, opts)
	if err != nil {
		return err
	}
	if s.alg != nil && p.mode.signed() {
		return fmt.Errorf("%w: %s signs its chunks with HMAC-SHA256, not %s: use %s with this signer", ErrInvalidRequest, p.mode, s.algName, StreamUnsignedTrailer)
	}
	creds, err := s.creds.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("sigv4: retrieve credentials: %w", err)
	}

	// The headers of the seed request, restored if signing fails.
	restore := saveSeed(req).restore

	req.Header["Content-Encoding"] = []string{withAWSChunked(req.Header["Content-Encoding"])}
	req.Header["X-Amz-Decoded-Content-Length"] = []string{strconv.FormatInt(p.length, 10)}
	if p.checksum != nil {
		req.Header["X-Amz-Trailer"] = []string{p.checksum.header}
	} else {
		delete(req.Header, "X-Amz-Trailer")
	}
	req.Header["X-Amz-Content-Sha256"] = []string{p.mode.String()}
	req.ContentLength, req.TransferEncoding = p.encodedLength(), nil

	// The seed: signed by Sign, with the credentials retrieved above, so
	// that the chunks are signed with the same.
	one, err := s.ForRegion(s.region)
	if err != nil {
		restore()
		return err
	}
	if now := s.now(); creds.Expired(now) {
		restore()
		return fmt.Errorf("%w: expired at %s (source %q)", ErrExpiredCredentials, creds.Expires.UTC().Format(time.RFC3339), creds.Source)
	}
	one.creds = credentials.Static(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
	if err := one.Sign(ctx, req, p.mode.String()); err != nil {
		restore()
		return err
	}
	p.amzDate = req.Header.Get("X-Amz-Date")
	auth := req.Header.Get("Authorization")
	i := strings.LastIndex(auth, "Signature=")
	// Only signed chunks chain from the seed, which is then SigV4's 64 hex
	// digits; an unsigned-trailer seed may be another algorithm's.
	if i < 0 || len(p.amzDate) != 16 || p.mode.signed() && len(auth)-i-len("Signature=") != 2*sha256.Size {
		restore()
		return fmt.Errorf("%w: the seed signature is missing from the signed request", ErrInvalidRequest)
	}
	if p.mode.signed() {
		copy(p.seed[:], auth[i+len("Signature="):])
		p.scope = p.amzDate[:8] + "/" + s.region + "/" + s.service + "/aws4_request"
		var h hmacer
		id := keyID{accessKey: creds.AccessKeyID, secret: creds.SecretAccessKey, region: s.region, service: s.service}
		copy(id.date[:], p.amzDate[:8])
		p.key = s.keys.get(&h, &id)
	}

	encodeBody(req, p)
	return nil
}

// seedKeys are the headers SignStreaming sets on the seed request.
var seedKeys = [...]string{"Content-Encoding", "X-Amz-Decoded-Content-Length", "X-Amz-Trailer", "X-Amz-Content-Sha256"}

// savedSeed is what SignStreaming changes of a request, to restore when
// signing fails.
type savedSeed struct {
	req    *http.Request
	header [len(seedKeys)][]string
	length int64
	te     []string
}

// saveSeed saves what SignStreaming changes of req, giving it a header
// map when it has none.
func saveSeed(req *http.Request) *savedSeed {
	if req.Header == nil {
		req.Header = make(http.Header, 8)
	}
	s := &savedSeed{req: req, length: req.ContentLength, te: req.TransferEncoding}
	for i, k := range seedKeys {
		s.header[i] = req.Header[k]
	}
	return s
}

// restore puts the saved headers, length and transfer encoding back.
func (s *savedSeed) restore() {
	for i, k := range seedKeys {
		if s.header[i] == nil {
			delete(s.req.Header, k)
		} else {
			s.req.Header[k] = s.header[i]
		}
	}
	s.req.ContentLength, s.req.TransferEncoding = s.length, s.te
}

// encodeBody replaces req's body, and the bodies GetBody makes, with
// aws-chunked encoders of p.
func encodeBody(req *http.Request, p *streamParams) {
	body := req.Body
	if body == nil {
		body = http.NoBody
	}
	req.Body = newChunkEncoder(body, p)
	if getBody := req.GetBody; getBody != nil {
		req.GetBody = func() (io.ReadCloser, error) {
			b, err := getBody()
			if err != nil {
				return nil, err
			}
			if b == nil {
				b = http.NoBody
			}
			return newChunkEncoder(b, p), nil
		}
	}
}

// withAWSChunked returns a Content-Encoding with aws-chunked first.
func withAWSChunked(vv []string) string {
	var rest []string
	for _, v := range vv {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "aws-chunked") {
				rest = append(rest, c)
			}
		}
	}
	if len(rest) == 0 {
		return "aws-chunked"
	}
	return "aws-chunked," + strings.Join(rest, ",")
}

// streamParams are the parameters of one encoding, shared by every body
// GetBody makes.
type streamParams struct {
	mode      StreamMode
	checksum  *checksumSpec
	chunkSize int
	length    int64 // decoded
	key       *signingKey
	amzDate   string
	scope     string
	seed      [2 * sha256.Size]byte
}

// streamParams checks req and opts.
func (s *Signer) streamParams(req *http.Request, opts StreamOptions) (*streamParams, error) {
	p := &streamParams{mode: opts.Mode, chunkSize: opts.ChunkSize, length: req.ContentLength}
	if opts.Checksum != "" {
		if p.checksum = opts.Checksum.spec(); p.checksum == nil {
			return nil, fmt.Errorf("%w: unknown checksum algorithm %q", ErrInvalidRequest, opts.Checksum)
		}
	}
	switch p.mode {
	case 0:
		p.mode = StreamSigned
		if p.checksum != nil {
			p.mode = StreamSignedTrailer
		}
	case StreamSigned:
		if p.checksum != nil {
			return nil, fmt.Errorf("%w: a %s checksum needs a trailer mode, not %s", ErrInvalidRequest, opts.Checksum, StreamingPayload)
		}
	case StreamSignedTrailer, StreamUnsignedTrailer:
		if p.checksum == nil {
			// S3 requires X-Amz-Trailer in these modes, and versitygw
			// refuses a trailer that holds only its signature.
			return nil, fmt.Errorf("%w: %s needs a Checksum for its trailer", ErrInvalidRequest, p.mode)
		}
	default:
		return nil, fmt.Errorf("%w: unknown stream mode %d", ErrInvalidRequest, uint8(p.mode))
	}
	switch {
	case p.chunkSize == 0:
		p.chunkSize = DefaultChunkSize
	case p.chunkSize < MinChunkSize || p.chunkSize > MaxChunkSize:
		return nil, fmt.Errorf("%w: chunk size %d is outside %d..%d", ErrInvalidRequest, p.chunkSize, MinChunkSize, MaxChunkSize)
	}
	hasBody := req.Body != nil && req.Body != http.NoBody
	switch {
	case p.length < 0 || p.length == 0 && hasBody:
		return nil, fmt.Errorf("%w: a streaming upload needs the body's length in req.ContentLength (net/http reads 0 with a body as unknown)", ErrInvalidRequest)
	case p.length > 0 && !hasBody:
		return nil, fmt.Errorf("%w: ContentLength is %d but the request has no body", ErrInvalidRequest, p.length)
	case p.length > 1<<60:
		return nil, errStreamTooLong(p.length)
	}
	if _, ok := req.Body.(*chunkEncoder); ok {
		return nil, fmt.Errorf("%w: the body is already aws-chunked", ErrInvalidRequest)
	}
	return p, nil
}

// chunkHeaderLen returns the length of the size line of a chunk of n
// bytes, CRLF included.
func (p *streamParams) chunkHeaderLen(n int64) int {
	l := hexLen(n) + 2
	if p.mode.signed() {
		l += len(";chunk-signature=") + 2*sha256.Size
	}
	return l
}

// trailerLen returns the length of what follows the final chunk's size
// line: the trailer lines, the trailer signature, the final CRLF.
func (p *streamParams) trailerLen() int64 {
	var n int64
	if p.checksum != nil {
		n += int64(len(p.checksum.header) + 1 + p.checksum.b64Len() + 2)
	}
	if p.mode == StreamSignedTrailer {
		n += int64(len("x-amz-trailer-signature:") + 2*sha256.Size + 2)
	}
	return n + 2
}

// encodedLength returns the length of the whole encoding.
func (p *streamParams) encodedLength() int64 {
	size := int64(p.chunkSize)
	full, rest := p.length/size, p.length%size
	n := full * (int64(p.chunkHeaderLen(size)) + size + 2)
	if rest > 0 {
		n += int64(p.chunkHeaderLen(rest)) + rest + 2
	}
	return n + int64(p.chunkHeaderLen(0)) + p.trailerLen()
}

// chunkEncoder is the aws-chunked encoding of a body, a chunk at a time.
type chunkEncoder struct {
	src  io.ReadCloser
	p    *streamParams
	left int64 // bytes of src still to encode
	cs   chunkSigner
	sum  hash.Hash // the checksum, nil without one
	buf  []byte    // one encoded chunk
	tail []byte    // the final chunk and the trailer
	out  []byte    // encoded bytes not yet handed out
	end  bool      // tail made
	err  error
	one  [1]byte
	dig  [sha256.Size]byte
}

func newChunkEncoder(src io.ReadCloser, p *streamParams) *chunkEncoder {
	e := &chunkEncoder{src: src, p: p, left: p.length}
	if p.mode.signed() {
		e.cs.init(p.key, p.amzDate, p.scope, p.seed[:])
	}
	if p.checksum != nil {
		e.sum = p.checksum.new()
	}
	return e
}

// Read reads the encoding. A p that holds a whole encoded chunk gets one
// without a copy of its bytes.
func (e *chunkEncoder) Read(p []byte) (int, error) {
	for len(e.out) == 0 {
		if e.err != nil {
			return 0, e.err
		}
		if len(p) == 0 {
			return 0, nil
		}
		switch {
		case e.left > 0:
			k := min(int64(e.p.chunkSize), e.left)
			if int64(len(p)) >= int64(e.p.chunkHeaderLen(k))+k+2 {
				n, err := e.chunk(p)
				if err != nil {
					e.err = err
					return 0, err
				}
				return n, nil
			}
			if e.buf == nil {
				e.buf = make([]byte, e.p.chunkHeaderLen(int64(e.p.chunkSize))+e.p.chunkSize+2)
			}
			n, err := e.chunk(e.buf)
			if err != nil {
				e.err = err
				return 0, err
			}
			e.out = e.buf[:n]
		case !e.end:
			if err := e.finish(); err != nil {
				e.err = err
				return 0, err
			}
			e.out = e.tail
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, e.out)
	e.out = e.out[n:]
	return n, nil
}

// WriteTo writes the rest of the encoding to w, a chunk per Write.
func (e *chunkEncoder) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if len(e.out) > 0 {
			n, err := w.Write(e.out)
			total += int64(n)
			e.out = e.out[n:]
			if err != nil {
				return total, err
			}
			if len(e.out) > 0 {
				return total, io.ErrShortWrite
			}
		}
		switch {
		case e.err != nil:
			return total, e.err
		case e.left > 0:
			if e.buf == nil {
				e.buf = make([]byte, e.p.chunkHeaderLen(int64(e.p.chunkSize))+e.p.chunkSize+2)
			}
			n, err := e.chunk(e.buf)
			if err != nil {
				e.err = err
				return total, err
			}
			e.out = e.buf[:n]
		case !e.end:
			if err := e.finish(); err != nil {
				e.err = err
				return total, err
			}
			e.out = e.tail
		default:
			return total, nil
		}
	}
}

// Close closes the body.
func (e *chunkEncoder) Close() error { return e.src.Close() }

// chunk encodes the next chunk into dst, which holds it, and returns its
// length: the size line is written in front of the bytes once they are
// read and signed.
func (e *chunkEncoder) chunk(dst []byte) (int, error) {
	k := min(int64(e.p.chunkSize), e.left)
	h := e.p.chunkHeaderLen(k)
	data := dst[h : h+int(k)]
	if n, err := io.ReadFull(e.src, data); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, fmt.Errorf("sigv4: streaming body: ContentLength=%d with body length %d", e.p.length, e.p.length-e.left+int64(n))
		}
		return 0, fmt.Errorf("sigv4: streaming body: %w", err)
	}
	e.left -= k
	if e.sum != nil {
		e.sum.Write(data)
	}
	b := e.appendSignature(strconv.AppendInt(dst[:0], k, 16), data)
	// The size line fills dst[:h] in place: b shares dst's array.
	_ = append(b, '\r', '\n')
	dst[h+int(k)], dst[h+int(k)+1] = '\r', '\n'
	return h + int(k) + 2, nil
}

// appendSignature appends to a chunk's size line the chunk's signature
// extension (";chunk-signature=..."), when the mode signs chunks, after
// signing data in the chain.
func (e *chunkEncoder) appendSignature(line, data []byte) []byte {
	if !e.p.mode.signed() {
		return line
	}
	e.cs.hashData(data)
	e.cs.sign()
	e.cs.chain()
	line = append(line, ";chunk-signature="...)
	return append(line, e.cs.prev()...)
}

// finish checks that the body has ended and makes the final chunk and the
// trailer.
func (e *chunkEncoder) finish() error {
	e.end = true
	n, err := io.ReadAtLeast(e.src, e.one[:], 1)
	if n > 0 {
		return fmt.Errorf("sigv4: streaming body: ContentLength=%d with a longer body", e.p.length)
	}
	if err != io.EOF {
		return fmt.Errorf("sigv4: streaming body: %w", err)
	}
	t := e.tail[:0]
	t = e.appendSignature(append(t, '0'), nil)
	t = append(t, '\r', '\n')
	lineAt := len(t)
	if c := e.p.checksum; c != nil {
		t = append(t, c.header...)
		t = append(t, ':')
		e.sum.Sum(e.dig[:0])
		t = base64.StdEncoding.AppendEncode(t, e.dig[:c.size])
		t = append(t, '\r', '\n')
	}
	if e.p.mode == StreamSignedTrailer {
		// The trailer lines are hashed as "name:value\n".
		h := e.cs.data
		h.Reset()
		if e.p.checksum != nil {
			h.Write(t[lineAt : len(t)-2])
			h.Write([]byte{'\n'})
		}
		h.Sum(e.dig[:0])
		sts := e.cs.trailerStringToSign(nil, &e.dig)
		e.cs.signTrailer(sts)
		e.cs.chain()
		t = append(t, "x-amz-trailer-signature:"...)
		t = append(t, e.cs.prev()...)
		t = append(t, '\r', '\n')
	}
	e.tail = append(t, '\r', '\n')
	return nil
}
