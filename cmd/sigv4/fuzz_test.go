package main

import (
	"io"
	"os"
	"testing"

	"github.com/sigv4kit/sigv4kit/sigv4"
)

// FuzzExplainBody checks that no error body, however malformed, makes the
// parser or the diff panic.
func FuzzExplainBody(f *testing.F) {
	for _, name := range []string{"testdata/versitygw-header-changed.xml", "testdata/versitygw-wrong-secret.xml", "testdata/versitygw-presigned-content-type.xml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "GET\n/\n\nhost:h\n\nhost\nUNSIGNED-PAYLOAD")
	}
	f.Add([]byte(`{"message":"The Canonical String for this request should have been\n'a\nb'\n\nThe String-to-Sign should have been\n'x'"}`), "")
	f.Add([]byte(`<ErrorResponse><Error><Code>X</Code><Message>m</Message></Error></ErrorResponse>`), "\n\n\n")
	f.Fuzz(func(t *testing.T, body []byte, ours string) {
		e, ok := parseErrorBody(body)
		if !ok {
			return
		}
		a := newApp(nil, io.Discard, io.Discard, func(string) string { return "" })
		a.printDiff(io.Discard, e, &sigv4.Trace{CanonicalRequest: ours, StringToSign: ours})
		codeHints(e)
	})
}
