// Package credentials holds the AWS credentials value that signers use and
// the providers that find it.
//
// A [Credentials] value is an access key ID, a secret access key, an optional
// session token and an optional expiry. It never prints its secret: every way
// of formatting it (fmt verbs, log/slog, encoding/json) shows the access key ID
// and redacts the secret and the token (see [Credentials] for the few raw
// paths of fmt that no method can redact).
//
// A [Provider] retrieves credentials on demand. [Static] returns a fixed value;
// the other providers in this package follow the conventions of the AWS CLI
// and SDKs (environment variables, shared files, instance and container
// metadata) so that a program finds its credentials where the AWS tools do.
//
// [DefaultWithoutSTS] is the default chain of the AWS SDKs (environment, web identity,
// shared files, container, instance metadata), cached; it never falls back
// to anonymous access. The STS-based sources (role profiles, web identity)
// live in the stscreds sub-package, whose stscreds.DefaultWithSTS wires them in.
// [Chain] combines providers, and [Cache] keeps their credentials until
// shortly before they expire.
//
// This package imports only the standard library.
package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sigv4kit/sigv4kit/internal/redact"
)

// redacted replaces a secret wherever credentials are printed.
const redacted = "[REDACTED]"

// Credentials are the AWS credentials a request is signed with.
//
// The zero Expires means the credentials do not expire. Source names the
// provider that produced them, for diagnostics.
//
// Credentials never print their secret or session token: String, GoString,
// Format, LogValue and MarshalJSON all redact them, so every fmt verb, with
// any flags, every log/slog handler and encoding/json show the access key
// ID, the expiry and the source only.
//
// Some ways of printing bypass every method, because fmt then prints
// fields raw: %p of a Credentials value (or of a struct value that holds
// one), %w of anything but an error, and a Credentials value in an
// unexported field of a struct that is printed (fmt cannot call the methods
// of values it reaches through unexported fields). go vet reports %w; it
// does not report %p of a Credentials value, since Credentials has a Format
// method. Types that hold credentials and may be printed should keep them
// in exported fields, or have a Format method of their own and keep the
// credentials behind two pointers, as the types of this module do.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expires         time.Time
	Source          string
}

// HasKeys reports whether both the access key ID and the secret access key
// are set.
func (c Credentials) HasKeys() bool {
	return c.AccessKeyID != "" && c.SecretAccessKey != ""
}

// CanExpire reports whether the credentials have an expiry time.
func (c Credentials) CanExpire() bool { return !c.Expires.IsZero() }

// Expired reports whether the credentials have expired at time now.
// Credentials without an expiry never expire.
func (c Credentials) Expired(now time.Time) bool {
	return c.CanExpire() && !now.Before(c.Expires)
}

// String returns a description that shows the access key ID and the source
// and redacts the secret and the session token.
func (c Credentials) String() string {
	s := "credentials{AccessKeyID: " + c.AccessKeyID + ", SecretAccessKey: " + mask(c.SecretAccessKey)
	if c.SessionToken != "" {
		s += ", SessionToken: " + redacted
	}
	if c.CanExpire() {
		s += ", Expires: " + c.Expires.UTC().Format(time.RFC3339)
	}
	if c.Source != "" {
		s += ", Source: " + c.Source
	}
	return s + "}"
}

// GoString implements fmt.GoStringer, so %#v redacts too.
func (c Credentials) GoString() string {
	return fmt.Sprintf("credentials.Credentials{AccessKeyID:%q, SecretAccessKey:%q, SessionToken:%q, Expires:%#v, Source:%q}",
		c.AccessKeyID, mask(c.SecretAccessKey), mask(c.SessionToken), c.Expires, c.Source)
}

// Format implements fmt.Formatter: every verb (%v, %+v, %#v, %s, %q, ...)
// prints the redacted form.
func (c Credentials) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		redact.Format(f, verb, c.GoString())
		return
	}
	redact.Format(f, verb, c.String())
}

// LogValue implements slog.LogValuer: logged credentials show the access key
// ID, the expiry and the source, never the secret or the token.
func (c Credentials) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("access_key_id", c.AccessKeyID),
		slog.String("secret_access_key", mask(c.SecretAccessKey)),
	}
	if c.SessionToken != "" {
		attrs = append(attrs, slog.String("session_token", redacted))
	}
	if c.CanExpire() {
		attrs = append(attrs, slog.Time("expires", c.Expires))
	}
	if c.Source != "" {
		attrs = append(attrs, slog.String("source", c.Source))
	}
	return slog.GroupValue(attrs...)
}

// MarshalJSON implements json.Marshaler with the secret and the session
// token redacted. Credentials are not meant to be stored as JSON; this only
// keeps them from leaking when a struct that holds them is logged as JSON.
func (c Credentials) MarshalJSON() ([]byte, error) {
	type redactedCreds struct {
		AccessKeyID     string     `json:"AccessKeyID"`
		SecretAccessKey string     `json:"SecretAccessKey"`
		SessionToken    string     `json:"SessionToken,omitempty"`
		Expires         *time.Time `json:"Expires,omitempty"`
		Source          string     `json:"Source,omitempty"`
	}
	r := redactedCreds{AccessKeyID: c.AccessKeyID, SecretAccessKey: mask(c.SecretAccessKey), SessionToken: mask(c.SessionToken), Source: c.Source}
	if c.CanExpire() {
		t := c.Expires
		r.Expires = &t
	}
	return json.Marshal(r)
}

func mask(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// Provider retrieves credentials.
//
// Retrieve may be called for every request; providers that do network or
// file work should be wrapped in a cache. Implementations must be safe for
// concurrent use.
type Provider interface {
	Retrieve(ctx context.Context) (Credentials, error)
}

// ProviderFunc adapts a function to the [Provider] interface.
type ProviderFunc func(ctx context.Context) (Credentials, error)

// Retrieve calls f(ctx).
func (f ProviderFunc) Retrieve(ctx context.Context) (Credentials, error) { return f(ctx) }

// ErrNoCredentials is returned (wrapped) by providers that found no
// credentials where they look.
var ErrNoCredentials = errors.New("credentials: no credentials found")

// staticProvider is the Provider returned by Static, as a pointer. It keeps
// the credentials behind a second pointer, so that even the fmt paths that
// print fields raw (%p of a value, %w, a wrong verb in an unexported field)
// show only an address: see redact.go.
type staticProvider struct{ c *Credentials }

// Static returns a Provider that always returns the given keys, with Source
// "static". It does not check them: a signer reports empty keys when it
// uses them. The provider prints redacted, like [Credentials].
func Static(accessKeyID, secretAccessKey, sessionToken string) Provider {
	return &staticProvider{&Credentials{
		AccessKeyID:     accessKeyID,
		SecretAccessKey: secretAccessKey,
		SessionToken:    sessionToken,
		Source:          "static",
	}}
}

// Retrieve returns the static credentials.
func (p *staticProvider) Retrieve(context.Context) (Credentials, error) { return *p.c, nil }
