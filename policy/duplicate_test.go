package policy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/sigv4kit/sigv4kit/policy"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// authConds are the conditions that cover the auth fields of postDoc's
// form.
const authConds = `{"x-amz-algorithm":"AWS4-HMAC-SHA256"},{"x-amz-credential":"AKIDEXAMPLE/20261201/us-east-1/s3/aws4_request"},{"x-amz-date":"20261201T110000Z"}`

// postDoc signs a policy document and verifies a form with key "k" posted
// to bucket "bkt" under it.
func postDoc(t *testing.T, doc string) error {
	fields := map[string]string{
		"key":              "k",
		"x-amz-algorithm":  "AWS4-HMAC-SHA256",
		"x-amz-credential": "AKIDEXAMPLE/20261201/us-east-1/s3/aws4_request",
		"x-amz-date":       "20261201T110000Z",
		"policy":           b64(doc),
	}
	fields["x-amz-signature"] = sign(testCreds.SecretAccessKey, fields["policy"])
	_, err := verifierFor(testCreds).VerifyFields(t.Context(), "bkt", fields, "", 0)
	return err
}

// TestDuplicateMembers checks that a member repeated in any object of a
// policy, at any depth, refuses the policy with an error naming it: two
// JSON parsers may read such a document differently (Go's keeps the last
// value, others the first), so a signed policy must mean one thing.
func TestDuplicateMembers(t *testing.T) {
	const exp = `"expiration":"2026-12-01T12:00:00Z"`
	tests := []struct {
		name, doc string
		dup       string // "": accepted
	}{
		{"none", `{` + exp + `,"conditions":[{"bucket":"bkt"},{"key":"k"},` + authConds + `]}`, ""},
		{"same member in two conditions", `{` + exp + `,"conditions":[{"bucket":"bkt"},{"bucket":"bkt"},{"key":"k"},` + authConds + `]}`, ""},
		{"condition object", `{` + exp + `,"conditions":[{"bucket":"other","bucket":"bkt"},{"key":"k"},` + authConds + `]}`, "bucket"},
		{"condition object, last first", `{` + exp + `,"conditions":[{"bucket":"bkt","bucket":"other"},{"key":"k"},` + authConds + `]}`, "bucket"},
		{"condition object, escaped", `{` + exp + `,"conditions":[{"bucket":"other","bucke\u0074":"bkt"},{"key":"k"},` + authConds + `]}`, "bucket"},
		{"condition object, same value", `{` + exp + `,"conditions":[{"key":"k","key":"k"},{"bucket":"bkt"},` + authConds + `]}`, "key"},
		{"top level", `{` + exp + `,"conditions":[],"conditions":[{"bucket":"bkt"},{"key":"k"},` + authConds + `]}`, "conditions"},
		{"top level, escaped", `{` + exp + `,"\u0065xpiration":"2026-12-01T12:30:00Z","conditions":[{"bucket":"bkt"},{"key":"k"},` + authConds + `]}`, "expiration"},
		{"inside an array condition", `{` + exp + `,"conditions":[["eq","$key",{"a":1,"a":2}],{"bucket":"bkt"},` + authConds + `]}`, "a"},
		{"deep", `{` + exp + `,"conditions":[[[[{"x":{"y":1,"y":2}}]]],{"bucket":"bkt"},` + authConds + `]}`, "y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := postDoc(t, tt.doc)
			if tt.dup == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ae *sigv4.AuthError
			if !errors.As(err, &ae) || ae.Code != policy.CodeInvalidPolicyDocument || !strings.Contains(ae.Message, `duplicate member "`+tt.dup+`"`) {
				t.Fatalf("error %v, want %s naming the duplicate member %q", err, policy.CodeInvalidPolicyDocument, tt.dup)
			}
		})
	}
}

// hasDuplicate reports whether some JSON object in doc repeats a member,
// reading the document recursively (the package reads it iteratively).
func hasDuplicate(doc []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(doc))
	var value func() (bool, error)
	value = func() (bool, error) {
		tok, err := dec.Token()
		if err != nil {
			return false, err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			dup := false
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return false, err
				}
				dup = dup || seen[k.(string)]
				seen[k.(string)] = true
				d, err := value()
				if err != nil {
					return false, err
				}
				dup = dup || d
			}
			_, err := dec.Token()
			return dup, err
		case json.Delim('['):
			dup := false
			for dec.More() {
				d, err := value()
				if err != nil {
					return false, err
				}
				dup = dup || d
			}
			_, err := dec.Token()
			return dup, err
		}
		return false, nil
	}
	dup, err := value()
	return err == nil && dup
}

// FuzzPolicyDocument signs arbitrary policy documents and verifies a form
// under them: no panic, only AuthErrors, and nothing accepted whose JSON
// repeats a member anywhere.
func FuzzPolicyDocument(f *testing.F) {
	const exp = `"expiration":"2026-12-01T12:00:00Z"`
	for _, doc := range []string{
		`{` + exp + `,"conditions":[{"bucket":"bkt"},{"key":"k"},` + authConds + `]}`,
		`{` + exp + `,"conditions":[{"bucket":"other","bucket":"bkt"},{"key":"k"},` + authConds + `]}`,
		`{` + exp + `,"conditions":[["eq","$bucket","bkt"],["starts-with","$key",""],["content-length-range",0,10],` + authConds + `]}`,
		`{` + exp + `,"conditions":[],"conditions":[{"bucket":"bkt"},{"key":"k"},` + authConds + `]}`,
		`{` + exp + `,"conditions":[[[[{"x":{"y":1,"y":2}}]]],{"bucket":"bkt"},` + authConds + `]}`,
		`{"conditions":[{"key":"k"},{"bucket":"bkt"},` + authConds + `],` + exp + `}`,
		`[]`, `{}`, `{"a":{"b":[{"c":1,"c\u0000":2}]}}`,
	} {
		f.Add(doc)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		err := postDoc(t, doc)
		if err != nil {
			var ae *sigv4.AuthError
			if !errors.As(err, &ae) || ae.Code == "" || ae.StatusCode < 400 {
				t.Fatalf("error %v is not an S3 AuthError", err)
			}
			return
		}
		if hasDuplicate([]byte(doc)) {
			t.Fatalf("accepted a policy that repeats a member: %s", doc)
		}
	})
}
