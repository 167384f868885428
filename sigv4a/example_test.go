package sigv4a_test

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log"

	"github.com/sigv4kit/sigv4kit/sigv4a"
)

// ExampleDeriveKey derives the key of the credentials of AWS's v4a test
// suite, prints its public key (the suite's public-key.json), and checks
// the suite's signature of get-vanilla with crypto/ecdsa alone.
func ExampleDeriveKey() {
	priv, err := sigv4a.DeriveKey("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
	if err != nil {
		log.Fatal(err)
	}
	point, err := priv.PublicKey.Bytes() // 04 || X || Y
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("X %x\nY %x\n", point[1:33], point[33:])

	stringToSign := "AWS4-ECDSA-P256-SHA256\n" +
		"20150830T123600Z\n" +
		"20150830/service/aws4_request\n" +
		"cf59db423e841c8b7e3444158185aa261b724a5c27cbe762676f3eed19f4dc02"
	signature, _ := hex.DecodeString("3045022018b4e277d0281864beb51d3600e23f88510ea5031d68ddfbb68614b82a5eb7d2" +
		"022100effb9c5f22ed9ef3ae0ab243d21f06bce82365bbb79529a07b6888c343ae5f8c")
	digest := sha256.Sum256([]byte(stringToSign))
	fmt.Println("AWS's signature verifies:", ecdsa.VerifyASN1(&priv.PublicKey, digest[:], signature))
	// Output:
	// X b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1
	// Y 865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518
	// AWS's signature verifies: true
}
