package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// bodyMode returns the aws-chunked framing of a verified request's body
// (0 for none), refusing the framings Verify does not decode.
func (v *Verifier) bodyMode(r *http.Request, vd *Verified, key *signingKey) (StreamMode, error) {
	mode := streamModeOf(vd.PayloadHash)
	if vd.Presigned {
		// A presigned URL signs UNSIGNED-PAYLOAD; its signed
		// X-Amz-Content-Sha256 header may still announce an aws-chunked
		// body, whose chunks then have no seed to chain from.
		if h := r.Header["X-Amz-Content-Sha256"]; len(h) == 1 && strings.HasPrefix(h[0], "STREAMING-") {
			if h[0] != StreamingUnsignedPayloadTrailer {
				return 0, notImplemented("signed aws-chunked payloads with a presigned URL")
			}
			mode = StreamUnsignedTrailer
		}
	} else if mode == 0 && strings.HasPrefix(vd.PayloadHash, "STREAMING-") {
		return 0, notImplemented(vd.PayloadHash + " payloads")
	}
	if mode != 0 && !v.streaming {
		return 0, notImplemented("aws-chunked payloads")
	}
	if mode.signed() && key == nil { // a seed signed with another algorithm
		return 0, notImplemented(mode.String() + " payloads under this signature algorithm")
	}
	return mode, nil
}

// namesBodyHeader reports whether a SignedHeaders list contains
// "x-amz-checksum-" or "x-amz-trailer" or, for a presigned request,
// "x-amz-content-sha256": the three strings.Contains in one pass over the
// list (they were 8% of verifying an S3 GET).
func namesBodyHeader(signed string, presigned bool) bool {
	for {
		i := strings.Index(signed, "x-amz-")
		if i < 0 {
			return false
		}
		signed = signed[i+len("x-amz-"):]
		if strings.HasPrefix(signed, "checksum-") || strings.HasPrefix(signed, "trailer") ||
			presigned && strings.HasPrefix(signed, "content-sha256") {
			return true
		}
	}
}

