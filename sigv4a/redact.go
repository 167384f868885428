package sigv4a

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/sigv4kit/sigv4kit/internal/redact"
)

// The types below reach secrets: the credentials provider, and the key
// cache's secrets and private keys. Each prints one redacted description
// for every fmt verb (Format), %v and %s (String), %#v (GoString) and
// log/slog (LogValue): service, region set and provider type, never a
// secret or a key. The secrets sit behind two pointers (Signer → keyCache
// → map), so that fmt's raw paths print addresses. redact_table_test.go
// checks every type of this package that reaches a secret.

func (s *Signer) describe() []string {
	if s == nil {
		return nil
	}
	return []string{"Service", s.v4.Service(), "RegionSet", s.set, "Credentials", redact.TypeName(s.creds)}
}

// String returns the signer's service, region set and provider type.
func (s *Signer) String() string { return redact.Describe("sigv4a.Signer", s.describe()...) }

// GoString returns String.
func (s *Signer) GoString() string { return s.String() }

// Format prints String for every verb: never a secret or a private key.
func (s *Signer) Format(f fmt.State, verb rune) { redact.Format(f, verb, s.String()) }

// LogValue logs what String shows.
func (s *Signer) LogValue() slog.Value { return redact.LogValue("sigv4a.Signer", s.describe()...) }

func (c Config) describe() []string {
	return []string{"Service", c.Service, "RegionSet", strings.Join(c.RegionSet, ","), "Credentials", redact.TypeName(c.Credentials)}
}

// String returns the service, the region set and the provider's type.
func (c Config) String() string { return redact.Describe("sigv4a.Config", c.describe()...) }

// GoString returns String.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb: the provider is named, not printed.
func (c Config) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue logs what String shows.
func (c Config) LogValue() slog.Value { return redact.LogValue("sigv4a.Config", c.describe()...) }

func (a *ecdsaAlgorithm) describe() []string {
	if a == nil {
		return nil
	}
	return []string{"Name", algorithm}
}

// String names the algorithm; its cached keys are never printed.
func (a *ecdsaAlgorithm) String() string { return redact.Describe("sigv4a.Algorithm", a.describe()...) }

// GoString returns String.
func (a *ecdsaAlgorithm) GoString() string { return a.String() }

// Format prints String for every verb.
func (a *ecdsaAlgorithm) Format(f fmt.State, verb rune) { redact.Format(f, verb, a.String()) }

// LogValue logs what String shows.
func (a *ecdsaAlgorithm) LogValue() slog.Value {
	return redact.LogValue("sigv4a.Algorithm", a.describe()...)
}
