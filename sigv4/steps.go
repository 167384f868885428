package sigv4

import (
	"crypto/sha256"
	"time"

	"github.com/sigv4kit/sigv4kit/internal/awsenc"
)

// The four steps of a signature, in the order of the package doc. A Signer
// runs them in compute (sign.go); a Verifier runs the same ones on the
// request it received (verify.go). What differs between the two is in the
// message they read (request.go): which headers are signed, which query
// parameters are left out or added.

// Step 1, the canonical request.

// canonicalRequest writes the canonical request of sc.msg into sc.creq:
// the method, the canonical URI, the canonical query, the canonical
// headers, the signed headers list and the payload line, one per line.
func (sc *scratch) canonicalRequest() error {
	m := &sc.msg
	if !m.queryParsed {
		sc.q.reset()
		if err := sc.q.parse(m.query, m.skip); err != nil {
			return err
		}
	}
	// A presigned URL signs the headers list in its query: its headers are
	// worked out before the query is written.
	var err error
	if m.presign != nil {
		if sc.hdrs, err = sc.canonicalHeaders(sc.hdrs[:0]); err != nil {
			return err
		}
	}
	b := append(sc.creq[:0], m.method...)
	b = append(b, '\n')
	sc.uriStart = len(b)
	b = sc.appendURI(b)
	sc.uriEnd = len(b)
	b = append(b, '\n')
	b = sc.appendQuery(b)
	b = append(b, '\n')
	if m.presign != nil {
		b = append(b, sc.hdrs...)
	} else if b, err = sc.canonicalHeaders(b); err != nil {
		sc.creq = b
		return err
	}
	b = append(b, '\n')
	b = append(b, sc.res.signed...)
	b = append(b, '\n')
	b = append(b, m.payload...)
	b = append(b, m.payloadHex...) // one of the two is empty
	sc.creq = b
	return nil
}

// appendURI appends the canonical URI: the path escaped once (S3), or
// normalized and escaped again (other services; see [CanonicalURI]).
func (sc *scratch) appendURI(b []byte) []byte {
	m := &sc.msg
	switch {
	case m.escaped:
		sc.netURLKeeps = false // only Sign reads it, and never for Parts
		return append(b, m.path...)
	case m.single:
		b, sc.netURLKeeps = awsenc.AppendEscapedPath(b, m.path)
		return b
	}
	sc.netURLKeeps = false
	return appendCanonicalURI(b, m.path, m.normalize)
}

// appendQuery appends the canonical query (see [CanonicalQuery]): the
// request's parameters, parsed into sc.q, and when presigning the presign
// parameters, sorted together.
func (sc *scratch) appendQuery(b []byte) []byte {
	p := sc.msg.presign
	if p == nil {
		return sc.q.appendCanonical(b)
	}
	if len(sc.q.pairs) == 0 {
		// The presign parameters alone, written in their sorted order.
		b = append(b, "X-Amz-Algorithm="...)
		b = append(b, p.algorithm...)
		b = append(b, "&X-Amz-Credential="...)
		b = append(b, p.credential...)
		b = append(b, "&X-Amz-Date="...)
		b = append(b, p.amzDate...)
		b = append(b, "&X-Amz-Expires="...)
		b = append(b, p.expires...)
		if p.regionSet != "" {
			b = append(b, "&X-Amz-Region-Set="...)
			b = appendEscaped(b, p.regionSet, false)
		}
		if p.token != "" {
			b = append(b, "&X-Amz-Security-Token="...)
			b = appendEscaped(b, p.token, false)
		}
		b = append(b, "&X-Amz-SignedHeaders="...)
		return appendEscaped(b, sc.res.signed, false)
	}
	// They join the request's own parameters before sorting; tmp holds
	// each escaped value until add copies it.
	q := &sc.q
	q.add("X-Amz-Algorithm", []byte(p.algorithm))
	q.add("X-Amz-Credential", p.credential)
	q.add("X-Amz-Date", p.amzDate)
	q.add("X-Amz-Expires", p.expires)
	tmp := sc.sts[:0]
	if p.regionSet != "" {
		tmp = appendEscaped(tmp[:0], p.regionSet, false)
		q.add("X-Amz-Region-Set", tmp)
	}
	if p.token != "" {
		tmp = appendEscaped(tmp[:0], p.token, false)
		q.add("X-Amz-Security-Token", tmp)
	}
	tmp = appendEscaped(tmp[:0], sc.res.signed, false)
	q.add("X-Amz-SignedHeaders", tmp)
	sc.sts = tmp
	return q.appendCanonical(b)
}