// checkBody is the last step of [Verifier.Verify], for what the signature
// leaves to the body: it replaces r.Body with a decoder that verifies an
// aws-chunked body (every mode, see [StreamMode]), or with a reader that
// checks an x-amz-checksum-* header against a plain body, as the handler
// reads it (but for CompleteMultipartUpload, whose checksum header is the
// object's). It refuses at once what the headers alone show to be wrong.
func (v *Verifier) checkBody(r *http.Request, vd *Verified, key *signingKey, amzDate, scope string) error {
	if !strings.HasPrefix(vd.PayloadHash, "STREAMING-") && !namesBodyHeader(vd.SignedHeaders, vd.Presigned) {
		// Nothing to check: every x-amz-* header of a verified request is
		// signed (Verify refuses the others), so this one has no
		// x-amz-checksum-* or x-amz-trailer header, and no aws-chunked
		// framing in its payload hash or (presigned) X-Amz-Content-Sha256.
		return nil
	}
	mode, err := v.bodyMode(r, vd, key)
	if err != nil {
		return err
	}

	var digest [sha256.Size]byte
	spec, value, err := checksumHeader(r.Header, &digest)
	if err != nil {
		return err
	}
	if spec != nil && mode == 0 && completesUpload(r) {
		// CompleteMultipartUpload's checksum is the object's, not the
		// XML body's: the handler checks it.
		spec = nil
	}
	trailer, err := trailerHeader(r.Header)
	if err != nil {
		return err
	}
	switch {
	case trailer != nil && !mode.trailer():
		return authErr(http.StatusBadRequest, CodeInvalidRequest, "The x-amz-trailer header needs the x-amz-content-sha256 "+StreamingPayloadTrailer+" or "+StreamingUnsignedPayloadTrailer+".")
	case trailer != nil && spec != nil:
		return authErr(http.StatusBadRequest, CodeInvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	case spec != nil:
		vd.Checksum = &Checksum{Algorithm: spec.alg, Value: value}
	case trailer != nil:
		vd.Checksum = &Checksum{Algorithm: trailer.alg, Trailer: true}
		spec = trailer
	}

	if mode == 0 {
		if spec != nil {
			return wrapChecksum(r, spec, &digest, vd.Checksum)
		}
		return nil
	}

	length, ok := decodedLength(r.Header)
	if !ok {
		return authErr(http.StatusLengthRequired, CodeMissingContentLength, "You must provide the Content-Length HTTP header.")
	}
	if r.ContentLength >= 0 && length > r.ContentLength {
		return authErr(http.StatusBadRequest, CodeIncompleteBody, "The x-amz-decoded-content-length is larger than the Content-Length of the aws-chunked body.")
	}
	d := newChunkDecoder(r.Body, mode, length, spec, &digest, vd)
	if mode.signed() {
		d.cs.init(key, amzDate, scope, []byte(vd.Signature))
	}
	r.Body, r.GetBody = d, nil
	r.ContentLength = length
	if _, ok := r.Header["Content-Length"]; ok {
		r.Header["Content-Length"] = []string{strconv.FormatInt(length, 10)}
	}
	if vv, ok := r.Header["Content-Encoding"]; ok {
		if ce := withoutAWSChunked(vv); ce == "" {
			delete(r.Header, "Content-Encoding")
		} else {
			r.Header["Content-Encoding"] = []string{ce}
		}
	}
	vd.Stream, vd.DecodedContentLength = mode, length
	return nil
}

// completesUpload reports whether r is an S3 CompleteMultipartUpload: a
// POST with an uploadId query parameter.
func completesUpload(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	for q := r.URL.RawQuery; q != ""; {
		var piece string
		piece, q, _ = strings.Cut(q, "&")
		if k, _, _ := strings.Cut(piece, "="); k == "uploadId" {
			return true
		}
	}
	return false
}

func notImplemented(what string) *AuthError {
	return authErr(http.StatusNotImplemented, CodeNotImplemented, "A header you provided implies functionality that is not implemented: "+what+".")
}

// trailerHeader returns the checksum that X-Amz-Trailer announces, nil
// without the header. Only one checksum may be announced.
func trailerHeader(h http.Header) (*checksumSpec, error) {
	vv, ok := h["X-Amz-Trailer"]
	if !ok {
		return nil, nil
	}
	if len(vv) == 1 {
		if s := checksumByName(strings.TrimSpace(vv[0])); s != nil {
			return s, nil
		}
	}
	return nil, authErr(http.StatusBadRequest, CodeInvalidRequest, "The value specified in the x-amz-trailer header is not supported: it must name one x-amz-checksum-* header.")
}

// decodedLength parses X-Amz-Decoded-Content-Length: one decimal number.
func decodedLength(h http.Header) (int64, bool) {
	vv := h["X-Amz-Decoded-Content-Length"]
	if len(vv) != 1 || len(vv[0]) == 0 || len(vv[0]) > 18 || !allDigits(vv[0]) {
		return 0, false
	}
	n, err := strconv.ParseInt(vv[0], 10, 64)
	return n, err == nil
}

// withoutAWSChunked returns a Content-Encoding without aws-chunked.
func withoutAWSChunked(vv []string) string {
	var rest []string
	for _, v := range vv {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "aws-chunked") {
				rest = append(rest, c)
			}
		}
	}
	return strings.Join(rest, ",")
}

// lineBufSize is the decoder's read buffer: chunk-size and trailer lines
// are parsed in it, and the bytes read past a line are the next chunk's.
const lineBufSize = 4 << 10

// chunkDecoder decodes and verifies an aws-chunked body as the handler
// reads it. Every failure is an *AuthError, returned from then on.
//
// In the signed modes a chunk's bytes are released only once its signature
// checks out: a chunk is read whole, into the caller's buffer when it
// holds the chunk and otherwise into the decoder's, which grows with the
// bytes that arrive up to MaxChunkSize. Unsigned chunks stream through.
// In every mode the read that brings the last bytes of the body first
// reads and checks the rest of the encoding (the final chunk, the trailer,
// the checksum, the end of the body) and fails without those bytes when
// anything is wrong: a handler that keeps the body only after reading it
// to the end without error never keeps a wrong one.
type chunkDecoder struct {
	rc        io.ReadCloser
	mode      StreamMode
	cs        chunkSigner
	lb        []byte // read buffer: lb[r:w] is read from rc, not yet parsed
	r, w      int
	length    int64 // X-Amz-Decoded-Content-Length
	total     int64 // decoded bytes read
	left      int64 // unsigned: bytes of the current chunk still to read
	crlf      bool  // unsigned: the current chunk's CRLF is still to read
	last      int64 // signed: the previous data chunk's size, -1 before the first
	chunks    int   // data chunks read
	buf       []byte
	pending   []byte // verified bytes not yet handed out
	ck        *checksumSpec
	sum       hash.Hash
	want      [sha256.Size]byte
	vd        *Verified
	accessKey string
	done      bool
	err       error
	provided  [sha256.Size]byte
	sigOK     bool
	dig       [sha256.Size]byte
}

