package xlang

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sigv4kit/sigv4kit/compat/differential"
)

var (
	seedFlag = flag.Uint64("seed", 0, "generator seed (0: $SIGV4_XLANG_SEED or the fixed default)")
	nFlag    = flag.Int("n", 0, "number of requests (0: $SIGV4_XLANG_N or 23000)")
)

const (
	// defaultSeed keeps `make test` deterministic; it differs from
	// compat/differential's, so the two tests see different streams.
	defaultSeed = 20261303
	// defaultN requests are each header-signed and presigned: enough that
	// every reference compares more than 10,000 of each after its skips.
	defaultN = 23000

	emptySHA256     = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	// requireEnv turns a missing interpreter or package into a failure.
	requireEnv = "SIGV4_REQUIRE_XLANG"
)

func settings(t *testing.T) (seed uint64, n int) {
	seed, n = defaultSeed, defaultN
	if v := os.Getenv("SIGV4_XLANG_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("SIGV4_XLANG_SEED: %v", err)
		}
		seed = s
	}
	if v := os.Getenv("SIGV4_XLANG_N"); v != "" {
		x, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("SIGV4_XLANG_N: %v", err)
		}
		n = x
	}
	if *seedFlag != 0 {
		seed = *seedFlag
	}
	if *nFlag != 0 {
		n = *nFlag
	}
	if testing.Short() && n > 1000 {
		n = 1000
	}
	return seed, n
}

// wireSpec is one signature to make, as the scripts read it (see the
// comment at the top of botocore_signer.py).
type wireSpec struct {
	ID              int         `json:"id"`
	Op              string      `json:"op"`
	S3              bool        `json:"s3"`
	Service         string      `json:"service"`
	Region          string      `json:"region"`
	Method          string      `json:"method"`
	Scheme          string      `json:"scheme"`
	Host            string      `json:"host"`
	HostHeader      string      `json:"host_header"`
	Path            string      `json:"path"`
	Key             string      `json:"key"`
	Query           [][2]string `json:"query"`
	Headers         [][2]string `json:"headers"`
	Body            []byte      `json:"body"`
	UnsignedPayload bool        `json:"unsigned_payload"`
	ContentSHA256   bool        `json:"content_sha256"`
	AccessKey       string      `json:"access_key"`
	SecretKey       string      `json:"secret_key"`
	Token           string      `json:"token"`
	Time            int64       `json:"time"`
	Expires         int64       `json:"expires"`
	// UseRawQuery (botocore only) puts RawQuery into the URL as it is.
	UseRawQuery bool   `json:"use_raw_query,omitempty"`
	RawQuery    string `json:"raw_query,omitempty"`
}

// wireResult is what a script returns for one wireSpec.
type wireResult struct {
	ID            int    `json:"id"`
	Error         string `json:"error"`
	Canonical     string `json:"canonical"`
	Authorization string `json:"authorization"`
	Date          string `json:"date"`
	Signature     string `json:"signature"`
	SignedHeaders string `json:"signed_headers"`
	Credential    string `json:"credential"`
	Expires       string `json:"expires"`
}

// sigCase is one signature compared: a generated spec, header signing or
// presigning, what the scripts get, and what sigv4kit produced.
type sigCase struct {
	spec    *differential.Spec
	presign bool
	wire    wireSpec
	// kit is sigv4kit's result in the scripts' terms (Canonical unset).
	kit       wireResult
	canonical func() string
}

func (c *sigCase) op() string {
	if c.presign {
		return "presigning"
	}
	return "header signing"
}

// adapt makes a spec expressible to every reference without changing
// what it means to sigv4kit: a payload hash given by the caller must be
// the body's, because botocore and @smithy/signature-v4 hash the body
// themselves. The generator's only such hash is the empty payload's, so
// the body goes.
func adapt(s differential.Spec) differential.Spec {
	if s.PayloadHash == emptySHA256 {
		s.Body = nil
	}
	return s
}

// newCases builds the header-signing and presigning cases of s, with
// sigv4kit's results.
func newCases(ctx context.Context, s *differential.Spec, id int) ([2]*sigCase, error) {
	var out [2]*sigCase
	for i, presign := range []bool{false, true} {
		w, err := toWire(s, presign)
		if err != nil {
			return out, err
		}
		w.ID = id + i
		c := &sigCase{spec: s, presign: presign, wire: w}
		if presign {
			r, _, err := s.KitPresign(ctx)
			if err != nil {
				return out, fmt.Errorf("sigv4kit presign: %w", err)
			}
			c.kit = wireResult{Signature: r.Signature, SignedHeaders: r.SignedHeaders, Credential: r.Credential,
				Date: r.Date, Expires: queryParam(r.URL, "X-Amz-Expires")}
			c.canonical = r.Canonical
		} else {
			r, err := s.KitSign(ctx)
			if err != nil {
				return out, fmt.Errorf("sigv4kit sign: %w", err)
			}
			c.kit = wireResult{Authorization: r.Authorization, Date: r.Date}
			c.canonical = r.Canonical
		}
		out[i] = c
	}
	return out, nil
}

