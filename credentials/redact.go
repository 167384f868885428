package credentials

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/internal/redact"
)

// The providers below hold or reach credentials. Each prints one redacted
// description for every fmt verb (Format), for %v and %s (String), for %#v
// (GoString) and for log/slog (LogValue): the provider's kind and the facts
// that are not secret. Providers are named by their type only, never
// formatted: a caller's provider may print its secrets. The credentials
// themselves sit behind two pointers (the provider's and a field's), so
// that fmt's raw paths print an address: %p of a value and %w print a
// struct's fields without calling methods, and so do unexported fields of
// a caller's struct, where a wrong verb on a pointer (%s, %q, %e, ...)
// prints the struct it points to. redact_table_test.go checks every type
// of this package that reaches a secret.

func (p *staticProvider) describe() []string {
	return []string{"AccessKeyID", p.c.AccessKeyID, "SecretAccessKey", mask(p.c.SecretAccessKey), "SessionToken", mask(p.c.SessionToken)}
}

// String returns "credentials.Static{AccessKeyID: ..., SecretAccessKey: [REDACTED]}".
func (p *staticProvider) String() string {
	return redact.Describe("credentials.Static", p.describe()...)
}

// GoString returns the redacted String.
func (p *staticProvider) GoString() string { return p.String() }

// Format prints the redacted String for every verb.
func (p *staticProvider) Format(f fmt.State, verb rune) { redact.Format(f, verb, p.String()) }

// LogValue logs the access key ID, never the secret or the token.
func (p *staticProvider) LogValue() slog.Value {
	return redact.LogValue("credentials.Static", p.describe()...)
}

// String names the chain's providers by type.
func (ch chain) String() string {
	names := make([]string, len(ch))
	for i, p := range ch {
		names[i] = redact.TypeName(p)
	}
	return "credentials.Chain(" + strings.Join(names, ", ") + ")"
}

// GoString returns String: the chain's providers by type.
func (ch chain) GoString() string { return ch.String() }

// Format prints String for every verb.
func (ch chain) Format(f fmt.State, verb rune) { redact.Format(f, verb, ch.String()) }

// LogValue logs the chain's providers by type.
func (ch chain) LogValue() slog.Value {
	kv := make([]string, 0, 2*len(ch))
	for i, p := range ch {
		kv = append(kv, strconv.Itoa(i), redact.TypeName(p))
	}
	return redact.LogValue("credentials.Chain", kv...)
}

func (c *Cache) describe() []string {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	kv := []string{"Provider", redact.TypeName(c.provider)}
	if c.valid {
		kv = append(kv, "AccessKeyID", c.creds.AccessKeyID, "SecretAccessKey", mask(c.creds.SecretAccessKey), "SessionToken", mask(c.creds.SessionToken), "Source", c.creds.Source)
		if c.creds.CanExpire() {
			kv = append(kv, "Expires", c.creds.Expires.UTC().Format(time.RFC3339))
		}
	}
	return kv
}

// String returns the wrapped provider's type and, when the cache holds
// credentials, their access key ID, source and expiry; never the secret or
// the session token.
func (c *Cache) String() string { return redact.Describe("credentials.Cache", c.describe()...) }

// GoString returns the redacted String.
func (c *Cache) GoString() string { return c.String() }

// Format prints the redacted String for every verb.
func (c *Cache) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue logs what String shows.
func (c *Cache) LogValue() slog.Value { return redact.LogValue("credentials.Cache", c.describe()...) }

// describe names the command, not its arguments, and counts the variables
// of Env: both may hold secrets.
func (p Process) describe() []string {
	name, _, _ := strings.Cut(strings.TrimSpace(p.Command), " ")
	kv := []string{"Command", name}
	if p.Env != nil {
		kv = append(kv, "Env", strconv.Itoa(len(p.Env))+" variables")
	}
	return kv
}

// String returns the command's name; its arguments and Env, which may hold
// secrets, are left out.
func (p Process) String() string { return redact.Describe("credentials.Process", p.describe()...) }

// GoString returns String.
func (p Process) GoString() string { return p.String() }

// Format prints String for every verb.
func (p Process) Format(f fmt.State, verb rune) { redact.Format(f, verb, p.String()) }

// LogValue logs what String shows.
func (p Process) LogValue() slog.Value {
	return redact.LogValue("credentials.Process", p.describe()...)
}
