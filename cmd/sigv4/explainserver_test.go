package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// serverTestTime is the signing time of the requests paired with the
// MinIO and radosgw bodies of testdata.
var serverTestTime = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// signedArgs signs method rawURL as AKIDTEST with secret at
// serverTestTime and returns explain's arguments for the request as sent:
// -X, a -H for each header (but those named in drop) and the URL.
func signedArgs(t *testing.T, method, rawURL, region, service, secret string, header http.Header, drop ...string) []string {
	t.Helper()
	return tokenSignedArgs(t, method, rawURL, region, service, secret, "", header, drop...)
}

// tokenSignedArgs is signedArgs with a session token.
func tokenSignedArgs(t *testing.T, method, rawURL, region, service, secret, token string, header http.Header, drop ...string) []string {
	t.Helper()
	s, err := sigv4.New(sigv4.Config{Service: service, Region: region,
		Credentials: credentials.Static("AKIDTEST", secret, token), Now: func() time.Time { return serverTestTime }})
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
	if err := s.Sign(context.Background(), req, ""); err != nil {
		t.Fatal(err)
	}
	args := []string{"-X", method}
	for _, k := range slices.Sorted(maps.Keys(req.Header)) {
		if slices.Contains(drop, k) {
			continue
		}
		for _, v := range req.Header[k] {
			args = append(args, "-H", k+": "+v)
		}
	}
	return append(args, rawURL)
}

