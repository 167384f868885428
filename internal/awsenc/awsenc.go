// Package awsenc holds the byte-level pieces of SigV4 that sigv4 and
// presign both use on their hot paths: the percent-encoding of the
// unreserved set, the date formats, access key ID checks, HMAC-SHA256
// with precomputed pad states, and SHA-256 digests that pad the message
// themselves (digest.go). It is internal: users call sigv4.
package awsenc

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"hash"
	"net/netip"
	"time"
)

// UpperHex is the digit set of percent-encoding.
const UpperHex = "0123456789ABCDEF"

// Unreserved[c] reports whether c is in SigV4's unreserved set
// A-Za-z0-9-._~, the only bytes never percent-encoded.
var Unreserved = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~'
	}
	return t
}()

// unreservedOrSlash is Unreserved with '/'.
var unreservedOrSlash = func() (t [256]bool) {
	t = Unreserved
	t['/'] = true
	return t
}()

// AppendEscaped appends s with every byte outside the unreserved set
// percent-encoded as %XX (upper-case hex). With keepSlash, '/' is kept.
func AppendEscaped[S ~string | ~[]byte](dst []byte, s S, keepSlash bool) []byte {
	safe := &Unreserved
	if keepSlash {
		safe = &unreservedOrSlash
	}
	dst, _ = appendEscaped(dst, s, safe)
	return dst
}

// AppendEscapedPath is AppendEscaped with '/' kept, for a path. It also
// reports whether it escaped a byte that net/url leaves alone in paths
// ($&+,:;=@): without one, net/url sends the path exactly as escaped here.
func AppendEscapedPath[S ~string | ~[]byte](dst []byte, path S) ([]byte, bool) {
	return appendEscaped(dst, path, &unreservedOrSlash)
}

// appendEscaped appends s with every byte that safe does not allow
// percent-encoded, and reports whether one of those is in netURLKeeps.
func appendEscaped[S ~string | ~[]byte](dst []byte, s S, safe *[256]bool) ([]byte, bool) {
	kept := false
	for len(s) > 0 {
		// Copy the longest run that needs no escaping in one go. The runs
		// between escapes are short (keys, paths): a table read per byte
		// beats UnreservedRun's eight-byte arithmetic on them.
		i := 0
		for i < len(s) && safe[s[i]] {
			i++
		}
		dst = append(dst, s[:i]...)
		if i == len(s) {
			break
		}
		c := s[i]
		kept = kept || netURLKeeps[c]
		dst = append(dst, '%', UpperHex[c>>4], UpperHex[c&15])
		s = s[i+1:]
	}
	return dst, kept
}

// UnreservedRun returns the length of the longest prefix of s in the
// unreserved set (with '/', when slash is set), eight bytes at a time.
func UnreservedRun[S ~string | ~[]byte](s S, slash bool) int {
	top := byte('.') // '-' and '.' are one range, and '/' follows them
	if slash {
		top = '/'
	}
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64([]byte(s[i : i+8]))
		m := inRange(x, 'A', 'Z') | inRange(x, 'a', 'z') | inRange(x, '0', '9') |
			inRange(x, '-', top) | inRange(x, '_', '_') | inRange(x, '~', '~')
		// A byte of 0x80 or more is in no range: its lane fails, and what
		// its carry does to its neighbours no longer matters.
		if m&^x&hi != hi {
			break
		}
	}
	safe := &Unreserved
	if slash {
		safe = &unreservedOrSlash
	}
	for i < len(s) && safe[s[i]] {
		i++
	}
	return i
}

// netURLKeeps[c] reports whether net/url leaves c unescaped in a path
// although SigV4 escapes it.
var netURLKeeps = func() (t [256]bool) {
	for _, c := range "$&+,:;=@" {
		t[c] = true
	}
	return t
}()

