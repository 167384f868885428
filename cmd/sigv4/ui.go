package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/presign"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// This file holds the program's voice: every line it writes to standard
// error goes through here, as "sigv4: error: ...", "sigv4: warning: ..."
// or "sigv4: hint: ...".

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // the command failed
	exitUsage = 2 // the command line is wrong
)

// cliError is an error with the exit status and hints to print.
type cliError struct {
	code  int
	msg   string
	hints []string
}

func (e *cliError) Error() string { return e.msg }

// withHint adds a hint line.
func (e *cliError) withHint(format string, args ...any) *cliError {
	e.hints = append(e.hints, fmt.Sprintf(format, args...))
	return e
}

// usagef returns a usage error (exit status 2).
func usagef(format string, args ...any) *cliError {
	return &cliError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

// failf returns an error (exit status 1).
func failf(format string, args ...any) *cliError {
	return &cliError{code: exitError, msg: fmt.Sprintf(format, args...)}
}

// silentError is an error already reported: run only returns its status.
type silentError struct{ code int }

func (e silentError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// errorf prints an error line, session tokens redacted (as are those of
// every line here).
func (a *app) errorf(format string, args ...any) {
	a.printf(a.stderr, "sigv4: error: "+format+"\n", args...)
}

// warnf prints a warning line.
func (a *app) warnf(format string, args ...any) {
	a.printf(a.stderr, "sigv4: warning: "+format+"\n", args...)
}

// hintf prints a hint line: what the user can do.
func (a *app) hintf(format string, args ...any) {
	a.printf(a.stderr, "sigv4: hint: "+format+"\n", args...)
}

// exit prints err, if any, and returns the exit status.
func (a *app) exit(err error) int {
	if err == nil {
		return exitOK
	}
	var se silentError
	if errors.As(err, &se) {
		return se.code
	}
	var ce *cliError
	if !errors.As(err, &ce) {
		ce = describe(err)
	}
	for i, line := range strings.Split(ce.msg, "\n") {
		if i == 0 {
			a.errorf("%s", line)
		} else {
			a.printf(a.stderr, "sigv4: error:   %s\n", line)
		}
	}
	for _, h := range ce.hints {
		a.hintf("%s", h)
	}
	return ce.code
}

// describe turns a library error into a message with hints for the
// conditions a user can fix.
func describe(err error) *cliError {
	e := failf("%s", err)
	var chain *credentials.ChainError
	if errors.As(err, &chain) {
		// One line per source of the chain.
		var b strings.Builder
		if chain.Stopped {
			b.WriteString("credentials: a configured source failed:")
		} else {
			b.WriteString("no credentials:")
		}
		for i, ce := range chain.Errors {
			fmt.Fprintf(&b, "\n%d. %s", i+1, strings.TrimPrefix(ce.Error(), "credentials: "))
		}
		e.msg = b.String()
	}
	switch {
	case errors.Is(err, credentials.ErrPartialCredentials):
		e.withHint("set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither")
	case errors.Is(err, credentials.ErrNoCredentials):
		if chain == nil {
			e.msg = "no credentials: " + err.Error()
		}
		e.withHint("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or select a profile of ~/.aws/credentials with --profile or AWS_PROFILE")
	case errors.Is(err, credentials.ErrProfileNotFound):
		e.withHint("the profiles are sections of ~/.aws/config ([profile NAME]) and ~/.aws/credentials ([NAME])")
	case errors.Is(err, credentials.ErrNoRoleSupport):
		e.withHint("this profile assumes a role, which this command does not do offline")
	case errors.Is(err, sigv4.ErrExpiredCredentials), errors.Is(err, credentials.ErrExpired):
		e.withHint("refresh the credentials (for example with aws sso login or a new session token)")
	case errors.Is(err, presign.ErrExpiryCapped):
		e.withHint("the credentials are temporary; use longer-lived credentials or a shorter --expires-in")
	case errors.Is(err, sigv4.ErrInvalidExpiry):
		e.withHint("--expires-in must be between 1 second and 604800 seconds (7 days)")
	}
	return e
}

// printBlock writes a titled block of text, each line indented, session
// tokens redacted.
func (a *app) printBlock(w io.Writer, title, text string) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n", title)
	for _, line := range strings.Split(text, "\n") {
		fmt.Fprintf(&b, "  %s\n", line)
	}
	a.printf(w, "%s", b.String())
}
