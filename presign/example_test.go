package presign_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/presign"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// examplePresigner returns a Presigner with AWS's documentation keys and a
// fixed clock, so that the examples' output is reproducible.
func examplePresigner(cfg presign.Config) *presign.Presigner {
	cfg.Credentials = credentials.Static("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")
	cfg.Now = func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) }
	cfg.Getenv = func(string) string { return "" } // ignore this machine's AWS_* variables
	p, err := presign.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	return p
}

func ExampleNew() {
	p, err := presign.New(presign.Config{
		Region:      "eu-west-1",
		Credentials: credentials.Static("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Region(), p.Endpoint())
}

func ExampleNew_r2() {
	p := examplePresigner(presign.Config{
		Region:   "auto",
		Endpoint: presign.R2Endpoint("0123456789abcdef0123456789abcdef"),
	})
	r, err := p.GetObject(context.Background(), "photos", "cat.jpg", time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.URL)
	// Output:
	// https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com/photos/cat.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Fauto%2Fs3%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=db497adbc8f5c4b93414d722887d947492887c5128c05948350edab5c9f28fc0
}

func ExamplePresigner_GetObject() {
	p := examplePresigner(presign.Config{Region: "eu-west-1"})
	r, err := p.GetObject(context.Background(), "my-bucket", "reports/Q3 summary.pdf", time.Hour,
		presign.ResponseContentDisposition(`attachment; filename="summary.pdf"`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Method, r.URL)
	fmt.Println("valid until", r.Expires)
	// Output:
	// GET https://my-bucket.s3.eu-west-1.amazonaws.com/reports/Q3%20summary.pdf?response-content-disposition=attachment%3B%20filename%3D%22summary.pdf%22&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=d035ec9faa25d348fcbe3bd7d017f5bde125f3a5f78493191a84270315f74e70
	// valid until 2026-11-28 13:00:00 +0000 UTC
}

func ExamplePresigner_PutObject() {
	p := examplePresigner(presign.Config{Region: "eu-west-1"})
	// The content type and the size are signed: S3 refuses an upload with
	// another Content-Type or another length.
	r, err := p.PutObject(context.Background(), "my-bucket", "avatars/ann.png", 15*time.Minute,
		presign.ContentType("image/png"),
		presign.ContentLength(48213),
		presign.Metadata(map[string]string{"uploaded-by": "ann"}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Method, r.URL)
	// The client sends these headers with exactly these values.
	for _, k := range []string{"Content-Length", "Content-Type", "X-Amz-Meta-Uploaded-By"} {
		fmt.Printf("%s: %s\n", k, r.Header.Get(k))
	}
	// Output:
	// PUT https://my-bucket.s3.eu-west-1.amazonaws.com/avatars/ann.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost%3Bx-amz-meta-uploaded-by&X-Amz-Expires=900&X-Amz-Signature=19f5c7ed6cbd4be60253de33c06f60ec7a1b95eccdf18cad06837102bb5643c3
	// Content-Length: 48213
	// Content-Type: image/png
	// X-Amz-Meta-Uploaded-By: ann
}

func ExamplePresigner_HeadObject() {
	p := examplePresigner(presign.Config{Region: "us-east-1", Endpoint: "http://127.0.0.1:9000"})
	r, err := p.HeadObject(context.Background(), "mybucket", "data/2026.csv", 5*time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Method, r.URL)
	// Output:
	// HEAD http://127.0.0.1:9000/mybucket/data/2026.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=300&X-Amz-Signature=04e6d1b22050a3624c6061befeda86ff3abd98a7f86241ced03043d51d6cf49d
}

func ExamplePresigner_DeleteObject() {
	p := examplePresigner(presign.Config{Region: "us-west-2", PathStyle: true})
	r, err := p.DeleteObject(context.Background(), "my-bucket", "tmp/old.log", time.Minute,
		presign.VersionID("3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Method, r.URL)
	// Output:
	// DELETE https://s3.us-west-2.amazonaws.com/my-bucket/tmp/old.log?versionId=3HL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Fus-west-2%2Fs3%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=60&X-Amz-Signature=43ea68f910cacc8f22a2a1ece4eec747f908a6c64a94245bc791034c2614d1fe
}

func ExamplePresigner_CreateMultipartUpload() {
	p := examplePresigner(presign.Config{Region: "eu-west-1"})
	r, err := p.CreateMultipartUpload(context.Background(), "my-bucket", "videos/talk.mp4", time.Hour,
		presign.ContentType("video/mp4"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Method, r.URL)
	fmt.Println("Content-Type:", r.Header.Get("Content-Type"))
	// Output:
	// POST https://my-bucket.s3.eu-west-1.amazonaws.com/videos/talk.mp4?uploads&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-SignedHeaders=content-type%3Bhost&X-Amz-Expires=3600&X-Amz-Signature=d502b602d04ba0632e4041caa40c409f6693a0ae44e9395c4fe7ac5f2554b8b3
	// Content-Type: video/mp4
}

// A browser uploads a large file in parts: the server hands it one URL per
// part, the browser PUTs each slice and keeps the ETag of each response.
func ExamplePresigner_UploadPart() {
	p := examplePresigner(presign.Config{Region: "eu-west-1"})
	const uploadID = "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA"
	for part := 1; part <= 3; part++ {
		r, err := p.UploadPart(context.Background(), "my-bucket", "videos/talk.mp4", uploadID, part, time.Hour)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.Method, r.URL)
	}
	// Output:
	// PUT https://my-bucket.s3.eu-west-1.amazonaws.com/videos/talk.mp4?partNumber=1&uploadId=VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=30bc5c5af2387b10f57d2c3892a82bf88f46cf70fab688ecdb5eef5a9c480ba3
	// PUT https://my-bucket.s3.eu-west-1.amazonaws.com/videos/talk.mp4?partNumber=2&uploadId=VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=af2973f1cb928ead3d4882fcdfe223471b54bf01e12119742d52aa28f1c4bb00
	// PUT https://my-bucket.s3.eu-west-1.amazonaws.com/videos/talk.mp4?partNumber=3&uploadId=VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=0ae8806e9530db0c1368ae3c4d3cfed7250b3092e5d390822462fc5b20167de2
}

func ExamplePresigner_CompleteMultipartUpload() {
	p := examplePresigner(presign.Config{Region: "eu-west-1"})
	r, err := p.CompleteMultipartUpload(context.Background(), "my-bucket", "videos/talk.mp4", "upload-id", time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	// The client POSTs the list of parts as the (unsigned) body:
	// <CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"..."</ETag></Part>...
	fmt.Println(r.Method, r.URL)
	// Output:
	// POST https://my-bucket.s3.eu-west-1.amazonaws.com/videos/talk.mp4?uploadId=upload-id&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=2aa8c2bb346617b7fcb7b26bd23ad8f9a66640c364e0c6fa1f7f29af5d8c79b7
}

func ExamplePresigner_AbortMultipartUpload() {
	p := examplePresigner(presign.Config{Region: "eu-west-1"})
	r, err := p.AbortMultipartUpload(context.Background(), "my-bucket", "videos/talk.mp4", "upload-id", time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Method, r.URL)
	// Output:
	// DELETE https://my-bucket.s3.eu-west-1.amazonaws.com/videos/talk.mp4?uploadId=upload-id&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=a9b79c0058825f53770c3c96f8a2635953d2e1b166ad102942a61a3ebdace2d5
}

func ExamplePresigner_ListParts() {
	p := examplePresigner(presign.Config{Region: "eu-west-1"})
	r, err := p.ListParts(context.Background(), "my-bucket", "videos/talk.mp4", "upload-id", time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Method, r.URL)
	// Output:
	// GET https://my-bucket.s3.eu-west-1.amazonaws.com/videos/talk.mp4?uploadId=upload-id&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=0a4852ecba4750e635ce8aebf5f525648befae6ab31b6171f798fa94ce47c9d2
}

func ExamplePresigner_ListObjectsV2() {
	p := examplePresigner(presign.Config{Region: "eu-west-1"})
	r, err := p.ListObjectsV2(context.Background(), "my-bucket", 10*time.Minute,
		presign.Prefix("photos/2026/"), presign.Delimiter("/"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Method, r.URL)
	// Output:
	// GET https://my-bucket.s3.eu-west-1.amazonaws.com/?list-type=2&prefix=photos%2F2026%2F&delimiter=%2F&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=600&X-Amz-Signature=5cea99e398fb20eae5aa5213f97ba45c42a6ed682483e17afef761a7431e067d
}

func ExamplePresign() {
	s, err := sigv4.New(sigv4.Config{
		Service:     "sqs",
		Region:      "eu-west-1",
		Credentials: credentials.Static("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
		Now:         func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		log.Fatal(err)
	}
	r, err := presign.Presign(context.Background(), s, http.MethodGet,
		"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs?Action=ReceiveMessage", time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Method, r.URL)
	// Output:
	// GET https://sqs.eu-west-1.amazonaws.com/123456789012/jobs?Action=ReceiveMessage&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Feu-west-1%2Fsqs%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=60&X-Amz-Signature=862ceedfe69fe956cf747f78a10839f9aca8250df1f6f2fce07c10cadfce55c8
}

func exampleSTS() *presign.STS {
	s, err := presign.NewSTS(presign.Config{
		Region:      "eu-west-1",
		Credentials: credentials.Static("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
		Now:         func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
		Getenv:      func(string) string { return "" },
	})
	if err != nil {
		log.Fatal(err)
	}
	return s
}

func ExampleSTS_GetCallerIdentity() {
	s := exampleSTS()
	r, err := s.GetCallerIdentity(context.Background(), 15*time.Minute)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Method, r.URL)
	// Output:
	// GET https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261128%2Feu-west-1%2Fsts%2Faws4_request&X-Amz-Date=20261128T120000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=900&X-Amz-Signature=499c268e9943eb355edd1b8571e4c27ceecf325f5b7fb4ee8eeeed8db9caa8a8
}

func ExampleSTS_EKSToken() {
	s := exampleSTS()
	tok, err := s.EKSToken(context.Background(), "prod")
	if err != nil {
		log.Fatal(err)
	}
	// The ExecCredential that kubectl expects from a credential plugin.
	fmt.Printf(`{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{},"status":{"expirationTimestamp":%q,"token":%q}}`+"\n",
		tok.Expires.Format(time.RFC3339), tok.Token)
	// Output:
	// {"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{},"status":{"expirationTimestamp":"2026-11-28T12:14:00Z","token":"k8s-aws-v1.aHR0cHM6Ly9zdHMuZXUtd2VzdC0xLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1BS0lBSU9TRk9ETk43RVhBTVBMRSUyRjIwMjYxMTI4JTJGZXUtd2VzdC0xJTJGc3RzJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9MjAyNjExMjhUMTIwMDAwWiZYLUFtei1TaWduZWRIZWFkZXJzPWhvc3QlM0J4LWs4cy1hd3MtaWQmWC1BbXotRXhwaXJlcz02MCZYLUFtei1TaWduYXR1cmU9Mzg3YmM2OWMyOGQ0NTQ0OGIxNWYxYmY5OTliYjlhYmU1ZTFhNTQ3MjEwMmUzYTkxMDdmN2UzZTJkYjY5ZjZiZA"}}
}
