//go:build e2e

package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/compat/internal/e2eenv"
	"github.com/sigv4kit/sigv4kit/compat/internal/gobuild"
)

// server is the S3 server, from the environment that compat/scripts/e2e.sh
// sets.
type server struct {
	endpoint, region, accessKey, secretKey, bucket string
}

func getServer(t *testing.T) server {
	t.Helper()
	e := e2eenv.Get(t)
	return server{endpoint: e.Endpoint, region: e.Region, accessKey: e.AccessKey, secretKey: e.SecretKey, bucket: e.Bucket}
}

var sigv4Bin = gobuild.Binary{Pkg: "github.com/sigv4kit/sigv4kit/cmd/sigv4"}

func TestMain(m *testing.M) { sigv4Bin.Main(m) }

// binary builds cmd/sigv4 once and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	return sigv4Bin.Path(t)
}

type result struct {
	code           int
	stdout, stderr string
}

// sigv4 runs the binary with the server's keys and endpoint in a clean
// environment; extra holds KEY=value overrides.
func (s server) sigv4(t *testing.T, stdin string, extra []string, args ...string) result {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_ACCESS_KEY_ID=" + s.accessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.secretKey,
		"AWS_REGION=" + s.region,
		"AWS_ENDPOINT_URL_S3=" + s.endpoint,
	}, extra...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return r
}

// ok runs sigv4 and fails the test unless it exits with status 0.
func (s server) ok(t *testing.T, stdin string, extra []string, args ...string) result {
	t.Helper()
	r := s.sigv4(t, stdin, extra, args...)
	if r.code != 0 {
		t.Fatalf("sigv4 %s: exit status %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

var client = &http.Client{Timeout: 30 * time.Second}

func do(t *testing.T, method, url string, header http.Header, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		req.Body = http.NoBody
	}
	for k, vv := range header {
		req.Header[k] = vv
	}
	r := e2eenv.Do(t, client, req)
	return r.Status, r.Body
}

// presigned is the --json output of sigv4 presign.
type presigned struct {
	Method  string
	URL     string
	Headers map[string]string
	Expires string
}

func (s server) presign(t *testing.T, args ...string) presigned {
	t.Helper()
	r := s.ok(t, "", nil, append([]string{"presign", "--json"}, args...)...)
	var p presigned
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatalf("presign --json: %v\n%s", err, r.stdout)
	}
	return p
}

func TestPresignedURLs(t *testing.T) {
	s := getServer(t)
	obj := "s3://" + s.bucket + "/cli/presign/hello world+(1).txt"
	body := []byte("hello from sigv4 presign\n")

	put := s.presign(t, obj, "--method", "PUT", "--content-type", "text/plain", "--expires-in", "300")
	if put.Headers["Content-Type"] != "text/plain" {
		t.Fatalf("PUT headers: %v", put.Headers)
	}
	// The signed Content-Type is enforced.
	if code, b := do(t, "PUT", put.URL, http.Header{"Content-Type": {"text/html"}}, body); code != http.StatusForbidden || !bytes.Contains(b, []byte("SignatureDoesNotMatch")) {
		t.Errorf("PUT with another Content-Type: %d %s", code, b)
	}
	if code, b := do(t, "PUT", put.URL, http.Header{"Content-Type": {"text/plain"}}, body); code != http.StatusOK {
		t.Fatalf("PUT: %d %s", code, b)
	}

	// The plain output is the URL alone.
	get := strings.TrimSpace(s.ok(t, "", nil, "presign", obj, "--expires-in", "15m").stdout)
	if code, b := do(t, "GET", get, nil, nil); code != http.StatusOK || !bytes.Equal(b, body) {
		t.Fatalf("GET: %d %q", code, b)
	}
	// The URL verifies offline, and only for GET.
	s.ok(t, "", nil, "verify", "-X", "GET", get)
	if r := s.sigv4(t, "", nil, "verify", "-X", "PUT", get); r.code != 1 || !strings.Contains(r.stderr, "the signature does not match") {
		t.Errorf("verify -X PUT: %+v", r)
	}

	head := s.presign(t, obj, "--method", "HEAD")
	if code, _ := do(t, "HEAD", head.URL, nil, nil); code != http.StatusOK {
		t.Errorf("HEAD: %d", code)
	}
	del := s.presign(t, obj, "--method", "DELETE")
	if code, b := do(t, "DELETE", del.URL, nil, nil); code != http.StatusNoContent {
		t.Errorf("DELETE: %d %s", code, b)
	}
	if code, _ := do(t, "GET", get, nil, nil); code != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d", code)
	}

	// A URL signed an hour ago for a minute is refused by the server and by verify.
	old := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	r := s.ok(t, "", []string{"SIGV4_TEST_NOW=" + old}, "presign", obj, "--expires-in", "60")
	expired := strings.TrimSpace(r.stdout)
	if code, b := do(t, "GET", expired, nil, nil); code != http.StatusForbidden {
		t.Errorf("expired GET: %d %s", code, b)
	}
	if r := s.sigv4(t, "", nil, "verify", expired); r.code != 1 || !strings.Contains(r.stderr, "sigv4: error: the URL expired at") {
		t.Errorf("verify expired: %+v", r)
	}
}