// AppendDate appends t's date as YYYYMMDD.
func AppendDate(dst []byte, t time.Time) []byte {
	y, m, d := t.Date()
	return append(dst,
		byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10),
		byte('0'+int(m)/10), byte('0'+int(m)%10),
		byte('0'+d/10), byte('0'+d%10))
}

// AppendAmzDate appends t as the ISO 8601 basic form YYYYMMDD'T'HHMMSS'Z'.
func AppendAmzDate(dst []byte, t time.Time) []byte {
	dst = AppendDate(dst, t)
	hh, mm, ss := t.Clock()
	return append(dst, 'T',
		byte('0'+hh/10), byte('0'+hh%10),
		byte('0'+mm/10), byte('0'+mm%10),
		byte('0'+ss/10), byte('0'+ss%10), 'Z')
}

// badHostByte and badKeyByte are the tables of ValidHost and
// ValidAccessKeyID.
var badHostByte, badKeyByte = func() (host, key [256]bool) {
	for c := range 256 {
		host[c] = c <= ' ' || c == '/' || c == 0x7f
		key[c] = host[c] || c == ',' || c == '='
	}
	return
}()

// ValidHost reports whether a host has no control character, space or
// '/', and, when it starts with '[', is an IP literal: an IPv6 address in
// brackets with an optional ":port", as net/url accepts it.
func ValidHost[S ~string | ~[]byte](s S) bool {
	if !noneOf(s, &badHostByte) {
		return false
	}
	if len(s) == 0 || s[0] != '[' {
		return true
	}
	end := -1
	for i := 0; i < len(s); i++ {
		if s[i] == ']' {
			end = i
			break
		}
	}
	if end < 0 {
		return false
	}
	if a, err := netip.ParseAddr(string(s[1:end])); err != nil || !a.Is6() {
		return false // RFC 3986 brackets IPv6 addresses only
	}
	port := s[end+1:]
	if len(port) == 0 {
		return true
	}
	if port[0] != ':' {
		return false
	}
	for i := 1; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	return true
}

// ValidAccessKeyID reports whether an access key ID can appear in a
// credential scope and an Authorization header: no control character,
// space, '/', ',' or '='.
func ValidAccessKeyID(s string) bool { return noneOf(s, &badKeyByte) }

func noneOf[S ~string | ~[]byte](s S, bad *[256]bool) bool {
	for i := 0; i < len(s); i++ {
		if bad[s[i]] {
			return false
		}
	}
	return true
}

// HMACKey is an HMAC-SHA256 key with the SHA-256 states after its inner
// and outer pads precomputed, so that a MAC costs only the compression of
// the message and of one digest.
type HMACKey struct {
	Key          [sha256.Size]byte
	inner, outer []byte // marshaled sha256 states after the pads
}

// NewHMACKey precomputes the pad states of a 32-byte key. h1 and h2 are
// scratch SHA-256 states.
func NewHMACKey(key [sha256.Size]byte, h1, h2 hash.Hash) *HMACKey {
	k := &HMACKey{Key: key}
	k.writePads(h1, h2)
	in, err1 := h1.(encoding.BinaryMarshaler).MarshalBinary()
	out, err2 := h2.(encoding.BinaryMarshaler).MarshalBinary()
	if err1 == nil && err2 == nil {
		k.inner, k.outer = in, out
	}
	return k
}

// writePads resets inner and outer and writes the key's HMAC pads.
func (k *HMACKey) writePads(inner, outer hash.Hash) {
	var pad [sha256.BlockSize]byte
	inner.Reset()
	outer.Reset()
	for i := range pad {
		pad[i] = 0x36
		if i < len(k.Key) {
			pad[i] ^= k.Key[i]
		}
	}
	inner.Write(pad[:])
	for i := range pad {
		pad[i] ^= 0x36 ^ 0x5c
	}
	outer.Write(pad[:])
}

// HasStates reports whether the pad states are precomputed (they always
// are with the standard library's SHA-256).
func (k *HMACKey) HasStates() bool { return k.inner != nil }

