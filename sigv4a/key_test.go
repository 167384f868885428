package sigv4a

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
)

// p256N returns the order n of P-256's base point.
func p256N() *big.Int { return new(big.Int).Set(elliptic.P256().Params().N) }

// refCandidate is the KDF of DeriveKey written plainly from its
// description, with bytes.Buffer and math/big: the reference the tests hold
// kdf.candidate and privateScalar to.
func refCandidate(accessKeyID, secret string, counter byte) *big.Int {
	var in bytes.Buffer
	in.Write([]byte{0, 0, 0, 1})
	in.WriteString("AWS4-ECDSA-P256-SHA256")
	in.WriteByte(0)
	in.WriteString(accessKeyID)
	in.WriteByte(counter)
	in.Write([]byte{0, 0, 1, 0})
	m := hmac.New(sha256.New, []byte("AWS4A"+secret))
	m.Write(in.Bytes())
	return new(big.Int).SetBytes(m.Sum(nil))
}

// refKey derives the private scalar (32 bytes), the uncompressed public key
// (through crypto/ecdh, not crypto/ecdsa) and the counter used, by
// reference: reject while c > n−2, then d = c + 1.
func refKey(t testing.TB, accessKeyID, secret string, first byte) (d, pub []byte, counter int) {
	t.Helper()
	nMinus2 := new(big.Int).Sub(p256N(), big.NewInt(2))
	for counter := int(first); counter <= 254; counter++ {
		c := refCandidate(accessKeyID, secret, byte(counter))
		if c.Cmp(nMinus2) > 0 {
			continue
		}
		d := new(big.Int).Add(c, big.NewInt(1)).FillBytes(make([]byte, 32))
		k, err := ecdh.P256().NewPrivateKey(d)
		if err != nil {
			t.Fatalf("ecdh: %v", err)
		}
		return d, k.PublicKey().Bytes(), counter
	}
	t.Fatal("reference: no candidate accepted")
	return nil, nil, 0
}

// keyBytes returns priv's scalar and uncompressed public key.
func keyBytes(t testing.TB, priv *ecdsa.PrivateKey) (d, pub []byte) {
	t.Helper()
	d, err := priv.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	pub, err = priv.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return d, pub
}

// TestDeriveKey checks DeriveKey against the public keys AWS publishes for
// two credentials: AKIDEXAMPLE, the key of every case of the v4a suite
// (public-key.json), and AKISORANDOMAASORANDOM, the vector of aws-c-auth's
// tests/key_derivation_tests.c ("derived in synchronicity with Golang and
// IAM implementations", also in aws-sdk-go-v2's internal/v4a tests).
func TestDeriveKey(t *testing.T) {
	tests := []struct {
		name, accessKeyID, secret string
		x, y                      string
	}{{
		name:        "v4a suite",
		accessKeyID: "AKIDEXAMPLE",
		secret:      "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		x:           "b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1",
		y:           "865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518",
	}, {
		name:        "aws-c-auth key_derivation_tests",
		accessKeyID: "AKISORANDOMAASORANDOM",
		secret:      "q+jcrXGc+0zWN6uzclKVhvMmUsIfRPa4rlRandom",
		x:           "15d242ceebf8d8169fd6a8b5a746c41140414c3b07579038da06af89190fffcb",
		y:           "0515242cedd82e94799482e4c0514b505afccf2c0c98d6a553bf539f424c5ec0",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			priv, err := DeriveKey(tt.accessKeyID, tt.secret)
			if err != nil {
				t.Fatal(err)
			}
			x, y, err := publicKeyCoordinates(&priv.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			if x != tt.x || y != tt.y {
				t.Errorf("public key\n got (%s, %s)\nwant (%s, %s)", x, y, tt.x, tt.y)
			}
			_, _, counter := refKey(t, tt.accessKeyID, tt.secret, 1)
			if counter != 1 {
				t.Errorf("reference counter %d, want 1", counter)
			}
		})
	}
}

// TestDeriveKeyInvalid checks that empty credentials are refused, naming
// what is empty.
func TestDeriveKeyInvalid(t *testing.T) {
	tests := []struct {
		accessKeyID, secret, want string
	}{
		{"", "secret", "empty access key ID"},
		{"AKID", "", "empty secret access key"},
		{"", "", "empty access key ID"},
	}
	for _, tt := range tests {
		priv, err := DeriveKey(tt.accessKeyID, tt.secret)
		if priv != nil || !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("DeriveKey(%q, %q) = %v, %v; want ErrInvalidCredentials", tt.accessKeyID, tt.secret, priv, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "sigv4a: ") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("DeriveKey(%q, %q): error %q does not say %q", tt.accessKeyID, tt.secret, err, tt.want)
		}
	}
}

