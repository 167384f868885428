package presign_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/presign"
	"github.com/sigv4kit/sigv4kit/sigv4"
	"github.com/sigv4kit/sigv4kit/sigv4a"
)

func mrapSigner(t testing.TB, service string, set ...string) *sigv4a.Signer {
	t.Helper()
	s, err := sigv4a.New(sigv4a.Config{Service: service, RegionSet: set,
		Credentials: credentials.Static("AKIDMRAP", "mrap/secret", ""),
		Now:         func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMultiRegionAccessPoint presigns an MRAP URL and verifies it, as a
// server in any region would, with sigv4.Verifier and sigv4a.Algorithm.
func TestMultiRegionAccessPoint(t *testing.T) {
	s := mrapSigner(t, "s3", "*")
	p, err := presign.MultiRegionAccessPoint(context.Background(), s, "GET", "mfzwi23gnjvgw.mrap", "photos/my cat+1.jpg", time.Hour,
		presign.VersionID("v1"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Host != "mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com" || u.EscapedPath() != "/photos/my%20cat%2B1.jpg" ||
		q.Get("X-Amz-Algorithm") != "AWS4-ECDSA-P256-SHA256" || q.Get("X-Amz-Region-Set") != "*" ||
		q.Get("X-Amz-Credential") != "AKIDMRAP/20261201/s3/aws4_request" || q.Get("versionId") != "v1" {
		t.Fatalf("URL %s", p.URL)
	}
	for _, region := range []string{"us-east-1", "ap-southeast-2"} {
		v, err := sigv4.NewVerifier(sigv4.VerifierConfig{Service: "s3", Regions: []string{region},
			Secrets: sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: "AKIDMRAP", SecretAccessKey: "mrap/secret"}),
			Now:     func() time.Time { return time.Date(2026, 12, 1, 12, 30, 0, 0, time.UTC) }, Algorithms: []sigv4.SignatureAlgorithm{sigv4a.Algorithm()}})
		if err != nil {
			t.Fatal(err)
		}
		r := &http.Request{Method: "GET", URL: &url.URL{Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery}, Host: u.Host,
			RequestURI: u.RequestURI(), Header: http.Header{}}
		if _, err := v.Verify(r); err != nil {
			t.Errorf("%s: %v", region, err)
		}
	}
}

func TestMultiRegionAccessPointRefuses(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name       string
		s          *sigv4a.Signer
		alias, key string
		is         error
	}{
		{"nil signer", nil, "a.mrap", "k", presign.ErrInvalidConfig},
		{"not s3", mrapSigner(t, "execute-api", "*"), "a.mrap", "k", presign.ErrInvalidConfig},
		{"region set not *", mrapSigner(t, "s3", "us-east-1"), "a.mrap", "k", presign.ErrInvalidConfig},
		{"empty alias", mrapSigner(t, "s3", "*"), "", "k", presign.ErrInvalidConfig},
		{"alias with a slash", mrapSigner(t, "s3", "*"), "a/b.mrap", "k", presign.ErrInvalidConfig},
		{"alias upper case", mrapSigner(t, "s3", "*"), "ABC.mrap", "k", presign.ErrInvalidConfig},
		{"empty key", mrapSigner(t, "s3", "*"), "a.mrap", "", presign.ErrInvalidKey},
		{"long key", mrapSigner(t, "s3", "*"), "a.mrap", strings.Repeat("k", 1025), presign.ErrInvalidKey},
	} {
		p, err := presign.MultiRegionAccessPoint(ctx, c.s, "GET", c.alias, c.key, time.Hour)
		if p != nil || !errors.Is(err, c.is) || !strings.HasPrefix(err.Error(), "presign: ") {
			t.Errorf("%s: %v, %v; want an error wrapping %v", c.name, p, err, c.is)
		}
	}
}

// ExampleMultiRegionAccessPoint presigns a GET through an S3
// Multi-Region Access Point, with SigV4a for every region.
func ExampleMultiRegionAccessPoint() {
	s, err := sigv4a.New(sigv4a.Config{
		Service:     "s3",
		RegionSet:   []string{"*"},
		Credentials: credentials.Static("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
		Now:         func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		log.Fatal(err)
	}
	req, err := presign.MultiRegionAccessPoint(context.Background(), s, "GET", "mfzwi23gnjvgw.mrap", "reports/2026.csv", time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	u, _ := url.Parse(req.URL)
	fmt.Println(u.Host + u.Path)
	fmt.Println(u.Query().Get("X-Amz-Algorithm"), u.Query().Get("X-Amz-Region-Set"), u.Query().Get("X-Amz-Credential"))
	// Output:
	// mfzwi23gnjvgw.mrap.accesspoint.s3-global.amazonaws.com/reports/2026.csv
	// AWS4-ECDSA-P256-SHA256 * AKIAIOSFODNN7EXAMPLE/20261201/s3/aws4_request
}
