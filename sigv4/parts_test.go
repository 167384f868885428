package sigv4_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// TestPresignPartsMatchesPresign presigns random requests given as Parts
// and as the *http.Request url.Parse makes of the same URL, for the S3
// rule (decoded path escaped once), the other services' (escaped path
// normalized and escaped again) and S3 with normalization, with query
// parameters (old presign parameters among them), headers, lengths,
// tokens and payload hashes: the URLs, headers and expiries are equal
// byte for byte, and so are the errors. The same Parts with the path
// decoded (PathDecoded) give the URL of the path SigV4 escapes from it,
// which for S3 is Presign's.
func TestPresignPartsMatchesPresign(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 4))
	pathBytes := []string{"a", "Z", "0", "-", ".", "_", "~", "/", "//", "/./", "/../", "%20", "%2F", "%2f", "%41", "%7E", "%25", "+", "!", "$", "&", "'", "(", ")", "*", ",", ";", "=", ":", "@", "%E6%97%A5", "%C3%BC"}
	queryPieces := []string{"a=1", "b=", "c", "x-id=GetObject", "k=%20v", "k=a+b", "X-Amz-Date=20200101T000000Z", "X-Amz-Signature=abc", "versionId=%2F", "", "Z=%41"}
	ctx := context.Background()
	var signers []*sigv4.Signer
	normalizingSigners := map[*sigv4.Signer]struct{}{}
	for _, cfg := range []sigv4.Config{
		{Service: "s3"},
		{Service: "dynamodb"},
		{Service: "s3", NormalizePath: sigv4.On},
		{Service: "execute-api", DoubleEscape: sigv4.Off},
	} {
		for _, token := range []string{"", "FwoG/token+=="} {
			cfg.Region = "eu-west-1"
			cfg.Credentials = credentials.Static("AKIDPARTS", "secret", token)
			cfg.Now = func() time.Time { return vTime }
			s, err := sigv4.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			signers = append(signers, s)
			if cfg.NormalizePath == sigv4.On {
				normalizingSigners[s] = struct{}{}
			}
		}
	}
	compared := 0
	for i := range 3000 {
		var path strings.Builder
		path.WriteByte('/')
		for range rng.IntN(8) {
			path.WriteString(pathBytes[rng.IntN(len(pathBytes))])
		}
		var query []string
		for range rng.IntN(4) {
			query = append(query, queryPieces[rng.IntN(len(queryPieces))])
		}
		host := []string{"bucket.s3.amazonaws.com", "example.com:443", "127.0.0.1:9000", "[::1]:8080"}[rng.IntN(4)]
		raw := "https://" + host + path.String()
		if len(query) > 0 {
			raw += "?" + strings.Join(query, "&")
		}
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		h := http.Header{}
		if rng.IntN(3) == 0 {
			h.Set("Content-Type", "image/png")
			h["x-amz-meta-b"] = []string{"2", " spaced  out "}
		}
		req := &http.Request{Method: []string{"GET", "PUT", ""}[rng.IntN(3)], URL: u, Header: h, Host: u.Host}
		if rng.IntN(4) == 0 {
			req.ContentLength = int64(rng.IntN(1000))
		}
		parts := &sigv4.Parts{Method: req.Method, Scheme: u.Scheme, Host: []byte(u.Host), Path: []byte(u.EscapedPath()),
			Query: []byte(u.RawQuery), Header: h, ContentLength: req.ContentLength}
		payload := []string{"", "", sigv4.UnsignedPayload, sigv4.EmptyPayloadHash}[rng.IntN(4)]
		expires := time.Duration(1+rng.IntN(7*24*3600)) * time.Second
		s := signers[rng.IntN(len(signers))]
		want, errWant := s.PresignPayload(ctx, req, expires, payload)
		got, errGot := s.PresignParts(ctx, parts, expires, payload)
		if (errWant == nil) != (errGot == nil) || errWant != nil && errWant.Error() != errGot.Error() {
			t.Fatalf("case %d %s: errors differ: Presign %v, PresignParts %v", i, raw, errWant, errGot)
		}
		if errWant != nil {
			continue
		}
		if got.URL != want.URL || got.Method != want.Method || !got.Expires.Equal(want.Expires) || !headersEqual(got.Header, want.Header) {
			t.Fatalf("case %d %s (%s):\n Presign      %s %s %v\n PresignParts %s %s %v", i, raw, s.Service(), want.Method, want.URL, want.Header, got.Method, got.URL, got.Header)
		}
		// The decoded path: as the path SigV4 escapes from it. Under
		// single escaping (S3) that is the URL Presign gives, too.
		escaped := sigv4.EscapePath(u.Path)
		if u.Path == "" {
			escaped = ""
		}
		parts.Path = []byte(escaped)
		viaEscaped, err := s.PresignParts(ctx, parts, expires, payload)
		if err != nil {
			t.Fatalf("case %d %s: PresignParts of the escaped path %s: %v", i, raw, escaped, err)
		}
		parts.Path, parts.PathDecoded = []byte(u.Path), true
		decoded, err := s.PresignParts(ctx, parts, expires, payload)
		if err != nil {
			t.Fatalf("case %d %s: PresignParts of the decoded path %q: %v", i, raw, u.Path, err)
		}
		if decoded.URL != viaEscaped.URL || !headersEqual(decoded.Header, viaEscaped.Header) {
			t.Fatalf("case %d %s (%s): decoded path %q:\n %s\n escaped path %s:\n %s", i, raw, s.Service(), u.Path, decoded.URL, escaped, viaEscaped.URL)
		}
		if _, normalized := normalizingSigners[s]; s.Service() == "s3" && !normalized && decoded.URL != want.URL {
			t.Fatalf("case %d %s: decoded path %q: %s, Presign %s", i, raw, u.Path, decoded.URL, want.URL)
		}
		compared++
	}
	if compared < 2000 {
		t.Fatalf("only %d of 3000 requests compared", compared)
	}
}

func headersEqual(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestPresignPartsErrors checks what PresignParts refuses.
func TestPresignPartsErrors(t *testing.T) {
	s := vSigner(t, "s3", vCreds, sigv4.Config{})
	ctx := context.Background()
	for _, p := range []*sigv4.Parts{
		nil,
		{Host: []byte("h")},
		{Scheme: "https"},
		{Scheme: "https", Host: []byte("a b")},
		{Scheme: "https", Host: []byte("h"), Path: []byte("/a%zz")},
		{Scheme: "https", Host: []byte("h"), Path: []byte("/a"), Query: []byte("a=%")},
	} {
		if _, err := s.PresignParts(ctx, p, time.Hour, ""); !errors.Is(err, sigv4.ErrInvalidRequest) {
			t.Errorf("PresignParts(%+v) = %v, want ErrInvalidRequest", p, err)
		}
	}
}
