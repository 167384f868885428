package policy_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/policy"
)

var (
	testExp   = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	testNow   = time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)
	testCreds = credentials.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
)

// fullPolicy uses every typed method.
func fullPolicy() *policy.Policy {
	return policy.New(testExp).Bucket("photos").KeyStartsWith("uploads/").ContentLengthRange(1, 10<<20).
		ContentTypeStartsWith("image/").SuccessActionStatus(201).SuccessActionRedirect("https://example.com/done?x=1&y=2").
		ACL("private").CacheControl("max-age=60").ContentDisposition(`attachment; filename="a.jpg"`).ContentEncoding("gzip").
		Expires(time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)).Meta("uuid", "14365123651274").MetaStartsWith("tag", "").
		ServerSideEncryption("aws:kms").ServerSideEncryptionKMSKeyID("arn:aws:kms:us-east-1:111122223333:key/abc").
		StorageClass("STANDARD_IA").Checksum("sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=").
		Tagging(policy.Tag{Key: "team", Value: "a&b"}).Condition(policy.Eq, "$x-amz-website-redirect-location", "/other")
}

const fullJSON = `{"expiration":"2026-12-01T12:00:00.000Z","conditions":[` +
	`{"bucket":"photos"},` +
	`["starts-with","$key","uploads/"],` +
	`["content-length-range",1,10485760],` +
	`["starts-with","$Content-Type","image/"],` +
	`{"success_action_status":"201"},` +
	`{"success_action_redirect":"https://example.com/done?x=1\u0026y=2"},` +
	`{"acl":"private"},` +
	`{"Cache-Control":"max-age=60"},` +
	`{"Content-Disposition":"attachment; filename=\"a.jpg\""},` +
	`{"Content-Encoding":"gzip"},` +
	`{"Expires":"Sat, 02 Jan 2027 03:04:05 GMT"},` +
	`{"x-amz-meta-uuid":"14365123651274"},` +
	`["starts-with","$x-amz-meta-tag",""],` +
	`{"x-amz-server-side-encryption":"aws:kms"},` +
	`{"x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:us-east-1:111122223333:key/abc"},` +
	`{"x-amz-storage-class":"STANDARD_IA"},` +
	`{"x-amz-checksum-sha256":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},` +
	`{"tagging":"\u003cTagging\u003e\u003cTagSet\u003e\u003cTag\u003e\u003cKey\u003eteam\u003c/Key\u003e\u003cValue\u003ea\u0026amp;b\u003c/Value\u003e\u003c/Tag\u003e\u003c/TagSet\u003e\u003c/Tagging\u003e"},` +
	`{"x-amz-website-redirect-location":"/other"}]}`

func TestJSONGolden(t *testing.T) {
	got, err := fullPolicy().JSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != fullJSON {
		t.Errorf("JSON:\n got %s\nwant %s", got, fullJSON)
	}
	if !json.Valid(got) {
		t.Error("not valid JSON")
	}
}

func TestByteStable(t *testing.T) {
	a, _ := fullPolicy().JSON()
	for range 20 {
		b, _ := fullPolicy().JSON()
		if !bytes.Equal(a, b) {
			t.Fatalf("JSON differs between builds:\n%s\n%s", a, b)
		}
	}
	p := fullPolicy()
	f1, err := p.Sign(testCreds, "us-east-1", testNow)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		f2, err := p.Sign(testCreds, "us-east-1", testNow)
		if err != nil {
			t.Fatal(err)
		}
		if f1.Fields["policy"] != f2.Fields["policy"] || f1.Fields["x-amz-signature"] != f2.Fields["x-amz-signature"] {
			t.Fatal("Sign is not deterministic")
		}
	}
	// Sign does not modify the policy.
	b, _ := p.JSON()
	if !bytes.Equal(a, b) {
		t.Error("Sign modified the policy")
	}
}

