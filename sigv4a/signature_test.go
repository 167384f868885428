package sigv4a

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// testSTS is the string to sign of the suite's get-vanilla (header form).
const testSTS = "AWS4-ECDSA-P256-SHA256\n20150830T123600Z\n20150830/service/aws4_request\n" +
	"cf59db423e841c8b7e3444158185aa261b724a5c27cbe762676f3eed19f4dc02"

func testKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := DeriveKey("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestSignVerify signs and verifies: our signatures are lower-case hex DER
// of 8 to 72 bytes, differ each time (ECDSA is randomized), append to the
// destination, verify with crypto/ecdsa and verifySignature, and fail for a
// changed string to sign and for another key.
func TestSignVerify(t *testing.T) {
	priv := testKey(t)
	other, err := DeriveKey("AKIDOTHER", "otherSecret")
	if err != nil {
		t.Fatal(err)
	}
	sts := []byte(testSTS)
	seen := map[string]bool{}
	for range 20 {
		out, err := appendSignature([]byte("Signature="), priv, sts)
		if err != nil {
			t.Fatal(err)
		}
		sig, ok := strings.CutPrefix(string(out), "Signature=")
		if !ok {
			t.Fatalf("appendSignature dropped the destination: %q", out)
		}
		if _, ok := decodeLowerHex(nil, sig); !ok {
			t.Fatalf("signature %q is not lower-case hex of %d to %d bytes", sig, minSignatureLen, maxSignatureLen)
		}
		seen[sig] = true
		der, _ := hex.DecodeString(sig)
		digest := sha256.Sum256(sts)
		if !ecdsa.VerifyASN1(&priv.PublicKey, digest[:], der) {
			t.Fatalf("crypto/ecdsa refuses %s", sig)
		}
		if err := verifySignature(&priv.PublicKey, sts, sig); err != nil {
			t.Fatalf("verifySignature(%s): %v", sig, err)
		}
		if err := verifySignature(&priv.PublicKey, append(sts[:len(sts):len(sts)], '\n'), sig); !errors.Is(err, errSignatureMismatch) {
			t.Fatalf("changed string to sign: %v, want a mismatch", err)
		}
		if err := verifySignature(&other.PublicKey, sts, sig); !errors.Is(err, errSignatureMismatch) {
			t.Fatalf("another key: %v, want a mismatch", err)
		}
	}
	if len(seen) != 20 {
		t.Errorf("%d distinct signatures of 20", len(seen))
	}
}

// TestVerifySignatureMalformed checks the signatures verifySignature
// refuses before any curve arithmetic (malformed), and the well-formed hex
// that is not a valid signature (a mismatch).
func TestVerifySignatureMalformed(t *testing.T) {
	pub := &testKey(t).PublicKey
	valid := "3045022018b4e277d0281864beb51d3600e23f88510ea5031d68ddfbb68614b82a5eb7d2022100effb9c5f22ed9ef3ae0ab243d21f06bce82365bbb79529a07b6888c343ae5f8c"
	if err := verifySignature(pub, []byte(testSTS), valid); err != nil {
		t.Fatalf("the suite's signature: %v", err)
	}
	tests := []struct {
		name, sig string
		want      error
	}{
		{"empty", "", errMalformedSignature},
		{"odd length", valid[:len(valid)-1], errMalformedSignature},
		{"upper case", strings.ToUpper(valid), errMalformedSignature},
		{"non-hex", "zz" + valid[2:], errMalformedSignature},
		{"space", " " + valid[1:], errMalformedSignature},
		{"too long", valid + strings.Repeat("00", maxSignatureLen-len(valid)/2+1), errMalformedSignature},
		{"too short", "300602010102", errMalformedSignature},
		{"a SigV4 HMAC signature", strings.Repeat("ab", 32), errSignatureMismatch},
		{"longest, zeros", strings.Repeat("00", maxSignatureLen), errSignatureMismatch},
		{"shortest DER: r = s = 1", "3006020101020101", errSignatureMismatch},
		{"trailing byte", valid + "00", errSignatureMismatch},
		{"s replaced", valid[:len(valid)-2] + "8d", errSignatureMismatch},
		{"not DER", strings.Repeat("ff", 71), errSignatureMismatch},
	}
	for _, tt := range tests {
		err := verifySignature(pub, []byte(testSTS), tt.sig)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "sigv4a: ") {
			t.Errorf("%s: error %q lacks the package prefix", tt.name, err)
		}
	}
}

// TestPublicKeyCoordinates checks that coordinates keep their leading
// zeros (64 hex digits each) and name the key: the uncompressed point
// they make parses back to it. About one key in 128 has a coordinate below
// 2^248; the loop looks for one of each.
func TestPublicKeyCoordinates(t *testing.T) {
	var smallX, smallY bool
	for i := 0; i < 5000 && !(smallX && smallY); i++ {
		k, err := DeriveKey(fmt.Sprintf("AKID%d", i), "coordinates")
		if err != nil {
			t.Fatal(err)
		}
		x, y, err := publicKeyCoordinates(&k.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		if len(x) != 64 || len(y) != 64 {
			t.Fatalf("coordinates (%s, %s) are not 64 hex digits each", x, y)
		}
		smallX = smallX || strings.HasPrefix(x, "00")
		smallY = smallY || strings.HasPrefix(y, "00")
		point, _ := hex.DecodeString("04" + x + y)
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
		if err != nil || !pub.Equal(&k.PublicKey) {
			t.Fatalf("(%s, %s) does not parse back to the key: %v", x, y, err)
		}
	}
	if !smallX || !smallY {
		t.Errorf("no key with a leading zero byte met (x %v, y %v)", smallX, smallY)
	}
}
