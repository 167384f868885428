package sigv4

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"net/http"
	"strconv"
	"sync"

	"github.com/sigv4kit/sigv4kit/internal/awsenc"
)

// This file holds what the aws-chunked encoder (chunkenc.go) and decoder
// (chunkdec.go) share: the modes, the limits, the chained chunk signature
// and the checksums.
//
// An aws-chunked body is a sequence of chunks, each a size line and the
// chunk's bytes, ended by a chunk of size zero and, in the trailer modes,
// trailing header lines [sigv4-streaming] [sigv4-streaming-trailers]:
//
//	signed       10000;chunk-signature=<64 hex>\r\n<65536 bytes>\r\n
//	             0;chunk-signature=<64 hex>\r\n
//	             \r\n
//
//	signed       ... data chunks as above ...
//	trailer      0;chunk-signature=<64 hex>\r\n
//	             x-amz-checksum-crc32:<base64>\r\n
//	             x-amz-trailer-signature:<64 hex>\r\n
//	             \r\n
//
//	unsigned     10000\r\n<65536 bytes>\r\n
//	trailer      0\r\n
//	             x-amz-checksum-crc32:<base64>\r\n
//	             \r\n
//
// A chunk's signature is the HMAC-SHA256, with the request's signing key, of
//
//	AWS4-HMAC-SHA256-PAYLOAD
//	<X-Amz-Date>
//	<credential scope>
//	<previous signature: the seed (the Authorization header's) for the first chunk>
//	e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
//	<hex SHA-256 of the chunk's bytes>
//
// and the trailer's signature that of
//
//	AWS4-HMAC-SHA256-TRAILER
//	<X-Amz-Date>
//	<credential scope>
//	<signature of the final, empty chunk>
//	<hex SHA-256 of the trailer lines, each "name:value\n">
//
// [sigv4-streaming]: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
// [sigv4-streaming-trailers]: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html

// StreamMode is the framing of an aws-chunked body, named by the payload
// line of the seed request (its X-Amz-Content-Sha256). The zero value is
// no aws-chunked body ([Verified.Stream]) or the default ([StreamOptions]).
type StreamMode uint8

// The aws-chunked modes.
const (
	// StreamSigned signs every chunk, chained from the seed signature
	// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD).
	StreamSigned StreamMode = 1 + iota
	// StreamSignedTrailer is StreamSigned with a signed trailer that may
	// carry a checksum (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER).
	StreamSignedTrailer
	// StreamUnsignedTrailer sends unsigned chunks and a checksum trailer
	// (STREAMING-UNSIGNED-PAYLOAD-TRAILER): what the AWS CLI and SDKs send
	// over HTTPS by default since 2025. Only the seed request is signed;
	// the checksum protects the bytes.
	StreamUnsignedTrailer
)

// String returns the mode's payload line, such as
// "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", or "" for the zero value.
func (m StreamMode) String() string {
	switch m {
	case 0:
		return ""
	case StreamSigned:
		return StreamingPayload
	case StreamSignedTrailer:
		return StreamingPayloadTrailer
	case StreamUnsignedTrailer:
		return StreamingUnsignedPayloadTrailer
	}
	return "StreamMode(" + strconv.Itoa(int(m)) + ")"
}

// signed reports whether the mode signs its chunks.
func (m StreamMode) signed() bool { return m == StreamSigned || m == StreamSignedTrailer }

// trailer reports whether the mode ends with trailing headers.
func (m StreamMode) trailer() bool { return m == StreamSignedTrailer || m == StreamUnsignedTrailer }

// streamModeOf returns the mode a payload line names, 0 for others.
func streamModeOf(payload string) StreamMode {
	switch payload {
	case StreamingPayload:
		return StreamSigned
	case StreamingPayloadTrailer:
		return StreamSignedTrailer
	case StreamingUnsignedPayloadTrailer:
		return StreamUnsignedTrailer
	}
	return 0
}

