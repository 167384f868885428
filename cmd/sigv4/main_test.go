package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// AWS's documented example keys.
const (
	exampleID     = "AKIAIOSFODNN7EXAMPLE"
	exampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

type result struct {
	code           int
	stdout, stderr string
}

// baseEnv is an environment without credentials, files or metadata
// service: each test adds what it needs.
func baseEnv(t *testing.T) map[string]string {
	home := t.TempDir()
	return map[string]string{
		"HOME":                        home,
		"AWS_CONFIG_FILE":             filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
}

// credEnv is baseEnv with the example keys, a region and a fixed clock.
func credEnv(t *testing.T) map[string]string {
	env := baseEnv(t)
	env["AWS_ACCESS_KEY_ID"] = exampleID
	env["AWS_SECRET_ACCESS_KEY"] = exampleSecret
	env["AWS_REGION"] = "us-east-1"
	env[envTestNow] = "2013-05-24T00:00:00Z"
	return env
}

func runIn(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb, func(k string) string { return env[k] })
	return result{code, out.String(), errb.String()}
}

func (r result) check(t *testing.T, code int, stdout, stderr []string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	for _, s := range stdout {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("stdout does not contain %q:\n%s", s, r.stdout)
		}
	}
	for _, s := range stderr {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr does not contain %q:\n%s", s, r.stderr)
		}
	}
	// One voice: every line on standard error is "sigv4: error|warning|hint: ...",
	// or part of -v's trace (blocks, and curl's "> " and "< " lines).
	for _, line := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n") {
		if line != "" && !strings.HasPrefix(line, "sigv4: error: ") && !strings.HasPrefix(line, "sigv4: hint: ") &&
			!strings.HasPrefix(line, "sigv4: warning: ") && !strings.HasPrefix(line, "canonical request") &&
			!strings.HasPrefix(line, "string to sign") && !strings.HasPrefix(line, "first difference") && !strings.HasPrefix(line, "  ") &&
			!strings.HasPrefix(line, "> ") && !strings.HasPrefix(line, "< ") {
			t.Errorf("stderr line not in the program's voice: %q", line)
		}
	}
	// Every error ends with what to do.
	if r.code != exitOK && r.stderr != "" {
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		if last := lines[len(lines)-1]; !strings.HasPrefix(last, "sigv4: hint: ") {
			t.Errorf("the last line of an error is not a hint: %q", last)
		}
	}
}

func TestTopLevel(t *testing.T) {
	env := baseEnv(t)
	if r := runIn(t, env, ""); r.code != exitUsage || !strings.Contains(r.stderr, "Usage:") {
		t.Errorf("no arguments: %+v", r)
	}
	runIn(t, env, "", "--version").check(t, exitOK, []string{"sigv4 ", "go1."}, nil)
	runIn(t, env, "", "--help").check(t, exitOK, []string{"sigv4 presign", "sigv4 verify"}, nil)
	runIn(t, env, "", "frobnicate").check(t, exitUsage, nil, []string{`sigv4: error: unknown command "frobnicate"`, "sigv4: hint:"})
	runIn(t, env, "", "--region", "x").check(t, exitUsage, nil, []string{"sigv4: error: unknown flag --region"})
	for name := range commands {
		runIn(t, env, "", name, "--help").check(t, exitOK, []string{"Usage: sigv4 " + name}, nil)
		runIn(t, env, "", "help", name).check(t, exitOK, []string{"Usage: sigv4 " + name}, nil)
		runIn(t, env, "", name, "--no-such-flag").check(t, exitUsage, nil, []string{"sigv4: error: " + name + ": unknown flag --no-such-flag", `sigv4: hint: run "sigv4 ` + name + ` --help"`})
	}
}

