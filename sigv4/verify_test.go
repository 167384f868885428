package sigv4_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// The verifier's tests sign requests with the Signer, send them through
// their HTTP/1.1 wire form (Request.Write, then http.ReadRequest, as a
// server reads them) and verify the server-side request.

var (
	vTime   = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	vCreds  = credentials.Credentials{AccessKeyID: "AKIAVERIFYEXAMPLE", SecretAccessKey: "verify/secret+key"}
	vTokens = credentials.Credentials{AccessKeyID: "ASIAVERIFYEXAMPLE", SecretAccessKey: "temp/secret", SessionToken: "FQoG+token/with=odd&chars"}
)

func vSigner(t testing.TB, service string, c credentials.Credentials, cfg sigv4.Config) *sigv4.Signer {
	t.Helper()
	cfg.Service, cfg.Region = service, "us-east-1"
	cfg.Credentials = credentials.Static(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	cfg.Now = func() time.Time { return vTime }
	s, err := sigv4.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func vVerifier(t testing.TB, service string, cfg sigv4.VerifierConfig) *sigv4.Verifier {
	t.Helper()
	cfg.Service = service
	if cfg.Regions == nil {
		cfg.Regions = []string{"us-east-1", "eu-west-1"}
	}
	if cfg.Secrets == nil {
		cfg.Secrets = sigv4.StaticSecrets(vCreds, vTokens)
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return vTime.Add(time.Minute) }
	}
	v, err := sigv4.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// wire returns the HTTP/1.1 bytes of a client request.
func vWire(t testing.TB, req *http.Request) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// serverRequest parses wire bytes as a server does.
func vServerRequest(t testing.TB, b []byte) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatalf("ReadRequest: %v\n%s", err, b)
	}
	return r
}

// verifyAll verifies r and reads its body to the end.
func vVerifyAll(v *sigv4.Verifier, r *http.Request) (*sigv4.Verified, []byte, error) {
	vd, err := v.Verify(r)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(r.Body)
	return vd, body, err
}

func vCode(err error) string {
	var ae *sigv4.AuthError
	if errors.As(err, &ae) {
		return ae.Code
	}
	if err == nil {
		return "<nil>"
	}
	return "not an AuthError: " + err.Error()
}

// vCase is one request of the corpus: its wire form and the verifier
// that must accept it.
type vCase struct {
	name      string
	wire      []byte
	v         *sigv4.Verifier
	presigned bool
	hashed    bool // the body is bound by a hex payload hash
	normalize bool // the verifier normalizes paths
	body      bool // the request has a body
}

