package sigv4a

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/internal/suites"
)

// The v4a suite of aws-c-auth (internal/suites.V4A), without a signer: the
// key derivation and the signature step against every complete case. The
// canonical requests and strings to sign are the signer's to match; here
// they are the suite's.

// suitePublicKey parses a case's public-key.json ({"X": hex, "Y": hex})
// into a P-256 public key, with crypto/ecdsa's own checks (on the curve).
func suitePublicKey(t *testing.T, c *suites.Case) (pub *ecdsa.PublicKey, x, y string) {
	t.Helper()
	data, err := c.File("public-key.json")
	if err != nil {
		t.Fatal(err)
	}
	var coords struct{ X, Y string }
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&coords); err != nil {
		t.Fatalf("public-key.json: %v", err)
	}
	point := []byte{4}
	for _, h := range []string{coords.X, coords.Y} {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) > 32 {
			t.Fatalf("public-key.json: coordinate %q", h)
		}
		point = append(point, make([]byte, 32-len(b))...)
		point = append(point, b...)
	}
	pub, err = ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		t.Fatalf("public-key.json: %v", err)
	}
	return pub, hex.EncodeToString(point[1:33]), hex.EncodeToString(point[33:])
}

// signedRequestSignature returns the signature a case's signed request
// carries: in the Authorization header (header form) or X-Amz-Signature.
func signedRequestSignature(t *testing.T, c *suites.Case, form string) string {
	t.Helper()
	data, err := c.File(form + "-signed-request.txt")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^Authorization:.*Signature=([0-9a-f]+)\s*$`)
	if form == "query" {
		re = regexp.MustCompile(`[?&]X-Amz-Signature=([0-9a-f]+)[& ]`)
	}
	m := re.FindSubmatch(data)
	if m == nil {
		t.Fatalf("%s-signed-request.txt carries no signature", form)
	}
	return string(m[1])
}

// TestSuite checks every complete case of the v4a suite:
//
//   - DeriveKey of the case's credentials gives public-key.json;
//   - the string to sign has the algorithm line, the signing time, the
//     region-less scope date/service/aws4_request, and the SHA-256 of the
//     case's canonical request;
//   - the suite's signatures (the -signature.txt files and the signed
//     requests, header and query form) verify against the string to sign
//     with crypto/ecdsa and our derived key, through verifySignature, and
//     fail once the string to sign is changed;
//   - a signature of ours over the string to sign verifies with
//     crypto/ecdsa against the suite's public key.
func TestSuite(t *testing.T) {
	s, err := suites.Load(suites.V4A)
	if err != nil {
		t.Fatal(err)
	}
	complete := 0
	for _, c := range s.Cases {
		if !c.Complete {
			continue
		}
		complete++
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			ctx, err := c.Context()
			if err != nil {
				t.Fatal(err)
			}
			priv, err := DeriveKey(ctx.Credentials.AccessKeyID, ctx.Credentials.SecretAccessKey)
			if err != nil {
				t.Fatal(err)
			}
			suitePub, wantX, wantY := suitePublicKey(t, c)
			if !priv.PublicKey.Equal(suitePub) {
				t.Fatal("derived public key differs from public-key.json")
			}
			x, y, err := publicKeyCoordinates(&priv.PublicKey)
			if err != nil || x != wantX || y != wantY {
				t.Errorf("coordinates (%s, %s), %v; want (%s, %s)", x, y, err, wantX, wantY)
			}
			signedAt, err := time.Parse(time.RFC3339, ctx.Timestamp)
			if err != nil {
				t.Fatal(err)
			}
			for _, form := range []string{"header", "query"} {
				sts, err := c.File(form + "-string-to-sign.txt")
				if err != nil {
					t.Fatal(err)
				}
				creq, err := c.File(form + "-canonical-request.txt")
				if err != nil {
					t.Fatal(err)
				}
				sum := sha256.Sum256(creq)
				want := fmt.Sprintf("%s\n%s\n%s/%s/aws4_request\n%x", algorithm,
					signedAt.UTC().Format("20060102T150405Z"), signedAt.UTC().Format("20060102"), ctx.Service, sum)
				if string(sts) != want {
					t.Errorf("%s: string to sign\n%s\nwant\n%s", form, sts, want)
				}
				if !bytes.Contains(creq, []byte("x-amz-region-set")) && !bytes.Contains(creq, []byte("X-Amz-Region-Set=")) {
					t.Errorf("%s: the canonical request does not sign the region set", form)
				}

				sigFile, err := c.File(form + "-signature.txt")
				if err != nil {
					t.Fatal(err)
				}
				theirs := []string{strings.TrimSpace(string(sigFile)), signedRequestSignature(t, c, form)}
				for _, sig := range theirs {
					if err := verifySignature(&priv.PublicKey, sts, sig); err != nil {
						t.Errorf("%s: suite signature %s: %v", form, sig, err)
					}
					der, _ := hex.DecodeString(sig)
					digest := sha256.Sum256(sts)
					if !ecdsa.VerifyASN1(suitePub, digest[:], der) {
						t.Errorf("%s: suite signature %s does not verify with crypto/ecdsa", form, sig)
					}
					tampered := bytes.Replace(sts, []byte("aws4_request"), []byte("aws4_requesT"), 1)
					if err := verifySignature(&priv.PublicKey, tampered, sig); !errors.Is(err, errSignatureMismatch) {
						t.Errorf("%s: suite signature over a changed string to sign: %v, want a mismatch", form, err)
					}
				}

				ours, err := appendSignature(nil, priv, sts)
				if err != nil {
					t.Fatal(err)
				}
				der, err := hex.DecodeString(string(ours))
				if err != nil {
					t.Fatalf("%s: our signature %q is not hex", form, ours)
				}
				digest := sha256.Sum256(sts)
				if !ecdsa.VerifyASN1(suitePub, digest[:], der) {
					t.Errorf("%s: our signature %s does not verify against public-key.json", form, ours)
				}
			}

			// The query form signs the region set as X-Amz-Region-Set,
			// the region of context.json.
			creq, _ := c.File("query-canonical-request.txt")
			if !bytes.Contains(creq, []byte("X-Amz-Region-Set="+url.QueryEscape(ctx.Region))) {
				t.Errorf("query canonical request lacks X-Amz-Region-Set=%s", ctx.Region)
			}
		})
	}
	if complete != 38 {
		t.Errorf("%d complete cases, want the suite's 38", complete)
	}
}
