package credentials

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// elsewhere is where a redirect points: a real server that records every
// request it gets (with the credential headers) and answers like a
// metadata endpoint would, so that following the redirect would succeed.
type elsewhere struct {
	mu   sync.Mutex
	seen []string
}

func (e *elsewhere) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	e.seen = append(e.seen, fmt.Sprintf("%s %s token=%q authorization=%q", r.Method, r.URL.Path,
		r.Header.Get("X-Aws-Ec2-Metadata-Token"), r.Header.Get("Authorization")))
	e.mu.Unlock()
	switch {
	case r.URL.Path == "/latest/api/token":
		fmt.Fprint(w, "AQAEAELSEWHERE==")
	case r.URL.Path == "/latest/meta-data/iam/security-credentials/":
		fmt.Fprint(w, "elsewhere-role")
	default:
		fmt.Fprint(w, containerDocument("2026-11-28T19:00:00Z"))
	}
}

func (e *elsewhere) requests() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.seen...)
}

// redirector answers method+path with a redirect to target (keeping the
// path) and passes every other request to next.
type redirector struct {
	method, path string
	status       int
	target       string
	next         http.Handler
}

func (d *redirector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == d.method && r.URL.Path == d.path {
		http.Redirect(w, r, d.target+r.URL.Path, d.status)
		return
	}
	d.next.ServeHTTP(w, r)
}

// followAll is a client whose own policy follows every redirect: the
// providers must not follow them even so.
func followAll() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
}

func TestIMDSRefusesRedirects(t *testing.T) {
	t.Parallel()
	const prefix = "/latest/meta-data/iam/security-credentials/"
	tests := []struct {
		name         string
		method, path string
		status       int
		client       *http.Client
		what         string
	}{
		{name: "token 307", method: http.MethodPut, path: "/latest/api/token", status: 307, what: "session token"},
		{name: "role list 302", method: http.MethodGet, path: prefix, status: 302, what: "role name"},
		{name: "credentials 307", method: http.MethodGet, path: prefix + "my-role", status: 307, what: "credentials of role my-role"},
		{name: "credentials 308", method: http.MethodGet, path: prefix + "my-role", status: 308, what: "credentials of role my-role"},
		{name: "injected client that follows", method: http.MethodGet, path: prefix, status: 301, client: followAll(), what: "role name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			other := &elsewhere{}
			ts2 := httptest.NewServer(other)
			defer ts2.Close()
			imds := &imdsServer{role: "my-role", body: imdsDocument("2026-11-28T19:00:00Z")}
			ts := httptest.NewServer(&redirector{method: tt.method, path: tt.path, status: tt.status, target: ts2.URL, next: imds})
			defer ts.Close()
			var check func(*http.Request, []*http.Request) error
			if tt.client != nil {
				check = tt.client.CheckRedirect
			}
			got, err := IMDS{Endpoint: ts.URL, Getenv: env(nil), HTTPClient: tt.client, Now: fixedNow, Timeout: 2 * time.Second}.Retrieve(context.Background())
			noteErr(err)
			if seen := other.requests(); len(seen) != 0 {
				t.Errorf("the redirect target received %q; want nothing", seen)
			}
			want := fmt.Sprintf("credentials: imds: getting the %s: refused a redirect (HTTP %d) to %s%s", tt.what, tt.status, ts2.URL, tt.path)
			if !errors.Is(err, ErrRedirect) || !errors.Is(err, ErrMetadata) || err.Error() != want {
				t.Errorf("got %v, %v; want ErrRedirect and ErrMetadata: %q", got, err, want)
			}
			if tt.client != nil && reflect.ValueOf(tt.client.CheckRedirect).Pointer() != reflect.ValueOf(check).Pointer() {
				t.Error("the injected client was modified")
			}
		})
	}
}

func TestContainerRefusesRedirects(t *testing.T) {
	t.Parallel()
	// routed is a client that sends a host the allow-list refuses to the
	// second server, as DNS would.
	const evilHost = "creds.attacker.example"
	routed := func(to string, follow bool) *http.Client {
		c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if strings.HasPrefix(addr, evilHost+":") {
				addr = to
			}
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}}
		if follow {
			c.CheckRedirect = followAll().CheckRedirect
		}
		return c
	}
	tests := []struct {
		name   string
		status int
		evil   bool // redirect to evilHost, else to the second server's 127.0.0.1 port
		follow bool // inject a client whose own policy follows redirects
	}{
		{name: "another port", status: 302},
		{name: "another port, 307", status: 307},
		{name: "another port, injected client that follows", status: 307, follow: true},
		{name: "a host the allow-list refuses", status: 302, evil: true},
		{name: "a host the allow-list refuses, injected client that follows", status: 308, evil: true, follow: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			other := &elsewhere{}
			ts2 := httptest.NewServer(other)
			defer ts2.Close()
			target, client := ts2.URL, (*http.Client)(nil)
			if tt.evil {
				target = "http://" + evilHost
			}
			if tt.evil || tt.follow {
				client = routed(ts2.Listener.Addr().String(), tt.follow)
			}
			srv := &containerServer{path: "/creds", auth: testAuthToken, body: containerDocument("2026-11-28T19:00:00Z")}
			ts := httptest.NewServer(&redirector{method: http.MethodGet, path: "/creds", status: tt.status, target: target, next: srv})
			defer ts.Close()
			p := Container{Getenv: env(map[string]string{
				"AWS_CONTAINER_CREDENTIALS_FULL_URI": ts.URL + "/creds",
				"AWS_CONTAINER_AUTHORIZATION_TOKEN":  testAuthToken,
			}), HTTPClient: client, Now: fixedNow, Attempts: 2, Timeout: 2 * time.Second}
			got, err := p.Retrieve(context.Background())
			noteErr(err)
			if seen := other.requests(); len(seen) != 0 {
				t.Errorf("the redirect target received %q; want nothing", seen)
			}
			want := fmt.Sprintf("credentials: container: refused a redirect (HTTP %d) to %s/creds", tt.status, target)
			if !errors.Is(err, ErrRedirect) || !errors.Is(err, ErrMetadata) || err.Error() != want || got != (Credentials{}) {
				t.Errorf("got %v, %v; want ErrRedirect and ErrMetadata: %q", got, err, want)
			}
		})
	}
}
