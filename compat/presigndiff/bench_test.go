package presigndiff

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sigv4kit/sigv4kit/presign"
)

// The workload of presign's BenchmarkGetObject: a GetObject URL for a
// virtual-hosted bucket, valid for an hour, from static credentials.
const (
	benchBucket = "examplebucket"
	benchKey    = "photos/2026/11/cat picture.jpg"
)

// BenchmarkPresignGetObject presigns the workload with the presign package
// and with aws-sdk-go-v2's S3 presign client (its defaults, the real clock).
func BenchmarkPresignGetObject(b *testing.B) {
	ctx := context.Background()
	b.Run("sigv4kit", func(b *testing.B) {
		p := ourPresigner(b, scenario{region: "us-east-1"})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.GetObject(ctx, benchBucket, benchKey, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("aws-sdk-go-v2", func(b *testing.B) {
		c := s3.NewPresignClient(s3.New(s3.Options{
			Region: "us-east-1",
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}, nil
			}),
		}))
		in := &s3.GetObjectInput{Bucket: aws.String(benchBucket), Key: aws.String(benchKey)}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.PresignGetObject(ctx, in, s3.WithPresignExpires(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

var contentTypePNG = presign.ContentType("image/png")

// BenchmarkPresignPutObject presigns an upload that enforces its content
// type, both ways.
func BenchmarkPresignPutObject(b *testing.B) {
	ctx := context.Background()
	b.Run("sigv4kit", func(b *testing.B) {
		p := ourPresigner(b, scenario{region: "us-east-1"})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.PutObject(ctx, benchBucket, benchKey, time.Hour, contentTypePNG); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("aws-sdk-go-v2", func(b *testing.B) {
		c := s3.NewPresignClient(s3.New(s3.Options{
			Region: "us-east-1",
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}, nil
			}),
		}))
		in := &s3.PutObjectInput{Bucket: aws.String(benchBucket), Key: aws.String(benchKey), ContentType: aws.String("image/png")}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.PresignPutObject(ctx, in, s3.WithPresignExpires(time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
