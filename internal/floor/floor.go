// Package floor is the benchmark floor of ANCHORS.md, shared by the
// benchmarks of sigv4 and presign: the work no SigV4 signer can skip, which
// is SHA-256 of the canonical request, hex, one HMAC with the signing key's
// pad states precomputed, and hex again, into reused buffers.
package floor

import (
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/sigv4"
)

// New returns one round of the floor for the signature that tr explains,
// with key its signing key. A round returns the hex signature it computed;
// New checks that it is tr's.
func New(tb testing.TB, tr *sigv4.Trace, key []byte) func() []byte {
	tb.Helper()
	creq := []byte(tr.CanonicalRequest)
	var pad [sha256.BlockSize]byte
	inner, outer := sha256.New(), sha256.New()
	for i := range pad {
		pad[i] = 0x36
		if i < len(key) {
			pad[i] ^= key[i]
		}
	}
	inner.Write(pad[:])
	for i := range pad {
		pad[i] ^= 0x36 ^ 0x5c
	}
	outer.Write(pad[:])
	innerState, _ := inner.(encoding.BinaryMarshaler).MarshalBinary()
	outerState, _ := outer.(encoding.BinaryMarshaler).MarshalBinary()
	prefix := len(tr.StringToSign) - 2*sha256.Size // the string to sign up to the hash
	sts := []byte(tr.StringToSign[:prefix])
	var sum, mac [sha256.Size]byte
	var sig [2 * sha256.Size]byte
	round := func() []byte {
		sum = sha256.Sum256(creq)
		sts = hex.AppendEncode(sts[:prefix], sum[:])
		inner.(encoding.BinaryUnmarshaler).UnmarshalBinary(innerState)
		inner.Write(sts)
		inner.Sum(mac[:0])
		outer.(encoding.BinaryUnmarshaler).UnmarshalBinary(outerState)
		outer.Write(mac[:])
		outer.Sum(mac[:0])
		hex.Encode(sig[:], mac[:])
		return sig[:]
	}
	if got := round(); string(got) != tr.Signature {
		tb.Fatalf("floor: signature %s, the signer's %s", got, tr.Signature)
	}
	return round
}

// Ratio runs work and the floor in alternating batches of 100, so that the
// load of a shared machine weighs on both alike, and reports work's time
// over the floor's as x-floor.
func Ratio(b *testing.B, work func(), round func() []byte) {
	RatioTo(b, work, func() { round() }, "x-floor")
}

// RatioTo runs work and base in alternating batches of 100, as Ratio does,
// and reports work's time over base's under unit ("x-sign").
func RatioTo(b *testing.B, work, base func(), unit string) {
	var tw, tf time.Duration
	for b.Loop() {
		t0 := time.Now()
		for range 100 {
			work()
		}
		t1 := time.Now()
		for range 100 {
			base()
		}
		tf += time.Since(t1)
		tw += t1.Sub(t0)
	}
	b.ReportMetric(float64(tw)/float64(tf), unit)
}
