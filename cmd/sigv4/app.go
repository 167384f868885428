package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/credentials/stscreds"
)

// envTestNow names the variable that fixes the clock, for tests only: an
// RFC 3339 time used instead of the current time.
const envTestNow = "SIGV4_TEST_NOW"

// app is the state shared by the commands: the streams and the
// environment.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	ctx            context.Context
	tokens         tokenRedactor // hides session tokens in what the commands print
}

func newApp(stdin io.Reader, stdout, stderr io.Writer, env func(string) string) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: env, ctx: context.Background()}
}

// now returns the current time, or SIGV4_TEST_NOW.
func (a *app) now() time.Time {
	if s := a.getenv(envTestNow); s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t
		}
	}
	return time.Now()
}

// awsFlags holds the flags that select the account and the endpoint, shared by
// the commands that talk to AWS.
type awsFlags struct {
	region, profile, endpoint string
}

func (o *awsFlags) register(fs *flag.FlagSet, endpoint bool) {
	fs.StringVar(&o.region, "region", "", "")
	fs.StringVar(&o.profile, "profile", "", "")
	if endpoint {
		fs.StringVar(&o.endpoint, "endpoint-url", "", "")
	}
}

// loadProfile reads the selected profile (--profile, else AWS_PROFILE,
// else default). A missing default profile is no error.
func (a *app) loadProfile(name string) (*credentials.Profile, error) {
	sf := credentials.SharedFiles{Profile: name, Getenv: a.getenv, HomeDir: a.getenv("HOME")}
	p, err := sf.LoadProfile()
	if err != nil {
		if errors.Is(err, credentials.ErrProfileNotFound) && name == "" && a.getenv(credentials.EnvProfile) == "" {
			return &p, nil
		}
		return nil, err
	}
	return &p, nil
}

// region returns the region: the flag, else AWS_REGION, else
// AWS_DEFAULT_REGION, else the profile's.
func (a *app) region(flagValue string, p *credentials.Profile) string {
	for _, r := range []string{flagValue, a.getenv("AWS_REGION"), a.getenv("AWS_DEFAULT_REGION")} {
		if r != "" {
			return r
		}
	}
	if p != nil {
		return p.Region
	}
	return ""
}

// endpointURL returns the configured S3 endpoint: the flag, else
// AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL and the profile's settings.
func (a *app) endpointURL(flagValue, service string, p *credentials.Profile) string {
	if flagValue != "" {
		return flagValue
	}
	if strings.EqualFold(a.getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		return ""
	}
	key := strings.ToUpper(strings.ReplaceAll(service, "-", "_"))
	for _, v := range []string{a.getenv("AWS_ENDPOINT_URL_" + key), a.getenv("AWS_ENDPOINT_URL")} {
		if v != "" {
			return v
		}
	}
	if p != nil {
		return p.ServiceEndpointURL(service)
	}
	return ""
}

// credentials returns the credentials of the default chain (environment,
// web identity, shared files with role profiles, container, instance
// metadata) for the named profile, retrieved once, and a provider that
// returns them.
func (a *app) credentials(profile string) (credentials.Credentials, credentials.Provider, error) {
	chain := stscreds.Default(credentials.DefaultOptions{
		Profile: profile, Getenv: a.getenv, HomeDir: a.getenv("HOME"), Stderr: a.stderr,
		Now: a.now,
	}, stscreds.Options{})
	return a.retrieve(chain)
}

// offlineCredentials returns the credentials of the environment or the
// shared files, without network calls: the sources that can hold the
// long-term keys a signature is checked with.
func (a *app) offlineCredentials(profile string) (credentials.Credentials, credentials.Provider, error) {
	var ps []credentials.Provider
	if profile == "" {
		ps = append(ps, credentials.Env{Getenv: a.getenv, Now: a.now})
	}
	ps = append(ps, credentials.SharedFiles{Profile: profile, Getenv: a.getenv, HomeDir: a.getenv("HOME"), Stderr: a.stderr, Now: a.now})
	return a.retrieve(credentials.Chain(ps...))
}

// retrieve gets the credentials of p once and returns a provider of
// exactly those.
func (a *app) retrieve(p credentials.Provider) (credentials.Credentials, credentials.Provider, error) {
	c, err := p.Retrieve(a.ctx)
	if err != nil {
		return c, nil, err
	}
	return c, credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) { return c, nil }), nil
}

// parseFlags parses args with fs, allowing flags after positional
// arguments (curl style) until "--". It prints the command's help for
// -h/--help and returns silentError{0}.
func (a *app) parseFlags(fs *flag.FlagSet, help string, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			io.WriteString(a.stdout, help)
			return nil, silentError{exitOK}
		}
		if err != nil {
			msg := err.Error()
			if n, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
				if len(n) > 1 {
					n = "-" + n // the long form, as the user most likely typed it
				}
				msg = "unknown flag -" + n
			}
			return nil, usagef("%s: %s", fs.Name(), msg).withHint(`run "sigv4 %s --help" for usage`, fs.Name())
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if i := len(args) - len(rest) - 1; i >= 0 && args[i] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// headerList is a repeatable -H 'Name: value' flag.
type headerList []string

func (h *headerList) String() string { return strings.Join(*h, ", ") }
func (h *headerList) Set(v string) error {
	*h = append(*h, v)
	return nil
}

// parseHeader splits "Name: value" (curl's syntax; "Name;" is an empty
// value).
func parseHeader(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, ":")
	if !ok {
		if n, ok := strings.CutSuffix(s, ";"); ok && n != "" {
			return strings.TrimSpace(n), "", nil
		}
		return "", "", usagef("header %q is not 'Name: value'", s)
	}
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsAny(name, " \t\r\n") {
		return "", "", usagef("header %q has an invalid name", s)
	}
	return name, strings.TrimSpace(value), nil
}

// parseExpiry reads an expiry as seconds ("3600", as the AWS CLI's
// --expires-in) or as a duration ("15m", "1h30m", "7d").
func parseExpiry(s string) (time.Duration, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > 1<<40 || n < -1<<40 {
			return 0, fmt.Errorf("%q is out of range", s)
		}
		return time.Duration(n) * time.Second, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseInt(d, 10, 64)
		if err == nil && n >= 0 && n < 1<<20 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is neither a number of seconds nor a duration like 15m or 1h", s)
	}
	return d, nil
}

// parseSize reads a size in bytes: "1048576", "512KB", "10MB", "1GB" (the
// AWS CLI's units: KB, MB, GB, TB are powers of 1024, and so are KiB, MiB,
// GiB and TiB).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	upper := strings.ToUpper(t)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{
		{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"TIB", 1 << 40},
		{"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"TB", 1 << 40},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1},
	} {
		if n, ok := strings.CutSuffix(upper, u.suffix); ok {
			upper, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(upper, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size like 1048576, 512KB or 10MB", s)
	}
	return n * mult, nil
}

// parseS3URL splits s3://bucket/key.
func parseS3URL(s string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		e := usagef("%q is not an s3://bucket/key URL", s)
		if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
			e.withHint("name the object as s3://bucket/key; --endpoint-url selects the server")
		}
		return "", "", e
	}
	bucket, key, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", usagef("%q has no bucket name", s)
	}
	return bucket, key, nil
}

// formatDuration rounds d to seconds for messages ("59m30s").
func formatDuration(d time.Duration) string {
	return d.Round(time.Second).String()
}