// TestDeriveKeyReference holds DeriveKey to the plain reference (math/big,
// crypto/ecdh) over credentials of many lengths, access key IDs with every
// byte value included: the fixed input's layout and the HMAC key.
func TestDeriveKeyReference(t *testing.T) {
	var cases [][2]string
	for i := range 40 {
		akid := fmt.Sprintf("AKIA%0*d", i%24, i)
		secret := strings.Repeat("s", i*5) + fmt.Sprint(i) // up to 200 bytes: longer than an HMAC block
		cases = append(cases, [2]string{akid, secret})
	}
	cases = append(cases, [2]string{"\x00\xff/,= \n", "\x00"}, [2]string{"ÄKID✓", "sécret"})
	for _, c := range cases {
		priv, err := DeriveKey(c[0], c[1])
		if err != nil {
			t.Fatal(err)
		}
		d, pub := keyBytes(t, priv)
		wantD, wantPub, _ := refKey(t, c[0], c[1], 1)
		if !bytes.Equal(d, wantD) || !bytes.Equal(pub, wantPub) {
			t.Errorf("DeriveKey(%q, %q):\n d %x\nwant %x", c[0], c[1], d, wantD)
		}
	}
}

// TestNMinus2 checks the constant against crypto/elliptic's order of P-256.
func TestNMinus2(t *testing.T) {
	want := new(big.Int).Sub(p256N(), big.NewInt(2)).FillBytes(make([]byte, 32))
	var got []byte
	for _, l := range nMinus2 {
		got = fmt.Appendf(got, "%016x", l)
	}
	if string(got) != hex.EncodeToString(want) {
		t.Errorf("nMinus2 = %s, want %x", got, want)
	}
}