// toWire describes the request sigv4kit signs (s.KitRequest) to the
// scripts: the query as decoded pairs (for presigning it holds the headers
// the caller hoisted), the headers in sigv4kit's order (by map key, then
// value), the S3 key or the wire path.
func toWire(s *differential.Spec, presign bool) (wireSpec, error) {
	req := s.KitRequest(presign)
	w := wireSpec{
		Op: "sign", S3: s.S3, Service: s.Service, Region: s.Region, Method: s.Method,
		Scheme: s.Scheme, Host: s.URLHost, HostHeader: s.ReqHost,
		AccessKey: s.AccessKey, SecretKey: s.Secret,
		Time: s.Time.Unix(), Expires: int64(s.Expires / time.Second),
		Query: [][2]string{}, Headers: [][2]string{},
	}
	if presign {
		w.Op = "presign"
	}
	if !s.UnsignedToken {
		// Neither reference has sigv4kit's SignSessionToken: Off; signing
		// without the token is what it means (the token is added after).
		w.Token = s.Token
	}
	if s.S3 {
		w.Key = escapeAll(s.Path)
	} else {
		w.Path = req.URL.EscapedPath()
	}
	q, err := decodeQuery(req.URL.RawQuery)
	if err != nil {
		return w, err
	}
	w.Query = q
	keys := make([]string, 0, len(req.Header))
	for k := range req.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range req.Header[k] {
			w.Headers = append(w.Headers, [2]string{k, v})
		}
	}
	if req.ContentLength > 0 {
		// Go sends it (and sigv4kit signs it) from req.ContentLength; the
		// references sign it when it is a header at signing time, as the
		// JS SDK's content-length middleware makes it.
		w.Headers = append(w.Headers, [2]string{"Content-Length", strconv.FormatInt(req.ContentLength, 10)})
	}
	switch {
	case !presign:
		w.Body = s.Body
		w.UnsignedPayload = s.S3 && s.PayloadHash == unsignedPayload
		w.ContentSHA256 = !s.S3 && s.ContentHeader
	case !s.S3:
		// sigv4kit presigns a non-S3 request over its body's hash.
		w.Body = s.Body
	}
	// encoding/json would replace invalid UTF-8 silently.
	for _, str := range wireStrings(&w) {
		if !utf8.ValidString(str) {
			return w, fmt.Errorf("field %q is not valid UTF-8; the generator changed", str)
		}
	}
	return w, nil
}

func wireStrings(w *wireSpec) []string {
	out := []string{w.Service, w.Region, w.Method, w.Scheme, w.Host, w.HostHeader, w.Path, w.Key, w.AccessKey, w.SecretKey, w.Token}
	for _, p := range w.Query {
		out = append(out, p[0], p[1])
	}
	for _, h := range w.Headers {
		out = append(out, h[0], h[1])
	}
	return out
}

// decodeQuery splits a raw query on '&' and decodes each key and value
// with the standard library ('+' is a space), dropping empty pieces. A key
// without '=' has the empty value, as in every signer compared.
func decodeQuery(raw string) ([][2]string, error) {
	out := [][2]string{}
	for _, piece := range strings.Split(raw, "&") {
		if piece == "" {
			continue
		}
		k, v, _ := strings.Cut(piece, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("query key %q: %w", k, err)
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("query value %q: %w", v, err)
		}
		out = append(out, [2]string{dk, dv})
	}
	return out, nil
}

// escapeAll %-escapes every byte of s but the unreserved ones and '/'.
func escapeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// queryParam returns the value of the first name=... pair in rawURL's
// query (without parsing the rest, which may hold any bytes).
func queryParam(rawURL, name string) string {
	_, q, _ := strings.Cut(rawURL, "?")
	for _, piece := range strings.Split(q, "&") {
		if k, v, ok := strings.Cut(piece, "="); ok && k == name {
			d, err := url.QueryUnescape(v)
			if err != nil {
				return v
			}
			return d
		}
	}
	return ""
}

// quirk is an input on which a reference genuinely differs from sigv4kit.
type quirk struct {
	name, why string
	applies   func(c *sigCase, info *refInfo) bool
}

