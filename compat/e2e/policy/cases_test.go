// Package policy_test posts browser-upload forms signed by sigv4kit's
// policy package to S3 servers and checks that each is accepted or refused
// as S3 would: versitygw (with -tags e2e, see compat/scripts/e2e.sh) and an
// in-process server built on policy.Verifier, with the same cases and the
// same expected outcomes.
package policy_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/policy"
)

// target is a server to post forms to.
type target struct {
	Endpoint string // http://127.0.0.1:port, path-style
	Bucket   string
	Region   string
	Creds    credentials.Credentials
	// Fetch returns an object's content and Content-Type.
	Fetch func(ctx context.Context, key string) (data []byte, contentType string, err error)
}

// outcome is what a server answered.
type outcome struct {
	Status int
	Code   string // S3 error code, "" on success
}

// postCase is one form and its expected outcome.
type postCase struct {
	name string
	// build returns the policy (given the unique key prefix), the signing
	// time, the credentials to sign with, and a function that adjusts the
	// signed form before it is posted.
	policy func(tg target, prefix string) *policy.Policy
	now    func() time.Time
	creds  func(tg target) credentials.Credentials
	edit   func(f map[string]string, prefix string)
	file   []byte
	want   outcome
	stored bool // the object must arrive, byte for byte
}

const maxSize = 1024

// basePolicy allows text files of 1 to 1024 bytes under prefix.
func basePolicy(tg target, prefix string) *policy.Policy {
	return policy.New(time.Now().Add(10*time.Minute)).
		Bucket(tg.Bucket).
		KeyStartsWith(prefix).
		ContentLengthRange(1, maxSize).
		ContentType("text/plain").
		SuccessActionStatus(201)
}

func cases() []postCase {
	file := []byte("hello, browser upload\n\x00\xff binary tail")
	return []postCase{
		{name: "accepted", file: file, want: outcome{201, ""}, stored: true},
		{name: "accepted max size", file: bytes.Repeat([]byte{'x'}, maxSize), want: outcome{201, ""}, stored: true},
		{name: "too large", file: bytes.Repeat([]byte{'x'}, maxSize+1), want: outcome{400, "EntityTooLarge"}},
		{name: "too small", file: []byte{}, want: outcome{400, "EntityTooSmall"}},
		{name: "key outside prefix", file: file, want: outcome{403, "AccessDenied"},
			edit: func(f map[string]string, prefix string) { f["key"] = "elsewhere/" + prefix + "x.txt" }},
		{name: "wrong content type", file: file, want: outcome{403, "AccessDenied"},
			edit: func(f map[string]string, _ string) { f["Content-Type"] = "text/html" }},
		{name: "uncovered field", file: file, want: outcome{403, "AccessDenied"},
			edit: func(f map[string]string, _ string) { f["x-amz-meta-extra"] = "1" }},
		{name: "other bucket", file: file, want: outcome{403, "AccessDenied"},
			policy: func(tg target, prefix string) *policy.Policy {
				return policy.New(time.Now().Add(10 * time.Minute)).Bucket(tg.Bucket + "-other").KeyStartsWith(prefix).
					ContentType("text/plain").SuccessActionStatus(201)
			}},
		{name: "expired policy", file: file, want: outcome{403, "AccessDenied"},
			policy: func(tg target, prefix string) *policy.Policy {
				return policy.New(time.Now().Add(-time.Minute)).Bucket(tg.Bucket).KeyStartsWith(prefix).
					ContentType("text/plain").SuccessActionStatus(201)
			},
			now: func() time.Time { return time.Now().Add(-10 * time.Minute) }},
		{name: "tampered signature", file: file, want: outcome{403, "SignatureDoesNotMatch"},
			edit: func(f map[string]string, _ string) {
				s := []byte(f["x-amz-signature"])
				if s[10] == '0' { // change the digit, whatever it is
					s[10] = '1'
				} else {
					s[10] = '0'
				}
				f["x-amz-signature"] = string(s)
			}},
		{name: "tampered policy", file: file, want: outcome{403, "SignatureDoesNotMatch"},
			edit: func(f map[string]string, _ string) {
				doc, _ := base64.StdEncoding.DecodeString(f["policy"])
				doc = bytes.Replace(doc, []byte(`,1024]`), []byte(`,1048576]`), 1)
				f["policy"] = base64.StdEncoding.EncodeToString(doc)
			}},
		{name: "wrong secret", file: file, want: outcome{403, "SignatureDoesNotMatch"},
			creds: func(tg target) credentials.Credentials {
				c := tg.Creds
				c.SecretAccessKey += "x"
				return c
			}},
	}
}

// runCases posts every case to tg and checks the outcomes.
func runCases(t *testing.T, tg target) {
	client := &http.Client{Timeout: 30 * time.Second}
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			prefix := "policy-e2e/" + randHex(6) + "/"
			build := basePolicy
			if c.policy != nil {
				build = c.policy
			}
			now := time.Now()
			if c.now != nil {
				now = c.now()
			}
			creds := tg.Creds
			if c.creds != nil {
				creds = c.creds(tg)
			}
			form, err := build(tg, prefix).Sign(creds, tg.Region, now)
			if err != nil {
				t.Fatal(err)
			}
			form.Fields["key"] = prefix + "file.txt"
			form.Fields["Content-Type"] = "text/plain"
			if c.edit != nil {
				c.edit(form.Fields, prefix)
			}
			action, err := policy.PathStyleURL(tg.Endpoint, tg.Bucket)
			if err != nil {
				t.Fatal(err)
			}
			got, body := post(t, client, action, form.Fields, "file.txt", c.file)
			if got != c.want {
				t.Fatalf("got %+v, want %+v; body:\n%s", got, c.want, body)
			}
			if !c.stored {
				return
			}
			data, ct, err := tg.Fetch(t.Context(), prefix+"file.txt")
			if err != nil {
				t.Fatalf("fetch: %v", err)
			}
			if !bytes.Equal(data, c.file) {
				t.Errorf("stored %d bytes %q, want %d bytes %q", len(data), data, len(c.file), c.file)
			}
			if ct != "text/plain" {
				t.Errorf("stored Content-Type %q, want text/plain", ct)
			}
		})
	}
}

// post sends fields (key first, then sorted) and the file as
// multipart/form-data and returns the outcome and the response body.
func post(t *testing.T, client *http.Client, action string, fields map[string]string, filename string, file []byte) (outcome, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	names := make([]string, 0, len(fields))
	for k := range fields {
		if k != "key" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	w.WriteField("key", fields["key"])
	for _, k := range names {
		w.WriteField(k, fields[k])
	}
	fw, _ := w.CreateFormFile("file", filename)
	fw.Write(file)
	w.Close()
	resp, err := client.Post(action, w.FormDataContentType(), &b)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	o := outcome{Status: resp.StatusCode}
	if resp.StatusCode >= 300 {
		var e struct{ Code string }
		xml.Unmarshal(body, &e)
		o.Code = e.Code
	}
	return o, string(body)
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