func TestPresignAWSExample(t *testing.T) {
	// AWS's documented presigned GET (S3 API reference, "Authenticating
	// Requests: Using Query Parameters"), on the global endpoint.
	r := runIn(t, credEnv(t), "", "presign", "s3://examplebucket/test.txt", "--expires-in", "86400", "--endpoint-url", "https://s3.amazonaws.com")
	r.check(t, exitOK, []string{
		"https://examplebucket.s3.amazonaws.com/test.txt?",
		"X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request",
		"X-Amz-Date=20130524T000000Z", "X-Amz-Expires=86400",
		"X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
	}, nil)
	if r.stderr != "" {
		t.Errorf("stderr: %s", r.stderr)
	}
}

func TestPresign(t *testing.T) {
	env := credEnv(t)
	r := runIn(t, env, "", "presign", "--method", "put", "--content-type", "image/png", "--json", "--region", "eu-west-1", "s3://photos/cats/tom.png")
	r.check(t, exitOK, nil, nil)
	var out presignedJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("--json: %v\n%s", err, r.stdout)
	}
	if out.Method != "PUT" || out.Headers["Content-Type"] != "image/png" || out.Expires != "2013-05-24T01:00:00Z" ||
		!strings.HasPrefix(out.URL, "https://photos.s3.eu-west-1.amazonaws.com/cats/tom.png?") ||
		!strings.Contains(out.URL, "X-Amz-SignedHeaders=content-type%3Bhost") {
		t.Errorf("--json: %+v", out)
	}
	// Without --json, the headers to send are a hint.
	runIn(t, env, "", "presign", "s3://photos/a", "--method", "PUT", "--content-type", "text/plain").
		check(t, exitOK, []string{"https://photos.s3.us-east-1.amazonaws.com/a?"}, []string{"sigv4: hint: the request must send these headers: Content-Type: text/plain"})
	// Durations are accepted besides seconds.
	runIn(t, env, "", "presign", "s3://photos/a", "--expires-in", "7d").check(t, exitOK, []string{"X-Amz-Expires=604800"}, nil)
	runIn(t, env, "", "presign", "s3://photos/a", "--expires-in", "15m").check(t, exitOK, []string{"X-Amz-Expires=900"}, nil)

	// Temporary credentials cap the URL, with a warning.
	tmp := credEnv(t)
	tmp["AWS_SESSION_TOKEN"] = "token"
	tmp["AWS_CREDENTIAL_EXPIRATION"] = "2013-05-24T00:10:00Z"
	runIn(t, tmp, "", "presign", "s3://photos/a").check(t, exitOK, []string{"X-Amz-Expires=600", "X-Amz-Security-Token=token"},
		[]string{"sigv4: warning: the credentials (env) expire at 2013-05-24T00:10:00Z: the URL is valid for 10m0s, not 1h0m0s"})
}

func TestPresignErrors(t *testing.T) {
	env := credEnv(t)
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stderr []string
	}{
		{"expiry zero", env, []string{"s3://b/k", "--expires-in", "0"}, exitUsage, []string{"sigv4: error: --expires-in 0 is out of range", "604800 seconds (7 days)"}},
		{"expiry over 7 days", env, []string{"s3://b/k", "--expires-in", "604801"}, exitUsage, []string{"--expires-in 604801 is out of range"}},
		{"expiry negative", env, []string{"s3://b/k", "--expires-in=-5"}, exitUsage, []string{"out of range"}},
		{"expiry junk", env, []string{"s3://b/k", "--expires-in", "soon"}, exitUsage, []string{`--expires-in: "soon" is neither`}},
		{"method", env, []string{"s3://b/k", "--method", "PATCH"}, exitUsage, []string{"--method PATCH"}},
		{"content type on GET", env, []string{"s3://b/k", "--content-type", "a/b"}, exitUsage, []string{"add --method PUT"}},
		{"no key", env, []string{"s3://b"}, exitUsage, []string{"has no object key"}},
		{"https URL", env, []string{"https://b.s3.amazonaws.com/k"}, exitUsage, []string{"is not an s3://bucket/key URL", "sigv4: hint: name the object as s3://bucket/key"}},
		{"two args", env, []string{"s3://b/k", "s3://b/j"}, exitUsage, []string{"got 2"}},
		{"bad flag", env, []string{"s3://b/k", "--expires", "5"}, exitUsage, []string{"presign: unknown flag --expires"}},
		{"missing credentials", baseEnv(t), []string{"s3://b/k", "--region", "us-east-1"}, exitError, []string{
			"sigv4: error: no credentials:\n", "sigv4: error:   1. env: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set\n", "sigv4: error:   5. imds: disabled",
			"sigv4: hint: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"}},
		{"partial credentials", map[string]string{"AWS_ACCESS_KEY_ID": "AKID", "HOME": t.TempDir()}, []string{"s3://b/k"}, exitError, []string{"but AWS_SECRET_ACCESS_KEY is not", "sigv4: hint: set both"}},
		{"unknown profile", env, []string{"s3://b/k", "--profile", "nope"}, exitError, []string{"sigv4: error: ", "nope", "sigv4: hint: the profiles are sections"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runIn(t, tc.env, "", append([]string{"presign"}, tc.args...)...).check(t, tc.code, nil, tc.stderr)
		})
	}
	noRegion := credEnv(t)
	delete(noRegion, "AWS_REGION")
	runIn(t, noRegion, "", "presign", "s3://b/k").check(t, exitError, nil, []string{"sigv4: error: no region", "sigv4: hint: pass --region"})
}

