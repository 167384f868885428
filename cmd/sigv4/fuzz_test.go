package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigv4kit/sigv4kit/sigv4"
)

// FuzzExplainBody feeds error bodies, however malformed, to what curl and
// explain do with a server's answer: the parser, the hints of curl (with
// and without -v) and explain's diff and hints. None may panic, and the
// diff of the server's canonical request and ours must be an edit script
// of the two.
//
// Its seeds are real answers of 2.3 to 2.5 KB, and the engine minimizes
// every input that finds new coverage with a search quadratic in the
// input's length (golang/go#48820): by default for up to a minute per
// input, during which that worker does not fuzz. So this target caps
// minimization at minimizeTime unless -fuzzminimizetime is given.
func FuzzExplainBody(f *testing.F) {
	capMinimizeTime(f, minimizeTime)
	for _, name := range []string{"testdata/versitygw-header-changed.xml", "testdata/versitygw-wrong-secret.xml", "testdata/versitygw-presigned-content-type.xml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "GET\n/\n\nhost:h\n\nhost\nUNSIGNED-PAYLOAD")
	}
	// MinIO's and radosgw's answers (no canonical request), as explain
	// reads them: the body of a saved answer. FuzzServerResponse fuzzes
	// what explain does with them.
	for _, pattern := range []string{"testdata/minio-*", "testdata/radosgw-*"} {
		names, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range names {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			_, body := splitHTTPResponse(b)
			f.Add(body, "")
		}
	}
	f.Add([]byte(`{"message":"The Canonical String for this request should have been\n'a\nb'\n\nThe String-to-Sign should have been\n'x'"}`), "")
	f.Add([]byte(`<ErrorResponse><Error><Code>X</Code><Message>m</Message></Error></ErrorResponse>`), "\n\n\n")
	f.Fuzz(func(t *testing.T, body []byte, ours string) {
		e, ok := parseErrorBody(body)
		if !ok {
			return
		}
		tr := &sigv4.Trace{CanonicalRequest: ours, StringToSign: ours}
		a := newApp(nil, io.Discard, io.Discard, func(string) string { return "" })
		a.explainResponse(tr, e, false) // curl's hints
		a.printDiff(io.Discard, e, tr)  // explain's and curl -v's diff
		codeHints(e)
		checkEditScript(t, strings.Split(e.CanonicalRequest, "\n"), strings.Split(ours, "\n"))
	})
}

// minimizeTime is how long FuzzExplainBody lets the engine minimize an
// input: enough for the inputs it can shrink (milliseconds each).
const minimizeTime = "2s"

// capMinimizeTime sets -test.fuzzminimizetime to d unless the command line
// sets it.
func capMinimizeTime(f *testing.F, d string) {
	const name = "test.fuzzminimizetime"
	set := false
	flag.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	if set || flag.Lookup(name) == nil {
		return
	}
	if err := flag.Set(name, d); err != nil {
		f.Fatal(err)
	}
}

// checkEditScript fails unless diffLines(a, b) keeps or removes exactly
// the lines of a and keeps or adds exactly those of b, in order.
func checkEditScript(t *testing.T, a, b []string) {
	t.Helper()
	var gotA, gotB []string
	for _, l := range diffLines(a, b) {
		op, line := l[:2], l[2:]
		switch op {
		case "  ":
			gotA, gotB = append(gotA, line), append(gotB, line)
		case "- ":
			gotA = append(gotA, line)
		case "+ ":
			gotB = append(gotB, line)
		default:
			t.Fatalf("diffLines line %q has no prefix", l)
		}
	}
	if strings.Join(gotA, "\n") != strings.Join(a, "\n") || len(gotA) != len(a) ||
		strings.Join(gotB, "\n") != strings.Join(b, "\n") || len(gotB) != len(b) {
		t.Fatalf("diffLines(%q, %q) is not an edit script of its inputs", a, b)
	}
}

// BenchmarkParseErrorBody parses the fuzz seeds whole and cut in half (not
// well-formed XML, as most fuzzed inputs are).
func BenchmarkParseErrorBody(b *testing.B) {
	var bodies [][]byte
	for _, name := range []string{"testdata/versitygw-header-changed.xml", "testdata/versitygw-wrong-secret.xml", "testdata/versitygw-presigned-content-type.xml"} {
		body, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		bodies = append(bodies, body, body[:len(body)/2])
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, body := range bodies {
			parseErrorBody(body)
		}
	}
}

// TestParseErrorBodyForms reads each form of error body, and bodies that
// are none: S3's, the XML and JSON of other services, and XML that is not
// well-formed (which is read as JSON, or refused).
func TestParseErrorBodyForms(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		ok         bool
		code, msg  string
	}{
		{"s3", `<Error><Code>AccessDenied</Code><Message>no</Message></Error>`, true, "AccessDenied", "no"},
		{"s3 with prolog", `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Error><Code>X</Code></Error>`, true, "X", ""},
		{"sts", `<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>m</Message></Error></ErrorResponse>`, true, "ExpiredToken", "m"},
		{"error in error", `<Error><Error><Code>Inner</Code><Message>m</Message></Error></Error>`, true, "Inner", "m"},
		{"json", `{"__type":"com.amazon.coral.service#InvalidSignatureException","message":"m"}`, true, "InvalidSignatureException", "m"},
		{"json with <", `{"message":"a <b> c"}`, true, "Error", "a <b> c"},
		{"json with a broken tag", `{"message":"a<b"}`, true, "Error", "a<b"},
		{"cut s3", `<Error><Code>SignatureDoesNotMatch</Code><Message>no</Mess`, false, "", ""},
		{"cut sts", `<ErrorResponse><Error><Code>X</Code></Error>`, false, "", ""},
		{"html", `<html><body>403</body></html>`, false, "", ""},
		{"empty", ``, false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := parseErrorBody([]byte(tc.body))
			if ok != tc.ok {
				t.Fatalf("parseErrorBody(%q) ok = %t, want %t", tc.body, ok, tc.ok)
			}
			if ok && (e.Code != tc.code || e.Message != tc.msg) {
				t.Errorf("parseErrorBody(%q) = %q, %q; want %q, %q", tc.body, e.Code, e.Message, tc.code, tc.msg)
			}
		})
	}
}
