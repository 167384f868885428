package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigv4kit/sigv4kit/internal/suites"
)

// writeTree writes files (path -> content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, data := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGenerate runs the command on a small tree laid out like
// ../shared/testdata and reads the archives back.
func TestGenerate(t *testing.T) {
	src, out := t.TempDir(), t.TempDir()
	tree := map[string]string{
		"aws-signing-test-suite/LICENSE":                   "licence text\n",
		"aws-signing-test-suite/NOTICE":                    "notice",
		"aws-signing-test-suite/v4/get-x/request.txt":      "GET /ሴ HTTP/1.1\nHost:h\n",
		"aws-signing-test-suite/v4/get-x/context.json":     "{}",
		"aws-signing-test-suite/v4a/get-y/request.txt":     "POST / HTTP/1.1\nHost:h\n\nbody",
		"aws-sig-v4-test-suite/LICENSE":                    "l",
		"aws-sig-v4-test-suite/group/note.txt":             "a\r\nb\r\n",
		"aws-sig-v4-test-suite/group/get-z/get-z.req":      "GET / HTTP/1.1\n",
		"aws-sig-v4-test-suite/group/get-z/get-z.authz":    "AWS4-HMAC-SHA256 x",
		"aws-signing-test-suite/unrelated-not-transcribed": "x",
	}
	writeTree(t, src, tree)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-src", src, "-out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	wantMembers := map[string][]string{
		suites.V4:     {"LICENSE", "NOTICE", "get-x/context.json", "get-x/request.txt"},
		suites.V4A:    {"LICENSE", "NOTICE", "get-y/request.txt"},
		suites.Legacy: {"LICENSE", "group/get-z/get-z.authz", "group/get-z/get-z.req", "group/note.txt"},
	}
	dirs := map[string]string{suites.V4: "aws-signing-test-suite/v4/", suites.V4A: "aws-signing-test-suite/v4a/", suites.Legacy: "aws-sig-v4-test-suite/"}
	for name, members := range wantMembers {
		data, err := os.ReadFile(filepath.Join(out, name+".txtar"))
		if err != nil {
			t.Fatal(err)
		}
		a, err := suites.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(a.Comment), "do not edit") {
			t.Errorf("%s: header lacks the do-not-edit line:\n%s", name, a.Comment)
		}
		var got []string
		for _, f := range a.Files {
			got = append(got, f.Name)
			p := dirs[name] + f.Name
			if name != suites.Legacy && (f.Name == "LICENSE" || f.Name == "NOTICE") {
				p = "aws-signing-test-suite/" + f.Name
			}
			if string(f.Data) != tree[p] {
				t.Errorf("%s: member %s = %q, want %q", name, f.Name, f.Data, tree[p])
			}
		}
		if strings.Join(got, " ") != strings.Join(members, " ") {
			t.Errorf("%s: members %q, want %q", name, got, members)
		}
	}

	// A second run finds nothing to do; -check then passes, and fails
	// once an archive is changed.
	stdout.Reset()
	if code := run([]string{"-src", src, "-out", out}, &stdout, &stderr); code != 0 || strings.Count(stdout.String(), "unchanged") != 3 {
		t.Errorf("second run: exit %d, output %q", code, stdout.String())
	}
	if code := run([]string{"-src", src, "-out", out, "-check"}, &stdout, &stderr); code != 0 {
		t.Errorf("-check of fresh archives: exit %d", code)
	}
	changed := filepath.Join(out, suites.V4A+".txtar")
	if err := os.WriteFile(changed, []byte("stale\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"-src", src, "-out", out, "-check"}, &stdout, &stderr); code != 1 || !strings.Contains(stdout.String(), changed+": differs") {
		t.Errorf("-check of a stale archive: exit %d, output %q, %q", code, stdout.String(), stderr.String())
	}
	if data, _ := os.ReadFile(changed); string(data) != "stale\n" {
		t.Errorf("-check wrote %s", changed)
	}
}

func TestGenerateErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"missing source", []string{"-src", missing, "-out", t.TempDir()}, 1, missing + " is not a folder"},
		{"source without the suites", []string{"-src", t.TempDir(), "-out", t.TempDir()}, 1, "aws-signing-test-suite/LICENSE"},
		{"argument", []string{"extra"}, 2, `unexpected argument "extra"`},
		{"bad flag", []string{"-nope"}, 2, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.msg) {
				t.Errorf("exit %d, stderr %q; want exit %d naming %q", code, stderr.String(), tt.code, tt.msg)
			}
		})
	}
}
