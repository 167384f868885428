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

	"github.com/sigv4kit/sigv4kit/awsconfig"
	"github.com/sigv4kit/sigv4kit/credentials"
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
	// silent (curl's -s) keeps errors, warnings and hints off standard
	// error; showError (-S) brings errors and their hints back.
	silent, showError bool
	command           string // the command running, for hints
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

// config resolves what the AWS CLI resolves for the flags (credentials,
// region, endpoint URLs and S3 settings), with awsconfig.Load, the
// library's loader: the command line and a program built on sigv4kit find
// the same things. region, when set, wins over every configured region
// (--region, or a region the command inferred from the host).
func (a *app) config(o awsFlags, region string) (*awsconfig.Config, error) {
	cfg, err := awsconfig.Load(a.ctx, awsconfig.Options{
		Profile: o.profile,
		Region:  region,
		Getenv:  a.getenv,
		HomeDir: a.getenv("HOME"),
		Now:     a.now,
		Stderr:  a.stderr,
	})
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// endpointURL returns the S3 endpoint: the flag, else the configured one
// (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's).
func endpointURL(flagValue string, cfg *awsconfig.Config) string {
	if flagValue != "" {
		return flagValue
	}
	return cfg.EndpointURL("s3")
}

// credentials returns the credentials of cfg's chain (environment, web
// identity, shared files with role and SSO profiles, container, instance
// metadata), retrieved once, and a provider that returns them.
func (a *app) credentials(cfg *awsconfig.Config) (credentials.Credentials, credentials.Provider, error) {
	return a.retrieve(cfg.Credentials)
}

// offlineCredentials returns the credentials of the environment or the
// shared files, without network calls: the sources that can hold the
// long-term keys a signature is checked with. The profile is selected and
// checked as awsconfig.Load does it (a named profile must exist).
func (a *app) offlineCredentials(profile string) (credentials.Credentials, credentials.Provider, error) {
	if _, err := a.config(awsFlags{profile: profile}, ""); err != nil {
		return credentials.Credentials{}, nil, err
	}
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
			return nil, flagError(fs, err)
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

// flagError rewrites an error of the flag package in the program's words,
// without its Go wording ("flag needs an argument", "parse error").
func flagError(fs *flag.FlagSet, err error) *cliError {
	msg := err.Error()
	dash := func(n string) string {
		if len(n) > 1 {
			return "--" + n // the long form, as the user most likely typed it
		}
		return "-" + n
	}
	help := fmt.Sprintf(`run "sigv4 %s --help" for usage`, fs.Name())
	if n, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return usagef("%s: unknown flag %s", fs.Name(), dash(n)).withHint("%s", help)
	}
	if n, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return usagef("%s: %s needs a value", fs.Name(), dash(n)).withHint("%s", help)
	}
	if strings.HasPrefix(msg, "invalid boolean value") {
		n := msg[strings.LastIndex(msg, " -")+2:]
		n, _, _ = strings.Cut(n, ":")
		return usagef("%s: %s takes no value", fs.Name(), dash(n)).withHint("write %s alone (or %s=false)", dash(n), dash(n))
	}
	if strings.HasPrefix(msg, "bad flag syntax") {
		return usagef("%s: %s", fs.Name(), msg).withHint("%s", help)
	}
	return usagef("%s: the flags do not parse", fs.Name()).withHint("%s", help)
}

// headerList is a repeatable -H 'Name: value' flag.
type headerList []string

func (h *headerList) String() string { return strings.Join(*h, ", ") }
func (h *headerList) Set(v string) error {
	*h = append(*h, v)
	return nil
}

// parseHeader splits "Name: value" with curl's meanings: "Name:" with
// nothing after the colon removes a header the command would set (del),
// and "Name;" sends the header with an empty value.
func parseHeader(s string) (name, value string, del bool, err error) {
	name, value, ok := strings.Cut(s, ":")
	if !ok {
		if n, ok := strings.CutSuffix(s, ";"); ok && n != "" && !strings.ContainsAny(n, " \t\r\n;") {
			return strings.TrimSpace(n), "", false, nil
		}
		return "", "", false, usagef("header %q is not 'Name: value'", s).withHint(`write -H 'Name: value'; 'Name;' sends an empty value, 'Name:' removes the header`)
	}
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsAny(name, " \t\r\n") {
		return "", "", false, usagef("header %q has an invalid name", s).withHint("a header name is letters, digits and - without spaces: -H 'X-Amz-Meta-Color: blue'")
	}
	if strings.ContainsAny(value, "\r\n") {
		return "", "", false, usagef("header %q has a line break in its value", s).withHint("pass one header per -H, without line breaks")
	}
	value = strings.TrimSpace(value)
	return name, value, value == "", nil
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
			return "", "", e.withHint("name the object as s3://bucket/key; --endpoint-url selects the server")
		}
		return "", "", e.withHint("name the object as s3://bucket/key")
	}
	bucket, key, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", usagef("%q has no bucket name", s).withHint("name the object as s3://bucket/key")
	}
	return bucket, key, nil
}

// formatDuration rounds d to seconds for messages ("59m30s").
func formatDuration(d time.Duration) string {
	return d.Round(time.Second).String()
}
