package streamclients

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/sigv4kit/sigv4kit/sigv4"
)

// sdkClient returns an aws-sdk-go-v2 S3 client for the plain or TLS
// server, without retries.
func (s *servers) sdkClient(secure, virtualHost bool, calc aws.RequestChecksumCalculation) *s3.Client {
	endpoint := s.url(secure)
	if virtualHost {
		// bkt.example.com, dialled to the server (see transport).
		endpoint = "http://example.com"
		if secure {
			endpoint = "https://example.com"
		}
	}
	return s3.New(s3.Options{
		Region:                     region,
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               !virtualHost,
		RequestChecksumCalculation: calc,
		HTTPClient:                 &http.Client{Transport: s.transport(secure, virtualHost)},
		Retryer:                    aws.NopRetryer{},
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}, nil
		}),
	})
}

// unseekable hides every method of its reader but Read.
type unseekable struct{ r io.Reader }

func (u unseekable) Read(p []byte) (int, error) { return u.r.Read(p) }

// bodyKind is how a test hands the SDK its body.
type bodyKind int

const (
	seekable           bodyKind = iota // *bytes.Reader
	unseekableLength                   // a plain io.Reader, ContentLength set
	unseekableNoLength                 // a plain io.Reader, no ContentLength
)

func (k bodyKind) String() string {
	return [...]string{"seekable", "unseekable+ContentLength", "unseekable"}[k]
}

