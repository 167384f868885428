package stscreds

import (
	"fmt"
	"log/slog"

	"github.com/sigv4kit/sigv4kit/internal/redact"
)

// AssumeRole reaches secrets through its Source. It prints one description
// for every fmt verb (Format), for %v and %s (String), for %#v (GoString)
// and for log/slog (LogValue), naming Source by its type only: a caller's
// provider may print its secrets. WebIdentity holds none (it reads its
// token file on every call). redact_table_test.go checks every type of this
// package that reaches a secret.

func (a AssumeRole) describe() []string {
	return []string{"RoleARN", a.RoleARN, "RoleSessionName", a.RoleSessionName, "Region", a.Region, "Source", redact.TypeName(a.Source)}
}

// String returns the role, the session name, the region and the source's
// type.
func (a AssumeRole) String() string { return redact.Describe("stscreds.AssumeRole", a.describe()...) }

// GoString returns String.
func (a AssumeRole) GoString() string { return a.String() }

// Format prints String for every verb: the source is named, not printed.
func (a AssumeRole) Format(f fmt.State, verb rune) { redact.Format(f, verb, a.String()) }

// LogValue logs what String shows.
func (a AssumeRole) LogValue() slog.Value {
	return redact.LogValue("stscreds.AssumeRole", a.describe()...)
}
