package credentials

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHelperProcess is the credential_process of the tests: the test binary
// run again with SIGV4KIT_HELPER=1 and a mode after "--".
func TestHelperProcess(t *testing.T) {
	if os.Getenv("SIGV4KIT_HELPER") != "1" {
		return
	}
	i := slices.Index(os.Args, "--")
	if i < 0 || i+1 >= len(os.Args) {
		os.Exit(3)
	}
	switch os.Args[i+1] {
	case "ok":
		fmt.Printf(`{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "SessionToken": "%s", "Expiration": "2026-11-28T14:00:00Z"}`,
			testAccessKeyID, testSecret, testToken)
	case "noexpiry":
		fmt.Printf(`{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s"}`, testAccessKeyID, testSecret)
	case "args":
		// Echo the arguments as the access key ID, to test the splitting.
		fmt.Printf(`{"Version":1,"AccessKeyId":%q,"SecretAccessKey":"%s"}`, strings.Join(os.Args[i+2:], "|"), testSecret)
	case "fail":
		fmt.Printf(`{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s"`, testAccessKeyID, testSecret)
		fmt.Fprint(os.Stderr, "helper: sso session expired, run aws sso login\n")
		os.Exit(2)
	case "badjson":
		fmt.Printf(`{"Version":1,"AccessKeyId":"%s","SecretAccessKey":%s}`, testAccessKeyID, testSecret)
	case "typejson":
		fmt.Printf(`{"Version":"1","SecretAccessKey":"%s"}`, testSecret)
	case "version2":
		fmt.Printf(`{"Version":2,"AccessKeyId":"%s","SecretAccessKey":"%s"}`, testAccessKeyID, testSecret)
	case "nosecret":
		fmt.Printf(`{"Version":1,"AccessKeyId":"%s","SessionToken":"%s"}`, testAccessKeyID, testToken)
	case "expired":
		fmt.Printf(`{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s","SessionToken":"%s","Expiration":"2026-11-28T12:00:00Z"}`,
			testAccessKeyID, testSecret, testToken)
	case "sleep":
		time.Sleep(10 * time.Second)
	case "sized":
		// sized <stdout|stderr> <n> [marker]: write n bytes to the stream
		// (on stdout: blanks, then a credentials object, n in all; on
		// stderr: n bytes, then the object on stdout), then create the
		// marker file, which shows the process ran to completion.
		helperSized(os.Args[i+2:])
	}
	os.Exit(0)
}

func helperSized(args []string) {
	n, err := strconv.Atoi(args[1])
	if err != nil {
		os.Exit(3)
	}
	doc := fmt.Sprintf(`{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s"}`, testAccessKeyID, testSecret)
	w, fill := os.Stdout, n-len(doc)
	if args[0] == "stderr" {
		w, fill = os.Stderr, n
	}
	chunk := bytes.Repeat([]byte{' '}, 64<<10)
	for fill > 0 {
		k, err := w.Write(chunk[:min(fill, len(chunk))])
		if err != nil {
			os.Exit(4)
		}
		fill -= k
	}
	fmt.Print(doc)
	if len(args) > 2 {
		os.WriteFile(args[2], []byte("done"), 0o600)
	}
}

func helperCommand(mode string, args ...string) string {
	return strings.Join(append([]string{"'" + os.Args[0] + "'", "-test.run=^TestHelperProcess$", "--", mode}, args...), " ")
}

// skipProcess skips tests that run the helper process: in -short mode, and
// on Windows, where command lines are not split with POSIX shell rules.
func skipProcess(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs subprocesses")
	}
	if runtime.GOOS == "windows" {
		t.Skip("POSIX command lines")
	}
}

func helperEnv() []string { return append(os.Environ(), "SIGV4KIT_HELPER=1") }

func TestProcess(t *testing.T) {
	skipProcess(t)
	t.Parallel()
	tests := []struct {
		mode    string
		args    []string
		want    Credentials
		wantErr error
		msg     string
		stderr  string
	}{
		{mode: "ok", want: Credentials{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecret, SessionToken: testToken,
			Expires: time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC), Source: "process"}},
		{mode: "noexpiry", want: Credentials{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecret, Source: "process"}},
		{mode: "args", args: []string{`"two words"`, `'single $quoted'`, `back\ slash`, `"esc\"aped"`},
			want: Credentials{AccessKeyID: `two words|single $quoted|back slash|esc"aped`, SecretAccessKey: testSecret, Source: "process"}},
		{mode: "fail", msg: "failed with exit status 2", stderr: "sso session expired"},
		{mode: "badjson", wantErr: ErrInvalidValue, msg: "invalid JSON at byte"},
		{mode: "typejson", wantErr: ErrInvalidValue, msg: "field Version has the wrong type (want int)"},
		{mode: "version2", wantErr: ErrInvalidValue, msg: "Version 2, want 1"},
		{mode: "nosecret", wantErr: ErrPartialCredentials, msg: "no SecretAccessKey"},
		{mode: "expired", wantErr: ErrExpired, msg: "expired at 2026-11-28T12:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			p := Process{Command: helperCommand(tt.mode, tt.args...), Env: helperEnv(), Stderr: &stderr, Now: fixedNow}
			got, err := p.Retrieve(context.Background())
			noteErr(err)
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr = %q, want %q passed through", stderr.String(), tt.stderr)
			}
			if tt.msg != "" {
				if err == nil || !strings.Contains(err.Error(), tt.msg) || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
					t.Fatalf("err = %v, want %v containing %q", err, tt.wantErr, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestProcessTimeoutAndCancel(t *testing.T) {
	skipProcess(t)
	t.Parallel()
	start := time.Now()
	_, err := Process{Command: helperCommand("sleep"), Env: helperEnv(), Timeout: 200 * time.Millisecond}.Retrieve(context.Background())
	if !errors.Is(noteErr(err), context.DeadlineExceeded) || !strings.Contains(err.Error(), "did not finish within 200ms") {
		t.Errorf("err = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("timeout took %v", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = Process{Command: helperCommand("sleep"), Env: helperEnv()}.Retrieve(ctx)
	if !errors.Is(noteErr(err), context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestProcessBadCommand(t *testing.T) {
	for _, cmd := range []string{"", "   ", `"unterminated`, `'unterminated`} {
		_, err := Process{Command: cmd}.Retrieve(context.Background())
		if !errors.Is(noteErr(err), ErrInvalidValue) {
			t.Errorf("Process{%q}: err = %v, want ErrInvalidValue", cmd, err)
		}
	}
	_, err := Process{Command: "/nonexistent/credential-helper --secret " + testSecret}.Retrieve(context.Background())
	if noteErr(err) == nil || !strings.Contains(err.Error(), "credential-helper") {
		t.Errorf("err = %v", err)
	}
}

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"aws-vault exec dev --json", []string{"aws-vault", "exec", "dev", "--json"}},
		{"  a \t b  ", []string{"a", "b"}},
		{`"/opt/my tools/helper" --profile 'x y'`, []string{"/opt/my tools/helper", "--profile", "x y"}},
		{`a\ b c\\d`, []string{"a b", `c\d`}},
		{`"a\$b\n"`, []string{`a$b\n`}},
		{`'it''s'`, []string{"its"}},
		{`""`, []string{""}},
		{`x"y z"w`, []string{"xy zw"}},
	}
	for _, tt := range tests {
		got, err := splitCommand(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitCommand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