// presignedArgs presigns a GET of rawURL for an hour at serverTestTime.
func presignedArgs(t *testing.T, rawURL string) []string {
	t.Helper()
	s, err := sigv4.New(sigv4.Config{Service: "s3", Region: "us-east-1",
		Credentials: credentials.Static("AKIDTEST", "secretsecret", ""), Now: func() time.Time { return serverTestTime }})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Presign(context.Background(), req, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return []string{p.URL}
}

// keyEnv is baseEnv with the credentials AKIDTEST/secret.
func keyEnv(t *testing.T, secret string) map[string]string {
	env := baseEnv(t)
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = "AKIDTEST", secret
	return env
}

// TestExplainServerBodies runs explain over every MinIO and radosgw body of
// testdata, each with a request that shows one diagnosis: the family it
// detects, the checks, the verdict, the causes and the final hint.
func TestExplainServerBodies(t *testing.T) {
	const (
		issueURL = "http://127.0.0.1:9000/bkt/dir%20%C3%BC/a%2Bb%20c.txt" // MinIO's <Resource>/bkt/dir ü/a+b c.txt
		catURL   = "http://127.0.0.1:9000/mybucket/photos/cat.jpg"
		pngURL   = "http://127.0.0.1:9000/mybucket/uploads/cat.png"
	)
	get := func(t *testing.T, u string) []string {
		return signedArgs(t, "GET", u, "us-east-1", "s3", "secretsecret", nil)
	}
	for _, tc := range []struct {
		name, file string
		secret     string // the local secret of AKIDTEST; "" for none
		args       func(t *testing.T) []string
		stdout     []string
		stderr     []string // the last one is the final hint line
	}{
		// MinIO, SignatureDoesNotMatch.
		{"minio: the issue's body, signature recomputes equal", "minio-signature-mismatch.xml", "secretsecret",
			func(t *testing.T) []string { return get(t, issueURL) },
			[]string{"server family: MinIO, told by its body's shape", "request ID 18ED1B3D17D721D7",
				"  ok       signature: recomputed with your credentials (env)", "  ok       region: us-east-1, the server's <Region>",
				`  ok       resource: the server's <Resource> "/bkt/dir ü/a+b c.txt" is the request's path`,
				"  ok       bucket: bkt, path style", "canonical request (sigv4's, for the request as given):\n  GET\n  /bkt/dir%20%C3%BC/a%2Bb%20c.txt\n",
				"verdict: likely cause: the secret:", "usual causes with MinIO:", "$http_host", "MINIO_DOMAIN",
				"(this request) its Host carries port 9000", "(this request) its path has a '+'"},
			[]string{"sigv4: hint: check the secret MinIO has for AKIDTEST (mc admin user info ALIAS AKIDTEST"}},
		{"minio: the client signed with another secret", "minio-signature-mismatch.xml", "other",
			func(t *testing.T) []string { return get(t, issueURL) },
			[]string{"  DIFFERS  signature: sent ", "verdict: likely cause: the canonical request (signature:"},
			[]string{"sigv4: hint: the client sent other bytes than it signed"}},
		{"minio: no local secret", "minio-signature-mismatch.xml", "",
			func(t *testing.T) []string { return get(t, issueURL) },
			[]string{"  unknown  signature: not recomputed: no local credentials for AKIDTEST", "verdict: undecided between the secret and the canonical request"},
			[]string{"sigv4: hint: set the credentials of AKIDTEST"}},
		{"minio: a space sent where the server has '+'", "minio-signature-mismatch.xml", "secretsecret",
			func(t *testing.T) []string { return get(t, "http://127.0.0.1:9000/bkt/dir%20%C3%BC/a%20b%20c.txt") },
			[]string{"  DIFFERS  resource:", "the path's space reached the server as '+'", "verdict: likely cause: the canonical request (resource:"},
			[]string{"sigv4: hint: the client wrote a space as '+' in the path: a space is %20 in a path"}},
		{"minio: signed for another region than the server's", "minio-signature-mismatch.xml", "secretsecret",
			func(t *testing.T) []string {
				return signedArgs(t, "GET", issueURL, "eu-west-1", "s3", "secretsecret", nil)
			},
			[]string{"  DIFFERS  region: the scope says eu-west-1, the server's <Region> is us-east-1", "verdict: likely cause: the scope (region:"},
			[]string{"sigv4: hint: sign for the server's region us-east-1 (--region us-east-1"}},
		{"minio: a proxy strips a path prefix (the answer with its headers)", "minio-signature-mismatch-response.http", "secretsecret",
			func(t *testing.T) []string { return get(t, "http://127.0.0.1:8080/minio/mybucket/photos/cat.jpg") },
			[]string{"server family: MinIO, told by its Server header", `the prefix "/minio" is gone: a proxy strips it before the server`,
				"  DIFFERS  bucket: the server names bucket mybucket", "verdict: likely cause: the canonical request (resource:"},
			[]string{"sigv4: hint: make the proxy pass the path unchanged"}},
		{"minio 2019: no <Region>, empty <HostId>", "minio-2019-signature-mismatch.xml", "secretsecret",
			func(t *testing.T) []string { return get(t, catURL) },
			[]string{"server family: MinIO, told by its body's shape", "request ID 15CC2AD49C123AF6",
				"  note     region: us-east-1: MinIO before 2020 does not name its region", "  ok       bucket: mybucket, path style", "verdict: likely cause: the secret:"},
			[]string{"sigv4: hint: check the secret MinIO has for AKIDTEST"}},
		{"minio 2016: request ID 3L137", "minio-2016-signature-mismatch.xml", "secretsecret",
			func(t *testing.T) []string { return get(t, "https://minio.example.com/") },
			[]string{"server family: MinIO, told by its request ID 3L137", `  ok       resource: the server's <Resource> "/" is the request's path`, "verdict: likely cause: the secret:"},
			[]string{"sigv4: hint: check the secret MinIO has for AKIDTEST"}},

		// MinIO, the other codes.
		{"minio: unknown access key", "minio-invalid-access-key.xml", "", func(t *testing.T) []string { return get(t, catURL) },
			[]string{"server: InvalidAccessKeyId: The Access Key Id you provided does not exist in our records.", "server family: MinIO"},
			[]string{"sigv4: hint: MinIO knows no user or service account with access key AKIDTEST"}},
		{"minio: disabled account", "minio-account-disabled.xml", "", func(t *testing.T) []string { return get(t, catURL) },
			[]string{"server family: MinIO"},
			[]string{"sigv4: hint: MinIO knows AKIDTEST, but the account is disabled: ask its administrator to enable it (mc admin user enable ALIAS AKIDTEST)"}},
		{"minio: wrong region", "minio-wrong-region.xml", "", func(t *testing.T) []string { return get(t, catURL) },
			[]string{"server: AuthorizationHeaderMalformed: "},
			[]string{"sigv4: hint: wrong region: the request's scope says us-east-1, MinIO is set to eu-central-1 (MINIO_SITE_REGION): sign for it (--region eu-central-1)"}},
		{"minio: clock skew, from the answer's Date header", "minio-time-skewed-response.http", "", func(t *testing.T) []string { return get(t, catURL) },
			[]string{"server family: MinIO, told by its Server header"},
			[]string{"sigv4: hint: clock skew: the request time 20261128T120000Z is 40m0s from the server's Date 2026-11-28T12:40:00Z; MinIO allows 15 minutes"}},
		{"minio: presigned URL expired", "minio-presigned-expired.xml", "", func(t *testing.T) []string { return presignedArgs(t, pngURL) },
			[]string{"server: AccessDenied: Request has expired"},
			[]string{"sigv4: hint: the presigned URL expired (valid until 2026-11-28T13:00:00Z by its X-Amz-Date and X-Amz-Expires): presign a new one"}},
		{"minio: presigned URL not valid yet", "minio-presigned-not-yet-valid.xml", "", func(t *testing.T) []string { return presignedArgs(t, pngURL) },
			nil, []string{"sigv4: hint: the presigned URL's X-Amz-Date 20261128T120000Z is in the future of MinIO's clock"}},
		{"minio: a signed header not sent", "minio-unsigned-headers.xml", "", func(t *testing.T) []string {
			return signedArgs(t, "GET", catURL, "us-east-1", "s3", "secretsecret", http.Header{"X-Amz-Meta-Color": {"red"}}, "X-Amz-Meta-Color")
		}, nil, []string{"sigv4: hint: MinIO refuses a request whose SignedHeaders name a header it does not receive, and the request lacks x-amz-meta-color"}},
		{"minio: payload hash mismatch", "minio-content-sha256-mismatch.xml", "", func(t *testing.T) []string { return get(t, catURL) },
			nil, []string{"sigv4: hint: the body the server received does not hash to X-Amz-Content-Sha256"}},
		{"minio: wrong service", "minio-wrong-service.xml", "", func(t *testing.T) []string {
			return signedArgs(t, "GET", catURL, "us-east-1", "execute-api", "secretsecret", nil)
		}, nil, []string{"sigv4: hint: wrong service: the request's scope says execute-api, MinIO answers S3 as s3: sign for it (--service s3)"}},
		{"minio: no date header", "minio-missing-date.xml", "", func(t *testing.T) []string { return get(t, catURL) },
			nil, []string{"sigv4: hint: the request has no valid X-Amz-Date (or Date) header"}},
		{"minio: malformed date", "minio-malformed-date.xml", "", func(t *testing.T) []string { return get(t, catURL) },
			nil, []string{"sigv4: hint: the Date or X-Amz-Date header does not parse"}},
		{"minio: invalid session token", "minio-invalid-token.xml", "", func(t *testing.T) []string { return get(t, catURL) },
			[]string{"server: InvalidTokenId: "}, []string{"sigv4: hint: the session token (X-Amz-Security-Token) is not one MinIO issued, or it expired"}},

		// radosgw, SignatureDoesNotMatch.
		{"radosgw 16: the issue's body, signature recomputes equal", "radosgw-16-signature-mismatch.xml", "secretsecret",
			func(t *testing.T) []string { return get(t, catURL) },
			[]string{"server family: radosgw (Ceph Object Gateway), told by its request ID", "request ID tx00000a08200e66c0ca64f-006b0ea4c9-100a-default",
				"  note     region: us-east-1: radosgw derives the signing key from the request's region", "verdict: likely cause: the secret:",
				"usual causes with radosgw (Ceph Object Gateway):", "rgw_dns_name", "rgw_s3_auth_use_keystone"},
			[]string{"sigv4: hint: check the secret radosgw has for AKIDTEST (radosgw-admin user info --access-key=AKIDTEST", "find the request ID tx00000a08200e66c0ca64f-006b0ea4c9-100a-default in the gateway's log"}},
		{"radosgw 18: the answer with its headers, no local secret", "radosgw-18-signature-mismatch-response.http", "",
			func(t *testing.T) []string { return get(t, catURL) },
			[]string{"server family: radosgw (Ceph Object Gateway), told by its Server header", "  ok       bucket: mybucket, path style", "verdict: undecided"},
			[]string{"sigv4: hint: set the credentials of AKIDTEST"}},
		{"radosgw 18: a proxy adds a path prefix", "radosgw-18-signature-mismatch-response.http", "secretsecret",
			func(t *testing.T) []string { return get(t, "http://127.0.0.1:9000/photos/cat.jpg") },
			[]string{`  DIFFERS  bucket: the server names bucket mybucket, which neither the host 127.0.0.1 nor the path's first segment "photos" is`,
				"verdict: likely cause: the canonical request (bucket:"},
			[]string{"sigv4: hint: a proxy rewrites the path before the server"}},
		{"radosgw 12: no <Message>, virtual-host style", "radosgw-12-signature-mismatch.xml", "secretsecret",
			func(t *testing.T) []string { return get(t, "https://mybucket.s3.example.com/photos/cat.jpg") },
			[]string{"server family: radosgw", "  ok       bucket: mybucket, virtual-host style", "verdict: likely cause: the secret:"},
			[]string{"sigv4: hint: check the secret radosgw has for AKIDTEST"}},

		// radosgw, the other codes.
		{"radosgw: unknown access key", "radosgw-invalid-access-key.xml", "", func(t *testing.T) []string { return get(t, catURL) },
			[]string{"server family: radosgw"}, []string{"sigv4: hint: radosgw knows no user with access key AKIDTEST", "rgw_s3_auth_use_keystone"}},
		{"radosgw: clock skew, from the answer's Date header", "radosgw-time-skewed-response.http", "", func(t *testing.T) []string { return get(t, catURL) },
			[]string{"told by its Server header"}, []string{"sigv4: hint: clock skew: the request time 20261128T120000Z is 40m0s from the server's Date 2026-11-28T12:40:00Z"}},
		{"radosgw: AccessDenied without a message, presigned", "radosgw-access-denied.xml", "", func(t *testing.T) []string { return presignedArgs(t, pngURL) },
			nil, []string{"sigv4: hint: radosgw answers AccessDenied without a message; the presigned URL (valid until 2026-11-28T13:00:00Z by its X-Amz-Date and X-Amz-Expires)"}},
		{"radosgw: AccessDenied without a message", "radosgw-access-denied.xml", "", func(t *testing.T) []string { return get(t, catURL) },
			nil, []string{"sigv4: hint: radosgw answers AccessDenied without a message for an expired presigned URL, a bucket policy or ACL"}},
		{"radosgw: payload hash mismatch", "radosgw-content-sha256-mismatch.xml", "", func(t *testing.T) []string { return get(t, catURL) },
			nil, []string{"sigv4: hint: the body the server received does not hash to X-Amz-Content-Sha256"}},
		{"radosgw: user suspended", "radosgw-user-suspended.xml", "", func(t *testing.T) []string { return get(t, catURL) },
			nil, []string{"sigv4: hint: the user of AKIDTEST is suspended on radosgw"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := baseEnv(t)
			if tc.secret != "" {
				env = keyEnv(t, tc.secret)
			}
			args := append([]string{"explain", "--error", filepath.Join("testdata", tc.file)}, tc.args(t)...)
			r := runIn(t, env, "", args...)
			r.check(t, exitOK, tc.stdout, tc.stderr)
			lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "sigv4: hint: ") {
				t.Errorf("the last line on standard error is not a hint: %q", last)
			}
		})
	}
}