func vSHA(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// corpus returns header-signed and presigned requests, with and without
// session tokens and payload hashes, for S3 and another service.
func vCorpus(t testing.TB) []vCase {
	t.Helper()
	ctx := context.Background()
	var out []vCase
	s3v := vVerifier(t, "s3", sigv4.VerifierConfig{})
	ddbv := vVerifier(t, "dynamodb", sigv4.VerifierConfig{})
	for _, c := range []credentials.Credentials{vCreds, vTokens} {
		tok := ""
		if c.SessionToken != "" {
			tok = "+token"
		}
		s3 := vSigner(t, "s3", c, sigv4.Config{})
		ddb := vSigner(t, "dynamodb", c, sigv4.Config{})

		// S3 GET, header-signed, empty payload hash.
		req, _ := http.NewRequest("GET", "https://bucket.s3.us-east-1.amazonaws.com/photos/cat%20pic+1.jpg?versionId=3&x=a%2Fb", nil)
		req.Header.Set("Range", "bytes=0-9")
		req.Header.Set("X-Amz-Expected-Bucket-Owner", "111122223333")
		req.Header.Set("User-Agent", "test/1")
		if err := s3.Sign(ctx, req, sigv4.EmptyPayloadHash); err != nil {
			t.Fatal(err)
		}
		out = append(out, vCase{name: "s3 GET header" + tok, wire: vWire(t, req), v: s3v})

		// S3 PUT, header-signed, hashed payload.
		body := "Welcome to Amazon S3."
		req, _ = http.NewRequest("PUT", "https://s3.us-east-1.amazonaws.com/bucket/dir/a=b&c.txt", strings.NewReader(body))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("X-Amz-Meta-Color", "blue")
		if err := s3.Sign(ctx, req, ""); err != nil {
			t.Fatal(err)
		}
		out = append(out, vCase{name: "s3 PUT header hashed" + tok, wire: vWire(t, req), v: s3v, hashed: true, body: true})

		// S3 PUT, header-signed, UNSIGNED-PAYLOAD.
		req, _ = http.NewRequest("PUT", "https://s3.us-east-1.amazonaws.com/bucket/unsigned.bin", strings.NewReader(body))
		if err := s3.Sign(ctx, req, sigv4.UnsignedPayload); err != nil {
			t.Fatal(err)
		}
		out = append(out, vCase{name: "s3 PUT header unsigned payload" + tok, wire: vWire(t, req), v: s3v, body: true})

		// S3 presigned GET.
		req, _ = http.NewRequest("GET", "https://bucket.s3.amazonaws.com/k%C3%A9y/with space?response-content-type=text%2Fplain", nil)
		p, err := s3.Presign(ctx, req, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, vCase{name: "s3 presigned GET" + tok, wire: vWire(t, vPresignedRequest(t, p, "")), v: s3v, presigned: true})

		// S3 presigned PUT with a signed content type.
		req, _ = http.NewRequest("PUT", "https://bucket.s3.amazonaws.com/upload.txt", nil)
		req.Header.Set("Content-Type", "text/plain")
		p, err = s3.Presign(ctx, req, 10*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, vCase{name: "s3 presigned PUT" + tok, wire: vWire(t, vPresignedRequest(t, p, body)), v: s3v, presigned: true, body: true})

		// DynamoDB POST, header-signed, body hashed by both sides.
		req, _ = http.NewRequest("POST", "https://dynamodb.us-east-1.amazonaws.com/", strings.NewReader(`{"TableName":"Music"}`))
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
		if err := ddb.Sign(ctx, req, ""); err != nil {
			t.Fatal(err)
		}
		out = append(out, vCase{name: "dynamodb POST header" + tok, wire: vWire(t, req), v: ddbv, hashed: true, body: true, normalize: true})

		// Another service's presigned GET: double escaping, normalized path.
		req, _ = http.NewRequest("GET", "https://dynamodb.us-east-1.amazonaws.com/a%20b/./c?Action=List&Version=1", nil)
		p, err = ddb.Presign(ctx, req, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, vCase{name: "dynamodb presigned GET" + tok, wire: vWire(t, vPresignedRequest(t, p, "")), v: ddbv, presigned: true, normalize: true})
	}
	return out
}

// presignedRequest is what a client without credentials sends for p.
func vPresignedRequest(t testing.TB, p *sigv4.Presigned, body string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(p.Method, p.URL, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, vv := range p.Header {
		if k != "Content-Length" {
			req.Header[k] = vv
		}
	}
	return req
}

func TestVerifyRoundTrip(t *testing.T) {
	for _, c := range vCorpus(t) {
		t.Run(c.name, func(t *testing.T) {
			r := vServerRequest(t, c.wire)
			vd, body, err := vVerifyAll(c.v, r)
			if err != nil {
				var ae *sigv4.AuthError
				if errors.As(err, &ae) {
					t.Fatalf("%v\n%s\n---\n%s", err, ae.CanonicalRequest, c.wire)
				}
				t.Fatal(err)
			}
			if vd.Presigned != c.presigned || !vd.SignedAt.Equal(vTime) || vd.Region != "us-east-1" {
				t.Errorf("Verified = %+v", vd)
			}
			if c.presigned && !vd.Expires.After(vTime) {
				t.Errorf("Expires = %v", vd.Expires)
			}
			if !strings.Contains(vd.SignedHeaders, "host") {
				t.Errorf("SignedHeaders = %q", vd.SignedHeaders)
			}
			if c.body && string(body) != "Welcome to Amazon S3." && !strings.HasPrefix(string(body), "{") {
				t.Errorf("body = %q", body)
			}
			if got := fmt.Sprint(vd); strings.Contains(got, vCreds.SecretAccessKey) || strings.Contains(got, vTokens.SecretAccessKey) {
				t.Errorf("Verified prints its secret: %s", got)
			}
		})
	}
}

// mutation is one change to a request, and whether it changes a signed
// part (and so must be refused).
type vMutation struct {
	kind    string
	refused bool
	apply   func(r *http.Request)
}

// mutations lists the single changes of r: every signed part, and some
// unsigned ones.
func vMutations(t testing.TB, c vCase) []vMutation {
	base := vServerRequest(t, c.wire)
	var ms []vMutation
	add := func(kind string, refused bool, f func(r *http.Request)) {
		ms = append(ms, vMutation{kind, refused, f})
	}
	// Method.
	for _, m := range []string{"GET", "PUT", "POST", "HEAD", "DELETE", "get"} {
		if m != base.Method {
			add("method", true, func(r *http.Request) { r.Method = m })
		}
	}
	// Each byte of the path. Under normalization, a change that
	// normalizes to the same path is not a change of what was signed.
	for i := 0; i < len(base.URL.Path); i++ {
		for _, b := range []byte{'x', '/', '%', ' '} {
			if base.URL.Path[i] == b {
				continue
			}
			p := []byte(base.URL.Path)
			p[i] = b
			u := url.URL{Path: string(p)}
			same := c.normalize && sigv4.NormalizePath(u.EscapedPath()) == sigv4.NormalizePath(base.URL.EscapedPath())
			kind := "path byte"
			if same {
				kind = "path byte, same after normalization"
			}
			add(kind, !same, func(r *http.Request) {
				p := []byte(r.URL.Path)
				p[i] = b
				r.URL.Path, r.URL.RawPath = string(p), ""
			})
		}
	}
	add("path byte", true, func(r *http.Request) { r.URL.Path, r.URL.RawPath = r.URL.Path+"x", "" })
	// Query parameters: add one, and remove or change each.
	add("query add", true, func(r *http.Request) { r.URL.RawQuery = vJoinQuery(r.URL.RawQuery, "extra=1") })
	add("query add", true, func(r *http.Request) { r.URL.RawQuery = vJoinQuery(r.URL.RawQuery, "extra") })
	pieces := strings.Split(base.URL.RawQuery, "&")
	if base.URL.RawQuery == "" {
		pieces = nil
	}
	for i := range pieces {
		kind := "query"
		if strings.HasPrefix(pieces[i], "X-Amz-") {
			kind = "query " + pieces[i][:strings.IndexByte(pieces[i], '=')]
		}
		add(kind+" removed", true, func(r *http.Request) {
			ps := strings.Split(r.URL.RawQuery, "&")
			r.URL.RawQuery = strings.Join(append(ps[:i:i], ps[i+1:]...), "&")
		})
		add(kind+" changed", true, func(r *http.Request) {
			ps := strings.Split(r.URL.RawQuery, "&")
			ps[i] += "0"
			r.URL.RawQuery = strings.Join(ps, "&")
		})
		add(kind+" duplicated", true, func(r *http.Request) {
			ps := strings.Split(r.URL.RawQuery, "&")
			r.URL.RawQuery = strings.Join(append(ps, ps[i]), "&")
		})
	}
	// Query order is not signed.
	if len(pieces) > 1 {
		add("query reordered", false, func(r *http.Request) {
			ps := strings.Split(r.URL.RawQuery, "&")
			for i, j := 0, len(ps)-1; i < j; i, j = i+1, j-1 {
				ps[i], ps[j] = ps[j], ps[i]
			}
			r.URL.RawQuery = strings.Join(ps, "&")
		})
	}
	// Signed headers: change or drop each.
	signed := vSignedHeaderList(base)
	for _, name := range signed {
		key := http.CanonicalHeaderKey(name)
		if name == "host" {
			add("header host changed", true, func(r *http.Request) { r.Host = "x" + r.Host })
			add("header host dropped", true, func(r *http.Request) { r.Host = "" })
			continue
		}
		add("header "+name+" changed", true, func(r *http.Request) { r.Header.Set(key, r.Header.Get(key)+"0") })
		add("header "+name+" dropped", true, func(r *http.Request) {
			r.Header.Del(key)
			if key == "Content-Length" {
				r.ContentLength = -1 // sent chunked
			}
		})
		add("header "+name+" repeated", true, func(r *http.Request) { r.Header.Add(key, r.Header.Get(key)) })
	}
	add("unsigned x-amz header added", true, func(r *http.Request) { r.Header.Set("X-Amz-Meta-Extra", "1") })
	add("unsigned x-amz header added", true, func(r *http.Request) { r.Header.Set("X-Amz-Acl", "public-read") })
	// Date and scope.
	if !c.presigned {
		add("date", true, func(r *http.Request) {
			d, _ := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
			r.Header.Set("X-Amz-Date", d.Add(time.Second).Format("20060102T150405Z"))
		})
		for _, s := range [][2]string{{"/us-east-1/", "/eu-west-1/"}, {"/20261128/", "/20261127/"}, {"/s3/", "/s4/"}, {"/dynamodb/", "/s3/"}, {"aws4_request", "aws4_requesu"}} {
			if strings.Contains(base.Header.Get("Authorization"), s[0]) {
				add("scope", true, func(r *http.Request) {
					r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), s[0], s[1], 1))
				})
			}
		}
		add("signature", true, func(r *http.Request) {
			a := r.Header.Get("Authorization")
			last := a[len(a)-1]
			r.Header.Set("Authorization", a[:len(a)-1]+string("01"[(last+1)&1]))
		})
		add("signed headers", true, func(r *http.Request) {
			a := r.Header.Get("Authorization")
			i := strings.Index(a, "SignedHeaders=") + len("SignedHeaders=")
			j := strings.IndexByte(a[i:], ';')
			r.Header.Set("Authorization", a[:i]+a[i+j+1:])
		})
		// Unsigned parts: the Authorization header's spacing and order.
		add("authorization spacing", false, func(r *http.Request) {
			r.Header.Set("Authorization", strings.ReplaceAll(r.Header.Get("Authorization"), ", ", ","))
		})
		add("authorization order", false, func(r *http.Request) {
			a := r.Header.Get("Authorization")
			parts := strings.Split(strings.TrimPrefix(a, sigv4.Algorithm+" "), ", ")
			r.Header.Set("Authorization", sigv4.Algorithm+" "+parts[2]+", "+parts[0]+", "+parts[1])
		})
	} else {
		for _, s := range [][2]string{{"%2Fus-east-1%2F", "%2Feu-west-1%2F"}, {"%2F20261128%2F", "%2F20261127%2F"}, {"X-Amz-Expires=3600", "X-Amz-Expires=3601"}, {"X-Amz-Expires=600", "X-Amz-Expires=601"}, {"X-Amz-Date=20261128T120000Z", "X-Amz-Date=20261128T120001Z"}} {
			if strings.Contains(base.URL.RawQuery, s[0]) {
				add("scope, date or expiry", true, func(r *http.Request) { r.URL.RawQuery = strings.Replace(r.URL.RawQuery, s[0], s[1], 1) })
			}
		}
		add("authorization header added", true, func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 x") })
	}
	// Payload.
	if c.body {
		add("payload", c.hashed, func(r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			b[len(b)/2] ^= 1
			r.Body = io.NopCloser(bytes.NewReader(b))
		})
		add("payload truncated", c.hashed, func(r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b[:len(b)-1]))
			if r.ContentLength > 0 {
				r.ContentLength--
			}
		})
	}
	// Unsigned headers.
	add("unsigned header changed", false, func(r *http.Request) { r.Header.Set("User-Agent", "other/2") })
	add("unsigned header added", false, func(r *http.Request) { r.Header.Set("X-Amzn-Trace-Id", "Root=1-abc") })
	add("unsigned header added", false, func(r *http.Request) { r.Header.Set("X-Forwarded-For", "10.0.0.1") })
	add("unsigned header added", false, func(r *http.Request) { r.Header.Set("Accept-Encoding", "gzip") })
	add("signed header value respaced", false, func(r *http.Request) {
		for _, name := range signed {
			if name != "host" && name != "content-length" && name != "x-amz-date" && name != "x-amz-content-sha256" && name != "x-amz-security-token" {
				key := http.CanonicalHeaderKey(name)
				if v := r.Header.Get(key); v != "" {
					r.Header.Set(key, "  "+v+"\t")
				}
			}
		}
	})
	return ms
}