// Start sets inner to the state after the inner pad. It needs HasStates.
func (k *HMACKey) Start(inner hash.Hash) {
	if inner.(encoding.BinaryUnmarshaler).UnmarshalBinary(k.inner) != nil {
		k.writePads(inner, sha256.New())
	}
}

// SumFrom is Sum for a message whose inner hashing was saved in state,
// a marshaled SHA-256 state that has hashed done bytes (the inner pad and
// the message's first blocks): rest is the part of the message after them.
// It reports false, and writes nothing, when a state cannot be restored.
func (k *HMACKey) SumFrom(inner, outer *Digest, state []byte, done int, sum, out *[sha256.Size]byte, rest []byte) bool {
	return inner.From(state, done, rest, sum) && outer.From(k.outer, sha256.BlockSize, sum[:], out)
}

// Sum writes HMAC-SHA256(k, msg) into out, with inner and outer as scratch
// SHA-256 states and sum as scratch for the inner digest.
func (k *HMACKey) Sum(inner, outer *Digest, sum, out *[sha256.Size]byte, msg []byte) {
	if k.inner != nil && inner.From(k.inner, sha256.BlockSize, msg, sum) &&
		outer.From(k.outer, sha256.BlockSize, sum[:], out) {
		return
	}
	in, ou := inner.Hash(), outer.Hash()
	k.writePads(in, ou) // states that cannot be restored: pad again
	in.Write(msg)
	in.Sum(sum[:0])
	ou.Write(sum[:])
	ou.Sum(out[:0])
}

// EncodeHex32 writes the lower-case hex form of a SHA-256 digest into dst.
// It is encoding/hex.Encode for this one size, four bytes to one 8-byte
// store: the signer encodes two digests per signature.
func EncodeHex32(dst *[2 * sha256.Size]byte, src *[sha256.Size]byte) {
	for i := 0; i < sha256.Size; i += 4 {
		s := (*[4]byte)(src[i : i+4])
		binary.LittleEndian.PutUint64(dst[2*i:2*i+8], uint64(hexPairs[s[0]])|uint64(hexPairs[s[1]])<<16|
			uint64(hexPairs[s[2]])<<32|uint64(hexPairs[s[3]])<<48)
	}
}

// hexPairs[b] is the two hex digits of b, the first in the low byte.
var hexPairs = func() (t [256]uint16) {
	const digits = "0123456789abcdef"
	for b := range t {
		t[b] = uint16(digits[b>>4]) | uint16(digits[b&15])<<8
	}
	return t
}()

// ValidHex64 reports whether s is exactly 64 lower-case hex digits, the
// form of a hex SHA-256 digest. It checks eight bytes at a time.
func ValidHex64(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	ok := uint64(hi)
	for i := 0; i < len(s); i += 8 {
		x := binary.LittleEndian.Uint64([]byte(s[i : i+8]))
		ok &= (inRange(x, '0', '9') | inRange(x, 'a', 'f')) &^ x
	}
	return ok == hi
}

// hi is the high bit of every byte of a word.
const hi = 0x8080808080808080

// inRange sets the high bit of each byte of x that is in lo..hi, for bytes
// below 0x80 (the caller masks the others out with &^ x). Adding 0x80-lo
// sets the high bit of a byte >= lo, adding 0x7f-hi that of a byte > hi;
// neither carries into the next byte for bytes below 0x80.
func inRange(x uint64, lo, hi byte) uint64 {
	const ones = 0x0101010101010101
	return (x + ones*uint64(0x80-lo)) &^ (x + ones*uint64(0x7f-hi)) & 0x8080808080808080
}

// Lower8 lower-cases the ASCII letters among the eight bytes of x.
func Lower8(x uint64) uint64 {
	// Clear the high bits first so that inRange sees no byte >= 0x80,
	// then leave out the bytes that had one.
	upper := inRange(x&^hi, 'A', 'Z') &^ x
	return x | upper>>2 // 0x80>>2 is 'a'-'A'
}