// TestExplainServerBodiesCovered checks that the table above uses every
// MinIO and radosgw body of testdata.
func TestExplainServerBodiesCovered(t *testing.T) {
	src, err := os.ReadFile("explainserver_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, pattern := range []string{"testdata/minio-*", "testdata/radosgw-*"} {
		files, err := filepath.Glob(pattern)
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v %v", pattern, files, err)
		}
		for _, f := range files {
			if !strings.Contains(string(src), `"`+filepath.Base(f)+`"`) {
				t.Errorf("%s is tested by no case", f)
			}
		}
	}
}

// TestExplainServerOtherFamily: a SignatureDoesNotMatch without a
// canonical request from a server of no known family still gets the
// checks, with the general causes.
func TestExplainServerOtherFamily(t *testing.T) {
	body := `<Error><Code>SignatureDoesNotMatch</Code><Message>no</Message><RequestId>r1</RequestId></Error>`
	r := runIn(t, keyEnv(t, "secretsecret"), body, append([]string{"explain"},
		signedArgs(t, "GET", "https://s3.example.com/b/k", "us-east-1", "s3", "secretsecret", nil)...)...)
	r.check(t, exitOK, []string{"  ok       signature: recomputed", "  note     region: us-east-1: the server does not name its region", "usual causes with S3 servers:"},
		[]string{"sigv4: hint: check the secret the server has for AKIDTEST; if it is right, compare the server's log of request r1"})
	if strings.Contains(r.stdout, "server family") {
		t.Errorf("a family was named for an unknown server:\n%s", r.stdout)
	}
	// The request as given must be signed.
	r = runIn(t, baseEnv(t), body, "explain", "-H", "X-Amz-Date: 20261128T120000Z", "--region", "us-east-1", "--service", "s3", "https://s3.example.com/b/k")
	r.check(t, exitOK, []string{"  DIFFERS  signature: the request as given carries none"}, []string{"sigv4: hint: pass the request as it was sent"})
	// Without X-Amz-Date, the error says what to pass.
	runIn(t, baseEnv(t), body, "explain", "https://s3.example.com/b/k").
		check(t, exitError, nil, []string{"sigv4: error: no signing time", "sigv4: hint: pass the request's X-Amz-Date with -H"})
}

