package differential

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	seedFlag = flag.Uint64("seed", 0, "generator seed for TestDifferential (0: $SIGV4_DIFF_SEED or the fixed default)")
	nFlag    = flag.Int("n", 0, "number of requests for TestDifferential (0: $SIGV4_DIFF_N or 20000)")
)

// defaultSeed keeps `make test` deterministic; vary it with -seed or
// SIGV4_DIFF_SEED.
const defaultSeed = 20261128

func settings(t *testing.T) (seed uint64, n int) {
	seed, n = defaultSeed, 20000
	if v := os.Getenv("SIGV4_DIFF_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("SIGV4_DIFF_SEED: %v", err)
		}
		seed = s
	}
	if v := os.Getenv("SIGV4_DIFF_N"); v != "" {
		x, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("SIGV4_DIFF_N: %v", err)
		}
		n = x
	}
	if *seedFlag != 0 {
		seed = *seedFlag
	}
	if *nFlag != 0 {
		n = *nFlag
	}
	if testing.Short() && n > 2000 {
		n = 2000
	}
	return seed, n
}

// TestDifferential signs n generated requests (20,000 by default) with
// sigv4kit and with aws-sdk-go-v2, with the Authorization header and as a
// presigned URL, and requires identical results.
func TestDifferential(t *testing.T) {
	seed, n := settings(t)
	g := NewGenerator(seed)
	ctx := context.Background()
	var stats struct{ header, presign, s3, token, hoist, normalized int }
	failures := 0
	start := time.Now()
	for i := 0; i < n && failures < 10; i++ {
		s := g.Next()
		if msg := compareHeader(ctx, &s); msg != "" {
			failures++
			t.Errorf("request %d (seed %d), header signing: %s", i, seed, msg)
		}
		if msg := comparePresign(ctx, &s); msg != "" {
			failures++
			t.Errorf("request %d (seed %d), presigning: %s", i, seed, msg)
		}
		stats.header++
		stats.presign++
		if s.S3 {
			stats.s3++
		} else if s.Normalize {
			stats.normalized++
		}
		if s.Token != "" {
			stats.token++
		}
		if s.Hoist {
			stats.hoist++
		}
	}
	t.Logf("seed %d: %d requests compared with aws-sdk-go-v2 in %v: %d header-signed and %d presigned; "+
		"%d under S3 rules, %d normalized non-S3, %d with a session token, %d presigned with SDK hoisting",
		seed, stats.header, time.Since(start).Round(time.Millisecond), stats.header, stats.presign,
		stats.s3, stats.normalized, stats.token, stats.hoist)
}

// compareHeader header-signs s both ways and returns a description of any
// difference.
func compareHeader(ctx context.Context, s *Spec) string {
	kit, err := s.KitSign(ctx)
	if err != nil {
		return fmt.Sprintf("%v: sigv4kit: %v", s, err)
	}
	sdk, err := s.SDKSign(ctx)
	if err != nil {
		return fmt.Sprintf("%v: aws-sdk-go-v2: %v", s, err)
	}
	var diffs []string
	if kit.Authorization != sdk.Authorization {
		diffs = append(diffs, fmt.Sprintf("Authorization\n  sigv4kit: %s\n  sdk:      %s", kit.Authorization, sdk.Authorization))
	}
	if kit.Date != sdk.Date {
		diffs = append(diffs, fmt.Sprintf("X-Amz-Date %q != %q", kit.Date, sdk.Date))
	}
	if kit.Host != sdk.Host {
		diffs = append(diffs, fmt.Sprintf("Host %q != %q", kit.Host, sdk.Host))
	}
	if s.S3 && kit.WirePath != sdk.WirePath {
		// Under S3 rules the path on the wire is the signed one.
		diffs = append(diffs, fmt.Sprintf("wire path %q != %q", kit.WirePath, sdk.WirePath))
	}
	if len(diffs) == 0 {
		return ""
	}
	return explain(s, diffs, kit, sdk)
}