// refInfo is what a script reports about its library.
type refInfo struct {
	Version string `json:"version"`
	// UnsignedHeaders is botocore's SIGNED_HEADERS_BLACKLIST.
	UnsignedHeaders []string `json:"unsigned_headers"`
}

// kitDenied is sigv4kit's default deny list (README, "Which headers are
// signed"), but for Authorization, which every reference removes before
// header signing (see presign-signs-authorization for botocore's presigner).
var kitDenied = []string{"user-agent", "x-amzn-trace-id", "expect", "transfer-encoding", "connection"}

func hostHasUpper(c *sigCase, _ *refInfo) bool {
	return c.wire.HostHeader == "" && strings.ToLower(c.wire.Host) != c.wire.Host
}

// normalizeOffChanges: sigv4kit runs with NormalizePath: Off and the wire
// path has a ".", ".." or empty segment, which every reference's
// non-S3 mode would remove (neither can turn normalization off).
func normalizeOffChanges(c *sigCase, _ *refInfo) bool {
	if c.spec.S3 || c.spec.Normalize {
		return false
	}
	segs := strings.Split(strings.TrimPrefix(c.wire.Path, "/"), "/")
	for i, seg := range segs {
		if seg == "." || seg == ".." || seg == "" && i != len(segs)-1 {
			return true
		}
	}
	return false
}

func repeatedQueryKey(c *sigCase) bool {
	seen := map[string]bool{}
	for _, p := range c.wire.Query {
		if seen[p[0]] {
			return true
		}
		seen[p[0]] = true
	}
	return false
}

var (
	quirkHostCase = quirk{"host-lowercased",
		"the URL's host has upper-case letters: the reference signs it lower-cased (botocore: urlsplit().hostname; " +
			"JS: the WHATWG URL host that the SDK's host-header middleware sets), as its HTTP client sends it; " +
			"Go sends URL.Host as given and sigv4kit signs that",
		hostHasUpper}
	quirkAlwaysNormalizes = quirk{"always-normalizes",
		"sigv4kit runs with NormalizePath: Off on a path with '.', '..' or empty segments; the reference's " +
			"non-S3 mode always removes them and has no option to keep them",
		normalizeOffChanges}
	botocoreQuirks = []quirk{
		quirkHostCase,
		quirkAlwaysNormalizes,
		{"presign-one-value-per-key",
			"presigning a query with a repeated key: SigV4QueryAuth rebuilds the query from parse_qs() keeping " +
				"only the first value of each key (its comment: \"we know we won't have repeated keys\")",
			func(c *sigCase, _ *refInfo) bool { return c.presign && repeatedQueryKey(c) }},
		{"presign-signs-authorization",
			"presigning a request that has an Authorization header: SigV4QueryAuth signs it (only header " +
				"signing removes it first, and 'authorization' is not on SIGNED_HEADERS_BLACKLIST)",
			func(c *sigCase, _ *refInfo) bool { return c.presign && hasHeader(c, "authorization") }},
		{"presign-body-into-query",
			"presigning a non-S3 request with a body: SigV4QueryAuth moves the body into the query " +
				"(_get_body_as_dict: json.loads, which fails on other bodies) and signs the empty payload",
			func(c *sigCase, _ *refInfo) bool { return c.presign && !c.spec.S3 && len(c.wire.Body) > 0 }},
		{"signs-denied-header",
			"a header on sigv4kit's deny list that this botocore's SIGNED_HEADERS_BLACKLIST lacks: botocore " +
				"signs it (1.29, Debian's python3-botocore, lists only expect, user-agent and x-amzn-trace-id)",
			func(c *sigCase, info *refInfo) bool {
				for _, h := range kitDenied {
					if hasHeader(c, h) && !slices.Contains(info.UnsignedHeaders, h) {
						return true
					}
				}
				return false
			}},
	}
	smithyQuirks = []quirk{
		quirkHostCase,
		quirkAlwaysNormalizes,
		{"s3-key-not-utf8",
			"an S3 key that is not valid UTF-8: a JS string cannot hold it, so the SDK cannot send it",
			func(c *sigCase, _ *refInfo) bool { return c.spec.S3 && !utf8.ValidString(c.spec.Path) }},
	}
	// smithyAdjustments are inputs @smithy/signature-v4 is given through a
	// documented option or in HTTP's equivalent form, and then compared.
	smithyAdjustments = []quirk{
		{"cache-control-signable",
			"Cache-Control is on SignatureV4's ALWAYS_UNSIGNABLE_HEADERS list; the spec signs it, so the script " +
				"passes the documented signableHeaders option",
			func(c *sigCase, _ *refInfo) bool { return hasHeader(c, "cache-control") }},
		{"repeated-lines-combined",
			"a header with several lines (or map keys differing in case): a HeaderBag holds one value per name, " +
				"so the script combines them as RFC 9110 section 5.3 does (values without edge whitespace, joined by \",\")",
			func(c *sigCase, _ *refInfo) bool { return repeatedHeader(c) }},
	}
)

