package credentials

import (
	"errors"
	"fmt"
)

// ErrPartialCredentials is returned (wrapped) when a source sets an access
// key ID without a secret access key, or the reverse. The error names what
// is missing.
var ErrPartialCredentials = errors.New("credentials: partial credentials")

// ErrExpired is returned (wrapped) when a provider receives credentials that
// have already expired.
var ErrExpired = errors.New("credentials: expired credentials")

// FileError reports a shared config or credentials file that cannot be read:
// its syntax, or a setting with an invalid value. It never quotes a value.
type FileError struct {
	// File is the path of the file.
	File string
	// Line is the 1-based line of the offending line or setting.
	Line int
	// Msg says what is wrong.
	Msg string
}

// Error returns "credentials: file:line: msg".
func (e *FileError) Error() string {
	return fmt.Sprintf("credentials: %s:%d: %s", e.File, e.Line, e.Msg)
}

// kindError is an error with its own message that also matches a sentinel
// (and optionally a cause) under errors.Is, so that messages need not repeat
// the sentinel's text.
type kindError struct {
	msg   string
	kind  error
	cause error
}

func (e *kindError) Error() string { return e.msg }

func (e *kindError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// notFound returns an error that matches ErrNoCredentials.
func notFound(format string, args ...any) error {
	return &kindError{msg: "credentials: " + fmt.Sprintf(format, args...), kind: ErrNoCredentials}
}

// notFoundCause is notFound with a cause; the cause's text is appended.
func notFoundCause(cause error, format string, args ...any) error {
	return &kindError{msg: "credentials: " + fmt.Sprintf(format, args...) + ": " + cause.Error(), kind: ErrNoCredentials, cause: cause}
}

// kindf returns an error with the given message that matches kind.
func kindf(kind error, format string, args ...any) error {
	return &kindError{msg: "credentials: " + fmt.Sprintf(format, args...), kind: kind}
}

// ErrInvalidValue is returned (wrapped) when a setting (an environment
// variable, a profile setting, a provider's response field) has a value that
// cannot be used. The error names the setting, not its value.
var ErrInvalidValue = errors.New("credentials: invalid value")

// ErrMetadata is returned (wrapped) when the instance or container metadata
// endpoint answers with an HTTP error.
var ErrMetadata = errors.New("credentials: metadata endpoint error")

// ErrNoRoleSupport is returned (wrapped) when a profile or the environment
// asks to assume a role but no [RoleFunc] was configured.
var ErrNoRoleSupport = errors.New("credentials: no STS role support configured")