// Chunk sizes.
//
// AWS clients sign chunks of 64 KiB (minio-go, the v1 SDKs) to 128 KiB
// (aws-sdk-java-v2, .NET), and send unsigned chunks of up to 1 MiB
// (botocore) or whatever their stream yields (@aws-sdk/client-s3).
// S3 refuses a signed chunk smaller than MinChunkSize unless it is the
// last one.
const (
	// DefaultChunkSize is the chunk size of [Signer.SignStreaming] when
	// [StreamOptions.ChunkSize] is zero.
	DefaultChunkSize = 64 << 10
	// MinChunkSize is the smallest chunk but the last of a signed
	// aws-chunked body: S3's rule, which the Verifier applies too
	// (InvalidChunkSizeError).
	MinChunkSize = 8 << 10
	// MaxChunkSize is the largest signed chunk the Verifier accepts and
	// the largest chunk size of [Signer.SignStreaming]. A signed chunk is
	// held in memory until its signature is checked, so this bounds the
	// memory of one request (the buffer grows with the bytes that arrive,
	// not with the size announced). It is twice the largest chunk a known
	// client signs. Unsigned chunks are never held: they stream through at
	// any size up to the decoded length.
	MaxChunkSize = 16 << 20
)

// maxChunkLine bounds a chunk-size line, a trailer line and the trailer
// signature line, CRLF included; the longest legitimate one is the size
// line of a signed chunk of MaxChunkSize, 90 bytes.
const maxChunkLine = 256

// emptySHA256Hex is the fifth line of every chunk's string to sign.
const emptySHA256Hex = EmptyPayloadHash

// chunkSigner computes the chained signatures of an aws-chunked body. Its
// string to sign is built once per body; per chunk only the previous
// signature and the chunk's hash are written into it, and the HMAC's inner
// state after the first block (the algorithm, date and scope) is reused.
type chunkSigner struct {
	key            *signingKey
	h              hmacer
	mid            midstate
	data           hash.Hash // SHA-256 of the current chunk's bytes
	sts            []byte    // the chunk string to sign
	prevAt         int       // where the previous signature is in sts
	amzDate, scope string
	sum            [sha256.Size]byte
	sig            [sha256.Size]byte
}

func (c *chunkSigner) init(key *signingKey, amzDate, scope string, seed []byte) {
	c.key, c.amzDate, c.scope = key, amzDate, scope
	if c.data == nil {
		c.data = sha256.New()
	}
	c.h.init()
	if c.mid.state == nil {
		c.mid.state = make([]byte, 0, 128) // a marshaled SHA-256 state: 108 bytes
	}
	if n := len("AWS4-HMAC-SHA256-PAYLOAD\n") + len(amzDate) + len(scope) + 2 + 3*(2*sha256.Size+1); cap(c.sts) < n {
		c.sts = make([]byte, 0, n)
	}
	b := append(c.sts[:0], "AWS4-HMAC-SHA256-PAYLOAD\n"...)
	b = append(b, amzDate...)
	b = append(b, '\n')
	b = append(b, scope...)
	b = append(b, '\n')
	c.prevAt = len(b)
	b = append(b, seed...)
	b = append(b, '\n')
	b = append(b, emptySHA256Hex...)
	b = append(b, '\n')
	b = append(b, emptySHA256Hex...) // the chunk's hash goes here
	c.sts = b
}

// prev returns the previous signature, hex: after sign, this chunk's.
func (c *chunkSigner) prev() []byte { return c.sts[c.prevAt : c.prevAt+2*sha256.Size] }

// hashData sets the chunk's hash in the string to sign to that of data.
func (c *chunkSigner) hashData(data []byte) {
	if len(data) == 0 {
		copy(c.sts[len(c.sts)-2*sha256.Size:], emptySHA256Hex)
		return
	}
	c.data.Reset()
	c.data.Write(data)
	c.data.Sum(c.sum[:0])
	awsenc.EncodeHex32((*[2 * sha256.Size]byte)(c.sts[len(c.sts)-2*sha256.Size:]), &c.sum)
}

