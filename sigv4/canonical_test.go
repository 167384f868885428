package sigv4_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

func TestCanonicalURI(t *testing.T) {
	tests := []struct {
		name      string
		path      string // URL.Path (decoded)
		rawPath   string // URL.RawPath, when the wire form differs
		double    bool
		normalize bool
		want      string
	}{
		{"empty is slash", "", "", false, false, "/"},
		{"empty is slash (double)", "", "", true, true, "/"},
		{"unreserved kept", "/AZaz09-._~", "", false, false, "/AZaz09-._~"},
		{"slash kept", "/a/b/c", "", false, false, "/a/b/c"},
		{"space once (S3)", "/my file.txt", "", false, false, "/my%20file.txt"},
		{"space twice (others)", "/my file.txt", "", true, false, "/my%2520file.txt"},
		{"plus once", "/a+b", "", false, false, "/a%2Bb"},
		{"plus goes raw on the wire, escaped once (others)", "/a+b", "", true, false, "/a%2Bb"},
		{"dollar", "/test$file.text", "", false, false, "/test%24file.text"},
		{"equals, semicolon, comma", "/a=b;c,d", "", false, false, "/a%3Db%3Bc%2Cd"},
		{"percent once", "/100%", "", false, false, "/100%25"},
		{"percent twice", "/100%", "", true, false, "/100%2525"},
		{"utf-8 once", "/ሴ", "", false, false, "/%E1%88%B4"},
		{"utf-8 twice", "/ሴ", "", true, false, "/%25E1%2588%25B4"},
		{"escaped slash in a key (S3 decodes it)", "/a/b", "/a%2Fb", false, false, "/a/b"},
		{"escaped slash on the wire (others)", "/a/b", "/a%2Fb", true, false, "/a%252Fb"},
		{"dot segments kept for S3", "/a/./b/../c", "", false, false, "/a/./b/../c"},
		{"double slash kept for S3", "//a//b", "", false, false, "//a//b"},
		{"dot segments normalized", "/a/./b/../c", "", true, true, "/a/c"},
		{"double slashes normalized", "//a//b//", "", true, true, "/a/b/"},
		{"dot-dot above root", "/../..", "", true, true, "/"},
		{"trailing dot drops to the segment", "/a/b/.", "", true, true, "/a/b"},
		{"normalize without escape", "/example space/./x", "", false, true, "/example%20space/x"},
		{"tilde not escaped", "/~user", "", true, true, "/~user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := &url.URL{Scheme: "https", Host: "h", Path: tt.path, RawPath: tt.rawPath}
			got, err := sigv4.CanonicalURI(u, tt.double, tt.normalize)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("CanonicalURI(%q, double=%v, normalize=%v) = %q, want %q", tt.path, tt.double, tt.normalize, got, tt.want)
			}
		})
	}
	if _, err := sigv4.CanonicalURI(&url.URL{Scheme: "https", Opaque: "//h/x"}, true, true); !errors.Is(err, sigv4.ErrInvalidRequest) {
		t.Errorf("opaque URL: err = %v, want ErrInvalidRequest", err)
	}
}