func vJoinQuery(q, p string) string {
	if q == "" {
		return p
	}
	return q + "&" + p
}

// signedHeaderList returns the signed header names of a request.
func vSignedHeaderList(r *http.Request) []string {
	if a := r.Header.Get("Authorization"); a != "" {
		_, rest, _ := strings.Cut(a, "SignedHeaders=")
		list, _, _ := strings.Cut(rest, ",")
		return strings.Split(list, ";")
	}
	for _, p := range strings.Split(r.URL.RawQuery, "&") {
		if v, ok := strings.CutPrefix(p, "X-Amz-SignedHeaders="); ok {
			return strings.Split(strings.ReplaceAll(v, "%3B", ";"), ";")
		}
	}
	return nil
}

// TestVerifyMutations changes each signed part of each request of the
// corpus, one at a time, and checks that the change is refused (by Verify
// or, for the payload, by the body's last read), and that changes to
// unsigned parts are accepted.
func TestVerifyMutations(t *testing.T) {
	refused, accepted := map[string]int{}, map[string]int{}
	totalRefused, totalAccepted := 0, 0
	for _, c := range vCorpus(t) {
		for _, m := range vMutations(t, c) {
			r := vServerRequest(t, c.wire)
			m.apply(r)
			_, _, err := vVerifyAll(c.v, r)
			kind := m.kind
			if i := strings.Index(kind, " X-Amz-"); i >= 0 {
				kind = "query X-Amz-*" + kind[strings.LastIndexByte(kind, ' '):]
			} else if strings.HasPrefix(kind, "header ") && kind != "header host changed" && kind != "header host dropped" {
				kind = "signed header" + kind[strings.LastIndexByte(kind, ' '):]
			}
			switch {
			case m.refused && err == nil:
				t.Errorf("%s: %s: accepted, want refused", c.name, m.kind)
			case !m.refused && err != nil:
				t.Errorf("%s: %s: refused (%v), want accepted", c.name, m.kind, err)
			case m.refused:
				refused[kind]++
				totalRefused++
			default:
				accepted[kind]++
				totalAccepted++
			}
		}
	}
	t.Logf("corpus: %d signed requests; mutations refused: %d, accepted: %d", len(vCorpus(t)), totalRefused, totalAccepted)
	for _, k := range slices.Sorted(maps.Keys(refused)) {
		t.Logf("  refused  %4d  %s", refused[k], k)
	}
	for _, k := range slices.Sorted(maps.Keys(accepted)) {
		t.Logf("  accepted %4d  %s", accepted[k], k)
	}
}

