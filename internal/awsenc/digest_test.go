package awsenc

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding"
	"hash"
	"testing"
)

// message returns n bytes that differ from one length to the next.
func message(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + n)
	}
	return b
}

// TestDigestSum256 checks Sum256 against sha256.Sum256 around every padding
// boundary: 55, 56 and 63 bytes in the last block, whole blocks, and the
// lengths of real canonical requests. One Digest hashes them all in turn,
// as a scratch does.
func TestDigestSum256(t *testing.T) {
	var d Digest
	for n := range 4*sha256.BlockSize + 2 {
		msg := message(n)
		var got [sha256.Size]byte
		d.Sum256(&got, msg)
		if want := sha256.Sum256(msg); got != want {
			t.Errorf("Sum256 of %d bytes = %x, want %x", n, got, want)
		}
	}
	for _, n := range []int{458, 1000, 4096, 65536 + 55} {
		msg := message(n)
		var got [sha256.Size]byte
		d.Sum256(&got, msg)
		if want := sha256.Sum256(msg); got != want {
			t.Errorf("Sum256 of %d bytes = %x, want %x", n, got, want)
		}
	}
}

// stateAfter returns the marshaled SHA-256 state after prefix.
func stateAfter(t testing.TB, prefix []byte) []byte {
	h := sha256.New()
	h.Write(prefix)
	st, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestDigestFrom checks From, which continues a saved state, for prefixes
// of zero to three blocks and every rest length up to two blocks.
func TestDigestFrom(t *testing.T) {
	var d Digest
	for blocks := range 4 {
		prefix := message(blocks * sha256.BlockSize)
		state := stateAfter(t, prefix)
		for n := range 2*sha256.BlockSize + 1 {
			rest := message(n + 1)[1:]
			var got [sha256.Size]byte
			if !d.From(state, len(prefix), rest, &got) {
				t.Fatalf("From refused the state after %d blocks", blocks)
			}
			if want := sha256.Sum256(append(bytes.Clone(prefix), rest...)); got != want {
				t.Errorf("From(%d blocks) with %d more bytes = %x, want %x", blocks, n, got, want)
			}
		}
	}
}

func TestDigestFromRefusesBadState(t *testing.T) {
	var d Digest
	var out [sha256.Size]byte
	for _, st := range [][]byte{nil, []byte("sha\x03"), []byte("md5\x01 not a state")} {
		if d.From(st, 0, []byte("abc"), &out) {
			t.Errorf("From(%q) accepted a state that cannot be restored", st)
		}
		if out != ([sha256.Size]byte{}) {
			t.Errorf("From(%q) wrote %x on refusal", st, out)
		}
	}
}

// plainHash is a SHA-256 that cannot marshal its state: From refuses it, and
// Sum256 finishes it the standard way.
type plainHash struct{ hash.Hash }

func TestDigestWithoutAppender(t *testing.T) {
	d := Digest{h: plainHash{sha256.New()}}
	for _, n := range []int{0, 55, 56, 64, 200} {
		msg := message(n)
		var got [sha256.Size]byte
		d.Sum256(&got, msg)
		if want := sha256.Sum256(msg); got != want {
			t.Errorf("Sum256 of %d bytes without an appender = %x, want %x", n, got, want)
		}
	}
	if d.From(stateAfter(t, nil), 0, nil, new([sha256.Size]byte)) {
		t.Error("From accepted a state its hash cannot restore")
	}
}

// TestHMACKeySum checks HMACKey's Sum and SumFrom, which finish through
// Digest, against crypto/hmac.
func TestHMACKeySum(t *testing.T) {
	key := sha256.Sum256([]byte("key"))
	k := NewHMACKey(key, sha256.New(), sha256.New())
	var inner, outer Digest
	for _, n := range []int{0, 1, 55, 56, 63, 64, 65, 70, 119, 120, 128, 134, 300} {
		msg := message(n)
		m := hmac.New(sha256.New, key[:])
		m.Write(msg)
		want := m.Sum(nil)
		var sum, out [sha256.Size]byte
		k.Sum(&inner, &outer, &sum, &out, msg)
		if !bytes.Equal(out[:], want) {
			t.Errorf("Sum of %d bytes = %x, want %x", n, out, want)
		}
		if n < sha256.BlockSize {
			continue
		}
		// The inner state after the pad and the first block, as the
		// midstate cache keeps it.
		h := sha256.New()
		k.Start(h)
		h.Write(msg[:sha256.BlockSize])
		st, _ := h.(encoding.BinaryMarshaler).MarshalBinary()
		out = [sha256.Size]byte{}
		if !k.SumFrom(&inner, &outer, st, 2*sha256.BlockSize, &sum, &out, msg[sha256.BlockSize:]) {
			t.Fatalf("SumFrom refused a good state")
		}
		if !bytes.Equal(out[:], want) {
			t.Errorf("SumFrom of %d bytes = %x, want %x", n, out, want)
		}
	}
}

func FuzzDigest(f *testing.F) {
	f.Add([]byte(""), uint8(0))
	f.Add(message(55), uint8(1))
	f.Add(message(120), uint8(2))
	f.Fuzz(func(t *testing.T, msg []byte, blocks uint8) {
		var d Digest
		var got [sha256.Size]byte
		d.Sum256(&got, msg)
		want := sha256.Sum256(msg)
		if got != want {
			t.Fatalf("Sum256(%x) = %x, want %x", msg, got, want)
		}
		// The same message, continued after its first whole blocks.
		done := min(int(blocks)%4, len(msg)/sha256.BlockSize) * sha256.BlockSize
		if !d.From(stateAfter(t, msg[:done]), done, msg[done:], &got) || got != want {
			t.Fatalf("From after %d bytes of %x = %x, want %x", done, msg, got, want)
		}
	})
}

// BenchmarkSum256 compares Digest.Sum256 with sha256.Sum256 on a canonical
// request's length.
func BenchmarkSum256(b *testing.B) {
	msg := message(458)
	b.Run("Digest", func(b *testing.B) {
		var d Digest
		var out [sha256.Size]byte
		for b.Loop() {
			d.Sum256(&out, msg)
		}
	})
	b.Run("sha256", func(b *testing.B) {
		for b.Loop() {
			_ = sha256.Sum256(msg)
		}
	})
}
