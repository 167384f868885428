package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// gwEnv has the keys of the versitygw captures in testdata.
func gwEnv(t *testing.T) map[string]string {
	env := baseEnv(t)
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = "AKIDTEST", "secretsecret"
	return env
}

func TestExplainVersitygwHeaderChanged(t *testing.T) {
	runIn(t, baseEnv(t), "", "explain", "--error", "testdata/versitygw-header-changed.xml",
		"--request-file", "testdata/versitygw-header-changed.http", "http://127.0.0.1:44201/").check(t, exitOK,
		[]string{
			"server: SignatureDoesNotMatch: ",
			"canonical request (- server, + sigv4):\n    GET\n    /mybucket/photos/cat.jpg\n",
			"  - x-amz-meta-color:blue\n  + x-amz-meta-color:red\n",
			"first difference: line 7, the canonical header x-amz-meta-color\n",
			`  server: "x-amz-meta-color:blue"`,
			"string to sign (- server, + sigv4):",
		},
		[]string{`sigv4: hint: signed header x-amz-meta-color differs: the server received "blue", the request was signed with "red"`})
	// The raw request alone: the host comes from its Host header.
	runIn(t, baseEnv(t), "", "explain", "--error", "testdata/versitygw-header-changed.xml", "--request-file", "testdata/versitygw-header-changed.http").
		check(t, exitOK, []string{"first difference: line 7, the canonical header x-amz-meta-color\n"}, nil)
	runIn(t, baseEnv(t), "", "explain", "--error", "testdata/versitygw-header-changed.xml", "--request-file", "testdata/README.md").
		check(t, exitError, nil, []string{"sigv4: error: testdata/README.md is not an HTTP request"})
}

func TestExplainVersitygwWrongSecret(t *testing.T) {
	body, err := os.ReadFile("testdata/versitygw-wrong-secret.xml")
	if err != nil {
		t.Fatal(err)
	}
	const u = "http://127.0.0.1:44201/mybucket?list-type=2"
	// With the right keys: the signatures are compared.
	runIn(t, gwEnv(t), string(body), "explain", u).check(t, exitOK,
		[]string{"canonical request: identical (9 lines)", "string to sign: identical", "the canonical request and the string to sign are the server's, byte for byte",
			"signature sent:            74053ef787967f6a1889e7fb6cdacc04f3884157e1d4211e4458a4eb581ce333"},
		[]string{"sigv4: hint: the client signed with another secret access key than your credentials (env) for AKIDTEST"})
	// Without keys: the hint says what is left.
	runIn(t, baseEnv(t), string(body), "explain", u).check(t, exitOK,
		[]string{"canonical request: identical"},
		[]string{"sigv4: hint: so the signing key differs", "sigv4: hint: set the credentials of AKIDTEST"})
	// With the secret the client used: the server's secret is another.
	env := gwEnv(t)
	env["AWS_SECRET_ACCESS_KEY"] = "other"
	runIn(t, env, string(body), "explain", u).check(t, exitOK,
		[]string{"signature: 74053ef787967f6a1889e7fb6cdacc04f3884157e1d4211e4458a4eb581ce333, the one your credentials (env) give"},
		[]string{"sigv4: hint: the server's secret access key for AKIDTEST is not yours"})
}

func TestExplainVersitygwPresigned(t *testing.T) {
	u, err := os.ReadFile("testdata/versitygw-presigned-content-type.url")
	if err != nil {
		t.Fatal(err)
	}
	runIn(t, baseEnv(t), "", "explain", "--error", "testdata/versitygw-presigned-content-type.xml",
		"-X", "PUT", "-H", "Content-Type: image/png", strings.TrimSpace(string(u))).check(t, exitOK,
		[]string{"  - content-type:image/jpeg\n  + content-type:image/png\n", "first difference: line 4, the canonical header content-type"},
		[]string{`sigv4: hint: signed header content-type differs: the server received "image/jpeg"`})
}

