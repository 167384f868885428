package stscreds

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
)

// stsServer answers STS Query API requests: responses[i] is the answer to
// the i-th request (the last one repeats).
type stsServer struct {
	t         *testing.T
	secret    string // the signing secret AssumeRole must use
	responses []stsResponse
	mu        sync.Mutex
	requests  []stsRequest
}

type stsResponse struct {
	status int
	body   string
	hang   bool
}

func (s *stsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	form, body, err := readForm(r)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(errorXML("Sender", "MalformedQueryString", err.Error())))
		return
	}
	req := stsRequest{form: form, header: r.Header.Clone()}
	if form.Get("Action") == "AssumeRole" {
		req.verified = verifySignature(r, body, s.secret)
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	resp := s.responses[min(len(s.requests), len(s.responses))-1]
	s.mu.Unlock()
	if resp.hang {
		<-r.Context().Done()
		return
	}
	if req.verified != nil {
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(errorXML("Sender", "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")))
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", testRequestID)
	w.WriteHeader(resp.status)
	w.Write([]byte(resp.body))
}

func (s *stsServer) got() []stsRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]stsRequest(nil), s.requests...)
}

func newSTS(t *testing.T, responses ...stsResponse) (*stsServer, string) {
	s := &stsServer{t: t, secret: sourceSecret, responses: responses}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts.URL
}

func sourceProvider() credentials.Provider {
	return credentials.Static(sourceKeyID, sourceSecret, sourceToken)
}

func TestAssumeRole(t *testing.T) {
	t.Parallel()
	srv, endpoint := newSTS(t, stsResponse{status: 200, body: assumeRoleXML("2026-11-28T14:00:00Z")})
	p := AssumeRole{
		Source: sourceProvider(), RoleARN: roleARN, RoleSessionName: "TestAR", ExternalID: "ext-1",
		Duration: 3600 * time.Second, SerialNumber: "arn:aws:iam::123456789012:mfa/alice",
		TokenCode: func(ctx context.Context, serial string) (string, error) { return mfaCode, nil },
		Region:    "eu-west-1", Endpoint: endpoint, Now: fixedNow,
	}
	got, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := credentials.Credentials{AccessKeyID: "ASIAIOSFODNN7EXAMPLE", SecretAccessKey: roleSecret, SessionToken: roleToken,
		Expires: time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC), Source: "assume-role:" + roleARN}
	if got != want {
		t.Errorf("got %#v, want %#v", got, want)
	}
	reqs := srv.got()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.verified != nil {
		t.Errorf("signature: %v", r.verified)
	}
	for k, v := range map[string]string{
		"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": roleARN, "RoleSessionName": "TestAR",
		"ExternalId": "ext-1", "DurationSeconds": "3600", "SerialNumber": "arn:aws:iam::123456789012:mfa/alice", "TokenCode": mfaCode,
	} {
		if r.form.Get(k) != v {
			t.Errorf("form %s = %q, want %q", k, r.form.Get(k), v)
		}
	}
	if auth := r.header.Get("Authorization"); !strings.Contains(auth, "Credential="+sourceKeyID+"/20261128/eu-west-1/sts/aws4_request") {
		t.Errorf("Authorization = %q", auth)
	}
	if r.header.Get("X-Amz-Security-Token") != sourceToken {
		t.Error("the source session token was not sent")
	}
}

