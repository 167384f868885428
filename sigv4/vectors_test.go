package sigv4_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// AWS's published documentation examples (Amazon S3 API Reference,
// "Authenticating Requests (AWS Signature Version 4)", and the IAM User
// Guide's SigV4 example), transcribed so that a clone without the external
// suites still checks real signatures.

const (
	s3DocAccessKey = "AKIAIOSFODNN7EXAMPLE"
	s3DocSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var s3DocTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

func s3DocSigner(t testing.TB, hook func(string, bool) bool) *sigv4.Signer {
	t.Helper()
	s, err := sigv4.New(sigv4.Config{
		Service:     "s3",
		Region:      "us-east-1",
		Credentials: credentials.Static(s3DocAccessKey, s3DocSecret, ""),
		Now:         func() time.Time { return s3DocTime },
		SignHeader:  hook,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPublishedHeaderExamples(t *testing.T) {
	const welcome = "Welcome to Amazon S3."
	tests := []struct {
		name          string
		method, url   string
		header        map[string]string
		body          string
		payloadHash   string
		hook          func(string, bool) bool
		contentLength int64
		service       string
		wantSigned    string
		wantSignature string
	}{
		{
			name:   "S3 GET Object",
			method: "GET", url: "https://examplebucket.s3.amazonaws.com/test.txt",
			header:        map[string]string{"Range": "bytes=0-9"},
			payloadHash:   sigv4.EmptyPayloadHash,
			wantSigned:    "host;range;x-amz-content-sha256;x-amz-date",
			wantSignature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		},
		{
			name:   "S3 PUT Object",
			method: "PUT", url: "https://examplebucket.s3.amazonaws.com/test$file.text",
			header: map[string]string{"Date": "Fri, 24 May 2013 00:00:00 GMT", "X-Amz-Storage-Class": "REDUCED_REDUNDANCY"},
			body:   welcome,
			// The example does not sign Content-Length: the hook leaves it out.
			hook:          func(name string, def bool) bool { return def && name != "content-length" },
			contentLength: int64(len(welcome)),
			wantSigned:    "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
			wantSignature: "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
		},
		{
			name:   "S3 GET Bucket lifecycle",
			method: "GET", url: "https://examplebucket.s3.amazonaws.com/?lifecycle",
			payloadHash:   sigv4.EmptyPayloadHash,
			wantSigned:    "host;x-amz-content-sha256;x-amz-date",
			wantSignature: "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
		},
		{
			name:   "S3 GET Bucket (list objects)",
			method: "GET", url: "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J",
			payloadHash:   sigv4.EmptyPayloadHash,
			wantSigned:    "host;x-amz-content-sha256;x-amz-date",
			wantSignature: "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
		},
		{
			name:   "S3 chunked upload seed",
			method: "PUT", url: "https://s3.amazonaws.com/examplebucket/chunkObject.txt",
			header: map[string]string{
				"Content-Encoding":             "aws-chunked",
				"X-Amz-Decoded-Content-Length": "66560",
				"X-Amz-Storage-Class":          "REDUCED_REDUNDANCY",
			},
			contentLength: 66824,
			payloadHash:   sigv4.StreamingPayload,
			wantSigned:    "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
			wantSignature: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
		},
		{
			name:   "IAM ListUsers",
			method: "GET", url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
			header:        map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
			service:       "iam",
			wantSigned:    "content-type;host;x-amz-date",
			wantSignature: "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body *strings.Reader
			req, err := http.NewRequest(tt.method, tt.url, nil)
			if tt.body != "" {
				body = strings.NewReader(tt.body)
				req, err = http.NewRequest(tt.method, tt.url, body)
			}
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = tt.contentLength
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			s := s3DocSigner(t, tt.hook)
			if tt.service == "iam" {
				s, err = sigv4.New(sigv4.Config{
					Service: "iam", Region: "us-east-1",
					Credentials: credentials.Static(suiteAccessKey, suiteSecret, ""),
					Now:         func() time.Time { return suiteTime },
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Sign(context.Background(), req, tt.payloadHash); err != nil {
				t.Fatal(err)
			}
			auth := req.Header.Get("Authorization")
			if want := "SignedHeaders=" + tt.wantSigned + ","; !strings.Contains(auth, want) {
				t.Errorf("Authorization %q lacks %q", auth, want)
			}
			if !strings.HasSuffix(auth, "Signature="+tt.wantSignature) {
				tr, _ := s.Explain(context.Background(), req, tt.payloadHash)
				t.Errorf("Authorization %q, want signature %s\ncanonical request:\n%s", auth, tt.wantSignature, tr.CanonicalRequest)
			}
		})
	}
}

func TestPublishedPresignExample(t *testing.T) {
	s := s3DocSigner(t, nil)
	req, _ := http.NewRequest("GET", "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	p, err := s.Presign(context.Background(), req, 86400*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
		"&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
		"&X-Amz-Date=20130524T000000Z&X-Amz-SignedHeaders=host&X-Amz-Expires=86400" +
		"&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
	if p.URL != want {
		t.Errorf("URL\n got %s\nwant %s", p.URL, want)
	}
	if len(p.Header) != 0 {
		t.Errorf("Header = %v, want none besides Host", p.Header)
	}
	if want := s3DocTime.Add(24 * time.Hour); !p.Expires.Equal(want) {
		t.Errorf("Expires = %v, want %v", p.Expires, want)
	}
}

func TestSigningKeyPublished(t *testing.T) {
	// The IAM example's signing key, from AWS's SigV4 documentation.
	got := SigningKeyHex(suiteSecret, suiteTime, "us-east-1", "iam")
	if want := "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"; got != want {
		t.Errorf("SigningKey = %s, want %s", got, want)
	}
}

func SigningKeyHex(secret string, t time.Time, region, service string) string {
	return hexString(sigv4.SigningKey(secret, t, region, service))
}
