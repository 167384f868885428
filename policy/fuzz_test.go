package policy_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sigv4kit/sigv4kit/policy"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// sign signs a base64 policy for testNow's date in us-east-1, the
// independent way: the formula, not the package.
func sign(secret, b64Policy string) string {
	m := hmac.New(sha256.New, sigv4.SigningKey(secret, testNow, "us-east-1", "s3"))
	m.Write([]byte(b64Policy))
	return hex.EncodeToString(m.Sum(nil))
}

const fuzzBoundary = "fuzzboundary"

// FuzzVerify feeds arbitrary multipart bodies to the verifier. It must never
// panic; whatever it accepts must stay within the policy's size range and
// satisfy the signature; its errors are AuthErrors.
func FuzzVerify(f *testing.F) {
	seed := func(fields []field, file []byte) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		w.SetBoundary(fuzzBoundary)
		for _, fl := range fields {
			w.WriteField(fl.name, fl.value)
		}
		if file != nil {
			fw, _ := w.CreateFormFile("file", "a.txt")
			fw.Write(file)
		}
		w.Close()
		f.Add(b.Bytes())
	}
	form := func(p *policy.Policy) []field {
		fm, err := p.Sign(testCreds, "us-east-1", testNow)
		if err != nil {
			f.Fatal(err)
		}
		return formFields(fm)
	}
	seed(form(policy.New(testExp).Bucket("b").KeyStartsWith("u/").ContentLengthRange(1, 20)), []byte("hello"))
	seed(form(policy.New(testExp).Bucket("b").Key("k").ContentType("text/plain").Meta("a", "b")), []byte("x"))
	seed(form(policy.New(testExp).Bucket("b").Key("k").ContentLengthRange(0, 3)), []byte("too long"))
	seed([]field{{"key", "k"}}, []byte("x"))
	seed(nil, nil)
	f.Add([]byte("--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n--" + fuzzBoundary + "--\r\n"))

	v := verifierFor(testCreds)
	small := verifierFor(testCreds)
	small.MaxFieldBytes = 600
	f.Fuzz(func(t *testing.T, body []byte) {
		// With a small limit, nothing beyond it (and the one byte that
		// tells whether there is more) is read before the file.
		cr := &countingReader{r: bytes.NewReader(body)}
		_, err := small.Verify(t.Context(), "b", cr, fuzzBoundary)
		if cr.n > small.MaxFieldBytes+1 {
			t.Fatalf("read %d bytes before the file, limit %d", cr.n, small.MaxFieldBytes)
		}
		var ae *sigv4.AuthError
		if err != nil && (!errors.As(err, &ae) || ae.Code == "" || ae.StatusCode < 400) {
			t.Fatalf("error %v is not an S3 AuthError", err)
		}

		u, err := v.Verify(t.Context(), "b", bytes.NewReader(body), fuzzBoundary)
		if err != nil {
			var ae *sigv4.AuthError
			if !errors.As(err, &ae) || ae.Code == "" || ae.StatusCode < 400 {
				t.Fatalf("error %v is not an S3 AuthError", err)
			}
			return
		}
		// Accepted: the signature must be right.
		if want := sign(testCreds.SecretAccessKey, u.Fields["policy"]); u.Fields["x-amz-signature"] != want {
			t.Fatalf("accepted a wrong signature")
		}
		data, err := io.ReadAll(u.File)
		n := int64(len(data))
		if u.MaxSize >= 0 && n > u.MaxSize {
			t.Fatalf("delivered %d bytes, maximum %d", n, u.MaxSize)
		}
		if err == nil && n < u.MinSize {
			t.Fatalf("accepted %d bytes, minimum %d", n, u.MinSize)
		}
		if n != u.Size() {
			t.Fatalf("Size %d, read %d", u.Size(), n)
		}
	})
}

