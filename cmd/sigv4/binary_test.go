package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// These tests build the sigv4 binary once and run it, to check what the
// in-process tests cannot: main, os.Exit statuses, the real environment and
// streams.

var build struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// binary returns the path of the built binary.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	build.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			build.err = err
			return
		}
		if build.dir, build.err = os.MkdirTemp("", "sigv4-cli-test-"); build.err != nil {
			return
		}
		build.path = filepath.Join(build.dir, "sigv4")
		out, err := exec.Command(goTool, "build", "-o", build.path, ".").CombinedOutput()
		if err != nil {
			build.err = errors.New(err.Error() + "\n" + string(out))
		}
	})
	if build.err != nil {
		t.Fatalf("building sigv4: %v", build.err)
	}
	return build.path
}

// execBin runs the binary with exactly env (plus PATH) and stdin.
func execBin(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

func TestBinary(t *testing.T) {
	t.Parallel()
	env := credEnv(t)
	gw := gwEnv(t)
	gw[envTestNow] = "2026-11-28T14:30:00Z"
	xmlBody, err := os.ReadFile("testdata/versitygw-header-changed.xml")
	if err != nil {
		t.Fatal(err)
	}
	gwURL, err := os.ReadFile("testdata/versitygw-presigned-content-type.url")
	if err != nil {
		t.Fatal(err)
	}
	if r := execBin(t, env, ""); r.code != exitUsage || !strings.Contains(r.stderr, "Usage:") || r.stdout != "" {
		t.Errorf("no arguments: %+v", r)
	}
	for _, tc := range []struct {
		name           string
		env            map[string]string
		stdin          string
		args           []string
		code           int
		stdout, stderr []string
	}{
		{"version", env, "", []string{"--version"}, 0, []string{"sigv4 (devel)"}, nil},
		{"unknown command", env, "", []string{"sign"}, 2, nil, []string{`sigv4: error: unknown command "sign"`}},

		{"presign", env, "", []string{"presign", "s3://examplebucket/test.txt", "--expires-in", "86400", "--endpoint-url", "https://s3.amazonaws.com"}, 0,
			[]string{"X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"}, nil},
		{"presign help", env, "", []string{"presign", "--help"}, 0, []string{"Usage: sigv4 presign", "--expires-in"}, nil},
		{"presign bad flag", env, "", []string{"presign", "--expire-in", "60", "s3://b/k"}, 2, nil, []string{"sigv4: error: presign: unknown flag --expire-in"}},
		{"presign expiry out of range", env, "", []string{"presign", "--expires-in", "604801", "s3://b/k"}, 2, nil, []string{"out of range", "7 days"}},
		{"presign missing credentials", baseEnv(t), "", []string{"presign", "--region", "us-east-1", "s3://b/k"}, 1, nil, []string{"sigv4: error: no credentials:", "sigv4: hint: set AWS_ACCESS_KEY_ID"}},

		{"curl dry run", env, "", []string{"curl", "--dry-run", "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"}, 0,
			[]string{"GET /?Action=GetCallerIdentity&Version=2011-06-15 HTTP/1.1", "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/sts/aws4_request"}, nil},
		{"curl help", env, "", []string{"curl", "-h"}, 0, []string{"Usage: sigv4 curl"}, nil},
		{"curl bad flag", env, "", []string{"curl", "--data-urlencode", "x", "https://sts.amazonaws.com/"}, 2, nil, []string{"curl: unknown flag --data-urlencode"}},
		{"curl missing credentials", baseEnv(t), "", []string{"curl", "--dry-run", "https://sts.amazonaws.com/"}, 1, nil, []string{"sigv4: error: no credentials:"}},
		{"curl no service", env, "", []string{"curl", "http://localhost:9000/"}, 2, nil, []string{"sigv4: hint: pass --service"}},

		{"post-policy", env, "", []string{"post-policy", "s3://photos/uploads/", "--max-size", "10MB", "--content-type", "image/", "--expires-in", "1h"}, 0,
			[]string{"https://photos.s3.us-east-1.amazonaws.com/\n", "key=uploads/${filename}\n", "x-amz-credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request\n"}, nil},
		{"post-policy help", env, "", []string{"post-policy", "--help"}, 0, []string{"Usage: sigv4 post-policy"}, nil},
		{"post-policy bad size", env, "", []string{"post-policy", "s3://photos/", "--max-size", "big"}, 2, nil, []string{"--max-size"}},
		{"post-policy missing credentials", baseEnv(t), "", []string{"post-policy", "--region", "us-east-1", "s3://photos/"}, 1, nil, []string{"sigv4: error: no credentials:"}},

		{"explain versitygw", baseEnv(t), string(xmlBody), []string{"explain", "--request-file", "testdata/versitygw-header-changed.http", "http://127.0.0.1:44201/"}, 0,
			[]string{"  - x-amz-meta-color:blue\n  + x-amz-meta-color:red\n", "first difference: line 7"}, []string{"sigv4: hint: signed header x-amz-meta-color differs"}},
		{"explain help", env, "", []string{"explain", "--help"}, 0, []string{"Usage: sigv4 explain"}, nil},
		{"explain bad input", env, "<html>", []string{"explain", "http://h/"}, 1, nil, []string{"is not an AWS error body"}},

		{"verify versitygw URL", gw, "", []string{"verify", "-X", "PUT", "-H", "Content-Type: image/png", strings.TrimSpace(string(gwURL))}, 0, []string{"valid: PUT "}, nil},
		{"verify expired", env, "", []string{"verify", "https://b.s3.us-east-1.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130520%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130520T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=" + strings.Repeat("0", 64)}, 1,
			nil, []string{"sigv4: error: the URL expired at 2013-05-20T00:01:00Z", "sigv4: error: the signature does not match"}},
		{"verify help", env, "", []string{"verify", "--help"}, 0, []string{"Usage: sigv4 verify"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			execBin(t, tc.env, tc.stdin, tc.args...).check(t, tc.code, tc.stdout, tc.stderr)
		})
	}
}