// TestPrivateScalar checks the candidate test and the addition at the
// boundaries: n−2 is the largest candidate accepted (d = n−1, the largest
// private key), n−1 the smallest rejected, and carries cross limbs.
func TestPrivateScalar(t *testing.T) {
	n := p256N()
	add := func(k int64) *big.Int { return new(big.Int).Add(n, big.NewInt(k)) }
	max256 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	limbCarry, _ := new(big.Int).SetString("ffffffffffffffffffffffffffffffff", 16)
	tests := []struct {
		name string
		c    *big.Int
		ok   bool
	}{
		{"zero", big.NewInt(0), true},
		{"one", big.NewInt(1), true},
		{"n-3", add(-3), true},
		{"n-2", add(-2), true},
		{"n-1", add(-1), false},
		{"n", n, false},
		{"n+1", add(1), false},
		{"2^256-1", max256, false},
		{"carry across two limbs", limbCarry, true},
		{"top limb only", new(big.Int).Lsh(big.NewInt(0x7fffffff), 224), true},
		{"top limb equal to n-2's, the rest zero", new(big.Int).Lsh(new(big.Int).SetUint64(0xffffffff00000000), 192), true},
		{"top limb one above n-2's, the rest zero", new(big.Int).Lsh(new(big.Int).SetUint64(0xffffffff00000001), 192), false},
	}
	for _, tt := range tests {
		var c [32]byte
		tt.c.FillBytes(c[:])
		d, ok := privateScalar(&c)
		if ok != tt.ok {
			t.Errorf("%s: accepted %v, want %v", tt.name, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		want := new(big.Int).Add(tt.c, big.NewInt(1)).FillBytes(make([]byte, 32))
		if !bytes.Equal(d[:], want) {
			t.Errorf("%s: d = %x, want %x", tt.name, d, want)
		}
	}
}

// scripted returns a candidate function that hands out cs in turn and
// records the counters it was asked for.
func scripted(cs []*big.Int, asked *[]int) func(byte) [32]byte {
	return func(counter byte) [32]byte {
		*asked = append(*asked, int(counter))
		var c [32]byte
		if i := len(*asked) - 1; i < len(cs) {
			cs[i].FillBytes(c[:])
		} else {
			for j := range c {
				c[j] = 0xff
			}
		}
		return c
	}
}

// TestDeriveRejection drives the candidate loop with injected candidates:
// no credentials known reach a rejection (one in about 2^32 access keys
// would), so the retries are tested on candidates chosen to be rejected.
func TestDeriveRejection(t *testing.T) {
	n := p256N()
	sub := func(k int64) *big.Int { return new(big.Int).Sub(n, big.NewInt(k)) }
	max256 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	tests := []struct {
		name        string
		candidates  []*big.Int
		wantCounter int
		wantD       *big.Int
	}{
		{"first accepted", []*big.Int{big.NewInt(41)}, 1, big.NewInt(42)},
		{"n-1 rejected, then accepted", []*big.Int{sub(1), big.NewInt(41)}, 2, big.NewInt(42)},
		{"three rejected", []*big.Int{n, max256, sub(1), big.NewInt(0)}, 4, big.NewInt(1)},
		{"n-2 accepted: d = n-1", []*big.Int{sub(2)}, 1, sub(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked []int
			priv, counter, err := deriveFrom(scripted(tt.candidates, &asked))
			if err != nil {
				t.Fatal(err)
			}
			if counter != tt.wantCounter || len(asked) != tt.wantCounter || asked[len(asked)-1] != tt.wantCounter {
				t.Errorf("counter %d after asking for %v; want %d", counter, asked, tt.wantCounter)
			}
			d, pub := keyBytes(t, priv)
			wantD := tt.wantD.FillBytes(make([]byte, 32))
			if !bytes.Equal(d, wantD) {
				t.Errorf("d = %x, want %x", d, wantD)
			}
			k, err := ecdh.P256().NewPrivateKey(wantD)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pub, k.PublicKey().Bytes()) {
				t.Errorf("public key %x, want %x", pub, k.PublicKey().Bytes())
			}
		})
	}

	// d = n−1 is −1, so its public key is −G: G's x.
	var asked []int
	priv, _, err := deriveFrom(scripted([]*big.Int{sub(2)}, &asked))
	if err != nil {
		t.Fatal(err)
	}
	x, _, _ := publicKeyCoordinates(&priv.PublicKey)
	if gx := fmt.Sprintf("%064x", elliptic.P256().Params().Gx); x != gx {
		t.Errorf("x of (n-1)G = %s, want Gx %s", x, gx)
	}
}

// TestDeriveExhausted checks that 254 rejections end in ErrKeyDerivation,
// after asking for every counter from 1 to 254 in order.
func TestDeriveExhausted(t *testing.T) {
	var asked []int
	priv, _, err := deriveFrom(scripted(nil, &asked))
	if priv != nil || !errors.Is(err, ErrKeyDerivation) {
		t.Fatalf("deriveFrom = %v, %v; want ErrKeyDerivation", priv, err)
	}
	if len(asked) != 254 {
		t.Fatalf("asked for %d counters, want 254", len(asked))
	}
	for i, c := range asked {
		if c != i+1 {
			t.Fatalf("counter %d asked as %d", i+1, c)
		}
	}
}

// TestDeriveRetryRealKDF runs the real KDF with its first candidate
// rejected: the key must be the reference's for counter 2, which checks
// where the counter byte sits in the fixed input.
func TestDeriveRetryRealKDF(t *testing.T) {
	const akid, secret = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	k := newKDF(akid, secret)
	priv, counter, err := deriveFrom(func(c byte) [32]byte {
		if c == 1 {
			var reject [32]byte
			for i := range reject {
				reject[i] = 0xff
			}
			return reject
		}
		return k.candidate(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	d, pub := keyBytes(t, priv)
	wantD, wantPub, wantCounter := refKey(t, akid, secret, 2)
	if counter != wantCounter || !bytes.Equal(d, wantD) || !bytes.Equal(pub, wantPub) {
		t.Errorf("counter %d, d %x; want counter %d, d %x", counter, d, wantCounter, wantD)
	}
	first, err := DeriveKey(akid, secret)
	if err != nil {
		t.Fatal(err)
	}
	if first.Equal(priv) {
		t.Error("the key of counter 2 equals the key of counter 1")
	}
}

// FuzzDeriveKey checks, for any credentials, that DeriveKey never panics,
// refuses exactly the empty ones, returns a valid P-256 key (a scalar in
// [1, n−1] and a point on the curve, both parsed back by crypto/ecdsa),
// returns the same key every time, and agrees with the reference.
func FuzzDeriveKey(f *testing.F) {
	f.Add("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
	f.Add("AKISORANDOMAASORANDOM", "q+jcrXGc+0zWN6uzclKVhvMmUsIfRPa4rlRandom")
	f.Add("", "secret")
	f.Add("AKID", "")
	f.Add("\x00", "\xff")
	f.Add(strings.Repeat("A", 300), strings.Repeat("s", 300))
	f.Fuzz(func(t *testing.T, akid, secret string) {
		priv, err := DeriveKey(akid, secret)
		if akid == "" || secret == "" {
			if priv != nil || !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("DeriveKey(%q, %q) = %v, %v; want ErrInvalidCredentials", akid, secret, priv, err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if priv.Curve != elliptic.P256() {
			t.Fatalf("curve %v", priv.Curve.Params().Name)
		}
		d, pub := keyBytes(t, priv)
		back, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
		if err != nil {
			t.Fatalf("scalar %x: %v", d, err)
		}
		if _, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pub); err != nil {
			t.Fatalf("public key %x: %v", pub, err)
		}
		if !back.Equal(priv) {
			t.Fatal("the scalar parsed back is another key")
		}
		again, err := DeriveKey(akid, secret)
		if err != nil || !again.Equal(priv) {
			t.Fatalf("second derivation differs: %v", err)
		}
		wantD, wantPub, _ := refKey(t, akid, secret, 1)
		if !bytes.Equal(d, wantD) || !bytes.Equal(pub, wantPub) {
			t.Fatalf("d %x, reference %x", d, wantD)
		}
	})
}
