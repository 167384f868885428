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
//
// # Timeouts
//
// The server drops a connection whose request headers take longer than
// -read-header-timeout (default 10s) to arrive, or whose whole request,
// body included, takes longer than -read-timeout (default 5m); a response
// must be written within -write-timeout (default 10m) of the end of the
// request headers, and an idle keep-alive connection is closed after
// -idle-timeout (default 2m). Without a read timeout, a client that sends
// a form at one byte a second holds a connection and a goroutine for as
// long as it likes.
//
// A production server should set all four [http.Server] timeouts. Keep
// ReadHeaderTimeout short (a few seconds): nothing is authenticated before
// the headers are in. ReadTimeout covers the body too, so one global value
// must either allow the largest upload at the slowest rate accepted, or be
// short, with the handler extending the deadline of each request once it is
// authenticated (the signature or the POST policy checked) by calling
// [http.ResponseController.SetReadDeadline], and likewise SetWriteDeadline
// for large downloads. WriteTimeout starts when the request headers have
// been read, so it must also cover the time an upload's body takes to
// arrive. IdleTimeout bounds idle keep-alive connections.
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

// config is what objectserver's flags set.
type config struct {
	addr, dir, region, bucket string
	accessKey, secretKey      string
	quiet                     bool
	// The http.Server timeouts; zero means none (see the package doc).
	readHeaderTimeout, readTimeout, writeTimeout, idleTimeout time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.addr, "listen", "127.0.0.1:9000", "address to listen on")
	flag.StringVar(&c.dir, "dir", "", "directory to store buckets in (default: memory)")
	flag.StringVar(&c.region, "region", "us-east-1", "signing region the server accepts")
	flag.StringVar(&c.bucket, "bucket", "", "bucket to create at start")
	flag.StringVar(&c.accessKey, "access-key", os.Getenv("OBJECTSERVER_ACCESS_KEY_ID"), "access key ID")
	flag.StringVar(&c.secretKey, "secret-key", os.Getenv("OBJECTSERVER_SECRET_ACCESS_KEY"), "secret access key")
	flag.BoolVar(&c.quiet, "quiet", false, "do not log requests")
	flag.DurationVar(&c.readHeaderTimeout, "read-header-timeout", 10*time.Second, "time allowed to read a request's headers")
	flag.DurationVar(&c.readTimeout, "read-timeout", 5*time.Minute, "time allowed to read a whole request, body included")
	flag.DurationVar(&c.writeTimeout, "write-timeout", 10*time.Minute, "time allowed from the end of a request's headers to the end of its response")
	flag.DurationVar(&c.idleTimeout, "idle-timeout", 2*time.Minute, "time an idle keep-alive connection is kept open")
	flag.Parse()

	if c.accessKey == "" || c.secretKey == "" {
		c.accessKey, c.secretKey = "OBJSRV"+randomString(14), randomString(40)
		fmt.Printf("objectserver: no keys given, made up a pair:\n  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n", c.accessKey, c.secretKey)
	}
	hs, err := newServer(c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "objectserver: error:", err)
		os.Exit(1)
	}
	fmt.Printf("objectserver: listening on http://%s (region %s, path-style)\n", c.addr, c.region)
	if err := hs.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "objectserver: error:", err)
		os.Exit(1)
	}
}

// newServer builds the server that main runs: the backend, the SigV4 and
// POST policy verifiers, the handler and the http.Server around it.
func newServer(c config) (*http.Server, error) {
	var backend objectstore.Backend = objectstore.NewMemory()
	if c.dir != "" {
		d, err := objectstore.NewDir(c.dir)
		if err != nil {
			return nil, err
		}
		backend = d
	}
	if c.bucket != "" {
		if err := backend.CreateBucket(c.bucket); err != nil {
			return nil, err
		}
	}
	secrets := sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: c.accessKey, SecretAccessKey: c.secretKey})
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{
		Service: "s3",
		Regions: []string{c.region},
		Secrets: secrets,
	})
	if err != nil {
		return nil, err
	}
	// Browser uploads (POST policies) are checked with the same keys.
	pv := &policy.Verifier{Lookup: secrets.LookupSecret, Region: c.region}
	srv := &objectstore.Server{Backend: backend, Verifier: v, PostPolicy: pv}
	if !c.quiet {
		srv.Log = func(r *http.Request, status int, code string) {
			log.Printf("%s %s -> %d %s", r.Method, r.URL.Path, status, code)
		}
	}
	return &http.Server{
		Addr:              c.addr,
		Handler:           srv.Handler(),
		ReadHeaderTimeout: c.readHeaderTimeout,
		ReadTimeout:       c.readTimeout,
		WriteTimeout:      c.writeTimeout,
		IdleTimeout:       c.idleTimeout,
	}, nil
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