func TestVerifyErrors(t *testing.T) {
	ctx := context.Background()
	s3 := vSigner(t, "s3", vCreds, sigv4.Config{})
	s3tok := vSigner(t, "s3", vTokens, sigv4.Config{})
	v := vVerifier(t, "s3", sigv4.VerifierConfig{})
	get := func() *http.Request {
		req, _ := http.NewRequest("GET", "https://b.s3.amazonaws.com/key", nil)
		return req
	}
	signed := func(s *sigv4.Signer, payload string, body string) *http.Request {
		req, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/key", strings.NewReader(body))
		if err := s.Sign(ctx, req, payload); err != nil {
			t.Fatal(err)
		}
		return vServerRequest(t, vWire(t, req))
	}
	presigned := func(expires time.Duration) *http.Request {
		p, err := s3.Presign(ctx, get(), expires)
		if err != nil {
			t.Fatal(err)
		}
		return vServerRequest(t, vWire(t, vPresignedRequest(t, p, "")))
	}
	at := func(d time.Duration) *sigv4.Verifier {
		return vVerifier(t, "s3", sigv4.VerifierConfig{Now: func() time.Time { return vTime.Add(d) }})
	}
	tests := []struct {
		name   string
		v      *sigv4.Verifier
		req    func() *http.Request
		code   string
		status int
	}{
		{"anonymous", v, func() *http.Request { return vServerRequest(t, vWire(t, get())) }, sigv4.CodeAccessDenied, 403},
		{"skewed ahead", at(16 * time.Minute), func() *http.Request { return signed(s3, "", "x") }, sigv4.CodeRequestTimeTooSkewed, 403},
		{"skewed behind", at(-16 * time.Minute), func() *http.Request { return signed(s3, "", "x") }, sigv4.CodeRequestTimeTooSkewed, 403},
		{"within skew", at(15 * time.Minute), func() *http.Request { return signed(s3, "", "x") }, "<nil>", 0},
		{"expired URL", at(time.Hour + time.Second), func() *http.Request { return presigned(time.Hour) }, sigv4.CodeAccessDenied, 403},
		{"URL at its last second", at(time.Hour), func() *http.Request { return presigned(time.Hour) }, "<nil>", 0},
		{"URL not yet valid", at(-16 * time.Minute), func() *http.Request { return presigned(time.Hour) }, sigv4.CodeAccessDenied, 403},
		{"unknown key", vVerifier(t, "s3", sigv4.VerifierConfig{Secrets: sigv4.StaticSecrets(vTokens)}), func() *http.Request { return signed(s3, "", "x") }, sigv4.CodeInvalidAccessKeyID, 403},
		{"lookup failure", vVerifier(t, "s3", sigv4.VerifierConfig{Secrets: sigv4.SecretLookupFunc(func(context.Context, string) (credentials.Credentials, error) {
			return credentials.Credentials{}, errors.New("database down")
		})}), func() *http.Request { return signed(s3, "", "x") }, sigv4.CodeInternalError, 500},
		{"wrong secret", vVerifier(t, "s3", sigv4.VerifierConfig{Secrets: sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: vCreds.AccessKeyID, SecretAccessKey: "other"})}), func() *http.Request { return signed(s3, "", "x") }, sigv4.CodeSignatureDoesNotMatch, 403},
		{"region not accepted", vVerifier(t, "s3", sigv4.VerifierConfig{Regions: []string{"eu-west-1"}}), func() *http.Request { return signed(s3, "", "x") }, sigv4.CodeAuthorizationHeaderMalformed, 400},
		{"region not accepted (URL)", vVerifier(t, "s3", sigv4.VerifierConfig{Regions: []string{"eu-west-1"}}), func() *http.Request { return presigned(time.Hour) }, sigv4.CodeAuthorizationQueryParametersError, 400},
		{"wrong service", vVerifier(t, "s3express", sigv4.VerifierConfig{}), func() *http.Request { return signed(s3, "", "x") }, sigv4.CodeAuthorizationHeaderMalformed, 400},
		{"token missing", v, func() *http.Request {
			r := signed(s3tok, "", "x")
			r.Header.Del("X-Amz-Security-Token")
			return r
		}, sigv4.CodeMissingSecurityHeader, 400},
		{"token for credentials without one", vVerifier(t, "s3", sigv4.VerifierConfig{Secrets: sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: vTokens.AccessKeyID, SecretAccessKey: vTokens.SecretAccessKey})}), func() *http.Request { return signed(s3tok, "", "x") }, sigv4.CodeInvalidToken, 400},
		{"expired credentials", vVerifier(t, "s3", sigv4.VerifierConfig{Secrets: sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: vCreds.AccessKeyID, SecretAccessKey: vCreds.SecretAccessKey, Expires: vTime})}), func() *http.Request { return signed(s3, "", "x") }, sigv4.CodeExpiredToken, 400},
		{"S3 without x-amz-content-sha256", v, func() *http.Request {
			req, _ := http.NewRequest("GET", "https://b.s3.amazonaws.com/key", nil)
			s := vSigner(t, "s3", vCreds, sigv4.Config{ContentSHA256Header: sigv4.Off})
			s.Sign(ctx, req, sigv4.UnsignedPayload)
			return vServerRequest(t, vWire(t, req))
		}, sigv4.CodeInvalidRequest, 400},
		{"streaming refused", vVerifier(t, "s3", sigv4.VerifierConfig{RefuseStreaming: true}), func() *http.Request { return signed(s3, sigv4.StreamingPayload, "x") }, sigv4.CodeNotImplemented, 501},
		{"streaming without decoded length", v, func() *http.Request { return signed(s3, sigv4.StreamingPayload, "x") }, sigv4.CodeMissingContentLength, 411},
		{"SigV2", v, func() *http.Request {
			r := vServerRequest(t, vWire(t, get()))
			r.Header.Set("Authorization", "AWS AKID:sig")
			return r
		}, sigv4.CodeInvalidRequest, 400},
		{"both mechanisms", v, func() *http.Request {
			r := presigned(time.Hour)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=00")
			return r
		}, sigv4.CodeInvalidArgument, 400},
		{"missing component", v, func() *http.Request {
			r := signed(s3, "", "x")
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
			return r
		}, sigv4.CodeAuthorizationHeaderMalformed, 400},
		{"duplicate component", v, func() *http.Request {
			r := signed(s3, "", "x")
			r.Header.Set("Authorization", r.Header.Get("Authorization")+", Signature=00")
			return r
		}, sigv4.CodeAuthorizationHeaderMalformed, 400},
		{"unsorted signed headers", v, func() *http.Request {
			r := signed(s3, "", "x")
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "host;x-amz-content-sha256", "x-amz-content-sha256;host", 1))
			return r
		}, sigv4.CodeAuthorizationHeaderMalformed, 400},
		{"long authorization", v, func() *http.Request {
			r := signed(s3, "", "x")
			r.Header.Set("Authorization", r.Header.Get("Authorization")+strings.Repeat(" ", sigv4.MaxAuthorizationBytes))
			return r
		}, sigv4.CodeAuthorizationHeaderMalformed, 400},
		{"expires too long", v, func() *http.Request {
			r := presigned(time.Hour)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Expires=3600", "X-Amz-Expires=604801", 1)
			return r
		}, sigv4.CodeAuthorizationQueryParametersError, 400},
		{"expires zero", v, func() *http.Request {
			r := presigned(time.Hour)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Expires=3600", "X-Amz-Expires=0", 1)
			return r
		}, sigv4.CodeAuthorizationQueryParametersError, 400},
		{"missing query parameter", v, func() *http.Request {
			r := presigned(time.Hour)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Algorithm=", "X-Amz-Algorithx=", 1)
			return r
		}, sigv4.CodeAuthorizationQueryParametersError, 400},
		{"scope date differs", v, func() *http.Request {
			r := presigned(time.Hour)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "%2F20261128%2F", "%2F20261127%2F", 1)
			return r
		}, sigv4.CodeAuthorizationQueryParametersError, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := vVerifyAll(tt.v, tt.req())
			if vCode(err) != tt.code {
				t.Fatalf("err = %v, want code %s", err, tt.code)
			}
			if err == nil {
				return
			}
			ae := err.(*sigv4.AuthError)
			if ae.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", ae.StatusCode, tt.status)
			}
			if !strings.HasPrefix(err.Error(), "sigv4: "+tt.code) {
				t.Errorf("Error() = %q", err)
			}
		})
	}
}

