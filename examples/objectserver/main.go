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
// # HTTPS
//
// With -tls, objectserver serves HTTPS with a certificate it makes at start:
// self-signed, ECDSA P-256, for 127.0.0.1, localhost and ::1, valid for 30
// days. Its PEM is written to -tls-cert-out (default: a new file in the
// temporary directory), whose path is printed; point HTTPS clients at it:
//
//	go run ./examples/objectserver -tls -tls-cert-out /tmp/objsrv.pem -bucket photos
//	aws --endpoint-url https://127.0.0.1:9000 --ca-bundle /tmp/objsrv.pem s3 cp f s3://photos/f
//	AWS_CA_BUNDLE=/tmp/objsrv.pem ...         # botocore, the AWS CLI
//	NODE_EXTRA_CA_CERTS=/tmp/objsrv.pem node ...  # @aws-sdk/client-s3
//
// Over HTTPS, the AWS CLI and SDKs send uploads aws-chunked
// (STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer) by default;
// objectserver accepts every aws-chunked mode, and logs the mode and the
// checksum of each upload.
//
// -listen 127.0.0.1:0 picks a free port; the address printed is the one
// listened on.
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
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/examples/objectserver/objectstore"
	"github.com/sigv4kit/sigv4kit/policy"
	"github.com/sigv4kit/sigv4kit/sigv4"
	"github.com/sigv4kit/sigv4kit/sigv4a"
)

// config is what objectserver's flags set.
type config struct {
	addr, dir, region, bucket string
	accessKey, secretKey      string
	quiet                     bool
	// tls serves HTTPS with a certificate made at start, whose PEM is
	// written to certOut (a new temporary file when empty).
	tls     bool
	certOut string
	// The http.Server timeouts; zero means none (see the package doc).
	readHeaderTimeout, readTimeout, writeTimeout, idleTimeout time.Duration
	// logTo receives the request log and net/http's errors, unless quiet.
	logTo io.Writer
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "objectserver: error:", err)
		}
		os.Exit(2)
	}
}

// parseFlags reads objectserver's flags; getenv supplies the keys'
// defaults.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("objectserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "listen", "127.0.0.1:9000", "address to listen on (port 0: a free port)")
	fs.StringVar(&c.dir, "dir", "", "directory to store buckets in (default: memory)")
	fs.StringVar(&c.region, "region", "us-east-1", "signing region the server accepts")
	fs.StringVar(&c.bucket, "bucket", "", "bucket to create at start")
	fs.StringVar(&c.accessKey, "access-key", getenv("OBJECTSERVER_ACCESS_KEY_ID"), "access key ID")
	fs.StringVar(&c.secretKey, "secret-key", getenv("OBJECTSERVER_SECRET_ACCESS_KEY"), "secret access key")
	fs.BoolVar(&c.quiet, "quiet", false, "do not log requests")
	fs.BoolVar(&c.tls, "tls", false, "serve HTTPS with a self-signed certificate made at start (ECDSA P-256; 127.0.0.1, localhost, ::1)")
	fs.StringVar(&c.certOut, "tls-cert-out", "", "file to write the -tls certificate's PEM to, for clients' CA bundle (default: a new temporary file)")
	fs.DurationVar(&c.readHeaderTimeout, "read-header-timeout", 10*time.Second, "time allowed to read a request's headers")
	fs.DurationVar(&c.readTimeout, "read-timeout", 5*time.Minute, "time allowed to read a whole request, body included")
	fs.DurationVar(&c.writeTimeout, "write-timeout", 10*time.Minute, "time allowed from the end of a request's headers to the end of its response")
	fs.DurationVar(&c.idleTimeout, "idle-timeout", 2*time.Minute, "time an idle keep-alive connection is kept open")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.certOut != "" && !c.tls {
		return config{}, errors.New("-tls-cert-out needs -tls")
	}
	return c, nil
}

