package main

import (
	"fmt"
	"log/slog"
	"strconv"

	"github.com/sigv4kit/sigv4kit/internal/redact"
)

// presigned holds the session token of the URL it was parsed from. It
// prints one description for every fmt verb (Format), for %v and %s
// (String), for %#v (GoString) and for log/slog (LogValue), with the token
// redacted. redact_table_test.go checks every type of this command that
// reaches a secret.

func (p presigned) describe() []string {
	var tok string
	if p.token {
		tok = redact.Redacted
	}
	return []string{"AccessKeyID", p.accessKey, "Scope", p.scopeDate + "/" + p.region + "/" + p.service,
		"Expires", p.expires.String(), "Signature", p.signature, "SecurityToken", tok, "SignedHeaders", strconv.Itoa(len(p.signedHeaders))}
}

// String describes the URL's parameters with the session token redacted.
func (p presigned) String() string { return redact.Describe("presigned", p.describe()...) }

// GoString returns String.
func (p presigned) GoString() string { return p.String() }

// Format prints String for every verb.
func (p presigned) Format(f fmt.State, verb rune) { redact.Format(f, verb, p.String()) }

// LogValue logs what String shows.
func (p presigned) LogValue() slog.Value { return redact.LogValue("presigned", p.describe()...) }
