package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startBinaryProxy runs the built binary's proxy as a process with exactly
// env (plus PATH) and returns its URL, its standard error (read as it
// comes) and the command, which the caller stops.
func startBinaryProxy(t *testing.T, env map[string]string, args ...string) (string, *syncBuffer, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"proxy", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	stderr := &syncBuffer{}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		listening := regexp.MustCompile(`listening on (https?://[0-9.:\[\]]+)`)
		for sc.Scan() {
			stderr.Write([]byte(sc.Text() + "\n"))
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			cmd.Wait()
			t.Fatalf("the proxy exited:\n%s", stderr)
		}
		return u, stderr, cmd
	case <-time.After(30 * time.Second):
		t.Fatalf("the proxy did not start:\n%s", stderr)
	}
	return "", nil, nil
}

// TestBinaryProxy runs the binary: it forwards a signed request, logs it
// with -v, and exits with status 0 on SIGINT and on SIGTERM.
func TestBinaryProxy(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, "s3")
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			u, stderr, cmd := startBinaryProxy(t, proxyEnv(t), "--upstream", up.URL, "--service", "s3", "-v")
			resp, err := http.Post(u+"/bucket/binary", "text/plain", strings.NewReader("through the binary"))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if got := up.last(t); got.verr != nil || string(got.body) != "through the binary" {
				t.Errorf("upstream got %q, %v", got.body, got.verr)
			}
			cmd.Process.Signal(sig)
			if err := cmd.Wait(); err != nil {
				t.Errorf("exit after %v: %v\n%s", sig, err, stderr)
			}
			if log := stderr.String(); !strings.Contains(log, "sigv4: proxy: POST /bucket/binary 200 ") || strings.Contains(log, proxyToken) {
				t.Errorf("log:\n%s", log)
			}
		})
	}
	r := execBin(t, proxyEnv(t), "", "proxy", "--upstream", up.URL, "--service", "s3", "--listen", "0.0.0.0:0")
	r.check(t, exitUsage, nil, []string{"reachable from other machines", "sigv4: hint: whoever reaches it would act with your AWS credentials"})
}
