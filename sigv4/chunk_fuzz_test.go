package sigv4

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzChunkDecoder decodes arbitrary bodies in every mode. It must never
// panic; a failure is an *AuthError; a success has exactly the decoded
// length and, in the signed modes, is the encoder's output for those bytes
// (a size's hex digits may differ in case); the decoder's buffer never
// outgrows the bytes that arrived (past its first 64 KiB) nor MaxChunkSize.
func FuzzChunkDecoder(f *testing.F) {
	for _, c := range chunkCases() {
		for _, n := range []int{0, 5, MinChunkSize + 3} {
			data := bytes.Repeat([]byte("fuzz"), n/4+1)[:n]
			p := testParams(c.mode, c.ck, MinChunkSize, int64(n), testSeed)
			enc, err := io.ReadAll(newChunkEncoder(io.NopCloser(bytes.NewReader(data)), p))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(uint8(caseIndex(c.mode, c.ck)), uint32(n), uint16(0), enc)
			f.Add(uint8(caseIndex(c.mode, c.ck)), uint32(n), uint16(7), enc)
		}
	}
	f.Add(uint8(0), uint32(1<<30), uint16(0), []byte("1000000;chunk-signature="+testSeed+"\r\nxx"))
	f.Fuzz(func(t *testing.T, which uint8, length uint32, readSize uint16, body []byte) {
		cases := chunkCases()
		c := cases[int(which)%len(cases)]
		p := testParams(c.mode, c.ck, MinChunkSize, int64(length), testSeed)
		d := testDecoder(p, bytes.NewReader(body))
		var out []byte
		var err error
		if readSize == 0 {
			var buf bytes.Buffer
			_, err = d.WriteTo(&buf)
			out = buf.Bytes()
		} else {
			buf := make([]byte, readSize)
			for {
				n, rerr := d.Read(buf)
				out = append(out, buf[:n]...)
				if rerr != nil {
					if rerr != io.EOF {
						err = rerr
					}
					break
				}
			}
		}
		if limit := max(64<<10, 2*len(body)); cap(d.buf) > limit || cap(d.buf) > MaxChunkSize {
			t.Fatalf("decoder buffer of %d bytes for a %d-byte body", cap(d.buf), len(body))
		}
		if err != nil {
			var ae *AuthError
			if !errors.As(err, &ae) {
				t.Fatalf("%v is not an *AuthError", err)
			}
			return
		}
		if int64(len(out)) != int64(length) {
			t.Fatalf("decoded %d bytes, X-Amz-Decoded-Content-Length %d", len(out), length)
		}
		if c.mode.signed() {
			if again := encodeAll(t, p, out); !equalFoldASCII(string(again), string(body)) {
				t.Fatalf("a signed body that is not the encoder's output was accepted")
			}
		}
	})
}

func caseIndex(mode StreamMode, ck ChecksumAlgorithm) int {
	for i, c := range chunkCases() {
		if c.mode == mode && c.ck == ck {
			return i
		}
	}
	return 0
}