// sign computes the signature of the chunk whose hash was set into c.sig.
func (c *chunkSigner) sign() { c.h.signFrom(c.key, &c.mid, &c.sig, c.sts) }

// chain makes c.sig the previous signature of the next chunk.
func (c *chunkSigner) chain() {
	awsenc.EncodeHex32((*[2 * sha256.Size]byte)(c.prev()), &c.sig)
}

// trailerStringToSign returns the trailer's string to sign for the
// trailer lines' hash, after the final chunk (whose signature is prev).
func (c *chunkSigner) trailerStringToSign(dst []byte, trailerHash *[sha256.Size]byte) []byte {
	dst = append(dst, "AWS4-HMAC-SHA256-TRAILER\n"...)
	dst = append(dst, c.amzDate...)
	dst = append(dst, '\n')
	dst = append(dst, c.scope...)
	dst = append(dst, '\n')
	dst = append(dst, c.prev()...)
	dst = append(dst, '\n')
	var h [2 * sha256.Size]byte
	awsenc.EncodeHex32(&h, trailerHash)
	return append(dst, h[:]...)
}

// signTrailer computes the trailer's signature into c.sig.
func (c *chunkSigner) signTrailer(sts []byte) { c.h.sign(c.key, &c.sig, sts) }

// ChecksumAlgorithm names an S3 additional checksum, as the
// x-amz-sdk-checksum-algorithm header and S3's ChecksumAlgorithm do. Its
// value travels in the header x-amz-checksum-<algorithm, lower case> as the
// base64 of the big-endian digest.
type ChecksumAlgorithm string

// The checksums that S3 computes and the Verifier checks.
const (
	// ChecksumCRC32 is CRC-32 (IEEE), x-amz-checksum-crc32.
	ChecksumCRC32 ChecksumAlgorithm = "CRC32"
	// ChecksumCRC32C is CRC-32C (Castagnoli), x-amz-checksum-crc32c.
	ChecksumCRC32C ChecksumAlgorithm = "CRC32C"
	// ChecksumCRC64NVME is CRC-64/NVME, x-amz-checksum-crc64nvme: S3's
	// default since 2025.
	ChecksumCRC64NVME ChecksumAlgorithm = "CRC64NVME"
	// ChecksumSHA1 is SHA-1, x-amz-checksum-sha1.
	ChecksumSHA1 ChecksumAlgorithm = "SHA1"
	// ChecksumSHA256 is SHA-256, x-amz-checksum-sha256.
	ChecksumSHA256 ChecksumAlgorithm = "SHA256"
)

// HeaderName returns the checksum's header name, lower case
// ("x-amz-checksum-crc32"), or "" for an unknown algorithm.
func (a ChecksumAlgorithm) HeaderName() string {
	if s := a.spec(); s != nil {
		return s.header
	}
	return ""
}

// New returns a hash.Hash that computes the checksum (its Sum is the
// big-endian digest), or nil for an unknown algorithm.
func (a ChecksumAlgorithm) New() hash.Hash {
	if s := a.spec(); s != nil {
		return s.new()
	}
	return nil
}

func (a ChecksumAlgorithm) spec() *checksumSpec {
	for i := range checksumSpecs {
		if checksumSpecs[i].alg == a {
			return &checksumSpecs[i]
		}
	}
	return nil
}

// Checksum is an S3 additional checksum of a request body: see
// [Verified.Checksum].
type Checksum struct {
	// Algorithm names the checksum.
	Algorithm ChecksumAlgorithm
	// Value is the base64 of the big-endian digest as the client sent it:
	// from the x-amz-checksum-* header as soon as the request is verified;
	// from an aws-chunked trailer once the body has been read to its end.
	Value string
	// Trailer reports that the checksum comes in the aws-chunked trailer
	// (announced by X-Amz-Trailer) rather than in a header.
	Trailer bool
	// Verified reports that the body has been read to its end and its
	// checksum is Value. A body whose checksum differs fails its last
	// read instead.
	Verified bool
}

