package verifydiff

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	kitcreds "github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/examples/objectserver/objectstore"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// TestS3ClientAgainstObjectServer drives the object server (sigv4kit's
// Verifier in front) with aws-sdk-go-v2's S3 client: every request the
// SDK signs must verify.
func TestS3ClientAgainstObjectServer(t *testing.T) {
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "s3", Regions: []string{"us-east-1"},
		Secrets: sigv4.StaticSecrets(kitcreds.Credentials{AccessKeyID: "AKIDSDK", SecretAccessKey: "sdk/secret", SessionToken: "sdk-token"})})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	srv := &objectstore.Server{Backend: objectstore.NewMemory("bkt"), Verifier: v,
		Log: func(_ *http.Request, status int, code string) {
			if code != "" {
				codes = append(codes, code)
			}
		}}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	client := s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(ts.URL),
		UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDSDK", SecretAccessKey: "sdk/secret", SessionToken: "sdk-token"}, nil
		}),
	})
	ctx := context.Background()
	for _, key := range []string{"plain.txt", "dir/with space+plus=eq&amp.txt", "ünïcödé/日本.txt", "tilde~(paren)*star!.txt"} {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key),
			Body: strings.NewReader("content of " + key), ContentType: aws.String("text/plain"),
			Metadata: map[string]string{"color": "blue"}}); err != nil {
			t.Fatalf("PutObject %q: %v (server codes %v)", key, err, codes)
		}
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject %q: %v", key, err)
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(b) != "content of "+key {
			t.Errorf("GetObject %q = %q", key, b)
		}
		if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key)}); err != nil {
			t.Fatalf("HeadObject %q: %v", key, err)
		}
	}
	list, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), MaxKeys: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 2 || !aws.ToBool(list.IsTruncated) {
		t.Fatalf("ListObjectsV2 page 1: %d objects, truncated %v", len(list.Contents), aws.ToBool(list.IsTruncated))
	}
	list, err = client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), ContinuationToken: list.NextContinuationToken})
	if err != nil || len(list.Contents) != 2 {
		t.Fatalf("ListObjectsV2 page 2: %v", err)
	}
	if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String("plain.txt")}); err != nil {
		t.Fatal(err)
	}
	// Presigned by the SDK's presign client.
	pc := s3.NewPresignClient(client)
	p, err := pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("ünïcödé/日本.txt")})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "content of ünïcödé/日本.txt" {
		t.Fatalf("presigned GET: %d %s", resp.StatusCode, b)
	}
	if len(codes) != 0 {
		t.Errorf("the server refused some of the SDK's requests: %v", codes)
	}
}
