package awsconfig

import (
	"fmt"
	"log/slog"
	"strconv"

	"github.com/sigv4kit/sigv4kit/internal/redact"
)

// A Config reaches the credentials through its cache. It prints one
// description for every fmt verb (Format), for %v and %s (String), for %#v
// (GoString) and for log/slog (LogValue): the profile, the region and its
// source, the S3 settings, and the cache's own redacted description. The
// cache sits behind a pointer, so fmt's raw paths print an address.

func (c Config) describe() []string {
	creds := "<nil>"
	if c.Credentials != nil {
		creds = c.Credentials.String()
	}
	return []string{
		"Profile", c.Profile.Name, "Region", c.Region, "RegionSource", c.RegionSource,
		"S3.AddressingStyle", c.S3.AddressingStyle,
		"S3.UseAccelerate", strconv.FormatBool(c.S3.UseAccelerate),
		"S3.UseDualStack", strconv.FormatBool(c.S3.UseDualStack),
		"UseFIPS", strconv.FormatBool(c.UseFIPS),
		"Credentials", creds,
	}
}

// String describes the configuration without any secret.
func (c Config) String() string { return redact.Describe("awsconfig.Config", c.describe()...) }

// GoString returns String.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb.
func (c Config) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// LogValue logs what String shows.
func (c Config) LogValue() slog.Value { return redact.LogValue("awsconfig.Config", c.describe()...) }
