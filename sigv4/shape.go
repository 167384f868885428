package sigv4

import (
	"net/http"
	"slices"
	"strings"
)

// The header shape cache.
//
// What it remembers: a service signs requests of a few shapes over and
// over, the same header keys with new values. shape remembers, per scratch,
// what step 1 worked out for the last key set (which keys are signed, under
// which lower-case names, in which order, merged how with the headers
// signed from the signer's own values), so that the next request with the
// same keys costs one map lookup per key instead of collecting,
// lower-casing and sorting again. Header signing without a SignHeader hook
// and verification use it; presigning does not.
//
// Why the result is byte-identical: the key set is the same exactly when
// the map has as many keys as before and every key seen before is in it,
// for the keys of a map are distinct. The values are always read from the
// request and canonicalized again. The decisions depend on nothing but the
// key set, the slots set before the walk (which the signer and the
// verifier derive from their configuration and the request's length) and
// the shapeKey: for the signer, a constant; for the verifier, the
// request's SignedHeaders list and whether an unsigned token is allowed.
// A shape is recorded only after step 1 succeeded, and a lookup that finds
// any difference falls back to the full walk.
type shape struct {
	ok     bool
	key    shapeKey
	mapLen int
	slots  uint8 // set before the walk
	// The map's keys: the signed ones, in line order (vals[i] holds the
	// values of signedKeys[i]), and the others.
	signedKeys []string
	otherKeys  []otherKey
	lines      []shapeLine // the canonical block
	labels     []string    // the labels of lines, kept for the next record
	label      []byte      // scratch for record
	signed     []byte      // the signed headers list
	vals       [][]string  // this request's values of the signed keys, in line order
	pos        []int       // scratch for record
	variant    bool        // result.variants of this key set
}

// shapeKey is what, besides the key set and the slots, decides which
// headers are signed: who picks them, and the verifier's SignedHeaders.
type shapeKey struct {
	owner uint8
	list  string // the verifier's SignedHeaders
}

// The owners of a shape.
const (
	shapeSigner           = 1 + iota
	shapeVerifier         // unsigned x-amz-security-token refused
	shapeVerifierAnyToken // unsigned x-amz-security-token allowed
)

// otherKey is a key of a shape's map that is not signed, and which of the
// headers Sign sets it is, if any.
type otherKey struct {
	key  string
	sets setKind
}

// setKind says which header Sign sets a key is.
type setKind uint8

const (
	setsNone setKind = iota
	setsAuth
	setsDate
	setsToken
	setsSHA256
	setsRegionSet
)

func setKindOf(k string) setKind {
	switch k {
	case "Authorization":
		return setsAuth
	case "X-Amz-Date":
		return setsDate
	case "X-Amz-Security-Token":
		return setsToken
	case "X-Amz-Content-Sha256":
		return setsSHA256
	case "X-Amz-Region-Set":
		return setsRegionSet
	}
	return setsNone
}

// shapeLine is one line of a shape's canonical block: its "name:" label,
// and a slot or vals[first:last].
type shapeLine struct {
	label       string
	slot        fixedSlot
	first, last int
}

// lookup reads h's values of the shape's signed keys into sh.vals and the
// values of the headers Sign sets into r, reporting whether h has the
// shape's key set.
func (sh *shape) lookup(h http.Header, slots uint8, key *shapeKey, r *result) bool {
	if !sh.ok || len(h) != sh.mapLen || slots != sh.slots || sh.key != *key {
		return false
	}
	vals := sh.vals[:len(sh.signedKeys)]
	for i, k := range sh.signedKeys {
		vv, ok := h[k]
		if !ok {
			return false
		}
		vals[i] = vv
	}
	for i := range sh.otherKeys {
		sk := &sh.otherKeys[i]
		vv, ok := h[sk.key]
		if !ok {
			return false
		}
		if key.owner != shapeSigner {
			continue // the verifier sets no header
		}
		switch sk.sets {
		case setsAuth:
			r.authSlot = vv
		case setsDate:
			r.dateSlot = vv
		case setsToken:
			r.tokenSlot = vv
			if vv == nil {
				r.tokenSlot = []string{}
			}
		case setsSHA256:
			r.sha256Slot = vv
		case setsRegionSet:
			r.regionSetSlot = vv
		}
	}
	r.variants = sh.variant
	return true
}