func TestPresignProfile(t *testing.T) {
	env := baseEnv(t)
	env[envTestNow] = "2013-05-24T00:00:00Z"
	writeFile(t, env["AWS_SHARED_CREDENTIALS_FILE"], "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n")
	writeFile(t, env["AWS_CONFIG_FILE"], "[profile dev]\nregion = eu-central-1\nendpoint_url = http://127.0.0.1:9000\n")
	runIn(t, env, "", "presign", "s3://bucket/key", "--profile", "dev").
		check(t, exitOK, []string{"http://127.0.0.1:9000/bucket/key?", "AKIDDEV%2F20130524%2Feu-central-1%2Fs3"}, nil)
	env["AWS_PROFILE"] = "dev"
	runIn(t, env, "", "presign", "s3://bucket/key", "--endpoint-url", "http://localhost:7070").
		check(t, exitOK, []string{"http://localhost:7070/bucket/key?"}, nil)
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCurlDryRunIAMExample(t *testing.T) {
	// AWS's documented IAM ListUsers example: the signature is pinned.
	env := credEnv(t)
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	env[envTestNow] = "2015-08-30T12:36:00Z"
	delete(env, "AWS_REGION") // inferred from iam.amazonaws.com
	r := runIn(t, env, "", "curl", "--dry-run", "-v", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
		"-H", "Content-Type: application/x-www-form-urlencoded; charset=utf-8")
	r.check(t, exitOK, []string{
		"GET /?Action=ListUsers&Version=2010-05-08 HTTP/1.1\r\nHost: iam.amazonaws.com\r\n",
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
		"X-Amz-Date: 20150830T123600Z",
	}, []string{"canonical request:\n  GET\n  /\n  Action=ListUsers&Version=2010-05-08\n", "string to sign:\n  AWS4-HMAC-SHA256\n  20150830T123600Z\n  20150830/us-east-1/iam/aws4_request\n  f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"})
}

func TestCurl(t *testing.T) {
	var got *http.Request
	var gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(r.Context())
		b := new(bytes.Buffer)
		b.ReadFrom(r.Body)
		gotBody = b.String()
		w.Header().Set("X-Test", "yes")
		if r.URL.Path == "/mismatch" {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`<Error><Code>SignatureDoesNotMatch</Code><Message>no</Message><AWSAccessKeyId>AKIAIOSFODNN7EXAMPLE</AWSAccessKeyId>` +
				`<StringToSign>AWS4-HMAC-SHA256&#xA;20130524T000000Z&#xA;20130524/us-east-1/s3/aws4_request&#xA;0000</StringToSign>` +
				`<CanonicalRequest>GET&#xA;/other&#xA;&#xA;host:h&#xA;&#xA;host&#xA;UNSIGNED-PAYLOAD</CanonicalRequest></Error>`))
			return
		}
		if r.URL.Path == "/forbidden" {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>RequestTimeTooSkewed</Code><Message>skewed</Message><RequestTime>20130524T000000Z</RequestTime><ServerTime>2026-11-28T14:00:00Z</ServerTime></Error>`))
			return
		}
		w.Write([]byte("hello from the server\n"))
	}))
	defer srv.Close()
	env := credEnv(t)
	body := filepath.Join(t.TempDir(), "body.json")
	writeFile(t, body, `{"TableName":"t"}`)

	r := runIn(t, env, "", "curl", srv.URL+"/items?b=2&a=1", "--service", "execute-api", "-d", "@"+body, "-H", "Content-Type: application/json", "-i")
	r.check(t, exitOK, []string{"HTTP/1.1 200 OK\r\n", "X-Test: yes\r\n", "hello from the server"}, nil)
	if got == nil || got.Method != "POST" || gotBody != `{"TableName":"t"}` {
		t.Fatalf("server got %v %q", got, gotBody)
	}
	if a := got.Header.Get("Authorization"); !strings.Contains(a, "/20130524/us-east-1/execute-api/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date,") {
		t.Errorf("Authorization: %s", a)
	}
	if got.Header.Get("X-Amz-Content-Sha256") != "" {
		t.Errorf("execute-api request has X-Amz-Content-Sha256")
	}

	// Body from standard input; S3 signs the payload hash header.
	runIn(t, env, "hi", "curl", "-X", "PUT", "-d", "@-", "--service", "s3", srv.URL+"/b/k").check(t, exitOK, nil, nil)
	if h := got.Header.Get("X-Amz-Content-Sha256"); h != "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4" || gotBody != "hi" {
		t.Errorf("s3 PUT: hash %s body %q", h, gotBody)
	}
	runIn(t, env, "", "curl", "--unsigned-payload", "--service", "s3", srv.URL+"/b/k").check(t, exitOK, nil, nil)
	if h := got.Header.Get("X-Amz-Content-Sha256"); h != "UNSIGNED-PAYLOAD" {
		t.Errorf("--unsigned-payload: %s", h)
	}

	// Errors: the body is printed; -f makes it an exit status; the hints explain the code.
	runIn(t, env, "", "curl", "--service", "s3", srv.URL+"/forbidden").
		check(t, exitOK, []string{"<Code>RequestTimeTooSkewed</Code>"}, []string{"sigv4: hint: clock skew"})
	runIn(t, env, "", "curl", "-f", "--service", "s3", srv.URL+"/forbidden").
		check(t, exitError, nil, []string{"sigv4: error: the server answered 403 Forbidden"})

	runIn(t, env, "", "curl", "--service", "s3", srv.URL+"/mismatch").
		check(t, exitOK, []string{"<Code>SignatureDoesNotMatch</Code>"}, []string{"sigv4: hint: the server computed another canonical request (first difference: the canonical URI); rerun with -v"})
	r = runIn(t, env, "", "curl", "-v", "--service", "s3", srv.URL+"/mismatch")
	r.check(t, exitOK, nil, []string{"canonical request (- server, + sigv4):\n    GET\n  - /other\n  + /mismatch\n", "first difference: line 2, the canonical URI"})
	if strings.Contains(r.stdout, "first difference") {
		t.Errorf("the diff went to standard output:\n%s", r.stdout)
	}

	out := filepath.Join(t.TempDir(), "out")
	runIn(t, env, "", "curl", "--service", "s3", "-o", out, srv.URL+"/x").check(t, exitOK, nil, nil)
	if b, _ := os.ReadFile(out); string(b) != "hello from the server\n" {
		t.Errorf("-o wrote %q", b)
	}
}

func TestCurlErrors(t *testing.T) {
	env := credEnv(t)
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stderr []string
	}{
		{"no service", env, []string{"http://127.0.0.1:1/"}, exitUsage, []string{"cannot tell the service from the host 127.0.0.1", "sigv4: hint: pass --service"}},
		{"no URL", env, nil, exitUsage, []string{"curl takes one URL, got 0"}},
		{"bad URL", env, []string{"ftp://x/"}, exitUsage, []string{"is not an http or https URL"}},
		{"bad header", env, []string{"-H", "NoColon", "https://sts.amazonaws.com/"}, exitUsage, []string{"header \"NoColon\" is not 'Name: value'"}},
		{"missing file", env, []string{"-d", "@/nonexistent/file", "https://sts.amazonaws.com/"}, exitError, []string{"sigv4: error: -d: no such file: /nonexistent/file", "sigv4: hint: check the path"}},
		{"missing credentials", baseEnv(t), []string{"https://sts.amazonaws.com/", "--dry-run"}, exitError, []string{"sigv4: error: no credentials"}},
		{"unreachable", env, []string{"--service", "s3", "--max-time", "2s", "http://127.0.0.1:1/"}, exitError, []string{"sigv4: error: GET http://127.0.0.1:1/: "}},
		{"bad max-time", env, []string{"--max-time", "x", "https://sts.amazonaws.com/"}, exitUsage, []string{"--max-time"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runIn(t, tc.env, "", append([]string{"curl"}, tc.args...)...).check(t, tc.code, nil, tc.stderr)
		})
	}
}

func TestInferService(t *testing.T) {
	for _, tc := range []struct{ host, service, region string }{
		{"s3.us-west-2.amazonaws.com", "s3", "us-west-2"},
		{"bucket.s3.eu-west-1.amazonaws.com", "s3", "eu-west-1"},
		{"bucket.s3.dualstack.eu-west-1.amazonaws.com", "s3", "eu-west-1"},
		{"s3.amazonaws.com", "s3", "us-east-1"},
		{"bucket.s3.amazonaws.com", "s3", "us-east-1"},
		{"bucket.s3-us-west-2.amazonaws.com", "s3", "us-west-2"},
		{"s3-fips.us-gov-west-1.amazonaws.com", "s3", "us-gov-west-1"},
		{"bucket.s3-accelerate.amazonaws.com", "s3", ""},
		{"123456789012.s3-control.us-east-1.amazonaws.com", "s3", "us-east-1"},
		{"dynamodb.us-east-1.amazonaws.com", "dynamodb", "us-east-1"},
		{"dynamodb.us-east-1.amazonaws.com:443", "dynamodb", "us-east-1"},
		{"sts.amazonaws.com", "sts", "us-east-1"},
		{"sts.eu-north-1.amazonaws.com", "sts", "eu-north-1"},
		{"iam.amazonaws.com", "iam", "us-east-1"},
		{"abc123.execute-api.ap-southeast-2.amazonaws.com", "execute-api", "ap-southeast-2"},
		{"xyz.lambda-url.us-west-2.on.aws", "lambda", "us-west-2"},
		{"bedrock-runtime.us-east-1.amazonaws.com", "bedrock", "us-east-1"},
		{"search-logs-abc.eu-west-1.es.amazonaws.com", "es", "eu-west-1"},
		{"s3.cn-north-1.amazonaws.com.cn", "s3", "cn-north-1"},
		{"ec2.us-gov-east-1.amazonaws.com", "ec2", "us-gov-east-1"},
		{"127.0.0.1:9000", "", ""},
		{"example.com", "", ""},
		{"amazonaws.com.evil.example", "", ""},
	} {
		s, r := inferService(tc.host)
		if s != tc.service || r != tc.region {
			t.Errorf("inferService(%q) = %q, %q; want %q, %q", tc.host, s, r, tc.service, tc.region)
		}
	}
}

func TestPostPolicy(t *testing.T) {
	env := credEnv(t)
	r := runIn(t, env, "", "post-policy", "s3://photos/uploads/", "--max-size", "10MB", "--content-type", "image/", "--expires-in", "1h", "--json")
	r.check(t, exitOK, nil, nil)
	var out struct {
		URL     string
		Fields  map[string]string
		Expires string
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err, r.stdout)
	}
	if out.URL != "https://photos.s3.us-east-1.amazonaws.com/" || out.Expires != "2013-05-24T01:00:00Z" ||
		out.Fields["key"] != "uploads/${filename}" || out.Fields["x-amz-credential"] != exampleID+"/20130524/us-east-1/s3/aws4_request" ||
		len(out.Fields["x-amz-signature"]) != 64 {
		t.Errorf("%+v", out)
	}
	doc, _ := base64.StdEncoding.DecodeString(out.Fields["policy"])
	for _, want := range []string{`["content-length-range",0,10485760]`, `["starts-with","$Content-Type","image/"]`, `"expiration":"2013-05-24T01:00:00.000Z"`} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("policy %s lacks %s", doc, want)
		}
	}
	runIn(t, env, "", "post-policy", "s3://photos/u/", "--max-size", "1KB", "--content-type", "image/png", "--endpoint-url", "http://127.0.0.1:7070").
		check(t, exitOK, []string{"http://127.0.0.1:7070/photos\n", "Content-Type=image/png\n", "key=u/${filename}\n", "x-amz-algorithm=AWS4-HMAC-SHA256\n"}, nil)
	// A Content-Type prefix is never posted as the type: the text output
	// says so, and the HTML form sets it from the chosen file.
	runIn(t, env, "", "post-policy", "s3://photos/", "--max-size", "1KB", "--content-type", "image/").
		check(t, exitOK, []string{"Content-Type=image/\n"}, []string{`sigv4: hint: the Content-Type field holds the prefix "image/": post the file's own type`})
	r = runIn(t, env, "", "post-policy", "s3://photos/", "--max-size", "1KB", "--content-type", "image/", "--html")
	r.check(t, exitOK, []string{`<input type="hidden" name="Content-Type" value="">`, `accept="image/*"`}, nil)
	if strings.Contains(r.stdout, `value="image/"`) || strings.Contains(r.stderr, "Content-Type field holds") {
		t.Errorf("--html posts the prefix, or hints about it:\n%s\n%s", r.stdout, r.stderr)
	}
	runIn(t, env, "", "post-policy", "s3://photos/", "--html").
		check(t, exitOK, []string{`<form action="https://photos.s3.us-east-1.amazonaws.com/" method="post" enctype="multipart/form-data">`, `<input type="file" name="file">`}, []string{"sigv4: hint: no --max-size"})

	runIn(t, env, "", "post-policy", "s3://photos/", "--max-size", "ten").check(t, exitUsage, nil, []string{`--max-size: "ten" is not a size`})
	runIn(t, env, "", "post-policy", "s3://photos/", "--max-size", "1KB", "--min-size", "2KB").check(t, exitUsage, nil, []string{"smaller than --min-size"})
	runIn(t, env, "", "post-policy", "s3://photos/", "--expires-in", "0").check(t, exitUsage, nil, []string{"out of range"})
	runIn(t, env, "", "post-policy", "s3://photos/", "--json", "--html").check(t, exitUsage, nil, []string{"exclude each other"})
	runIn(t, env, "", "post-policy", "s3://photos/", "--success-status", "302").check(t, exitUsage, nil, []string{"sigv4: error: "})
	runIn(t, baseEnv(t), "", "post-policy", "s3://photos/", "--region", "us-east-1").check(t, exitError, nil, []string{"sigv4: error: no credentials"})
}

func TestParseSizeAndExpiry(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1048576": 1 << 20, "512KB": 512 << 10, "10MB": 10 << 20, "10mib": 10 << 20, "1GB": 1 << 30, "5 MB": 5 << 20, "7B": 7} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "MB", "1.5MB", "99999999999999TB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) succeeded", in)
		}
	}
	for in, want := range map[string]string{"3600": "1h0m0s", "90m": "1h30m0s", "7d": "168h0m0s", "1h": "1h0m0s"} {
		if got, err := parseExpiry(in); err != nil || got.String() != want {
			t.Errorf("parseExpiry(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
}
