package policy

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/internal/redact"
)

// A Form and an Upload hold the session token of temporary credentials in
// their fields (x-amz-security-token, and inside the base64 policy
// document). Each prints one description for every fmt verb (Format), for
// %v and %s (String), for %#v (GoString) and for log/slog (LogValue), with
// those two fields redacted when a token is there. The maps themselves are
// API, so the two raw paths of fmt (%p of a value, %w) and an unexported
// field of a caller's struct print them as they are; see
// credentials.Credentials. redact_table_test.go checks these types and the
// Verifier.

// describeFields lists the fields sorted by name, with the token and, when
// there is one, the policy document (which holds it too) redacted.
func describeFields(fields map[string]string) string {
	_, hasToken := fields[FieldSecurityToken]
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(fields)) {
		if i > 0 {
			b.WriteByte(' ')
		}
		v := fields[k]
		if k == FieldSecurityToken || (hasToken && k == FieldPolicy) {
			v = redact.Redacted
		}
		b.WriteString(k + "=" + v)
	}
	return b.String()
}

func (f Form) describe() []string {
	var exp string
	if !f.Expires.IsZero() {
		exp = f.Expires.UTC().Format(time.RFC3339)
	}
	return []string{"Fields", "[" + describeFields(f.Fields) + "]", "Expires", exp}
}

// String lists the fields, with the session token (and the policy, which
// holds it) redacted, and the expiry. Read Fields to build the form.
func (f Form) String() string { return redact.Describe("policy.Form", f.describe()...) }

// GoString returns String.
func (f Form) GoString() string { return f.String() }

// Format prints String for every verb.
func (f Form) Format(s fmt.State, verb rune) { redact.Format(s, verb, f.String()) }

// LogValue logs what String shows.
func (f Form) LogValue() slog.Value { return redact.LogValue("policy.Form", f.describe()...) }

func (u Upload) describe() []string {
	return []string{"Bucket", u.Bucket, "Key", u.Key, "AccessKeyID", u.AccessKeyID, "Fields", "[" + describeFields(u.Fields) + "]"}
}

// String returns the bucket, the key, the access key ID and the fields,
// with the session token (and the policy, which holds it) redacted.
func (u Upload) String() string { return redact.Describe("policy.Upload", u.describe()...) }

// GoString returns String.
func (u Upload) GoString() string { return u.String() }

// Format prints String for every verb.
func (u Upload) Format(s fmt.State, verb rune) { redact.Format(s, verb, u.String()) }

// LogValue logs what String shows.
func (u Upload) LogValue() slog.Value { return redact.LogValue("policy.Upload", u.describe()...) }
