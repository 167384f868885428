package sigv4a

import (
	"crypto/ecdsa"
	"sync"
)

// The key cache. A SigV4a private key depends on the access key ID and the
// secret only, never on the date, region or service, and deriving it costs
// a P-256 scalar multiplication (see DeriveKey), more than the signature it
// is for. So a signer derives the key of its credentials once, and a
// verifier the key of each access key it has seen recently; each owns one
// keyCache (no cache is shared between them, and none is global).
//
// The cache is keyed by the access key ID and the secret together, so a
// secret rotated under the same access key ID is derived anew and never
// meets the stale key. It holds at most max keys; when full, it evicts an
// arbitrary one, as sigv4's signing-key cache does. It is safe for
// concurrent use; a key missing from it is derived outside the lock, so
// two goroutines may both derive it, and both get the same key.
//
// The cache holds secrets (the map keys) and private keys: its owner keeps
// it behind a pointer and prints redacted.

// defaultKeyCacheSize is the capacity of newKeyCache(0): room for the keys
// of a signer's rotating credentials, or of a verifier's active users.
const defaultKeyCacheSize = 64

// cacheKey identifies a derived key.
type cacheKey struct {
	accessKeyID, secret string
}

// keyCache is a bounded, concurrency-safe cache of derived SigV4a private
// keys, keyed by access key ID and secret.
type keyCache struct {
	mu  sync.Mutex
	m   map[cacheKey]*ecdsa.PrivateKey
	max int // 0: no caching
}

// newKeyCache returns a cache of at most size keys: defaultKeyCacheSize
// for 0, and no caching at all (every get derives) for a negative size.
func newKeyCache(size int) *keyCache {
	if size == 0 {
		size = defaultKeyCacheSize
	}
	if size < 0 {
		return &keyCache{}
	}
	return &keyCache{m: make(map[cacheKey]*ecdsa.PrivateKey, min(size, defaultKeyCacheSize)), max: size}
}

// get returns the private key of the credentials, deriving and caching it
// if needed. Errors (empty credentials) are not cached.
func (c *keyCache) get(accessKeyID, secret string) (*ecdsa.PrivateKey, error) {
	if c.max == 0 {
		return DeriveKey(accessKeyID, secret)
	}
	id := cacheKey{accessKeyID, secret}
	c.mu.Lock()
	k, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return k, nil
	}
	k, err := DeriveKey(accessKeyID, secret)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[id]; ok { // derived meanwhile by another goroutine
		return old, nil
	}
	if len(c.m) >= c.max {
		for old := range c.m { // evict an arbitrary entry
			delete(c.m, old)
			break
		}
	}
	c.m[id] = k
	return k, nil
}

// len returns the number of cached keys.
func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