// TestEachCondition checks each builder method's JSON condition and form
// field.
func TestEachCondition(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i)
	}
	tests := []struct {
		name   string
		build  func(*policy.Policy) *policy.Policy
		json   string            // the added conditions
		fields map[string]string // the added form fields
	}{
		{"Key", func(p *policy.Policy) *policy.Policy { return p.Key("a/b.txt") },
			`{"key":"a/b.txt"}`, map[string]string{"key": "a/b.txt"}},
		{"KeyFilename", func(p *policy.Policy) *policy.Policy { return p.Key("u/${filename}") },
			`{"key":"u/${filename}"}`, map[string]string{"key": "u/${filename}"}},
		{"KeyStartsWith", func(p *policy.Policy) *policy.Policy { return p.KeyStartsWith("u/") },
			`["starts-with","$key","u/"]`, map[string]string{"key": "u/${filename}"}},
		{"ContentLengthRange", func(p *policy.Policy) *policy.Policy { return p.Key("k").ContentLengthRange(0, 5) },
			`{"key":"k"},["content-length-range",0,5]`, map[string]string{"key": "k"}},
		{"ContentType", func(p *policy.Policy) *policy.Policy { return p.Key("k").ContentType("text/plain") },
			`{"key":"k"},{"Content-Type":"text/plain"}`, map[string]string{"key": "k", "Content-Type": "text/plain"}},
		{"ContentTypeStartsWith", func(p *policy.Policy) *policy.Policy { return p.Key("k").ContentTypeStartsWith("image/") },
			`{"key":"k"},["starts-with","$Content-Type","image/"]`, map[string]string{"key": "k", "Content-Type": "image/"}},
		{"SuccessActionStatus", func(p *policy.Policy) *policy.Policy { return p.Key("k").SuccessActionStatus(200) },
			`{"key":"k"},{"success_action_status":"200"}`, map[string]string{"key": "k", "success_action_status": "200"}},
		{"SuccessActionRedirect", func(p *policy.Policy) *policy.Policy { return p.Key("k").SuccessActionRedirect("http://h/ok") },
			`{"key":"k"},{"success_action_redirect":"http://h/ok"}`, map[string]string{"key": "k", "success_action_redirect": "http://h/ok"}},
		{"ACL", func(p *policy.Policy) *policy.Policy { return p.Key("k").ACL("public-read") },
			`{"key":"k"},{"acl":"public-read"}`, map[string]string{"key": "k", "acl": "public-read"}},
		{"CacheControl", func(p *policy.Policy) *policy.Policy { return p.Key("k").CacheControl("no-cache") },
			`{"key":"k"},{"Cache-Control":"no-cache"}`, map[string]string{"key": "k", "Cache-Control": "no-cache"}},
		{"ContentDisposition", func(p *policy.Policy) *policy.Policy { return p.Key("k").ContentDisposition("inline") },
			`{"key":"k"},{"Content-Disposition":"inline"}`, map[string]string{"key": "k", "Content-Disposition": "inline"}},
		{"ContentEncoding", func(p *policy.Policy) *policy.Policy { return p.Key("k").ContentEncoding("br") },
			`{"key":"k"},{"Content-Encoding":"br"}`, map[string]string{"key": "k", "Content-Encoding": "br"}},
		{"Expires", func(p *policy.Policy) *policy.Policy {
			return p.Key("k").Expires(time.Date(2027, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)))
		}, `{"key":"k"},{"Expires":"Sat, 02 Jan 2027 02:04:05 GMT"}`, map[string]string{"key": "k", "Expires": "Sat, 02 Jan 2027 02:04:05 GMT"}},
		{"Meta", func(p *policy.Policy) *policy.Policy { return p.Key("k").Meta("uuid", "42") },
			`{"key":"k"},{"x-amz-meta-uuid":"42"}`, map[string]string{"key": "k", "x-amz-meta-uuid": "42"}},
		{"MetaStartsWith", func(p *policy.Policy) *policy.Policy { return p.Key("k").MetaStartsWith("tag", "t-") },
			`{"key":"k"},["starts-with","$x-amz-meta-tag","t-"]`, map[string]string{"key": "k", "x-amz-meta-tag": "t-"}},
		{"ServerSideEncryption", func(p *policy.Policy) *policy.Policy { return p.Key("k").ServerSideEncryption("AES256") },
			`{"key":"k"},{"x-amz-server-side-encryption":"AES256"}`, map[string]string{"key": "k", "x-amz-server-side-encryption": "AES256"}},
		{"ServerSideEncryptionKMSKeyID", func(p *policy.Policy) *policy.Policy {
			return p.Key("k").ServerSideEncryption("aws:kms").ServerSideEncryptionKMSKeyID("kid")
		}, `{"key":"k"},{"x-amz-server-side-encryption":"aws:kms"},{"x-amz-server-side-encryption-aws-kms-key-id":"kid"}`,
			map[string]string{"key": "k", "x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": "kid"}},
		{"ServerSideEncryptionCustomerKey", func(p *policy.Policy) *policy.Policy { return p.Key("k").ServerSideEncryptionCustomerKey(key) },
			`{"key":"k"},{"x-amz-server-side-encryption-customer-algorithm":"AES256"},` +
				`{"x-amz-server-side-encryption-customer-key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},` +
				`{"x-amz-server-side-encryption-customer-key-MD5":"tP/LI3N87DFaSk0aoqYgzg=="}`,
			map[string]string{"key": "k", "x-amz-server-side-encryption-customer-algorithm": "AES256",
				"x-amz-server-side-encryption-customer-key":     "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
				"x-amz-server-side-encryption-customer-key-MD5": "tP/LI3N87DFaSk0aoqYgzg=="}},
		{"StorageClass", func(p *policy.Policy) *policy.Policy { return p.Key("k").StorageClass("GLACIER_IR") },
			`{"key":"k"},{"x-amz-storage-class":"GLACIER_IR"}`, map[string]string{"key": "k", "x-amz-storage-class": "GLACIER_IR"}},
		{"Checksum", func(p *policy.Policy) *policy.Policy { return p.Key("k").Checksum("CRC32", "AAAAAA==") },
			`{"key":"k"},{"x-amz-checksum-crc32":"AAAAAA=="}`, map[string]string{"key": "k", "x-amz-checksum-crc32": "AAAAAA=="}},
		{"Tagging", func(p *policy.Policy) *policy.Policy {
			return p.Key("k").Tagging(policy.Tag{Key: "a", Value: "1"}, policy.Tag{Key: "b", Value: ""})
		}, `{"key":"k"},{"tagging":"\u003cTagging\u003e\u003cTagSet\u003e\u003cTag\u003e\u003cKey\u003ea\u003c/Key\u003e\u003cValue\u003e1\u003c/Value\u003e\u003c/Tag\u003e\u003cTag\u003e\u003cKey\u003eb\u003c/Key\u003e\u003cValue\u003e\u003c/Value\u003e\u003c/Tag\u003e\u003c/TagSet\u003e\u003c/Tagging\u003e"}`,
			map[string]string{"key": "k", "tagging": "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value></Value></Tag></TagSet></Tagging>"}},
		{"ConditionEq", func(p *policy.Policy) *policy.Policy {
			return p.Key("k").Condition(policy.Eq, "Content-Language", "de")
		},
			`{"key":"k"},{"Content-Language":"de"}`, map[string]string{"key": "k", "Content-Language": "de"}},
		{"ConditionStartsWith", func(p *policy.Policy) *policy.Policy {
			return p.Key("k").Condition(policy.StartsWith, "$x-amz-website-redirect-location", "/")
		}, `{"key":"k"},["starts-with","$x-amz-website-redirect-location","/"]`,
			map[string]string{"key": "k", "x-amz-website-redirect-location": "/"}},
		{"EqAndStartsWith", func(p *policy.Policy) *policy.Policy { return p.KeyStartsWith("u/").Key("u/x") },
			`["starts-with","$key","u/"],{"key":"u/x"}`, map[string]string{"key": "u/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.build(policy.New(testExp).Bucket("b"))
			got, err := p.JSON()
			if err != nil {
				t.Fatal(err)
			}
			want := `{"expiration":"2026-12-01T12:00:00.000Z","conditions":[{"bucket":"b"},` + tt.json + `]}`
			if string(got) != want {
				t.Errorf("JSON:\n got %s\nwant %s", got, want)
			}
			f, err := p.Sign(testCreds, "us-east-1", testNow)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.fields {
				if f.Fields[k] != v {
					t.Errorf("Fields[%q] = %q, want %q", k, f.Fields[k], v)
				}
			}
			if n := len(f.Fields) - len(tt.fields); n != 5 { // policy, algorithm, credential, date, signature
				t.Errorf("form has %d fields, want %d: %v", len(f.Fields), len(tt.fields)+5, f.Fields)
			}
			// The verifier accepts the form as signed (with a file that
			// satisfies any size range).
			if _, err := verifierFor(testCreds).VerifyFields(t.Context(), "b", f.Fields, "x.jpg", 1); err != nil {
				t.Errorf("VerifyFields: %v", err)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	p0 := func() *policy.Policy { return policy.New(testExp).Bucket("b") }
	tests := []struct {
		name string
		p    *policy.Policy
		want error
		msg  string
	}{
		{"zero expiration", policy.New(time.Time{}).Bucket("b").Key("k"), policy.ErrExpired, "zero expiration"},
		{"min > max", p0().Key("k").ContentLengthRange(10, 5), policy.ErrInvalidCondition, "minimum 10 is greater than maximum 5"},
		{"negative min", p0().Key("k").ContentLengthRange(-1, 5), policy.ErrInvalidCondition, "negative minimum"},
		{"starts-with on bucket", p0().Key("k").Condition(policy.StartsWith, "$bucket", "b"), policy.ErrInvalidCondition, "starts-with on $bucket"},
		{"empty key", p0().Key(""), policy.ErrInvalidCondition, "empty key"},
		{"empty key generic", p0().Condition(policy.Eq, "key", ""), policy.ErrInvalidCondition, "empty key"},
		{"long key", p0().Key(strings.Repeat("k", 1025)), policy.ErrInvalidCondition, "longer than 1024"},
		{"unknown operator", p0().Key("k").Condition("ends-with", "$key", "x"), policy.ErrInvalidCondition, `unknown operator "ends-with"`},
		{"empty bucket", policy.New(testExp).Bucket(""), policy.ErrInvalidCondition, "empty bucket"},
		{"bad status", p0().Key("k").SuccessActionStatus(302), policy.ErrInvalidCondition, "not 200, 201 or 204"},
		{"bad redirect", p0().Key("k").SuccessActionRedirect("/relative"), policy.ErrInvalidCondition, "absolute"},
		{"bad acl", p0().Key("k").ACL("everyone"), policy.ErrInvalidCondition, "unknown canned ACL"},
		{"bad sse", p0().Key("k").ServerSideEncryption("rot13"), policy.ErrInvalidCondition, "unknown algorithm"},
		{"bad sse-c", p0().Key("k").ServerSideEncryptionCustomerKey([]byte("short")), policy.ErrInvalidCondition, "not 32"},
		{"bad storage class", p0().Key("k").StorageClass("cold storage"), policy.ErrInvalidCondition, "invalid storage class"},
		{"bad checksum alg", p0().Key("k").Checksum("md4", "AAAA"), policy.ErrInvalidCondition, "unknown algorithm"},
		{"bad checksum value", p0().Key("k").Checksum("sha256", "AAAAAA=="), policy.ErrInvalidCondition, "32-byte"},
		{"empty tag key", p0().Key("k").Tagging(policy.Tag{Value: "v"}), policy.ErrInvalidCondition, "empty tag key"},
		{"bad meta name", p0().Key("k").Meta("a b", "v"), policy.ErrInvalidCondition, "field name"},
		{"empty meta name", p0().Key("k").Meta("", "v"), policy.ErrInvalidCondition, "empty metadata name"},
		{"header injection", p0().Key("k").ContentType("text/plain\r\nX-Evil: 1"), policy.ErrInvalidCondition, "CR, LF or NUL"},
		{"invalid utf-8", p0().Key("k\xff"), policy.ErrInvalidCondition, "not valid UTF-8"},
		{"bad field name", p0().Key("k").Condition(policy.Eq, `a"b`, "v"), policy.ErrInvalidCondition, "field name"},
		{"reserved field", p0().Key("k").Condition(policy.Eq, "x-amz-date", "x"), policy.ErrInvalidCondition, "Sign adds it"},
		{"reserved policy", p0().Key("k").Condition(policy.Eq, "Policy", "x"), policy.ErrInvalidCondition, "not a condition"},
		{"conflicting eq", p0().Key("a").Key("b"), policy.ErrInvalidCondition, `"key" must equal both "a" and "b"`},
		{"conflicting eq starts-with", p0().Key("a/x").KeyStartsWith("b/"), policy.ErrInvalidCondition, `cannot equal "a/x" and start with "b/"`},
		{"conflict case-insensitive", p0().Key("k").ContentType("a/b").Condition(policy.Eq, "content-type", "c/d"), policy.ErrInvalidCondition, "must equal both"},
		{"first error kept", p0().Key("").Key("k").ACL("nope"), policy.ErrInvalidCondition, "empty key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for what, err := range map[string]error{
				"Err": tt.p.Err(),
				"JSON": func() error {
					_, err := tt.p.JSON()
					return err
				}(),
				"Sign": func() error {
					_, err := tt.p.Sign(testCreds, "us-east-1", testNow)
					return err
				}(),
			} {
				if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
					t.Errorf("%s: error %v, want %v containing %q", what, err, tt.want, tt.msg)
				}
				if err != nil && !strings.HasPrefix(err.Error(), "policy: ") {
					t.Errorf("%s: error %q lacks the package prefix", what, err)
				}
			}
		})
	}
}

