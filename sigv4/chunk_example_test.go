package sigv4_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// A signed aws-chunked upload: SignStreaming sets the headers, signs the
// seed and replaces the body with its encoding, signed a chunk at a time
// as net/http reads it.
func ExampleSigner_SignStreaming() {
	s, err := sigv4.New(sigv4.Config{
		Service:     "s3",
		Region:      "us-east-1",
		Credentials: credentials.Static("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
		Now:         func() time.Time { return time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		log.Fatal(err)
	}
	// A file would do as well: its length must be known.
	body := strings.NewReader(strings.Repeat("a", 66560))
	req, err := http.NewRequest("PUT", "https://s3.amazonaws.com/examplebucket/chunkObject.txt", body)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	if err := s.SignStreaming(context.Background(), req, sigv4.StreamOptions{ChunkSize: 64 << 10}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("Content-Length:", req.ContentLength)
	for _, k := range []string{"Content-Encoding", "X-Amz-Content-Sha256", "X-Amz-Decoded-Content-Length"} {
		fmt.Printf("%s: %s\n", k, req.Header.Get(k))
	}
	// http.DefaultClient.Do(req) would send it; here, the chunk lines.
	encoded, err := io.ReadAll(req.Body)
	if err != nil {
		log.Fatal(err)
	}
	for _, line := range chunkLines(encoded) {
		fmt.Println(line)
	}
	// Output:
	// Content-Length: 66824
	// Content-Encoding: aws-chunked
	// X-Amz-Content-Sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD
	// X-Amz-Decoded-Content-Length: 66560
	// 10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648
	// 400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497
	// 0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9
}

// On the server, Verify (or Middleware) decodes aws-chunked bodies: the
// handler reads the upload's own bytes, each signed chunk once verified,
// and a read error when anything is wrong. Here a client sends what the
// AWS CLI sends over HTTPS by default: unsigned chunks and a CRC32
// trailer.
func ExampleVerifier_Middleware_streaming() {
	creds := credentials.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{
		Service: "s3",
		Regions: []string{"us-east-1"},
		Secrets: sigv4.StaticSecrets(creds),
	})
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := io.ReadAll(r.Body) // the decoded upload
		if err != nil {
			sigv4.WriteError(w, r, err) // the chunk, trailer or checksum that was wrong
			return
		}
		// Store data only now, read to its end without error.
		vd, _ := sigv4.VerifiedFromContext(r.Context())
		fmt.Printf("stored %q (%v, %d bytes)\n", data, vd.Stream, r.ContentLength)
		if c := vd.Checksum; c != nil && c.Verified {
			w.Header().Set(c.Algorithm.HeaderName(), c.Value) // as S3 answers
		}
	})))
	defer srv.Close()

	s, err := sigv4.New(sigv4.Config{Service: "s3", Region: "us-east-1", Credentials: credentials.Static(creds.AccessKeyID, creds.SecretAccessKey, "")})
	if err != nil {
		log.Fatal(err)
	}
	req, _ := http.NewRequest("PUT", srv.URL+"/bucket/hello.txt", bytes.NewReader([]byte("hello, world")))
	opts := sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumCRC32}
	if err := s.SignStreaming(context.Background(), req, opts); err != nil {
		log.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status, "x-amz-checksum-crc32:", resp.Header.Get("X-Amz-Checksum-Crc32"))
	// Output:
	// stored "hello, world" (STREAMING-UNSIGNED-PAYLOAD-TRAILER, 12 bytes)
	// 200 OK x-amz-checksum-crc32: /6tyOg==
}