func TestVerifyPayloadMismatch(t *testing.T) {
	s3 := vSigner(t, "s3", vCreds, sigv4.Config{})
	v := vVerifier(t, "s3", sigv4.VerifierConfig{})
	req, _ := http.NewRequest("PUT", "https://b.s3.amazonaws.com/key", strings.NewReader("good data"))
	if err := s3.Sign(context.Background(), req, vSHA("good data")); err != nil {
		t.Fatal(err)
	}
	w := vWire(t, req)
	w = bytes.Replace(w, []byte("good data"), []byte("evil data"), 1)
	r := vServerRequest(t, w)
	vd, err := v.Verify(r)
	if err != nil {
		t.Fatal(err) // the headers are intact
	}
	if vd.PayloadHash != vSHA("good data") {
		t.Errorf("PayloadHash = %s", vd.PayloadHash)
	}
	got, err := io.ReadAll(r.Body)
	if vCode(err) != sigv4.CodeXAmzContentSHA256Mismatch {
		t.Fatalf("ReadAll: %v", err)
	}
	if len(got) != 0 {
		t.Errorf("the body's bytes were handed out before the mismatch: %q", got)
	}
	// A handler reading exactly Content-Length bytes sees it too.
	r = vServerRequest(t, w)
	if _, err := v.Verify(r); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(r.Body, make([]byte, len("evil data"))); vCode(err) != sigv4.CodeXAmzContentSHA256Mismatch {
		t.Fatalf("ReadFull: %v", err)
	}
}

