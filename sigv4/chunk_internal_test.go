package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
)

// Tests of the aws-chunked encoder and decoder, driven directly.

const (
	chunkTestSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	chunkTestDate   = "20130524T000000Z"
	chunkTestScope  = "20130524/us-east-1/s3/aws4_request"
)

func chunkTestKey() *signingKey {
	var h hmacer
	return newSigningKey(&h, h.derive(chunkTestSecret, []byte("20130524"), "us-east-1", "s3"))
}

// testParams returns encoding parameters for AWS's example key, date and
// scope, chained from seed.
func testParams(mode StreamMode, ck ChecksumAlgorithm, chunkSize int, n int64, seed string) *streamParams {
	p := &streamParams{mode: mode, checksum: ck.spec(), chunkSize: chunkSize, length: n, key: chunkTestKey(), amzDate: chunkTestDate, scope: chunkTestScope}
	copy(p.seed[:], seed)
	return p
}

const testSeed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"

func encodeAll(t testing.TB, p *streamParams, data []byte) []byte {
	t.Helper()
	out, err := io.ReadAll(newChunkEncoder(io.NopCloser(bytes.NewReader(data)), p))
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(out)) != p.encodedLength() {
		t.Fatalf("encoded %d bytes, encodedLength says %d", len(out), p.encodedLength())
	}
	return out
}

// testDecoder returns a decoder of enc for what p encodes, as checkBody
// makes it.
func testDecoder(p *streamParams, enc io.Reader) *chunkDecoder {
	vd := &Verified{AccessKeyID: "AKIAIOSFODNN7EXAMPLE"}
	var digest [sha256.Size]byte
	if p.checksum != nil {
		vd.Checksum = &Checksum{Algorithm: p.checksum.alg, Trailer: true}
	}
	d := newChunkDecoder(io.NopCloser(enc), p.mode, p.length, p.checksum, &digest, vd)
	if p.mode.signed() {
		d.cs.init(p.key, p.amzDate, p.scope, p.seed[:])
	}
	return d
}

func decodeAll(p *streamParams, enc []byte) ([]byte, error) {
	out := bytes.NewBuffer(make([]byte, 0, min(max(p.length, 0), 1<<20)+bytes.MinRead))
	_, err := out.ReadFrom(testDecoder(p, bytes.NewReader(enc)))
	return out.Bytes(), err
}

func TestChecksumKnownAnswers(t *testing.T) {
	want := map[ChecksumAlgorithm]string{
		ChecksumCRC32:     "cbf43926",
		ChecksumCRC32C:    "e3069283",
		ChecksumCRC64NVME: "ae8b14860a799888",
		ChecksumSHA1:      "f7c3bc1d808e04732adf679965ccc34ca7ae3441",
		ChecksumSHA256:    "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225",
	}
	for _, s := range checksumSpecs {
		h := s.alg.New()
		h.Write([]byte("123456789"))
		if got := hex.EncodeToString(h.Sum(nil)); got != want[s.alg] {
			t.Errorf("%s(123456789) = %s, want %s", s.alg, got, want[s.alg])
		}
		if s.alg.HeaderName() != "x-amz-checksum-"+strings.ToLower(string(s.alg)) || http.CanonicalHeaderKey(s.header) != s.key {
			t.Errorf("%s: header %q, key %q", s.alg, s.alg.HeaderName(), s.key)
		}
		if h.Size() != s.size || s.b64Len() != len(base64Of(h.Sum(nil))) {
			t.Errorf("%s: size %d/%d", s.alg, h.Size(), s.size)
		}
	}
	if ChecksumAlgorithm("MD5").New() != nil || ChecksumAlgorithm("crc32").HeaderName() != "" {
		t.Error("unknown algorithms have a hash or a header")
	}
}

// TestCRC64NVMEMatchesHashCRC64 holds the slicing-by-8 CRC-64/NVME equal
// to hash/crc64 with the same polynomial, for every length up to 300
// bytes, written in pieces of every size.
func TestCRC64NVMEMatchesHashCRC64(t *testing.T) {
	table := crc64.MakeTable(crc64NVMEPoly)
	r := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 300)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	for n := range len(data) {
		want := crc64.Checksum(data[:n], table)
		for _, piece := range []int{1, 3, 8, 13, 300} {
			h := newCRC64NVME().(*crc64NVME)
			for p := data[:n]; len(p) > 0; {
				k := min(piece, len(p))
				h.Write(p[:k])
				p = p[k:]
			}
			if h.Sum64() != want {
				t.Fatalf("length %d in pieces of %d: %016x, want %016x", n, piece, h.Sum64(), want)
			}
		}
	}
}