func TestCurl(t *testing.T) {
	s := getServer(t)
	prefix := "cli/curl/"
	file := filepath.Join(t.TempDir(), "data.json")
	if err := os.WriteFile(file, []byte(`{"hello":"curl"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s.ok(t, "", nil, "curl", "--service", "s3", "-X", "PUT", "-H", "Content-Type: application/json", "-d", "@"+file, s.endpoint+"/"+s.bucket+"/"+prefix+"data.json")
	s.ok(t, "from stdin", nil, "curl", "-f", "--service", "s3", "-X", "PUT", "-d", "@-", s.endpoint+"/"+s.bucket+"/"+prefix+"stdin.txt")
	s.ok(t, "", nil, "curl", "-f", "--service", "s3", "-X", "PUT", "--unsigned-payload", "-d", "unsigned", s.endpoint+"/"+s.bucket+"/"+prefix+"unsigned.txt")

	// sigv4 curl lists the bucket.
	r := s.ok(t, "", nil, "curl", "-f", "--service", "s3", s.endpoint+"/"+s.bucket+"?list-type=2&prefix="+prefix)
	for _, k := range []string{"data.json", "stdin.txt", "unsigned.txt"} {
		if !strings.Contains(r.stdout, "<Key>"+prefix+k+"</Key>") {
			t.Errorf("listing lacks %s:\n%s", k, r.stdout)
		}
	}
	// -T streams the file aws-chunked, every chunk signed.
	big := filepath.Join(t.TempDir(), "big.bin")
	bigData := bytes.Repeat([]byte("0123456789abcdef"), 20<<10) // 320 KiB: five chunks
	if err := os.WriteFile(big, bigData, 0o600); err != nil {
		t.Fatal(err)
	}
	s.ok(t, "", nil, "curl", "-sSf", "--service", "s3", "-T", big, s.endpoint+"/"+s.bucket+"/"+prefix)
	if code, b := do(t, "GET", s.presign(t, "s3://"+s.bucket+"/"+prefix+"big.bin").URL, nil, nil); code != http.StatusOK || !bytes.Equal(b, bigData) {
		t.Errorf("GET of the -T upload: %d, %d bytes", code, len(b))
	}
	r = s.ok(t, "", nil, "curl", "-i", "--service", "s3", s.endpoint+"/"+s.bucket+"/"+prefix+"data.json")
	if !strings.HasPrefix(r.stdout, "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(r.stdout, `{"hello":"curl"}`) {
		t.Errorf("GET -i:\n%s", r.stdout)
	}

	// With a wrong secret, -v explains: the requests match, the key does
	// not. -f prints no body, as in curl, and fails.
	r = s.sigv4(t, "", []string{"AWS_SECRET_ACCESS_KEY=wrong"}, "curl", "-v", "-f", "--service", "s3", s.endpoint+"/"+s.bucket+"?list-type=2")
	if r.code != 1 || r.stdout != "" ||
		!strings.Contains(r.stderr, "sigv4: hint: the server's canonical request and string to sign are sigv4's: the secret access key is not the server's for "+s.accessKey) ||
		!strings.Contains(r.stderr, "sigv4: error: the server answered 403 Forbidden") {
		t.Errorf("curl with a wrong secret: %+v", r)
	}
}

func TestPostPolicy(t *testing.T) {
	s := getServer(t)
	r := s.ok(t, "", nil, "post-policy", "--json", "s3://"+s.bucket+"/cli/forms/", "--max-size", "1KB", "--content-type", "text/", "--expires-in", "10m")
	var form struct {
		URL    string
		Fields map[string]string
	}
	if err := json.Unmarshal([]byte(r.stdout), &form); err != nil {
		t.Fatal(err, r.stdout)
	}
	post := func(key, contentType string, size int) (int, []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range form.Fields {
			switch k {
			case "key":
				v = key
			case "Content-Type":
				v = contentType
			}
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file", "f.txt")
		fw.Write(bytes.Repeat([]byte("x"), size))
		mw.Close()
		return do(t, "POST", form.URL, http.Header{"Content-Type": {mw.FormDataContentType()}}, buf.Bytes())
	}
	if code, b := post("cli/forms/ok.txt", "text/plain", 100); code/100 != 2 {
		t.Fatalf("POST: %d %s", code, b)
	}
	if code, _ := post("cli/forms/big.txt", "text/plain", 2000); code/100 == 2 {
		t.Errorf("POST over --max-size: %d", code)
	}
	if code, _ := post("elsewhere/x.txt", "text/plain", 10); code/100 == 2 {
		t.Errorf("POST outside the prefix: %d", code)
	}
	r = s.ok(t, "", nil, "curl", "--service", "s3", s.endpoint+"/"+s.bucket+"/cli/forms/ok.txt")
	if r.stdout != strings.Repeat("x", 100) {
		t.Errorf("uploaded object: %q", r.stdout)
	}
}

// TestExplain captures SignatureDoesNotMatch bodies from the server and
// explains them.
func TestExplain(t *testing.T) {
	s := getServer(t)
	dir := t.TempDir()
	objURL := s.endpoint + "/" + s.bucket + "/cli/explain/cat.jpg"

	// A signed header changed after signing: sign with red, send blue.
	dry := s.ok(t, "", nil, "curl", "--dry-run", "--service", "s3", "-H", "x-amz-meta-color: red", objURL).stdout
	reqFile := filepath.Join(dir, "request.http")
	if err := os.WriteFile(reqFile, []byte(dry), 0o600); err != nil {
		t.Fatal(err)
	}
	header := http.Header{}
	sc := bufio.NewScanner(strings.NewReader(dry))
	sc.Scan() // request line
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			break
		}
		k, v, _ := strings.Cut(line, ": ")
		if k != "Host" {
			header.Set(k, v)
		}
	}
	header.Set("X-Amz-Meta-Color", "blue")
	code, body := do(t, "GET", objURL, header, nil)
	if code != http.StatusForbidden || !bytes.Contains(body, []byte("<CanonicalRequest>")) {
		t.Fatalf("tampered request: %d %s", code, body)
	}
	r := s.ok(t, string(body), nil, "explain", "--request-file", reqFile, s.endpoint)
	for _, want := range []string{"server: SignatureDoesNotMatch", "  - x-amz-meta-color:blue\n  + x-amz-meta-color:red\n", "first difference: line ", "the canonical header x-amz-meta-color"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain output lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "sigv4: hint: signed header x-amz-meta-color differs") {
		t.Errorf("explain hints:\n%s", r.stderr)
	}

	// A presigned PUT sent with another Content-Type.
	put := s.presign(t, "s3://"+s.bucket+"/cli/explain/up.png", "--method", "PUT", "--content-type", "image/png")
	code, body = do(t, "PUT", put.URL, http.Header{"Content-Type": {"image/jpeg"}}, []byte("png?"))
	if code != http.StatusForbidden {
		t.Fatalf("PUT with another Content-Type: %d %s", code, body)
	}
	errFile := filepath.Join(dir, "error.xml")
	if err := os.WriteFile(errFile, body, 0o600); err != nil {
		t.Fatal(err)
	}
	r = s.ok(t, "", nil, "explain", "--error", errFile, "-X", "PUT", "-H", "Content-Type: image/png", put.URL)
	if !strings.Contains(r.stdout, "  - content-type:image/jpeg\n  + content-type:image/png\n") {
		t.Errorf("explain presigned:\n%s", r.stdout)
	}

	// A wrong secret: identical canonical requests, different signatures.
	list := s.endpoint + "/" + s.bucket + "?list-type=2"
	wrong := s.sigv4(t, "", []string{"AWS_SECRET_ACCESS_KEY=wrong"}, "curl", "--service", "s3", list)
	if !strings.Contains(wrong.stdout, "SignatureDoesNotMatch") {
		t.Fatalf("wrong secret: %+v", wrong)
	}
	r = s.ok(t, wrong.stdout, nil, "explain", list)
	if !strings.Contains(r.stdout, "canonical request: identical") || !strings.Contains(r.stdout, "signature with your key:") ||
		!strings.Contains(r.stderr, "sigv4: hint: the client signed with another secret access key") {
		t.Errorf("explain wrong secret:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
}
