// Package bench runs the workloads of ANCHORS.md with sigv4kit and with the
// three anchors — aws-sdk-go-v2 (aws/signer/v4), smithy-go aws-http-auth
// (sigv4) and minio-go (pkg/signer) — over identical inputs, in one
// `go test -bench` run, so that benchstat can put them side by side:
//
//	BenchmarkS3GetHeader/impl=sigv4kit     header-sign an S3 GET, 6 signed headers
//	BenchmarkS3GetPresign/impl=...         presign an S3 GET, URL string out
//	BenchmarkDynamoDBPost/impl=...         header-sign a DynamoDB POST, 200-byte body hashed
//
// with impl one of sigv4kit, awssdk, awshttpauth and miniogo.
// TestSameSignatures proves that the four produce the same signature for
// each workload, so that the benchmarks compare the same work.
//
// Alignment of inputs:
//   - Every signer signs the same headers. The S3 GET signs host,
//     if-none-match, range, x-amz-content-sha256, x-amz-date and
//     x-amz-expected-bucket-owner (User-Agent is sent, not signed).
//   - minio-go takes the payload hash only from the X-Amz-Content-Sha256
//     header, which it then signs, and signs Content-Length only when it
//     is in the header map. So the DynamoDB POST signs content-length,
//     content-type, host, x-amz-content-sha256, x-amz-date and
//     x-amz-target with all four (sigv4kit: ContentSHA256Header: On;
//     aws-http-auth: AddPayloadHashHeader; the Content-Length header is in
//     the map for aws-http-auth and minio-go, and ignored there by sigv4kit
//     and aws-sdk-go-v2, which take req.ContentLength).
//   - aws-http-auth signs only host and x-amz-* headers by default; it gets
//     a rule that signs every header but sigv4kit's deny list.
//   - Presigning: aws-sdk-go-v2 and aws-http-auth need X-Amz-Expires in the
//     query; aws-http-auth and minio-go write into the request's URL, which
//     is reset before each iteration (a field assignment, no allocation).
//   - minio-go reads the clock itself (time.Now); the others get a fixed
//     time. TestSameSignatures signs with minio-go first and gives the
//     others the time it used.
//   - Each signer hashes the 200-byte body in the DynamoDB workload:
//     sigv4kit and aws-http-auth through the body, aws-sdk-go-v2 and
//     minio-go in the caller (sha256 and hex, as their clients do).
package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	sdkv4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	hacreds "github.com/aws/smithy-go/aws-http-auth/credentials"
	hasigv4 "github.com/aws/smithy-go/aws-http-auth/sigv4"
	hav4 "github.com/aws/smithy-go/aws-http-auth/v4"
	miniosigner "github.com/minio/minio-go/v7/pkg/signer"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// Inputs shared by every workload.
const (
	AccessKey = "AKIAIOSFODNN7EXAMPLE"
	SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	Region    = "us-east-1"

	s3URL      = "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2026/11/cat%20picture.jpg"
	dynamoURL  = "https://dynamodb.us-east-1.amazonaws.com/"
	expiresSec = 3600
)

// Impls are the signers compared, in table order.
var Impls = []string{"sigv4kit", "awssdk", "awshttpauth", "miniogo"}

// Workloads are the benchmarked workloads.
var Workloads = []string{"S3GetHeader", "S3GetPresign", "DynamoDBPost"}

// Op is one prepared signer for one workload: Run does the work measured in
// the benchmark loop; Signature returns the signature of the last Run.
type Op struct {
	Run       func() error
	Signature func() string
	// SignedHeaders returns the signed header list of the last Run.
	SignedHeaders func() string
	// Time returns the signing time of the last Run (minio-go reads the
	// clock; the others return the fixed time they were given).
	Time func() time.Time
}

// dynamoBody is the 200-byte JSON body of the DynamoDB GetItem POST.
func dynamoBody() []byte {
	body := bytes.Repeat([]byte("x"), 200)
	copy(body, `{"TableName":"Music","Key":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"}},"P":"`)
	body[199] = '}'
	return body
}

func s3GetRequest(withContentHeader bool) *http.Request {
	req, err := http.NewRequest("GET", s3URL, nil)
	if err != nil {
		panic(err)
	}
	req.Header.Set("Range", "bytes=0-1023")
	req.Header.Set("If-None-Match", `"9b2cf535f27731c974343645a3985328"`)
	req.Header.Set("X-Amz-Expected-Bucket-Owner", "111122223333")
	req.Header.Set("User-Agent", "sigv4kit-bench/1.0")
	if withContentHeader {
		req.Header.Set("X-Amz-Content-Sha256", sigv4.EmptyPayloadHash)
	}
	return req
}

// readSeekCloser is a request body that aws-http-auth can hash and rewind.
type readSeekCloser struct{ *bytes.Reader }

func (readSeekCloser) Close() error { return nil }

