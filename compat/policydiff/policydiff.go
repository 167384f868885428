// Package policydiff checks sigv4kit's POST policies against minio-go's
// PostPolicy: for the same conditions, the forms of both are accepted, or
// refused with the same S3 error, by the same server, and their policy
// documents hold the same conditions.
//
// [Check] runs the comparison against one server. This package's test runs
// it against an in-process server built on policy.Verifier (and versitygw
// when the SIGV4_E2E_* variables are set); compat/e2e/policy runs it against
// the versitygw of compat/scripts/e2e.sh.
package policydiff

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/policy"
)

// Server is where both forms go: an S3 endpoint with path-style
// addressing, a bucket, the region and credentials it accepts.
type Server struct {
	Endpoint string // http://host:port
	Bucket   string
	Region   string
	Creds    credentials.Credentials
}

// scenario is one set of conditions, written for both builders.
type scenario struct {
	name  string
	ours  func(p *policy.Policy, bucket, prefix string) *policy.Policy
	minio func(p *minio.PostPolicy, bucket, prefix string) error
	// fields are the values the browser submits (besides the signed ones).
	fields func(prefix string) map[string]string
}

func scenarios() []scenario {
	key := func(prefix string) map[string]string { return map[string]string{"key": prefix + "k.txt"} }
	return []scenario{
		{
			name: "key equals",
			ours: func(p *policy.Policy, b, prefix string) *policy.Policy {
				return p.Bucket(b).Key(prefix+"k.txt").ContentLengthRange(0, 100)
			},
			minio: func(p *minio.PostPolicy, b, prefix string) error {
				return errors.Join(p.SetBucket(b), p.SetKey(prefix+"k.txt"), p.SetContentLengthRange(0, 100))
			},
			fields: key,
		},
		{
			name: "key prefix and size",
			ours: func(p *policy.Policy, b, prefix string) *policy.Policy {
				return p.Bucket(b).KeyStartsWith(prefix).ContentLengthRange(1, 100)
			},
			minio: func(p *minio.PostPolicy, b, prefix string) error {
				return errors.Join(p.SetBucket(b), p.SetKeyStartsWith(prefix), p.SetContentLengthRange(1, 100))
			},
			fields: key,
		},
		{
			name: "content type",
			ours: func(p *policy.Policy, b, prefix string) *policy.Policy {
				return p.Bucket(b).KeyStartsWith(prefix).ContentType("text/plain").ContentLengthRange(0, 100)
			},
			minio: func(p *minio.PostPolicy, b, prefix string) error {
				return errors.Join(p.SetBucket(b), p.SetKeyStartsWith(prefix), p.SetContentType("text/plain"), p.SetContentLengthRange(0, 100))
			},
			fields: func(prefix string) map[string]string {
				return map[string]string{"key": prefix + "k.txt", "Content-Type": "text/plain"}
			},
		},
		{
			name: "content type prefix",
			ours: func(p *policy.Policy, b, prefix string) *policy.Policy {
				return p.Bucket(b).KeyStartsWith(prefix).ContentTypeStartsWith("text/").ContentLengthRange(0, 100)
			},
			minio: func(p *minio.PostPolicy, b, prefix string) error {
				return errors.Join(p.SetBucket(b), p.SetKeyStartsWith(prefix), p.SetContentTypeStartsWith("text/"), p.SetContentLengthRange(0, 100))
			},
			fields: func(prefix string) map[string]string {
				return map[string]string{"key": prefix + "k.txt", "Content-Type": "text/csv"}
			},
		},
		{
			name: "metadata, disposition, encoding, status",
			ours: func(p *policy.Policy, b, prefix string) *policy.Policy {
				return p.Bucket(b).KeyStartsWith(prefix).Meta("owner", "alice").MetaStartsWith("tag", "t-").
					ContentDisposition("attachment").ContentEncoding("identity").SuccessActionStatus(201).ContentLengthRange(0, 100)
			},
			minio: func(p *minio.PostPolicy, b, prefix string) error {
				return errors.Join(p.SetBucket(b), p.SetKeyStartsWith(prefix), p.SetUserMetadata("owner", "alice"),
					p.SetUserMetadataStartsWith("tag", "t-"), p.SetContentDisposition("attachment"),
					p.SetContentEncoding("identity"), p.SetSuccessStatusAction("201"), p.SetContentLengthRange(0, 100))
			},
			fields: func(prefix string) map[string]string {
				return map[string]string{"key": prefix + "k.txt", "x-amz-meta-owner": "alice", "x-amz-meta-tag": "t-1",
					"Content-Disposition": "attachment", "Content-Encoding": "identity", "success_action_status": "201"}
			},
		},
	}
}

// variant changes the submission; each must give the same outcome for
// both forms.
type variant struct {
	name string
	edit func(fields map[string]string)
	file []byte
}

