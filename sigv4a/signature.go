package sigv4a

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// The signature step of SigV4a: where SigV4 computes HMAC-SHA256 of the
// string to sign with a signing key, SigV4a computes an ECDSA P-256
// signature of its SHA-256 with the derived private key, encodes it in
// ASN.1 DER (a SEQUENCE of the INTEGERs r and s), and sends the lower-case
// hex of the DER bytes:
//
//	30 len 02 len(r) r 02 len(s) s
//
// ECDSA signatures are randomized, so every signature of the same string
// differs; and DER integers are minimal and signed (a leading zero byte when
// the top bit is set), so the length varies: mostly 70 to 72 bytes (140 to
// 144 hex digits), and shorter about once in 256 signatures, when r or s
// starts with 9 or more zero bits. Nothing that carries a SigV4a signature
// may assume SigV4's 64 hex digits. A verifier checks the signature with the
// public key instead of recomputing it.

// maxSignatureLen is the longest DER signature of P-256: a SEQUENCE header
// of 2 bytes and two INTEGERs of at most 2 + 33 bytes each.
const maxSignatureLen = 2 + 2*(2+33)

// minSignatureLen is the shortest DER encoding of two INTEGERs.
const minSignatureLen = 2 + 2*(2+1)

// appendSignature appends to dst the hex DER ECDSA signature of the
// SHA-256 of stringToSign with priv.
func appendSignature(dst []byte, priv *ecdsa.PrivateKey, stringToSign []byte) ([]byte, error) {
	digest := sha256.Sum256(stringToSign)
	der, err := ecdsa.SignASN1(rand.Reader, priv, digest[:])
	if err != nil {
		return dst, fmt.Errorf("sigv4a: sign: %w", err)
	}
	return hex.AppendEncode(dst, der), nil
}

// verifySignature checks signature, the hex DER ECDSA signature a request
// carries, against the SHA-256 of stringToSign and pub. It returns nil, an
// error wrapping errMalformedSignature for anything but the lower-case hex
// of 8 to 72 bytes, or errSignatureMismatch.
func verifySignature(pub *ecdsa.PublicKey, stringToSign []byte, signature string) error {
	var buf [maxSignatureLen]byte
	der, ok := decodeLowerHex(buf[:0], signature)
	if !ok {
		return fmt.Errorf("%w: want the lower-case hex of a DER ECDSA signature, %d to %d hex digits; got %d characters",
			errMalformedSignature, 2*minSignatureLen, 2*maxSignatureLen, len(signature))
	}
	digest := sha256.Sum256(stringToSign)
	if !ecdsa.VerifyASN1(pub, digest[:], der) {
		return errSignatureMismatch
	}
	return nil
}

// decodeLowerHex appends to dst (of capacity maxSignatureLen) the bytes of
// s, the lower-case hex of minSignatureLen to maxSignatureLen bytes.
func decodeLowerHex(dst []byte, s string) ([]byte, bool) {
	if len(s)%2 != 0 || len(s) < 2*minSignatureLen || len(s) > 2*maxSignatureLen {
		return nil, false
	}
	for i := 0; i < len(s); i += 2 {
		hi, ok1 := lowerHexDigit(s[i])
		lo, ok2 := lowerHexDigit(s[i+1])
		if !ok1 || !ok2 {
			return nil, false
		}
		dst = append(dst, hi<<4|lo)
	}
	return dst, true
}

func lowerHexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// publicKeyCoordinates returns the affine coordinates X and Y of pub as
// 64 lower-case hex digits each, the form of the suite's public-key.json:
// what Explain shows learners, and what a SigV4a verifier elsewhere needs
// to check this signer's signatures.
func publicKeyCoordinates(pub *ecdsa.PublicKey) (x, y string, err error) {
	b, err := pub.Bytes() // 04 || X || Y
	if err != nil {
		return "", "", fmt.Errorf("sigv4a: public key: %w", err)
	}
	if len(b) != 1+2*32 {
		return "", "", fmt.Errorf("sigv4a: public key: not a P-256 point (%d bytes)", len(b))
	}
	return hex.EncodeToString(b[1:33]), hex.EncodeToString(b[33:]), nil
}