func TestAssumeRoleErrors(t *testing.T) {
	t.Parallel()
	ok := stsResponse{status: 200, body: assumeRoleXML("2026-11-28T14:00:00Z")}
	tests := []struct {
		name      string
		responses []stsResponse
		source    credentials.Provider
		client    *http.Client
		requests  int
		code      string
		status    int
		wantErr   error
		msg       string
	}{
		{
			name:      "access denied is not retried",
			responses: []stsResponse{{status: 403, body: errorXML("Sender", "AccessDenied", "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sts:AssumeRole on resource: "+roleARN)}},
			requests:  1, code: "AccessDenied", status: 403,
			msg: "stscreds: AssumeRole: AccessDenied: User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sts:AssumeRole on resource: " + roleARN + " (HTTP 403, request ID " + testRequestID + ")",
		},
		{
			name:      "wrong secret is a signature mismatch",
			responses: []stsResponse{ok},
			source:    credentials.Static(sourceKeyID, "not-the-secret", ""),
			requests:  1, code: "SignatureDoesNotMatch", status: 403,
		},
		{name: "5xx is retried", responses: []stsResponse{{status: 500, body: "oops"}, ok}, requests: 2},
		{name: "throttling is retried", responses: []stsResponse{{status: 400, body: errorXML("Sender", "Throttling", "Rate exceeded")}, ok}, requests: 2},
		{
			name: "5xx persists", responses: []stsResponse{{status: 503, body: "<html>Service Unavailable</html>"}},
			requests: 3, status: 503, msg: "unexpected response (HTTP 503, request ID " + testRequestID + ")",
		},
		{name: "malformed XML", responses: []stsResponse{{status: 200, body: "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>" + roleSecret}}, requests: 1, msg: "malformed XML response"},
		{name: "wrong document", responses: []stsResponse{{status: 200, body: "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>x</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>"}}, requests: 1, msg: "no AssumeRoleResponse/AssumeRoleResult/Credentials"},
		{name: "missing token", responses: []stsResponse{{status: 200, body: strings.Replace(assumeRoleXML("2026-11-28T14:00:00Z"), "<SessionToken>"+roleToken+"</SessionToken>", "", 1)}}, requests: 1, wantErr: credentials.ErrPartialCredentials},
		{name: "expired credentials", responses: []stsResponse{{status: 200, body: assumeRoleXML("2026-11-28T12:00:00Z")}}, requests: 1, wantErr: credentials.ErrExpired, msg: "expired at 2026-11-28T12:00:00Z"},
		{name: "bad expiration", responses: []stsResponse{{status: 200, body: assumeRoleXML("tomorrow")}}, requests: 1, msg: "Expiration"},
		{
			name: "timeout", responses: []stsResponse{{hang: true}}, client: &http.Client{Timeout: 100 * time.Millisecond},
			requests: 3, msg: "Timeout",
		},
		{
			name: "source fails", responses: []stsResponse{ok}, requests: 0,
			source: credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) {
				return credentials.Credentials{}, errors.New("credentials: env: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
			}),
			msg: "stscreds: AssumeRole: signing: sigv4: retrieve credentials: credentials: env:",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, endpoint := newSTS(t, tt.responses...)
			src := tt.source
			if src == nil {
				src = sourceProvider()
			}
			_, err := AssumeRole{Source: src, RoleARN: roleARN, Endpoint: endpoint, HTTPClient: tt.client, Now: fixedNow}.Retrieve(context.Background())
			noteErr(err)
			if n := len(srv.got()); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if tt.requests == 2 && tt.code == "" && tt.msg == "" && tt.wantErr == nil {
				if err != nil {
					t.Fatalf("retried call failed: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.msg) || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Errorf("err = %v, want %v containing %q", err, tt.wantErr, tt.msg)
			}
			var se *Error
			if tt.code != "" || tt.status != 0 {
				if !errors.As(err, &se) || se.Code != tt.code || se.StatusCode != tt.status || se.RequestID != testRequestID {
					t.Errorf("err = %#v, want *Error with code %q, status %d", err, tt.code, tt.status)
				}
			}
		})
	}
}

func TestAssumeRoleConfigErrors(t *testing.T) {
	ctx := context.Background()
	for _, p := range []AssumeRole{
		{Source: sourceProvider()},
		{RoleARN: roleARN},
		{Source: sourceProvider(), RoleARN: roleARN, SerialNumber: "arn:aws:iam::1:mfa/x", Endpoint: "http://127.0.0.1:1"},
		{Source: sourceProvider(), RoleARN: roleARN, SerialNumber: "arn:aws:iam::1:mfa/x", Endpoint: "http://127.0.0.1:1",
			TokenCode: func(context.Context, string) (string, error) { return "", errors.New("no tty") }},
	} {
		if _, err := p.Retrieve(ctx); noteErr(err) == nil {
			t.Errorf("%+v: no error", p)
		}
	}
}

func TestWebIdentity(t *testing.T) {
	t.Parallel()
	srv, endpoint := newSTS(t, stsResponse{status: 200, body: webIdentityXML("2026-11-28T14:00:00Z")})
	files := map[string]string{"/token": webToken + "\n"}
	var mu sync.Mutex
	p := WebIdentity{
		RoleARN: roleARN, TokenFile: "/token", RoleSessionName: "app1", Duration: 900 * time.Second,
		ReadFile: func(name string) ([]byte, error) {
			mu.Lock()
			defer mu.Unlock()
			return []byte(files[name]), nil
		},
		Endpoint: endpoint, Now: fixedNow,
	}
	got, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessKeyID != "ASIAWEBIDENTITYEXAMPLE" || got.SecretAccessKey != roleSecret || got.SessionToken != roleToken ||
		got.Source != "web-identity:"+roleARN || !got.Expires.Equal(time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("got %#v", got)
	}
	// The token file is re-read at each call (the kubelet rotates it).
	mu.Lock()
	files["/token"] = "rotated.token.value"
	mu.Unlock()
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := srv.got()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	for k, v := range map[string]string{
		"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": roleARN,
		"RoleSessionName": "app1", "WebIdentityToken": webToken, "DurationSeconds": "900",
	} {
		if r.form.Get(k) != v {
			t.Errorf("form %s = %q, want %q", k, r.form.Get(k), v)
		}
	}
	if r.header.Get("Authorization") != "" || r.header.Get("X-Amz-Security-Token") != "" {
		t.Error("AssumeRoleWithWebIdentity must not be signed")
	}
	if reqs[1].form.Get("WebIdentityToken") != "rotated.token.value" {
		t.Errorf("second call used token %q", reqs[1].form.Get("WebIdentityToken"))
	}
}

func TestWebIdentityErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		responses []stsResponse
		files     map[string]string
		requests  int
		code      string
		msg       string
	}{
		{
			name:      "invalid token, message echoing the token is scrubbed",
			responses: []stsResponse{{status: 400, body: errorXML("Sender", "InvalidIdentityToken", "Token "+webToken+" is not valid")}},
			requests:  1, code: "InvalidIdentityToken", msg: "Token [REDACTED] is not valid",
		},
		{
			name:      "expired token",
			responses: []stsResponse{{status: 400, body: errorXML("Sender", "ExpiredTokenException", "Token expired: current date/time 1700000000 must be before the expiration date/time 1699999000")}},
			requests:  1, code: "ExpiredTokenException",
		},
		{
			name:      "IdP down is retried",
			responses: []stsResponse{{status: 400, body: errorXML("Sender", "IDPCommunicationError", "Couldn't retrieve verification key from your identity provider")}},
			requests:  3, code: "IDPCommunicationError",
		},
		{name: "missing token file", files: map[string]string{}, msg: "reading the token file"},
		{name: "empty token file", files: map[string]string{"/token": "\n"}, msg: "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.responses == nil {
				tt.responses = []stsResponse{{status: 200, body: webIdentityXML("2026-11-28T14:00:00Z")}}
			}
			if tt.files == nil {
				tt.files = map[string]string{"/token": webToken}
			}
			srv, endpoint := newSTS(t, tt.responses...)
			_, err := WebIdentity{RoleARN: roleARN, TokenFile: "/token", ReadFile: memFiles(tt.files), Endpoint: endpoint, Now: fixedNow}.Retrieve(context.Background())
			noteErr(err)
			if err == nil {
				t.Fatal("no error")
			}
			if n := len(srv.got()); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %v, want %q", err, tt.msg)
			}
			var se *Error
			if tt.code != "" && (!errors.As(err, &se) || se.Code != tt.code || se.Type != "Sender") {
				t.Errorf("err = %#v, want code %s", err, tt.code)
			}
		})
	}
	for _, w := range []WebIdentity{{TokenFile: "/t"}, {RoleARN: roleARN}} {
		if _, err := w.Retrieve(context.Background()); noteErr(err) == nil {
			t.Errorf("%+v: no error", w)
		}
	}
}

func TestEndpoint(t *testing.T) {
	tests := []struct {
		region        string
		legacy        bool
		url, signedIn string
	}{
		{"", false, "https://sts.amazonaws.com", "us-east-1"},
		{"aws-global", false, "https://sts.amazonaws.com", "us-east-1"},
		{"us-east-1", false, "https://sts.us-east-1.amazonaws.com", "us-east-1"},
		{"us-east-1", true, "https://sts.amazonaws.com", "us-east-1"},
		{"eu-west-3", true, "https://sts.amazonaws.com", "us-east-1"},
		{"eu-south-1", true, "https://sts.eu-south-1.amazonaws.com", "eu-south-1"},
		{"ap-east-1", false, "https://sts.ap-east-1.amazonaws.com", "ap-east-1"},
		{"cn-north-1", false, "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1"},
		{"us-gov-west-1", false, "https://sts.us-gov-west-1.amazonaws.com", "us-gov-west-1"},
		{"us-iso-east-1", false, "https://sts.us-iso-east-1.c2s.ic.gov", "us-iso-east-1"},
	}
	for _, tt := range tests {
		u, r := Endpoint(tt.region, tt.legacy)
		if u != tt.url || r != tt.signedIn {
			t.Errorf("Endpoint(%q, %v) = %q, %q; want %q, %q", tt.region, tt.legacy, u, r, tt.url, tt.signedIn)
		}
	}
}