// TestExplainServerRedactsToken: the canonical request explain prints for
// a MinIO answer shows the session token redacted.
func TestExplainServerRedactsToken(t *testing.T) {
	const token = "FwoGZXIvYXdzEJr//////////wEaDOdsessiontokenvalueKEEPSECRET0123456789xyz"
	args := tokenSignedArgs(t, "GET", "http://127.0.0.1:9000/bkt/dir%20%C3%BC/a%2Bb%20c.txt", "us-east-1", "s3", "secretsecret", token, nil)
	r := runIn(t, keyEnv(t, "secretsecret"), "", append([]string{"explain", "--error", "testdata/minio-signature-mismatch.xml"}, args...)...)
	r.check(t, exitOK, []string{"x-amz-security-token:" + redactToken(token), "verdict: likely cause: the secret:"}, nil)
	if strings.Contains(r.stdout+r.stderr, token) {
		t.Errorf("the session token is printed whole:\n%s\n%s", r.stdout, r.stderr)
	}
}

func TestSplitHTTPResponse(t *testing.T) {
	const xmlBody = `<Error><Code>SignatureDoesNotMatch</Code></Error>`
	for _, tc := range []struct {
		name, in, server, body string
	}{
		{"a bare body", xmlBody, "", xmlBody},
		{"curl -i, CRLF", "HTTP/1.1 403 Forbidden\r\nServer: MinIO\r\nContent-Length: 50\r\n\r\n" + xmlBody, "MinIO", xmlBody},
		{"LF line ends", "HTTP/1.1 403 Forbidden\nServer: MinIO\n\n" + xmlBody, "MinIO", xmlBody},
		{"HTTP/2, lower-case names", "HTTP/2 403\r\nserver: Ceph Object Gateway (reef)\r\n\r\n" + xmlBody, "Ceph Object Gateway (reef)", xmlBody},
		{"100 Continue first", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 403 Forbidden\r\nServer: MinIO\r\n\r\n" + xmlBody, "MinIO", xmlBody},
		{"a proxy's CONNECT answer first", "HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 403 Forbidden\r\nServer: MinIO\r\n\r\n" + xmlBody, "MinIO", xmlBody},
		{"headers only", "HTTP/1.1 403 Forbidden\r\nServer: MinIO\r\n", "MinIO", ""},
		{"not a status line", "HTTP/", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, body := splitHTTPResponse([]byte(tc.in))
			if got := h.Get("Server"); got != tc.server || string(body) != tc.body {
				t.Errorf("splitHTTPResponse(%q) = Server %q, body %q; want %q, %q", tc.in, got, body, tc.server, tc.body)
			}
		})
	}
}