func TestVerifySignatureMismatchXML(t *testing.T) {
	s3 := vSigner(t, "s3", vCreds, sigv4.Config{})
	v := vVerifier(t, "s3", sigv4.VerifierConfig{})
	req, _ := http.NewRequest("GET", "https://b.s3.amazonaws.com/key", nil)
	if err := s3.Sign(context.Background(), req, sigv4.EmptyPayloadHash); err != nil {
		t.Fatal(err)
	}
	want, _ := s3.Explain(context.Background(), req, sigv4.EmptyPayloadHash)
	r := vServerRequest(t, vWire(t, req))
	r.URL.Path = "/other"
	_, err := v.Verify(r)
	var ae *sigv4.AuthError
	if !errors.As(err, &ae) || ae.Code != sigv4.CodeSignatureDoesNotMatch {
		t.Fatalf("err = %v", err)
	}
	if ae.CanonicalRequest != strings.Replace(want.CanonicalRequest, "/key", "/other", 1) {
		t.Errorf("CanonicalRequest:\n%s\nwant (with /other):\n%s", ae.CanonicalRequest, want.CanonicalRequest)
	}
	rec := httptest.NewRecorder()
	sigv4.WriteError(rec, r, err)
	body := rec.Body.String()
	for _, s := range []string{"<Code>SignatureDoesNotMatch</Code>", "<CanonicalRequest>GET&#xA;/other&#xA;", "<StringToSign>AWS4-HMAC-SHA256&#xA;", "<SignatureProvided>" + want.Signature + "</SignatureProvided>", "<AWSAccessKeyId>" + vCreds.AccessKeyID} {
		if !strings.Contains(body, s) {
			t.Errorf("XML body lacks %q:\n%s", s, body)
		}
	}
	if rec.Code != 403 || rec.Header().Get("Content-Type") != "application/xml" || rec.Header().Get("X-Amz-Request-Id") == "" {
		t.Errorf("status %d, headers %v", rec.Code, rec.Header())
	}
}

