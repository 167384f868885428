package sigv4a

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"math/bits"
)

// algorithm is SigV4a's algorithm name: the first line of its string to
// sign, the start of its Authorization header, its X-Amz-Algorithm, and
// the label of its key derivation.
const algorithm = "AWS4-ECDSA-P256-SHA256"

// maxCounter is the last value of the key derivation's external counter.
// aws-c-auth stops at 254; aws-sdk-go-v2 and smithy-go at 255. No input is
// known that needs a second value, let alone the 254th.
const maxCounter = 254

// nMinus2 is n−2, where n is the order of P-256's base point, as four
// 64-bit limbs, most significant first. A candidate above it is rejected.
var nMinus2 = [4]uint64{
	0xffffffff00000000, 0xffffffffffffffff,
	0xbce6faada7179e84, 0xf3b9cac2fc63254f,
}

// DeriveKey derives the SigV4a private key of a pair of long-term or
// temporary credentials, as AWS does (aws-c-auth's
// aws_ecc_key_pair_new_ecdsa_p256_key_from_aws_credentials):
//
//  1. A key derivation function in counter mode, [NIST SP 800-108]
//     section 4.1, with HMAC-SHA256 as its PRF, makes a 256-bit candidate
//     c. Its key is "AWS4A" + secretAccessKey. Its fixed input is the
//     label "AWS4-ECDSA-P256-SHA256", a zero byte, the context (the
//     access key ID then one counter byte, 1 at first), and the output
//     length 256 as a 32-bit big-endian integer. One HMAC makes 256 bits,
//     so c is HMAC-SHA256(key, 00000001 || fixed input).
//  2. c is read as a big-endian integer. If c > n−2, where n is the order
//     of P-256, the counter byte is incremented and step 1 repeated.
//     This is the candidate test of [FIPS 186-4] appendix B.4.2.
//  3. The private key is d = c + 1, so 1 ≤ d ≤ n−1, and the public key is
//     d·G on P-256.
//
// The key depends on the access key ID and the secret only: not on the
// date, the region or the service, unlike a SigV4 signing key. It is the
// costly part of SigV4a (one P-256 scalar multiplication); signers and
// verifiers cache it.
//
// DeriveKey returns an error wrapping [ErrInvalidCredentials] for an empty
// access key ID or secret access key.
//
// (aws-c-auth, Envoy and FIPS 186-4 accept c = n−2; aws-sdk-go-v2 and
// smithy-go reject it. An HMAC output equal to n−2 is a 2^-256 event, so
// the two agree on every input anyone will meet.)
//
// [NIST SP 800-108]: https://csrc.nist.gov/pubs/sp/800/108/r1/upd1/final
// [FIPS 186-4]: https://csrc.nist.gov/pubs/fips/186-4/final
func DeriveKey(accessKeyID, secretAccessKey string) (*ecdsa.PrivateKey, error) {
	if accessKeyID == "" {
		return nil, fmt.Errorf("%w: empty access key ID", ErrInvalidCredentials)
	}
	if secretAccessKey == "" {
		return nil, fmt.Errorf("%w: empty secret access key", ErrInvalidCredentials)
	}
	k := newKDF(accessKeyID, secretAccessKey)
	priv, _, err := deriveFrom(k.candidate)
	return priv, err
}

// kdf computes the candidates of one access key ID and secret: the KDF
// output for each counter byte.
type kdf struct {
	mac       hash.Hash // HMAC-SHA256 keyed with "AWS4A" + secret
	input     []byte    // 00000001 || label || 00 || access key ID || counter || 00000100
	counterAt int       // index of the counter byte in input
}

func newKDF(accessKeyID, secret string) *kdf {
	key := make([]byte, 0, len("AWS4A")+len(secret))
	key = append(append(key, "AWS4A"...), secret...)
	mac := hmac.New(sha256.New, key)
	clear(key) // hmac.New keeps its own pads

	in := make([]byte, 0, 4+len(algorithm)+1+len(accessKeyID)+1+4)
	in = binary.BigEndian.AppendUint32(in, 1) // the KDF's own counter i: one block
	in = append(in, algorithm...)             // label
	in = append(in, 0)                        // separator
	in = append(in, accessKeyID...)           // context: the access key ID ...
	at := len(in)
	in = append(in, 0)                          // ... and the external counter
	in = binary.BigEndian.AppendUint32(in, 256) // L, the output length in bits
	return &kdf{mac: mac, input: in, counterAt: at}
}

// candidate returns the KDF output for the external counter byte.
func (k *kdf) candidate(counter byte) [32]byte {
	var c [32]byte
	k.input[k.counterAt] = counter
	k.mac.Reset()
	k.mac.Write(k.input)
	k.mac.Sum(c[:0])
	return c
}

// deriveFrom runs the candidate test over counters 1 to maxCounter and
// returns the private key of the first candidate accepted, and its
// counter. DeriveKey passes a kdf's candidate; tests pass their own to
// reach the rejections no known input reaches.
func deriveFrom(candidate func(counter byte) [32]byte) (*ecdsa.PrivateKey, int, error) {
	for counter := 1; counter <= maxCounter; counter++ {
		c := candidate(byte(counter))
		d, ok := privateScalar(&c)
		clear(c[:])
		if !ok {
			continue
		}
		priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
		clear(d[:])
		if err != nil { // unreachable: 1 ≤ d ≤ n−1
			return nil, counter, fmt.Errorf("%w: %v", ErrKeyDerivation, err)
		}
		return priv, counter, nil
	}
	return nil, maxCounter, fmt.Errorf("%w: the candidates of counters 1 to %d were all above n-2", ErrKeyDerivation, maxCounter)
}

// privateScalar returns c + 1 and true when c ≤ n−2, and false when c is
// rejected. It takes the same time for every c: the comparison is the
// borrow out of (n−2) − c, limb by limb.
func privateScalar(c *[32]byte) (d [32]byte, ok bool) {
	var limb [4]uint64
	for i := range limb {
		limb[i] = binary.BigEndian.Uint64(c[8*i:])
	}
	var borrow uint64
	for i := 3; i >= 0; i-- {
		_, borrow = bits.Sub64(nMinus2[i], limb[i], borrow)
	}
	carry := uint64(1)
	for i := 3; i >= 0; i-- {
		limb[i], carry = bits.Add64(limb[i], 0, carry)
	}
	for i := range limb {
		binary.BigEndian.PutUint64(d[8*i:], limb[i])
	}
	return d, borrow == 0
}