func dynamoRequest(contentLengthHeader bool) *http.Request {
	body := dynamoBody()
	req, err := http.NewRequest("POST", dynamoURL, bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Body = readSeekCloser{bytes.NewReader(body)}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
	if contentLengthHeader {
		req.Header.Set("Content-Length", "200")
	}
	return req
}

// signedByDefault is sigv4kit's rule, for aws-http-auth.
type signedByDefault struct{}

func (signedByDefault) IsSigned(h string) bool {
	switch h {
	case "authorization", "user-agent", "x-amzn-trace-id", "expect", "transfer-encoding", "connection":
		return false
	}
	return true
}

func fixed(t time.Time) func() time.Time { return func() time.Time { return t } }

// authSignature extracts Signature= from an Authorization header.
func authSignature(h http.Header) string {
	_, sig, _ := strings.Cut(h.Get("Authorization"), "Signature=")
	return sig
}

// authSigned extracts SignedHeaders= from an Authorization header.
func authSigned(h http.Header) string {
	_, rest, _ := strings.Cut(h.Get("Authorization"), "SignedHeaders=")
	signed, _, _ := strings.Cut(rest, ",")
	return signed
}

// urlSigned extracts X-Amz-SignedHeaders from a URL.
func urlSigned(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "bad URL: " + err.Error()
	}
	return u.Query().Get("X-Amz-SignedHeaders")
}

// urlSignature extracts X-Amz-Signature from a URL.
func urlSignature(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "bad URL: " + err.Error()
	}
	return u.Query().Get("X-Amz-Signature")
}

