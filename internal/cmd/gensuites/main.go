// Command gensuites transcribes AWS's published SigV4 test suites from
// ../shared/testdata into the repository's own test data, one txtar
// archive per suite under internal/suites/testdata:
//
//	aws-signing-test-suite-v4.txtar   (awslabs/aws-c-auth, Apache-2.0)
//	aws-signing-test-suite-v4a.txtar  (awslabs/aws-c-auth, Apache-2.0)
//	aws-sig-v4-test-suite.txtar       (AWS General Reference via mhart/aws4, MIT)
//
// Usage, from anywhere inside the module:
//
//	go run ./internal/cmd/gensuites [-src dir] [-out dir] [-check]
//
// -src is the test-data root holding aws-signing-test-suite/ and
// aws-sig-v4-test-suite/ (default: ../shared/testdata next to the module
// root); -out is where the archives go (default: internal/suites/testdata
// in the module). With -check, nothing is written: gensuites reports each
// archive that differs from what it would write and exits 1 if any does.
// go generate ./internal/suites runs it with the defaults.
//
// The archive format and each suite's header (origin, licence) are
// defined in package internal/suites, whose tests compare the committed
// archives with ../shared/testdata whenever that folder exists.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sigv4kit/sigv4kit/internal/suites"
)

const modulePath = "github.com/sigv4kit/sigv4kit"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("gensuites", flag.ContinueOnError)
	fl.SetOutput(stderr)
	src := fl.String("src", "", "test-data root (default ../shared/testdata next to the module root)")
	out := fl.String("out", "", "output folder (default internal/suites/testdata in the module)")
	check := fl.Bool("check", false, "write nothing; exit 1 if an archive differs from what would be written")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "gensuites: error: unexpected argument %q\n", fl.Arg(0))
		return 2
	}
	if err := generate(*src, *out, *check, stdout); err != nil {
		fmt.Fprintf(stderr, "gensuites: error: %v\n", err)
		return 1
	}
	return 0
}

// errDiffers is returned by generate with -check when an archive differs.
var errDiffers = errors.New("archives differ from the transcription; run go run ./internal/cmd/gensuites")

func generate(src, out string, check bool, stdout io.Writer) error {
	if src == "" || out == "" {
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		if src == "" {
			src = filepath.Join(root, "..", "shared", "testdata")
		}
		if out == "" {
			out = filepath.Join(root, "internal", "suites", "testdata")
		}
	}
	if fi, err := os.Stat(src); err != nil || !fi.IsDir() {
		return fmt.Errorf("test-data root %s is not a folder (set -src)", src)
	}
	fsys := os.DirFS(src)
	differ := false
	for _, s := range suites.Sources() {
		data, err := suites.Transcribe(fsys, s.Name)
		if err != nil {
			return err
		}
		dst := filepath.Join(out, s.Name+".txtar")
		old, err := os.ReadFile(dst)
		switch {
		case err == nil && bytes.Equal(old, data):
			fmt.Fprintf(stdout, "%s: unchanged (%d bytes)\n", dst, len(data))
		case check:
			differ = true
			fmt.Fprintf(stdout, "%s: differs from the transcription of %s\n", dst, filepath.Join(src, s.Dir))
		default:
			if err := os.WriteFile(dst, data, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s: wrote %d bytes\n", dst, len(data))
		}
	}
	if differ {
		return errDiffers
	}
	return nil
}

// moduleRoot finds the folder of this module's go.mod, upwards from the
// working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			first, _, _ := strings.Cut(string(data), "\n")
			if strings.TrimSpace(first) == "module "+modulePath {
				return dir, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("module %s not found above the working directory (set -src and -out)", modulePath)
		}
		dir = parent
	}
}
