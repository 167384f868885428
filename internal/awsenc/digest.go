package awsenc

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"hash"
)

// Digest is a reusable SHA-256 state that finishes a message by padding it
// itself. A signature hashes short messages (the canonical request, the
// string to sign, an inner digest), so the standard library's Sum, which
// copies the state and hashes the padding through a second Write, costs
// about a tenth of each hash. Digest instead writes the message's whole
// blocks, then its last partial block with the padding of FIPS 180-4,
// section 5.1.1 (0x80, zeros, the length in bits as a 64-bit big-endian
// number), so that the state holds the finished hash: its eight words,
// big-endian, are the digest. The digest is read from the state's
// marshaled form ("sha\x03", the words, the block buffer, the length),
// which the standard library keeps stable because marshaled states are
// meant to outlive a process. A state whose marshaled form is not that
// one (another SHA-256 implementation) is finished through Sum instead,
// so the result is always SHA-256's.
//
// The zero Digest is ready to use.
type Digest struct {
	h     hash.Hash
	tail  [2 * sha256.BlockSize]byte // the last partial block and the padding
	state []byte                     // the marshaled state
	sum   [sha256.Size]byte          // Sum's output, so that out never escapes
}

// marshaledSize is the length of a marshaled SHA-256 state: the magic, the
// eight words, the block buffer and the length.
const marshaledSize = 4 + sha256.Size + sha256.BlockSize + 8

// Init makes d's storage now rather than on first use.
func (d *Digest) Init() {
	d.Hash()
	if d.state == nil {
		d.state = make([]byte, 0, marshaledSize)
	}
}

// Hash returns the SHA-256 state, for callers that write it themselves.
func (d *Digest) Hash() hash.Hash {
	if d.h == nil {
		d.h = sha256.New()
	}
	return d.h
}

// Sum256 writes sha256.Sum256(msg) into out.
func (d *Digest) Sum256(out *[sha256.Size]byte, msg []byte) {
	h := d.Hash()
	h.Reset()
	if !d.finish(0, msg, out) {
		*out = sha256.Sum256(msg)
	}
}

// From writes into out the SHA-256 digest of a message whose first done
// bytes (a multiple of the block size) were hashed into state, a marshaled
// SHA-256 state, and whose remaining bytes are rest. It reports false, and
// writes nothing, when the state cannot be restored.
func (d *Digest) From(state []byte, done int, rest []byte, out *[sha256.Size]byte) bool {
	u, ok := d.Hash().(encoding.BinaryUnmarshaler)
	if !ok || u.UnmarshalBinary(state) != nil {
		return false
	}
	if d.finish(done, rest, out) {
		return true
	}
	// Finished, but not readable: hash the rest again the standard way.
	if u.UnmarshalBinary(state) != nil {
		return false
	}
	d.sumRest(rest, out)
	return true
}

// sumRest finishes d.h the standard way.
func (d *Digest) sumRest(rest []byte, out *[sha256.Size]byte) {
	d.h.Write(rest)
	d.h.Sum(d.sum[:0])
	*out = d.sum
}

// finish hashes rest and its padding into d.h, which has hashed done bytes,
// and writes the digest into out. It reports false when the finished state
// cannot be read, d.h having hashed the padding.
func (d *Digest) finish(done int, rest []byte, out *[sha256.Size]byte) bool {
	a, ok := d.h.(encoding.BinaryAppender)
	if !ok {
		d.sumRest(rest, out)
		return true
	}
	whole := len(rest) &^ (sha256.BlockSize - 1)
	if whole > 0 {
		d.h.Write(rest[:whole])
	}
	n := copy(d.tail[:], rest[whole:])
	end := sha256.BlockSize
	if n >= sha256.BlockSize-8 {
		end = 2 * sha256.BlockSize // no room for the length: one more block
	}
	d.tail[n] = 0x80
	clear(d.tail[n+1 : end-8])
	bits := uint64(done+len(rest)) * 8
	binary.BigEndian.PutUint64(d.tail[end-8:end], bits)
	d.h.Write(d.tail[:end])
	var err error
	if d.state, err = a.AppendBinary(d.state[:0]); err != nil ||
		len(d.state) != marshaledSize || string(d.state[:4]) != "sha\x03" ||
		binary.BigEndian.Uint64(d.state[marshaledSize-8:]) != uint64(done+whole+end) {
		return false
	}
	copy(out[:], d.state[4:4+sha256.Size])
	return true
}
