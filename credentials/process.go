package credentials

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Process is a Provider that runs an external command and reads credentials
// from its standard output, the credential_process protocol of the AWS CLI.
//
// The command line is split into words like a POSIX shell would (single and
// double quotes, backslash escapes) but no shell is run, as in the CLI. (On
// Windows the CLI splits with Windows rules; this package uses the POSIX
// rules everywhere.) The
// command prints one JSON object:
//
//	{"Version": 1, "AccessKeyId": "...", "SecretAccessKey": "...",
//	 "SessionToken": "...", "Expiration": "2026-11-28T15:00:00Z"}
//
// Version must be 1; SessionToken and Expiration (RFC 3339) are optional.
// The command's standard error is passed through to Stderr. A non-zero exit,
// a timeout, output that is not such an object, or credentials that have
// already expired are errors; the errors never quote the output (it holds
// the secret) nor the command's arguments, only its name.
//
// The standard output and the standard error are each limited to 1 MiB:
// the command is killed as soon as it writes more to either, and Retrieve
// returns an error that matches [ErrProcessOutputLimit] and names the
// stream. No more than 1 MiB of the output is ever held in memory, nor
// passed on to Stderr.
type Process struct {
	// Command is the command line.
	Command string
	// Timeout bounds the run; zero means one minute (the AWS CLI has none).
	Timeout time.Duration
	// Stderr receives the command's standard error; nil means os.Stderr.
	Stderr io.Writer
	// Env is the command's environment; nil means the current one.
	Env []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// maxProcessOutput bounds the standard output read from the command, and
// its standard error.
const maxProcessOutput = 1 << 20

// ErrProcessOutputLimit is returned (wrapped) when a credential_process
// command writes more than 1 MiB to its standard output or its standard
// error; the command is killed.
var ErrProcessOutputLimit = errors.New("credentials: credential_process output over the limit")

// Retrieve runs the command. The credentials' Source is "process".
func (p Process) Retrieve(ctx context.Context) (Credentials, error) {
	args, err := splitCommand(p.Command)
	if err != nil {
		return Credentials{}, kindf(ErrInvalidValue, "process: credential_process: %v", err)
	}
	if len(args) == 0 {
		return Credentials{}, kindf(ErrInvalidValue, "process: empty credential_process")
	}
	name := filepath.Base(args[0])
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// Crossing an output limit cancels killCtx, which kills the command;
	// WaitDelay bounds the wait for its pipes (a child of the command may
	// hold them open).
	killCtx, kill := context.WithCancel(runCtx)
	defer kill()
	cmd := exec.CommandContext(killCtx, args[0], args[1:]...)
	cmd.Env = p.Env
	var out bytes.Buffer
	stderr := p.Stderr
	if stderr == nil {
		stderr = os.Stderr
	}
	// The limitWriters have a Write method only, so that exec's io.Copy
	// cannot bypass them through ReaderFrom.
	stdoutLimit := &limitWriter{w: &out, max: maxProcessOutput, stream: "stdout", kill: kill}
	stderrLimit := &limitWriter{w: stderr, max: maxProcessOutput, stream: "stderr", kill: kill}
	cmd.Stdout = stdoutLimit
	cmd.Stderr = stderrLimit
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	for _, l := range []*limitWriter{stdoutLimit, stderrLimit} {
		if l.exceeded() {
			return Credentials{}, &kindError{
				msg:  fmt.Sprintf("credentials: process: %s: %s exceeded %d MiB; process killed", name, l.stream, maxProcessOutput>>20),
				kind: ErrProcessOutputLimit,
			}
		}
	}
	if ctx.Err() != nil {
		return Credentials{}, fmt.Errorf("credentials: process: %s: %w", name, ctx.Err())
	}
	if runCtx.Err() != nil {
		return Credentials{}, fmt.Errorf("credentials: process: %s did not finish within %v: %w", name, timeout, runCtx.Err())
	}
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return Credentials{}, fmt.Errorf("credentials: process: %s failed with exit status %d", name, exit.ExitCode())
		}
		return Credentials{}, fmt.Errorf("credentials: process: running %s: %w", name, err)
	}
	var resp struct {
		Version         int
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
	if err := json.Unmarshal(out.Bytes(), &resp); err != nil {
		return Credentials{}, kindf(ErrInvalidValue, "process: output of %s is not a credentials object: %s", name, describeJSONError(err))
	}
	if resp.Version != 1 {
		return Credentials{}, kindf(ErrInvalidValue, "process: output of %s has Version %d, want 1", name, resp.Version)
	}
	c := Credentials{AccessKeyID: resp.AccessKeyID, SecretAccessKey: resp.SecretAccessKey, SessionToken: resp.SessionToken, Source: "process"}
	return finish(c, resp.Expiration, orNow(p.Now)(), "process: output of "+name)
}