// appendCanonical appends the canonical headers block of the looked-up
// request to canon, the slots' values taken from hb.
func (sh *shape) appendCanonical(canon []byte, hb *headerBuf) ([]byte, error) {
	var err error
	for i := range sh.lines {
		ln := &sh.lines[i]
		canon = append(canon, ln.label...)
		switch {
		case ln.slot < numSlots:
			canon, err = hb.appendSlotValue(ln.slot, canon)
		case ln.last-ln.first == 1 && len(sh.vals[ln.first]) == 1 && !hasSpaceOrControl(sh.vals[ln.first][0]):
			canon = append(canon, sh.vals[ln.first][0]...) // one value, already canonical
		default:
			var ok bool
			if canon, ok = hb.appendValues(canon, ln.first, ln.last, sh.vals); !ok {
				err = crlfError([]byte(ln.label[:len(ln.label)-1]))
			}
		}
		if err != nil {
			return canon, err
		}
		canon = append(canon, '\n')
	}
	return canon, nil
}

// record remembers the key set of h as step 1 just handled it in hb, with
// the slots set before the walk and key: seen lists every key of h with its
// entry in hb, or -1 when it is not signed.
func (sh *shape) record(h http.Header, hb *headerBuf, seen []seenKey, signed []byte, slots uint8, key *shapeKey, variant bool) {
	sh.ok = false
	if len(h) != len(seen) || len(seen) == 0 {
		return // not every key was seen (never with a map left alone), or none
	}
	sh.mapLen, sh.slots, sh.variant = len(h), slots, variant
	if sh.key != *key {
		sh.key = shapeKey{key.owner, strings.Clone(key.list)} // not the request's string
	}
	sh.lines = sh.lines[:0]
	// pos[entry] is the entry's place in line order.
	sh.pos = slices.Grow(sh.pos[:0], len(hb.entries))[:len(hb.entries)]
	for p, e := range hb.order {
		sh.pos[e] = p
	}
	for i := range hb.lines {
		ln := &hb.lines[i]
		sh.label = append(append(sh.label[:0], hb.lineName(ln)...), ':')
		var label string
		if i < len(sh.labels) && sh.labels[i] == string(sh.label) {
			label = sh.labels[i] // a key set seen before: keep its string
		} else {
			label = string(sh.label)
		}
		sh.lines = append(sh.lines, shapeLine{label: label, slot: ln.slot, first: ln.first, last: ln.last})
	}
	sh.signedKeys = slices.Grow(sh.signedKeys[:0], len(hb.entries))[:len(hb.entries)]
	sh.otherKeys = sh.otherKeys[:0]
	for _, sk := range seen {
		if sk.entry >= 0 {
			sh.signedKeys[sh.pos[sk.entry]] = sk.key
		} else {
			sh.otherKeys = append(sh.otherKeys, otherKey{key: sk.key, sets: setKindOf(sk.key)})
		}
	}
	sh.labels = sh.labels[:0]
	for i := range sh.lines {
		sh.labels = append(sh.labels, sh.lines[i].label)
	}
	sh.signed = append(sh.signed[:0], signed...)
	n := len(hb.entries)
	if cap(sh.vals) < n {
		sh.vals = make([][]string, n)
	}
	sh.vals = sh.vals[:n]
	sh.ok = true
}

// seenKey is a request header key met by the slow path, and its entry in
// the headerBuf, or -1 when it is not signed.
type seenKey struct {
	key   string
	entry int
}

// clear drops the request's values (kept until the next lookup otherwise).
func (sh *shape) clear() { clear(sh.vals) }