// comparePresign presigns s both ways and returns a description of any
// difference; it also checks the sigv4kit URL on its own.
func comparePresign(ctx context.Context, s *Spec) string {
	kit, p, err := s.KitPresign(ctx)
	if err != nil {
		return fmt.Sprintf("%v: sigv4kit: %v", s, err)
	}
	sdk, hdr, err := s.SDKPresign(ctx)
	if err != nil {
		return fmt.Sprintf("%v: aws-sdk-go-v2: %v", s, err)
	}
	var diffs []string
	for _, f := range []struct{ name, a, b string }{
		{"X-Amz-Signature", kit.Signature, sdk.Signature},
		{"X-Amz-SignedHeaders", kit.SignedHeaders, sdk.SignedHeaders},
		{"X-Amz-Credential", kit.Credential, sdk.Credential},
		{"X-Amz-Date", kit.Date, sdk.Date},
	} {
		if f.a != f.b {
			diffs = append(diffs, fmt.Sprintf("%s %q != %q", f.name, f.a, f.b))
		}
	}
	// The headers a presigned client must send: sigv4kit's Presigned.Header
	// plus host, against the SDK's signed-header map.
	var kitNames, sdkNames []string
	kitNames = append(kitNames, "host")
	for k := range p.Header {
		kitNames = append(kitNames, strings.ToLower(k))
	}
	for k := range hdr {
		sdkNames = append(sdkNames, strings.ToLower(k))
	}
	slices.Sort(kitNames)
	slices.Sort(sdkNames)
	kitNames, sdkNames = slices.Compact(kitNames), slices.Compact(sdkNames)
	if !slices.Equal(kitNames, sdkNames) {
		diffs = append(diffs, fmt.Sprintf("headers to send %q != %q", kitNames, sdkNames))
	}
	diffs = append(diffs, checkKitURL(s, p.URL)...)
	if len(diffs) == 0 {
		return ""
	}
	return explain(s, diffs, kit, sdk)
}

// authOrder is the order of sigv4kit's presign parameters, after the
// request's own query.
var authOrder = []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires", "X-Amz-Security-Token", "X-Amz-Signature"}

// checkKitURL checks a sigv4kit presigned URL by itself: the path decodes
// to the request's path, the existing query comes first, unchanged, and the
// X-Amz-* parameters follow in the documented order.
func checkKitURL(s *Spec, raw string) []string {
	var diffs []string
	u, err := url.Parse(raw)
	if err != nil {
		return []string{fmt.Sprintf("sigv4kit URL does not parse: %v", err)}
	}
	if u.Path != s.Path {
		diffs = append(diffs, fmt.Sprintf("sigv4kit URL path decodes to %q, want %q", u.Path, s.Path))
	}
	q := u.RawQuery
	// The request's own pieces come first, unchanged (empty pieces between
	// '&' may be dropped).
	empty := func(p string) bool { return p == "" }
	own := slices.DeleteFunc(strings.Split(s.RawQuery, "&"), empty)
	out := slices.DeleteFunc(strings.Split(q, "&"), empty)
	if len(out) < len(own) || !slices.Equal(out[:len(own)], own) {
		diffs = append(diffs, fmt.Sprintf("sigv4kit URL query %q does not start with the request's %q", q, s.RawQuery))
	}
	var got []string
	for _, piece := range strings.Split(q, "&") {
		k, _, _ := strings.Cut(piece, "=")
		if slices.Contains(authOrder, k) {
			got = append(got, k)
		}
	}
	want := slices.Clone(authOrder)
	if s.Token == "" {
		want = slices.DeleteFunc(want, func(k string) bool { return k == "X-Amz-Security-Token" })
	}
	if !slices.Equal(got, want) {
		diffs = append(diffs, fmt.Sprintf("sigv4kit presign parameters in order %q, want %q", got, want))
	}
	return diffs
}

func explain(s *Spec, diffs []string, kit, sdk Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v\n  headers: %q\n  token: %v (unsigned: %v), hoist: %v, normalize: %v, payload: %q, body: %d bytes\n",
		s, s.Headers, s.Token != "", s.UnsignedToken, s.Hoist, s.Normalize, s.PayloadHash, len(s.Body))
	for _, d := range diffs {
		b.WriteString("  " + d + "\n")
	}
	if kit.Signature != sdk.Signature && kit.Canonical != nil && sdk.Canonical != nil {
		fmt.Fprintf(&b, "--- sigv4kit canonical request:\n%s\n--- aws-sdk-go-v2 canonical request:\n%s\n---", kit.Canonical(), sdk.Canonical())
	}
	return b.String()
}

