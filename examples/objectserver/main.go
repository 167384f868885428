// Command objectserver is a small S3-compatible object server that
// verifies every request's SigV4 signature with sigv4kit: path-style PUT,
// GET, HEAD and DELETE of objects, CreateBucket, ListBuckets and
// ListObjectsV2, in memory or in a directory. It is for tests and local
// development.
//
// Usage:
//
//	go run ./examples/objectserver -bucket photos
//	go run ./examples/objectserver -dir /tmp/s3data   # each subdirectory is a bucket
//
// The keys come from -access-key and -secret-key, or the environment
// variables OBJECTSERVER_ACCESS_KEY_ID and OBJECTSERVER_SECRET_ACCESS_KEY;
// without them it makes up a pair and prints it. Point any S3 client at it
// with path-style addressing and region -region:
//
//	AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... \
//	  aws --endpoint-url http://127.0.0.1:9000 s3 ls s3://photos
package main

import (
	"crypto/rand"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/examples/objectserver/objectstore"
	"github.com/sigv4kit/sigv4kit/policy"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:9000", "address to listen on")
	dir := flag.String("dir", "", "directory to store buckets in (default: memory)")
	region := flag.String("region", "us-east-1", "signing region the server accepts")
	bucket := flag.String("bucket", "", "bucket to create at start")
	accessKey := flag.String("access-key", os.Getenv("OBJECTSERVER_ACCESS_KEY_ID"), "access key ID")
	secretKey := flag.String("secret-key", os.Getenv("OBJECTSERVER_SECRET_ACCESS_KEY"), "secret access key")
	quiet := flag.Bool("quiet", false, "do not log requests")
	flag.Parse()

	if *accessKey == "" || *secretKey == "" {
		*accessKey, *secretKey = "OBJSRV"+randomString(14), randomString(40)
		fmt.Printf("objectserver: no keys given, made up a pair:\n  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n", *accessKey, *secretKey)
	}
	var backend objectstore.Backend = objectstore.NewMemory()
	if *dir != "" {
		d, err := objectstore.NewDir(*dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "objectserver: error:", err)
			os.Exit(1)
		}
		backend = d
	}
	if *bucket != "" {
		if err := backend.CreateBucket(*bucket); err != nil {
			fmt.Fprintln(os.Stderr, "objectserver: error:", err)
			os.Exit(1)
		}
	}
	secrets := sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: *accessKey, SecretAccessKey: *secretKey})
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{
		Service: "s3",
		Regions: []string{*region},
		Secrets: secrets,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "objectserver: error:", err)
		os.Exit(1)
	}
	// Browser uploads (POST policies) are checked with the same keys.
	pv := &policy.Verifier{Lookup: secrets.LookupSecret, Region: *region}
	srv := &objectstore.Server{Backend: backend, Verifier: v, PostPolicy: pv}
	if !*quiet {
		srv.Log = func(r *http.Request, status int, code string) {
			log.Printf("%s %s -> %d %s", r.Method, r.URL.Path, status, code)
		}
	}
	fmt.Printf("objectserver: listening on http://%s (region %s, path-style)\n", *addr, *region)
	hs := &http.Server{Addr: *addr, Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	if err := hs.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "objectserver: error:", err)
		os.Exit(1)
	}
}

// randomString returns n random letters and digits.
func randomString(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