// serverError returns the XML error a server would send for a request it
// received as method, rawURL and header, signed at t by AKIDEXAMPLE.
func serverError(t *testing.T, method, rawURL string, header http.Header, service, region string, mutate func(string) string) []byte {
	t.Helper()
	s, err := sigv4.New(sigv4.Config{
		Service: service, Region: region,
		Credentials: credentials.Static("AKIDEXAMPLE", "secret", ""),
		Now:         func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vv := range header {
		req.Header[k] = vv
	}
	tr, err := s.Explain(context.Background(), req, sigv4.UnsignedPayload)
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		tr.CanonicalRequest = mutate(tr.CanonicalRequest)
	}
	e := &sigv4.AuthError{Code: sigv4.CodeSignatureDoesNotMatch, Message: "no match", AccessKeyID: "AKIDEXAMPLE",
		CanonicalRequest: tr.CanonicalRequest, StringToSign: tr.StringToSign}
	return e.XML("/", "REQ")
}

func TestExplainClassicCauses(t *testing.T) {
	const date = "X-Amz-Date: 20261128T120000Z"
	const payload = "X-Amz-Content-Sha256: UNSIGNED-PAYLOAD"
	for _, tc := range []struct {
		name        string
		serverURL   string
		serverHdr   http.Header
		service     string
		args        []string
		first, hint string
		mutate      func(string) string // changes the server's canonical request
	}{
		{"double-encoded path", "http://h.example/b/a%2520b", nil, "s3",
			[]string{"http://h.example/b/a%20b"}, "line 2, the canonical URI", "double-encoded path", nil},
		{"host with port", "http://h.example:8080/b/k", nil, "s3",
			[]string{"http://h.example/b/k"}, "the canonical header host", "host with port", nil},
		{"header whitespace", "http://h.example/b/k", http.Header{"X-Amz-Meta-A": {"x y"}}, "s3",
			[]string{"-H", "x-amz-meta-a: x   y", "http://h.example/b/k"}, "the canonical header x-amz-meta-a", "header whitespace",
			func(s string) string { return strings.Replace(s, "x-amz-meta-a:x y", "x-amz-meta-a:x   y", 1) }},
		{"method", "http://h.example/b/k", nil, "s3",
			[]string{"-X", "HEAD", "http://h.example/b/k"}, "line 1, the method", "a redirect or a client changed the method", nil},
		{"query", "http://h.example/b?a=1&b=2", nil, "s3",
			[]string{"http://h.example/b?a=1&b=3"}, "the canonical query string", "the canonical query differs", nil},
		{"missing header", "http://h.example/b/k", http.Header{"X-Amz-Meta-A": {"1"}}, "s3",
			[]string{"http://h.example/b/k"}, "the canonical header x-amz-meta-a", "pass it with -H", nil},
		{"wrong region", "http://h.example/b/k", nil, "s3",
			[]string{"--region", "eu-west-1", "http://h.example/b/k"}, "line 3, the credential scope", "wrong region", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := serverError(t, "GET", tc.serverURL, tc.serverHdr, tc.service, "us-east-1", tc.mutate)
			args := append([]string{"explain", "-H", date, "-H", payload}, tc.args...)
			r := runIn(t, baseEnv(t), string(body), args...)
			r.check(t, exitOK, []string{tc.first}, []string{tc.hint})
		})
	}
}

func TestExplainErrors(t *testing.T) {
	env := baseEnv(t)
	runIn(t, env, "not xml", "explain", "http://h/").check(t, exitError, nil, []string{"sigv4: error: standard input is not an AWS error body", "sigv4: hint: save the body"})
	runIn(t, env, "", "explain").check(t, exitUsage, nil, []string{"explain needs the request"})
	runIn(t, env, "", "explain", "--error", "testdata/nonexistent.xml", "http://h/").check(t, exitError, nil, []string{"sigv4: error: --error: no such file: testdata/nonexistent.xml", "sigv4: hint: check the path"})
	runIn(t, env, "", "explain", "--error", "-", "--request-file", "-").check(t, exitUsage, nil, []string{"cannot both come from standard input"})
	skew := `<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the server's time is too large.</Message><RequestTime>20261128T100000Z</RequestTime><ServerTime>2026-11-28T12:00:00Z</ServerTime></Error>`
	runIn(t, env, skew, "explain", "http://h/").check(t, exitOK, []string{"server: RequestTimeTooSkewed"}, []string{"sigv4: hint: clock skew"})
	region := `<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region></Error>`
	runIn(t, env, region, "explain", "http://h/").check(t, exitOK, nil, []string{"sigv4: hint: wrong region: the server expects eu-west-1"})
}

func TestDiffLines(t *testing.T) {
	got := strings.Join(diffLines([]string{"a", "b", "c", "d"}, []string{"a", "x", "c", "d", "e"}), "|")
	if want := "  a|- b|+ x|  c|  d|+ e"; got != want {
		t.Errorf("diffLines = %q, want %q", got, want)
	}
}

// TestExplainOtherServices reads the errors of services other than S3,
// whose message carries the canonical request and the string to sign.
func TestExplainOtherServices(t *testing.T) {
	s, err := sigv4.New(sigv4.Config{
		Service: "dynamodb", Region: "us-east-1",
		Credentials: credentials.Static("AKIDEXAMPLE", "secret", ""),
		Now:         func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", "https://dynamodb.us-east-1.amazonaws.com/", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
	tr, err := s.Explain(context.Background(), req, "")
	if err != nil {
		t.Fatal(err)
	}
	msg := "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n" +
		"The Canonical String for this request should have been\n'" + tr.CanonicalRequest + "'\n\nThe String-to-Sign should have been\n'" + tr.StringToSign + "'\n"
	jsonBody, _ := json.Marshal(map[string]string{"__type": "com.amazon.coral.service#InvalidSignatureException", "message": msg})
	var xmlMsg strings.Builder
	xml.EscapeText(&xmlMsg, []byte(msg))
	xmlBody := `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>` + xmlMsg.String() + `</Message></Error><RequestId>x</RequestId></ErrorResponse>`
	for name, body := range map[string]string{"json": string(jsonBody), "xml": xmlBody} {
		t.Run(name, func(t *testing.T) {
			runIn(t, baseEnv(t), body, "explain", "-H", "X-Amz-Date: 20261128T120000Z",
				"-H", "Content-Type: application/x-amz-json-1.0; charset=utf-8", "-H", "X-Amz-Target: DynamoDB_20120810.ListTables",
				"-d", "{}", "https://dynamodb.us-east-1.amazonaws.com/").check(t, exitOK,
				[]string{"server: SignatureDoesNotMatch: The request signature we calculated does not match",
					"  - content-type:application/x-amz-json-1.0\n  + content-type:application/x-amz-json-1.0; charset=utf-8\n",
					"first difference: line 5, the canonical header content-type"},
				[]string{"sigv4: hint: signed header content-type differs"})
		})
	}
	runIn(t, baseEnv(t), `{"message":"Missing Authentication Token"}`, "explain", "https://x.execute-api.us-east-1.amazonaws.com/").
		check(t, exitOK, []string{"server: Error: Missing Authentication Token"}, nil)
}
