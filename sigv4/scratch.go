package sigv4

import (
	"crypto/sha256"
	"hash"
	"sync"
	"sync/atomic"
)

// scratch is the reusable storage of one signature or verification: the
// request as the steps read it, their buffers, and the caches that make the
// next request of the same kind cheaper (scope.go, midstate.go, shape.go).
type scratch struct {
	msg     message       // the request being signed or verified
	res     result        // what the steps worked out for it
	params  presignParams // msg.presign, when presigning
	in      []byte        // the bytes of msg: host, path, query
	h       hmacer
	body    hash.Hash // hashes request bodies
	bodySum [sha256.Size]byte
	// payloadHex is the hex digest of a body the signer hashed
	// (result.hashed).
	payloadHex [2 * sha256.Size]byte
	hdr        headerBuf
	q          queryBuf

	creq   []byte // step 1: the canonical request
	hdrs   []byte // a presigned request's canonical headers block
	signed []byte // its signed headers list, when not the shape's
	sts    []byte // step 2: the string to sign
	sig    [sha256.Size]byte
	sigHex []byte // step 4: the signature, as sent
	out    []byte // a presigned URL
	strip  []byte // a query without presign parameters

	expires [20]byte // a presigned URL's X-Amz-Expires digits (params.expires)

	// Where step 1 wrote the canonical URI in creq, and whether it escaped
	// a byte that net/url leaves alone in paths (see Sign).
	uriStart, uriEnd int
	netURLKeeps      bool

	// The caches.
	scope     scopeCache
	mid       midstate
	shape     shape
	seen      []seenKey
	validHost []byte // the last host that passed its check
	validKey  string // the last access key ID that passed its check

	// The header pickers of step 1, kept here so that using them through
	// an interface allocates nothing.
	signPick   signerPicker
	verifyPick verifierPicker
	vshape     shapeKey // the verifier's key of the shape cache

	auth      auth      // a verified request's authentication
	authCache authCache // its last credential and SignedHeaders (authcache.go)
	dates     dateCache // the last X-Amz-Date a verifier parsed
	head      []byte
	hashHex   [2 * sha256.Size]byte
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// spareScratch is the scratch a Signer or a Verifier keeps between calls:
// its caches most likely fit the next request. Concurrent calls take more
// from a pool.
type spareScratch struct{ p atomic.Pointer[scratch] }

// get takes the spare scratch, or one from the pool when another goroutine
// has it.
func (s *spareScratch) get() *scratch {
	if sc := s.p.Swap(nil); sc != nil {
		return sc
	}
	return scratchPool.Get().(*scratch)
}

// put cleans sc and keeps it as the spare, or returns it to the pool. The
// caller has dropped what only it uses (putSigning, Verifier.putScratch).
func (s *spareScratch) put(sc *scratch) {
	if !cleanScratch(sc) {
		return
	}
	if !s.p.CompareAndSwap(nil, sc) {
		scratchPool.Put(sc)
	}
}

// putSigning drops what a signature left in sc (the credentials, the
// request's header values) and puts it back.
func (s *spareScratch) putSigning(sc *scratch) {
	sc.res = result{}
	sc.signPick = signerPicker{}
	s.put(sc)
}

// cleanScratch drops what sc holds of the last request (its strings, its
// header values) and reports whether sc is worth keeping (its buffers are
// not huge).
func cleanScratch(sc *scratch) bool {
	sc.msg = message{}
	sc.shape.clear()
	clear(sc.seen)
	sc.in = sc.in[:0]
	return cap(sc.creq) <= 64<<10 && cap(sc.q.b) <= 64<<10 && cap(sc.out) <= 64<<10 && cap(sc.in) <= 64<<10
}

func (sc *scratch) trace() *Trace {
	return &Trace{
		CanonicalRequest: string(sc.creq),
		StringToSign:     string(sc.sts),
		SignedHeaders:    string(sc.res.signed),
		CredentialScope:  sc.res.scope,
		Signature:        string(sc.sigHex),
	}
}