func TestSignErrors(t *testing.T) {
	ok := func() *policy.Policy { return policy.New(testExp).Bucket("b").Key("k") }
	tests := []struct {
		name   string
		p      *policy.Policy
		creds  credentials.Credentials
		region string
		now    time.Time
		want   error
	}{
		{"no bucket", policy.New(testExp).Key("k"), testCreds, "us-east-1", testNow, policy.ErrMissingCondition},
		{"no key", policy.New(testExp).Bucket("b"), testCreds, "us-east-1", testNow, policy.ErrMissingCondition},
		{"expired", ok(), testCreds, "us-east-1", testExp.Add(time.Second), policy.ErrExpired},
		{"expires now", ok(), testCreds, "us-east-1", testExp, policy.ErrExpired},
		{"no secret", ok(), credentials.Credentials{AccessKeyID: "A"}, "us-east-1", testNow, policy.ErrInvalidCredentials},
		{"slash in key id", ok(), credentials.Credentials{AccessKeyID: "A/B", SecretAccessKey: "s"}, "us-east-1", testNow, policy.ErrInvalidCredentials},
		{"no region", ok(), testCreds, "", testNow, policy.ErrInvalidCredentials},
		{"expired credentials", ok(), credentials.Credentials{AccessKeyID: "A", SecretAccessKey: "s", Expires: testNow}, "us-east-1", testNow, policy.ErrInvalidCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.p.Sign(tt.creds, tt.region, tt.now); !errors.Is(err, tt.want) {
				t.Errorf("Sign: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSignFields(t *testing.T) {
	creds := testCreds
	creds.SessionToken = "token/+="
	creds.Expires = testNow.Add(10 * time.Minute)
	f, err := policy.New(testExp).Bucket("b").Key("k").Sign(creds, "eu-west-1", testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"key":                  "k",
		"x-amz-algorithm":      "AWS4-HMAC-SHA256",
		"x-amz-credential":     "AKIDEXAMPLE/20261201/eu-west-1/s3/aws4_request",
		"x-amz-date":           "20261201T110000Z",
		"x-amz-security-token": "token/+=",
	}
	for k, v := range want {
		if f.Fields[k] != v {
			t.Errorf("Fields[%q] = %q, want %q", k, f.Fields[k], v)
		}
	}
	// The credentials expire first: the policy says so.
	if !f.Expires.Equal(creds.Expires) {
		t.Errorf("Expires = %v, want %v", f.Expires, creds.Expires)
	}
	doc, _ := base64.StdEncoding.DecodeString(f.Fields["policy"])
	wantDoc := `{"expiration":"2026-12-01T11:10:00.000Z","conditions":[{"bucket":"b"},{"key":"k"},` +
		`{"x-amz-algorithm":"AWS4-HMAC-SHA256"},{"x-amz-credential":"AKIDEXAMPLE/20261201/eu-west-1/s3/aws4_request"},` +
		`{"x-amz-date":"20261201T110000Z"},{"x-amz-security-token":"token/+="}]}`
	if string(doc) != wantDoc {
		t.Errorf("policy:\n got %s\nwant %s", doc, wantDoc)
	}
	if len(f.Fields["x-amz-signature"]) != 64 {
		t.Errorf("signature %q", f.Fields["x-amz-signature"])
	}
}

// injections are keys and values that would break out of a JSON string, an
// HTML attribute or a <script> block if they were not escaped.
var injections = []string{
	`a"b`,
	`a\b`,
	`x"]},{"bucket":"evil`,
	`x"],["starts-with","$key","`,
	"line\nbreak\r\ttab\x00nul\x1f\x7f",
	`</script><script>alert(1)</script>`,
	`<!--`,
	"\u2028\u2029",
	`&amp;&lt;`,
	"${filename}",
	`'single'`,
	"日本語🙂",
}

func TestInjection(t *testing.T) {
	for _, s := range injections {
		p := policy.New(testExp).Bucket(s).Key(s).Meta("m", "v").
			Condition(policy.StartsWith, "x-ignore-me", s)
		doc, err := p.JSON()
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if !json.Valid(doc) {
			t.Fatalf("%q: invalid JSON %s", s, doc)
		}
		for _, bad := range []string{"<", ">", "\n", "\u2028"} {
			if bytes.Contains(doc, []byte(bad)) {
				t.Errorf("%q: JSON contains %q unescaped: %s", s, bad, doc)
			}
		}
		// The document decodes to exactly the conditions that were added.
		var d struct {
			Expiration string
			Conditions []any
		}
		if err := json.Unmarshal(doc, &d); err != nil {
			t.Fatal(err)
		}
		if len(d.Conditions) != 4 {
			t.Fatalf("%q: %d conditions, want 4: %s", s, len(d.Conditions), doc)
		}
		if got := d.Conditions[0].(map[string]any)["bucket"]; got != s {
			t.Errorf("bucket = %q, want %q", got, s)
		}
		if got := d.Conditions[1].(map[string]any)["key"]; got != s {
			t.Errorf("key = %q, want %q", got, s)
		}
		if got := d.Conditions[3].([]any)[2]; got != s {
			t.Errorf("starts-with value = %q, want %q", got, s)
		}
		// The signed form verifies, and an HTML rendering keeps it inert.
		f, err := p.Sign(testCreds, "us-east-1", testNow)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := verifierFor(testCreds).VerifyFields(t.Context(), s, f.Fields, "f", 0); err != nil {
			t.Errorf("%q: VerifyFields: %v", s, err)
		}
		h := f.HTML("https://example.com/" + s)
		if strings.Contains(h, "<script") || strings.Contains(h, `"evil`) {
			t.Errorf("%q: HTML not escaped:\n%s", s, h)
		}
	}
}

func TestHTML(t *testing.T) {
	f := &policy.Form{Fields: map[string]string{"key": `a"><script>x</script>`, "acl": "private"}}
	got := f.HTML(`https://h/b?x="y"`)
	want := `<form action="https://h/b?x=&#34;y&#34;" method="post" enctype="multipart/form-data">
  <input type="hidden" name="acl" value="private">
  <input type="hidden" name="key" value="a&#34;&gt;&lt;script&gt;x&lt;/script&gt;">
  <input type="file" name="file">
  <input type="submit" value="Upload">
</form>
`
	if got != want {
		t.Errorf("HTML:\n%s\nwant\n%s", got, want)
	}
}

// TestHTMLStartsWith checks that a starts-with condition is never rendered
// as a fixed value: ContentTypeStartsWith("image/") once gave a hidden
// Content-Type of "image/", which S3 stores as the object's type.
func TestHTMLStartsWith(t *testing.T) {
	for _, tc := range []struct {
		name       string
		p          *policy.Policy
		startsWith map[string]string
		want, not  []string
	}{
		{
			name:       "content type prefix",
			p:          policy.New(testNow.Add(time.Hour)).Bucket("photos").KeyStartsWith("u/").ContentTypeStartsWith("image/"),
			startsWith: map[string]string{"Content-Type": "image/"},
			want: []string{
				`<input type="hidden" name="Content-Type" value="">`,
				`<input type="file" name="file" accept="image/*" required>`,
				`})(document.currentScript.closest("form"), "Content-Type", "image/");`,
				`<input type="hidden" name="key" value="u/${filename}">`,
			},
			not: []string{`value="image/"`},
		},
		{
			name:       "any content type",
			p:          policy.New(testNow.Add(time.Hour)).Bucket("photos").Key("k").ContentTypeStartsWith(""),
			startsWith: map[string]string{"Content-Type": ""},
			want:       []string{`<input type="hidden" name="Content-Type" value="">`, `<input type="file" name="file" required>`, `"Content-Type", "");`},
		},
		{
			name:       "prefix that is not a top-level type",
			p:          policy.New(testNow.Add(time.Hour)).Bucket("photos").Key("k").ContentTypeStartsWith("image/pn"),
			startsWith: map[string]string{"Content-Type": "image/pn"},
			want:       []string{`<input type="file" name="file" required>`, `"Content-Type", "image/pn");`},
			not:        []string{`accept=`, `value="image/pn"`},
		},
		{
			name:       "equality wins over the prefix",
			p:          policy.New(testNow.Add(time.Hour)).Bucket("photos").Key("k").ContentTypeStartsWith("image/").ContentType("image/png"),
			startsWith: nil,
			want:       []string{`<input type="hidden" name="Content-Type" value="image/png">`, `<input type="file" name="file">`},
			not:        []string{"<script>"},
		},
		{
			name:       "other prefixes are for the user to complete",
			p:          policy.New(testNow.Add(time.Hour)).Bucket("photos").Key("k").MetaStartsWith("album", "2026-"),
			startsWith: map[string]string{"x-amz-meta-album": "2026-"},
			want:       []string{`<label>x-amz-meta-album <input type="text" name="x-amz-meta-album" value="2026-" required></label>` + "\n" + `  <input type="file" name="file">`},
			not:        []string{`type="hidden" name="x-amz-meta-album"`, "<script>"},
		},
		{
			name:       "script-breaking prefix stays inert",
			p:          policy.New(testNow.Add(time.Hour)).Bucket("photos").Key("k").Condition(policy.StartsWith, "content-type", `x/</script><b>`),
			startsWith: map[string]string{"content-type": `x/</script><b>`},
			want:       []string{`"content-type", "x/\u003c/script\u003e\u003cb\u003e");`},
			not:        []string{"</script><b>"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.p.Sign(testCreds, "us-east-1", testNow)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(f.StartsWith, tc.startsWith) {
				t.Errorf("StartsWith = %v, want %v", f.StartsWith, tc.startsWith)
			}
			h := f.HTML("https://photos.s3.us-east-1.amazonaws.com/")
			for _, w := range tc.want {
				if !strings.Contains(h, w) {
					t.Errorf("HTML lacks %s:\n%s", w, h)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(h, n) {
					t.Errorf("HTML has %s:\n%s", n, h)
				}
			}
			if i, j := strings.Index(h, `name="file"`), strings.LastIndex(h, `name="`); i != j {
				t.Errorf("the file input is not the last field:\n%s", h)
			}
			// The fields still verify once the page completes them.
			fields := maps.Clone(f.Fields)
			for name, prefix := range f.StartsWith {
				fields[name] = prefix + "png"
			}
			if _, err := verifierFor(testCreds).VerifyFields(t.Context(), "photos", fields, "f.png", 1); err != nil {
				t.Errorf("VerifyFields of the completed form: %v", err)
			}
		})
	}
}

func TestURLs(t *testing.T) {
	for _, tt := range []struct{ region, bucket, want string }{
		{"us-east-1", "photos", "https://photos.s3.us-east-1.amazonaws.com/"},
		{"eu-west-1", "my.bucket", "https://s3.eu-west-1.amazonaws.com/my.bucket"},
		{"eu-west-1", "Upper", "https://s3.eu-west-1.amazonaws.com/Upper"},
	} {
		if got := policy.BucketURL(tt.region, tt.bucket); got != tt.want {
			t.Errorf("BucketURL(%q, %q) = %q, want %q", tt.region, tt.bucket, got, tt.want)
		}
	}
	for _, tt := range []struct{ endpoint, bucket, want string }{
		{"http://127.0.0.1:7070", "b", "http://127.0.0.1:7070/b"},
		{"http://127.0.0.1:7070/", "b", "http://127.0.0.1:7070/b"},
		{"https://minio.example/s3/", "b", "https://minio.example/s3/b"},
	} {
		got, err := policy.PathStyleURL(tt.endpoint, tt.bucket)
		if err != nil || got != tt.want {
			t.Errorf("PathStyleURL(%q, %q) = %q, %v, want %q", tt.endpoint, tt.bucket, got, err, tt.want)
		}
	}
	for _, bad := range [][2]string{{"127.0.0.1:7070", "b"}, {"ftp://h", "b"}, {"http://h", ""}} {
		if _, err := policy.PathStyleURL(bad[0], bad[1]); err == nil {
			t.Errorf("PathStyleURL(%q, %q): no error", bad[0], bad[1])
		}
	}
}