func amzDate(s string) time.Time {
	t, err := time.Parse("20060102T150405Z", s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// NewOp prepares impl for workload, signing at time at (minio-go uses the
// clock instead).
func NewOp(workload, impl string, at time.Time) (*Op, error) {
	ctx := context.Background()
	switch workload + "/" + impl {
	case "S3GetHeader/sigv4kit":
		s, err := sigv4.New(sigv4.Config{Service: "s3", Region: Region,
			Credentials: credentials.Static(AccessKey, SecretKey, ""), Now: fixed(at)})
		if err != nil {
			return nil, err
		}
		req := s3GetRequest(false)
		return &Op{
			Run:           func() error { return s.Sign(ctx, req, sigv4.EmptyPayloadHash) },
			Signature:     func() string { return authSignature(req.Header) },
			SignedHeaders: func() string { return authSigned(req.Header) },
			Time:          fixed(at),
		}, nil
	case "S3GetHeader/awssdk":
		s := sdkv4.NewSigner(func(o *sdkv4.SignerOptions) { o.DisableURIPathEscaping = true })
		creds := awssdk.Credentials{AccessKeyID: AccessKey, SecretAccessKey: SecretKey}
		req := s3GetRequest(true)
		return &Op{
			Run: func() error {
				return s.SignHTTP(ctx, creds, req, sigv4.EmptyPayloadHash, "s3", Region, at)
			},
			Signature:     func() string { return authSignature(req.Header) },
			SignedHeaders: func() string { return authSigned(req.Header) },
			Time:          fixed(at),
		}, nil
	case "S3GetHeader/awshttpauth":
		s := hasigv4.New(func(o *hav4.SignerOptions) {
			o.HeaderRules = signedByDefault{}
			o.DisableDoublePathEscape = true
			o.AddPayloadHashHeader = true
		})
		creds := hacreds.Credentials{AccessKeyID: AccessKey, SecretAccessKey: SecretKey}
		emptySum := sha256.Sum256(nil)
		req := s3GetRequest(false)
		return &Op{
			Run: func() error {
				return s.SignRequest(&hasigv4.SignRequestInput{Request: req, PayloadHash: emptySum[:],
					Credentials: creds, Service: "s3", Region: Region, Time: at})
			},
			Signature:     func() string { return authSignature(req.Header) },
			SignedHeaders: func() string { return authSigned(req.Header) },
			Time:          fixed(at),
		}, nil
	case "S3GetHeader/miniogo":
		req := s3GetRequest(true)
		var out *http.Request
		return &Op{
			Run: func() error {
				out = miniosigner.SignV4(*req, AccessKey, SecretKey, "", Region)
				return nil
			},
			Signature:     func() string { return authSignature(out.Header) },
			SignedHeaders: func() string { return authSigned(out.Header) },
			Time:          func() time.Time { return amzDate(out.Header.Get("X-Amz-Date")) },
		}, nil

	case "S3GetPresign/sigv4kit":
		s, err := sigv4.New(sigv4.Config{Service: "s3", Region: Region,
			Credentials: credentials.Static(AccessKey, SecretKey, ""), Now: fixed(at)})
		if err != nil {
			return nil, err
		}
		req, _ := http.NewRequest("GET", s3URL, nil)
		var u string
		return &Op{
			Run: func() error {
				p, err := s.Presign(ctx, req, expiresSec*time.Second)
				if err != nil {
					return err
				}
				u = p.URL
				return nil
			},
			Signature:     func() string { return urlSignature(u) },
			SignedHeaders: func() string { return urlSigned(u) },
			Time:          fixed(at),
		}, nil
	case "S3GetPresign/awssdk":
		s := sdkv4.NewSigner(func(o *sdkv4.SignerOptions) { o.DisableURIPathEscaping = true })
		creds := awssdk.Credentials{AccessKeyID: AccessKey, SecretAccessKey: SecretKey}
		req, _ := http.NewRequest("GET", s3URL+"?X-Amz-Expires="+fmt.Sprint(expiresSec), nil)
		var u string
		return &Op{
			Run: func() error {
				var err error
				u, _, err = s.PresignHTTP(ctx, creds, req, sigv4.UnsignedPayload, "s3", Region, at)
				return err
			},
			Signature:     func() string { return urlSignature(u) },
			SignedHeaders: func() string { return urlSigned(u) },
			Time:          fixed(at),
		}, nil
	case "S3GetPresign/awshttpauth":
		s := hasigv4.New(func(o *hav4.SignerOptions) {
			o.HeaderRules = signedByDefault{}
			o.DisableDoublePathEscape = true
		})
		creds := hacreds.Credentials{AccessKeyID: AccessKey, SecretAccessKey: SecretKey}
		req, _ := http.NewRequest("GET", s3URL, nil)
		const query = "X-Amz-Expires=3600"
		var u string
		return &Op{
			Run: func() error {
				req.URL.RawQuery = query
				err := s.SignRequest(&hasigv4.SignRequestInput{Request: req, PayloadHash: hav4.UnsignedPayload(),
					Credentials: creds, Service: "s3", Region: Region, Time: at,
					SignatureType: hav4.SignatureTypeQueryString})
				u = req.URL.String()
				return err
			},
			Signature:     func() string { return urlSignature(u) },
			SignedHeaders: func() string { return urlSigned(u) },
			Time:          fixed(at),
		}, nil
	case "S3GetPresign/miniogo":
		req, _ := http.NewRequest("GET", s3URL, nil)
		var u string
		return &Op{
			Run: func() error {
				req.URL.RawQuery = ""
				u = miniosigner.PreSignV4(*req, AccessKey, SecretKey, "", Region, expiresSec).URL.String()
				return nil
			},
			Signature:     func() string { return urlSignature(u) },
			SignedHeaders: func() string { return urlSigned(u) },
			Time: func() time.Time {
				pu, _ := url.Parse(u)
				return amzDate(pu.Query().Get("X-Amz-Date"))
			},
		}, nil

	case "DynamoDBPost/sigv4kit":
		s, err := sigv4.New(sigv4.Config{Service: "dynamodb", Region: Region,
			Credentials: credentials.Static(AccessKey, SecretKey, ""), Now: fixed(at),
			ContentSHA256Header: sigv4.On})
		if err != nil {
			return nil, err
		}
		req := dynamoRequest(false)
		return &Op{
			Run:           func() error { return s.Sign(ctx, req, "") },
			Signature:     func() string { return authSignature(req.Header) },
			SignedHeaders: func() string { return authSigned(req.Header) },
			Time:          fixed(at),
		}, nil
	case "DynamoDBPost/awssdk":
		s := sdkv4.NewSigner()
		creds := awssdk.Credentials{AccessKeyID: AccessKey, SecretAccessKey: SecretKey}
		req := dynamoRequest(false)
		body := dynamoBody()
		return &Op{
			Run: func() error {
				sum := sha256.Sum256(body)
				h := hex.EncodeToString(sum[:])
				req.Header.Set("X-Amz-Content-Sha256", h)
				return s.SignHTTP(ctx, creds, req, h, "dynamodb", Region, at)
			},
			Signature:     func() string { return authSignature(req.Header) },
			SignedHeaders: func() string { return authSigned(req.Header) },
			Time:          fixed(at),
		}, nil
	case "DynamoDBPost/awshttpauth":
		s := hasigv4.New(func(o *hav4.SignerOptions) {
			o.HeaderRules = signedByDefault{}
			o.AddPayloadHashHeader = true
		})
		creds := hacreds.Credentials{AccessKeyID: AccessKey, SecretAccessKey: SecretKey}
		req := dynamoRequest(true)
		return &Op{
			Run: func() error {
				return s.SignRequest(&hasigv4.SignRequestInput{Request: req,
					Credentials: creds, Service: "dynamodb", Region: Region, Time: at})
			},
			Signature:     func() string { return authSignature(req.Header) },
			SignedHeaders: func() string { return authSigned(req.Header) },
			Time:          fixed(at),
		}, nil
	case "DynamoDBPost/miniogo":
		req := dynamoRequest(true)
		body := dynamoBody()
		var out *http.Request
		return &Op{
			Run: func() error {
				sum := sha256.Sum256(body)
				req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
				out = miniosigner.SignV4WithServiceType(*req, AccessKey, SecretKey, "", Region, "dynamodb")
				return nil
			},
			Signature:     func() string { return authSignature(out.Header) },
			SignedHeaders: func() string { return authSigned(out.Header) },
			Time:          func() time.Time { return amzDate(out.Header.Get("X-Amz-Date")) },
		}, nil
	}
	return nil, fmt.Errorf("bench: unknown workload/impl %s/%s", workload, impl)
}
