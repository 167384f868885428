package sigv4

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/internal/redact"
)

// The types below hold or reach secrets: secret access keys (through a
// credentials.Provider or a SecretLookup), session tokens and the signing
// keys derived from them. Each prints one redacted description for every
// fmt verb (Format), for %v and %s (String), for %#v (GoString) and for
// log/slog (LogValue): its service, its regions and the types of its
// providers, never a secret, a token or a key. Providers and lookups are
// named by their type only, never formatted: a caller's may print its
// secrets. The secrets themselves sit behind two pointers (a Signer's and
// its key cache's, for instance), so that fmt's raw paths (%p of a value,
// %w, a wrong verb in an unexported field) print an address.
// redact_table_test.go checks every type of this package that reaches a
// secret.
//
// [Verified] holds its Credentials in an exported field (API), so fmt's raw
// paths print them; its methods have value receivers so that a Verified
// and a *Verified print redacted wherever fmt calls methods.

func (s *Signer) describe() []string {
	if s == nil {
		return nil
	}
	return []string{"Service", s.service, "Region", s.region, "Credentials", redact.TypeName(s.creds)}
}

// String returns the signer's service, region and provider type.
func (s *Signer) String() string { return redact.Describe("sigv4.Signer", s.describe()...) }

// GoString returns String.
func (s *Signer) GoString() string { return s.String() }

// Format prints String for every verb: never a secret or a signing key.
func (s *Signer) Format(f fmt.State, verb rune) { redact.Format(f, verb, s.String()) }

// LogValue logs what String shows.
func (s *Signer) LogValue() slog.Value { return redact.LogValue("sigv4.Signer", s.describe()...) }

func (v *Verifier) describe() []string {
	if v == nil {
		return nil
	}
	return []string{"Service", v.service, "Regions", strings.Join(v.regions, " "), "Secrets", redact.TypeName(v.secrets)}
}

// String returns the verifier's service, regions and secret lookup type.
func (v *Verifier) String() string { return redact.Describe("sigv4.Verifier", v.describe()...) }

// GoString returns String.
func (v *Verifier) GoString() string { return v.String() }

// Format prints String for every verb: never a secret or a signing key.
func (v *Verifier) Format(f fmt.State, verb rune) { redact.Format(f, verb, v.String()) }

// LogValue logs what String shows.
func (v *Verifier) LogValue() slog.Value { return redact.LogValue("sigv4.Verifier", v.describe()...) }

func (c Config) describe() []string {
	return []string{"Service", c.Service, "Region", c.Region, "Credentials", redact.TypeName(c.Credentials)}
}

// String returns the service, the region and the provider's type.
func (c Config) String() string { return redact.Describe("sigv4.Config", c.describe()...) }

// GoString returns String.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb: the provider is named, not printed.
func (c Config) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue logs what String shows.
func (c Config) LogValue() slog.Value { return redact.LogValue("sigv4.Config", c.describe()...) }

func (c VerifierConfig) describe() []string {
	return []string{"Service", c.Service, "Regions", strings.Join(c.Regions, " "), "Secrets", redact.TypeName(c.Secrets)}
}

// String returns the service, the regions and the secret lookup's type.
func (c VerifierConfig) String() string {
	return redact.Describe("sigv4.VerifierConfig", c.describe()...)
}

// GoString returns String.
func (c VerifierConfig) GoString() string { return c.String() }

// Format prints String for every verb: the lookup is named, not printed.
func (c VerifierConfig) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue logs what String shows.
func (c VerifierConfig) LogValue() slog.Value {
	return redact.LogValue("sigv4.VerifierConfig", c.describe()...)
}

// String lists the access key IDs, never their secrets or tokens.
func (s *staticSecrets) String() string {
	if s == nil {
		return "sigv4.StaticSecrets()"
	}
	return "sigv4.StaticSecrets(" + strings.Join(slices.Sorted(maps.Keys(s.m)), ", ") + ")"
}

// GoString returns String.
func (s *staticSecrets) GoString() string { return s.String() }

// Format prints String for every verb.
func (s *staticSecrets) Format(f fmt.State, verb rune) { redact.Format(f, verb, s.String()) }

// LogValue logs the access key IDs.
func (s *staticSecrets) LogValue() slog.Value {
	var ids []string
	if s != nil {
		ids = slices.Sorted(maps.Keys(s.m))
	}
	return redact.LogValue("sigv4.StaticSecrets", "AccessKeyIDs", strings.Join(ids, " "))
}

func (v Verified) describe() []string {
	var signedAt string
	if !v.SignedAt.IsZero() {
		signedAt = v.SignedAt.UTC().Format(time.RFC3339)
	}
	return []string{"AccessKeyID", v.AccessKeyID, "Source", v.Credentials.Source, "Service", v.Service, "Region", v.Region,
		"SignedAt", signedAt, "SignedHeaders", v.SignedHeaders, "Presigned", strconv.FormatBool(v.Presigned)}
}

// String returns the access key ID, the credentials' source, the scope,
// the signing time and the signed headers; never the secret or the token.
func (v Verified) String() string { return redact.Describe("sigv4.Verified", v.describe()...) }

// GoString returns String.
func (v Verified) GoString() string { return v.String() }

// Format prints String for every verb.
func (v Verified) Format(f fmt.State, verb rune) { redact.Format(f, verb, v.String()) }

// LogValue logs what String shows.
func (v Verified) LogValue() slog.Value { return redact.LogValue("sigv4.Verified", v.describe()...) }
