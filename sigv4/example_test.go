package sigv4_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// exampleSigner signs as AWS's published IAM example does. A real program
// leaves Now nil (time.Now) and uses a provider from package credentials.
func exampleSigner(service string) *sigv4.Signer {
	s, err := sigv4.New(sigv4.Config{
		Service:     service,
		Region:      "us-east-1",
		Credentials: credentials.Static("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
		Now:         func() time.Time { return time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC) },
	})
	if err != nil {
		panic(err)
	}
	return s
}

func ExampleSigner_Sign() {
	signer := exampleSigner("iam")
	req, _ := http.NewRequest("GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")

	// "" hashes the body (none here); pass a hex SHA-256 or
	// sigv4.UnsignedPayload when you have it.
	if err := signer.Sign(context.Background(), req, ""); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Header.Get("X-Amz-Date"))
	fmt.Println(req.Header.Get("Authorization"))
	// Output:
	// 20150830T123600Z
	// AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7
}

func ExampleSigner_Presign() {
	signer := exampleSigner("s3")
	req, _ := http.NewRequest("GET", "https://examplebucket.s3.us-east-1.amazonaws.com/photos/my cat.jpg", nil)

	p, err := signer.Presign(context.Background(), req, 15*time.Minute)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Method)
	fmt.Println(p.URL)
	fmt.Println(p.Expires)
	// Output:
	// GET
	// https://examplebucket.s3.us-east-1.amazonaws.com/photos/my%20cat.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=900&X-Amz-Signature=ddac61429516126217abd04ca74406431281fdbc6eb45abdd5906ba9d6129144
	// 2015-08-30 12:51:00 +0000 UTC
}

// PresignParts presigns a request given by its parts, here the same as
// ExampleSigner_Presign's: the path as an S3 key names it, decoded, which
// the signer escapes once. The URL is the one Presign returns.
func ExampleSigner_PresignParts() {
	signer := exampleSigner("s3")
	parts := &sigv4.Parts{
		Scheme:      "https",
		Host:        []byte("examplebucket.s3.us-east-1.amazonaws.com"),
		Path:        []byte("/photos/my cat.jpg"),
		PathDecoded: true,
	}
	p, err := signer.PresignParts(context.Background(), parts, 15*time.Minute, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.URL)
	// Output:
	// https://examplebucket.s3.us-east-1.amazonaws.com/photos/my%20cat.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=900&X-Amz-Signature=ddac61429516126217abd04ca74406431281fdbc6eb45abdd5906ba9d6129144
}

func ExampleSigner_Explain() {
	signer := exampleSigner("iam")
	req, _ := http.NewRequest("GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")

	tr, err := signer.Explain(context.Background(), req, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s\n\n%s\n\n%s\n", tr.CanonicalRequest, tr.StringToSign, tr.Signature)
	// Output:
	// GET
	// /
	// Action=ListUsers&Version=2010-05-08
	// content-type:application/x-www-form-urlencoded; charset=utf-8
	// host:iam.amazonaws.com
	// x-amz-date:20150830T123600Z
	//
	// content-type;host;x-amz-date
	// e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
	//
	// AWS4-HMAC-SHA256
	// 20150830T123600Z
	// 20150830/us-east-1/iam/aws4_request
	// f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59
	//
	// 5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7
}

func ExampleSigningKey() {
	day := time.Date(2015, 8, 30, 0, 0, 0, 0, time.UTC)
	key := sigv4.SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", day, "us-east-1", "iam")
	fmt.Println(hex.EncodeToString(key))
	// Output:
	// c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9
}

func ExampleCanonicalQuery() {
	q, _ := sigv4.CanonicalQuery("prefix=photos/my+cat&max-keys=2&list-type=2")
	fmt.Println(q)
	// Output:
	// list-type=2&max-keys=2&prefix=photos%2Fmy%20cat
}
