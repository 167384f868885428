// Package presigndiff compares the presign package's GetObject and
// PutObject URLs with those of aws-sdk-go-v2's S3 presign client: for many
// keys, buckets, regions and options, at a fixed time, both must give the
// same host and path, the same signed query parameters, the same signed
// headers and the same signature. It also benchmarks the two side by side.
package presigndiff

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/presign"
)

const (
	accessKey = "AKIAIOSFODNN7EXAMPLE"
	secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	token     = "FQoGZXIvYXdzEJr//////////wEaDOPQ+tok/en="
)

var signTime = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// fixedTimePresigner wraps the SDK's presigner: it signs at signTime and
// drops the x-id query parameter that the SDK adds to every S3 operation
// (an SDK marker that the presign package does not send).
type fixedTimePresigner struct{ v4 *v4.Signer }

func (f fixedTimePresigner) PresignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, optFns ...func(*v4.SignerOptions)) (string, http.Header, error) {
	q := r.URL.Query()
	q.Del("x-id")
	r.URL.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return f.v4.PresignHTTP(ctx, creds, r, payloadHash, service, region, signTime, optFns...)
}

func sdkClient(sc scenario) *s3.PresignClient {
	o := s3.Options{
		Region: sc.region,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey, SessionToken: sc.sessionToken}, nil
		}),
		UsePathStyle:  sc.pathStyle,
		UseAccelerate: sc.accelerate,
	}
	if sc.endpoint != "" {
		o.BaseEndpoint = aws.String(sc.endpoint)
	}
	if sc.dualStack {
		o.EndpointOptions.UseDualStackEndpoint = aws.DualStackEndpointStateEnabled
	}
	if sc.fips {
		o.EndpointOptions.UseFIPSEndpoint = aws.FIPSEndpointStateEnabled
	}
	return s3.NewPresignClient(s3.New(o), func(o *s3.PresignOptions) {
		// The S3 client's own default presigner, at a fixed time.
		o.Presigner = fixedTimePresigner{v4.NewSigner(func(so *v4.SignerOptions) { so.DisableURIPathEscaping = true })}
	})
}

