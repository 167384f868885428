package credentials

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// imdsServer follows the IMDSv2 protocol: a PUT /latest/api/token with a
// TTL header returns a token, and every metadata GET must carry it.
type imdsServer struct {
	role      string        // "" means no instance profile (404)
	body      string        // the credentials document
	tokenDown bool          // token endpoint answers 403 (IMDSv2 disabled)
	fail5xx   atomic.Int32  // number of 500s to return for the credentials
	delay     time.Duration // delay before answering the token request
	requests  atomic.Int32
	mu        sync.Mutex
	tokens    []string
}

func (s *imdsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if r.URL.Path == "/latest/api/token" {
		if s.delay > 0 {
			select {
			case <-time.After(s.delay):
			case <-r.Context().Done():
				return
			}
		}
		if r.Method != http.MethodPut {
			http.Error(w, "", http.StatusMethodNotAllowed)
			return
		}
		if s.tokenDown || r.Header.Get("X-Forwarded-For") != "" {
			http.Error(w, "", http.StatusForbidden)
			return
		}
		ttl, err := strconv.Atoi(r.Header.Get("X-aws-ec2-metadata-token-ttl-seconds"))
		if err != nil || ttl < 1 || ttl > 21600 {
			http.Error(w, "", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		tok := fmt.Sprintf("AQAEAIMDSTOKEN%d==", len(s.tokens))
		s.tokens = append(s.tokens, tok)
		s.mu.Unlock()
		w.Header().Set("X-aws-ec2-metadata-token-ttl-seconds", strconv.Itoa(ttl))
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, tok)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "", http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	valid := false
	for _, tok := range s.tokens {
		valid = valid || r.Header.Get("X-aws-ec2-metadata-token") == tok
	}
	s.mu.Unlock()
	if !valid {
		http.Error(w, "", http.StatusUnauthorized)
		return
	}
	const prefix = "/latest/meta-data/iam/security-credentials/"
	switch {
	case r.URL.Path == prefix && s.role != "":
		fmt.Fprint(w, s.role)
	case s.role != "" && r.URL.Path == prefix+s.role:
		if s.fail5xx.Load() > 0 {
			s.fail5xx.Add(-1)
			http.Error(w, "", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, s.body)
	default:
		http.NotFound(w, r)
	}
}

func imdsDocument(expiration string) string {
	return fmt.Sprintf(`{
  "Code" : "Success",
  "LastUpdated" : "2026-11-28T12:54:00Z",
  "Type" : "AWS-HMAC",
  "AccessKeyId" : "ASIAIMDSEXAMPLE",
  "SecretAccessKey" : "%s",
  "Token" : "%s",
  "Expiration" : "%s"
}`, testSecret, testToken, expiration)
}

func TestIMDS(t *testing.T) {
	t.Parallel()
	good := imdsDocument("2026-11-28T19:00:00Z")
	tests := []struct {
		name    string
		srv     *imdsServer
		fail5xx int32
		want    Credentials
		wantErr error
		msg     string
	}{
		{
			name: "instance role", srv: &imdsServer{role: "my-role", body: good},
			want: Credentials{AccessKeyID: "ASIAIMDSEXAMPLE", SecretAccessKey: testSecret, SessionToken: testToken,
				Expires: time.Date(2026, 11, 28, 19, 0, 0, 0, time.UTC), Source: "imds"},
		},
		{
			name: "one 5xx is retried", srv: &imdsServer{role: "my-role", body: good}, fail5xx: 1,
			want: Credentials{AccessKeyID: "ASIAIMDSEXAMPLE", SecretAccessKey: testSecret, SessionToken: testToken,
				Expires: time.Date(2026, 11, 28, 19, 0, 0, 0, time.UTC), Source: "imds"},
		},
		{name: "5xx persists", srv: &imdsServer{role: "my-role", body: good}, fail5xx: 10, wantErr: ErrMetadata, msg: "HTTP status 500"},
		{name: "no role", srv: &imdsServer{}, wantErr: ErrNoCredentials, msg: "no IAM role"},
		{name: "IMDSv2 refused", srv: &imdsServer{role: "r", body: good, tokenDown: true}, wantErr: ErrNoCredentials, msg: "not on EC2, or its metadata service is turned off (the session token was refused): HTTP status 403"},
		{name: "malformed JSON", srv: &imdsServer{role: "r", body: `{"Code":"Success","AccessKeyId":"A","SecretAccessKey":"` + testSecret}, wantErr: ErrInvalidValue, msg: "not a credentials object"},
		{name: "HTML instead of JSON", srv: &imdsServer{role: "r", body: "<html>" + testSecret + "</html>"}, wantErr: ErrInvalidValue, msg: "invalid JSON at byte 1"},
		{name: "expired", srv: &imdsServer{role: "r", body: imdsDocument("2026-11-28T12:00:00Z")}, wantErr: ErrExpired, msg: "expired at 2026-11-28T12:00:00Z"},
		{name: "bad expiration", srv: &imdsServer{role: "r", body: imdsDocument("soon")}, wantErr: ErrInvalidValue, msg: "Expiration"},
		{name: "failure code", srv: &imdsServer{role: "r", body: `{"Code":"AssumeRoleUnauthorizedAccess","Message":"x"}`}, msg: "response code AssumeRoleUnauthorizedAccess"},
		{name: "no secret", srv: &imdsServer{role: "r", body: `{"Code":"Success","AccessKeyId":"A","Token":"` + testToken + `"}`}, wantErr: ErrPartialCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.srv.fail5xx.Store(tt.fail5xx)
			ts := httptest.NewServer(tt.srv)
			defer ts.Close()
			p := IMDS{Getenv: env(map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": ts.URL}), Now: fixedNow, Timeout: 2 * time.Second}
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
			if got != tt.want {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestIMDSUnreachableIsQuick(t *testing.T) {
	t.Parallel()
	// A server that accepts but never answers: the laptop case with a
	// firewall that drops packets.
	hang := &imdsServer{delay: time.Minute}
	ts := httptest.NewServer(hang)
	defer ts.Close()
	// Attempts are counted where the client sends them: on a loaded
	// machine an attempt can time out before the server sees it.
	var attempts atomic.Int32
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		attempts.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	start := time.Now()
	_, err := IMDS{Endpoint: ts.URL, Getenv: env(nil), Timeout: 100 * time.Millisecond, Attempts: 2, HTTPClient: client}.Retrieve(context.Background())
	if !errors.Is(noteErr(err), ErrNoCredentials) {
		t.Errorf("err = %v, want ErrNoCredentials", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	if n := attempts.Load(); n != 1 {
		t.Errorf("%d token requests sent, want 1: a timeout is not retried", n)
	}
	if n := hang.requests.Load(); n > 1 {
		t.Errorf("server saw %d token requests, want at most 1", n)
	}

	// A closed port.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	_, err = IMDS{Endpoint: closed.URL, Getenv: env(nil)}.Retrieve(context.Background())
	if !errors.Is(noteErr(err), ErrNoCredentials) || !strings.Contains(err.Error(), "no instance metadata service") {
		t.Errorf("err = %v, want ErrNoCredentials", err)
	}
}

func TestIMDSSettings(t *testing.T) {
	_, err := IMDS{Getenv: env(map[string]string{"AWS_EC2_METADATA_DISABLED": "TRUE"})}.Retrieve(context.Background())
	if !errors.Is(noteErr(err), ErrNoCredentials) || !strings.Contains(err.Error(), "disabled") {
		t.Errorf("disabled: err = %v", err)
	}
	_, err = IMDS{Getenv: env(map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv5"})}.Retrieve(context.Background())
	if !errors.Is(noteErr(err), ErrInvalidValue) {
		t.Errorf("bad mode: err = %v", err)
	}
	_, err = IMDS{Endpoint: "169.254.169.254", Getenv: env(nil)}.Retrieve(context.Background())
	if !errors.Is(noteErr(err), ErrInvalidValue) {
		t.Errorf("bad endpoint: err = %v", err)
	}
	// The IPv6 mode goes to fd00:ec2::254: observe it with a transport.
	var host string
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		host = r.URL.Host
		return nil, errors.New("unreachable")
	})}
	_, err = IMDS{Getenv: env(map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"}), HTTPClient: client, Attempts: 1}.Retrieve(context.Background())
	noteErr(err)
	if host != "[fd00:ec2::254]" {
		t.Errorf("IPv6 mode host = %q", host)
	}
	// A cancelled context stops at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = IMDS{Endpoint: "http://127.0.0.1:1", Getenv: env(nil)}.Retrieve(ctx)
	if !errors.Is(noteErr(err), context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
