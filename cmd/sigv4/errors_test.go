package main

import (
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rawGoText is what a user should never read: the wording of Go's
// parsers and of the flag package.
var rawGoText = []string{"strconv.", `parse "`, "invalid syntax", "flag needs an argument", "flag provided but not defined",
	"invalid boolean value", "parse error", "net/url:", "open /", "no such file or directory\n"}

// TestErrorsEndWithHint triggers every kind of error of every command
// (flags, URLs, files, times, sizes, headers, credentials, configuration,
// the network, TLS) and checks that the last line says what to do and that
// no raw Go parse error shows.
func TestErrorsEndWithHint(t *testing.T) {
	env := credEnv(t)
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	writeFile(t, notPEM, "not a certificate")
	brokenConfig := credEnv(t)
	writeFile(t, brokenConfig["AWS_CONFIG_FILE"], "[default]\nregion = us-east-1\nregion = eu-west-1\n")
	noCreds := baseEnv(t)
	noCreds["AWS_REGION"] = "us-east-1"
	noCreds[envTestNow] = env[envTestNow]
	badRegionProfile := credEnv(t)
	delete(badRegionProfile, "AWS_REGION")
	writeFile(t, badRegionProfile["AWS_CONFIG_FILE"], "[default]\nregion = eu west 1\n")
	accel := credEnv(t)
	writeFile(t, accel["AWS_CONFIG_FILE"], "[default]\ns3 =\n  use_accelerate_endpoint = true\n")
	tls := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
		}
	}))
	tls.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes refused on purpose
	tls.StartTLS()
	defer tls.Close()
	presigned := presignURL(t, env, "s3://photos/a")

	for _, tc := range []struct {
		name  string
		env   map[string]string
		stdin string
		args  []string
		want  string // in the error line
	}{
		// Flags.
		{"unknown command", env, "", []string{"sign"}, `unknown command "sign"`},
		{"flag before the command", env, "", []string{"--region", "x"}, "unknown flag --region"},
		{"unknown flag", env, "", []string{"curl", "--nope", "https://sts.amazonaws.com/"}, "curl: unknown flag --nope"},
		{"unknown short flag", env, "", []string{"curl", "-Z", "https://sts.amazonaws.com/"}, "curl: unknown flag -Z"},
		{"flag without its value", env, "", []string{"curl", "https://sts.amazonaws.com/", "-H"}, "curl: -H needs a value"},
		{"long flag without its value", env, "", []string{"presign", "s3://b/k", "--expires-in"}, "presign: --expires-in needs a value"},
		{"bool flag with a value", env, "", []string{"curl", "--dry-run=maybe", "https://sts.amazonaws.com/"}, "curl: --dry-run takes no value"},
		{"no URL", env, "", []string{"curl"}, "curl takes one URL, got 0"},
		{"two URLs", env, "", []string{"verify", "https://a/", "https://b/"}, "verify takes one URL, got 2"},
		{"-T and -d", env, "", []string{"curl", "-T", "x", "-d", "y", "https://sts.amazonaws.com/"}, "-T and -d (or --data-*) both give a body"},
		{"bad method", env, "", []string{"curl", "-X", "GE T", "https://sts.amazonaws.com/"}, `-X "GE T" is not an HTTP method`},
		{"explain --request with a file", env, "", []string{"explain", "--error", "testdata/versitygw-header-changed.xml", "--request", "testdata/versitygw-header-changed.http"}, `--request "testdata/versitygw-header-changed.http" is not an HTTP method`},
		{"presign method", env, "", []string{"presign", "s3://b/k", "-X", "PATCH"}, "--method PATCH"},
		{"json and html", env, "", []string{"post-policy", "s3://b/", "--json", "--html"}, "exclude each other"},
		{"dry run with -o", env, "", []string{"curl", "--dry-run", "-o", "x", "https://sts.amazonaws.com/"}, "--dry-run sends nothing"},
		{"unsigned payload outside S3", env, "", []string{"curl", "--unsigned-payload", "--dry-run", "https://sts.amazonaws.com/"}, "--unsigned-payload is for S3"},

		// URLs.
		{"bad URL escape", env, "", []string{"curl", "https://sts.amazonaws.com/%zz"}, "is not a URL: invalid URL escape"},
		{"bad URL host", env, "", []string{"curl", "http://[::1/"}, "is not a URL"},
		{"not http", env, "", []string{"curl", "ftp://x/"}, "is not an http or https URL"},
		{"verify not a URL", env, "", []string{"verify", "not a url"}, "is not an http or https URL"},
		{"verify bad query escape", env, "", []string{"verify", presigned + "&x=%zz"}, "the query string is malformed"},
		{"verify not presigned", env, "", []string{"verify", "https://photos.s3.amazonaws.com/a"}, "no X-Amz-Algorithm parameter"},
		{"verify bad date", env, "", []string{"verify", strings.Replace(presigned, "X-Amz-Date=20130524T000000Z", "X-Amz-Date=yesterday", 1)}, `X-Amz-Date "yesterday" is not YYYYMMDDTHHMMSSZ`},
		{"verify bad expires", env, "", []string{"verify", strings.Replace(presigned, "X-Amz-Expires=3600", "X-Amz-Expires=1e3", 1)}, `X-Amz-Expires "1e3" is not a number of seconds`},
		{"verify signed header without value", env, "", []string{"verify", presignURL(t, env, "s3://photos/a", "-X", "PUT", "--content-type", "a/b")}, "the URL signs header content-type"},
		{"verify bad content-length", env, "", []string{"verify", "-H", "Content-Length: ten", presignWithLength(t)}, "the URL signs content-length"},
		{"presign not s3://", env, "", []string{"presign", "https://b.s3.amazonaws.com/k"}, "is not an s3://bucket/key URL"},
		{"presign no bucket", env, "", []string{"presign", "s3:///k"}, "has no bucket name"},
		{"presign no key", env, "", []string{"presign", "s3://b"}, "has no object key"},
		{"presign bad bucket", accel, "", []string{"presign", "s3://my.photos/k"}, "invalid bucket name"},
		{"post-policy bad endpoint", env, "", []string{"post-policy", "s3://photos/", "--endpoint-url", "localhost:9000"}, "is not an absolute http or https URL"},
		{"presign bad endpoint", env, "", []string{"presign", "s3://photos/k", "--endpoint-url", "localhost:9000"}, "presign: invalid config"},
		{"explain bad base URL", env, "", []string{"explain", "--error", "testdata/versitygw-header-changed.xml", "--request-file", "testdata/versitygw-header-changed.http", "127.0.0.1:44201"}, "is not an absolute URL"},

		// Files.
		{"-d missing file", env, "", []string{"curl", "-d", "@" + filepath.Join(dir, "nope"), "https://sts.amazonaws.com/"}, "-d: no such file: "},
		{"--data-binary missing file", env, "", []string{"curl", "--data-binary", "@" + filepath.Join(dir, "nope"), "https://sts.amazonaws.com/"}, "--data-binary: no such file: "},
		{"-T missing file", env, "", []string{"curl", "-T", filepath.Join(dir, "nope"), "--service", "s3", "http://127.0.0.1:1/b/"}, "-T: no such file: "},
		{"-T directory", env, "", []string{"curl", "-T", dir, "--service", "s3", "http://127.0.0.1:1/b/k"}, "is a directory"},
		{"-d directory", env, "", []string{"curl", "-d", "@" + dir, "https://sts.amazonaws.com/"}, "is a directory"},
		{"--error missing", env, "", []string{"explain", "--error", filepath.Join(dir, "nope"), "http://h/"}, "--error: no such file: "},
		{"--request-file missing", env, "<Error><Code>X</Code></Error>", []string{"explain", "--request-file", filepath.Join(dir, "nope")}, "--request-file: no such file: "},
		{"--request-file not HTTP", env, "", []string{"explain", "--error", "testdata/versitygw-header-changed.xml", "--request-file", "testdata/README.md"}, "is not an HTTP request"},
		{"--cacert missing", env, "", []string{"curl", "--cacert", filepath.Join(dir, "nope"), "--service", "s3", tls.URL}, "--cacert: no such file: "},
		{"--cacert not PEM", env, "", []string{"curl", "--cacert", notPEM, "--service", "s3", tls.URL}, "holds no PEM certificate"},
		{"AWS_CA_BUNDLE missing", withEnv(env, "AWS_CA_BUNDLE", filepath.Join(dir, "nope")), "", []string{"curl", "--service", "s3", tls.URL}, "AWS_CA_BUNDLE: no such file: "},
		{"-o in a missing directory", env, "", []string{"curl", "-o", filepath.Join(dir, "no", "out"), "--service", "s3", tls.URL, "-k"}, "-o: cannot write "},
		{"explain body not an error", env, "<html>", []string{"explain", "http://h/"}, "is not an AWS error body"},

		// Times and sizes.
		{"expiry junk", env, "", []string{"presign", "s3://photos/k", "--expires-in", "soon"}, `--expires-in: "soon" is neither`},
		{"expiry fraction", env, "", []string{"presign", "s3://photos/k", "--expires-in", "1.5"}, `--expires-in: "1.5" is neither`},
		{"expiry out of range", env, "", []string{"presign", "s3://photos/k", "--expires-in", "8d"}, "--expires-in 8d is out of range"},
		{"max-time junk", env, "", []string{"curl", "--max-time", "soon", "https://sts.amazonaws.com/"}, `--max-time "soon" is not a number of seconds`},
		{"max-time negative", env, "", []string{"curl", "-m", "-1", "https://sts.amazonaws.com/"}, `--max-time "-1" is not a number of seconds`},
		{"post-policy expiry", env, "", []string{"post-policy", "s3://photos/", "--expires-in", "1y"}, `--expires-in: "1y" is neither`},
		{"max-size junk", env, "", []string{"post-policy", "s3://photos/", "--max-size", "big"}, `--max-size: "big" is not a size`},
		{"min-size over max", env, "", []string{"post-policy", "s3://photos/", "--max-size", "1KB", "--min-size", "2KB"}, "smaller than --min-size"},
		{"success status junk", env, "", []string{"post-policy", "s3://photos/", "--success-status", "ok"}, `--success-status "ok" is not a number`},
		{"success status value", env, "", []string{"post-policy", "s3://photos/", "--success-status", "302"}, "status 302 is not 200, 201 or 204"},

		// Headers.
		{"header without colon", env, "", []string{"curl", "-H", "NoColon", "https://sts.amazonaws.com/"}, `header "NoColon" is not 'Name: value'`},
		{"header with a space in its name", env, "", []string{"curl", "-H", "X Y: z", "https://sts.amazonaws.com/"}, "has an invalid name"},
		{"content-length header", env, "", []string{"curl", "-H", "Content-Length: 5", "https://sts.amazonaws.com/"}, "Content-Length is set from the body"},
		{"verify header", env, "", []string{"verify", "-H", "bad", presigned}, `header "bad" is not 'Name: value'`},

		// Credentials and configuration.
		{"no credentials", noCreds, "", []string{"presign", "s3://photos/k"}, "no credentials:"},
		{"partial credentials", withEnv(noCreds, "AWS_ACCESS_KEY_ID", "AKID"), "", []string{"presign", "s3://photos/k"}, "AWS_SECRET_ACCESS_KEY"},
		{"unknown profile", env, "", []string{"presign", "s3://photos/k", "--profile", "nope"}, `profile "nope"`},
		{"AWS_PROFILE unknown", withEnv(env, "AWS_PROFILE", "nope"), "", []string{"post-policy", "s3://photos/"}, `profile "nope"`},
		{"broken config file", brokenConfig, "", []string{"presign", "s3://photos/k"}, "config:3"},
		{"bad region flag", env, "", []string{"presign", "s3://photos/k", "--region", "eu west"}, `region "eu west" from --region is not a region name`},
		{"bad region in profile", badRegionProfile, "", []string{"presign", "s3://photos/k"}, `region "eu west 1" from profile "default"`},
		{"no region", withEnv(env, "AWS_REGION", ""), "", []string{"presign", "s3://photos/k"}, "no region"},
		{"curl no region", withEnv(env, "AWS_REGION", ""), "", []string{"curl", "--service", "s3", "http://127.0.0.1:1/"}, "no region for 127.0.0.1:1"},
		{"curl no service", env, "", []string{"curl", "http://127.0.0.1:1/"}, "cannot tell the service"},
		{"verify without credentials", noCreds, "", []string{"verify", presigned}, "signature not checked: no credentials"},
		{"verify other key", withEnv(env, "AWS_ACCESS_KEY_ID", "AKIDOTHER"), "", []string{"verify", presigned}, "signature not checked: the URL is signed by access key"},

		// The network and TLS.
		{"connection refused", env, "", []string{"curl", "--service", "s3", "http://127.0.0.1:1/"}, "cannot connect to 127.0.0.1:1"},
		{"untrusted certificate", env, "", []string{"curl", "--service", "s3", tls.URL}, "signed by an authority that is not trusted"},
		{"wrong host name", env, "", []string{"curl", "--service", "s3", "https://localhost:" + tls.URL[strings.LastIndex(tls.URL, ":")+1:] + "/", "--cacert", certFile(t, tls)}, "is not for localhost"},
		{"-f on 404", env, "", []string{"curl", "-f", "-k", "--service", "s3", tls.URL + "/missing"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runIn(t, tc.env, tc.stdin, tc.args...)
			t.Logf("sigv4 %s\n%s", strings.Join(tc.args, " "), r.stderr)
			if r.code == exitOK {
				t.Fatalf("exit status 0, want an error\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			}
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if !strings.HasPrefix(lines[0], "sigv4: error: ") && !strings.HasPrefix(lines[0], "sigv4: warning: ") {
				t.Errorf("the first line is not an error: %q", lines[0])
			}
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "sigv4: hint: ") {
				t.Errorf("the last line is not a hint: %q\n%s", last, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, r.stderr)
			}
			for _, raw := range rawGoText {
				if strings.Contains(r.stderr, raw) {
					t.Errorf("stderr has Go's own wording %q:\n%s", raw, r.stderr)
				}
			}
			r.check(t, r.code, nil, nil) // one voice
		})
	}
}

// withEnv returns a copy of env with k set to v ("" unsets it).
func withEnv(env map[string]string, k, v string) map[string]string {
	c := make(map[string]string, len(env)+1)
	for key, val := range env {
		c[key] = val
	}
	if v == "" {
		delete(c, k)
	} else {
		c[k] = v
	}
	return c
}

// certFile writes the certificate of a TLS test server to a PEM file.
func certFile(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(name, pemCert(srv), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

// pemCert returns the certificate of a TLS test server as PEM.
func pemCert(srv *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}

// presignWithLength returns a presigned PUT that signs content-length.
func presignWithLength(t *testing.T) string {
	t.Helper()
	u := presignURL(t, credEnv(t), "s3://photos/a", "-X", "PUT")
	return strings.Replace(u, "X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=content-length%3Bhost", 1)
}