func TestDetectFamily(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header http.Header
		body   string
		want   string
		by     string
	}{
		{"Server: MinIO", http.Header{"Server": {"MinIO"}}, `<Error><Code>X</Code></Error>`, "MinIO", "its Server header"},
		{"old MinIO Server header", http.Header{"Server": {"Minio/RELEASE.2018-08-25T01-56-38Z (linux; amd64)"}}, ``, "MinIO", "its Server header"},
		{"Ceph's Server header", http.Header{"Server": {"Ceph Object Gateway (reef)"}}, ``, "radosgw (Ceph Object Gateway)", "its Server header"},
		{"radosgw request ID in the body", nil, `<Error><Code>X</Code><RequestId>tx000000000000000000be1-00584b26f6-100d-default</RequestId></Error>`, "radosgw (Ceph Object Gateway)", "its request ID (tx…-time-instance-zone)"},
		{"radosgw request ID in the header", http.Header{"X-Amz-Request-Id": {"tx00000a08200e66c0ca64f-006b0ea4c9-100a-us-west"}}, `<Error><Code>X</Code></Error>`, "radosgw (Ceph Object Gateway)", "its request ID (tx…-time-instance-zone)"},
		{"MinIO 2016 placeholder ID", nil, `<Error><Code>X</Code><RequestId>3L137</RequestId></Error>`, "MinIO", "its request ID 3L137 (MinIO before 2017)"},
		{"MinIO's body shape", nil, `<Error><Code>X</Code><Message>m</Message><Resource>/b</Resource><RequestId>1</RequestId><HostId>h</HostId></Error>`, "MinIO", "its body's shape: a <Resource> and a <HostId>, MinIO's fields only"},
		{"AWS's shape is not MinIO's", nil, `<Error><Code>X</Code><Message>m</Message><Resource>/b</Resource><AWSAccessKeyId>K</AWSAccessKeyId><RequestId>1</RequestId><HostId>h</HostId></Error>`, "", ""},
		{"no Resource", nil, `<Error><Code>X</Code><RequestId>1</RequestId><HostId>h</HostId></Error>`, "", ""},
		{"tx with too few digits", nil, `<Error><Code>X</Code><RequestId>tx0001-00584b26f6-100d-default</RequestId></Error>`, "", ""},
		{"tx without a zone", nil, `<Error><Code>X</Code><RequestId>tx000000000000000000be1-00584b26f6-100d</RequestId></Error>`, "", ""},
		{"not XML", nil, `{"message":"x"}`, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := parseServerBody([]byte(tc.body))
			fam, by := detectFamily(tc.header, &b)
			if fam.name != tc.want || by != tc.by {
				t.Errorf("detectFamily = %q by %q, want %q by %q", fam.name, by, tc.want, tc.by)
			}
		})
	}
}