// TestGeneratorDeterministic makes sure a seed always yields the same
// requests, so a failure can be replayed with -seed.
func TestGeneratorDeterministic(t *testing.T) {
	a, b := NewGenerator(7), NewGenerator(7)
	for i := 0; i < 200; i++ {
		x, y := a.Next(), b.Next()
		if x.String() != y.String() || x.Secret != y.Secret || !x.Time.Equal(y.Time) {
			t.Fatalf("request %d differs: %v vs %v", i, &x, &y)
		}
	}
}

// TestGeneratorCoverage checks that the default stream reaches the inputs
// the differential test is meant to stress.
func TestGeneratorCoverage(t *testing.T) {
	g := NewGenerator(defaultSeed)
	want := map[string]func(*Spec) bool{
		"path with space":        func(s *Spec) bool { return strings.Contains(s.Path, " ") },
		"path with UTF-8":        func(s *Spec) bool { return strings.Contains(s.Path, "日本") },
		"path with %":            func(s *Spec) bool { return strings.Contains(s.Path, "%") },
		"path with +":            func(s *Spec) bool { return strings.Contains(s.Path, "+") },
		"path with =":            func(s *Spec) bool { return strings.Contains(s.Path, "=") },
		"path with ~":            func(s *Spec) bool { return strings.Contains(s.Path, "~") },
		"path with //":           func(s *Spec) bool { return strings.Contains(s.Path, "//") },
		"path with /./":          func(s *Spec) bool { return strings.Contains(s.Path, "/./") },
		"path with /../":         func(s *Spec) bool { return strings.Contains(s.Path, "/../") },
		"normalized non-S3 path": func(s *Spec) bool { return !s.S3 && s.Normalize && RefNormalize(s.RawPath) != s.RawPath },
		"lower-case %-escape":    func(s *Spec) bool { return strings.Contains(s.RawPath, "%c3") },
		"query +":                func(s *Spec) bool { return strings.Contains(s.RawQuery, "+") },
		"query %2B":              func(s *Spec) bool { return strings.Contains(s.RawQuery, "%2B") },
		"query empty value":      func(s *Spec) bool { return strings.Contains(s.RawQuery, "=&") || strings.HasSuffix(s.RawQuery, "=") },
		"query repeated key": func(s *Spec) bool {
			seen := map[string]bool{}
			for _, p := range strings.Split(s.RawQuery, "&") {
				k, _, _ := strings.Cut(p, "=")
				if seen[k] {
					return true
				}
				seen[k] = true
			}
			return false
		},
		"query UTF-8 key sorting": func(s *Spec) bool {
			return strings.Contains(s.RawQuery, "k%C3%BC") && strings.Contains(s.RawQuery, "k~")
		},
		"header inner spaces": func(s *Spec) bool {
			return slices.ContainsFunc(s.Headers, func(h Header) bool { return strings.Contains(strings.TrimSpace(h.Value), "  ") })
		},
		"header edge whitespace": func(s *Spec) bool {
			return slices.ContainsFunc(s.Headers, func(h Header) bool { return strings.HasPrefix(h.Value, "\t") })
		},
		"header repeated": func(s *Spec) bool {
			return slices.ContainsFunc(s.Headers, func(h Header) bool {
				return len(slices.DeleteFunc(slices.Clone(s.Headers), func(x Header) bool { return x.Name != h.Name })) > 1
			})
		},
		"header case variants": func(s *Spec) bool { return hasCaseVariants(s.Headers) },
		"default port": func(s *Spec) bool {
			return strings.HasSuffix(s.URLHost, ":443") && strings.EqualFold(s.Scheme, "https")
		},
		"other port":     func(s *Spec) bool { return strings.HasSuffix(s.URLHost, ":8443") },
		"session token":  func(s *Spec) bool { return s.Token != "" },
		"unsigned token": func(s *Spec) bool { return s.UnsignedToken },
		"request Host":   func(s *Spec) bool { return s.ReqHost != "" },
	}
	got := map[string]int{}
	for i := 0; i < 20000; i++ {
		s := g.Next()
		for name, f := range want {
			if f(&s) {
				got[name]++
			}
		}
	}
	for name := range want {
		if got[name] == 0 {
			t.Errorf("the first 20000 requests never have %s", name)
		}
	}
}

func hasCaseVariants(hs []Header) bool {
	seen := map[string]string{}
	for _, h := range hs {
		l := strings.ToLower(h.Name)
		if k, ok := seen[l]; ok && k != h.Name {
			return true
		}
		seen[l] = h.Name
	}
	return false
}