// TestAWSSDKPutObjectModes uploads with aws-sdk-go-v2's PutObject under
// each option that decides the encoding, and asserts the mode the Verifier
// saw, then GET byte for byte. aws-sdk-go-v2 never signs chunks: its only
// aws-chunked mode is STREAMING-UNSIGNED-PAYLOAD-TRAILER, over HTTPS, for
// a non-empty body with a checksum.
func TestAWSSDKPutObjectModes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s *servers) {
		for _, tc := range []struct {
			name        string
			secure      bool
			virtualHost bool
			calc        aws.RequestChecksumCalculation // zero: WhenSupported, config.LoadDefaultConfig's default
			unset       bool                           // s3.Options' zero RequestChecksumCalculation: no checksum
			alg         types.ChecksumAlgorithm
			body        bodyKind
			unsigned    bool // v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware
			sizes       []int
			want        want
			wantErr     string // the SDK's error, before sending
			wantRefusal string // the Verifier's refusal
		}{
			// HTTPS: a trailer whenever a checksum is computed.
			{name: "https-default", secure: true, want: unsignedTrailer(sigv4.ChecksumCRC32)},
			{name: "https-virtual-host", secure: true, virtualHost: true, want: unsignedTrailer(sigv4.ChecksumCRC32)},
			{name: "https-CRC32C", secure: true, alg: types.ChecksumAlgorithmCrc32c, want: unsignedTrailer(sigv4.ChecksumCRC32C)},
			{name: "https-CRC64NVME", secure: true, alg: types.ChecksumAlgorithmCrc64nvme, want: unsignedTrailer(sigv4.ChecksumCRC64NVME)},
			{name: "https-SHA1", secure: true, alg: types.ChecksumAlgorithmSha1, want: unsignedTrailer(sigv4.ChecksumSHA1)},
			{name: "https-SHA256", secure: true, alg: types.ChecksumAlgorithmSha256, want: unsignedTrailer(sigv4.ChecksumSHA256)},
			{name: "https-options-unset", secure: true, unset: true, want: want{payload: sigv4.UnsignedPayload}},
			{name: "https-when-required", secure: true, calc: aws.RequestChecksumCalculationWhenRequired, want: want{payload: sigv4.UnsignedPayload}},
			{name: "https-when-required-SHA256", secure: true, calc: aws.RequestChecksumCalculationWhenRequired, alg: types.ChecksumAlgorithmSha256, want: unsignedTrailer(sigv4.ChecksumSHA256)},
			{name: "https-when-required-unsigned", secure: true, calc: aws.RequestChecksumCalculationWhenRequired, unsigned: true, want: want{payload: sigv4.UnsignedPayload}},
			{name: "https-unsigned-middleware", secure: true, unsigned: true, want: unsignedTrailer(sigv4.ChecksumCRC32)},
			{name: "https-unseekable-length", secure: true, body: unseekableLength, want: unsignedTrailer(sigv4.ChecksumCRC32)},
			{name: "https-unseekable-no-length", secure: true, body: unseekableNoLength, sizes: []int{1}, wantRefusal: "MissingContentLength"},
			{name: "https-empty", secure: true, sizes: []int{0}, want: want{payload: sigv4.UnsignedPayload, checksum: sigv4.ChecksumCRC32}},
			// HTTP: never aws-chunked; the checksum goes in a header.
			{name: "http-default", want: want{payload: "sha256", checksum: sigv4.ChecksumCRC32}},
			{name: "http-virtual-host", virtualHost: true, want: want{payload: "sha256", checksum: sigv4.ChecksumCRC32}},
			{name: "http-SHA256", alg: types.ChecksumAlgorithmSha256, want: want{payload: "sha256", checksum: sigv4.ChecksumSHA256}},
			// The checksum middleware hashes the body with SHA-256 too and
			// sets the payload hash before UnsignedPayload would.
			{name: "http-unsigned-middleware", unsigned: true, want: want{payload: "sha256", checksum: sigv4.ChecksumCRC32}},
			{name: "http-when-required-unsigned", calc: aws.RequestChecksumCalculationWhenRequired, unsigned: true, want: want{payload: sigv4.UnsignedPayload}},
			{name: "http-when-required-unseekable-unsigned", calc: aws.RequestChecksumCalculationWhenRequired, unsigned: true, body: unseekableLength, want: want{payload: sigv4.UnsignedPayload}},
			{name: "http-options-unset", unset: true, want: want{payload: "sha256"}},
			{name: "http-when-required", calc: aws.RequestChecksumCalculationWhenRequired, want: want{payload: "sha256"}},
			{name: "http-unseekable-length", body: unseekableLength, sizes: []int{1}, wantErr: "unseekable stream is not supported without TLS and trailing checksum"},
			{name: "http-when-required-unseekable", calc: aws.RequestChecksumCalculationWhenRequired, body: unseekableLength, sizes: []int{1}, wantErr: "failed to compute payload hash: failed to seek body to start, request stream is not seekable"},
			{name: "http-empty", sizes: []int{0}, want: want{payload: "sha256", checksum: sigv4.ChecksumCRC32}},
		} {
			// objectserver is path-style only.
			if s.lacks(tc.virtualHost, false) {
				continue
			}
			t.Run(tc.name, func(t *testing.T) {
				calc := tc.calc
				if calc == aws.RequestChecksumCalculationUnset && !tc.unset {
					calc = aws.RequestChecksumCalculationWhenSupported
				}
				client := s.sdkClient(tc.secure, tc.virtualHost, calc)
				var opts []func(*s3.Options)
				if tc.unsigned {
					opts = append(opts, s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
				}
				sz := tc.sizes
				if sz == nil {
					sz = uploadSizes
				}
				for i, size := range sz {
					key := fmt.Sprintf("sdk/%s/%d", tc.name, size)
					data := randomData(size, uint64(i))
					in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumAlgorithm: tc.alg}
					switch tc.body {
					case seekable:
						in.Body = bytes.NewReader(data)
					case unseekableLength:
						in.Body, in.ContentLength = unseekable{bytes.NewReader(data)}, aws.Int64(int64(size))
					case unseekableNoLength:
						in.Body = unseekable{bytes.NewReader(data)}
					}
					_, err := client.PutObject(context.Background(), in, opts...)
					switch {
					case tc.wantErr != "":
						if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
							t.Fatalf("size %d: PutObject error %v, want %q", size, err, tc.wantErr)
						}
						if ups := s.store.uploadsOf(key); len(ups) != 0 {
							t.Fatalf("size %d: the SDK sent %d requests", size, len(ups))
						}
						continue
					case tc.wantRefusal != "":
						var ae smithy.APIError
						if !errors.As(err, &ae) || ae.ErrorCode() != tc.wantRefusal {
							t.Fatalf("size %d: PutObject error %v, want the server's %s", size, err, tc.wantRefusal)
						}
						ups := s.store.uploadsOf(key)
						if len(ups) != 1 || ups[0].code != tc.wantRefusal || !strings.Contains(ups[0].contentEncoding, "aws-chunked") || !ups[0].chunkedTE {
							t.Fatalf("size %d: uploads %+v, want one aws-chunked, Transfer-Encoding: chunked, refused %s", size, ups, tc.wantRefusal)
						}
						if _, ok := s.store.object(key); ok {
							t.Fatalf("size %d: a refused upload was stored", size)
						}
						continue
					case err != nil:
						t.Fatalf("size %d: PutObject: %v", size, err)
					}
					s.check(t, key, data, tc.want)
					out, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
					if err != nil {
						t.Fatalf("size %d: GetObject: %v", size, err)
					}
					got, err := io.ReadAll(out.Body)
					out.Body.Close()
					if err != nil || !bytes.Equal(got, data) {
						t.Fatalf("size %d: GetObject: %d bytes (err %v), equal %v", size, len(got), err, bytes.Equal(got, data))
					}
				}
			})
		}
	})
}