func TestPathChange(t *testing.T) {
	for _, tc := range []struct{ server, ours, why string }{
		{"/b/k", "/s3/b/k", `the prefix "/s3" is gone`},
		{"/s3/b/k", "/b/k", `the prefix "/s3" was added`},
		{"/b/a b", "/b/a+b", "the path's '+' reached the server as a space"},
		{"/b/a+b", "/b/a b", "the path's space reached the server as '+'"},
		{"/b/a%20b", "/b/a b", "the path was escaped twice"},
		{"/b/a/k", "/b//a//k", "repeated slashes were merged"},
		{"/b/k", "/b/./k", "the path was normalized"},
		{"/x/y", "/b/k", "the server received another path"},
	} {
		if why, fix := pathChange(tc.server, tc.ours); !strings.Contains(why, tc.why) || fix == "" {
			t.Errorf("pathChange(%q, %q) = %q, %q; want %q and a fix", tc.server, tc.ours, why, fix, tc.why)
		}
	}
}

// TestExplainServerRealServers sends signed requests to real 127.0.0.1
// servers that verify them with sigv4's Verifier and answer as MinIO and
// radosgw do (their bodies and headers, as in testdata), some behind a
// real reverse proxy; sigv4 curl -i saves the answer, the proxy records
// the request as the client sent it, and explain reads both.
func TestExplainServerRealServers(t *testing.T) {
	verifier, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "s3", Regions: []string{"us-east-1"},
		Secrets: sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secretsecret"}),
		Now:     func() time.Time { return serverTestTime }})
	if err != nil {
		t.Fatal(err)
	}
	date := serverTestTime.Add(time.Second).Format(http.TimeFormat)
	// minio answers as MinIO does: its error fields from the request it
	// received.
	minio := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := verifier.Verify(r); err == nil {
			w.Write([]byte("ok"))
			return
		}
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		var b strings.Builder
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message>`)
		fmt.Fprintf(&b, "<Key>%s</Key><BucketName>%s</BucketName><Resource>%s</Resource><Region>us-east-1</Region><RequestId>18ED1B3D17D721D7</RequestId><HostId>dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b658df7ac2e3e8</HostId></Error>", key, bucket, r.URL.Path)
		w.Header().Set("Server", "MinIO")
		w.Header().Set("X-Amz-Request-Id", "18ED1B3D17D721D7")
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Date", date)
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(b.String()))
	}))
	defer minio.Close()
	rgw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := verifier.Verify(r); err == nil {
			w.Write([]byte("ok"))
			return
		}
		bucket, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		const id = "tx00000d2f1c7a9b3e4f501-006b0ac240-1012-default"
		w.Header().Set("X-Amz-Request-Id", id)
		w.Header().Set("Server", "Ceph Object Gateway (reef)")
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Date", date)
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message></Message><BucketName>%s</BucketName><RequestId>%s</RequestId><HostId>1012-default-default</HostId></Error>`, bucket, id)
	}))
	defer rgw.Close()

	// proxy puts a real reverse proxy before backend; strip removes a path
	// prefix (nginx: location /s3/ { proxy_pass http://backend/; }), and
	// keepHost forwards the client's Host (else the backend's, as nginx's
	// default proxy_set_header Host $proxy_host). It records the request
	// as the client sent it into reqFile.
	proxy := func(t *testing.T, backend, strip string, keepHost bool, reqFile string) *httptest.Server {
		target, err := url.Parse(backend)
		if err != nil {
			t.Fatal(err)
		}
		rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.URL.Path = strings.TrimPrefix(pr.Out.URL.Path, strip)
			pr.Out.URL.RawPath = strings.TrimPrefix(pr.Out.URL.RawPath, strip)
			if keepHost {
				pr.Out.Host = pr.In.Host
			}
		}}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			dump, err := httputil.DumpRequest(r, true)
			if err != nil {
				t.Error(err)
			}
			if err := os.WriteFile(reqFile, dump, 0o600); err != nil {
				t.Error(err)
			}
			rp.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		return srv
	}

	for _, tc := range []struct {
		name          string
		backend       string
		strip         string
		keepHost      bool
		path          string
		clientSecret  string // the secret the client signs with
		localSecret   string // the secret explain finds in the environment
		stdout        []string
		hint          string
		wantForbidden bool
	}{
		{"minio behind a proxy that strips /s3", minio.URL, "/s3", true, "/s3/bkt/dir%20%C3%BC/a%2Bb%20c.txt", "secretsecret", "secretsecret",
			[]string{"server family: MinIO, told by its Server header", `the prefix "/s3" is gone: a proxy strips it before the server`, "verdict: likely cause: the canonical request (resource:"},
			"sigv4: hint: make the proxy pass the path unchanged", true},
		{"minio behind a proxy that rewrites Host", minio.URL, "", false, "/bkt/photos/cat.jpg", "secretsecret", "secretsecret",
			[]string{"  ok       signature: recomputed", "  ok       resource:", "verdict: likely cause: the secret:", "(a proxy changing the Host header, the path or a signed header)", "$http_host"},
			"sigv4: hint: check the secret MinIO has for AKIDTEST", true},
		{"minio, the client's secret is not the server's", minio.URL, "", true, "/bkt/photos/cat.jpg", "other", "other",
			[]string{"  ok       signature: recomputed", "verdict: likely cause: the secret:"},
			"sigv4: hint: check the secret MinIO has for AKIDTEST", true},
		{"minio, the client signed with another secret than the local one", minio.URL, "", true, "/bkt/photos/cat.jpg", "other", "secretsecret",
			[]string{"  DIFFERS  signature: sent"},
			"sigv4: hint: the client sent other bytes than it signed", true},
		{"radosgw behind a proxy that strips /rgw", rgw.URL, "/rgw", true, "/rgw/mybucket/photos/cat.jpg", "secretsecret", "secretsecret",
			[]string{"server family: radosgw (Ceph Object Gateway), told by its Server header", `  DIFFERS  bucket: the server names bucket mybucket, which neither the host 127.0.0.1 nor the path's first segment "rgw" is: the prefix "/rgw" is gone`, "verdict: likely cause: the canonical request (bucket:"},
			"sigv4: hint: a proxy rewrites the path before the server", true},
		{"radosgw, the client's secret is not the server's", rgw.URL, "", true, "/mybucket/photos/cat.jpg", "other", "other",
			[]string{"  ok       bucket: mybucket, path style", "verdict: likely cause: the secret:"},
			"sigv4: hint: check the secret radosgw has for AKIDTEST", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			reqFile, respFile := filepath.Join(dir, "request.http"), filepath.Join(dir, "answer.http")
			p := proxy(t, tc.backend, tc.strip, tc.keepHost, reqFile)
			env := keyEnv(t, tc.clientSecret)
			env["AWS_REGION"], env[envTestNow] = "us-east-1", serverTestTime.Format(time.RFC3339)
			r := runIn(t, env, "", "curl", "-i", "--service", "s3", p.URL+tc.path)
			if !strings.HasPrefix(r.stdout, "HTTP/1.1 403 Forbidden\r\n") {
				t.Fatalf("sigv4 curl -i: want a 403, got:\n%s\n%s", r.stdout, r.stderr)
			}
			writeFile(t, respFile, r.stdout)
			r = runIn(t, keyEnv(t, tc.localSecret), "", "explain", "--error", respFile, "--request-file", reqFile, p.URL)
			r.check(t, exitOK, tc.stdout, []string{tc.hint})
		})
	}

	// The control: without a proxy's change and with the right secret, the
	// servers accept the request.
	for _, backend := range []string{minio.URL, rgw.URL} {
		env := keyEnv(t, "secretsecret")
		env["AWS_REGION"], env[envTestNow] = "us-east-1", serverTestTime.Format(time.RFC3339)
		runIn(t, env, "", "curl", "-f", "--service", "s3", backend+"/mybucket/photos/cat.jpg").check(t, exitOK, []string{"ok"}, nil)
	}
}