// AWS's trailer example (Amazon S3 API Reference, "Signature calculations
// for trailing headers"): 66560 bytes of 'a' in chunks of 65536 and 1024,
// a CRC32C trailer, the seed 106e2a8a..., and these signatures.
func TestChunkAWSTrailerExample(t *testing.T) {
	const (
		seed     = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
		chunk1   = "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2"
		chunk2   = "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7"
		final    = "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"
		trailer  = "x-amz-checksum-crc32c:sOO8/Q=="
		trailSig = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
	)
	data := bytes.Repeat([]byte("a"), 66560)
	a := string(data)
	want := "10000;chunk-signature=" + chunk1 + "\r\n" + a[:65536] + "\r\n" +
		"400;chunk-signature=" + chunk2 + "\r\n" + a[:1024] + "\r\n" +
		"0;chunk-signature=" + final + "\r\n" +
		trailer + "\r\n" +
		"x-amz-trailer-signature:" + trailSig + "\r\n" +
		"\r\n"
	p := testParams(StreamSignedTrailer, ChecksumCRC32C, 65536, int64(len(data)), seed)
	if got := encodeAll(t, p, data); string(got) != want {
		t.Errorf("the encoding differs from AWS's example")
	}
	d := testDecoder(p, strings.NewReader(want))
	got, err := io.ReadAll(d)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("decode: %d bytes, %v", len(got), err)
	}
	if c := d.vd.Checksum; c.Value != "sOO8/Q==" || !c.Verified {
		t.Errorf("Checksum %+v", c)
	}

}

// chunkCases lists every mode with every checksum it can carry, and none.
func chunkCases() []struct {
	mode StreamMode
	ck   ChecksumAlgorithm
} {
	type c = struct {
		mode StreamMode
		ck   ChecksumAlgorithm
	}
	cases := []c{{StreamSigned, ""}}
	for _, m := range []StreamMode{StreamSignedTrailer, StreamUnsignedTrailer} {
		cases = append(cases, c{m, ""})
		for _, s := range checksumSpecs {
			cases = append(cases, c{m, s.alg})
		}
	}
	return cases
}

func caseName(mode StreamMode, ck ChecksumAlgorithm) string {
	if ck == "" {
		return mode.String()
	}
	return mode.String() + "+" + string(ck)
}

// TestChunkRoundTrip encodes and decodes bodies of 0, 1, chunk-1, chunk,
// chunk+1 bytes and 10 MiB of random bytes, in every mode, with every
// checksum and none, reading both sides every way: whole chunks, one byte
// at a time, and WriteTo.
func TestChunkRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	big := make([]byte, 10<<20)
	for i := 0; i < len(big); i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			big[i+j] = byte(v >> (8 * j))
		}
	}
	const size = DefaultChunkSize
	for _, c := range chunkCases() {
		t.Run(caseName(c.mode, c.ck), func(t *testing.T) {
			for _, n := range []int{0, 1, size - 1, size, size + 1, len(big)} {
				data := big[:n]
				p := testParams(c.mode, c.ck, size, int64(n), testSeed)
				enc := encodeAll(t, p, data)
				got, err := decodeAll(p, enc)
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("%d bytes: decoded %d bytes, %v", n, len(got), err)
				}
				if n > 2*size {
					continue // the other ways, on the smaller bodies
				}
				var viaWriteTo bytes.Buffer
				if _, err := newChunkEncoder(io.NopCloser(bytes.NewReader(data)), p).WriteTo(&viaWriteTo); err != nil || !bytes.Equal(viaWriteTo.Bytes(), enc) {
					t.Fatalf("%d bytes: WriteTo differs from Read (%v)", n, err)
				}
				var out bytes.Buffer
				if _, err := testDecoder(p, bytes.NewReader(enc)).WriteTo(&out); err != nil || !bytes.Equal(out.Bytes(), data) {
					t.Fatalf("%d bytes: WriteTo decoded %d bytes, %v", n, out.Len(), err)
				}
				// Small reads on both sides, and a body that arrives a
				// byte at a time.
				encSmall, err := io.ReadAll(iotest.OneByteReader(newChunkEncoder(io.NopCloser(bytes.NewReader(data)), p)))
				if err != nil || !bytes.Equal(encSmall, enc) {
					t.Fatalf("%d bytes: a byte at a time, the encoding differs (%v)", n, err)
				}
				got, err = io.ReadAll(iotest.OneByteReader(testDecoder(p, iotest.OneByteReader(bytes.NewReader(enc)))))
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("%d bytes: a byte at a time, decoded %d bytes, %v", n, len(got), err)
				}
				if err := iotest.TestReader(testDecoder(p, bytes.NewReader(enc)), data); err != nil {
					t.Fatalf("%d bytes: %v", n, err)
				}
			}
		})
	}
}