// FuzzSignVerify signs policies with arbitrary keys and values and checks
// that the verifier accepts the form as signed and refuses it once a value
// changes: the JSON encoding can be neither broken nor injected.
func FuzzSignVerify(f *testing.F) {
	for _, s := range injections {
		f.Add(s, s, "v")
	}
	f.Add("uploads/", "a.txt", "text/plain")
	f.Fuzz(func(t *testing.T, prefix, name, meta string) {
		p := policy.New(testExp).Bucket("b").KeyStartsWith(prefix).Meta("m", meta).Condition(policy.Eq, "x-amz-meta-n", name)
		fm, err := p.Sign(testCreds, "us-east-1", testNow)
		if err != nil {
			if !utf8.ValidString(prefix) || !utf8.ValidString(name) || !utf8.ValidString(meta) || strings.ContainsAny(meta, "\r\n\x00") || len(prefix) > 1024 {
				return
			}
			t.Fatalf("Sign: %v", err)
		}
		v := verifierFor(testCreds)
		fm.Fields["key"] = prefix + name
		if prefix+name == "" {
			return // S3 needs a key
		}
		u, err := v.VerifyFields(t.Context(), "b", fm.Fields, "", 0)
		if err != nil {
			t.Fatalf("VerifyFields: %v", err)
		}
		if u.Fields["x-amz-meta-m"] != meta || u.Fields["x-amz-meta-n"] != name {
			t.Fatalf("fields changed: %v", u.Fields)
		}
		fm.Fields["x-amz-meta-n"] = name + "x"
		if _, err := v.VerifyFields(t.Context(), "b", fm.Fields, "", 0); err == nil {
			t.Fatalf("accepted a changed value")
		}
	})
}

// FuzzVerifyOracle signs one policy and submits fuzzed values for its
// fields, an extra field and a file; the verifier's verdict must match a
// direct reading of the conditions.
func FuzzVerifyOracle(f *testing.F) {
	f.Add("u/a.txt", "text/plain", "", "", []byte("hello"), uint16(10))
	f.Add("u/", "text/a, text/b", "x-ignore-x", "1", []byte{}, uint16(0))
	f.Add("v/a.txt", "text/plain", "", "", []byte("hello"), uint16(10))
	f.Add("u/a", "image/png", "", "", []byte("hello"), uint16(10))
	f.Add("u/a", "text/plain", "acl", "public-read", []byte("hello"), uint16(10))
	f.Add("u/a", "text/plain", "", "", []byte("hello world"), uint16(10))
	f.Add("u/${filename}", "text/", "Key", "u/b", []byte("x"), uint16(1))
	f.Add("u/a", "text/plain", "File", "short", []byte("much longer than max"), uint16(5))
	f.Fuzz(func(t *testing.T, key, contentType, extraName, extraValue string, file []byte, maxSize uint16) {
		fm, err := policy.New(testExp).Bucket("b").KeyStartsWith("u/").ContentTypeStartsWith("text/").
			ContentLengthRange(0, int64(maxSize)).Sign(testCreds, "us-east-1", testNow)
		if err != nil {
			t.Fatal(err)
		}
		fields := []field{{"key", key}, {"Content-Type", contentType}}
		for _, n := range sortedKeys(fm.Fields) {
			if n != "key" && n != "Content-Type" {
				fields = append(fields, field{n, fm.Fields[n]})
			}
		}
		if extraName != "" {
			fields = append(fields, field{extraName, extraValue})
		}
		body, ct := multipartBody(fields, "f.txt", file)
		_, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Skip()
		}
		u, err := verifierFor(testCreds).Verify(t.Context(), "b", bytes.NewReader(body), params["boundary"])
		var data []byte
		if err == nil {
			data, err = io.ReadAll(u.File)
		}

		// The oracle. A field named "file" is the file, as in S3: what
		// follows it is ignored.
		lowerExtra := strings.ToLower(extraName)
		if lowerExtra == "file" {
			file, extraName = []byte(extraValue), ""
		}
		want := key != "" && strings.HasPrefix(key, "u/") && len(file) <= int(maxSize)
		if strings.Contains(contentType, ",") {
			for part := range strings.SplitSeq(contentType, ",") {
				want = want && strings.HasPrefix(strings.TrimSpace(part), "text/")
			}
		} else {
			want = want && strings.HasPrefix(contentType, "text/")
		}
		if extraName != "" && !strings.HasPrefix(lowerExtra, "x-ignore-") {
			want = false // uncovered, or a duplicate of a signed field
		}
		if !validFieldName(extraName) {
			return // the multipart writer may mangle such a name
		}
		if got := err == nil; got != want {
			t.Fatalf("accepted=%v, want %v (err %v)", got, want, err)
		}
		if err == nil && !bytes.Equal(data, file) {
			t.Fatalf("file changed")
		}
	})
}

// validFieldName reports whether a name survives multipart encoding as is.
func validFieldName(s string) bool {
	for _, r := range s {
		if r < 0x21 || r > 0x7e || r == '"' || r == '\\' || r == ';' || r == '=' {
			return false
		}
	}
	return true
}