func TestMiddleware(t *testing.T) {
	v := vVerifier(t, "s3", sigv4.VerifierConfig{})
	var got *sigv4.Verified
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vd, ok := sigv4.VerifiedFromContext(r.Context())
		if !ok {
			t.Error("no Verified in the context")
		}
		got = vd
		if _, err := io.ReadAll(r.Body); err != nil {
			sigv4.WriteError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	for _, c := range vCorpus(t) {
		if c.v != v && !strings.HasPrefix(c.name, "s3") {
			continue
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, vServerRequest(t, c.wire))
		if rec.Code != http.StatusNoContent || got == nil {
			t.Errorf("%s: status %d: %s", c.name, rec.Code, rec.Body)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/b/k", nil))
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "<Code>AccessDenied</Code>") {
		t.Errorf("anonymous: %d %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("HEAD", "/b/k", nil))
	if rec.Code != 403 || rec.Body.Len() != 0 {
		t.Errorf("anonymous HEAD: %d %q", rec.Code, rec.Body)
	}
}

// TestVerifyConcurrent verifies the corpus from many goroutines through
// shared verifiers; run with -race.
func TestVerifyConcurrent(t *testing.T) {
	cs := vCorpus(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				c := cs[(g+i)%len(cs)]
				r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(c.wire)))
				if err != nil {
					t.Error(err)
					return
				}
				if i%3 == 0 {
					r.Method = "PATCH" // must fail, concurrently with successes
					if _, _, err := vVerifyAll(c.v, r); err == nil {
						t.Errorf("%s: tampered request accepted", c.name)
					}
					continue
				}
				if _, _, err := vVerifyAll(c.v, r); err != nil {
					t.Errorf("%s: %v", c.name, err)
				}
			}
		}()
	}
	wg.Wait()
}