// refusedOrSame reports whether decoding enc fails, or, when it succeeds,
// whether enc differs from the original only in the case of a hex digit
// of a chunk size (RFC 9112 and the .NET SDK's upper case), which the
// signatures do not cover and which means the same: the decoded bytes
// must then be the original's.
func refusedOrSame(p *streamParams, orig, enc, data []byte, pos int) (bool, string) {
	got, err := decodeAll(p, enc)
	if err != nil {
		var ae *AuthError
		if !errors.As(err, &ae) {
			return false, fmt.Sprintf("error %v is not an *AuthError", err)
		}
		return true, ""
	}
	if a, b := orig[pos], enc[pos]; a|0x20 == b|0x20 && 'a' <= a|0x20 && a|0x20 <= 'f' && sizeLineDigit(orig, pos) && bytes.Equal(got, data) {
		return true, ""
	}
	return false, fmt.Sprintf("accepted, decoded %d bytes", len(got))
}

// sizeLineDigit reports whether enc[pos] is in a chunk-size line's hex
// size.
func sizeLineDigit(enc []byte, pos int) bool {
	start := bytes.LastIndexByte(enc[:pos], '\n') + 1
	line := enc[start:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i+1]
	}
	_, rest, ok := parseChunkSize(line)
	return ok && pos-start < len(line)-len(rest)
}

// TestChunkEveryCorruptionRefused changes every byte of small encodings to
// every other value, and a three-chunk encoding's framing to ten values
// and its data (the first, the last and every 61st byte of each chunk)
// once: the
// decoder refuses each with an *AuthError, except a change of the case of
// a hex digit in a chunk size (the same size; see refusedOrSame). Unsigned
// chunks without a checksum have nothing that covers their bytes: there
// only the framing is changed.
func TestChunkEveryCorruptionRefused(t *testing.T) {
	for _, c := range chunkCases() {
		if c.ck != "" && c.ck != ChecksumCRC32 && c.ck != ChecksumSHA256 {
			continue
		}
		t.Run(caseName(c.mode, c.ck), func(t *testing.T) {
			dataCovered := c.mode.signed() || c.ck != ""
			small := []byte("forty-two bytes of data for a 2a-byte chunk")[:42]
			multi := make([]byte, 2*MinChunkSize+100)
			for i := range multi {
				multi[i] = byte(i * 31)
			}
			accepted := 0
			// Every value at every byte of the small encoding for one
			// checksum of each trailer mode and none; the others share
			// their code and get the three-chunk encoding only.
			streams := []struct {
				data       []byte
				exhaustive bool
			}{{small, true}, {multi, false}}
			if c.ck == ChecksumSHA256 || c.mode == StreamSignedTrailer && c.ck == "" {
				streams = streams[1:]
			}
			for _, tc := range streams {
				p := testParams(c.mode, c.ck, MinChunkSize, int64(len(tc.data)), testSeed)
				orig := encodeAll(t, p, tc.data)
				isData := dataPositions(orig, p)
				enc := bytes.Clone(orig)
				for pos := range orig {
					if isData[pos] && (!dataCovered || !tc.exhaustive && pos%61 != 0 && isData[pos-1] && isData[pos+1]) {
						continue
					}
					var values []byte
					switch {
					case tc.exhaustive:
						for v := range 256 {
							values = append(values, byte(v))
						}
					case isData[pos]:
						values = []byte{orig[pos] ^ 1}
					default:
						values = []byte{orig[pos] ^ 1, orig[pos] ^ 0x20, orig[pos] ^ 0x80, '0', 'A', '\r', '\n', ';', ':', '='}
					}
					for _, v := range values {
						if v == orig[pos] {
							continue
						}
						enc[pos] = v
						ok, why := refusedOrSame(p, orig, enc, tc.data, pos)
						if !ok {
							t.Fatalf("%d-byte body: byte %d changed from %q to %q: %s", len(tc.data), pos, orig[pos], v, why)
						}
						if _, err := decodeAll(p, enc); err == nil {
							accepted++
						}
					}
					enc[pos] = orig[pos]
				}
			}
			// The 42-byte chunk's size "2a" has one letter: 'A' is its
			// only other spelling.
			if exhaustive := len(streams) == 2; exhaustive && accepted != 1 || !exhaustive && accepted != 0 {
				t.Errorf("%d corruptions accepted as another spelling of a size, want 1", accepted)
			}
		})
	}
}