// FuzzServerResponse checks that no saved answer, however malformed, makes
// the response splitter, the body reader, the family detection or
// explain's checks, verdict and hints panic, and that the body is a
// suffix of the input.
func FuzzServerResponse(f *testing.F) {
	req, err := http.NewRequest("GET", "http://127.0.0.1:9000/bkt/a%2Bb/k", nil)
	if err != nil {
		f.Fatal(err)
	}
	req.Header.Set("X-Amz-Date", "20261128T120000Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/20261128/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date;x-amz-meta-a, Signature=s")
	x := &explained{trace: &sigv4.Trace{Signature: "s"}, accessKey: "AKIDTEST", withSecret: true, source: "env", signatureIn: "s"}
	a := newApp(nil, io.Discard, io.Discard, func(string) string { return "" })
	files, err := filepath.Glob("testdata/*")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if strings.HasPrefix(filepath.Base(name), "minio-") || strings.HasPrefix(filepath.Base(name), "radosgw-") {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 403 Forbidden\nServer: MinIO\n\n<Error/>"))
	f.Add([]byte("HTTP/1.1 403\r\nX-Amz-Request-Id: tx000000000000000000000-0-0-z\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		h, body := splitHTTPResponse(raw)
		if !strings.HasSuffix(string(raw), string(body)) {
			t.Fatalf("body %q is not a suffix of the input", body)
		}
		b := parseServerBody(body)
		if len(b.elements) > maxBodyElements {
			t.Fatalf("%d elements kept", len(b.elements))
		}
		fam, _ := detectFamily(h, &b)
		if fam == nil {
			t.Fatal("no family")
		}
		checks := a.serverChecks(fam, x, &b, req, h, "")
		if verdict, fix := serverVerdict(fam, x, checks, b.RequestID); verdict == "" || fix == "" {
			t.Fatalf("no verdict or hint: %q, %q", verdict, fix)
		}
		if e, ok := parseErrorBody(body); ok {
			familyCodeHints(fam, e, &b, req, h)
		}
	})
}
