package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sigv4kit/sigv4kit/awsconfig"
	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/credentials/stscreds"
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

// warnf prints a warning line (not with -s).
func (a *app) warnf(format string, args ...any) {
	if a.silent {
		return
	}
	a.printf(a.stderr, "sigv4: warning: "+format+"\n", args...)
}

// hintf prints a hint line: what the user can do (not with -s).
func (a *app) hintf(format string, args ...any) {
	if a.silent {
		return
	}
	a.printf(a.stderr, "sigv4: hint: "+format+"\n", args...)
}

// exit prints err, if any, and returns the exit status. Every error ends
// with at least one hint; the hints of an error are printed with it under
// -sS.
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
		ce = a.describe(err)
	}
	if len(ce.hints) == 0 {
		if ce.code == exitUsage && a.command != "" {
			ce.withHint(`run "sigv4 %s --help" for usage`, a.command)
		} else if ce.code == exitUsage {
			ce.withHint(`run "sigv4 --help" for usage`)
		} else {
			ce.withHint("no hint for this error yet: please report it, with the command line, at https://github.com/sigv4kit/sigv4kit/issues")
		}
	}
	if a.silent && !a.showError {
		return ce.code
	}
	for i, line := range strings.Split(ce.msg, "\n") {
		if i == 0 {
			a.printf(a.stderr, "sigv4: error: %s\n", line)
		} else {
			a.printf(a.stderr, "sigv4: error:   %s\n", line)
		}
	}
	for _, h := range ce.hints {
		a.printf(a.stderr, "sigv4: hint: %s\n", h)
	}
	return ce.code
}

// describe turns a library error into a message with hints for the
// conditions a user can fix.
func (a *app) describe(err error) *cliError {
	e := failf("%s", a.home(strings.TrimPrefix(err.Error(), "credentials: ")))
	var chain *credentials.ChainError
	if errors.As(err, &chain) {
		e.msg = a.chainMessage(chain)
	}
	var (
		fileErr *credentials.FileError
		stsErr  *stscreds.Error
	)
	switch {
	case errors.Is(err, credentials.ErrPartialCredentials):
		e.withHint("set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither")
	case errors.Is(err, credentials.ErrNoCredentials):
		if chain == nil {
			e.msg = "no credentials: " + strings.TrimPrefix(err.Error(), "credentials: ")
		}
		e.withHint("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or select a profile of ~/.aws/credentials with --profile or AWS_PROFILE")
	case errors.Is(err, credentials.ErrProfileNotFound):
		e.withHint("the profiles are sections of ~/.aws/config ([profile NAME]) and ~/.aws/credentials ([NAME]); unset AWS_PROFILE or AWS_DEFAULT_PROFILE to use the default one")
	case errors.As(err, &fileErr):
		e.withHint("fix line %d of %s (the AWS CLI reads the file the same way)", fileErr.Line, a.home(fileErr.File))
	case errors.Is(err, credentials.ErrSSOLoginRequired):
		if _, cmd, ok := strings.Cut(err.Error(), "; run: "); ok {
			e.withHint("sign in again: %s", cmd)
		} else {
			e.withHint("sign in again: aws sso login --profile NAME")
		}
	case errors.Is(err, credentials.ErrSSOService):
		e.withHint("check the profile's sso_account_id and sso_role_name, and that your SSO user may use that role")
	case errors.As(err, &stsErr):
		switch stsErr.Code {
		case "ExpiredToken", "ExpiredTokenException":
			e.withHint("the source credentials have expired: refresh them (aws sso login, a new session token)")
		case "AccessDenied":
			e.withHint("the source credentials may not assume the role: check role_arn and the role's trust policy")
		default:
			e.withHint("check the profile's role_arn and the credentials of its source_profile or credential_source")
		}
	case errors.Is(err, credentials.ErrNoRoleSupport):
		e.withHint("this profile assumes a role, which this command does not do offline")
	case errors.Is(err, credentials.ErrRedirect):
		e.withHint("a credentials endpoint answered with a redirect, which is never followed: check AWS_ENDPOINT_URL_STS, the container and metadata endpoint variables")
	case errors.Is(err, credentials.ErrMetadata):
		e.withHint("the container or instance metadata endpoint answered an error: check AWS_CONTAINER_CREDENTIALS_* and AWS_EC2_METADATA_* (AWS_EC2_METADATA_DISABLED=true skips the instance)")
	case errors.Is(err, credentials.ErrInvalidValue):
		e.withHint("fix the setting the error names")
	case errors.Is(err, credentials.ErrProcessOutputLimit):
		e.withHint("credential_process must print one small JSON object")
	case errors.Is(err, awsconfig.ErrInvalidConfig):
		e.msg = strings.ReplaceAll(e.msg, "from Options.Region", "from --region")
		e.withHint("fix the setting the error names (a region is a name like us-east-1)")
	case errors.Is(err, sigv4.ErrExpiredCredentials), errors.Is(err, credentials.ErrExpired):
		e.withHint("refresh the credentials (for example with aws sso login or a new session token)")
	case errors.Is(err, presign.ErrExpiryCapped):
		e.withHint("the credentials are temporary; use longer-lived credentials or a shorter --expires-in")
	case errors.Is(err, sigv4.ErrInvalidExpiry):
		e.withHint("--expires-in must be between 1 second and 604800 seconds (7 days)")
	case errors.Is(err, presign.ErrInvalidBucket):
		e.withHint("bucket names are 3 to 63 lower-case letters, digits, dots and hyphens")
	case errors.Is(err, presign.ErrInvalidConfig):
		e.withHint("check --endpoint-url (or AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's endpoint_url) and --region")
	case errors.Is(err, sigv4.ErrInvalidConfig):
		e.withHint("check --service and --region: a service is a signing name like s3 or execute-api, a region a name like us-east-1")
	case errors.Is(err, sigv4.ErrInvalidCredentials):
		e.withHint("check the access key ID and secret of the credentials (AWS_ACCESS_KEY_ID, the profile)")
	case errors.Is(err, sigv4.ErrInvalidRequest):
		e.withHint("the request cannot be signed as given: check the URL and the -H headers")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		e.withHint("the credentials source did not answer in time; check the network, or set the credentials in the environment")
	}
	return e
}

