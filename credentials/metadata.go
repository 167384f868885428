package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// metadataClient does the HTTP requests of the IMDS and container
// providers: short per-attempt timeouts, a bounded number of attempts, no
// proxy.
type metadataClient struct {
	client   *http.Client
	close    func()
	timeout  time.Duration
	attempts int
	// retryUnreachable retries timeouts and failed connections too; off for
	// IMDS, where they mean "not on EC2" and a retry only slows a laptop.
	retryUnreachable bool
}

func newMetadataClient(c *http.Client, timeout time.Duration, attempts int, retryUnreachable bool) *metadataClient {
	if timeout <= 0 {
		timeout = time.Second
	}
	if attempts <= 0 {
		attempts = 2
	}
	m := &metadataClient{timeout: timeout, attempts: attempts, retryUnreachable: retryUnreachable, close: func() {}}
	if c == nil {
		// Metadata endpoints are link-local or loopback: never through a
		// proxy from the environment.
		tr := &http.Transport{Proxy: nil, DialContext: (&net.Dialer{Timeout: timeout}).DialContext, MaxIdleConns: 2}
		c = &http.Client{Transport: tr}
		m.close = tr.CloseIdleConnections
	}
	// No redirect is followed, whatever the policy of an injected client
	// (a copy is changed, not the caller's client): the requests carry the
	// IMDS session token or the container authorization token, which must
	// go to the configured endpoint only.
	cc := *c
	cc.CheckRedirect = refuseRedirect
	m.client = &cc
	return m
}

// refuseRedirect is the CheckRedirect policy of the metadata clients: the
// redirect response itself is returned, and once turns it into a
// *redirectError.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// ErrRedirect is returned (wrapped) when a credentials endpoint (instance
// metadata, container, STS) answers with a redirect. No provider follows
// one, so that a token or a signed request only ever goes to the endpoint
// that was configured. The error names the redirect's target.
var ErrRedirect = errors.New("credentials: redirect refused")

// redirectError is a 3xx response; it matches ErrRedirect.
type redirectError struct {
	status   int
	location string // scheme, host and path of the target; "" if none
}

func (e *redirectError) Error() string {
	if e.location == "" {
		return fmt.Sprintf("refused a redirect (HTTP %d)", e.status)
	}
	return fmt.Sprintf("refused a redirect (HTTP %d) to %s", e.status, e.location)
}

func (e *redirectError) Is(target error) bool { return target == ErrRedirect }

// newRedirectError describes the redirect resp; its target is given without
// user information, query or fragment, bounded to 200 printable bytes.
func newRedirectError(resp *http.Response) *redirectError {
	e := &redirectError{status: resp.StatusCode}
	if u, err := resp.Location(); err == nil {
		e.location = bounded(u.Scheme+"://"+u.Host+u.EscapedPath(), 200)
	}
	return e
}

// maxMetadataBody bounds the bodies read from metadata endpoints.
const maxMetadataBody = 64 << 10

// statusError is a non-2xx response.
type statusError struct {
	status int
	body   []byte
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP status %d", e.status) }

// transportError is a failure to reach the endpoint at all.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// do sends a request, retrying transport errors and 5xx responses. It
// returns the body of a 2xx response, a *statusError, a *transportError, or
// the context's error.
func (m *metadataClient) do(ctx context.Context, method, url string, header http.Header) ([]byte, error) {
	var err error
	for attempt := 0; attempt < m.attempts; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(time.Duration(attempt) * 100 * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
		}
		var body []byte
		body, err = m.once(ctx, method, url, header)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var se *statusError
		if err == nil || (errors.As(err, &se) && se.status < 500) || errors.Is(err, ErrRedirect) {
			return body, err
		}
		if !m.retryUnreachable && unreachable(err) {
			return nil, err
		}
	}
	return nil, err
}

// unreachable reports whether err is a timeout or a failure to connect.
func unreachable(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

func (m *metadataClient) once(ctx context.Context, method, url string, header http.Header) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return nil, &transportError{err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataBody))
	if err != nil {
		return nil, &transportError{err}
	}
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		return nil, newRedirectError(resp)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, &statusError{status: resp.StatusCode, body: body}
	}
	return body, nil
}

// metadataCredentials is the JSON shape of IMDS and container credentials.
type metadataCredentials struct {
	Code            string
	Message         string
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	Token           string
	Expiration      string
}

// decodeMetadataCredentials decodes and checks a credentials document.
func decodeMetadataCredentials(body []byte, source string, now time.Time) (Credentials, error) {
	var r metadataCredentials
	if err := json.Unmarshal(body, &r); err != nil {
		return Credentials{}, kindf(ErrInvalidValue, "%s: response is not a credentials object: %s", source, describeJSONError(err))
	}
	if r.Code != "" && r.Code != "Success" {
		return Credentials{}, fmt.Errorf("credentials: %s: response code %s", source, printable(r.Code))
	}
	c := Credentials{AccessKeyID: r.AccessKeyID, SecretAccessKey: r.SecretAccessKey, SessionToken: r.Token, Source: source}
	return finish(c, r.Expiration, now, source+": response")
}

// printable bounds a string from a server to 100 printable ASCII bytes, for
// error messages.
func printable(s string) string { return bounded(s, 100) }

// bounded bounds s to n printable ASCII bytes; the others become '?'.
func bounded(s string, n int) string {
	b := make([]byte, 0, min(len(s), n))
	for i := 0; i < len(s) && len(b) < n; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			b = append(b, c)
		} else {
			b = append(b, '?')
		}
	}
	return string(b)
}
