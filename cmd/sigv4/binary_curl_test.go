package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// received is what the verifying server saw of one request.
type received struct {
	method, path, contentType, userAgent, payloadHash, contentEncoding string
	body                                                               []byte
	err                                                                error // the Verifier's, or reading the body
}

// verifyingServer is a real 127.0.0.1 server that checks every request's
// signature with sigv4.Verifier (as S3 would, at the binary's fixed clock),
// reads the body through the Verifier (which checks its hash, or decodes
// and verifies aws-chunked), and records what it got.
type verifyingServer struct {
	*httptest.Server
	mu   sync.Mutex
	last received
}

func newVerifyingServer(t *testing.T, tlsToo bool) *verifyingServer {
	t.Helper()
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{
		Service: "s3",
		Regions: []string{"us-east-1"},
		Secrets: sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: exampleID, SecretAccessKey: exampleSecret}),
		Now:     func() time.Time { return time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &verifyingServer{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := received{method: r.Method, path: r.URL.EscapedPath(), contentType: r.Header.Get("Content-Type"),
			userAgent: r.Header.Get("User-Agent"), payloadHash: r.Header.Get("X-Amz-Content-Sha256"), contentEncoding: r.Header.Get("Content-Encoding")}
		if r.URL.Path == "/slow" {
			time.Sleep(2 * time.Second) // past --max-time 0.5: the binary gives up first
		}
		_, err := v.Verify(r)
		if err == nil {
			got.body, err = io.ReadAll(r.Body)
		}
		got.err = err
		s.mu.Lock()
		s.last = got
		s.mu.Unlock()
		if err != nil {
			sigv4.WriteError(w, r, err)
			return
		}
		w.Header().Set("X-Received", r.Method)
		io.WriteString(w, "stored "+r.URL.Path+"\n")
	})
	if tlsToo {
		s.Server = httptest.NewUnstartedServer(h)
		s.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes refused on purpose
		s.StartTLS()
	} else {
		s.Server = httptest.NewServer(h)
	}
	t.Cleanup(s.Close)
	return s
}

