// Package awsenc holds the byte-level pieces of SigV4 that sigv4 and
// presign both use on their hot paths: the percent-encoding of the
// unreserved set, the date formats, access key ID checks and HMAC-SHA256
// with precomputed pad states. It is internal: users call sigv4.
package awsenc

import (
	"crypto/sha256"
	"encoding"
	"hash"
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

// AppendEscaped appends s with every byte outside the unreserved set
// percent-encoded as %XX (upper-case hex). With keepSlash, '/' is kept.
func AppendEscaped[S ~string | ~[]byte](dst []byte, s S, keepSlash bool) []byte {
	for len(s) > 0 {
		// Copy the longest run that needs no escaping in one go.
		i := 0
		for i < len(s) && (Unreserved[s[i]] || keepSlash && s[i] == '/') {
			i++
		}
		dst = append(dst, s[:i]...)
		if i == len(s) {
			break
		}
		c := s[i]
		dst = append(dst, '%', UpperHex[c>>4], UpperHex[c&15])
		s = s[i+1:]
	}
	return dst
}

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

// ValidHost reports whether a host has no control character, space or '/'.
func ValidHost(s string) bool { return noneOf(s, &badHostByte) }

// ValidAccessKeyID reports whether an access key ID can appear in a
// credential scope and an Authorization header: no control character,
// space, '/', ',' or '='.
func ValidAccessKeyID(s string) bool { return noneOf(s, &badKeyByte) }

func noneOf(s string, bad *[256]bool) bool {
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

// Sum writes HMAC-SHA256(k, msg) into out, with inner and outer as scratch
// SHA-256 states and sum as scratch for the inner digest.
func (k *HMACKey) Sum(inner, outer hash.Hash, sum, out *[sha256.Size]byte, msg []byte) {
	if k.inner == nil ||
		inner.(encoding.BinaryUnmarshaler).UnmarshalBinary(k.inner) != nil ||
		outer.(encoding.BinaryUnmarshaler).UnmarshalBinary(k.outer) != nil {
		k.writePads(inner, outer) // states that cannot be restored: pad again
	}
	inner.Write(msg)
	inner.Sum(sum[:0])
	outer.Write(sum[:])
	outer.Sum(out[:0])
}