// dataPositions marks the bytes of enc that are chunk data.
func dataPositions(enc []byte, p *streamParams) []bool {
	is := make([]bool, len(enc))
	pos := 0
	for left := p.length; left > 0; {
		k := min(int64(p.chunkSize), left)
		pos += p.chunkHeaderLen(k)
		for i := int64(0); i < k; i++ {
			is[pos+int(i)] = true
		}
		pos += int(k) + 2
		left -= k
	}
	return is
}

// TestChunkTruncationAndExtraRefused cuts encodings at every length in
// the framing and at every 53rd byte of the data, and appends bytes to
// them: the decoder refuses each.
func TestChunkTruncationAndExtraRefused(t *testing.T) {
	data := make([]byte, 2*MinChunkSize+100)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for _, c := range chunkCases() {
		t.Run(caseName(c.mode, c.ck), func(t *testing.T) {
			p := testParams(c.mode, c.ck, MinChunkSize, int64(len(data)), testSeed)
			enc := encodeAll(t, p, data)
			isData := dataPositions(enc, p)
			for n := range len(enc) {
				if isData[n] && isData[n-1] && n%53 != 0 {
					continue // one cut in 53 inside the data, and the first byte
				}
				if _, err := decodeAll(p, enc[:n]); err == nil {
					t.Fatalf("cut at %d of %d bytes: accepted", n, len(enc))
				} else if ae := (*AuthError)(nil); !errors.As(err, &ae) {
					t.Fatalf("cut at %d: %v is not an *AuthError", n, err)
				}
			}
			for _, extra := range []string{"\r\n", "x", "0\r\n\r\n", "\x00", string(enc)} {
				if _, err := decodeAll(p, append(bytes.Clone(enc), extra...)); !hasCode(err, CodeIncompleteBody) {
					t.Errorf("with %q after the end: %v", truncateForTest(extra), err)
				}
			}
		})
	}
}

func truncateForTest(s string) string {
	if len(s) > 8 {
		return s[:8] + "..."
	}
	return s
}

func hasCode(err error, code string) bool {
	var ae *AuthError
	return errors.As(err, &ae) && ae.Code == code
}

// TestChunkDecodedLengthMismatch decodes encodings whose
// X-Amz-Decoded-Content-Length is one off.
func TestChunkDecodedLengthMismatch(t *testing.T) {
	for _, c := range chunkCases() {
		for _, n := range []int64{0, 1, MinChunkSize, 2*MinChunkSize + 3} {
			p := testParams(c.mode, c.ck, MinChunkSize, n, testSeed)
			enc := encodeAll(t, p, bytes.Repeat([]byte{'z'}, int(n)))
			for _, delta := range []int64{-1, 1} {
				q := *p
				q.length = n + delta
				if q.length < 0 {
					continue
				}
				if _, err := decodeAll(&q, enc); !hasCode(err, CodeIncompleteBody) {
					t.Errorf("%s, %d bytes announced as %d: %v", caseName(c.mode, c.ck), n, q.length, err)
				}
			}
		}
	}
}

// chunkBody builds an aws-chunked body by hand: lines joined by CRLF.
func chunkBody(lines ...string) []byte { return []byte(strings.Join(lines, "\r\n")) }

// signedLines returns the size lines of data in chunks of the given sizes,
// signed from testSeed, and the final chunk's line.
func signedLines(p *streamParams, data []byte, sizes ...int) []string {
	var cs chunkSigner
	cs.init(p.key, p.amzDate, p.scope, p.seed[:])
	var out []string
	for _, k := range sizes {
		cs.hashData(data[:k])
		cs.sign()
		cs.chain()
		out = append(out, fmt.Sprintf("%x;chunk-signature=%s", k, cs.prev()), string(data[:k]))
		data = data[k:]
	}
	cs.hashData(nil)
	cs.sign()
	cs.chain()
	return append(out, "0;chunk-signature="+string(cs.prev()))
}

