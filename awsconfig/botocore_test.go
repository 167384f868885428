package awsconfig_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/awsconfig"
	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/presign"
)

// The parity table: testdata/botocore/scenarios.json holds the scenarios
// (environment variables, files under HOME, an explicit profile), and
// answers.json what botocore answered for each (resolve.py, which runs
// them on the machine's botocore, wrote it). TestBotocoreParity runs every
// scenario through Load and compares the answers field by field. A field
// may differ only where knownDifferences documents why; every documented
// difference must still differ, and their count is fixed, so that no
// difference is silent and none is documented for nothing.

// scenario is one entry of scenarios.json.
type scenario struct {
	Name    string            `json:"name"`
	Note    string            `json:"note"`
	Env     map[string]string `json:"env"`
	Files   map[string]any    `json:"files"` // a list of lines, or a string
	Profile string            `json:"profile"`
}

// knownDifferences are the answers of the loader that differ from
// botocore's on purpose, by scenario and field.
var knownDifferences = map[string]map[string]string{
	"aws-region-env": {
		"region": "botocore (the AWS CLI v1) does not read AWS_REGION; the AWS CLI v2, " +
			"aws-sdk-go-v2 and the other SDKs read it before AWS_DEFAULT_REGION, and so does Load",
	},
}

// wantDifferences is the number of documented differences.
const wantDifferences = 1

// botocoreClass maps botocore's exception classes to the classes that
// errorClass gives the loader's errors. InfiniteLoopConfigError is a
// subclass of InvalidConfigError. botocore raises three classes where the
// remedy is the same "aws sso login" (no cached token, an expired token,
// a token the portal refuses); the loader has one, ErrSSOLoginRequired.
var botocoreClass = map[string]string{
	"InfiniteLoopConfigError":   "InvalidConfigError",
	"SSOTokenLoadError":         "SSOLoginRequired",
	"TokenRetrievalError":       "SSOLoginRequired",
	"UnauthorizedSSOTokenError": "SSOLoginRequired",
}

// errorClass names the class of a loader error.
func errorClass(err error) string {
	var fe *credentials.FileError
	switch {
	case errors.Is(err, credentials.ErrNoCredentials):
		// First: a chain that found nothing also wraps what each source
		// said (a missing default profile).
		return "NoCredentials"
	case errors.Is(err, credentials.ErrSSOLoginRequired):
		return "SSOLoginRequired"
	case errors.Is(err, credentials.ErrInvalidValue), errors.Is(err, awsconfig.ErrInvalidConfig):
		return "InvalidConfigError"
	case errors.Is(err, credentials.ErrProfileNotFound):
		return "ProfileNotFound"
	case errors.Is(err, credentials.ErrPartialCredentials):
		return "PartialCredentialsError"
	case errors.As(err, &fe):
		return "ConfigParseError"
	}
	return "unexpected error: " + err.Error()
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "botocore", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// answersFile is the layout of answers.json.
type answersFile struct {
	Generator string                    `json:"generator"`
	Botocore  string                    `json:"botocore"`
	Answers   map[string]map[string]any `json:"answers"`
}

func TestBotocoreParity(t *testing.T) {
	var scenarios []scenario
	readJSON(t, "scenarios.json", &scenarios)
	var recorded answersFile
	readJSON(t, "answers.json", &recorded)
	if len(scenarios) < 30 {
		t.Fatalf("%d scenarios, want at least 30", len(scenarios))
	}
	differences := 0
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			want, ok := recorded.Answers[sc.Name]
			if !ok {
				t.Fatalf("answers.json has no answer for %s: run the generator (%s)", sc.Name, recorded.Generator)
			}
			got := runScenario(t, sc)
			known := knownDifferences[sc.Name]
			for _, field := range unionKeys(got, want) {
				g, w := got[field], want[field]
				if field == "error" && w != nil {
					if c, ok := botocoreClass[w.(string)]; ok {
						w = c
					}
				}
				same := reflect.DeepEqual(g, w)
				reason, documented := known[field]
				switch {
				case same && documented:
					t.Errorf("%s: documented as different (%s) but both answer %v", field, reason, g)
				case !same && documented:
					differences++
					t.Logf("%s: documented difference: loader %v, botocore %v: %s", field, g, w, reason)
				case !same:
					t.Errorf("%s: loader %v, botocore %v", field, g, w)
				}
			}
		})
	}
	if differences != wantDifferences {
		t.Errorf("%d documented differences showed, want %d", differences, wantDifferences)
	}
}

func unionKeys(a, b map[string]any) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []map[string]any{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

var (
	timeRE = regexp.MustCompile(`\{\{time:([+-]\d+)\}\}`)
	sha1RE = regexp.MustCompile(`\{\{sha1:([^}]*)\}\}`)
)

// expand expands the placeholders of resolve.py.
func expand(s, home string, now time.Time) string {
	s = timeRE.ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.Atoi(timeRE.FindStringSubmatch(m)[1])
		return now.Add(time.Duration(n) * time.Second).UTC().Format("2006-01-02T15:04:05Z")
	})
	s = sha1RE.ReplaceAllStringFunc(s, func(m string) string {
		sum := sha1.Sum([]byte(sha1RE.FindStringSubmatch(m)[1]))
		return hex.EncodeToString(sum[:])
	})
	return strings.ReplaceAll(s, "{{home}}", home)
}

