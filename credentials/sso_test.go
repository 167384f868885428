package credentials

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// ssoServer follows the protocols of the SSO portal (GetRoleCredentials)
// and of SSO OIDC (CreateToken with the refresh-token grant) on a
// loopback server: the portal accepts the tokens in valid, OIDC the
// refresh tokens in refresh.
type ssoServer struct {
	*httptest.Server
	mu       sync.Mutex
	valid    map[string]bool   // bearer tokens the portal accepts
	refresh  map[string]string // refresh token -> new access token
	portal   func(w http.ResponseWriter) bool
	requests []string
}

const ssoTestNow = "2026-11-28T12:00:00Z"

func newSSOServer(t *testing.T) *ssoServer {
	s := &ssoServer{valid: map[string]bool{}, refresh: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *ssoServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/token":
		var req struct{ ClientID, ClientSecret, GrantType, RefreshToken string }
		if err := json.Unmarshal(body, &req); err != nil || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"invalid_request"}`)
			return
		}
		next, ok := s.refresh[req.RefreshToken]
		if req.GrantType != "refresh_token" || req.ClientID != "client-1" || req.ClientSecret != "client-secret-1" || !ok {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":"invalid_grant","error_description":"refresh token %s is invalid"}`, req.RefreshToken)
			return
		}
		s.valid[next] = true
		fmt.Fprintf(w, `{"accessToken":%q,"expiresIn":28800,"refreshToken":"rotated-%s","tokenType":"Bearer"}`, next, req.RefreshToken)
	case r.Method == http.MethodGet && r.URL.Path == "/federation/credentials":
		if s.portal != nil && s.portal(w) {
			return
		}
		tok := r.Header.Get("X-Amz-Sso_bearer_token")
		q := r.URL.Query()
		if !s.valid[tok] {
			w.Header().Set("X-Amzn-Errortype", "UnauthorizedException:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"message":"Session token %s not found or invalid"}`, tok)
			return
		}
		if q.Get("account_id") != "123456789012" || q.Get("role_name") != "ReadOnly" {
			w.Header().Set("X-Amzn-Errortype", "ForbiddenException")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"message":"No access"}`)
			return
		}
		exp, _ := time.Parse(time.RFC3339, ssoTestNow)
		fmt.Fprintf(w, `{"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":%q,"sessionToken":"%s-%s","expiration":%d}}`,
			testSecret, testToken, tok, exp.Add(time.Hour).UnixMilli())
	default:
		http.NotFound(w, r)
	}
}

func (s *ssoServer) log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// writeToken writes a token cache file for key (a session name or a start
// URL) and returns its path.
func writeToken(t *testing.T, dir, key string, fields map[string]any) string {
	t.Helper()
	sum := sha1.Sum([]byte(key))
	path := filepath.Join(dir, hex.EncodeToString(sum[:])+".json")
	data, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func ssoTime(d time.Duration) string {
	now, _ := time.Parse(time.RFC3339, ssoTestNow)
	return now.Add(d).UTC().Format(time.RFC3339)
}

func ssoClock() time.Time { t, _ := time.Parse(time.RFC3339, ssoTestNow); return t }

// refreshable returns the fields of a cached sso-session token.
func refreshable(access string, expiresIn time.Duration) map[string]any {
	return map[string]any{
		"startUrl": "https://example.awsapps.com/start", "region": "eu-west-1",
		"accessToken": access, "expiresAt": ssoTime(expiresIn),
		"clientId": "client-1", "clientSecret": "client-secret-1",
		"registrationExpiresAt": ssoTime(90 * 24 * time.Hour), "refreshToken": "rt-1",
		"unknownField": "kept",
	}
}

func TestSSO(t *testing.T) {
	tests := []struct {
		name      string
		legacy    bool
		token     map[string]any // nil: no cache file
		rawToken  string         // instead of token
		valid     []string
		refresh   map[string]string
		portal    func(w http.ResponseWriter) bool
		wantToken string   // the session token's suffix: the bearer token used
		wantErr   error    // else
		msg       []string // in the error
		notInMsg  []string
		requests  []string
		rewritten map[string]any // fields of the cache file afterwards
	}{
		{
			name: "cached valid token", token: refreshable("cached", time.Hour), valid: []string{"cached"},
			wantToken: "cached", requests: []string{"GET /federation/credentials"},
			rewritten: map[string]any{"accessToken": "cached", "refreshToken": "rt-1"},
		},
		{
			name: "expired token with refresh: CreateToken, cache rewritten", token: refreshable("old", -time.Minute),
			refresh: map[string]string{"rt-1": "new"}, wantToken: "new",
			requests:  []string{"POST /token", "GET /federation/credentials"},
			rewritten: map[string]any{"accessToken": "new", "refreshToken": "rotated-rt-1", "expiresAt": ssoTime(8 * time.Hour), "unknownField": "kept", "clientSecret": "client-secret-1"},
		},
		{
			name: "token in the refresh window is refreshed", token: refreshable("soon", 10*time.Minute), valid: []string{"soon"},
			refresh: map[string]string{"rt-1": "new"}, wantToken: "new",
			requests: []string{"POST /token", "GET /federation/credentials"},
		},
		{
			name: "failed refresh in the window keeps the valid token", token: refreshable("soon", 10*time.Minute), valid: []string{"soon"},
			wantToken: "soon", requests: []string{"POST /token", "GET /federation/credentials"},
			rewritten: map[string]any{"accessToken": "soon", "refreshToken": "rt-1"},
		},
		{
			name: "expired, refresh refused", token: refreshable("old", -time.Minute),
			wantErr: ErrSSOLoginRequired, msg: []string{"refreshing it failed", "invalid_grant", "; run: aws sso login --sso-session my-sso"},
			notInMsg: []string{"rt-1", "client-secret-1"}, requests: []string{"POST /token"},
		},
		{
			name: "expired without refresh token", token: map[string]any{"accessToken": "old", "expiresAt": ssoTime(-time.Minute)},
			wantErr: ErrSSOLoginRequired, msg: []string{`sso: profile "dev": the cached token expired at 2026-11-28T11:59:00Z and cannot be refreshed`, "; run: aws sso login --sso-session my-sso"},
		},
		{
			name: "expired client registration", token: func() map[string]any {
				m := refreshable("old", -time.Minute)
				m["registrationExpiresAt"] = ssoTime(-time.Hour)
				return m
			}(),
			refresh: map[string]string{"rt-1": "new"},
			wantErr: ErrSSOLoginRequired, msg: []string{"cannot be refreshed", "aws sso login --sso-session my-sso"},
		},
		{
			name: "missing cache", wantErr: ErrSSOLoginRequired, msg: []string{"no cached token", "; run: aws sso login --sso-session my-sso"},
		},
		{
			name: "legacy: valid", legacy: true, token: map[string]any{"accessToken": "legacy", "expiresAt": ssoTime(time.Hour)},
			valid: []string{"legacy"}, wantToken: "legacy",
		},
		{
			name: "legacy: expired, never refreshed", legacy: true, token: refreshable("old", -time.Minute), refresh: map[string]string{"rt-1": "new"},
			wantErr: ErrSSOLoginRequired, msg: []string{"expired at", "; run: aws sso login --profile dev"},
		},
		{
			name: "legacy: missing cache", legacy: true,
			wantErr: ErrSSOLoginRequired, msg: []string{"; run: aws sso login --profile dev"},
		},
		{
			name: "portal 401", token: refreshable("revoked", time.Hour),
			wantErr: ErrSSOLoginRequired, msg: []string{"the portal refused the cached token (HTTP 401 UnauthorizedException: Session token [REDACTED] not found or invalid)", "aws sso login --sso-session my-sso"},
			notInMsg: []string{"revoked"},
		},
		{
			name: "portal 403", token: refreshable("cached", time.Hour), valid: []string{"cached"},
			portal: func(w http.ResponseWriter) bool {
				w.Header().Set("X-Amzn-Errortype", "ForbiddenException")
				w.WriteHeader(http.StatusForbidden)
				io.WriteString(w, `{"message":"No access for cached"}`)
				return true
			},
			wantErr: ErrSSOService, msg: []string{"GetRoleCredentials: HTTP 403 ForbiddenException: No access for [REDACTED]"},
			notInMsg: []string{"for cached"},
		},
		{
			name: "portal malformed JSON", token: refreshable("cached", time.Hour),
			portal:  func(w http.ResponseWriter) bool { io.WriteString(w, `{"roleCredentials":{"accessKeyId":`); return true },
			wantErr: ErrInvalidValue, msg: []string{"GetRoleCredentials: the response is not a credentials object"},
		},
		{
			name: "portal without roleCredentials", token: refreshable("cached", time.Hour),
			portal:  func(w http.ResponseWriter) bool { io.WriteString(w, `{}`); return true },
			wantErr: ErrInvalidValue, msg: []string{"no roleCredentials"},
		},
		{
			name: "portal redirect refused", token: refreshable("cached", time.Hour),
			portal: func(w http.ResponseWriter) bool {
				w.Header().Set("Location", "http://attacker.example/steal?x=1")
				w.WriteHeader(http.StatusFound)
				return true
			},
			wantErr: ErrRedirect, msg: []string{"refused a redirect (HTTP 302) to http://attacker.example/steal"},
		},
		{
			name: "malformed cache file", rawToken: `{"accessToken": 7}`,
			wantErr: ErrSSOLoginRequired, msg: []string{"the token cache field accessToken is not a string", "aws sso login --sso-session my-sso"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newSSOServer(t)
			for _, v := range tt.valid {
				srv.valid[v] = true
			}
			for k, v := range tt.refresh {
				srv.refresh[k] = v
			}
			srv.portal = tt.portal
			dir := t.TempDir()
			p := SSO{
				StartURL: "https://example.awsapps.com/start", Region: "eu-west-1", AccountID: "123456789012", RoleName: "ReadOnly",
				SessionName: "my-sso", ProfileName: "dev", CacheDir: dir,
				PortalEndpoint: srv.URL, OIDCEndpoint: srv.URL, Now: ssoClock,
			}
			key := p.SessionName
			if tt.legacy {
				p.SessionName, key = "", p.StartURL
			}
			path := p.CachePath()
			if tt.token != nil {
				if got := writeToken(t, dir, key, tt.token); got != path {
					t.Fatalf("CachePath = %s, want %s", path, got)
				}
			}
			if tt.rawToken != "" {
				os.WriteFile(path, []byte(tt.rawToken), 0o600)
			}
			c, err := p.Retrieve(context.Background())
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				for _, m := range tt.msg {
					if !strings.Contains(err.Error(), m) {
						t.Errorf("err = %q, want it to contain %q", err, m)
					}
				}
				for _, m := range tt.notInMsg {
					if strings.Contains(err.Error(), m) {
						t.Errorf("err = %q quotes %q", err, m)
					}
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				want := Credentials{AccessKeyID: "ASIASSO", SecretAccessKey: testSecret, SessionToken: testToken + "-" + tt.wantToken,
					Expires: ssoClock().Add(time.Hour), Source: "sso:dev"}
				if c != want {
					t.Errorf("got %#v, want %#v", c, want)
				}
			}
			if tt.requests != nil {
				if got := srv.log(); strings.Join(got, ",") != strings.Join(tt.requests, ",") {
					t.Errorf("requests %v, want %v", got, tt.requests)
				}
			}
			if tt.rewritten != nil {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				var got map[string]any
				if err := json.Unmarshal(data, &got); err != nil {
					t.Fatal(err)
				}
				for k, v := range tt.rewritten {
					if got[k] != v {
						t.Errorf("cache %s = %v, want %v", k, got[k], v)
					}
				}
				fi, err := os.Stat(path)
				if err != nil || fi.Mode().Perm() != 0o600 {
					t.Errorf("cache file mode %v (%v), want 0600", fi.Mode(), err)
				}
				if left, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(left) > 0 {
					t.Errorf("temporary files left: %v", left)
				}
			}
		})
	}
}

// TestSSOProfiles resolves SSO profiles through SharedFiles, with the
// endpoints from the environment.
func TestSSOProfiles(t *testing.T) {
	srv := newSSOServer(t)
	srv.valid["cached"] = true
	home := t.TempDir()
	cache := filepath.Join(home, ".aws", "sso", "cache")
	if err := os.MkdirAll(cache, 0o700); err != nil {
		t.Fatal(err)
	}
	writeToken(t, cache, "my-sso", refreshable("cached", time.Hour))
	config := `[profile sso]
sso_session = my-sso
sso_account_id = 123456789012
sso_role_name = ReadOnly

[profile "my dev"]
sso_session = my-sso
sso_account_id = 123456789012
sso_role_name = ReadOnly
sso_region = us-east-1

[profile nosession]
sso_session = ghost
sso_account_id = 123456789012
sso_role_name = ReadOnly

[profile half]
sso_role_name = ReadOnly
sso_start_url = https://example.awsapps.com/start

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 123456789012
sso_role_name = ReadOnly

[profile login]
login_session = arn:aws:iam::123456789012:user/ann

[sso-session my-sso]
sso_start_url = https://example.awsapps.com/start
sso_region = eu-west-1
`
	cfgPath := filepath.Join(home, "config")
	os.WriteFile(cfgPath, []byte(config), 0o600)
	envs := map[string]string{EnvEndpointURLSSO: srv.URL, EnvEndpointURLSSOOIDC: srv.URL, EnvConfigFile: cfgPath}
	tests := []struct {
		profile string
		wantErr error
		msg     string
	}{
		{profile: "sso"},
		{profile: "my dev", wantErr: ErrInvalidValue, msg: ":10: sso_region: differs from the value of [sso-session my-sso]"},
		{profile: "nosession", wantErr: ErrInvalidValue, msg: "sso_session: there is no [sso-session ghost] section"},
		{profile: "half", wantErr: ErrInvalidValue, msg: "sso_role_name: the profile uses SSO but lacks sso_account_id, sso_region"},
		{profile: "legacy", wantErr: ErrSSOLoginRequired, msg: "no cached token (" + filepath.Join(cache, "") + "/"},
		{profile: "login", wantErr: ErrInvalidValue, msg: `login_session: "aws login" sessions are not supported`},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			c, err := SharedFiles{Profile: tt.profile, Getenv: env(envs), HomeDir: home, Now: ssoClock}.Retrieve(context.Background())
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.msg) {
					t.Fatalf("err = %v, want %v containing %q", err, tt.wantErr, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.AccessKeyID != "ASIASSO" || c.SessionToken != testToken+"-cached" || c.Source != "sso:sso" {
				t.Errorf("got %v", c)
			}
		})
	}
	// The legacy profile's login command names the profile; a name with a
	// space is quoted for the shell.
	if got := (SSO{ProfileName: "my dev"}).LoginCommand(); got != `aws sso login --profile 'my dev'` {
		t.Errorf("LoginCommand = %s", got)
	}
}

// FuzzParseSSOToken: any bytes give a token or an error, never a panic,
// and a parsed token keeps its access token and expiry through marshal.
func FuzzParseSSOToken(f *testing.F) {
	f.Add([]byte(`{"accessToken":"a","expiresAt":"2026-11-28T12:00:00Z"}`))
	f.Add([]byte(`{"accessToken":"a","expiresAt":"2026-11-28T12:00:00UTC","refreshToken":"r","clientId":"c","clientSecret":"s","registrationExpiresAt":"2027-01-01T00:00:00Z"}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"accessToken":7}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := parseSSOToken(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidValue) {
				t.Fatalf("error %v does not match ErrInvalidValue", err)
			}
			return
		}
		out, err := tok.marshal()
		if err != nil {
			t.Fatal(err)
		}
		again, err := parseSSOToken(out)
		if err != nil {
			t.Fatalf("re-parsing the marshalled token: %v", err)
		}
		if again.AccessToken != tok.AccessToken || !again.ExpiresAt.Equal(tok.ExpiresAt.Truncate(time.Second)) {
			t.Fatalf("round trip changed the token: %v -> %v", tok, again)
		}
	})
}
