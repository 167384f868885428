package presign

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/internal/redact"
)

// The types below reach secrets: a Presigner and an STS hold a provider
// (and a signer with its signing keys), a Config holds a provider, and an
// EKSToken is a bearer token that embeds the session token. Each prints one
// redacted description for every fmt verb (Format), for %v and %s
// (String), for %#v (GoString) and for log/slog (LogValue). Providers are
// named by their type only, never formatted. redact_table_test.go checks
// every type of this package that reaches a secret.

func (p *Presigner) describe() []string {
	if p == nil {
		return nil
	}
	if p.err != nil {
		return []string{"Err", p.err.Error()}
	}
	return []string{"Endpoint", p.ep.scheme + "://" + p.ep.host + p.ep.basePath, "Region", p.region, "Credentials", redact.TypeName(p.creds)}
}

// String returns the endpoint, the region and the provider's type.
func (p *Presigner) String() string { return redact.Describe("presign.Presigner", p.describe()...) }

// GoString returns String.
func (p *Presigner) GoString() string { return p.String() }

// Format prints String for every verb: never a secret or a signing key.
func (p *Presigner) Format(f fmt.State, verb rune) { redact.Format(f, verb, p.String()) }

// LogValue logs what String shows.
func (p *Presigner) LogValue() slog.Value {
	return redact.LogValue("presign.Presigner", p.describe()...)
}

func (s *STS) describe() []string {
	if s == nil {
		return nil
	}
	return []string{"Endpoint", s.ep.scheme + "://" + s.ep.host + s.ep.basePath, "Region", s.region(), "Credentials", redact.TypeName(s.creds)}
}

// String returns the endpoint, the region and the provider's type.
func (s *STS) String() string { return redact.Describe("presign.STS", s.describe()...) }

// GoString returns String.
func (s *STS) GoString() string { return s.String() }

// Format prints String for every verb: never a secret or a signing key.
func (s *STS) Format(f fmt.State, verb rune) { redact.Format(f, verb, s.String()) }

// LogValue logs what String shows.
func (s *STS) LogValue() slog.Value { return redact.LogValue("presign.STS", s.describe()...) }

func (c Config) describe() []string {
	return []string{"Region", c.Region, "Endpoint", c.Endpoint, "Credentials", redact.TypeName(c.Credentials)}
}

// String returns the region, the endpoint and the provider's type.
func (c Config) String() string { return redact.Describe("presign.Config", c.describe()...) }

// GoString returns String.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb: the provider is named, not printed.
func (c Config) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue logs what String shows.
func (c Config) LogValue() slog.Value { return redact.LogValue("presign.Config", c.describe()...) }

func (t EKSToken) describe() []string {
	var tok, exp string
	if t.Token != "" {
		prefix, _, _ := strings.Cut(t.Token, ".")
		tok = prefix + "." + redact.Redacted
	}
	if !t.Expires.IsZero() {
		exp = t.Expires.UTC().Format(time.RFC3339)
	}
	return []string{"Token", tok, "Expires", exp}
}

// String returns the token's prefix and expiry. The token itself is a
// bearer credential (a presigned URL, with the session token): print
// t.Token to hand it on.
func (t EKSToken) String() string { return redact.Describe("presign.EKSToken", t.describe()...) }

// GoString returns String.
func (t EKSToken) GoString() string { return t.String() }

// Format prints String for every verb.
func (t EKSToken) Format(f fmt.State, verb rune) { redact.Format(f, verb, t.String()) }

// LogValue logs what String shows.
func (t EKSToken) LogValue() slog.Value { return redact.LogValue("presign.EKSToken", t.describe()...) }

func (s *STS) region() string {
	if s.signer == nil {
		return ""
	}
	return s.signer.Region()
}