// newChunkDecoder returns a decoder of rc; a signed mode needs d.cs.init.
// spec is the checksum to check, with its digest when it comes in a
// header; vd.Checksum describes it.
func newChunkDecoder(rc io.ReadCloser, mode StreamMode, length int64, spec *checksumSpec, digest *[sha256.Size]byte, vd *Verified) *chunkDecoder {
	d := &chunkDecoder{rc: rc, mode: mode, length: length, last: -1, ck: spec, vd: vd, accessKey: vd.AccessKeyID, lb: make([]byte, lineBufSize)}
	if d.rc == nil {
		d.rc = http.NoBody
	}
	if spec != nil {
		d.sum = spec.new()
		d.want = *digest
	}
	return d
}

// Read reads the decoded body.
func (d *chunkDecoder) Read(p []byte) (int, error) {
	if len(d.pending) > 0 {
		n := copy(p, d.pending)
		d.pending = d.pending[n:]
		return n, nil
	}
	if d.err != nil {
		return 0, d.err
	}
	if d.done {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var err error
	if d.mode.signed() {
		var data []byte
		if data, err = d.signedChunk(p); err == nil {
			if len(data) > 0 && &data[0] == &p[0] {
				return len(data), nil
			}
			n = copy(p, data)
			d.pending = data[n:]
		}
	} else {
		n, err = d.unsignedRead(p)
	}
	if err == io.EOF {
		return 0, io.EOF
	}
	if err != nil {
		d.err, d.pending = err, nil
		return 0, err
	}
	return n, nil
}

// WriteTo writes the decoded body to w, each signed chunk once verified.
func (d *chunkDecoder) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if len(d.pending) > 0 {
			n, err := w.Write(d.pending)
			total += int64(n)
			d.pending = d.pending[n:]
			if err != nil {
				return total, err
			}
			if len(d.pending) > 0 {
				return total, io.ErrShortWrite
			}
		}
		if d.err != nil {
			return total, d.err
		}
		if d.done {
			return total, nil
		}
		if d.mode.signed() {
			data, err := d.signedChunk(nil)
			if err == io.EOF {
				return total, nil
			}
			if err != nil {
				d.err = err
				return total, err
			}
			d.pending = data
			continue
		}
		if d.buf == nil {
			d.buf = make([]byte, 32<<10)
		}
		n, err := d.unsignedRead(d.buf)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			d.err = err
			return total, err
		}
		d.pending = d.buf[:n]
	}
}

// Close closes the body.
func (d *chunkDecoder) Close() error { return d.rc.Close() }