func hasHeader(c *sigCase, lower string) bool {
	return slices.ContainsFunc(c.wire.Headers, func(h [2]string) bool { return strings.ToLower(h[0]) == lower })
}

func repeatedHeader(c *sigCase) bool {
	seen := map[string]bool{}
	for _, h := range c.wire.Headers {
		l := strings.ToLower(h[0])
		if seen[l] {
			return true
		}
		seen[l] = true
	}
	return false
}

// reference is one signer in another language.
type reference struct {
	name        string
	script      string
	quirks      []quirk
	adjustments []quirk
	// find returns the interpreter to run, or why it cannot.
	find func() (string, error)
}

var references = []reference{
	{name: "botocore", script: "botocore_signer.py", quirks: botocoreQuirks, find: findPython},
	{name: "@smithy/signature-v4", script: "smithy_signer.mjs", quirks: smithyQuirks, adjustments: smithyAdjustments, find: findNode},
}

// findPython returns $SIGV4_XLANG_PYTHON, or the first of python3 and
// /usr/bin/python3 that imports botocore.
func findPython() (string, error) {
	cands := []string{"python3", "/usr/bin/python3"}
	if p := os.Getenv("SIGV4_XLANG_PYTHON"); p != "" {
		cands = []string{p}
	}
	var tried []string
	for _, c := range cands {
		p, err := exec.LookPath(c)
		if err != nil {
			tried = append(tried, c+": not found")
			continue
		}
		if out, err := exec.Command(p, "-c", "import botocore").CombinedOutput(); err != nil {
			tried = append(tried, fmt.Sprintf("%s: %v: %s", p, err, bytes.TrimSpace(out)))
			continue
		}
		return p, nil
	}
	return "", fmt.Errorf("no Python with botocore (%s); run compat/scripts/xlang-setup.sh", strings.Join(tried, "; "))
}

// findNode returns $SIGV4_XLANG_NODE or node, once the npm packages are
// installed next to the script.
func findNode() (string, error) {
	n := os.Getenv("SIGV4_XLANG_NODE")
	if n == "" {
		n = "node"
	}
	p, err := exec.LookPath(n)
	if err != nil {
		return "", fmt.Errorf("no node (%v); run compat/scripts/xlang-setup.sh", err)
	}
	if _, err := os.Stat(filepath.Join("node_modules", "@smithy", "signature-v4", "package.json")); err != nil {
		return "", fmt.Errorf("@smithy/signature-v4 is not installed (%v); run compat/scripts/xlang-setup.sh (npm ci in compat/xlang)", err)
	}
	return p, nil
}

