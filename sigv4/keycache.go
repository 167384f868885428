package sigv4

import (
	"sync"
	"sync/atomic"
)

// The signing-key cache.
//
// What it remembers: the signing keys of step 3, each with HMAC's inner and
// outer SHA-256 states precomputed (see [signingKey]), for the last secrets,
// dates, regions and services seen: at most [Config.KeyCacheSize] of them
// in a keyCache shared by a Signer and those ForRegion derives from it, and
// the last one used in each Signer or Verifier (keyStore.last), checked
// first without a lock.
//
// Why the result is byte-identical: a signing key is a pure function of the
// secret, the date, the region and the service, and all four are the
// cache's key, compared in full (the access key ID too). A secret rotated
// under the same access key ID is a new key, never a stale one.

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

// cachedKey is a keyStore's most recently used key.
type cachedKey struct {
	id  keyID
	key *signingKey
}

// keyStore is where a Signer or a Verifier finds its signing keys: the
// shared cache, and the last key used, checked first without a lock.
type keyStore struct {
	keys *keyCache
	last atomic.Pointer[cachedKey]
}

// key returns the signing key of secret for date (YYYYMMDD), region and
// service, under accessKey. The last key is checked field by field before
// a keyID is built.
func (ks *keyStore) key(h *hmacer, accessKey, secret string, date []byte, region, service string) *signingKey {
	if c := ks.last.Load(); c != nil && c.id.accessKey == accessKey && c.id.secret == secret &&
		string(c.id.date[:]) == string(date) && c.id.region == region && c.id.service == service {
		return c.key
	}
	id := keyID{accessKey: accessKey, secret: secret, region: region, service: service}
	copy(id.date[:], date)
	k := ks.keys.get(h, &id)
	if ks.keys.max > 0 {
		ks.last.Store(&cachedKey{id: id, key: k})
	}
	return k
}