// signedChunk reads the next signed chunk, into p when it holds it, and
// returns its bytes once verified; io.EOF after the final chunk.
func (d *chunkDecoder) signedChunk(p []byte) ([]byte, error) {
	k, err := d.chunkLine()
	if err != nil {
		return nil, err
	}
	if k == 0 {
		if err := d.final(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	switch {
	case k > MaxChunkSize:
		return nil, authErr(http.StatusBadRequest, CodeInvalidChunkSizeError, "The chunk size "+strconv.FormatInt(k, 10)+" is larger than the largest accepted, "+strconv.Itoa(MaxChunkSize)+".")
	case k > d.length-d.total:
		return nil, tooLong()
	case d.last >= 0 && d.last < MinChunkSize:
		return nil, authErr(http.StatusBadRequest, CodeInvalidChunkSizeError, "Only the last chunk is allowed to have a size less than "+strconv.Itoa(MinChunkSize)+" bytes: chunk "+strconv.Itoa(d.chunks)+" has "+strconv.FormatInt(d.last, 10)+".")
	}
	var data []byte
	if int64(len(p)) >= k {
		data = p[:k]
		err = d.readFull(data)
	} else {
		data, err = d.readChunk(int(k))
	}
	if err != nil {
		return nil, err
	}
	if err := d.expectCRLF(); err != nil {
		return nil, err
	}
	d.cs.hashData(data)
	if err := d.checkChunk(); err != nil {
		return nil, err
	}
	if d.sum != nil {
		d.sum.Write(data)
	}
	d.total += k
	d.last = k
	d.chunks++
	if d.total == d.length {
		// The last bytes: the rest of the encoding is checked before they
		// are released.
		if k, err := d.chunkLine(); err != nil {
			return nil, err
		} else if k != 0 {
			return nil, tooLong()
		}
		if err := d.final(); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// checkChunk signs the chunk whose hash is in the string to sign and
// compares the signature with the one the size line carried.
func (d *chunkDecoder) checkChunk() error {
	d.cs.sign()
	if !hmac.Equal(d.cs.sig[:], d.provided[:]) || !d.sigOK {
		return d.mismatch("chunk", d.cs.sts)
	}
	d.cs.chain()
	return nil
}

func (d *chunkDecoder) mismatch(what string, sts []byte) *AuthError {
	var provided [2 * sha256.Size]byte
	n := hexEncode(provided[:], d.provided[:])
	return &AuthError{
		Code:              CodeSignatureDoesNotMatch,
		StatusCode:        http.StatusForbidden,
		Message:           "The " + what + " signature we calculated does not match the signature you provided.",
		AccessKeyID:       d.accessKey,
		StringToSign:      string(sts),
		SignatureProvided: string(provided[:n]),
	}
}

func hexEncode(dst, src []byte) int {
	const digits = "0123456789abcdef"
	for i, c := range src {
		dst[2*i], dst[2*i+1] = digits[c>>4], digits[c&15]
	}
	return 2 * len(src)
}

// unsignedRead reads the next bytes of an unsigned chunk into p; io.EOF
// after the final chunk.
func (d *chunkDecoder) unsignedRead(p []byte) (int, error) {
	for d.left == 0 {
		if d.crlf {
			if err := d.expectCRLF(); err != nil {
				return 0, err
			}
			d.crlf = false
		}
		k, err := d.chunkLine()
		if err != nil {
			return 0, err
		}
		if k == 0 {
			if err := d.final(); err != nil {
				return 0, err
			}
			return 0, io.EOF
		}
		if k > d.length-d.total {
			return 0, tooLong()
		}
		d.left, d.crlf = k, true
		d.chunks++
	}
	n, err := d.readSome(p[:min(int64(len(p)), d.left)])
	if err != nil {
		return 0, err
	}
	if d.sum != nil {
		d.sum.Write(p[:n])
	}
	d.total += int64(n)
	d.left -= int64(n)
	if d.total == d.length && d.left == 0 {
		// The last bytes, released once the rest is checked.
		if err := d.expectCRLF(); err != nil {
			return 0, err
		}
		d.crlf = false
		if k, err := d.chunkLine(); err != nil {
			return 0, err
		} else if k != 0 {
			return 0, tooLong()
		}
		if err := d.final(); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// chunkLine reads a chunk-size line and returns the size; in the signed
// modes it keeps the signature in d.provided.
func (d *chunkDecoder) chunkLine() (int64, error) {
	line, err := d.line()
	if err != nil {
		return 0, err
	}
	k, rest, ok := parseChunkSize(line)
	if !ok {
		return 0, malformed("A chunk-size line is not 1 to 15 hex digits without a leading zero.")
	}
	if d.mode.signed() {
		const ext = ";chunk-signature="
		if len(rest) != len(ext)+2*sha256.Size+2 || string(rest[:len(ext)]) != ext || rest[len(rest)-2] != '\r' {
			return 0, malformed("A chunk-size line is not <hex size>;chunk-signature=<64 hex digits>CRLF.")
		}
		d.sigOK = decodeSignature(&d.provided, rest[len(ext):len(rest)-2])
	} else if len(rest) != 2 || rest[0] != '\r' {
		return 0, malformed("A chunk-size line is not <hex size>CRLF.")
	}
	return k, nil
}

// final checks what follows the final chunk's size line: the final
// chunk's signature, the trailer, the end of the body, the checksum.
func (d *chunkDecoder) final() error {
	if d.total != d.length {
		return authErr(http.StatusBadRequest, CodeIncompleteBody, "The aws-chunked body has "+strconv.FormatInt(d.total, 10)+" bytes once decoded; its x-amz-decoded-content-length is "+strconv.FormatInt(d.length, 10)+".")
	}
	if d.mode.signed() {
		d.cs.hashData(nil)
		if err := d.checkChunk(); err != nil {
			return err
		}
	}
	if d.mode.trailer() {
		if err := d.trailer(); err != nil {
			return err
		}
	} else if line, err := d.line(); err != nil {
		return err
	} else if len(line) != 2 || line[0] != '\r' {
		return malformed("The final chunk is not followed by CRLF.")
	}
	if err := d.end(); err != nil {
		return err
	}
	if d.sum != nil {
		d.sum.Sum(d.dig[:0])
		if subtle.ConstantTimeCompare(d.dig[:d.ck.size], d.want[:d.ck.size]) != 1 {
			return badDigest(d.ck)
		}
		d.vd.Checksum.Verified = true
	}
	d.done = true
	return nil
}

// trailer reads the trailing headers: the checksum X-Amz-Trailer
// announced, if any, and in the signed mode the trailer's signature, then
// an empty line.
func (d *chunkDecoder) trailer() error {
	signed := d.mode == StreamSignedTrailer
	th := d.cs.data
	if signed {
		th.Reset()
	}
	seen := false
	for {
		line, err := d.line()
		if err != nil {
			return err
		}
		if len(line) == 2 && line[0] == '\r' {
			if signed {
				return malformed("The trailer has no x-amz-trailer-signature.")
			}
			break
		}
		const sigName = "x-amz-trailer-signature:"
		if signed && bytes.HasPrefix(line, []byte(sigName)) {
			sig := line[len(sigName):]
			if len(sig) != 2*sha256.Size+2 || sig[2*sha256.Size] != '\r' {
				return malformed("The x-amz-trailer-signature line is not 64 hex digits and CRLF.")
			}
			d.sigOK = decodeSignature(&d.provided, sig[:2*sha256.Size])
			th.Sum(d.dig[:0])
			sts := d.cs.trailerStringToSign(nil, &d.dig)
			d.cs.signTrailer(sts)
			if !hmac.Equal(d.cs.sig[:], d.provided[:]) || !d.sigOK {
				return d.mismatch("trailer", sts)
			}
			d.cs.chain()
			if line, err := d.line(); err != nil {
				return err
			} else if len(line) != 2 || line[0] != '\r' {
				return malformed("The trailer signature is not followed by an empty line.")
			}
			break
		}
		// A header line, name:value, ending in CRLF, or in LF CR LF as
		// minio-go writes it (hashed alike, "name:value\n").
		hl := line[:len(line)-1]
		if len(hl) > 0 && hl[len(hl)-1] == '\r' {
			hl = hl[:len(hl)-1]
		} else if err := d.expectCRLF(); err != nil {
			return err
		}
		name, value, ok := bytes.Cut(hl, []byte{':'})
		if !ok || d.ck == nil || !d.vd.Checksum.Trailer || seen || string(name) != d.ck.header {
			return authErr(http.StatusBadRequest, CodeMalformedTrailerError, "The request contained trailing data that was not well-formed or did not conform to our published schema.")
		}
		if !decodeChecksum(&d.want, d.ck, value) {
			return authErr(http.StatusBadRequest, CodeInvalidRequest, "Value for "+d.ck.header+" trailing header is invalid.")
		}
		seen = true
		d.vd.Checksum.Value = string(value)
		if signed {
			th.Write(hl)
			th.Write(newline)
		}
	}
	if d.ck != nil && d.vd.Checksum.Trailer && !seen {
		return authErr(http.StatusBadRequest, CodeMalformedTrailerError, "The request contained trailing data that was not well-formed or did not conform to our published schema: no "+d.ck.header+".")
	}
	return nil
}

var newline = []byte{'\n'}

// end checks that nothing follows the encoding.
func (d *chunkDecoder) end() error {
	if d.r < d.w {
		return extraBytes()
	}
	for range 100 {
		n, err := d.rc.Read(d.lb)
		if n > 0 {
			return extraBytes()
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return d.bodyErr(err)
		}
	}
	return d.bodyErr(io.ErrNoProgress)
}

// line returns the next line, LF included, from the read buffer.
func (d *chunkDecoder) line() ([]byte, error) {
	for {
		if i := bytes.IndexByte(d.lb[d.r:d.w], '\n'); i >= 0 {
			if i >= maxChunkLine {
				break
			}
			l := d.lb[d.r : d.r+i+1]
			d.r += i + 1
			return l, nil
		}
		if d.w-d.r >= maxChunkLine {
			break
		}
		if err := d.more(); err != nil {
			return nil, err
		}
	}
	return nil, malformed("A chunk-size or trailer line is longer than " + strconv.Itoa(maxChunkLine) + " bytes.")
}

// more reads more of the body into the read buffer.
func (d *chunkDecoder) more() error {
	if d.r > 0 {
		d.w = copy(d.lb, d.lb[d.r:d.w])
		d.r = 0
	}
	for range 100 {
		n, err := d.rc.Read(d.lb[d.w:])
		d.w += n
		if n > 0 {
			return nil
		}
		if err != nil {
			return d.bodyErr(err)
		}
	}
	return d.bodyErr(io.ErrNoProgress)
}

// readSome reads at least one byte into dst.
func (d *chunkDecoder) readSome(dst []byte) (int, error) {
	if d.r < d.w {
		n := copy(dst, d.lb[d.r:d.w])
		d.r += n
		return n, nil
	}
	for range 100 {
		n, err := d.rc.Read(dst)
		if n > 0 {
			return n, nil
		}
		if err != nil {
			return 0, d.bodyErr(err)
		}
	}
	return 0, d.bodyErr(io.ErrNoProgress)
}

func (d *chunkDecoder) readFull(dst []byte) error {
	for len(dst) > 0 {
		n, err := d.readSome(dst)
		if err != nil {
			return err
		}
		dst = dst[n:]
	}
	return nil
}

// readChunk reads k bytes into the decoder's buffer, which grows with the
// bytes that arrive.
func (d *chunkDecoder) readChunk(k int) ([]byte, error) {
	if cap(d.buf) == 0 {
		d.buf = make([]byte, min(k, 64<<10))
	}
	buf := d.buf[:cap(d.buf)]
	for got := 0; got < k; {
		if got == len(buf) {
			nb := make([]byte, min(k, 2*len(buf)))
			copy(nb, buf[:got])
			buf, d.buf = nb, nb
		}
		n, err := d.readSome(buf[got:min(k, len(buf))])
		if err != nil {
			return nil, err
		}
		got += n
	}
	return buf[:k], nil
}

func (d *chunkDecoder) expectCRLF() error {
	for d.w-d.r < 2 {
		if err := d.more(); err != nil {
			return err
		}
	}
	if d.lb[d.r] != '\r' || d.lb[d.r+1] != '\n' {
		return malformed("A chunk's data is not followed by CRLF.")
	}
	d.r += 2
	return nil
}

// bodyErr reports a failure to read the body: the end of the body before
// the end of the encoding, or the body's own error.
func (d *chunkDecoder) bodyErr(err error) *AuthError {
	if err == io.EOF {
		return authErr(http.StatusBadRequest, CodeIncompleteBody, "The aws-chunked body ended before its final chunk.")
	}
	return &AuthError{Code: CodeIncompleteBody, StatusCode: http.StatusBadRequest, Message: "The request body could not be read.", Err: err}
}

func malformed(msg string) *AuthError {
	return authErr(http.StatusBadRequest, CodeIncompleteBody, "The aws-chunked encoding is malformed: "+msg)
}

func tooLong() *AuthError {
	return authErr(http.StatusBadRequest, CodeIncompleteBody, "The aws-chunked body is longer than its x-amz-decoded-content-length.")
}

func extraBytes() *AuthError {
	return authErr(http.StatusBadRequest, CodeIncompleteBody, "The request body continues after the end of its aws-chunked encoding.")
}

// wrapChecksum checks a plain body against its x-amz-checksum-* header as
// it streams; an empty body (no body, or a Content-Length of 0) is checked
// at once.
func wrapChecksum(r *http.Request, spec *checksumSpec, digest *[sha256.Size]byte, ck *Checksum) error {
	b := &digestBody{rc: r.Body, h: spec.new(), want: *digest, size: spec.size, spec: spec, ck: ck, expect: r.ContentLength}
	if b.rc == nil || b.rc == http.NoBody || r.ContentLength == 0 {
		if err := b.check(); err != nil {
			return err
		}
	}
	if b.rc != nil && b.rc != http.NoBody {
		r.Body, r.GetBody = b, nil
	}
	return nil
}