// got returns the last request the server received.
func (s *verifyingServer) got() received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// TestBinaryCurlFlags runs the built binary with each of curl's flags
// against real 127.0.0.1 servers that verify the signature.
func TestBinaryCurlFlags(t *testing.T) {
	t.Parallel()
	env := credEnv(t)
	srv := newVerifyingServer(t, false)
	tlsSrv := newVerifyingServer(t, true)
	dir := t.TempDir()
	form := filepath.Join(dir, "form.txt")
	writeFile(t, form, "a=1\nb=2\r\n")
	binary := filepath.Join(dir, "blob.bin")
	blob := []byte("line one\nline two\r\n\x00\xff")
	writeFile(t, binary, string(blob))
	big := filepath.Join(dir, "big.bin")
	bigData := make([]byte, 300<<10+17) // several 64 KiB chunks and a short one
	rand.Read(bigData)
	writeFile(t, big, string(bigData))
	ca := filepath.Join(dir, "ca.pem")
	writeFile(t, ca, string(pemCert(tlsSrv.Server)))
	caProfile := credEnv(t)
	writeFile(t, caProfile["AWS_CONFIG_FILE"], "[default]\nca_bundle = "+ca+"\n")

	for _, tc := range []struct {
		name           string
		env            map[string]string
		stdin          string
		args           []string
		code           int
		stdout, stderr []string
		check          func(t *testing.T, got received, r result)
	}{
		{name: "-X and -H", env: env, args: []string{"curl", "--service", "s3", "-X", "DELETE", "-H", "Content-Type: text/plain", srv.URL + "/b/k"},
			stdout: []string{"stored /b/k"}, check: func(t *testing.T, got received, _ result) {
				if got.method != "DELETE" || got.contentType != "text/plain" || got.err != nil {
					t.Errorf("server got %+v", got)
				}
			}},
		{name: "--request and --header", env: env, args: []string{"curl", "--service", "s3", "--request", "HEAD", "--header", "X-Amz-Meta-Color: blue", srv.URL + "/b/k"},
			check: func(t *testing.T, got received, _ result) {
				if got.method != "HEAD" || got.err != nil {
					t.Errorf("server got %+v", got)
				}
			}},
		{name: "combined -XPUT", env: env, args: []string{"curl", "--service", "s3", "-XPUT", "-dx=1", srv.URL + "/b/k"},
			check: func(t *testing.T, got received, _ result) {
				if got.method != "PUT" || string(got.body) != "x=1" || got.err != nil {
					t.Errorf("server got %+v", got)
				}
			}},
		{name: "-H removes a header", env: env, args: []string{"curl", "--service", "s3", "-H", "User-Agent:", srv.URL + "/b/k"},
			check: func(t *testing.T, got received, _ result) {
				if strings.HasPrefix(got.userAgent, "sigv4kit-cli") || got.err != nil {
					t.Errorf("User-Agent %q, err %v", got.userAgent, got.err)
				}
			}},
		{name: "-d strings joined with &", env: env, args: []string{"curl", "--service", "s3", "-d", "a=1", "--data", "b=2", "--data-raw", "@c", srv.URL + "/b/k"},
			check: func(t *testing.T, got received, _ result) {
				if got.method != "POST" || string(got.body) != "a=1&b=2&@c" || got.contentType != "application/x-www-form-urlencoded" || got.err != nil {
					t.Errorf("server got %+v %q", got, got.body)
				}
			}},
		{name: "-d @file drops line breaks", env: env, args: []string{"curl", "--service", "s3", "-d", "@" + form, srv.URL + "/b/k"},
			check: func(t *testing.T, got received, _ result) {
				if string(got.body) != "a=1b=2" || got.contentType != "application/x-www-form-urlencoded" || got.err != nil {
					t.Errorf("server got %q, %+v", got.body, got)
				}
			}},
		{name: "-d @- drops line breaks", env: env, stdin: "x=1\ny=2\n", args: []string{"curl", "--service", "s3", "-d", "@-", srv.URL + "/b/k"},
			check: func(t *testing.T, got received, _ result) {
				if string(got.body) != "x=1y=2" || got.err != nil {
					t.Errorf("server got %q, %v", got.body, got.err)
				}
			}},
		{name: "--data-binary @file keeps bytes", env: env, args: []string{"curl", "--service", "s3", "--data-binary", "@" + binary, "-H", "Content-Type: application/octet-stream", srv.URL + "/b/k"},
			check: func(t *testing.T, got received, _ result) {
				if !bytes.Equal(got.body, blob) || got.method != "POST" || got.contentType != "application/octet-stream" || got.err != nil {
					t.Errorf("server got %q, %+v", got.body, got)
				}
				if want := sha256Hex(blob); got.payloadHash != want {
					t.Errorf("X-Amz-Content-Sha256 %s, want %s", got.payloadHash, want)
				}
			}},
		{name: "--data-binary @- keeps bytes", env: env, stdin: "x\ny\n", args: []string{"curl", "--service", "s3", "--data-binary", "@-", srv.URL + "/b/k"},
			check: func(t *testing.T, got received, _ result) {
				if string(got.body) != "x\ny\n" || got.err != nil {
					t.Errorf("server got %q, %v", got.body, got.err)
				}
			}},
		{name: "-T streams aws-chunked to S3", env: env, args: []string{"curl", "--service", "s3", "-T", big, srv.URL + "/b/big.bin"},
			stdout: []string{"stored /b/big.bin"}, check: func(t *testing.T, got received, _ result) {
				if got.method != "PUT" || !bytes.Equal(got.body, bigData) || got.err != nil {
					t.Errorf("server got %s %d bytes, err %v", got.method, len(got.body), got.err)
				}
				if got.payloadHash != "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" || got.contentEncoding != "aws-chunked" {
					t.Errorf("X-Amz-Content-Sha256 %q, Content-Encoding %q: not aws-chunked", got.payloadHash, got.contentEncoding)
				}
			}},
		{name: "-T to a URL ending in / appends the name", env: env, args: []string{"curl", "--service", "s3", "--upload-file", binary, srv.URL + "/b/dir/"},
			check: func(t *testing.T, got received, _ result) {
				if got.path != "/b/dir/blob.bin" || !bytes.Equal(got.body, blob) || got.err != nil {
					t.Errorf("server got %s %q, err %v", got.path, got.body, got.err)
				}
			}},
		{name: "-T - from standard input", env: env, stdin: "piped\nbytes", args: []string{"curl", "--service", "s3", "-T", "-", srv.URL + "/b/k"},
			check: func(t *testing.T, got received, _ result) {
				if got.method != "PUT" || string(got.body) != "piped\nbytes" || got.err != nil {
					t.Errorf("server got %s %q, err %v", got.method, got.body, got.err)
				}
			}},
		{name: "-T --no-chunked hashes the file", env: env, args: []string{"curl", "--service", "s3", "-T", big, "--no-chunked", srv.URL + "/b/k"},
			check: func(t *testing.T, got received, _ result) {
				if !bytes.Equal(got.body, bigData) || got.payloadHash != sha256Hex(bigData) || got.err != nil {
					t.Errorf("server got %d bytes, hash %s, err %v", len(got.body), got.payloadHash, got.err)
				}
			}},
		{name: "-o FILE", env: env, args: []string{"curl", "--service", "s3", "-o", filepath.Join(dir, "out.txt"), srv.URL + "/b/o"},
			check: func(t *testing.T, _ received, r result) {
				if b, _ := os.ReadFile(filepath.Join(dir, "out.txt")); string(b) != "stored /b/o\n" || r.stdout != "" {
					t.Errorf("-o wrote %q; stdout %q", b, r.stdout)
				}
			}},
		{name: "-o - is standard output", env: env, args: []string{"curl", "--service", "s3", "-o", "-", srv.URL + "/b/o"}, stdout: []string{"stored /b/o"}},
		{name: "-i", env: env, args: []string{"curl", "--service", "s3", "-i", srv.URL + "/b/k"},
			stdout: []string{"HTTP/1.1 200 OK\r\n", "X-Received: GET\r\n", "\r\n\r\nstored /b/k\n"}},
		{name: "-i -o FILE puts the headers in the file", env: env, args: []string{"curl", "--service", "s3", "--include", "--output", filepath.Join(dir, "head.txt"), srv.URL + "/b/k"},
			check: func(t *testing.T, _ received, r result) {
				if b, _ := os.ReadFile(filepath.Join(dir, "head.txt")); !strings.HasPrefix(string(b), "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(string(b), "stored /b/k\n") || r.stdout != "" {
					t.Errorf("file %q, stdout %q", b, r.stdout)
				}
			}},
		{name: "-v", env: env, args: []string{"curl", "--service", "s3", "-v", "-X", "PUT", "-d", "v=1", srv.URL + "/b/k"},
			stderr: []string{"canonical request:\n  PUT\n  /b/k\n", "string to sign:\n  AWS4-HMAC-SHA256\n", "> PUT /b/k HTTP/1.1\n", "> Content-Length: 3\n", "< HTTP/1.1 200 OK\n", "< X-Received: PUT\n"}},
		{name: "-v with -T to S3 traces the seed", env: env, args: []string{"curl", "--service", "s3", "-v", "-T", binary, srv.URL + "/b/k"},
			stderr: []string{"content-encoding:aws-chunked\n", "  STREAMING-AWS4-HMAC-SHA256-PAYLOAD\n", "> Content-Encoding: aws-chunked\n", "< HTTP/1.1 200 OK\n"}},
		{name: "-s hides errors", env: env, args: []string{"curl", "--service", "s3", "-s", "http://127.0.0.1:1/"}, code: exitError,
			check: func(t *testing.T, _ received, r result) {
				if r.stderr != "" {
					t.Errorf("-s printed %q", r.stderr)
				}
			}},
		{name: "-sS shows errors", env: env, args: []string{"curl", "--service", "s3", "-sS", "http://127.0.0.1:1/"}, code: exitError,
			stderr: []string{"sigv4: error: GET http://127.0.0.1:1/: cannot connect", "sigv4: hint: "}},
		{name: "--silent --show-error", env: env, args: []string{"curl", "--service", "s3", "--silent", "--show-error", "http://127.0.0.1:1/"}, code: exitError,
			stderr: []string{"sigv4: error: "}},
		{name: "-s hides a 403's hints", env: env, args: []string{"curl", "--service", "s3", "--region", "eu-west-1", "-s", srv.URL + "/b/k"},
			stdout: []string{"<Code>AuthorizationHeaderMalformed</Code>"}, check: func(t *testing.T, _ received, r result) {
				if r.stderr != "" {
					t.Errorf("-s printed %q", r.stderr)
				}
			}},
		{name: "-f", env: env, args: []string{"curl", "--service", "s3", "--region", "eu-west-1", "-f", srv.URL + "/b/k"}, code: exitError,
			stderr: []string{"sigv4: error: the server answered 400 Bad Request"}, check: func(t *testing.T, _ received, r result) {
				if r.stdout != "" {
					t.Errorf("-f printed the body %q", r.stdout)
				}
			}},
		{name: "-sSf combined", env: env, args: []string{"curl", "--service", "s3", "--region", "eu-west-1", "-sSf", srv.URL + "/b/k"}, code: exitError,
			stderr: []string{"sigv4: error: the server answered 400 Bad Request"}},
		{name: "https without trust", env: env, args: []string{"curl", "--service", "s3", tlsSrv.URL + "/b/k"}, code: exitError,
			stderr: []string{"not trusted", "sigv4: hint: pass its CA certificate with --cacert FILE (or set AWS_CA_BUNDLE); -k skips the check"}},
		{name: "-k", env: env, args: []string{"curl", "--service", "s3", "-k", tlsSrv.URL + "/b/k"}, stdout: []string{"stored /b/k"}},
		{name: "--insecure", env: env, args: []string{"curl", "--service", "s3", "--insecure", tlsSrv.URL + "/b/k"}, stdout: []string{"stored /b/k"}},
		{name: "--cacert", env: env, args: []string{"curl", "--service", "s3", "--cacert", ca, tlsSrv.URL + "/b/k"}, stdout: []string{"stored /b/k"}},
		{name: "AWS_CA_BUNDLE", env: withEnv(env, "AWS_CA_BUNDLE", ca), args: []string{"curl", "--service", "s3", tlsSrv.URL + "/b/k"}, stdout: []string{"stored /b/k"}},
		{name: "the profile's ca_bundle", env: caProfile, args: []string{"curl", "--service", "s3", tlsSrv.URL + "/b/k"}, stdout: []string{"stored /b/k"}},
		{name: "--max-time in seconds", env: env, args: []string{"curl", "--service", "s3", "--max-time", "0.5", srv.URL + "/slow"}, code: exitError,
			stderr: []string{"no answer within --max-time 0.5", "sigv4: hint: raise --max-time"}},
		{name: "-m", env: env, args: []string{"curl", "--service", "s3", "-m", "10", srv.URL + "/b/k"}, stdout: []string{"stored /b/k"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := execBin(t, tc.env, tc.stdin, tc.args...)
			r.check(t, tc.code, tc.stdout, tc.stderr)
			if tc.check != nil {
				got := srv.got()
				if strings.Contains(strings.Join(tc.args, " "), tlsSrv.URL) {
					got = tlsSrv.got()
				}
				tc.check(t, got, r)
			}
		})
	}
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestBinaryNotOnEC2 runs the binary where the instance metadata service
// refuses the token (403: turned off, or not EC2's), does not answer in
// time, or has no role: each is "no credentials" with the metadata service
// reported as not on EC2 (or without a role), never as a failed source.
func TestBinaryNotOnEC2(t *testing.T) {
	t.Parallel()
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "", http.StatusForbidden)
	}))
	defer refuse.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
	}))
	defer slow.Close()
	noRole := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && r.URL.Path == "/latest/api/token" {
			io.WriteString(w, "token")
			return
		}
		http.NotFound(w, r)
	}))
	defer noRole.Close()
	for _, tc := range []struct {
		name, endpoint, line string
	}{
		{"403", refuse.URL, "sigv4: error:   5. imds: not on EC2, or its metadata service is turned off (the session token was refused)\n"},
		{"timeout", slow.URL, "sigv4: error:   5. imds: not on EC2 (nothing answered: timed out)\n"},
		{"no role", noRole.URL, "sigv4: error:   5. imds: the instance has no IAM role\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := baseEnv(t)
			delete(env, "AWS_EC2_METADATA_DISABLED")
			env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = tc.endpoint
			r := execBin(t, env, "", "presign", "--region", "us-east-1", "s3://photos/k")
			r.check(t, exitError, nil, []string{"sigv4: error: no credentials:\n", "sigv4: error:   1. env: ", tc.line,
				"sigv4: hint: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"})
			if strings.Contains(r.stderr, "failed") {
				t.Errorf("reported as a failed source:\n%s", r.stderr)
			}
			if n := strings.Count(r.stderr, "\n"); n > 7 {
				t.Errorf("%d lines, not a short list:\n%s", n, r.stderr)
			}
		})
	}
}

