package sigv4

import (
	"crypto/sha256"
	"encoding"
	"hash"
	"sync"
	"time"

	"github.com/sigv4kit/sigv4kit/internal/awsenc"
)

// SigningKey derives the SigV4 signing key for a secret access key, a day,
// a region and a service:
//
//	kDate    = HMAC-SHA256("AWS4" + secret, "20150830")
//	kRegion  = HMAC-SHA256(kDate, "us-east-1")
//	kService = HMAC-SHA256(kRegion, "iam")
//	kSigning = HMAC-SHA256(kService, "aws4_request")
//
// Only the UTC date of t is used. The key is valid for that day, region and
// service; the signature of a string to sign is HMAC-SHA256(kSigning, sts).
// A [Signer] derives keys itself and caches them.
func SigningKey(secret string, t time.Time, region, service string) []byte {
	var h hmacer
	var date [8]byte
	awsenc.AppendDate(date[:0], t.UTC())
	k := h.derive(secret, date[:], region, service)
	return k[:]
}

// hmacer computes HMAC-SHA256 with two reusable SHA-256 states and no
// allocations.
type hmacer struct {
	inner, outer hash.Hash
	pad          [sha256.BlockSize]byte
	sum          [sha256.Size]byte
	key          [sha256.Size]byte
	tmp          []byte
}

func (h *hmacer) init() {
	if h.inner == nil {
		h.inner, h.outer = sha256.New(), sha256.New()
	}
}

// mac writes HMAC-SHA256(key, msg) into out. key is at most 64 bytes.
func (h *hmacer) mac(out *[sha256.Size]byte, key []byte, msg ...[]byte) {
	h.init()
	h.setPads(key)
	for _, m := range msg {
		h.inner.Write(m)
	}
	h.inner.Sum(h.sum[:0])
	h.outer.Write(h.sum[:])
	h.outer.Sum(out[:0])
}

// setPads resets the states to HMAC's inner and outer pads of key.
func (h *hmacer) setPads(key []byte) {
	if len(key) > sha256.BlockSize {
		s := sha256.Sum256(key)
		key = s[:]
	}
	h.inner.Reset()
	h.outer.Reset()
	for i := range h.pad {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		h.pad[i] = k ^ 0x36
	}
	h.inner.Write(h.pad[:])
	for i := range h.pad {
		h.pad[i] ^= 0x36 ^ 0x5c
	}
	h.outer.Write(h.pad[:])
}

// derive runs the four HMACs of the key derivation.
func (h *hmacer) derive(secret string, date []byte, region, service string) [sha256.Size]byte {
	h.tmp = append(append(h.tmp[:0], "AWS4"...), secret...)
	h.mac(&h.key, h.tmp, date)
	h.tmp = append(h.tmp[:0], region...)
	h.mac(&h.key, h.key[:], h.tmp)
	h.tmp = append(h.tmp[:0], service...)
	h.mac(&h.key, h.key[:], h.tmp)
	h.tmp = append(h.tmp[:0], "aws4_request"...)
	h.mac(&h.key, h.key[:], h.tmp)
	return h.key
}

// signingKey is a derived key with HMAC's inner and outer SHA-256 states
// precomputed, so that a signature costs one HMAC's compression rounds.
type signingKey = awsenc.HMACKey

func newSigningKey(h *hmacer, key [sha256.Size]byte) *signingKey {
	h.init()
	return awsenc.NewHMACKey(key, h.inner, h.outer)
}

// sign writes HMAC-SHA256(k, msg) into out using k's precomputed states.
func (h *hmacer) sign(k *signingKey, out *[sha256.Size]byte, msg []byte) {
	h.init()
	k.Sum(h.inner, h.outer, &h.sum, out, msg)
}

// midstate is the inner SHA-256 state of an HMAC with key after the first
// block of a message that starts with head; the strings to sign of one
// second and scope share their first block.
type midstate struct {
	key   *signingKey
	head  [sha256.BlockSize]byte
	state []byte // marshaled
}

// signFrom is sign, reusing m when msg starts with m's head under key and
// refreshing m otherwise.
func (h *hmacer) signFrom(k *signingKey, m *midstate, out *[sha256.Size]byte, msg []byte) {
	h.init()
	if len(msg) < sha256.BlockSize || !k.HasStates() {
		k.Sum(h.inner, h.outer, &h.sum, out, msg)
		return
	}
	if m.key != k || string(m.head[:]) != string(msg[:sha256.BlockSize]) {
		k.Start(h.inner)
		h.inner.Write(msg[:sha256.BlockSize])
		state, err := h.inner.(encoding.BinaryAppender).AppendBinary(m.state[:0])
		if err != nil {
			k.Sum(h.inner, h.outer, &h.sum, out, msg)
			return
		}
		m.key, m.state = k, state
		copy(m.head[:], msg)
	}
	if !k.SumFrom(h.inner, h.outer, m.state, &h.sum, out, msg[sha256.BlockSize:]) {
		m.key = nil
		k.Sum(h.inner, h.outer, &h.sum, out, msg)
	}
}

// keyID identifies a derived key. The secret is part of it, so a rotated
// secret under the same access key never reuses a stale key.
type keyID struct {
	accessKey, secret string
	date              [8]byte
	region, service   string
}

// keyCache is a bounded, concurrency-safe cache of derived signing keys.
type keyCache struct {
	mu  sync.Mutex
	m   map[keyID]*signingKey
	max int
}

func newKeyCache(size int) *keyCache {
	if size == 0 {
		size = 64
	}
	if size < 0 {
		return &keyCache{}
	}
	return &keyCache{m: make(map[keyID]*signingKey, min(size, 64)), max: size}
}

// get returns the signing key for id, deriving and caching it if needed.
func (c *keyCache) get(h *hmacer, id *keyID) *signingKey {
	if c.max == 0 {
		return newSigningKey(h, h.derive(id.secret, id.date[:], id.region, id.service))
	}
	c.mu.Lock()
	k, ok := c.m[*id]
	c.mu.Unlock()
	if ok {
		return k
	}
	k = newSigningKey(h, h.derive(id.secret, id.date[:], id.region, id.service))
	c.mu.Lock()
	if len(c.m) >= c.max {
		for old := range c.m { // evict an arbitrary entry
			delete(c.m, old)
			break
		}
	}
	c.m[*id] = k
	c.mu.Unlock()
	return k
}