// canonicalHeaders appends the canonical headers block to b and points
// sc.res.signed at the signed headers list (see
// [CanonicalHeaders]): the request headers that m.pick signs, merged with
// the headers signed from the signer's own values (the slots of sc.hdr).
// A request with the header keys of the last one reuses its shape
// (shape.go).
func (sc *scratch) canonicalHeaders(b []byte) ([]byte, error) {
	m, hb, sh := &sc.msg, &sc.hdr, &sc.shape
	if err := m.pick.begin(hb); err != nil {
		return b, err
	}
	var err error
	if m.shape != nil && sh.lookup(m.header, hb.slots, m.shape, &sc.res) {
		if err = m.pick.reuse(sh); err != nil {
			return b, err
		}
		b, err = sh.appendCanonical(b, hb)
		sc.res.signed = sh.signed // read only: nothing is recorded before the caller is done
		return b, err
	}
	slots := hb.slots
	if m.shape != nil {
		sh.ok = false // it is recorded again below
	}
	if err = sc.collectHeaders(); err != nil {
		return b, err
	}
	if err = m.pick.end(hb); err != nil {
		return b, err
	}
	if b, sc.signed, err = hb.appendCanonical(b, sc.signed[:0]); err != nil {
		return b, err
	}
	sc.res.signed = sc.signed
	if m.shape != nil {
		sh.record(m.header, hb, sc.seen, sc.signed, slots, m.shape, sc.res.variants)
	}
	return b, nil
}

// collectHeaders adds to sc.hdr the request headers that m.pick signs and,
// for the shape cache, lists every key in sc.seen with its entry (-1: not
// signed).
func (sc *scratch) collectHeaders() error {
	m, hb := &sc.msg, &sc.hdr
	seen := sc.seen[:0]
	for k, vv := range m.header {
		entry := -1
		if m.pick.byKey(k, vv) {
			n := hb.add(k, vv)
			sign, err := m.pick.byName(k, hb.name(n), vv)
			if err != nil {
				sc.seen = seen
				return err
			}
			if sign {
				entry = n
			} else {
				hb.drop(n)
			}
		}
		if m.shape != nil {
			seen = append(seen, seenKey{k, entry})
		}
	}
	sc.seen = seen
	return nil
}

// headerPicker chooses the request headers that step 1 signs: the
// signer's rules (signerPicker, request.go) or, for the verifier, the names
// the request lists (verifierPicker, verify.go).
type headerPicker interface {
	// begin runs before the headers are read: it sets slots in hb.
	begin(hb *headerBuf) error
	// byKey decides on a key before it is lower-cased: false leaves it
	// unsigned.
	byKey(k string, vv []string) bool
	// byName decides on a key by its lower-case name, or refuses the
	// request.
	byName(k string, name []byte, vv []string) (bool, error)
	// end runs after every key was seen.
	end(hb *headerBuf) error
	// reuse runs instead of byKey, byName and end when the request has
	// the key set of sh, a shape recorded under the same shapeKey.
	reuse(sh *shape) error
}

// Step 2, the string to sign.

// stringToSign writes into sc.sts the string to sign: head (the algorithm,
// the request time and the credential scope, one per line) and the hex
// SHA-256 of the canonical request.
func (sc *scratch) stringToSign(head []byte) {
	var sum [sha256.Size]byte
	sc.h.inner.Sum256(&sum, sc.creq)
	t := append(sc.sts[:0], head...)
	n := len(t)
	t = append(t, make([]byte, 2*sha256.Size)...)
	awsenc.EncodeHex32((*[2 * sha256.Size]byte)(t[n:]), &sum)
	sc.sts = t
}

// Step 3, the signing key.

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

// derive runs the four HMACs of the key derivation. Signers and Verifiers
// call it through their key caches (keycache.go).
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

// Step 4, the signature.

// signature writes into sc.sigHex the hex HMAC-SHA256 of the string to
// sign with key. The HMAC's state after the string's first block is reused
// while it stays the same (midstate.go).
func (sc *scratch) signature(key *signingKey) {
	sc.h.signFrom(key, &sc.mid, &sc.sig, sc.sts)
	sc.sigHex = appendHex32(sc.sigHex[:0], &sc.sig)
}

// appendHex32 appends the lower-case hex of a SHA-256 digest.
func appendHex32(dst []byte, sum *[sha256.Size]byte) []byte {
	n := len(dst)
	dst = append(dst, make([]byte, 2*sha256.Size)...)
	awsenc.EncodeHex32((*[2 * sha256.Size]byte)(dst[n:]), sum)
	return dst
}