func fileContent(t *testing.T, v any) string {
	switch c := v.(type) {
	case string:
		return c
	case []any:
		var b strings.Builder
		for _, l := range c {
			b.WriteString(l.(string) + "\n")
		}
		return b.String()
	}
	t.Fatalf("file content %T", v)
	return ""
}

// runScenario resolves a scenario with Load and answers in resolve.py's
// terms.
func runScenario(t *testing.T, sc scenario) map[string]any {
	t.Helper()
	home := t.TempDir()
	now := time.Now()
	env := map[string]string{"HOME": home, "AWS_EC2_METADATA_DISABLED": "true"}
	for k, v := range sc.Env {
		env[k] = expand(v, home, now)
	}
	for name, content := range sc.Files {
		path := filepath.Join(home, expand(name, home, now))
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(expand(fileContent(t, content), home, now)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	aws := newFakeAWS(t)
	ctx := context.Background()
	out := map[string]any{}
	answer := func() map[string]any {
		out["calls"] = aws.recorded()
		cache := map[string]any{}
		for name := range sc.Files {
			if !strings.Contains(name, "/sso/cache/") {
				continue
			}
			data, err := os.ReadFile(filepath.Join(home, expand(name, home, now)))
			if err != nil {
				t.Fatal(err)
			}
			var tok map[string]any
			if err := json.Unmarshal(data, &tok); err != nil {
				t.Fatal(err)
			}
			cache[name] = map[string]any{"accessToken": tok["accessToken"], "refreshToken": tok["refreshToken"]}
		}
		if len(cache) > 0 {
			out["sso_cache"] = cache
		}
		// The JSON round trip gives the types of the recorded answers.
		data, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	cfg, err := awsconfig.Load(ctx, awsconfig.Options{
		Profile: sc.Profile, Getenv: func(k string) string { return env[k] }, HomeDir: home,
		HTTPClient: aws.client(),
	})
	if err != nil {
		out["error"] = errorClass(err)
		return answer()
	}
	if cfg.Region != "" {
		out["region"] = cfg.Region
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		out["error"] = errorClass(err)
		return answer()
	}
	out["access_key_id"] = creds.AccessKeyID
	out["secret_access_key"] = creds.SecretAccessKey
	if creds.SessionToken != "" {
		out["session_token"] = creds.SessionToken
	}
	if cfg.S3.AddressingStyle != "" {
		out["addressing_style"] = cfg.S3.AddressingStyle
	}
	pc := presign.ConfigFrom(cfg)
	out["use_accelerate_endpoint"] = pc.Accelerate
	out["use_dualstack_endpoint"] = pc.DualStack
	out["use_fips_endpoint"] = pc.FIPS
	if pc.Endpoint != "" {
		out["endpoint_url_s3"] = pc.Endpoint
	}
	if pc.Region == "" {
		pc.Region = "us-east-1" // botocore's S3 client falls back to the global endpoint
	}
	p, err := presign.New(pc)
	if err != nil {
		out["error"] = "presign.New: " + err.Error()
		return answer()
	}
	r, err := p.GetObject(ctx, "examplebucket", "reports/q3.pdf", time.Minute)
	if err != nil {
		out["error"] = "GetObject: " + err.Error()
		return answer()
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	out["force_path_style"] = strings.HasPrefix(u.EscapedPath(), "/examplebucket/")
	return answer()
}

// fakeAWS is the Go twin of resolve.py's fake server: STS (AssumeRole,
// AssumeRoleWithWebIdentity), the SSO portal (GetRoleCredentials) and SSO
// OIDC (CreateToken), on a loopback server that every request of the
// loader reaches through a transport that keeps the URL the loader chose
// in X-Original-Url.
type fakeAWS struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls []string
}

func newFakeAWS(t *testing.T) *fakeAWS {
	f := &fakeAWS{calls: []string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAWS) recorded() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string{}, f.calls...)
}

func (f *fakeAWS) record(s string) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
}

// client returns an HTTP client whose requests all go to the fake server.
func (f *fakeAWS) client() *http.Client {
	target, _ := url.Parse(f.srv.URL)
	return &http.Client{Transport: routeTransport{target: target}, Timeout: 10 * time.Second}
}

// routeTransport sends every request to target, with its original URL in
// X-Original-Url, as resolve.py patches botocore's HTTP session to do.
type routeTransport struct{ target *url.URL }

func (rt routeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	orig := *req.URL
	if orig.Path == "" {
		orig.Path = "/"
	}
	r.Header.Set("X-Original-Url", orig.String())
	r.URL.Scheme, r.URL.Host = rt.target.Scheme, rt.target.Host
	r.Host = ""
	return http.DefaultTransport.RoundTrip(r)
}

var credentialRE = regexp.MustCompile(`Credential=([^/]+)/\d+/([^/]+)/`)

func tag(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return -1
	}, strings.ToUpper(s))
}

