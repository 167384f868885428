// Command sigv4 presigns, signs and debugs AWS Signature Version 4 requests.
//
// Usage:
//
//	sigv4 presign s3://bucket/key [--expires-in 3600] [-X PUT] [--content-type TYPE]
//	sigv4 curl [-X METHOD] [-H 'Name: value'] [-d DATA | --data-binary @file | -T file] [-o file] [-isSvfk] [--cacert FILE] [--max-time SECONDS] [--service S] [--region R] URL
//	sigv4 post-policy s3://bucket/prefix [--max-size 10MB] [--content-type image/] [--expires-in 1h] [--html]
//	sigv4 explain [--error FILE] [-X METHOD] [-H 'Name: value'] URL | --request-file FILE
//	sigv4 verify [-X METHOD] [-H 'Name: value'] URL
//
// Credentials, the region and endpoint URLs are resolved by
// awsconfig.Load, as for the AWS CLI (the environment, the shared config
// and credentials files with role and SSO profiles, the container and
// instance metadata endpoints; --profile, --region). curl takes curl's
// flags with curl's meanings, and -X/--request is the method in every
// command. Errors are printed as "sigv4: error: ..." followed by
// "sigv4: hint: ..." lines that say what to do; the exit status is 1 on
// errors and 2 on usage errors. "sigv4 COMMAND --help" describes each
// command.
//
// Build it static, as one file to copy anywhere:
//
//	CGO_ENABLED=0 go install github.com/sigv4kit/sigv4kit/cmd/sigv4@latest
package main

import (
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

const usage = `sigv4 presigns, signs and debugs AWS Signature Version 4 requests.

Usage:
  sigv4 presign s3://bucket/key [flags]      print a presigned S3 URL
  sigv4 curl [flags] URL                     sign and send a request (like awscurl)
  sigv4 post-policy s3://bucket/prefix [flags]
                                             print a signed S3 POST form
  sigv4 explain [flags] URL                  diff a SignatureDoesNotMatch error
                                             against the request that caused it
  sigv4 verify [flags] URL                   check a presigned URL offline
  sigv4 proxy --upstream URL [flags]         sign (or --resign) what clients send

  sigv4 COMMAND --help                       flags of a command
  sigv4 --version                            print the version

Credentials, the region and endpoint URLs come from where the AWS CLI
finds them: the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN, AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_S3, ...), the
AWS shared config and credentials files (keys, roles, SSO,
credential_process), the container and instance metadata endpoints;
--profile selects a profile. -X and --request name the method in every
command, as in curl. The exit status is 1 on errors and 2 on usage errors.
`

// command is a subcommand: it parses its own flags from args.
type command func(a *app, args []string) error

var commands = map[string]command{
	"presign":     runPresign,
	"curl":        runCurl,
	"post-policy": runPostPolicy,
	"explain":     runExplain,
	"verify":      runVerify,
	"proxy":       runProxy,
}

// run is the whole program: it returns the exit status. Tests call it with
// their own streams and environment.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	a := newApp(stdin, stdout, stderr, env)
	if len(args) == 0 {
		io.WriteString(stderr, usage)
		return exitUsage
	}
	switch name := args[0]; name {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && name == "help" {
			if _, ok := commands[args[1]]; ok {
				a.command = args[1]
				return a.exit(commands[args[1]](a, []string{"--help"}))
			}
		}
		io.WriteString(stdout, usage)
		return exitOK
	case "-version", "--version", "version":
		io.WriteString(stdout, "sigv4 "+version()+"\n")
		return exitOK
	default:
		cmd, ok := commands[name]
		if !ok {
			if strings.HasPrefix(name, "-") {
				return a.exit(usagef("unknown flag %s", name).withHint(`flags come after the command: "sigv4 COMMAND --help" lists them`))
			}
			return a.exit(usagef("unknown command %q", name).withHint("the commands are presign, curl, post-policy, explain and verify"))
		}
		a.command = name
		return a.exit(cmd(a, args[1:]))
	}
}

// version returns the module version the binary was built from, with the
// VCS revision for development builds, and the Go version.
func version() string {
	v := "(devel)"
	info, ok := debug.ReadBuildInfo()
	if ok {
		if info.Main.Version != "" {
			v = info.Main.Version
		}
		if v == "(devel)" {
			var rev, dirty string
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					if s.Value == "true" {
						dirty = "-dirty"
					}
				}
			}
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if rev != "" {
				v += " " + rev + dirty
			}
		}
	}
	return v + " " + runtime.Version()
}