// run is main: it parses args, listens, prints the address (and the keys
// and certificate it made up) to stdout, logs requests to stderr, and
// serves until ctx is done.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	if c.accessKey == "" || c.secretKey == "" {
		c.accessKey, c.secretKey = "OBJSRV"+randomString(14), randomString(40)
		fmt.Fprintf(stdout, "objectserver: no keys given, made up a pair:\n  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n", c.accessKey, c.secretKey)
	}
	c.logTo = stderr
	hs, err := newServer(c)
	if err != nil {
		return err
	}
	scheme := "http"
	if c.tls {
		scheme = "https"
		cert, pemBytes, err := selfSignedCertificate(time.Now(), rand.Reader)
		if err != nil {
			return err
		}
		path, err := writeCertificate(c.certOut, pemBytes)
		if err != nil {
			return err
		}
		hs.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		fmt.Fprintf(stdout, "objectserver: TLS certificate (self-signed, ECDSA P-256, for %s) in %s\n", strings.Join(certificateHosts, ", "), path)
		fmt.Fprintf(stdout, "  trust it with: aws --ca-bundle %[1]s, AWS_CA_BUNDLE=%[1]s, NODE_EXTRA_CA_CERTS=%[1]s, curl --cacert %[1]s\n", path)
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "objectserver: listening on %s://%s (region %s, path-style)\n", scheme, ln.Addr(), c.region)

	errc := make(chan error, 1)
	go func() {
		if c.tls {
			errc <- hs.ServeTLS(ln, "", "")
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		hs.Close()
		<-errc
		return nil
	}
}

// logLine describes a request's outcome; for an upload, how its body came
// (the aws-chunked mode, the decoded length, the checksum and where it was
// sent), from the sigv4.Verified that r's context holds once verified.
func logLine(r *http.Request, status int, code string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s -> %d", r.Method, r.URL.Path, status)
	if code != "" {
		b.WriteString(" " + code)
	}
	vd, ok := sigv4.VerifiedFromContext(r.Context())
	if !ok {
		return b.String()
	}
	if vd.Stream != 0 {
		fmt.Fprintf(&b, " stream=%s decoded-length=%d", vd.Stream, vd.DecodedContentLength)
	} else if r.Method == http.MethodPut || r.Method == http.MethodPost {
		fmt.Fprintf(&b, " payload=%s", payloadName(vd.PayloadHash))
	}
	if ck := vd.Checksum; ck != nil {
		where := "header"
		if ck.Trailer {
			where = "trailer"
		}
		fmt.Fprintf(&b, " checksum=%s:%s (%s, verified=%t)", ck.Algorithm, ck.Value, where, ck.Verified)
	}
	return b.String()
}

// payloadName is the payload line, "SHA256" for a hex SHA-256.
func payloadName(p string) string {
	if len(p) == 64 && !strings.ContainsAny(p, "-_") {
		return "SHA256"
	}
	return p
}

// newServer builds the server that run runs: the backend, the SigV4 and
// POST policy verifiers, and the http.Server around the handler, an
// *objectstore.Server.
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
		// SigV4a (AWS4-ECDSA-P256-SHA256) too, when c.region is in the
		// request's region set.
		Algorithms: []sigv4.SignatureAlgorithm{sigv4a.Algorithm()},
	})
	if err != nil {
		return nil, err
	}
	// Browser uploads (POST policies) are checked with the same keys.
	pv := &policy.Verifier{Lookup: secrets.LookupSecret, Region: c.region}
	srv := &objectstore.Server{Backend: backend, Verifier: v, PostPolicy: pv}
	var logger *log.Logger
	if !c.quiet && c.logTo != nil {
		logger = log.New(c.logTo, "", log.LstdFlags)
		srv.Log = func(r *http.Request, status int, code string) {
			logger.Print(logLine(r, status, code))
		}
	}
	return &http.Server{
		Addr:              c.addr,
		Handler:           srv.Handler(),
		ReadHeaderTimeout: c.readHeaderTimeout,
		ReadTimeout:       c.readTimeout,
		WriteTimeout:      c.writeTimeout,
		IdleTimeout:       c.idleTimeout,
		ErrorLog:          logger,
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
