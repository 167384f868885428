package policy_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sigv4kit/sigv4kit/policy"
)

// readBuffer is mime/multipart's read buffer (its peekBufferSize): the
// most the verifier may read past the limit.
const readBuffer = 4096

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// verifyCounting runs VerifyRequest on body and returns the bytes it read.
func verifyCounting(v *policy.Verifier, body []byte, boundary string) (*policy.Upload, int64, error) {
	cr := &countingReader{r: bytes.NewReader(body)}
	req := httptest.NewRequest(http.MethodPost, "http://s3.test/b", cr)
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	u, err := v.VerifyRequest(req, "b")
	return u, cr.n, err
}

// TestPreFileLimit sends forms whose bytes before the file exceed the
// limit in each way a form can: they are refused with
// MaxPostPreDataLengthExceeded having read at most the limit and one read
// buffer of the body.
func TestPreFileLimit(t *testing.T) {
	const bd = "limitboundary"
	file := "--" + bd + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\nx\r\n--" + bd + "--\r\n"
	part := func(name, headers, value string) string {
		return "--" + bd + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n" + headers + "\r\n" + value + "\r\n"
	}
	parts := func(n int, headers string) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(part(fmt.Sprintf("x-ignore-%d", i), headers, "v"))
		}
		return b.String()
	}
	tests := []struct {
		name  string
		limit int64 // 0: the default
		body  string
	}{
		{"long part header", 0, "--" + bd + "\r\nContent-Disposition: form-data; name=\"x-ignore-a\"; pad=\"" + strings.Repeat("a", 1<<20) + "\"\r\n\r\nv\r\n" + file},
		{"many header lines", 0, part("x-ignore-a", strings.Repeat("X-Pad: p\r\n", 100000), "v") + file},
		{"parts with long headers", 0, parts(200, "X-Pad: "+strings.Repeat("p", 4096)+"\r\n") + file},
		{"too many parts", 0, parts(1001, "") + file},
		{"long preamble", 0, strings.Repeat("preamble line\r\n", 100000) + file},
		{"long value", 0, part("x-ignore-v", "", strings.Repeat("v", 1<<20)) + file},
		{"values just over the limit", 0, part("x-ignore-v", "", strings.Repeat("v", policy.DefaultMaxFieldBytes-80)) + part("x-ignore-w", "", strings.Repeat("w", 100)) + file},
		{"long file part header", 0, "--" + bd + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + strings.Repeat("f", 1<<20) + "\"\r\n\r\nx\r\n--" + bd + "--\r\n"},
		{"small limit, headers", 1000, part("x-ignore-a", "X-Pad: "+strings.Repeat("p", 1000)+"\r\n", "v") + file},
		{"small limit, preamble", 1000, strings.Repeat("p\r\n", 400) + file},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := verifierFor(testCreds)
			v.MaxFieldBytes = tt.limit
			limit := tt.limit
			if limit == 0 {
				limit = policy.DefaultMaxFieldBytes
			}
			_, n, err := verifyCounting(v, []byte(tt.body), bd)
			if code := authCode(err); code != policy.CodeMaxPostPreDataLengthExceeded {
				t.Errorf("error %v (code %q), want %s", err, code, policy.CodeMaxPostPreDataLengthExceeded)
			}
			if n > limit+readBuffer {
				t.Errorf("read %d of %d bytes, want at most %d", n, len(tt.body), limit+readBuffer)
			}
		})
	}
}

// TestPreFileLimitExact checks where the limit falls: a signed form whose
// bytes up to the end of the file part's headers are exactly the limit is
// accepted, and one byte less of limit refuses it.
func TestPreFileLimitExact(t *testing.T) {
	f := signed(t, policy.New(testExp).Bucket("b").Key("k").ContentLengthRange(0, 100))
	fields := append(formFields(f), field{"x-ignore-pad", strings.Repeat("p", 3000)})
	body, ct := multipartBody(fields, "f.txt", []byte("file content"))
	boundary := ct[strings.Index(ct, "boundary=")+len("boundary="):]
	i := bytes.Index(body, []byte(`name="file"`))
	preFile := int64(i + bytes.Index(body[i:], []byte("\r\n\r\n")) + 4)

	v := verifierFor(testCreds)
	v.MaxFieldBytes = preFile
	u, n, err := verifyCounting(v, body, boundary)
	if err != nil {
		t.Fatalf("at the limit (%d bytes): %v", preFile, err)
	}
	if n > preFile+1 {
		t.Errorf("read %d bytes before the file, want at most %d", n, preFile+1)
	}
	if got, err := io.ReadAll(u.File); err != nil || string(got) != "file content" {
		t.Errorf("file %q, %v", got, err)
	}

	v.MaxFieldBytes = preFile - 1
	if _, n, err := verifyCounting(v, body, boundary); authCode(err) != policy.CodeMaxPostPreDataLengthExceeded || n > preFile {
		t.Errorf("one byte over the limit: %v after reading %d bytes", err, n)
	}
}
