package policy_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/policy"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// verifierFor returns a verifier that knows creds, at testNow.
func verifierFor(creds credentials.Credentials) *policy.Verifier {
	return &policy.Verifier{
		Lookup: func(_ context.Context, id string) (credentials.Credentials, error) {
			if id == creds.AccessKeyID {
				return creds, nil
			}
			return credentials.Credentials{}, errors.New("no such key")
		},
		Region: "us-east-1",
		Now:    func() time.Time { return testNow },
	}
}

// field is one form field, in order.
type field struct{ name, value string }

// multipartBody encodes fields, then the file part when file is not nil.
func multipartBody(fields []field, filename string, file []byte) (body []byte, contentType string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		w.WriteField(f.name, f.value)
	}
	if file != nil {
		fw, _ := w.CreateFormFile("file", filename)
		fw.Write(file)
	}
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

// formFields orders a form's fields: key first, then the rest sorted.
func formFields(f *policy.Form) []field {
	out := []field{{"key", f.Fields["key"]}}
	for _, k := range sortedKeys(f.Fields) {
		if k != "key" {
			out = append(out, field{k, f.Fields[k]})
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

// verifyBody runs Verify on a multipart body and reads the whole file.
func verifyBody(v *policy.Verifier, bucket string, fields []field, filename string, file []byte) (*policy.Upload, []byte, error) {
	body, ct := multipartBody(fields, filename, file)
	req := httptest.NewRequest(http.MethodPost, "http://s3.test/"+bucket, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	u, err := v.VerifyRequest(req, bucket)
	if err != nil {
		return nil, nil, err
	}
	got, err := io.ReadAll(u.File)
	return u, got, err
}

func authCode(err error) string {
	var ae *sigv4.AuthError
	if errors.As(err, &ae) {
		return ae.Code
	}
	if err == nil {
		return ""
	}
	return "not an AuthError: " + err.Error()
}

// TestAWSExample verifies the worked example of the S3 documentation
// ("Example: Browser-Based Upload using HTTP POST (Using AWS Signature
// Version 4)"), whose policy, base64 and signature AWS published.
func TestAWSExample(t *testing.T) {
	const (
		b64 = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9"
		sig = "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"
	)
	fields := []field{
		{"key", "user/user1/${filename}"},
		{"acl", "public-read"},
		{"success_action_redirect", "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html"},
		{"Content-Type", "image/jpeg"},
		{"x-amz-meta-uuid", "14365123651274"},
		{"x-amz-server-side-encryption", "AES256"},
		{"X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},
		{"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
		{"X-Amz-Date", "20151229T000000Z"},
		{"x-amz-meta-tag", ""},
		{"Policy", b64},
		{"X-Amz-Signature", sig},
	}
	v := verifierFor(credentials.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})
	v.Now = func() time.Time { return time.Date(2015, 12, 29, 0, 0, 1, 0, time.UTC) }
	u, got, err := verifyBody(v, "sigv4examplebucket", fields, `C:\photos\cat.jpg`, []byte("meow"))
	if err != nil {
		t.Fatal(err)
	}
	if u.Key != "user/user1/cat.jpg" || string(got) != "meow" || u.Size() != 4 || u.ContentType() != "image/jpeg" {
		t.Errorf("upload %+v, file %q", u, got)
	}
	if m := u.Metadata(); m["uuid"] != "14365123651274" || len(m) != 2 {
		t.Errorf("Metadata = %v", m)
	}

	// One bit off in the signature.
	bad := append([]field(nil), fields...)
	bad[len(bad)-1].value = sig[:63] + "f"
	if _, _, err := verifyBody(v, "sigv4examplebucket", bad, "cat.jpg", []byte("meow")); authCode(err) != sigv4.CodeSignatureDoesNotMatch {
		t.Errorf("tampered signature: %v", err)
	}
	// Another bucket.
	if _, _, err := verifyBody(v, "otherbucket", fields, "cat.jpg", []byte("meow")); authCode(err) != sigv4.CodeAccessDenied {
		t.Errorf("other bucket: %v", err)
	}
	// After the expiration.
	v.Now = func() time.Time { return time.Date(2015, 12, 30, 12, 0, 0, 0, time.UTC) }
	if _, _, err := verifyBody(v, "sigv4examplebucket", fields, "cat.jpg", []byte("meow")); authCode(err) != sigv4.CodeAccessDenied ||
		!strings.Contains(err.Error(), "Policy expired") {
		t.Errorf("expired: %v", err)
	}
}

// signed returns a signed form for a policy on bucket "b".
func signed(t testing.TB, p *policy.Policy) *policy.Form {
	t.Helper()
	f, err := p.Sign(testCreds, "us-east-1", testNow)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestVerify(t *testing.T) {
	base := func() *policy.Policy {
		return policy.New(testExp).Bucket("b").KeyStartsWith("uploads/").ContentLengthRange(2, 10).ContentType("text/plain")
	}
	f := signed(t, base())
	ok := formFields(f)
	with := func(name, value string) []field {
		out := append([]field(nil), ok...)
		for i := range out {
			if out[i].name == name {
				out[i].value = value
				return out
			}
		}
		return append(out, field{name, value})
	}
	without := func(name string) []field {
		var out []field
		for _, f := range ok {
			if f.name != name {
				out = append(out, f)
			}
		}
		return out
	}
	renamed := func(name, to string) []field {
		out := append([]field(nil), ok...)
		for i := range out {
			if out[i].name == name {
				out[i].name = to
			}
		}
		return out
	}
	v := verifierFor(testCreds)

	tests := []struct {
		name     string
		bucket   string
		fields   []field
		file     []byte
		v        *policy.Verifier
		wantCode string
		wantMsg  string
	}{
		{"ok", "b", ok, []byte("hello"), v, "", ""},
		{"ok min", "b", ok, []byte("he"), v, "", ""},
		{"ok max", "b", ok, []byte("0123456789"), v, "", ""},
		{"x-ignore field", "b", with("x-ignore-anything", "x"), []byte("hi"), v, "", ""},
		{"field names any case", "b", renamed("Content-Type", "CONTENT-TYPE"), []byte("hi"), v, "", ""},
		{"too large", "b", ok, []byte("0123456789A"), v, sigv4.CodeEntityTooLarge, "exceeds the maximum"},
		{"too small", "b", ok, []byte("h"), v, sigv4.CodeEntityTooSmall, "smaller than the minimum"},
		{"key outside prefix", "b", with("key", "other/x"), []byte("hi"), v, sigv4.CodeAccessDenied, `["starts-with","$key","uploads/"]`},
		{"wrong content type", "b", with("Content-Type", "text/html"), []byte("hi"), v, sigv4.CodeAccessDenied, `{"Content-Type":"text/plain"}`},
		{"missing content type", "b", without("Content-Type"), []byte("hi"), v, sigv4.CodeAccessDenied, "Condition failed"},
		{"wrong bucket", "c", ok, []byte("hi"), v, sigv4.CodeAccessDenied, `{"bucket":"b"}`},
		{"extra field", "b", with("acl", "public-read"), []byte("hi"), v, sigv4.CodeAccessDenied, "Extra input fields: acl"},
		{"tampered signature", "b", with("x-amz-signature", strings.Repeat("0", 64)), []byte("hi"), v, sigv4.CodeSignatureDoesNotMatch, ""},
		{"upper-case signature", "b", with("x-amz-signature", strings.ToUpper(f.Fields["x-amz-signature"])), []byte("hi"), v, sigv4.CodeSignatureDoesNotMatch, ""},
		{"tampered policy", "b", with("policy", f.Fields["policy"][:10]+"A"+f.Fields["policy"][11:]), []byte("hi"), v, sigv4.CodeSignatureDoesNotMatch, ""},
		{"unknown key", "b", with("x-amz-credential", strings.Replace(f.Fields["x-amz-credential"], "AKIDEXAMPLE", "AKIDOTHER", 1)), []byte("hi"), v, sigv4.CodeInvalidAccessKeyID, ""},
		{"wrong region", "b", with("x-amz-credential", strings.Replace(f.Fields["x-amz-credential"], "us-east-1", "eu-west-1", 1)), []byte("hi"), v, sigv4.CodeInvalidArgument, "region"},
		{"wrong service", "b", with("x-amz-credential", strings.Replace(f.Fields["x-amz-credential"], "/s3/", "/ec2/", 1)), []byte("hi"), v, sigv4.CodeInvalidArgument, "service"},
		{"malformed credential", "b", with("x-amz-credential", "AKIDEXAMPLE"), []byte("hi"), v, sigv4.CodeInvalidArgument, "x-amz-credential"},
		{"date mismatch", "b", with("x-amz-date", "20261202T110000Z"), []byte("hi"), v, sigv4.CodeInvalidArgument, "not the date"},
		{"bad date", "b", with("x-amz-date", "yesterday"), []byte("hi"), v, sigv4.CodeInvalidArgument, "x-amz-date"},
		{"bad algorithm", "b", with("x-amz-algorithm", "AWS4-HMAC-SHA1"), []byte("hi"), v, sigv4.CodeInvalidArgument, "AWS4-HMAC-SHA256"},
		{"no key", "b", without("key"), []byte("hi"), v, sigv4.CodeInvalidArgument, "'key'"},
		{"no signature", "b", without("x-amz-signature"), []byte("hi"), v, sigv4.CodeInvalidArgument, "x-amz-signature"},
		{"no policy", "b", without("policy"), []byte("hi"), v, sigv4.CodeInvalidArgument, "'policy'"},
		{"anonymous", "b", []field{{"key", "uploads/x"}}, []byte("hi"), v, sigv4.CodeAccessDenied, "Anonymous"},
		{"no file", "b", ok, nil, v, policy.CodeIncorrectNumberOfFilesInPostRequest, ""},
		{"duplicate field", "b", append(with("key", "uploads/a"), field{"Key", "uploads/b"}), []byte("hi"), v, sigv4.CodeInvalidArgument, "more than once"},
		{"unexpected token", "b", with("x-amz-security-token", "tok"), []byte("hi"), v, sigv4.CodeInvalidToken, ""},
		{"expired", "b", ok, []byte("hi"), func() *policy.Verifier {
			v := verifierFor(testCreds)
			v.Now = func() time.Time { return testExp }
			return v
		}(), sigv4.CodeAccessDenied, "Policy expired"},
		{"fields too large", "b", with("x-ignore-big", strings.Repeat("x", policy.DefaultMaxFieldBytes)), []byte("hi"), v, policy.CodeMaxPostPreDataLengthExceeded, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, got, err := verifyBody(tt.v, tt.bucket, tt.fields, "f.txt", tt.file)
			if code := authCode(err); code != tt.wantCode || !strings.Contains(fmt.Sprint(err), tt.wantMsg) {
				t.Fatalf("error %v (code %q), want code %q with %q", err, code, tt.wantCode, tt.wantMsg)
			}
			if err == nil && (!bytes.Equal(got, tt.file) || u.Size() != int64(len(tt.file))) {
				t.Errorf("file %q (size %d), want %q", got, u.Size(), tt.file)
			}
		})
	}
}

// TestTooLargeNeverDelivered checks that the file reader stops at the
// maximum: no byte beyond it reaches the caller.
func TestTooLargeNeverDelivered(t *testing.T) {
	f := signed(t, policy.New(testExp).Bucket("b").Key("k").ContentLengthRange(0, 1000))
	body, ct := multipartBody(formFields(f), "f", bytes.Repeat([]byte("x"), 5000))
	req := httptest.NewRequest(http.MethodPost, "http://s3.test/b", bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	u, err := verifierFor(testCreds).VerifyRequest(req, "b")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	buf := make([]byte, 7) // odd reads
	for {
		k, err := u.File.Read(buf)
		n += k
		if err != nil {
			if authCode(err) != sigv4.CodeEntityTooLarge {
				t.Fatalf("err %v", err)
			}
			break
		}
	}
	if n != 1000 {
		t.Errorf("delivered %d bytes, want exactly 1000", n)
	}
	if _, err := u.File.Read(buf); authCode(err) != sigv4.CodeEntityTooLarge {
		t.Errorf("error not sticky: %v", err)
	}
}

// TestStreaming checks that a large file streams without being buffered
// (the body is generated on the fly) and arrives intact.
func TestStreaming(t *testing.T) {
	const size = 64 << 20
	f := signed(t, policy.New(testExp).Bucket("b").Key("big").ContentLengthRange(size, size))
	pr, pw := io.Pipe()
	w := multipart.NewWriter(pw)
	want := sha256.New()
	go func() {
		for _, fl := range formFields(f) {
			w.WriteField(fl.name, fl.value)
		}
		fw, _ := w.CreateFormFile("file", "big.bin")
		chunk := make([]byte, 1<<20)
		for i := 0; i < size/len(chunk); i++ {
			for j := range chunk {
				chunk[j] = byte(i + j)
			}
			want.Write(chunk)
			fw.Write(chunk)
		}
		w.Close()
		pw.Close()
	}()
	u, err := verifierFor(testCreds).Verify(t.Context(), "b", pr, w.Boundary())
	if err != nil {
		t.Fatal(err)
	}
	got := sha256.New()
	if n, err := io.Copy(got, u.File); err != nil || n != size {
		t.Fatalf("copied %d, %v", n, err)
	}
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Error("file differs")
	}
}

func TestVerifyFields(t *testing.T) {
	f := signed(t, policy.New(testExp).Bucket("b").Key("u/${filename}").ContentLengthRange(1, 3))
	v := verifierFor(testCreds)
	u, err := v.VerifyFields(t.Context(), "b", f.Fields, "dir/a.txt", 3)
	if err != nil || u.Key != "u/a.txt" || u.File != nil {
		t.Fatalf("VerifyFields: %+v, %v", u, err)
	}
	if _, err := v.VerifyFields(t.Context(), "b", f.Fields, "a", 4); authCode(err) != sigv4.CodeEntityTooLarge {
		t.Errorf("size 4: %v", err)
	}
	if _, err := v.VerifyFields(t.Context(), "b", f.Fields, "a", 0); authCode(err) != sigv4.CodeEntityTooSmall {
		t.Errorf("size 0: %v", err)
	}
	if _, err := v.VerifyFields(t.Context(), "b", f.Fields, "a", -1); err != nil {
		t.Errorf("unknown size: %v", err)
	}
}

func TestSessionToken(t *testing.T) {
	creds := testCreds
	creds.SessionToken = "the-token"
	f, err := policy.New(testExp).Bucket("b").Key("k").Sign(creds, "us-east-1", testNow)
	if err != nil {
		t.Fatal(err)
	}
	v := verifierFor(creds)
	if _, err := v.VerifyFields(t.Context(), "b", f.Fields, "", 0); err != nil {
		t.Fatalf("with token: %v", err)
	}
	other := creds
	other.SessionToken = "another-token"
	if _, err := verifierFor(other).VerifyFields(t.Context(), "b", f.Fields, "", 0); authCode(err) != sigv4.CodeInvalidToken {
		t.Errorf("other token: %v", err)
	}
	delete(f.Fields, "x-amz-security-token")
	if _, err := v.VerifyFields(t.Context(), "b", f.Fields, "", 0); authCode(err) != sigv4.CodeInvalidToken {
		t.Errorf("no token: %v", err)
	}
	expired := creds
	expired.Expires = testNow
	if _, err := verifierFor(expired).VerifyFields(t.Context(), "b", f.Fields, "", 0); authCode(err) != policy.CodeExpiredToken {
		t.Errorf("expired credentials: %v", err)
	}
}

func TestContentTypeList(t *testing.T) {
	f := signed(t, policy.New(testExp).Bucket("b").Key("k").ContentTypeStartsWith("image/"))
	v := verifierFor(testCreds)
	for ct, ok := range map[string]bool{"image/png": true, "image/png, image/gif": true, "image/png,text/html": false, "text/html": false} {
		f.Fields["Content-Type"] = ct
		_, err := v.VerifyFields(t.Context(), "b", f.Fields, "", 0)
		if (err == nil) != ok {
			t.Errorf("Content-Type %q: %v", ct, err)
		}
	}
}

// TestPolicyDocuments verifies hand-written documents: the forms that other
// tools produce, and malformed ones.
func TestPolicyDocuments(t *testing.T) {
	tests := []struct {
		doc      string
		wantCode string
	}{
		{`{"expiration":"2026-12-01T12:00:00Z","conditions":[["eq","$bucket","b"],["eq","$key","k"],["content-length-range","0","10"]]}`, ""},
		{`{"conditions":[{"bucket":"b"},["starts-with","$key",""]],"expiration":"2026-12-01T12:00:00.123456Z"}`, ""},
		{`{"expiration":"2026-12-01T12:00:00Z","conditions":[["eq","$key","k"],["eq","$x-amz-meta-n",12]]}`, sigv4.CodeAccessDenied}, // x-amz-meta-n missing
		{`{"expiration":"2026-12-01T12:00:00Z","conditions":[]}`, sigv4.CodeAccessDenied},                                            // fields not covered
		{`{"expiration":"2026-12-01T12:00:00Z","conditions":[["ends-with","$key","k"]]}`, policy.CodeInvalidPolicyDocument},
		{`{"expiration":"2026-12-01T12:00:00Z","conditions":[["starts-with","$bucket","b"]]}`, policy.CodeInvalidPolicyDocument},
		{`{"expiration":"2026-12-01T12:00:00Z","conditions":[["content-length-range",10,1]]}`, policy.CodeInvalidPolicyDocument},
		{`{"expiration":"2026-12-01T12:00:00Z","conditions":[["content-length-range",1.5,2]]}`, policy.CodeInvalidPolicyDocument},
		{`{"expiration":"2026-12-01T12:00:00Z","conditions":[{"a":"1","b":"2"}]}`, policy.CodeInvalidPolicyDocument},
		{`{"expiration":"2026-12-01T12:00:00Z","conditions":[{"a":1}]}`, policy.CodeInvalidPolicyDocument},
		{`{"expiration":"2026-12-01T12:00:00Z","conditions":[["eq","key","k"]]}`, policy.CodeInvalidPolicyDocument},
		{`{"expiration":"2026-12-01T12:00:00Z","conditions":[["eq","$key"]]}`, policy.CodeInvalidPolicyDocument},
		{`{"expiration":"2026-12-01T12:00:00Z","conditions":{}}`, policy.CodeInvalidPolicyDocument},
		{`{"expiration":"tomorrow","conditions":[]}`, policy.CodeInvalidPolicyDocument},
		{`{"conditions":[]}`, policy.CodeInvalidPolicyDocument},
		{`{"expiration":"2026-12-01T12:00:00Z"}`, policy.CodeInvalidPolicyDocument},
		{`{"expiration":"2026-12-01T12:00:00Z","conditions":[],"extra":1}`, policy.CodeInvalidPolicyDocument},
		{`{"expiration":"2026-12-01T12:00:00Z","conditions":[],"conditions":[]}`, policy.CodeInvalidPolicyDocument},
		{`{"expiration":"2026-12-01T12:00:00Z","conditions":[]} {}`, policy.CodeInvalidPolicyDocument},
		{`[]`, policy.CodeInvalidPolicyDocument},
		{`{"expiration":"2026-12-01T12:00:00Z","conditions":[{"bucket":"b"},["eq","$key","k"]]}`, ""},
	}
	v := verifierFor(testCreds)
	for _, tt := range tests {
		fields := map[string]string{
			"key":              "k",
			"x-amz-algorithm":  "AWS4-HMAC-SHA256",
			"x-amz-credential": "AKIDEXAMPLE/20261201/us-east-1/s3/aws4_request",
			"x-amz-date":       "20261201T110000Z",
		}
		// Cover the auth fields in the documents that expect success.
		doc := tt.doc
		if tt.wantCode == "" {
			doc = strings.Replace(doc, `"conditions":[`, `"conditions":[{"x-amz-algorithm":"AWS4-HMAC-SHA256"},{"x-amz-credential":"AKIDEXAMPLE/20261201/us-east-1/s3/aws4_request"},{"x-amz-date":"20261201T110000Z"},`, 1)
		}
		fields["policy"] = b64(doc)
		fields["x-amz-signature"] = sign(testCreds.SecretAccessKey, fields["policy"])
		_, err := v.VerifyFields(t.Context(), "b", fields, "", 5)
		if code := authCode(err); code != tt.wantCode {
			t.Errorf("%s: %v, want code %q", doc, err, tt.wantCode)
		}
	}
}

// TestHTTPServer runs the verifier in a small S3-like handler, the way
// examples/objectserver uses it, and posts forms with net/http.
func TestHTTPServer(t *testing.T) {
	stored := map[string][]byte{}
	v := verifierFor(testCreds)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bucket := strings.TrimPrefix(r.URL.Path, "/")
		u, err := v.VerifyRequest(r, bucket)
		if err == nil {
			var data []byte
			if data, err = io.ReadAll(u.File); err == nil {
				stored[u.Bucket+"/"+u.Key] = data
				u.WriteSuccess(w, "http://"+r.Host+"/"+u.Bucket+"/"+u.Key, `"etag"`)
				return
			}
		}
		var ae *sigv4.AuthError
		if !errors.As(err, &ae) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		ae.WriteHTTP(w, r, "req-1")
	}))
	defer srv.Close()
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	post := func(fields []field, file []byte) *http.Response {
		t.Helper()
		body, ct := multipartBody(fields, "photo.txt", file)
		resp, err := client.Post(srv.URL+"/b", ct, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	p := policy.New(testExp).Bucket("b").KeyStartsWith("up/").ContentLengthRange(0, 100)
	if resp := post(formFields(signed(t, p)), []byte("data")); resp.StatusCode != http.StatusNoContent || string(stored["b/up/photo.txt"]) != "data" {
		t.Errorf("default status: %s, stored %q", resp.Status, stored)
	}
	if resp := post(formFields(signed(t, p)), bytes.Repeat([]byte("x"), 101)); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("too large: %s", resp.Status)
	}
	resp := post(formFields(signed(t, policy.New(testExp).Bucket("b").Key("k").SuccessActionStatus(201))), []byte("x"))
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("ETag") != `"etag"` {
		t.Errorf("201: %s %v", resp.Status, resp.Header)
	}
	resp = post(formFields(signed(t, policy.New(testExp).Bucket("b").Key("k").SuccessActionRedirect("https://app.example/done?x=1"))), []byte("x"))
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || loc.Host != "app.example" || loc.Query().Get("key") != "k" || loc.Query().Get("x") != "1" {
		t.Errorf("redirect: %s %v", resp.Status, resp.Header)
	}
	f := signed(t, p)
	f.Fields["x-amz-signature"] = strings.Repeat("a", 64)
	if resp := post(formFields(f), []byte("x")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bad signature: %s", resp.Status)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/b", strings.NewReader("key=k"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := client.Do(req); err != nil || resp.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("urlencoded: %v %v", resp, err)
	}
}