func (f *fakeAWS) serve(w http.ResponseWriter, r *http.Request) {
	orig := r.Header.Get("X-Original-Url")
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/":
		form, _ := url.ParseQuery(string(body))
		action, arn := form.Get("Action"), form.Get("RoleArn")
		name := arn[strings.LastIndexByte(arn, '/')+1:]
		prefix := "ASIA"
		if action == "AssumeRoleWithWebIdentity" {
			f.record(fmt.Sprintf("POST %s AssumeRoleWithWebIdentity %s token=%s", orig, arn, form.Get("WebIdentityToken")))
			prefix = "ASIAWEB"
		} else {
			signer := "unsigned"
			if m := credentialRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
				signer = m[1] + "@" + m[2]
			}
			f.record(fmt.Sprintf("POST %s AssumeRole %s signed by %s", orig, arn, signer))
		}
		exp := time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05Z")
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<%[1]sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><%[1]sResult><Credentials>`+
			`<AccessKeyId>%[2]s%[3]s</AccessKeyId><SecretAccessKey>secret-%[4]s</SecretAccessKey>`+
			`<SessionToken>token-%[4]s</SessionToken><Expiration>%[5]s</Expiration></Credentials>`+
			`<AssumedRoleUser><Arn>%[6]s/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>`+
			`</%[1]sResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></%[1]sResponse>`,
			action, prefix, tag(name), name, exp, arn)
	case r.Method == http.MethodPost && r.URL.Path == "/token":
		var req map[string]string
		_ = json.Unmarshal(body, &req)
		f.record(fmt.Sprintf("POST %s CreateToken grant=%s client=%s refresh=%s", orig, req["grantType"], req["clientId"], req["refreshToken"]))
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"accessToken": "refreshed-" + req["refreshToken"], "expiresIn": 3600,
			"refreshToken": "rotated-" + req["refreshToken"], "tokenType": "Bearer",
		})
	case r.Method == http.MethodGet && r.URL.Path == "/federation/credentials":
		q := r.URL.Query()
		token := r.Header.Get("X-Amz-Sso_bearer_token")
		base, _, _ := strings.Cut(orig, "?")
		f.record(fmt.Sprintf("GET %s GetRoleCredentials role=%s account=%s token=%s", base, q.Get("role_name"), q.Get("account_id"), token))
		w.Header().Set("Content-Type", "application/json")
		if strings.HasPrefix(token, "revoked") {
			w.Header().Set("X-Amzn-Errortype", "UnauthorizedException")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"message":"Session token not found or invalid"}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"roleCredentials": map[string]any{
			"accessKeyId": "ASIASSO" + tag(q.Get("role_name")), "secretAccessKey": "secret-sso-" + q.Get("role_name"),
			"sessionToken": "token-sso-" + token, "expiration": time.Now().Add(time.Hour).UnixMilli(),
		}})
	default:
		http.NotFound(w, r)
	}
}

// TestBotocoreAnswersCurrent re-runs resolve.py on the machine's botocore,
// when there is one, and compares its answers with answers.json, as
// internal/suites compares its transcription with AWS's suites. It takes
// about a minute (one Python process per scenario); -short skips it.
func TestBotocoreAnswersCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not re-running botocore")
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3: answers.json was not compared with botocore")
	}
	if out, err := exec.Command(python, "-c", "import botocore, sys; print(sys.executable)").Output(); err != nil {
		t.Skip("python3 has no botocore: answers.json was not compared with botocore")
	} else {
		python = strings.TrimSpace(string(out)) // past pyenv's shim, which is slow
	}
	var recorded answersFile
	readJSON(t, "answers.json", &recorded)
	cmd := exec.Command(python, "resolve.py", "scenarios.json")
	cmd.Dir = filepath.Join("testdata", "botocore")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("resolve.py: %v\n%s", err, stderr.Bytes())
	}
	var fresh answersFile
	if err := json.Unmarshal(out, &fresh); err != nil {
		t.Fatal(err)
	}
	t.Logf("compared answers.json (botocore %s) with botocore %s", recorded.Botocore, fresh.Botocore)
	for _, name := range unionKeys(anyMap(recorded.Answers), anyMap(fresh.Answers)) {
		if !reflect.DeepEqual(recorded.Answers[name], fresh.Answers[name]) {
			t.Errorf("%s: answers.json has %v, botocore %s answers %v: regenerate with %s", name, recorded.Answers[name], fresh.Botocore, fresh.Answers[name], recorded.Generator)
		}
	}
}

func anyMap(m map[string]map[string]any) map[string]any {
	r := make(map[string]any, len(m))
	for k, v := range m {
		r[k] = v
	}
	return r
}