func ourPresigner(t testing.TB, sc scenario) *presign.Presigner {
	p, err := presign.New(presign.Config{
		Region:      sc.region,
		Credentials: credentials.Static(accessKey, secretKey, sc.sessionToken),
		Endpoint:    sc.endpoint,
		PathStyle:   sc.pathStyle,
		DualStack:   sc.dualStack,
		FIPS:        sc.fips,
		Accelerate:  sc.accelerate,
		Now:         func() time.Time { return signTime },
		Getenv:      func(string) string { return "" },
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var keys = []string{
	"with space.txt",
	"ünïcödé-日本.txt",
	"plus+sign.txt",
	"eq=ual.txt",
	"tilde~x.txt",
	"per%cent.txt",
	"per%20cent.txt",
	"mix a+b=c~d%e&f?g#h.txt",
	"semi;colon,comma!bang'quote(paren)*star@at$dollar.txt",
	"a/b/c/deep.txt",
	"photos/2026/11/cat picture.jpg",
	"a//b", "/leading", "trailing/", "./dot", "a/../b", "..", "emoji-😀", "brackets[]{}|\\^`<>\"",
	"tab\tkey", "ÅÄÖ åäö", "UPPER lower 123",
}

// option is one presign option and its SDK equivalent.
type option struct {
	name string
	ours []presign.Option
	get  func(*s3.GetObjectInput)
	put  func(*s3.PutObjectInput)
}

var sseKey = []byte("0123456789abcdef0123456789abcdef")

func sseKeyMD5() string {
	s := md5.Sum(sseKey)
	return base64.StdEncoding.EncodeToString(s[:])
}

var options = []option{
	{name: "none"},
	{name: "version", ours: []presign.Option{presign.VersionID("3/L4kqtJl40Nr8X8gdRQBpUMLUo+=")},
		get: func(in *s3.GetObjectInput) { in.VersionId = aws.String("3/L4kqtJl40Nr8X8gdRQBpUMLUo+=") }},
	{name: "disposition", ours: []presign.Option{presign.ResponseContentDisposition(`attachment; filename="Q3 report (final).pdf"`)},
		get: func(in *s3.GetObjectInput) {
			in.ResponseContentDisposition = aws.String(`attachment; filename="Q3 report (final).pdf"`)
		}},
	{name: "response type", ours: []presign.Option{presign.ResponseContentType("text/plain; charset=utf-8")},
		get: func(in *s3.GetObjectInput) { in.ResponseContentType = aws.String("text/plain; charset=utf-8") }},
	{name: "response language", ours: []presign.Option{presign.ResponseContentLanguage("de-CH")},
		get: func(in *s3.GetObjectInput) { in.ResponseContentLanguage = aws.String("de-CH") }},
	{name: "response encoding", ours: []presign.Option{presign.ResponseContentEncoding("gzip")},
		get: func(in *s3.GetObjectInput) { in.ResponseContentEncoding = aws.String("gzip") }},
	{name: "response cache", ours: []presign.Option{presign.ResponseCacheControl("no-cache, max-age=0")},
		get: func(in *s3.GetObjectInput) { in.ResponseCacheControl = aws.String("no-cache, max-age=0") }},
	{name: "response expires", ours: []presign.Option{presign.ResponseExpires(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))},
		get: func(in *s3.GetObjectInput) {
			in.ResponseExpires = aws.Time(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
		}},
	{name: "part number", ours: []presign.Option{presign.PartNumber(3)},
		get: func(in *s3.GetObjectInput) { in.PartNumber = aws.Int32(3) }},
	{name: "range", ours: []presign.Option{presign.Range("bytes=0-1023")},
		get: func(in *s3.GetObjectInput) { in.Range = aws.String("bytes=0-1023") }},
	{name: "if-match", ours: []presign.Option{presign.IfMatch(`"abc"`)},
		get: func(in *s3.GetObjectInput) { in.IfMatch = aws.String(`"abc"`) },
		put: func(in *s3.PutObjectInput) { in.IfMatch = aws.String(`"abc"`) }},
	{name: "checksum mode", ours: []presign.Option{presign.ChecksumMode()},
		get: func(in *s3.GetObjectInput) { in.ChecksumMode = types.ChecksumModeEnabled }},
	{name: "expected owner", ours: []presign.Option{presign.ExpectedBucketOwner("111122223333")},
		get: func(in *s3.GetObjectInput) { in.ExpectedBucketOwner = aws.String("111122223333") },
		put: func(in *s3.PutObjectInput) { in.ExpectedBucketOwner = aws.String("111122223333") }},
	{name: "request payer", ours: []presign.Option{presign.RequestPayer()},
		get: func(in *s3.GetObjectInput) { in.RequestPayer = types.RequestPayerRequester },
		put: func(in *s3.PutObjectInput) { in.RequestPayer = types.RequestPayerRequester }},
	{name: "SSE-C", ours: []presign.Option{presign.SSECustomerKey(sseKey)},
		get: func(in *s3.GetObjectInput) {
			in.SSECustomerAlgorithm = aws.String("AES256")
			in.SSECustomerKey = aws.String(base64.StdEncoding.EncodeToString(sseKey))
			in.SSECustomerKeyMD5 = aws.String(sseKeyMD5())
		},
		put: func(in *s3.PutObjectInput) {
			in.SSECustomerAlgorithm = aws.String("AES256")
			in.SSECustomerKey = aws.String(base64.StdEncoding.EncodeToString(sseKey))
			in.SSECustomerKeyMD5 = aws.String(sseKeyMD5())
		}},
	{name: "content type", ours: []presign.Option{presign.ContentType("image/png")},
		put: func(in *s3.PutObjectInput) { in.ContentType = aws.String("image/png") }},
	{name: "content MD5", ours: []presign.Option{presign.ContentMD5("1B2M2Y8AsgTpgAmY7PhCfg==")},
		put: func(in *s3.PutObjectInput) { in.ContentMD5 = aws.String("1B2M2Y8AsgTpgAmY7PhCfg==") }},
	{name: "content length", ours: []presign.Option{presign.ContentLength(5 << 20)},
		put: func(in *s3.PutObjectInput) { in.ContentLength = aws.Int64(5 << 20) }},
	{name: "crc32", ours: []presign.Option{presign.Checksum(presign.CRC32, "AAAAAA==")},
		put: func(in *s3.PutObjectInput) { in.ChecksumCRC32 = aws.String("AAAAAA==") }},
	{name: "crc32c", ours: []presign.Option{presign.Checksum(presign.CRC32C, "yZRlqg==")},
		put: func(in *s3.PutObjectInput) { in.ChecksumCRC32C = aws.String("yZRlqg==") }},
	{name: "sha256", ours: []presign.Option{presign.Checksum(presign.SHA256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")},
		put: func(in *s3.PutObjectInput) {
			in.ChecksumSHA256 = aws.String("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
		}},
	{name: "sse-s3", ours: []presign.Option{presign.ServerSideEncryption("AES256")},
		put: func(in *s3.PutObjectInput) { in.ServerSideEncryption = types.ServerSideEncryptionAes256 }},
	{name: "sse-kms", ours: []presign.Option{
		presign.ServerSideEncryption("aws:kms"),
		presign.SSEKMSKeyID("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
		presign.SSEKMSEncryptionContext("eyJhIjoiYiJ9"),
		presign.BucketKeyEnabled(true),
	},
		put: func(in *s3.PutObjectInput) {
			in.ServerSideEncryption = types.ServerSideEncryptionAwsKms
			in.SSEKMSKeyId = aws.String("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
			in.SSEKMSEncryptionContext = aws.String("eyJhIjoiYiJ9")
			in.BucketKeyEnabled = aws.Bool(true)
		}},
	{name: "storage class", ours: []presign.Option{presign.StorageClass("STANDARD_IA")},
		put: func(in *s3.PutObjectInput) { in.StorageClass = types.StorageClassStandardIa }},
	{name: "acl", ours: []presign.Option{presign.ACL("bucket-owner-full-control")},
		put: func(in *s3.PutObjectInput) { in.ACL = types.ObjectCannedACLBucketOwnerFullControl }},
	{name: "metadata", ours: []presign.Option{presign.Metadata(map[string]string{"owner": "Ann Smith", "project": "x=1;y=2"})},
		put: func(in *s3.PutObjectInput) {
			in.Metadata = map[string]string{"owner": "Ann Smith", "project": "x=1;y=2"}
		}},
	{name: "tagging", ours: []presign.Option{presign.Tagging("team=data&env=prod")},
		put: func(in *s3.PutObjectInput) { in.Tagging = aws.String("team=data&env=prod") }},
	{name: "cache control", ours: []presign.Option{presign.CacheControl("public, max-age=86400")},
		put: func(in *s3.PutObjectInput) { in.CacheControl = aws.String("public, max-age=86400") }},
	{name: "content disposition", ours: []presign.Option{presign.ContentDisposition("inline")},
		put: func(in *s3.PutObjectInput) { in.ContentDisposition = aws.String("inline") }},
	{name: "if-none-match", ours: []presign.Option{presign.IfNoneMatch("*")},
		put: func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") }},
}

// allOf combines the options of several rows into one row.
func allOf(rows ...option) option {
	o := option{name: "all"}
	for _, r := range rows {
		o.ours = append(o.ours, r.ours...)
		if r.get != nil {
			g, prev := r.get, o.get
			o.get = func(in *s3.GetObjectInput) {
				if prev != nil {
					prev(in)
				}
				g(in)
			}
		}
		if r.put != nil {
			p, prev := r.put, o.put
			o.put = func(in *s3.PutObjectInput) {
				if prev != nil {
					prev(in)
				}
				p(in)
			}
		}
	}
	return o
}

// scenario is a presigner configuration on both sides.
type scenario struct {
	name                        string
	region                      string
	pathStyle                   bool
	sessionToken                string
	bucket                      string
	endpoint                    string
	dualStack, fips, accelerate bool
}

var scenarios = []scenario{
	{name: "us-east-1 virtual", region: "us-east-1", bucket: "examplebucket"},
	{name: "eu-west-1 virtual with token", region: "eu-west-1", sessionToken: token, bucket: "my-bucket-2026"},
	{name: "path-style", region: "eu-central-1", pathStyle: true, bucket: "examplebucket"},
	{name: "dotted bucket", region: "ap-southeast-2", bucket: "my.dotted.bucket"},
	{name: "upper-case bucket", region: "us-west-2", bucket: "Legacy_Bucket"},
	{name: "dual-stack", region: "eu-west-3", dualStack: true, bucket: "examplebucket"},
	{name: "fips", region: "us-gov-west-1", fips: true, bucket: "examplebucket"},
	{name: "accelerate", region: "us-east-2", accelerate: true, bucket: "examplebucket"},
	{name: "accelerate dual-stack", region: "us-east-2", accelerate: true, dualStack: true, bucket: "examplebucket"},
	{name: "china", region: "cn-north-1", bucket: "examplebucket"},
	{name: "custom endpoint", region: "us-east-1", endpoint: "http://127.0.0.1:9000", pathStyle: true, bucket: "mybucket"},
}

// parsed is a presigned URL taken apart for comparison.
type parsed struct {
	base      string // scheme, host and escaped path
	query     url.Values
	signature string
}

func parse(t *testing.T, raw string) parsed {
	t.Helper()
	b, q, _ := strings.Cut(raw, "?")
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	p := parsed{base: b, query: v, signature: v.Get("X-Amz-Signature")}
	return p
}

// compare checks that our request and the SDK's agree.
func compare(t *testing.T, ours *presign.Request, sdkURL, sdkMethod string, sdkHeader http.Header) {
	t.Helper()
	a, b := parse(t, ours.URL), parse(t, sdkURL)
	if ours.Method != sdkMethod {
		t.Errorf("method %s, SDK %s", ours.Method, sdkMethod)
	}
	if a.base != b.base {
		t.Errorf("base\n ours %s\n  SDK %s", a.base, b.base)
	}
	for _, k := range union(a.query, b.query) {
		if k == "X-Amz-Signature" {
			continue
		}
		if !slices.Equal(a.query[k], b.query[k]) {
			t.Errorf("query %s: ours %q, SDK %q", k, a.query[k], b.query[k])
		}
	}
	if a.signature == "" || a.signature != b.signature {
		t.Errorf("signature ours %s, SDK %s\n ours %s\n  SDK %s", a.signature, b.signature, ours.URL, sdkURL)
	}
	// The headers the client must send: the SDK lists Host too.
	want := sdkHeader.Clone()
	want.Del("Host")
	for _, k := range union(ours.Header, want) {
		if !slices.Equal(ours.Header[k], want[k]) {
			t.Errorf("header %s: ours %q, SDK %q", k, ours.Header[k], want[k])
		}
	}
}

func union[M ~map[string][]string](a, b M) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func TestGetObjectMatchesSDK(t *testing.T) {
	ctx := context.Background()
	getRows := []option{}
	for _, o := range options {
		if o.get != nil || o.name == "none" {
			getRows = append(getRows, o)
		}
	}
	getRows = append(getRows, allOf(getRows[1:]...))
	for _, sc := range scenarios {
		sdk := sdkClient(sc)
		ours := ourPresigner(t, sc)
		for _, key := range keys {
			for _, o := range getRows {
				t.Run(fmt.Sprintf("%s/%q/%s", sc.name, key, o.name), func(t *testing.T) {
					in := &s3.GetObjectInput{Bucket: aws.String(sc.bucket), Key: aws.String(key)}
					if o.get != nil {
						o.get(in)
					}
					want, err := sdk.PresignGetObject(ctx, in, s3.WithPresignExpires(time.Hour))
					if err != nil {
						t.Fatal(err)
					}
					got, err := ours.GetObject(ctx, sc.bucket, key, time.Hour, o.ours...)
					if err != nil {
						t.Fatal(err)
					}
					compare(t, got, want.URL, want.Method, want.SignedHeader)
				})
			}
		}
	}
}

func TestPutObjectMatchesSDK(t *testing.T) {
	ctx := context.Background()
	putRows := []option{}
	for _, o := range options {
		if o.put != nil || o.name == "none" {
			putRows = append(putRows, o)
		}
	}
	// Every option at once, less the conditional and SSE-S3 rows that
	// contradict others.
	var combined []option
	for _, o := range putRows[1:] {
		if o.name != "sse-s3" && o.name != "if-match" {
			combined = append(combined, o)
		}
	}
	putRows = append(putRows, allOf(combined...))
	for _, sc := range scenarios {
		sdk := sdkClient(sc)
		ours := ourPresigner(t, sc)
		for _, key := range keys {
			for _, o := range putRows {
				t.Run(fmt.Sprintf("%s/%q/%s", sc.name, key, o.name), func(t *testing.T) {
					in := &s3.PutObjectInput{Bucket: aws.String(sc.bucket), Key: aws.String(key)}
					if o.put != nil {
						o.put(in)
					}
					want, err := sdk.PresignPutObject(ctx, in, s3.WithPresignExpires(15*time.Minute))
					if err != nil {
						t.Fatal(err)
					}
					got, err := ours.PutObject(ctx, sc.bucket, key, 15*time.Minute, o.ours...)
					if err != nil {
						t.Fatal(err)
					}
					compare(t, got, want.URL, want.Method, want.SignedHeader)
				})
			}
		}
	}
}