var variants = []variant{
	{"as signed", nil, []byte("hello")},
	{"too large", nil, bytes.Repeat([]byte("x"), 101)},
	{"key elsewhere", func(f map[string]string) { f["key"] = "elsewhere/k.txt" }, []byte("hello")},
	{"extra field", func(f map[string]string) { f["x-amz-meta-extra"] = "1" }, []byte("hello")},
	{"tampered signature", func(f map[string]string) { f["x-amz-signature"] = strings.Repeat("0", 64) }, []byte("hello")},
}

// Check signs every scenario with both libraries, compares the policy
// documents, and posts each form with every variant to srv: the outcomes
// must be equal, and only the unchanged forms accepted.
func Check(t *testing.T, srv Server) {
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			prefix := fmt.Sprintf("policydiff/%d/", time.Now().UnixNano())
			ours, theirs := signBoth(t, srv, sc, prefix)
			compareConditions(t, ours["policy"], theirs["policy"])
			for _, v := range variants {
				o := submit(t, srv, ours, sc.fields(prefix), v)
				m := submit(t, srv, theirs, sc.fields(prefix), v)
				if o != m {
					t.Errorf("%s: sigv4kit's form got %v, minio-go's %v", v.name, o, m)
				}
				if v.name == "as signed" && o.status >= 300 {
					t.Errorf("%s: refused: %v", v.name, o)
				}
				if v.name != "as signed" && o.status < 300 {
					t.Errorf("%s: accepted", v.name)
				}
			}
		})
	}
}

// signBoth signs the scenario with both libraries.
func signBoth(t *testing.T, srv Server, sc scenario, prefix string) (ours, theirs map[string]string) {
	t.Helper()
	exp := time.Now().Add(10 * time.Minute)
	f, err := sc.ours(policy.New(exp), srv.Bucket, prefix).Sign(srv.Creds, srv.Region, time.Now())
	if err != nil {
		t.Fatalf("sigv4kit: %v", err)
	}
	u, _ := url.Parse(srv.Endpoint)
	client, err := minio.New(u.Host, &minio.Options{
		Creds:  miniocreds.NewStaticV4(srv.Creds.AccessKeyID, srv.Creds.SecretAccessKey, ""),
		Secure: u.Scheme == "https", Region: srv.Region,
	})
	if err != nil {
		t.Fatal(err)
	}
	mp := minio.NewPostPolicy()
	if err := errors.Join(mp.SetExpires(exp), sc.minio(mp, srv.Bucket, prefix)); err != nil {
		t.Fatalf("minio-go: %v", err)
	}
	_, form, err := client.PresignedPostPolicy(t.Context(), mp)
	if err != nil {
		t.Fatalf("minio-go: %v", err)
	}
	return f.Fields, form
}

// condKey is a condition in normal form.
type condKey struct{ op, field, value string }

// conditions parses a base64 policy into normalized conditions, without
// x-amz-date (the two libraries sign a moment apart).
func conditions(t *testing.T, b64 string) []condKey {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Conditions []json.RawMessage `json:"conditions"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("policy %s: %v", raw, err)
	}
	var out []condKey
	for _, c := range doc.Conditions {
		var obj map[string]string
		var arr []any
		switch {
		case json.Unmarshal(c, &obj) == nil:
			for k, v := range obj {
				out = append(out, condKey{"eq", strings.ToLower(k), v})
			}
		case json.Unmarshal(c, &arr) == nil && len(arr) == 3:
			op := fmt.Sprint(arr[0])
			if op == "content-length-range" {
				out = append(out, condKey{op, fmt.Sprint(arr[1]), fmt.Sprint(arr[2])})
			} else {
				out = append(out, condKey{op, strings.ToLower(strings.TrimPrefix(fmt.Sprint(arr[1]), "$")), fmt.Sprint(arr[2])})
			}
		default:
			t.Fatalf("condition %s", c)
		}
	}
	out = slices.DeleteFunc(out, func(c condKey) bool { return c.field == "x-amz-date" })
	slices.SortFunc(out, func(a, b condKey) int { return strings.Compare(a.op+a.field+a.value, b.op+b.field+b.value) })
	return out
}

func compareConditions(t *testing.T, ours, theirs string) {
	t.Helper()
	o, m := conditions(t, ours), conditions(t, theirs)
	if !slices.Equal(o, m) {
		t.Errorf("conditions differ:\nsigv4kit %v\nminio-go %v", o, m)
	}
}

type outcome struct {
	status int
	code   string
}

// submit posts a signed form with the browser's values and the variant.
func submit(t *testing.T, srv Server, signed, browser map[string]string, v variant) outcome {
	t.Helper()
	fields := map[string]string{}
	for k, val := range signed {
		fields[k] = val
	}
	for k, val := range browser {
		fields[k] = val
	}
	if v.edit != nil {
		v.edit(fields)
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, k := range names {
		w.WriteField(k, fields[k])
	}
	fw, _ := w.CreateFormFile("file", "k.txt")
	fw.Write(v.file)
	w.Close()
	action, err := policy.PathStyleURL(srv.Endpoint, srv.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(action, w.FormDataContentType(), &b)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var e struct{ Code string }
	xml.Unmarshal(body, &e)
	return outcome{resp.StatusCode, e.Code}
}