// TestChunkDecoderErrors checks the code of each kind of malformed body.
func TestChunkDecoderErrors(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 3*MinChunkSize)
	signed := testParams(StreamSigned, "", MinChunkSize, 0, testSeed)
	unsigned := testParams(StreamUnsignedTrailer, ChecksumCRC32, MinChunkSize, 0, testSeed)
	h := ChecksumCRC32.New()
	h.Write(data[:5])
	crc5 := base64Of(h.Sum(nil))
	tests := []struct {
		name   string
		p      *streamParams
		length int64
		body   []byte
		code   string
	}{
		{"small chunk before another", signed, 100 + MinChunkSize, chunkBody(append(signedLines(signed, data, 100, MinChunkSize), "", "")...), CodeInvalidChunkSizeError},
		{"chunk larger than the maximum", signed, MaxChunkSize + 1, chunkBody(fmt.Sprintf("%x;chunk-signature=%s", MaxChunkSize+1, testSeed), ""), CodeInvalidChunkSizeError},
		{"chunk beyond the decoded length", signed, 10, chunkBody(fmt.Sprintf("b;chunk-signature=%s", testSeed), "xxxxxxxxxxx"), CodeIncompleteBody},
		{"wrong signature", signed, 5, chunkBody("5;chunk-signature="+strings.Repeat("0", 64), "xxxxx", ""), CodeSignatureDoesNotMatch},
		{"upper-case signature", signed, 5, chunkBody("5;chunk-signature="+strings.ToUpper(signedLines(signed, data, 5)[0][18:]), "xxxxx", ""), CodeSignatureDoesNotMatch},
		{"signature too short", signed, 5, chunkBody("5;chunk-signature=abc", "xxxxx"), CodeIncompleteBody},
		{"extension on an unsigned chunk", unsigned, 5, chunkBody("5;x=y", "xxxxx"), CodeIncompleteBody},
		{"leading zero", unsigned, 5, chunkBody("05", "xxxxx"), CodeIncompleteBody},
		{"not hex", unsigned, 5, chunkBody("5g", "xxxxx"), CodeIncompleteBody},
		{"LF alone", unsigned, 5, []byte("5\nxxxxx\r\n0\r\n\r\n"), CodeIncompleteBody},
		{"long line", unsigned, 5, []byte(strings.Repeat("1", 300)), CodeIncompleteBody},
		{"unannounced trailer", testParams(StreamUnsignedTrailer, "", MinChunkSize, 0, testSeed), 5, chunkBody("5", "xxxxx", "0", "x-amz-checksum-crc32:"+crc5, "", ""), CodeMalformedTrailerError},
		{"other trailer", unsigned, 5, chunkBody("5", "xxxxx", "0", "x-amz-checksum-crc32c:"+crc5, "", ""), CodeMalformedTrailerError},
		{"trailer twice", unsigned, 5, chunkBody("5", "xxxxx", "0", "x-amz-checksum-crc32:"+crc5, "x-amz-checksum-crc32:"+crc5, "", ""), CodeMalformedTrailerError},
		{"trailer missing", unsigned, 5, chunkBody("5", "xxxxx", "0", "", ""), CodeMalformedTrailerError},
		{"trailer value invalid", unsigned, 5, chunkBody("5", "xxxxx", "0", "x-amz-checksum-crc32:AAAA", "", ""), CodeInvalidRequest},
		{"trailer value not canonical", unsigned, 5, chunkBody("5", "xxxxx", "0", "x-amz-checksum-crc32:AAAAAB==", "", ""), CodeInvalidRequest},
		{"trailer value wrong", unsigned, 5, chunkBody("5", "xxxxx", "0", "x-amz-checksum-crc32:AAAAAA==", "", ""), CodeBadDigest},
		{"trailer in signed mode", signed, 5, chunkBody(append(signedLines(signed, data, 5), "x-amz-checksum-crc32:"+crc5, "", "")...), CodeIncompleteBody},
		{"no trailer signature", testParams(StreamSignedTrailer, "", MinChunkSize, 0, testSeed), 5, chunkBody(append(signedLines(signed, data, 5), "", "")...), CodeIncompleteBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := *tt.p
			q.length = tt.length
			_, err := decodeAll(&q, tt.body)
			if !hasCode(err, tt.code) {
				t.Fatalf("err = %v, want %s", err, tt.code)
			}
		})
	}

	// minio-go ends its trailer lines with LF CR LF: accepted, in both
	// trailer modes, and the trailer signature covers "name:value\n".
	ok := chunkBody("5", "xxxxx", "0", "x-amz-checksum-crc32:"+crc5+"\n", "", "")
	q := *unsigned
	q.length = 5
	if got, err := decodeAll(&q, ok); err != nil || string(got) != "xxxxx" {
		t.Errorf("minio-go's trailer: %q, %v", got, err)
	}
	st := testParams(StreamSignedTrailer, ChecksumCRC32, MinChunkSize, 5, testSeed)
	enc := encodeAll(t, st, data[:5])
	minio := bytes.Replace(enc, []byte(crc5+"\r\n"), []byte(crc5+"\n\r\n"), 1)
	if got, err := decodeAll(st, minio); err != nil || string(got) != "xxxxx" {
		t.Errorf("minio-go's signed trailer: %q, %v", got, err)
	}
}

