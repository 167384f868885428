package sigv4

import (
	"crypto/sha256"
	"encoding"
)

// The HMAC midstate cache.
//
// What it remembers: the inner SHA-256 state of the HMAC of step 4 after
// the first 64-byte block of the string to sign, for one signing key and
// that block's bytes. The first block of a string to sign is its algorithm
// line, its X-Amz-Date and the start of its credential scope, so every
// signature of one second and scope starts with the same block: it is
// hashed once, not per signature.
//
// Why the result is byte-identical: SHA-256 processes its input block by
// block, so the state after a block depends on that block and the state
// before it only. The state is reused only when the key (the same
// *signingKey, whose pads fix the state before the block) and all 64 bytes
// of the block are equal; the rest of the message is hashed from it as it
// would have been from the start. A state that cannot be restored falls
// back to the full computation.
type midstate struct {
	key   *signingKey
	head  [sha256.BlockSize]byte
	state []byte // marshaled
}

// signFrom is sign, reusing m when msg starts with m's head under key and
// refreshing m otherwise.
func (h *hmacer) signFrom(k *signingKey, m *midstate, out *[sha256.Size]byte, msg []byte) {
	if len(msg) < sha256.BlockSize || !k.HasStates() {
		k.Sum(&h.inner, &h.outer, &h.sum, out, msg)
		return
	}
	if m.key != k || string(m.head[:]) != string(msg[:sha256.BlockSize]) {
		inner := h.inner.Hash()
		k.Start(inner)
		inner.Write(msg[:sha256.BlockSize])
		state, err := inner.(encoding.BinaryAppender).AppendBinary(m.state[:0])
		if err != nil {
			k.Sum(&h.inner, &h.outer, &h.sum, out, msg)
			return
		}
		m.key, m.state = k, state
		copy(m.head[:], msg)
	}
	// The state has hashed the inner pad and the head: two blocks.
	if !k.SumFrom(&h.inner, &h.outer, m.state, 2*sha256.BlockSize, &h.sum, out, msg[sha256.BlockSize:]) {
		m.key = nil
		k.Sum(&h.inner, &h.outer, &h.sum, out, msg)
	}
}
