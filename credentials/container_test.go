package credentials

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// containerServer is the ECS agent / EKS Pod Identity agent: GET the
// credentials path with the Authorization header, get JSON.
type containerServer struct {
	path     string
	auth     string // required Authorization; "" means none
	status   int
	body     string
	requests atomic.Int32
	lastAuth atomic.Value
}

func (s *containerServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.lastAuth.Store(r.Header.Get("Authorization"))
	if r.Method != http.MethodGet || r.URL.RequestURI() != s.path {
		http.NotFound(w, r)
		return
	}
	if s.auth != "" && r.Header.Get("Authorization") != s.auth {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"code":"AccessDeniedException","message":"Invalid authorization token"}`)
		return
	}
	if s.status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(s.status)
	}
	fmt.Fprint(w, s.body)
}

func containerDocument(expiration string) string {
	return fmt.Sprintf(`{"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"%s","Token":"%s","Expiration":"%s","AccountId":"123456789012"}`,
		testSecret, testToken, expiration)
}

func TestContainerFullURI(t *testing.T) {
	t.Parallel()
	good := containerDocument("2026-11-28T19:00:00Z")
	want := Credentials{AccessKeyID: "ASIACONTAINER", SecretAccessKey: testSecret, SessionToken: testToken,
		Expires: time.Date(2026, 11, 28, 19, 0, 0, 0, time.UTC), Source: "container"}
	tests := []struct {
		name    string
		srv     *containerServer
		env     map[string]string
		files   map[string]string
		wantErr error
		msg     string
	}{
		{name: "no token", srv: &containerServer{path: "/creds", body: good}},
		{name: "token", srv: &containerServer{path: "/creds", auth: testAuthToken, body: good},
			env: map[string]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN": testAuthToken}},
		{name: "token file wins (EKS Pod Identity)", srv: &containerServer{path: "/v1/credentials?x=1", auth: testAuthToken, body: good},
			env:   map[string]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN": "stale", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token"},
			files: map[string]string{"/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token": testAuthToken + "\n"}},
		{name: "wrong token", srv: &containerServer{path: "/creds", auth: testAuthToken, body: good},
			env:     map[string]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong"},
			wantErr: ErrMetadata, msg: "HTTP status 401: AccessDeniedException: Invalid authorization token"},
		{name: "error echoes the token", srv: &containerServer{path: "/creds", status: 403, body: `{"code":"AccessDenied","message":"token ` + testAuthToken + ` refused"}`},
			env:     map[string]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN": testAuthToken},
			wantErr: ErrMetadata, msg: "HTTP status 403: AccessDenied: token [REDACTED] refused"},
		{name: "token with newline", srv: &containerServer{path: "/creds", body: good},
			env: map[string]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN": testAuthToken + "\r\nX-Evil: 1"}, wantErr: ErrInvalidValue, msg: "line break"},
		{name: "missing token file", srv: &containerServer{path: "/creds", body: good},
			env: map[string]string{"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/nope"}, msg: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"},
		{name: "5xx", srv: &containerServer{path: "/creds", status: 503, body: `{"code":"ServiceUnavailable","message":"try later"}`},
			wantErr: ErrMetadata, msg: "HTTP status 503: ServiceUnavailable: try later"},
		{name: "malformed JSON", srv: &containerServer{path: "/creds", body: `{"AccessKeyId":"A","SecretAccessKey":"` + testSecret + `",`},
			wantErr: ErrInvalidValue, msg: "not a credentials object"},
		{name: "expired", srv: &containerServer{path: "/creds", body: containerDocument("2026-11-28T12:59:00Z")},
			wantErr: ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := httptest.NewServer(tt.srv)
			defer ts.Close()
			e := map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": ts.URL + tt.srv.path}
			for k, v := range tt.env {
				e[k] = v
			}
			p := Container{Getenv: env(e), ReadFile: memFiles(tt.files), Now: fixedNow, Attempts: 2, Timeout: 2 * time.Second}
			got, err := p.Retrieve(context.Background())
			noteErr(err)
			if tt.msg != "" || tt.wantErr != nil {
				if err == nil || !strings.Contains(err.Error(), tt.msg) || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
					t.Fatalf("err = %v, want %v containing %q", err, tt.wantErr, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("got %#v, want %#v", got, want)
			}
		})
	}
}

func TestContainerTokenFileReread(t *testing.T) {
	t.Parallel()
	srv := &containerServer{path: "/creds", body: containerDocument("2026-11-28T19:00:00Z")}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	files := map[string]string{"/token": "first"}
	p := Container{
		Getenv:   env(map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": ts.URL + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/token"}),
		ReadFile: func(name string) ([]byte, error) { return []byte(files[name]), nil },
		Now:      fixedNow,
	}
	for _, tok := range []string{"first", "second"} {
		files["/token"] = tok
		if _, err := p.Retrieve(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := srv.lastAuth.Load(); got != tok {
			t.Errorf("Authorization = %q, want %q", got, tok)
		}
	}
}

func TestContainerRelativeURI(t *testing.T) {
	t.Parallel()
	srv := &containerServer{path: "/v2/credentials/6c8f5a1e-task", body: containerDocument("2026-11-28T19:00:00Z")}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	// Route 169.254.170.2:80 to the test server.
	var dialed atomic.Value
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialed.Store(addr)
		return (&net.Dialer{}).DialContext(ctx, network, ts.Listener.Addr().String())
	}}}
	p := Container{Getenv: env(map[string]string{
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/6c8f5a1e-task",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "http://127.0.0.1:1/ignored",
	}), HTTPClient: client, Now: fixedNow}
	got, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessKeyID != "ASIACONTAINER" || dialed.Load() != "169.254.170.2:80" {
		t.Errorf("got %v via %v", got, dialed.Load())
	}
	_, err = Container{Getenv: env(map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "v2/x"})}.Retrieve(context.Background())
	if !errors.Is(noteErr(err), ErrInvalidValue) {
		t.Errorf("relative URI without slash: err = %v", err)
	}
}