func base64Of(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// TestChunkSignatureMismatchError carries the chunk's string to sign.
func TestChunkSignatureMismatchError(t *testing.T) {
	p := testParams(StreamSigned, "", MinChunkSize, 5, testSeed)
	enc := encodeAll(t, p, []byte("hello"))
	enc[len("5;chunk-signature=")+64+2] = 'j'
	_, err := decodeAll(p, enc)
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Code != CodeSignatureDoesNotMatch || ae.StatusCode != 403 ||
		!strings.HasPrefix(ae.StringToSign, "AWS4-HMAC-SHA256-PAYLOAD\n"+chunkTestDate+"\n"+chunkTestScope+"\n"+testSeed+"\n"+EmptyPayloadHash+"\n") ||
		len(ae.SignatureProvided) != 64 {
		t.Fatalf("%#v", err)
	}
}

// TestChunkAllocations holds encoding and decoding at zero allocations per
// chunk, and the decoder's buffer at MaxChunkSize.
func TestChunkAllocations(t *testing.T) {
	if chunkRace {
		t.Skip("allocation counts differ under the race detector")
	}
	for _, c := range []struct {
		mode StreamMode
		ck   ChecksumAlgorithm
	}{{StreamSigned, ""}, {StreamSignedTrailer, ChecksumCRC64NVME}, {StreamUnsignedTrailer, ChecksumCRC32C}} {
		const chunks = 100
		data := bytes.Repeat([]byte("0123456789abcdef"), chunks*MinChunkSize/16)
		p := testParams(c.mode, c.ck, MinChunkSize, int64(len(data)), testSeed)
		e := newChunkEncoder(io.NopCloser(bytes.NewReader(data)), p)
		big := make([]byte, 2*MinChunkSize)
		small := make([]byte, 1000)
		if n := testing.AllocsPerRun(chunks/2-1, func() {
			if _, err := e.Read(big); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: encoding a chunk into a large buffer allocates %v times", c.mode, n)
		}
		if n := testing.AllocsPerRun(100, func() {
			if _, err := e.Read(small); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: encoding through a small buffer allocates %v times per read", c.mode, n)
		}
		enc := encodeAll(t, p, data)
		d := testDecoder(p, bytes.NewReader(enc))
		if n := testing.AllocsPerRun(chunks/2-1, func() {
			if _, err := io.ReadFull(d, big[:MinChunkSize]); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: decoding a chunk into a large buffer allocates %v times", c.mode, n)
		}
		if n := testing.AllocsPerRun(200, func() {
			if _, err := d.Read(small); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: decoding through a small buffer allocates %v times per read", c.mode, n)
		}
	}
}

// TestCheckBodyPlainRequest holds the Verifier's body step at no work and
// no allocation for a request without aws-chunked body or checksum.
func TestCheckBodyPlainRequest(t *testing.T) {
	if chunkRace {
		t.Skip("allocation counts differ under the race detector")
	}
	v, err := NewVerifier(VerifierConfig{Service: "s3", Regions: []string{"us-east-1"}, Secrets: StaticSecrets()})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest("GET", "https://b.s3.amazonaws.com/k", nil)
	r.Header.Set("X-Amz-Content-Sha256", UnsignedPayload)
	vd := &Verified{PayloadHash: UnsignedPayload, Signature: testSeed}
	body := r.Body
	if n := testing.AllocsPerRun(100, func() {
		if err := v.checkBody(r, vd, nil, chunkTestDate, chunkTestScope); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("checkBody allocates %v times", n)
	}
	if r.Body != body || vd.Checksum != nil || vd.Stream != 0 {
		t.Error("checkBody changed a plain request")
	}
}