// TestBinaryRequestFlag checks that --request is the method everywhere,
// as in curl, and that explain takes its raw request file as
// --request-file.
func TestBinaryRequestFlag(t *testing.T) {
	t.Parallel()
	env := credEnv(t)
	xmlBody, err := os.ReadFile("testdata/versitygw-header-changed.xml")
	if err != nil {
		t.Fatal(err)
	}
	put := strings.TrimSpace(execBin(t, env, "", "presign", "--request", "PUT", "s3://photos/k").stdout)
	if put == "" {
		t.Fatal("presign --request PUT printed nothing")
	}
	for _, tc := range []struct {
		name           string
		stdin          string
		args           []string
		code           int
		stdout, stderr []string
	}{
		{"curl --request", "", []string{"curl", "--dry-run", "--request", "PATCH", "https://sts.amazonaws.com/"}, 0, []string{"PATCH / HTTP/1.1"}, nil},
		{"presign --request", "", []string{"verify", "--request", "PUT", put}, 0, []string{"valid: PUT "}, nil},
		{"presign -X", "", []string{"presign", "-X", "DELETE", "--json", "s3://photos/k"}, 0, []string{`"method": "DELETE"`}, nil},
		{"verify --request", "", []string{"verify", "--request", "GET", put}, 1, nil, []string{"the signature does not match"}},
		{"explain --request is the method", string(xmlBody), []string{"explain", "--request", "PUT", "--request-file", "testdata/versitygw-header-changed.http", "http://127.0.0.1:44201/"}, 0, []string{"first difference"}, nil},
		{"explain --request-file", string(xmlBody), []string{"explain", "--request-file", "testdata/versitygw-header-changed.http", "http://127.0.0.1:44201/"}, 0, []string{"first difference: line 7"}, nil},
		{"explain --request with a file", string(xmlBody), []string{"explain", "--request", "testdata/versitygw-header-changed.http", "http://127.0.0.1:44201/"}, 2, nil,
			[]string{`sigv4: error: --request "testdata/versitygw-header-changed.http" is not an HTTP method`, "sigv4: hint: --request is the method, as in curl and the other commands; the raw request file is --request-file testdata/versitygw-header-changed.http"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			execBin(t, env, tc.stdin, tc.args...).check(t, tc.code, tc.stdout, tc.stderr)
		})
	}
}

// TestExpandShortFlags checks curl's combined short flags.
func TestExpandShortFlags(t *testing.T) {
	var o curlOptions
	fs := o.flagSet()
	for _, tc := range []struct{ in, want string }{
		{"-sS", "-s -S"},
		{"-sSf", "-s -S -f"},
		{"-XPUT", "-X PUT"},
		{"-sSo out", "-s -S -o out"},
		{"-sSoout", "-s -S -o out"},
		{"-dx=1", "-d x=1"},
		{"-Hx:y", "-H x:y"},
		{"-data=x", "-data=x"},   // Go's single-dash long flag
		{"-data x", "-data x"},   // the same
		{"-sZ", "-sZ"},           // Z is no flag: left for the flag package to refuse
		{"--silent", "--silent"}, // long flags are left alone
		{"-- -sS", "-- -sS"},     // after --, nothing is a flag
		{"-v https://h/", "-v https://h/"},
	} {
		got := strings.Join(expandShortFlags(fs, strings.Fields(tc.in)), " ")
		if got != tc.want {
			t.Errorf("expandShortFlags(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