// finish checks the keys and the expiry of credentials received from a
// provider named what.
func finish(c Credentials, expiration string, now time.Time, what string) (Credentials, error) {
	switch {
	case c.AccessKeyID == "" && c.SecretAccessKey == "":
		return Credentials{}, kindf(ErrPartialCredentials, "%s has no AccessKeyId and no SecretAccessKey", what)
	case c.AccessKeyID == "":
		return Credentials{}, kindf(ErrPartialCredentials, "%s has no AccessKeyId", what)
	case c.SecretAccessKey == "":
		return Credentials{}, kindf(ErrPartialCredentials, "%s has no SecretAccessKey", what)
	}
	if expiration != "" {
		t, err := time.Parse(time.RFC3339, expiration)
		if err != nil {
			return Credentials{}, kindf(ErrInvalidValue, "%s has an Expiration that is not an RFC 3339 time", what)
		}
		c.Expires = t
		if c.Expired(now) {
			return Credentials{}, kindf(ErrExpired, "%s: credentials expired at %s", what, t.UTC().Format(time.RFC3339))
		}
	}
	return c, nil
}

// describeJSONError describes a decoding error without quoting the input.
func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %s has the wrong type (want %s)", typ.Field, typ.Type)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "truncated JSON"
	}
	return "invalid JSON"
}

// limitWriter passes at most max bytes on to w. A write that would cross
// the limit passes on what fits, calls kill and fails with an error
// matching ErrProcessOutputLimit, as does every later write. It has no
// ReadFrom method on purpose: io.Copy must go through Write.
type limitWriter struct {
	w      io.Writer
	max    int64
	stream string // "stdout" or "stderr", for the error
	kill   func()

	mu   sync.Mutex
	n    int64
	over bool
}

func (l *limitWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.over {
		return 0, l.err()
	}
	if room := l.max - l.n; int64(len(p)) > room {
		l.over = true
		l.kill()
		n, err := l.w.Write(p[:room])
		l.n += int64(n)
		if err != nil {
			return n, err
		}
		return n, l.err()
	}
	n, err := l.w.Write(p)
	l.n += int64(n)
	return n, err
}

func (l *limitWriter) err() error {
	return fmt.Errorf("credentials: process: %s exceeded %d bytes: %w", l.stream, l.max, ErrProcessOutputLimit)
}

// exceeded reports whether a write crossed the limit.
func (l *limitWriter) exceeded() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.over
}

// splitCommand splits a command line into words like a POSIX shell (and
// Python's shlex.split, which the AWS CLI uses): blanks separate words,
// single quotes keep everything literally, double quotes keep everything but
// backslash escapes of $ ` " \ and newline, and a backslash outside quotes
// escapes the next character.
func splitCommand(s string) ([]string, error) {
	var (
		words []string
		word  strings.Builder
		in    bool // inside a word
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if in {
				words = append(words, word.String())
				word.Reset()
				in = false
			}
		case c == '\\':
			in = true
			if i+1 < len(s) {
				i++
				if s[i] != '\n' {
					word.WriteByte(s[i])
				}
			}
		case c == '\'':
			in = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unterminated single quote")
			}
			word.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			in = true
			i++
			for ; ; i++ {
				if i >= len(s) {
					return nil, errors.New("unterminated double quote")
				}
				if s[i] == '"' {
					break
				}
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0 {
					i++
					if s[i] == '\n' {
						continue
					}
				}
				word.WriteByte(s[i])
			}
		default:
			in = true
			word.WriteByte(c)
		}
	}
	if in {
		words = append(words, word.String())
	}
	return words, nil
}
