package policy_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/policy"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// A policy for browser uploads of images of up to 10 MiB into uploads/.
func ExamplePolicy_JSON() {
	expiration := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	p := policy.New(expiration).
		Bucket("photos").
		KeyStartsWith("uploads/").
		ContentLengthRange(1, 10<<20).
		ContentTypeStartsWith("image/").
		SuccessActionStatus(201)
	doc, err := p.JSON()
	if err != nil {
		panic(err)
	}
	fmt.Println(string(doc))
	// Output:
	// {"expiration":"2026-12-01T12:00:00.000Z","conditions":[{"bucket":"photos"},["starts-with","$key","uploads/"],["content-length-range",1,10485760],["starts-with","$Content-Type","image/"],{"success_action_status":"201"}]}
}

// Values are always escaped: a key cannot add a condition.
func ExamplePolicy_JSON_escaping() {
	expiration := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	doc, _ := policy.New(expiration).Bucket("b").Key(`x"},{"acl":"public-read`).JSON()
	fmt.Println(string(doc))
	// Output:
	// {"expiration":"2026-12-01T12:00:00.000Z","conditions":[{"bucket":"b"},{"key":"x\"},{\"acl\":\"public-read"}]}
}

// Builder mistakes surface once, from Err, JSON or Sign.
func ExamplePolicy_Err() {
	p := policy.New(time.Now().Add(time.Hour)).Bucket("b").Key("k").ContentLengthRange(100, 10)
	fmt.Println(p.Err())
	// Output:
	// policy: invalid condition: ContentLengthRange: minimum 100 is greater than maximum 10
}

// Sign returns the form fields; HTML renders a form that posts them.
func ExamplePolicy_Sign() {
	now := time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)
	creds := credentials.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	form, err := policy.New(now.Add(15*time.Minute)).
		Bucket("photos").
		Key("uploads/${filename}").
		ContentLengthRange(0, 1<<20).
		Sign(creds, "us-east-1", now)
	if err != nil {
		panic(err)
	}
	for _, name := range []string{"key", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"} {
		fmt.Printf("%s: %s\n", name, form.Fields[name])
	}
	first, _, _ := strings.Cut(form.HTML(policy.BucketURL("us-east-1", "photos")), "\n")
	fmt.Println(first)
	// Output:
	// key: uploads/${filename}
	// x-amz-algorithm: AWS4-HMAC-SHA256
	// x-amz-credential: AKIDEXAMPLE/20261201/us-east-1/s3/aws4_request
	// x-amz-date: 20261201T110000Z
	// x-amz-signature: 4848eae8a5991f4e6b2c3540a4d4cff53c2158104574f76f52dcf7c39ced4010
	// <form action="https://photos.s3.us-east-1.amazonaws.com/" method="post" enctype="multipart/form-data">
}

// A server verifies a POST upload, streams the file, and answers as S3.
func ExampleVerifier() {
	v := &policy.Verifier{
		Lookup: func(ctx context.Context, accessKeyID string) (credentials.Credentials, error) {
			if accessKeyID == "AKIDEXAMPLE" {
				return credentials.Credentials{AccessKeyID: accessKeyID, SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}, nil
			}
			return credentials.Credentials{}, errors.New("unknown access key")
		},
		Region: "us-east-1",
	}
	http.HandleFunc("POST /{bucket}", func(w http.ResponseWriter, r *http.Request) {
		u, err := v.VerifyRequest(r, r.PathValue("bucket"))
		if err == nil {
			_, err = io.Copy(io.Discard, u.File) // store u.File as u.Bucket/u.Key; EntityTooLarge stops it
		}
		var ae *sigv4.AuthError
		if errors.As(err, &ae) {
			ae.WriteHTTP(w, r, "")
			return
		} else if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		u.WriteSuccess(w, "/"+u.Bucket+"/"+u.Key, `"etag"`)
	})
}