func TestNewVerifierErrors(t *testing.T) {
	ok := sigv4.StaticSecrets(vCreds)
	for _, cfg := range []sigv4.VerifierConfig{
		{Regions: []string{"us-east-1"}, Secrets: ok},
		{Service: "s3", Secrets: ok},
		{Service: "s3", Regions: []string{"us/east"}, Secrets: ok},
		{Service: "s3", Regions: []string{"us-east-1"}},
		{Service: "s3", Regions: []string{"us-east-1"}, Secrets: ok, MaxSkew: -1},
		{Service: "s3", Regions: []string{"us-east-1"}, Secrets: ok, NormalizePath: 9},
	} {
		if _, err := sigv4.NewVerifier(cfg); !errors.Is(err, sigv4.ErrInvalidConfig) {
			t.Errorf("NewVerifier(%+v) = %v", cfg, err)
		}
	}
}

// benchVerifyS3Get is the S3 GET of BenchmarkSignS3Get (6 signed headers),
// signed once and read back as a server reads it.
func benchVerifyS3Get(b testing.TB) (*sigv4.Signer, *sigv4.Verifier, *http.Request, *http.Request) {
	s := vSigner(b, "s3", vCreds, sigv4.Config{})
	v := vVerifier(b, "s3", sigv4.VerifierConfig{Now: func() time.Time { return vTime }})
	req, _ := http.NewRequest("GET", "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2026/11/cat%20picture.jpg", nil)
	req.Header.Set("Range", "bytes=0-1023")
	req.Header.Set("If-None-Match", `"9b2cf535f27731c974343645a3985328"`)
	req.Header.Set("X-Amz-Expected-Bucket-Owner", "111122223333")
	req.Header.Set("User-Agent", "sigv4kit-bench/1.0")
	if err := s.Sign(context.Background(), req, sigv4.EmptyPayloadHash); err != nil {
		b.Fatal(err)
	}
	return s, v, req, vServerRequest(b, vWire(b, req))
}

func BenchmarkVerifyS3Get(b *testing.B) {
	_, v, _, r := benchVerifyS3Get(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifySignS3Get signs the same request, for the ratio.
func BenchmarkVerifySignS3Get(b *testing.B) {
	s, _, req, _ := benchVerifyS3Get(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Sign(ctx, req, sigv4.EmptyPayloadHash); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPresignedS3Get(b *testing.B) {
	s, v, _, _ := benchVerifyS3Get(b)
	req, _ := http.NewRequest("GET", "https://examplebucket.s3.us-east-1.amazonaws.com/photos/cat.jpg", nil)
	p, err := s.Presign(context.Background(), req, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	r := vServerRequest(b, vWire(b, vPresignedRequest(b, p, "")))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r); err != nil {
			b.Fatal(err)
		}
	}
}