// checksumSpec describes one checksum.
type checksumSpec struct {
	alg    ChecksumAlgorithm
	header string // lower case
	key    string // canonical MIME header key
	size   int    // digest bytes
	new    func() hash.Hash
}

// b64Len is the length of the digest's base64.
func (s *checksumSpec) b64Len() int { return base64.StdEncoding.EncodedLen(s.size) }

var checksumSpecs = [...]checksumSpec{
	{ChecksumCRC32, "x-amz-checksum-crc32", "X-Amz-Checksum-Crc32", crc32.Size, func() hash.Hash { return crc32.NewIEEE() }},
	{ChecksumCRC32C, "x-amz-checksum-crc32c", "X-Amz-Checksum-Crc32c", crc32.Size, func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) }},
	{ChecksumCRC64NVME, "x-amz-checksum-crc64nvme", "X-Amz-Checksum-Crc64nvme", 8, newCRC64NVME},
	{ChecksumSHA1, "x-amz-checksum-sha1", "X-Amz-Checksum-Sha1", sha1.Size, sha1.New},
	{ChecksumSHA256, "x-amz-checksum-sha256", "X-Amz-Checksum-Sha256", sha256.Size, sha256.New},
}

// checksumByName returns the checksum whose header name is name (any
// case), or nil.
func checksumByName(name string) *checksumSpec {
	for i := range checksumSpecs {
		if equalFoldASCII(checksumSpecs[i].header, name) {
			return &checksumSpecs[i]
		}
	}
	return nil
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// strictBase64 refuses base64 whose unused low bits are not zero, so that
// a digest has exactly one spelling.
var strictBase64 = base64.StdEncoding.Strict()

// decodeChecksum decodes a checksum value into dst, reporting whether it
// is the canonical base64 of exactly spec.size bytes.
func decodeChecksum(dst *[sha256.Size]byte, spec *checksumSpec, value []byte) bool {
	// The length, and no CR or LF, which base64 decoding skips.
	if len(value) != spec.b64Len() || bytes.ContainsAny(value, "\r\n") {
		return false
	}
	var buf [sha256.Size + 3]byte // what a spec.b64Len()-byte value may decode to
	n, err := strictBase64.Decode(buf[:], value)
	if err != nil || n != spec.size {
		return false
	}
	copy(dst[:], buf[:n])
	return true
}

// checksumHeader returns the request's x-amz-checksum-<algorithm> header
// and its decoded digest, nil when there is none. More than one such
// header, or a value that is not the base64 of a digest, is an
// InvalidRequest.
func checksumHeader(h http.Header, digest *[sha256.Size]byte) (*checksumSpec, string, error) {
	var found *checksumSpec
	var value string
	for i := range checksumSpecs {
		s := &checksumSpecs[i]
		vv, ok := h[s.key]
		if !ok {
			continue
		}
		if found != nil {
			return nil, "", authErr(http.StatusBadRequest, CodeInvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		if len(vv) != 1 || !decodeChecksum(digest, s, []byte(vv[0])) {
			return nil, "", authErr(http.StatusBadRequest, CodeInvalidRequest, "Value for "+s.header+" header is invalid.")
		}
		found, value = s, vv[0]
	}
	return found, value, nil
}

// badDigest is S3's answer to a body whose checksum differs from the one
// sent.
func badDigest(s *checksumSpec) *AuthError {
	return authErr(http.StatusBadRequest, CodeBadDigest, "The "+string(s.alg)+" you specified did not match the calculated checksum.")
}

// CRC-64/NVME: polynomial 0xad93d23594c93659, reflected (0x9a6c9329ac4bc9b5
// is its bit reversal, the form hash/crc64 takes), initial value and final
// XOR all ones; check value ("123456789") 0xae8b14860a799888. hash/crc64
// would compute it, but builds a slicing table on every large Write for a
// polynomial other than ISO and ECMA; this one builds its tables once.
const crc64NVMEPoly = 0x9a6c9329ac4bc9b5

var crc64NVMETables = sync.OnceValue(func() *[8][256]uint64 {
	t := new([8][256]uint64)
	for i := range 256 {
		crc := uint64(i)
		for range 8 {
			if crc&1 == 1 {
				crc = crc>>1 ^ crc64NVMEPoly
			} else {
				crc >>= 1
			}
		}
		t[0][i] = crc
	}
	for i := range 256 {
		crc := t[0][i]
		for j := 1; j < 8; j++ {
			crc = t[0][crc&0xff] ^ crc>>8
			t[j][i] = crc
		}
	}
	return t
})

// crc64NVME is a hash.Hash64 computing CRC-64/NVME.
type crc64NVME struct {
	crc uint64
	t   *[8][256]uint64
}

func newCRC64NVME() hash.Hash { return &crc64NVME{t: crc64NVMETables()} }

func (d *crc64NVME) Size() int      { return 8 }
func (d *crc64NVME) BlockSize() int { return 1 }
func (d *crc64NVME) Reset()         { d.crc = 0 }
func (d *crc64NVME) Sum64() uint64  { return d.crc }

func (d *crc64NVME) Sum(in []byte) []byte { return binary.BigEndian.AppendUint64(in, d.crc) }

// Write updates the CRC eight bytes at a time (slicing by 8).
func (d *crc64NVME) Write(p []byte) (int, error) {
	t, crc := d.t, ^d.crc
	n := len(p)
	for len(p) >= 8 {
		crc ^= binary.LittleEndian.Uint64(p)
		crc = t[7][crc&0xff] ^ t[6][crc>>8&0xff] ^ t[5][crc>>16&0xff] ^ t[4][crc>>24&0xff] ^
			t[3][crc>>32&0xff] ^ t[2][crc>>40&0xff] ^ t[1][crc>>48&0xff] ^ t[0][crc>>56]
		p = p[8:]
	}
	for _, b := range p {
		crc = t[0][byte(crc)^b] ^ crc>>8
	}
	d.crc = ^crc
	return n, nil
}

// hexDigit[c] is the value of the hex digit c in either case, or 0xff;
// lowerHexDigit[c] the same for lower-case digits only.
var hexDigit, lowerHexDigit = func() (t, l [256]byte) {
	for i := range t {
		t[i], l[i] = 0xff, 0xff
	}
	for i, c := range "0123456789abcdef" {
		t[c], l[c] = byte(i), byte(i)
	}
	for i, c := range "ABCDEF" {
		t[c] = byte(10 + i)
	}
	return t, l
}()

// parseChunkSize parses the size at the start of a chunk-size line: 1 to
// 15 hex digits (either case, as RFC 9112 allows; the .NET SDK writes
// upper case), no leading zero but for the size 0. It returns the size and
// the rest of the line.
func parseChunkSize(line []byte) (int64, []byte, bool) {
	var n int64
	i := 0
	for ; i < len(line) && hexDigit[line[i]] != 0xff; i++ {
		if i == 15 {
			return 0, nil, false
		}
		n = n<<4 | int64(hexDigit[line[i]])
	}
	if i == 0 || line[0] == '0' && i > 1 {
		return 0, nil, false
	}
	return n, line[i:], true
}

// decodeSignature decodes 64 lower-case hex digits into dst, reporting
// whether s was such, in time independent of the digits.
func decodeSignature(dst *[sha256.Size]byte, s []byte) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	bad := byte(0)
	for i := range dst {
		hi, lo := lowerHexDigit[s[2*i]], lowerHexDigit[s[2*i+1]]
		bad |= hi | lo
		dst[i] = hi<<4 | lo&15
	}
	return bad&0xf0 == 0
}

// hexLen returns the number of hex digits of n > 0, 1 for 0.
func hexLen(n int64) int {
	l := 1
	for n >>= 4; n > 0; n >>= 4 {
		l++
	}
	return l
}

// errStreamTooLong reports a decoded length the encoder cannot frame.
func errStreamTooLong(n int64) error {
	return fmt.Errorf("%w: a streaming body of %d bytes is too long", ErrInvalidRequest, n)
}