// chainMessage renders the credential chain's error as a short list: one
// line per source, in order, with the home directory as ~ and the
// instance metadata service's "nothing here" as not on EC2.
func (a *app) chainMessage(chain *credentials.ChainError) string {
	var b strings.Builder
	if chain.Stopped {
		fmt.Fprintf(&b, "credentials: source %d of the chain failed (the AWS CLI stops there too):", len(chain.Errors))
	} else {
		b.WriteString("no credentials:")
	}
	for i, ce := range chain.Errors {
		fmt.Fprintf(&b, "\n%d. %s", i+1, a.sourceLine(ce))
	}
	return b.String()
}

// sourceLine is one source's line of chainMessage.
func (a *app) sourceLine(err error) string {
	text := a.home(strings.TrimPrefix(err.Error(), "credentials: "))
	rest, isIMDS := strings.CutPrefix(text, "imds: ")
	if !isIMDS || !errors.Is(err, credentials.ErrNoCredentials) {
		return text
	}
	switch {
	case strings.HasPrefix(rest, "no instance metadata service"):
		// A timeout or a refused connection: nothing answers.
		reason := "nothing answered"
		if r := lastReason(rest); r != "" {
			reason += ": " + r
		}
		return "imds: not on EC2 (" + reason + ")"
	case strings.HasPrefix(rest, "not on EC2"):
		msg, _, _ := strings.Cut(rest, ": HTTP status")
		return "imds: " + msg
	}
	return text
}

// lastReason returns the last part of a network error's text ("i/o
// timeout", "connection refused").
func lastReason(s string) string {
	i := strings.LastIndex(s, ": ")
	if i < 0 {
		return ""
	}
	r := s[i+2:]
	if strings.Contains(r, "Client.Timeout") || strings.Contains(r, "deadline exceeded") {
		return "timed out"
	}
	return r
}

// home shows paths under the home directory as ~/...
func (a *app) home(s string) string {
	if h := a.getenv("HOME"); len(h) > 1 {
		s = strings.ReplaceAll(s, strings.TrimSuffix(h, "/")+"/", "~/")
	}
	return s
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