func TestContainerFullURIHosts(t *testing.T) {
	tests := []struct {
		uri string
		ok  bool
	}{
		{"http://127.0.0.1:8080/creds", true},
		{"http://127.3.2.1/creds", true},
		{"http://localhost/creds", true},
		{"http://[::1]:80/creds", true},
		{"http://169.254.170.2/creds", true},
		{"http://169.254.170.23/v1/credentials", true},
		{"http://[fd00:ec2::23]/v1/credentials", true},
		{"http://[::ffff:127.0.0.1]/creds", true},
		{"https://creds.example.com/x", true},
		{"http://example.com/creds", false},
		{"http://169.254.169.254/latest", false},
		{"http://10.0.0.1/creds", false},
		{"http://localhost.example.com/creds", false},
		{"http://127.0.0.1.nip.io/creds", false},
		{"ftp://127.0.0.1/creds", false},
		{"/relative", false},
		{"http://%zz", false},
	}
	for _, tt := range tests {
		err := checkContainerURI(tt.uri)
		if (err == nil) != tt.ok {
			t.Errorf("checkContainerURI(%q) = %v, want ok=%v", tt.uri, err, tt.ok)
		}
		if err != nil && !errors.Is(noteErr(err), ErrInvalidValue) {
			t.Errorf("err = %v, want ErrInvalidValue", err)
		}
	}
	_, err := Container{Getenv: env(nil)}.Retrieve(context.Background())
	if !errors.Is(noteErr(err), ErrNoCredentials) {
		t.Errorf("unset: err = %v", err)
	}
}

func TestContainerTimeout(t *testing.T) {
	t.Parallel()
	var requests atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		<-r.Context().Done()
	}))
	defer ts.Close()
	// Attempts are counted where the client sends them: on a loaded
	// machine an attempt can time out before the server sees it.
	var attempts atomic.Int32
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		attempts.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	start := time.Now()
	_, err := Container{Getenv: env(map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": ts.URL + "/creds"}),
		Timeout: 100 * time.Millisecond, Attempts: 3, HTTPClient: client}.Retrieve(context.Background())
	if noteErr(err) == nil || errors.Is(err, ErrNoCredentials) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a timeout", err)
	}
	if n := attempts.Load(); n != 3 {
		t.Errorf("%d attempts sent, want 3", n)
	}
	if n := requests.Load(); n > 3 {
		t.Errorf("server saw %d requests, want at most 3", n)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
}