func TestNormalizePath(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "/",
		"/":                        "/",
		"//":                       "/",
		"/example/..":              "/",
		"/example1/example2/../..": "/",
		"/./":                      "/",
		"/./example":               "/example",
		"//example//":              "/example/",
		"/a/b/../c/./d/":           "/a/c/d/",
		"a/b":                      "/a/b",
		"/a/..b/.c":                "/a/..b/.c",
	} {
		if got := sigv4.NormalizePath(in); got != want {
			t.Errorf("NormalizePath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNormalizePathDotSegments covers every combination of a leading "//",
// ".." above the root, inner "." and ".." segments and each trailing form.
// The expectations are those of aws-c-auth, botocore and
// @smithy/signature-v4: the result ends in '/' only when the path as sent
// ends in '/', and a trailing "." or ".." segment leaves none.
func TestNormalizePathDotSegments(t *testing.T) {
	leading := []string{"/", "//", "///"}
	aboveRoot := []string{"", "../", "../../", "./../"}
	inner := []string{"a/b", "a/./b", "a/x/../b", "a//b", "a/x/y/../../b", "a/./x/.././b"}
	trailing := []struct{ suffix, want string }{
		{"", "/a/b"},
		{"/", "/a/b/"},
		{"//", "/a/b/"},
		{"/.", "/a/b"},
		{"/..", "/a"},
		{"/./", "/a/b/"},
		{"/../", "/a/"},
		{"/./.", "/a/b"},
		{"/../..", "/"},
		{"/../../", "/"},
		{"/../../..", "/"},
		{"/.././", "/a/"},
	}
	n := 0
	for _, l := range leading {
		for _, r := range aboveRoot {
			for _, in := range inner {
				for _, tr := range trailing {
					p := l + r + in + tr.suffix
					n++
					if got := sigv4.NormalizePath(p); got != tr.want {
						t.Errorf("NormalizePath(%q) = %q, want %q", p, got, tr.want)
					}
					u := &url.URL{Scheme: "https", Host: "example.com", Path: p}
					if got, err := sigv4.CanonicalURI(u, true, true); err != nil || got != tr.want {
						t.Errorf("CanonicalURI(%q, double, normalize) = %q, %v; want %q", p, got, err, tr.want)
					}
				}
			}
		}
	}
	// The paths the conformance report named, and the root on its own.
	for in, want := range map[string]string{
		"/a/b/..":        "/a",
		"/a/.":           "/a",
		"//a/b/..//c/.":  "/a/c",
		"//a/b/..//c/./": "/a/c/",
		"/..":            "/",
		"/../":           "/",
		"/.":             "/",
		"//..//":         "/",
		"/a/../..":       "/",
		"/a/../../":      "/",
		"/../a":          "/a",
		"/../a/":         "/a/",
		"/a/...":         "/a/...",
		"/a/.../":        "/a/.../",
	} {
		n++
		if got := sigv4.NormalizePath(in); got != want {
			t.Errorf("NormalizePath(%q) = %q, want %q", in, got, want)
		}
	}
	if n < 300 {
		t.Fatalf("only %d cases ran", n)
	}
}

// TestSignNormalizesTrailingDots checks that the signer and the verifier
// both sign a trailing ".." the way AWS's other signers do.
func TestSignNormalizesTrailingDots(t *testing.T) {
	for wire, want := range map[string]string{
		"/a/b/..":       "/a",
		"/a/.":          "/a",
		"//a/b/..//c/.": "/a/c",
		"/a/b/../":      "/a/",
	} {
		s, err := sigv4.New(sigv4.Config{Service: "execute-api", Region: "us-east-1",
			Credentials: credentials.Static("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""),
			Now:         func() time.Time { return time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC) }})
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequest("GET", "https://example.amazonaws.com"+wire, nil)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := s.Explain(context.Background(), req, "")
		if err != nil {
			t.Fatal(err)
		}
		if line := strings.Split(tr.CanonicalRequest, "\n")[1]; line != want {
			t.Errorf("%s: canonical URI %q, want %q", wire, line, want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct {
		name, raw, want string
	}{
		{"empty", "", ""},
		{"sorted by key", "b=2&a=1&c=3", "a=1&b=2&c=3"},
		{"sorted by value for repeated keys", "a=2&a=1&a=10", "a=1&a=10&a=2"},
		{"repeated keys kept", "a=x&a=x", "a=x&a=x"},
		{"empty value", "acl", "acl="},
		{"explicit empty value", "acl=", "acl="},
		{"empty key", "=v", "=v"},
		{"empty pieces dropped", "&a=1&&b=2&", "a=1&b=2"},
		{"raw plus is a space", "q=a+b", "q=a%20b"},
		{"escaped plus stays", "q=a%2Bb", "q=a%2Bb"},
		{"space escape", "q=a%20b", "q=a%20b"},
		{"lower-case hex is upper-cased", "q=%2f", "q=%2F"},
		{"unreserved decoded", "%41%7E=%2D", "A~=-"},
		{"reserved encoded", "k=a/b:c@d", "k=a%2Fb%3Ac%40d"},
		{"utf-8", "ሴ=bar", "%E1%88%B4=bar"},
		{"sort by encoded key", "Param-3=3&Param=2&%E1%88%B4=1", "%E1%88%B4=1&Param=2&Param-3=3"},
		// "a b" sorts before "a+" decoded (space < plus) and encoded
		// ("a%20b" < "a%2B"); "a_" sorts after both decoded but before
		// them encoded? no: '%' (0x25) < '_' (0x5F), so encoded it is last.
		{"keys that sort differently encoded and decoded", "a_=3&a%2B=2&a+b=1", "a%20b=1&a%2B=2&a_=3"},
		{"case sensitive", "b=1&B=2&a=3", "B=2&a=3&b=1"},
		{"semicolon is data", "a=1;b=2", "a=1%3Bb%3D2"},
		{"equals in value", "a=b=c", "a=b%3Dc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sigv4.CanonicalQuery(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("CanonicalQuery(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
	for _, bad := range []string{"a=%", "a=%2", "a=%zz", "%g0=1"} {
		if _, err := sigv4.CanonicalQuery(bad); !errors.Is(err, sigv4.ErrInvalidRequest) {
			t.Errorf("CanonicalQuery(%q): err = %v, want ErrInvalidRequest", bad, err)
		}
	}
}

func TestCanonicalHeaders(t *testing.T) {
	tests := []struct {
		name       string
		header     http.Header
		wantCanon  string
		wantSigned string
	}{
		{"host only", nil, "host:h\n", "host"},
		{"lower-cased and sorted", http.Header{"X-B": {"2"}, "X-A": {"1"}, "Content-Type": {"t"}},
			"content-type:t\nhost:h\nx-a:1\nx-b:2\n", "content-type;host;x-a;x-b"},
		{"trimmed", http.Header{"X-A": {"  v  "}}, "host:h\nx-a:v\n", "host;x-a"},
		{"inner runs collapsed", http.Header{"X-A": {"a   b \t c"}}, "host:h\nx-a:a b c\n", "host;x-a"},
		{"quoted runs collapsed too", http.Header{"X-A": {`"a   b"`}}, "host:h\nx-a:\"a b\"\n", "host;x-a"},
		{"repeated joined with comma in order", http.Header{"X-A": {"z", " y ", "x"}}, "host:h\nx-a:z,y,x\n", "host;x-a"},
		{"obs-fold is a space", http.Header{"X-A": {"value1\n  value2\r\n\tvalue3"}}, "host:h\nx-a:value1 value2 value3\n", "host;x-a"},
		{"empty value", http.Header{"X-A": {""}}, "host:h\nx-a:\n", "host;x-a"},
		{"host entry ignored", http.Header{"Host": {"other"}}, "host:h\n", "host"},
		{"case variants merged", http.Header{"X-A": {"1"}, "x-a": {"2"}}, "host:h\nx-a:1,2\n", "host;x-a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			canon, signed, err := sigv4.CanonicalHeaders("h", tt.header)
			if err != nil {
				t.Fatal(err)
			}
			if canon != tt.wantCanon || signed != tt.wantSigned {
				t.Errorf("got %q, %q; want %q, %q", canon, signed, tt.wantCanon, tt.wantSigned)
			}
		})
	}
	for _, v := range []string{"a\rb", "a\nb", "a\r\n", "a\n"} {
		if _, _, err := sigv4.CanonicalHeaders("h", http.Header{"X-A": {v}}); !errors.Is(err, sigv4.ErrInvalidRequest) {
			t.Errorf("value %q: err = %v, want ErrInvalidRequest", v, err)
		}
	}
}

// signedHeadersOf signs req with s and returns the SignedHeaders list.
func signedHeadersOf(t *testing.T, s *sigv4.Signer, req *http.Request) string {
	t.Helper()
	if err := s.Sign(context.Background(), req, sigv4.UnsignedPayload); err != nil {
		t.Fatal(err)
	}
	auth := req.Header.Get("Authorization")
	_, rest, _ := strings.Cut(auth, "SignedHeaders=")
	signed, _, _ := strings.Cut(rest, ",")
	return signed
}

func newSigner(t testing.TB, cfg sigv4.Config) *sigv4.Signer {
	t.Helper()
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Credentials == nil {
		cfg.Credentials = credentials.Static(suiteAccessKey, suiteSecret, "")
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return suiteTime }
	}
	s, err := sigv4.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestHeaderRules(t *testing.T) {
	newReq := func(url string) *http.Request {
		req, err := http.NewRequest("GET", url, nil)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	t.Run("deny list", func(t *testing.T) {
		s := newSigner(t, sigv4.Config{Service: "service"})
		req := newReq("https://example.com/")
		for _, h := range []string{"Authorization", "User-Agent", "X-Amzn-Trace-Id", "Expect", "Transfer-Encoding", "Connection"} {
			req.Header.Set(h, "x")
		}
		req.Header.Set("X-Custom", "y")
		if got := signedHeadersOf(t, s, req); got != "host;x-amz-date;x-custom" {
			t.Errorf("signed %q", got)
		}
	})
	t.Run("hook signs more and fewer", func(t *testing.T) {
		s := newSigner(t, sigv4.Config{Service: "service", SignHeader: func(name string, def bool) bool {
			return name == "user-agent" || def && name != "x-skip"
		}})
		req := newReq("https://example.com/")
		req.Header.Set("User-Agent", "ua")
		req.Header.Set("X-Skip", "1")
		req.Header.Set("X-Keep", "1")
		if got := signedHeadersOf(t, s, req); got != "host;user-agent;x-amz-date;x-keep" {
			t.Errorf("signed %q", got)
		}
	})
	for _, tt := range []struct{ url, host, want string }{
		{"https://example.com:443/", "", "example.com"},
		{"http://example.com:80/", "", "example.com"},
		{"https://example.com:8443/", "", "example.com:8443"},
		{"http://example.com:443/", "", "example.com:443"},
		{"http://127.0.0.1:7070/", "", "127.0.0.1:7070"},
		{"https://[::1]:443/", "", "[::1]"},
		{"https://example.com/", "other.example:443", "other.example"},
	} {
		t.Run("host "+tt.url+" "+tt.host, func(t *testing.T) {
			s := newSigner(t, sigv4.Config{Service: "service"})
			req := newReq(tt.url)
			req.Host = tt.host
			tr, err := s.Explain(context.Background(), req, "")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(tr.CanonicalRequest, "\nhost:"+tt.want+"\n") {
				t.Errorf("canonical request lacks host %q:\n%s", tt.want, tr.CanonicalRequest)
			}
			if err := s.Sign(context.Background(), req, ""); err != nil {
				t.Fatal(err)
			}
			if req.Host != tt.want {
				t.Errorf("req.Host = %q after Sign, want %q (the wire must carry the signed host)", req.Host, tt.want)
			}
		})
	}
	t.Run("content-length signed when known", func(t *testing.T) {
		s := newSigner(t, sigv4.Config{Service: "service"})
		req, _ := http.NewRequest("PUT", "https://example.com/", strings.NewReader("hello"))
		if got := signedHeadersOf(t, s, req); got != "content-length;host;x-amz-date" {
			t.Errorf("signed %q", got)
		}
		req, _ = http.NewRequest("PUT", "https://example.com/", nil)
		if got := signedHeadersOf(t, s, req); got != "host;x-amz-date" {
			t.Errorf("no body: signed %q", got)
		}
	})
	t.Run("date header left alone", func(t *testing.T) {
		s := newSigner(t, sigv4.Config{Service: "service"})
		req := newReq("https://example.com/")
		req.Header.Set("Date", "Fri, 24 May 2013 00:00:00 GMT")
		req.Header.Set("X-Amz-Date", "19990101T000000Z")
		if got := signedHeadersOf(t, s, req); got != "date;host;x-amz-date" {
			t.Errorf("signed %q", got)
		}
		if req.Header.Get("Date") != "Fri, 24 May 2013 00:00:00 GMT" || req.Header.Get("X-Amz-Date") != "20150830T123600Z" {
			t.Errorf("Date %q, X-Amz-Date %q", req.Header.Get("Date"), req.Header.Get("X-Amz-Date"))
		}
	})
	t.Run("S3 adds x-amz-content-sha256, others on request", func(t *testing.T) {
		req := newReq("https://b.s3.amazonaws.com/k")
		if got := signedHeadersOf(t, newSigner(t, sigv4.Config{Service: "s3"}), req); got != "host;x-amz-content-sha256;x-amz-date" {
			t.Errorf("s3 signed %q", got)
		}
		if req.Header.Get("X-Amz-Content-Sha256") != sigv4.UnsignedPayload {
			t.Errorf("X-Amz-Content-Sha256 = %q", req.Header.Get("X-Amz-Content-Sha256"))
		}
		req = newReq("https://dynamodb.us-east-1.amazonaws.com/")
		if got := signedHeadersOf(t, newSigner(t, sigv4.Config{Service: "dynamodb"}), req); got != "host;x-amz-date" {
			t.Errorf("dynamodb signed %q", got)
		}
		req = newReq("https://dynamodb.us-east-1.amazonaws.com/")
		if got := signedHeadersOf(t, newSigner(t, sigv4.Config{Service: "dynamodb", ContentSHA256Header: sigv4.On}), req); got != "host;x-amz-content-sha256;x-amz-date" {
			t.Errorf("dynamodb with ContentSHA256Header signed %q", got)
		}
	})
	t.Run("session token signed or added after", func(t *testing.T) {
		creds := credentials.Static("AKID", "SECRET", "TOKEN")
		req := newReq("https://example.com/")
		if got := signedHeadersOf(t, newSigner(t, sigv4.Config{Service: "service", Credentials: creds}), req); got != "host;x-amz-date;x-amz-security-token" {
			t.Errorf("signed %q", got)
		}
		req = newReq("https://example.com/")
		if got := signedHeadersOf(t, newSigner(t, sigv4.Config{Service: "service", Credentials: creds, SignSessionToken: sigv4.Off}), req); got != "host;x-amz-date" {
			t.Errorf("omit: signed %q", got)
		}
		if req.Header.Get("X-Amz-Security-Token") != "TOKEN" {
			t.Errorf("token not added after signing")
		}
		// Re-signing with keys without a token drops a stale token header.
		if got := signedHeadersOf(t, newSigner(t, sigv4.Config{Service: "service"}), req); got != "host;x-amz-date" || req.Header.Get("X-Amz-Security-Token") != "" {
			t.Errorf("stale token: signed %q, token %q", got, req.Header.Get("X-Amz-Security-Token"))
		}
	})
}

// TestDoubleEscapeOnTheWire pins AWS's real-world rule: a Go request for a
// non-S3 service with a space in its path goes on the wire as %20 and is
// signed as %2520, because the service escapes the path it receives once
// more. (The suites write decoded paths and are signed with DoubleEscape Off.)
func TestDoubleEscapeOnTheWire(t *testing.T) {
	s := newSigner(t, sigv4.Config{Service: "service"})
	req, _ := http.NewRequest("GET", "https://example.amazonaws.com/example space/", nil)
	tr, err := s.Explain(context.Background(), req, "")
	if err != nil {
		t.Fatal(err)
	}
	if line := strings.Split(tr.CanonicalRequest, "\n")[1]; line != "/example%2520space/" {
		t.Errorf("canonical URI %q, want /example%%2520space/", line)
	}
	if req.URL.EscapedPath() != "/example%20space/" {
		t.Errorf("wire path %q", req.URL.EscapedPath())
	}
}

// TestS3WirePath checks that Sign puts the signed escaping on the wire for S3.
func TestS3WirePath(t *testing.T) {
	s := newSigner(t, sigv4.Config{Service: "s3"})
	req, _ := http.NewRequest("GET", "https://b.s3.amazonaws.com/", nil)
	req.URL.Path = "/mix a+b=c~d%e&f?g#h.txt"
	if err := s.Sign(context.Background(), req, sigv4.UnsignedPayload); err != nil {
		t.Fatal(err)
	}
	want := "/mix%20a%2Bb%3Dc~d%25e%26f%3Fg%23h.txt"
	if got := req.URL.EscapedPath(); got != want {
		t.Errorf("wire path %q, want %q", got, want)
	}
	if req.URL.Path != "/mix a+b=c~d%e&f?g#h.txt" {
		t.Errorf("Path changed to %q", req.URL.Path)
	}
}

// TestCaseVariantKeys covers header maps with keys that are not in
// canonical form: Sign must not send a stale variant beside its own value,
// and Presign must hand the client every signed value.
func TestCaseVariantKeys(t *testing.T) {
	s := newSigner(t, sigv4.Config{Service: "s3"})
	req, _ := http.NewRequest("GET", "https://b.s3.amazonaws.com/k", nil)
	req.Header["x-amz-date"] = []string{"stale"}
	req.Header["x-amz-content-sha256"] = []string{"stale"}
	req.Header["authorization"] = []string{"stale"}
	if err := s.Sign(context.Background(), req, sigv4.UnsignedPayload); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"x-amz-date", "x-amz-content-sha256", "authorization"} {
		if _, ok := req.Header[k]; ok {
			t.Errorf("stale %q still on the request", k)
		}
	}
	if req.Header.Get("X-Amz-Date") != "20150830T123600Z" {
		t.Errorf("X-Amz-Date = %q", req.Header.Get("X-Amz-Date"))
	}

	preq, _ := http.NewRequest("GET", "https://b.s3.amazonaws.com/k", nil)
	preq.Header["x-mixed"] = []string{"a"}
	preq.Header["X-Mixed"] = []string{"b", "c"}
	p, err := s.Presign(context.Background(), preq, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Header["X-Mixed"], ","); got != "b,c,a" {
		t.Errorf("Presigned.Header[X-Mixed] = %q, want the signed order b,c,a", got)
	}
	tr, _ := s.ExplainPresign(context.Background(), preq, time.Minute)
	if !strings.Contains(tr.CanonicalRequest, "\nx-mixed:b,c,a\n") {
		t.Errorf("canonical request:\n%s", tr.CanonicalRequest)
	}
}
