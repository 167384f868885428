package sigv4

import (
	"crypto/sha256"

	"github.com/sigv4kit/sigv4kit/internal/awsenc"
)

// hmacer computes HMAC-SHA256 with two reusable SHA-256 states and no
// allocations: the primitive of steps 3 and 4. Its inner state also hashes
// the canonical request of step 2.
type hmacer struct {
	inner, outer awsenc.Digest
	pad          [sha256.BlockSize]byte
	sum          [sha256.Size]byte
	key          [sha256.Size]byte
	tmp          []byte
}

// init makes the states now rather than on first use.
func (h *hmacer) init() {
	h.inner.Init()
	h.outer.Init()
}

// mac writes HMAC-SHA256(key, msg) into out.
func (h *hmacer) mac(out *[sha256.Size]byte, key []byte, msg ...[]byte) {
	h.setPads(key)
	inner, outer := h.inner.Hash(), h.outer.Hash()
	for _, m := range msg {
		inner.Write(m)
	}
	inner.Sum(h.sum[:0])
	outer.Write(h.sum[:])
	outer.Sum(out[:0])
}

// setPads resets the states to HMAC's inner and outer pads of key.
func (h *hmacer) setPads(key []byte) {
	if len(key) > sha256.BlockSize {
		s := sha256.Sum256(key)
		key = s[:]
	}
	inner, outer := h.inner.Hash(), h.outer.Hash()
	inner.Reset()
	outer.Reset()
	for i := range h.pad {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		h.pad[i] = k ^ 0x36
	}
	inner.Write(h.pad[:])
	for i := range h.pad {
		h.pad[i] ^= 0x36 ^ 0x5c
	}
	outer.Write(h.pad[:])
}

// signingKey is a derived key with HMAC's inner and outer SHA-256 states
// precomputed, so that a signature costs one HMAC's compression rounds.
type signingKey = awsenc.HMACKey

func newSigningKey(h *hmacer, key [sha256.Size]byte) *signingKey {
	return awsenc.NewHMACKey(key, h.inner.Hash(), h.outer.Hash())
}

// sign writes HMAC-SHA256(k, msg) into out using k's precomputed states.
func (h *hmacer) sign(k *signingKey, out *[sha256.Size]byte, msg []byte) {
	k.Sum(&h.inner, &h.outer, &h.sum, out, msg)
}
