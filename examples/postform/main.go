// Command postform serves a web page with a signed S3 POST form, so that a
// browser uploads a file straight to a bucket: at most -max bytes, under the
// key prefix -prefix. Each page load signs a fresh policy.
//
// Usage:
//
//	AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//	  go run ./examples/postform -bucket photos -region us-east-1
//
// With -endpoint the form posts path-style to an S3-compatible server
// (MinIO, versitygw): -endpoint http://127.0.0.1:7070. The page listens on
// -listen (127.0.0.1:8080) and S3 redirects the browser back to its /done.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/examples/postform/uploadpage"
	"github.com/sigv4kit/sigv4kit/policy"
)

func main() {
	bucket := flag.String("bucket", "", "bucket to upload to (required)")
	region := flag.String("region", os.Getenv("AWS_REGION"), "signing region")
	endpoint := flag.String("endpoint", "", "S3-compatible endpoint for path-style addressing (default: AWS)")
	prefix := flag.String("prefix", "uploads/", "key prefix of uploads")
	maxSize := flag.Int64("max", 10<<20, "largest file accepted, in bytes")
	expiry := flag.Duration("expiry", 15*time.Minute, "validity of each served form")
	listen := flag.String("listen", "127.0.0.1:8080", "address of the page")
	flag.Parse()
	if *bucket == "" || *region == "" {
		fmt.Fprintln(os.Stderr, "postform: error: -bucket and -region (or AWS_REGION) are required")
		os.Exit(2)
	}
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		fmt.Fprintln(os.Stderr, "postform: error: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
		os.Exit(2)
	}
	action := policy.BucketURL(*region, *bucket)
	if *endpoint != "" {
		var err error
		if action, err = policy.PathStyleURL(*endpoint, *bucket); err != nil {
			log.Fatalf("postform: error: %v", err)
		}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("postform: error: %v", err)
	}
	h, err := uploadpage.Handler(uploadpage.Config{
		Action:      action,
		Bucket:      *bucket,
		Region:      *region,
		Credentials: credentials.Static(id, secret, os.Getenv("AWS_SESSION_TOKEN")),
		Prefix:      *prefix,
		MaxSize:     *maxSize,
		Expiry:      *expiry,
		PublicURL:   "http://" + ln.Addr().String(),
	})
	if err != nil {
		log.Fatalf("postform: error: %v", err)
	}
	fmt.Printf("postform: open http://%s/ to upload to %s\n", ln.Addr(), action)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}
