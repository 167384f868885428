package presign_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/presign"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

const (
	docAccessKey = "AKIAIOSFODNN7EXAMPLE"
	docSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var docTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

// noEnv is a Getenv that sees an empty environment, so that tests do not
// depend on the machine's AWS_* variables.
func noEnv(string) string { return "" }

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func newPresigner(t testing.TB, cfg presign.Config) *presign.Presigner {
	t.Helper()
	if cfg.Credentials == nil {
		cfg.Credentials = credentials.Static(docAccessKey, docSecret, "")
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return docTime }
	}
	if cfg.Getenv == nil {
		cfg.Getenv = noEnv
	}
	p, err := presign.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAWSDocumentedExample is the presigned GET of the Amazon S3 API
// Reference ("Authenticating Requests: Using Query Parameters"), see
// VECTORS.md.
func TestAWSDocumentedExample(t *testing.T) {
	p := newPresigner(t, presign.Config{Region: "us-east-1", Endpoint: "https://s3.amazonaws.com"})
	r, err := p.GetObject(context.Background(), "examplebucket", "test.txt", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	const want = "https://examplebucket.s3.amazonaws.com/test.txt" +
		"?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
		"&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
		"&X-Amz-Date=20130524T000000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=86400" +
		"&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
	if r.URL != want {
		t.Errorf("URL\n got %s\nwant %s", r.URL, want)
	}
	if r.Method != "GET" || len(r.Header) != 0 || !r.Expires.Equal(docTime.Add(24*time.Hour)) {
		t.Errorf("got method %q, header %v, expires %v", r.Method, r.Header, r.Expires)
	}
}

// base returns the URL without its query.
func base(u string) string {
	b, _, _ := strings.Cut(u, "?")
	return b
}

// query returns the URL's query without the X-Amz auth parameters.
func opQuery(t *testing.T, u string) string {
	t.Helper()
	_, q, _ := strings.Cut(u, "?")
	var kept []string
	for _, p := range strings.Split(q, "&") {
		if k, _, _ := strings.Cut(p, "="); strings.HasPrefix(k, "X-Amz-") &&
			(k == "X-Amz-Algorithm" || k == "X-Amz-Credential" || k == "X-Amz-Date" || k == "X-Amz-Expires" ||
				k == "X-Amz-SignedHeaders" || k == "X-Amz-Signature" || k == "X-Amz-Security-Token") {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "&")
}

func TestURLShapes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		cfg    presign.Config
		bucket string
		want   string // URL without the query
	}{
		{"virtual-hosted", presign.Config{Region: "eu-west-1"}, "my-bucket", "https://my-bucket.s3.eu-west-1.amazonaws.com/a/key.txt"},
		{"virtual-hosted us-east-1", presign.Config{Region: "us-east-1"}, "my-bucket", "https://my-bucket.s3.us-east-1.amazonaws.com/a/key.txt"},
		{"china", presign.Config{Region: "cn-north-1"}, "my-bucket", "https://my-bucket.s3.cn-north-1.amazonaws.com.cn/a/key.txt"},
		{"path-style asked", presign.Config{Region: "eu-west-1", PathStyle: true}, "my-bucket", "https://s3.eu-west-1.amazonaws.com/my-bucket/a/key.txt"},
		{"path-style from profile", presign.Config{Region: "eu-west-1", Profile: &credentials.Profile{Settings: map[string]string{"s3.addressing_style": "path"}}}, "my-bucket", "https://s3.eu-west-1.amazonaws.com/my-bucket/a/key.txt"},
		{"dots over https", presign.Config{Region: "eu-west-1"}, "my.bucket", "https://s3.eu-west-1.amazonaws.com/my.bucket/a/key.txt"},
		{"upper case", presign.Config{Region: "eu-west-1"}, "MyBucket", "https://s3.eu-west-1.amazonaws.com/MyBucket/a/key.txt"},
		{"underscore", presign.Config{Region: "eu-west-1"}, "my_bucket", "https://s3.eu-west-1.amazonaws.com/my_bucket/a/key.txt"},
		{"dots over http", presign.Config{Region: "eu-west-1", Endpoint: "http://s3.eu-west-1.amazonaws.com"}, "my.bucket", "http://my.bucket.s3.eu-west-1.amazonaws.com/a/key.txt"},
		{"dual-stack", presign.Config{Region: "eu-west-1", DualStack: true}, "my-bucket", "https://my-bucket.s3.dualstack.eu-west-1.amazonaws.com/a/key.txt"},
		{"dual-stack from env", presign.Config{Region: "eu-west-1", Getenv: envMap(map[string]string{"AWS_USE_DUALSTACK_ENDPOINT": "true"})}, "my-bucket", "https://my-bucket.s3.dualstack.eu-west-1.amazonaws.com/a/key.txt"},
		{"dual-stack path-style", presign.Config{Region: "eu-west-1", DualStack: true}, "my.bucket", "https://s3.dualstack.eu-west-1.amazonaws.com/my.bucket/a/key.txt"},
		{"fips", presign.Config{Region: "us-gov-west-1", FIPS: true}, "my-bucket", "https://my-bucket.s3-fips.us-gov-west-1.amazonaws.com/a/key.txt"},
		{"fips dual-stack", presign.Config{Region: "us-east-1", FIPS: true, DualStack: true}, "my-bucket", "https://my-bucket.s3-fips.dualstack.us-east-1.amazonaws.com/a/key.txt"},
		{"accelerate", presign.Config{Region: "eu-west-1", Accelerate: true}, "my-bucket", "https://my-bucket.s3-accelerate.amazonaws.com/a/key.txt"},
		{"accelerate dual-stack", presign.Config{Region: "eu-west-1", Accelerate: true, DualStack: true}, "my-bucket", "https://my-bucket.s3-accelerate.dualstack.amazonaws.com/a/key.txt"},
		{"custom with port", presign.Config{Region: "us-east-1", Endpoint: "http://127.0.0.1:7070"}, "mybucket", "http://127.0.0.1:7070/mybucket/a/key.txt"},
		{"custom IP stays path-style", presign.Config{Region: "us-east-1", Endpoint: "http://127.0.0.1:7070", VirtualHosted: true}, "mybucket", "http://127.0.0.1:7070/mybucket/a/key.txt"},
		{"custom host name", presign.Config{Region: "us-east-1", Endpoint: "https://minio.example.com:9000/"}, "my-bucket", "https://minio.example.com:9000/my-bucket/a/key.txt"},
		{"custom virtual-hosted", presign.Config{Region: "us-east-1", Endpoint: "http://localhost:7070", VirtualHosted: true}, "my-bucket", "http://my-bucket.localhost:7070/a/key.txt"},
		{"custom default port dropped", presign.Config{Region: "us-east-1", Endpoint: "https://ceph.example.com:443"}, "my-bucket", "https://ceph.example.com/my-bucket/a/key.txt"},
		{"custom base path", presign.Config{Region: "us-east-1", Endpoint: "https://gw.example.com/s3/"}, "my-bucket", "https://gw.example.com/s3/my-bucket/a/key.txt"},
		{"custom AWS endpoint", presign.Config{Region: "eu-west-1", Endpoint: "https://s3.eu-west-1.amazonaws.com"}, "my-bucket", "https://my-bucket.s3.eu-west-1.amazonaws.com/a/key.txt"},
		{"R2", presign.Config{Region: "auto", Endpoint: presign.R2Endpoint("0123456789abcdef")}, "my-bucket", "https://0123456789abcdef.r2.cloudflarestorage.com/my-bucket/a/key.txt"},
		{"AWS_ENDPOINT_URL_S3", presign.Config{Region: "us-east-1", Getenv: envMap(map[string]string{"AWS_ENDPOINT_URL_S3": "http://localhost:9000", "AWS_ENDPOINT_URL": "http://other:1"})}, "b1b", "http://localhost:9000/b1b/a/key.txt"},
		{"AWS_ENDPOINT_URL", presign.Config{Region: "us-east-1", Getenv: envMap(map[string]string{"AWS_ENDPOINT_URL": "http://other:1"})}, "b1b", "http://other:1/b1b/a/key.txt"},
		{"env over profile", presign.Config{Region: "us-east-1", Getenv: envMap(map[string]string{"AWS_ENDPOINT_URL": "http://env:1"}), Profile: &credentials.Profile{EndpointURL: "http://profile:2"}}, "b1b", "http://env:1/b1b/a/key.txt"},
		{"profile s3 endpoint_url", presign.Config{Region: "us-east-1", Profile: &credentials.Profile{EndpointURL: "http://global:2", Services: map[string]map[string]string{"s3": {"endpoint_url": "http://s3only:3"}}}}, "b1b", "http://s3only:3/b1b/a/key.txt"},
		{"profile endpoint_url", presign.Config{Region: "us-east-1", Profile: &credentials.Profile{EndpointURL: "http://global:2"}}, "b1b", "http://global:2/b1b/a/key.txt"},
		{"ignore configured endpoints", presign.Config{Region: "us-east-1", Getenv: envMap(map[string]string{"AWS_ENDPOINT_URL": "http://env:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"})}, "b1b", "https://b1b.s3.us-east-1.amazonaws.com/a/key.txt"},
		{"config over env", presign.Config{Region: "us-east-1", Endpoint: "http://cfg:4", Getenv: envMap(map[string]string{"AWS_ENDPOINT_URL_S3": "http://env:1"})}, "b1b", "http://cfg:4/b1b/a/key.txt"},
		{"region from env", presign.Config{Getenv: envMap(map[string]string{"AWS_REGION": "ap-south-1"})}, "b1b", "https://b1b.s3.ap-south-1.amazonaws.com/a/key.txt"},
		{"region from profile", presign.Config{Profile: &credentials.Profile{Region: "sa-east-1"}}, "b1b", "https://b1b.s3.sa-east-1.amazonaws.com/a/key.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPresigner(t, tt.cfg)
			r, err := p.GetObject(ctx, tt.bucket, "a/key.txt", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if got := base(r.URL); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if !strings.Contains(r.URL, "%2F"+p.Region()+"%2Fs3%2Faws4_request") {
				t.Errorf("URL %s is not signed for region %s", r.URL, p.Region())
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	creds := credentials.Static(docAccessKey, docSecret, "")
	tests := []struct {
		name string
		cfg  presign.Config
	}{
		{"no credentials", presign.Config{Region: "us-east-1"}},
		{"no region", presign.Config{Credentials: creds}},
		{"bad region", presign.Config{Credentials: creds, Region: "us east"}},
		{"auto without endpoint", presign.Config{Credentials: creds, Region: "auto"}},
		{"both addressings", presign.Config{Credentials: creds, Region: "us-east-1", PathStyle: true, VirtualHosted: true}},
		{"accelerate path-style", presign.Config{Credentials: creds, Region: "us-east-1", PathStyle: true, Accelerate: true}},
		{"accelerate fips", presign.Config{Credentials: creds, Region: "us-east-1", FIPS: true, Accelerate: true}},
		{"dual-stack custom", presign.Config{Credentials: creds, Region: "us-east-1", DualStack: true, Endpoint: "http://localhost:9000"}},
		{"no scheme", presign.Config{Credentials: creds, Region: "us-east-1", Endpoint: "localhost:9000"}},
		{"ftp", presign.Config{Credentials: creds, Region: "us-east-1", Endpoint: "ftp://localhost"}},
		{"query", presign.Config{Credentials: creds, Region: "us-east-1", Endpoint: "http://localhost:9000/?x=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Getenv = noEnv
			_, err := presign.New(tt.cfg)
			if !errors.Is(err, presign.ErrInvalidConfig) {
				t.Fatalf("err = %v, want ErrInvalidConfig", err)
			}
			if !strings.HasPrefix(err.Error(), "presign: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestKeysEncodedOnce covers the key list of the compat issue, then keys
// that are not paths, then bytes that are not text.
func TestKeysEncodedOnce(t *testing.T) {
	ctx := context.Background()
	tests := []struct{ key, wantPath string }{
		{"with space.txt", "/with%20space.txt"},
		{"ünïcödé-日本.txt", "/%C3%BCn%C3%AFc%C3%B6d%C3%A9-%E6%97%A5%E6%9C%AC.txt"},
		{"plus+sign.txt", "/plus%2Bsign.txt"},
		{"eq=ual.txt", "/eq%3Dual.txt"},
		{"tilde~x.txt", "/tilde~x.txt"},
		{"per%cent.txt", "/per%25cent.txt"},
		{"per%20cent.txt", "/per%2520cent.txt"},
		{"mix a+b=c~d%e&f?g#h.txt", "/mix%20a%2Bb%3Dc~d%25e%26f%3Fg%23h.txt"},
		{"semi;colon,comma!bang'quote(paren)*star@at$dollar.txt", "/semi%3Bcolon%2Ccomma%21bang%27quote%28paren%29%2Astar%40at%24dollar.txt"},
		{"a/b/c/deep.txt", "/a/b/c/deep.txt"},
		{"/leading", "//leading"},
		{"a//b", "/a//b"},
		{"./a", "/./a"},
		{"a/../b", "/a/../b"},
		{"..", "/.."},
		{"a/", "/a/"},
		{"tab\tnl\ncr\r", "/tab%09nl%0Acr%0D"},
		{"\x00\x7f\xff", "/%00%7F%FF"},
	}
	p := newPresigner(t, presign.Config{Region: "us-east-1"})
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			r, err := p.PutObject(ctx, "examplebucket", tt.key, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			want := "https://examplebucket.s3.us-east-1.amazonaws.com" + tt.wantPath
			if got := base(r.URL); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			// A client parses the URL and sends its path: the path it
			// decodes is the key, and re-signing what it sends gives the
			// same signature.
			u, err := url.Parse(r.URL)
			if err != nil {
				t.Fatal(err)
			}
			if u.Path != "/"+tt.key {
				t.Errorf("decoded path %q, want %q", u.Path, "/"+tt.key)
			}
			checkSignature(t, r, "us-east-1")
		})
	}
}

// checkSignature re-signs the request as a server would see it (the
// URL's path and query, the listed headers) with the sigv4 signer and
// compares the signature.
func checkSignature(t *testing.T, r *presign.Request, region string) {
	t.Helper()
	u, err := url.Parse(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	exp, _ := time.ParseDuration(q.Get("X-Amz-Expires") + "s")
	signedAt, _ := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	service := strings.Split(q.Get("X-Amz-Credential"), "/")[3]
	s, err := sigv4.New(sigv4.Config{Service: service, Region: region, Credentials: credentials.Static(docAccessKey, docSecret, ""), Now: func() time.Time { return signedAt }})
	if err != nil {
		t.Fatal(err)
	}
	req := &http.Request{Method: r.Method, URL: u, Header: r.Header.Clone()}
	if n := req.Header.Get("Content-Length"); n != "" {
		req.Header.Del("Content-Length")
		_, err := fmtSscan(n, &req.ContentLength)
		if err != nil {
			t.Fatal(err)
		}
	}
	again, err := s.Presign(context.Background(), req, exp)
	if err != nil {
		t.Fatal(err)
	}
	want := q.Get("X-Amz-Signature")
	got, _ := url.Parse(again.URL)
	if got.Query().Get("X-Amz-Signature") != want {
		t.Errorf("a server computes signature %s, URL carries %s", got.Query().Get("X-Amz-Signature"), want)
	}
}

func TestOperations(t *testing.T) {
	ctx := context.Background()
	p := newPresigner(t, presign.Config{Region: "us-east-1", Endpoint: "http://127.0.0.1:7070"})
	const b, k = "mybucket", "dir/file name.bin"
	tests := []struct {
		name       string
		do         func() (*presign.Request, error)
		method     string
		path       string
		query      string
		signedHdrs string
	}{
		{"GetObject", func() (*presign.Request, error) { return p.GetObject(ctx, b, k, time.Hour) }, "GET", "/mybucket/dir/file%20name.bin", "", "host"},
		{"HeadObject", func() (*presign.Request, error) { return p.HeadObject(ctx, b, k, time.Hour) }, "HEAD", "/mybucket/dir/file%20name.bin", "", "host"},
		{"PutObject", func() (*presign.Request, error) { return p.PutObject(ctx, b, k, time.Hour) }, "PUT", "/mybucket/dir/file%20name.bin", "", "host"},
		{"DeleteObject", func() (*presign.Request, error) {
			return p.DeleteObject(ctx, b, k, time.Hour, presign.VersionID("3/L4kqtJl40Nr8X8gdRQBpUMLUo"))
		}, "DELETE", "/mybucket/dir/file%20name.bin", "versionId=3%2FL4kqtJl40Nr8X8gdRQBpUMLUo", "host"},
		{"CreateMultipartUpload", func() (*presign.Request, error) {
			return p.CreateMultipartUpload(ctx, b, k, time.Hour, presign.ContentType("video/mp4"))
		}, "POST", "/mybucket/dir/file%20name.bin", "uploads", "content-type;host"},
		{"UploadPart", func() (*presign.Request, error) { return p.UploadPart(ctx, b, k, "up+load/id=", 7, time.Hour) }, "PUT", "/mybucket/dir/file%20name.bin", "partNumber=7&uploadId=up%2Bload%2Fid%3D", "host"},
		{"UploadPart sized", func() (*presign.Request, error) {
			return p.UploadPart(ctx, b, k, "id", 1, time.Hour, presign.ContentLength(5<<20))
		}, "PUT", "/mybucket/dir/file%20name.bin", "partNumber=1&uploadId=id", "content-length;host"},
		{"CompleteMultipartUpload", func() (*presign.Request, error) { return p.CompleteMultipartUpload(ctx, b, k, "id", time.Hour) }, "POST", "/mybucket/dir/file%20name.bin", "uploadId=id", "host"},
		{"AbortMultipartUpload", func() (*presign.Request, error) { return p.AbortMultipartUpload(ctx, b, k, "id", time.Hour) }, "DELETE", "/mybucket/dir/file%20name.bin", "uploadId=id", "host"},
		{"ListParts", func() (*presign.Request, error) { return p.ListParts(ctx, b, k, "id", time.Hour) }, "GET", "/mybucket/dir/file%20name.bin", "uploadId=id", "host"},
		{"ListObjectsV2", func() (*presign.Request, error) {
			return p.ListObjectsV2(ctx, b, time.Hour, presign.Prefix("dir/"), presign.Delimiter("/"), presign.MaxKeys(10), presign.StartAfter("a b"), presign.ContinuationToken("t+1"))
		}, "GET", "/mybucket", "list-type=2&prefix=dir%2F&delimiter=%2F&max-keys=10&start-after=a%20b&continuation-token=t%2B1", "host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.do()
			if err != nil {
				t.Fatal(err)
			}
			if r.Method != tt.method {
				t.Errorf("method %s, want %s", r.Method, tt.method)
			}
			if got, want := base(r.URL), "http://127.0.0.1:7070"+tt.path; got != want {
				t.Errorf("base %s, want %s", got, want)
			}
			if got := opQuery(t, r.URL); got != tt.query {
				t.Errorf("query %q, want %q", got, tt.query)
			}
			u, _ := url.Parse(r.URL)
			if got := u.Query().Get("X-Amz-SignedHeaders"); got != tt.signedHdrs {
				t.Errorf("signed headers %q, want %q", got, tt.signedHdrs)
			}
			checkSignature(t, r, "us-east-1")
		})
	}
}

func TestVirtualHostedList(t *testing.T) {
	p := newPresigner(t, presign.Config{Region: "us-west-2"})
	r, err := p.ListObjectsV2(context.Background(), "my-bucket", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := base(r.URL), "https://my-bucket.s3.us-west-2.amazonaws.com/"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestOptionsSignedAndReported(t *testing.T) {
	ctx := context.Background()
	p := newPresigner(t, presign.Config{Region: "us-east-1"})
	sseKey := []byte("0123456789abcdef0123456789abcdef")
	r, err := p.PutObject(ctx, "examplebucket", "k", time.Hour,
		presign.ContentType("image/png"),
		presign.ContentMD5("1B2M2Y8AsgTpgAmY7PhCfg=="),
		presign.Checksum(presign.CRC32, "AAAAAA=="),
		presign.Checksum(presign.SHA256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
		presign.ServerSideEncryption("aws:kms"),
		presign.SSEKMSKeyID("arn:aws:kms:us-east-1:111122223333:key/abc"),
		presign.BucketKeyEnabled(true),
		presign.StorageClass("STANDARD_IA"),
		presign.ACL("private"),
		presign.Metadata(map[string]string{"Owner": "Ann", "purpose": "test"}),
		presign.Tagging("a=1&b=2"),
		presign.CacheControl("max-age=60"),
		presign.ContentDisposition("inline"),
		presign.ContentLength(1234),
		presign.ExpectedBucketOwner("111122223333"),
		presign.IfNoneMatch("*"),
	)
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := http.Header{
		"Content-Type":                                {"image/png"},
		"Content-Md5":                                 {"1B2M2Y8AsgTpgAmY7PhCfg=="},
		"X-Amz-Checksum-Crc32":                        {"AAAAAA=="},
		"X-Amz-Checksum-Sha256":                       {"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
		"X-Amz-Server-Side-Encryption":                {"aws:kms"},
		"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id": {"arn:aws:kms:us-east-1:111122223333:key/abc"},
		"X-Amz-Storage-Class":                         {"STANDARD_IA"},
		"X-Amz-Acl":                                   {"private"},
		"X-Amz-Meta-Owner":                            {"Ann"},
		"X-Amz-Meta-Purpose":                          {"test"},
		"X-Amz-Tagging":                               {"a=1&b=2"},
		"Cache-Control":                               {"max-age=60"},
		"Content-Disposition":                         {"inline"},
		"Content-Length":                              {"1234"},
		"If-None-Match":                               {"*"},
	}
	if len(r.Header) != len(wantHeader) {
		t.Errorf("got %d headers, want %d: %v", len(r.Header), len(wantHeader), r.Header)
	}
	for k, v := range wantHeader {
		if got := r.Header.Get(k); got != v[0] {
			t.Errorf("header %s = %q, want %q", k, got, v[0])
		}
	}
	u, _ := url.Parse(r.URL)
	q := u.Query()
	if got, want := q.Get("X-Amz-SignedHeaders"), "cache-control;content-disposition;content-length;content-md5;content-type;host;if-none-match;x-amz-acl;x-amz-checksum-crc32;x-amz-checksum-sha256;x-amz-meta-owner;x-amz-meta-purpose;x-amz-server-side-encryption;x-amz-server-side-encryption-aws-kms-key-id;x-amz-storage-class;x-amz-tagging"; got != want {
		t.Errorf("signed headers\n got %s\nwant %s", got, want)
	}
	// Headers that S3 reads from the query are hoisted into it.
	if q.Get("x-amz-expected-bucket-owner") != "111122223333" || q.Get("X-Amz-Server-Side-Encryption-Bucket-Key-Enabled") != "true" {
		t.Errorf("hoisted headers missing from the query: %s", r.URL)
	}
	checkSignature(t, r, "us-east-1")

	// SSE-C on a GET: the three headers, the key's MD5 computed.
	r, err = p.GetObject(ctx, "examplebucket", "k", time.Hour, presign.SSECustomerKey(sseKey), presign.Range("bytes=0-9"), presign.ChecksumMode())
	if err != nil {
		t.Fatal(err)
	}
	if r.Header.Get("X-Amz-Server-Side-Encryption-Customer-Algorithm") != "AES256" ||
		r.Header.Get("X-Amz-Server-Side-Encryption-Customer-Key") != "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" ||
		r.Header.Get("X-Amz-Server-Side-Encryption-Customer-Key-Md5") == "" || r.Header.Get("Range") != "bytes=0-9" {
		t.Errorf("SSE-C headers: %v", r.Header)
	}
	if !strings.Contains(r.URL, "X-Amz-Checksum-Mode=ENABLED") {
		t.Errorf("checksum mode not in the query: %s", r.URL)
	}
	checkSignature(t, r, "us-east-1")
}

func TestResponseOverrides(t *testing.T) {
	p := newPresigner(t, presign.Config{Region: "us-east-1"})
	r, err := p.GetObject(context.Background(), "examplebucket", "report.pdf", time.Hour,
		presign.VersionID("v1"),
		presign.ResponseContentDisposition(`attachment; filename="Q3 report.pdf"`),
		presign.ResponseContentType("application/pdf"),
		presign.ResponseContentLanguage("en"),
		presign.ResponseContentEncoding("identity"),
		presign.ResponseCacheControl("no-cache"),
		presign.ResponseExpires(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)),
		presign.PartNumber(2),
	)
	if err != nil {
		t.Fatal(err)
	}
	want := "versionId=v1&response-content-disposition=attachment%3B%20filename%3D%22Q3%20report.pdf%22" +
		"&response-content-type=application%2Fpdf&response-content-language=en&response-content-encoding=identity" +
		"&response-cache-control=no-cache&response-expires=Wed%2C%2002%20Jan%202030%2003%3A04%3A05%20GMT&partNumber=2"
	if got := opQuery(t, r.URL); got != want {
		t.Errorf("query\n got %s\nwant %s", got, want)
	}
	checkSignature(t, r, "us-east-1")
}

func TestRequestErrors(t *testing.T) {
	ctx := context.Background()
	p := newPresigner(t, presign.Config{Region: "us-east-1"})
	acc := newPresigner(t, presign.Config{Region: "us-east-1", Accelerate: true})
	tests := []struct {
		name string
		err  error
		do   func() (*presign.Request, error)
	}{
		{"empty bucket", presign.ErrInvalidBucket, func() (*presign.Request, error) { return p.GetObject(ctx, "", "k", time.Hour) }},
		{"slash in bucket", presign.ErrInvalidBucket, func() (*presign.Request, error) { return p.GetObject(ctx, "a/b", "k", time.Hour) }},
		{"ARN", presign.ErrInvalidBucket, func() (*presign.Request, error) {
			return p.GetObject(ctx, "arn:aws:s3:us-east-1:123456789012:accesspoint/ap", "k", time.Hour)
		}},
		{"accelerate dotted", presign.ErrInvalidBucket, func() (*presign.Request, error) { return acc.GetObject(ctx, "a.b.c", "k", time.Hour) }},
		{"empty key", presign.ErrInvalidKey, func() (*presign.Request, error) { return p.GetObject(ctx, "bucket", "", time.Hour) }},
		{"long key", presign.ErrInvalidKey, func() (*presign.Request, error) {
			return p.GetObject(ctx, "bucket", strings.Repeat("k", 1025), time.Hour)
		}},
		{"zero expiry", sigv4.ErrInvalidExpiry, func() (*presign.Request, error) { return p.GetObject(ctx, "bucket", "k", 0) }},
		{"sub-second expiry", sigv4.ErrInvalidExpiry, func() (*presign.Request, error) { return p.GetObject(ctx, "bucket", "k", time.Second-1) }},
		{"eight days", sigv4.ErrInvalidExpiry, func() (*presign.Request, error) { return p.GetObject(ctx, "bucket", "k", 8*24*time.Hour) }},
		{"bad MD5", presign.ErrInvalidOption, func() (*presign.Request, error) {
			return p.PutObject(ctx, "bucket", "k", time.Hour, presign.ContentMD5("abc"))
		}},
		{"bad checksum", presign.ErrInvalidOption, func() (*presign.Request, error) {
			return p.PutObject(ctx, "bucket", "k", time.Hour, presign.Checksum(presign.CRC32C, "AAAA"))
		}},
		{"unknown checksum", presign.ErrInvalidOption, func() (*presign.Request, error) {
			return p.PutObject(ctx, "bucket", "k", time.Hour, presign.Checksum("MD5", "AAAAAA=="))
		}},
		{"short SSE-C key", presign.ErrInvalidOption, func() (*presign.Request, error) {
			return p.PutObject(ctx, "bucket", "k", time.Hour, presign.SSECustomerKey([]byte("short")))
		}},
		{"part 0", presign.ErrInvalidOption, func() (*presign.Request, error) { return p.UploadPart(ctx, "bucket", "k", "id", 0, time.Hour) }},
		{"part 10001", presign.ErrInvalidOption, func() (*presign.Request, error) { return p.UploadPart(ctx, "bucket", "k", "id", 10001, time.Hour) }},
		{"no upload ID", presign.ErrInvalidOption, func() (*presign.Request, error) { return p.CompleteMultipartUpload(ctx, "bucket", "k", "", time.Hour) }},
		{"host header", presign.ErrInvalidOption, func() (*presign.Request, error) {
			return p.GetObject(ctx, "bucket", "k", time.Hour, presign.Header("Host", "evil"))
		}},
		{"negative length", presign.ErrInvalidOption, func() (*presign.Request, error) {
			return p.PutObject(ctx, "bucket", "k", time.Hour, presign.ContentLength(-1))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.do()
			if !errors.Is(err, tt.err) {
				t.Fatalf("got %v, %v; want %v", r, err, tt.err)
			}
			if !strings.HasPrefix(err.Error(), "presign: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestExpiryCappedByCredentials(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	temp := credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) {
		return credentials.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "secret", SessionToken: "tok/en+=",
			Expires: now.Add(20*time.Minute + 500*time.Millisecond), Source: "test"}, nil
	})
	p := newPresigner(t, presign.Config{Region: "us-east-1", Credentials: temp, Now: func() time.Time { return now }})
	r, err := p.GetObject(ctx, "bucket", "k", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(20 * time.Minute); !r.Expires.Equal(want) {
		t.Errorf("Expires = %v, want %v", r.Expires, want)
	}
	if !strings.Contains(r.URL, "X-Amz-Expires=1200&") || !strings.Contains(r.URL, "X-Amz-Security-Token=tok%2Fen%2B%3D") {
		t.Errorf("URL %s", r.URL)
	}
	// Within the credentials' life, strict or not, the URL is as asked.
	if r, err := p.GetObject(ctx, "bucket", "k", 10*time.Minute, presign.StrictExpiry()); err != nil || !r.Expires.Equal(now.Add(10*time.Minute)) {
		t.Errorf("10m strict: %v, %v", r, err)
	}
	// Strict, per call or per presigner: an error.
	if _, err := p.GetObject(ctx, "bucket", "k", time.Hour, presign.StrictExpiry()); !errors.Is(err, presign.ErrExpiryCapped) {
		t.Errorf("strict option: err = %v, want ErrExpiryCapped", err)
	}
	strict := newPresigner(t, presign.Config{Region: "us-east-1", Credentials: temp, Now: func() time.Time { return now }, StrictExpiry: true})
	if _, err := strict.PutObject(ctx, "bucket", "k", time.Hour); !errors.Is(err, presign.ErrExpiryCapped) {
		t.Errorf("strict config: err = %v, want ErrExpiryCapped", err)
	}
	// Expired credentials are an error.
	late := newPresigner(t, presign.Config{Region: "us-east-1", Credentials: temp, Now: func() time.Time { return now.Add(time.Hour) }})
	if _, err := late.GetObject(ctx, "bucket", "k", time.Hour); !errors.Is(err, sigv4.ErrExpiredCredentials) {
		t.Errorf("expired: err = %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	p := newPresigner(t, presign.Config{Region: "us-east-1"})
	want, err := p.PutObject(context.Background(), "bucket", "k", time.Hour, presign.ContentType("a/b"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	for range 4 {
		go func() {
			ok := true
			for range 200 {
				r, err := p.PutObject(context.Background(), "bucket", "k", time.Hour, presign.ContentType("a/b"))
				ok = ok && err == nil && r.URL == want.URL && r.Header.Get("Content-Type") == "a/b"
				if _, err := p.GetObject(context.Background(), "bucket", "other key", time.Hour, presign.VersionID("x")); err != nil {
					ok = false
				}
			}
			done <- ok
		}()
	}
	for range 4 {
		if !<-done {
			t.Error("concurrent presigning gave a different result")
		}
	}
}