// run sends specs to the reference's script and returns its results by id
// and what it says of its library.
func (r *reference) run(ctx context.Context, interp string, specs []wireSpec) (map[int]wireResult, *refInfo, error) {
	in, err := json.Marshal(specs)
	if err != nil {
		return nil, nil, err
	}
	if dir := os.Getenv("SIGV4_XLANG_DUMP"); dir != "" {
		// For replaying a batch by hand: SCRIPT < DIR/SCRIPT.json
		if err := os.WriteFile(filepath.Join(dir, r.script+".json"), in, 0o644); err != nil {
			return nil, nil, err
		}
	}
	cmd := exec.CommandContext(ctx, interp, r.script)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, nil, fmt.Errorf("%s %s: %v\n%s", interp, r.script, err, stderr.String())
	}
	var out struct {
		refInfo
		Results []wireResult `json:"results"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, nil, fmt.Errorf("%s: output: %v\n%s", r.script, err, stderr.String())
	}
	if len(out.Results) != len(specs) {
		return nil, nil, fmt.Errorf("%s: %d results for %d specs", r.script, len(out.Results), len(specs))
	}
	byID := make(map[int]wireResult, len(out.Results))
	for _, res := range out.Results {
		byID[res.ID] = res
	}
	return byID, &out.refInfo, nil
}

// agrees reports whether a reference's result equals sigv4kit's.
func agrees(c *sigCase, ref wireResult) bool {
	if ref.Error != "" {
		return false
	}
	if c.presign {
		return ref.Signature == c.kit.Signature && ref.SignedHeaders == c.kit.SignedHeaders &&
			ref.Credential == c.kit.Credential && ref.Date == c.kit.Date && ref.Expires == c.kit.Expires
	}
	return ref.Authorization == c.kit.Authorization && ref.Date == c.kit.Date
}

// classTrailingSlash is the known disagreement the lead is fixing in
// sigv4 (issue 13, part 1): after removing dot segments, sigv4kit's path
// ends in '/' although the path as sent does not.
const classTrailingSlash = "trailing-slash-after-dot-segment"

// classify names a disagreement by the canonical requests' differences.
func classify(c *sigCase, ref wireResult, kitCanonical string) string {
	if ref.Error != "" {
		return "error"
	}
	kl, rl := strings.Split(kitCanonical, "\n"), strings.Split(ref.Canonical, "\n")
	if len(kl) != len(rl) {
		return "other"
	}
	var diff []int
	for i := range kl {
		if kl[i] != rl[i] {
			diff = append(diff, i)
		}
	}
	if len(diff) == 1 && diff[0] == 1 && !c.spec.S3 && kl[1] == rl[1]+"/" && !strings.HasSuffix(c.wire.Path, "/") {
		return classTrailingSlash
	}
	if len(diff) == 0 {
		return "same-canonical-request"
	}
	return "other"
}

// opStats counts one operation's comparisons with one reference.
type opStats struct {
	compared, agreed int
	disagreed        map[string]int // by class
	skipped          map[string]int // by quirk
	adjusted         map[string]int // by adjustment
}

func newOpStats() *opStats {
	return &opStats{disagreed: map[string]int{}, skipped: map[string]int{}, adjusted: map[string]int{}}
}

func (s *opStats) disagreements() int {
	n := 0
	for _, v := range s.disagreed {
		n += v
	}
	return n
}

func formatCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	total := 0
	for k, v := range m {
		keys = append(keys, k)
		total += v
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return fmt.Sprintf("%d (%s)", total, strings.Join(parts, ", "))
}

// TestCrossLanguage header-signs and presigns n generated requests
// (23,000 by default) with sigv4kit, botocore and @smithy/signature-v4, and
// requires each reference to agree with sigv4kit on every signature except
// the inputs of its named quirks, which must still disagree.
func TestCrossLanguage(t *testing.T) {
	seed, n := settings(t)
	ctx := context.Background()
	interps := make([]string, len(references))
	findErrs := make([]error, len(references))
	for i, ref := range references {
		interps[i], findErrs[i] = ref.find()
	}
	if os.Getenv(requireEnv) != "1" && !slices.Contains(findErrs, nil) {
		t.Skipf("no reference available: %v", errors.Join(findErrs...))
	}
	start := time.Now()
	g := differential.NewGenerator(seed)
	var cases []*sigCase
	for i := 0; i < n; i++ {
		s := adapt(g.Next())
		cs, err := newCases(ctx, &s, 2*i)
		if err != nil {
			t.Fatalf("request %d (seed %d): %v: %v", i, seed, &s, err)
		}
		cases = append(cases, cs[0], cs[1])
	}
	t.Logf("seed %d: %d requests, %d signatures by sigv4kit in %v", seed, n, len(cases), time.Since(start).Round(time.Millisecond))
	specs := make([]wireSpec, 0, len(cases)+len(anchors))
	for _, c := range cases {
		specs = append(specs, c.wire)
	}
	for _, a := range anchors {
		specs = append(specs, a.spec)
	}

	for i, ref := range references {
		t.Run(ref.name, func(t *testing.T) {
			t.Parallel()
			interp, err := interps[i], findErrs[i]
			if err != nil {
				if os.Getenv(requireEnv) == "1" {
					t.Fatalf("%s unavailable and %s=1: %v", ref.name, requireEnv, err)
				}
				t.Skipf("%s unavailable: %v", ref.name, err)
			}
			ctx, cancel := context.WithTimeout(ctx, 8*time.Minute)
			defer cancel()
			start := time.Now()
			results, info, err := ref.run(ctx, interp, specs)
			if err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start)
			checkAnchors(t, ref.name, results)
			compareAll(t, seed, &ref, info, interp, elapsed, cases, results)
		})
	}
}

// compareAll compares every case with one reference's results, counts,
// logs the summary and reports the disagreements.
func compareAll(t *testing.T, seed uint64, ref *reference, info *refInfo, interp string, elapsed time.Duration, cases []*sigCase, results map[int]wireResult) {
	stats := map[bool]*opStats{false: newOpStats(), true: newOpStats()}
	type example struct {
		c     *sigCase
		res   wireResult
		kitCR string
	}
	examples := map[string][]example{}
	var notReproduced []string
	for _, c := range cases {
		st := stats[c.presign]
		res, ok := results[c.wire.ID]
		if !ok {
			t.Fatalf("%s returned no result for id %d", ref.name, c.wire.ID)
		}
		skip := ""
		for _, q := range ref.quirks {
			if q.applies(c, info) {
				skip = q.name
				break
			}
		}
		if skip != "" {
			st.skipped[skip]++
			if agrees(c, res) && len(notReproduced) < 5 {
				notReproduced = append(notReproduced, fmt.Sprintf("%s: %s agrees on %v", skip, c.op(), c.spec))
			}
			continue
		}
		for _, a := range ref.adjustments {
			if a.applies(c, info) {
				st.adjusted[a.name]++
			}
		}
		st.compared++
		if agrees(c, res) {
			st.agreed++
			continue
		}
		kitCR := c.canonical()
		class := classify(c, res, kitCR)
		st.disagreed[class]++
		if len(examples[class]) < 3 {
			examples[class] = append(examples[class], example{c, res, kitCR})
		}
	}

	total := 0
	for _, presign := range []bool{false, true} {
		st := stats[presign]
		op := "header signing"
		if presign {
			op = "presigning"
		}
		line := fmt.Sprintf("%s %s: compared %d, agreed %d, disagreed %s, skipped %s",
			ref.name, op, st.compared, st.agreed, formatCounts(st.disagreed), formatCounts(st.skipped))
		if len(ref.adjustments) > 0 {
			line += ", compared after adjustment " + formatCounts(st.adjusted)
		}
		t.Log(line)
		total += st.disagreements()
	}
	t.Logf("%s %s (%s): %d signatures of %d requests (seed %d) in %v",
		ref.name, info.Version, interp, len(cases), len(cases)/2, seed, elapsed.Round(time.Millisecond))
	for _, q := range append(slices.Clone(ref.quirks), ref.adjustments...) {
		if stats[false].skipped[q.name]+stats[true].skipped[q.name]+stats[false].adjusted[q.name]+stats[true].adjusted[q.name] > 0 {
			t.Logf("%s %s: %s", ref.name, q.name, q.why)
		}
	}

	for _, msg := range notReproduced {
		t.Errorf("%s: a skipped quirk did not reproduce (the reason may no longer hold): %s", ref.name, msg)
	}
	if total == 0 {
		return
	}
	classes := make([]string, 0, len(examples))
	for k := range examples {
		classes = append(classes, k)
	}
	sort.Strings(classes)
	for _, class := range classes {
		for _, ex := range examples[class] {
			t.Errorf("%s disagrees (%s), %s of %v\n  headers: %q\n  query: %q\n  sigv4kit:  %+v\n  reference: %s\n--- sigv4kit canonical request:\n%s\n--- %s canonical request:\n%s\n---",
				ref.name, class, ex.c.op(), ex.c.spec, ex.c.wire.Headers, ex.c.wire.Query,
				ex.c.kit, describe(ex.res), ex.kitCR, ref.name, ex.res.Canonical)
		}
	}
	t.Errorf("%s: %d unexplained disagreements (seed %d; replay with -seed %d -n %d)", ref.name, total, seed, seed, len(cases)/2)
}

func describe(r wireResult) string {
	if r.Error != "" {
		return "error: " + r.Error
	}
	if r.Authorization != "" {
		return r.Authorization + " date=" + r.Date
	}
	return fmt.Sprintf("signature=%s signed=%s credential=%s date=%s expires=%s", r.Signature, r.SignedHeaders, r.Credential, r.Date, r.Expires)
}

// anchor is a published AWS example both references must reproduce: it
// shows that a script's wiring (clock, credentials, S3 mode) is right
// independently of sigv4kit.
type anchor struct {
	name          string
	spec          wireSpec
	wantSignature string
}

var (
	s3DocTime    = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC).Unix()
	iamDocTime   = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC).Unix()
	anchorIDBase = 1 << 30
	anchors      = []anchor{
		{"S3 GET Object (S3 API Reference)", wireSpec{
			ID: anchorIDBase, Op: "sign", S3: true, Service: "s3", Region: "us-east-1", Method: http.MethodGet,
			Scheme: "https", Host: "examplebucket.s3.amazonaws.com", Key: "/test.txt",
			Query: [][2]string{}, Headers: [][2]string{{"Range", "bytes=0-9"}},
			AccessKey: "AKIAIOSFODNN7EXAMPLE", SecretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Time: s3DocTime,
		}, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"},
		{"S3 GET Bucket, list objects (S3 API Reference)", wireSpec{
			ID: anchorIDBase + 1, Op: "sign", S3: true, Service: "s3", Region: "us-east-1", Method: http.MethodGet,
			Scheme: "https", Host: "examplebucket.s3.amazonaws.com", Key: "/",
			Query: [][2]string{{"max-keys", "2"}, {"prefix", "J"}}, Headers: [][2]string{},
			AccessKey: "AKIAIOSFODNN7EXAMPLE", SecretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Time: s3DocTime,
		}, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"},
		{"S3 presigned GET (S3 API Reference)", wireSpec{
			ID: anchorIDBase + 2, Op: "presign", S3: true, Service: "s3", Region: "us-east-1", Method: http.MethodGet,
			Scheme: "https", Host: "examplebucket.s3.amazonaws.com", Key: "/test.txt",
			Query: [][2]string{}, Headers: [][2]string{},
			AccessKey: "AKIAIOSFODNN7EXAMPLE", SecretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Time: s3DocTime, Expires: 86400,
		}, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"},
		{"IAM ListUsers (IAM User Guide)", wireSpec{
			ID: anchorIDBase + 3, Op: "sign", Service: "iam", Region: "us-east-1", Method: http.MethodGet,
			Scheme: "https", Host: "iam.amazonaws.com", Path: "/",
			Query:     [][2]string{{"Action", "ListUsers"}, {"Version", "2010-05-08"}},
			Headers:   [][2]string{{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
			AccessKey: "AKIDEXAMPLE", SecretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Time: iamDocTime,
		}, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"},
	}
)

func checkAnchors(t *testing.T, name string, results map[int]wireResult) {
	t.Helper()
	for _, a := range anchors {
		res := results[a.spec.ID]
		got := res.Signature
		if a.spec.Op == "sign" {
			_, got, _ = strings.Cut(res.Authorization, "Signature=")
		}
		if got != a.wantSignature {
			t.Errorf("%s does not reproduce AWS's %s: signature %q, want %q (error %q)\n%s",
				name, a.name, got, a.wantSignature, res.Error, res.Canonical)
		}
	}
}

// TestNormalizeOffChanges checks which wire paths the always-normalizes
// quirk claims every reference would change.
func TestNormalizeOffChanges(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"/", false},
		{"/a/b", false},
		{"/a/b/", false},
		{"/a/%2E/b", false}, // an escaped dot is no dot segment anywhere
		{"/a/...", false},
		{"//", true},
		{"/a//b", true},
		{"/a/./b", true},
		{"/a/b/..", true},
		{"/.", true},
		{"/a/b//", true},
	}
	for _, tt := range tests {
		c := &sigCase{spec: &differential.Spec{}, wire: wireSpec{Path: tt.path}}
		if got := normalizeOffChanges(c, nil); got != tt.want {
			t.Errorf("normalizeOffChanges(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
	// S3 and normalizing specs are never this quirk.
	c := &sigCase{spec: &differential.Spec{S3: true}, wire: wireSpec{Path: "//"}}
	if normalizeOffChanges(c, nil) {
		t.Error("an S3 spec is reported as normalized")
	}
}

// TestDecodeQuery checks the query decoding every reference is given.
func TestDecodeQuery(t *testing.T) {
	tests := []struct {
		raw  string
		want [][2]string
	}{
		{"", [][2]string{}},
		{"a=1&&b", [][2]string{{"a", "1"}, {"b", ""}}},
		{"x+y=a%2Bb&k%C3%BC=%e6%97%a5", [][2]string{{"x y", "a+b"}, {"kü", "日"}}},
		{"a=1&a=&a", [][2]string{{"a", "1"}, {"a", ""}, {"a", ""}}},
		{"=v&%3D=%26", [][2]string{{"", "v"}, {"=", "&"}}},
	}
	for _, tt := range tests {
		got, err := decodeQuery(tt.raw)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("decodeQuery(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
		}
	}
	if _, err := decodeQuery("a=%zz"); err == nil {
		t.Error("decodeQuery accepted a bad escape")
	}
}

// TestEscapeAll checks the S3 key form the scripts decode to bytes.
func TestEscapeAll(t *testing.T) {
	for in, want := range map[string]string{
		"/a b/c":       "/a%20b/c",
		"/-._~AZaz09/": "/-._~AZaz09/",
		"/\xff\x00%+":  "/%FF%00%25%2B",
		"/日":           "/%E6%97%A5",
	} {
		if got := escapeAll(in); got != want {
			t.Errorf("escapeAll(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestClassify checks that the trailing-slash class is recognized (the
// disagreement sigv4kit had before its normalization fix) and nothing
// else is.
func TestClassify(t *testing.T) {
	c := &sigCase{spec: &differential.Spec{Normalize: true}, wire: wireSpec{Path: "/a/b/.."}}
	cr := func(path string) string { return "GET\n" + path + "\n\nhost:h\n\nhost\n" + emptySHA256 }
	tests := []struct {
		kit, ref string
		c        *sigCase
		want     string
	}{
		{cr("/a/"), cr("/a"), c, classTrailingSlash},
		{cr("/a/"), cr("/a"), &sigCase{spec: &differential.Spec{}, wire: wireSpec{Path: "/a/b/../"}}, "other"},
		{cr("/a/"), cr("/a"), &sigCase{spec: &differential.Spec{S3: true}}, "other"},
		{cr("/b"), cr("/a"), c, "other"},
		{cr("/a/") + "x", cr("/a"), c, "other"},
		{cr("/a"), cr("/a"), c, "same-canonical-request"},
	}
	for i, tt := range tests {
		if got := classify(tt.c, wireResult{Canonical: tt.ref}, tt.kit); got != tt.want {
			t.Errorf("%d: classify = %q, want %q", i, got, tt.want)
		}
	}
	if got := classify(c, wireResult{Error: "boom"}, cr("/a")); got != "error" {
		t.Errorf("classify of an error = %q", got)
	}
}

// TestQuirkBotocoreRawURLQuery documents what botocore's SigV4Auth does
// with the query of a URL it is handed as is (using the signer by itself,
// not through a client, which encodes its parameters first, as
// TestCrossLanguage does): it splits it on '&' and '=' and sorts the pieces
// without decoding or re-encoding them. A '+', a lower-case or needless
// escape, an unescaped reserved byte and an empty piece are signed as
// given; sigv4kit signs them canonically (each key and value decoded and
// escaped again, empty pieces dropped). The test fails if botocore starts
// to agree where it did not, or stops agreeing where it did.
func TestQuirkBotocoreRawURLQuery(t *testing.T) {
	tests := []struct {
		raw, botocore string
		agrees        bool
	}{
		{"a=x+y", "a=x+y", false},
		{"a=%7e%2f", "a=%7e%2f", false},
		{"a=b!c*", "a=b!c*", false},
		{"a=1&&b=2", "=&a=1&b=2", false},
		{"k%7E=1&k~=2", "k%7E=1&k~=2", false},
		{"uploads", "uploads=", true},
		{"a=", "a=", true},
		{"b=1&a=2&a=1", "a=1&a=2&b=1", true},
	}
	ref := references[0]
	interp, err := ref.find()
	if err != nil {
		if os.Getenv(requireEnv) == "1" {
			t.Fatalf("botocore unavailable and %s=1: %v", requireEnv, err)
		}
		t.Skipf("botocore unavailable: %v", err)
	}
	ctx := context.Background()
	specs := make([]wireSpec, len(tests))
	kitQuery := make([]string, len(tests))
	for i, tt := range tests {
		s := differential.Spec{
			Service: "iam", Region: "us-east-1", Method: http.MethodGet, Scheme: "https", URLHost: "example.com",
			Path: "/", RawQuery: tt.raw, AccessKey: "AKIDEXAMPLE", Secret: "secret", Time: time.Unix(iamDocTime, 0).UTC(),
		}
		kit, err := s.KitSign(ctx)
		if err != nil {
			t.Fatal(err)
		}
		kitQuery[i] = strings.Split(kit.Canonical(), "\n")[2]
		specs[i] = wireSpec{
			ID: i, Op: "sign", Service: s.Service, Region: s.Region, Method: s.Method, Scheme: s.Scheme,
			Host: s.URLHost, Path: "/", Query: [][2]string{}, Headers: [][2]string{},
			AccessKey: s.AccessKey, SecretKey: s.Secret, Time: iamDocTime, UseRawQuery: true, RawQuery: tt.raw,
		}
	}
	results, info, err := ref.run(ctx, interp, specs)
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		res := results[i]
		lines := strings.Split(res.Canonical, "\n")
		if res.Error != "" || len(lines) < 3 {
			t.Errorf("%q: botocore %s: error %q, canonical %q", tt.raw, info.Version, res.Error, res.Canonical)
			continue
		}
		if lines[2] != tt.botocore {
			t.Errorf("%q: botocore %s signs the query %q, documented %q", tt.raw, info.Version, lines[2], tt.botocore)
		}
		if agree := lines[2] == kitQuery[i]; agree != tt.agrees {
			t.Errorf("%q: botocore %q, sigv4kit %q: agreement %v, documented %v", tt.raw, lines[2], kitQuery[i], agree, tt.agrees)
		}
	}
}
