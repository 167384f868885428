package stscreds

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
)

// maxAttempts bounds the tries of one STS call (temporary errors only).
const maxAttempts = 3

// maxResponse bounds the STS response body read.
const maxResponse = 1 << 20

// Bounds of the server's text quoted in an [Error]: the message, and the
// code, type and request ID. Longer text is cut and ends with "...".
const (
	maxQuotedMessage = 512
	maxQuotedCode    = 64
)

// stsCredentials is the Credentials element of an STS result.
type stsCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

// errorResponse is the XML of an STS error.
type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// call is one STS request: its form, how it is signed and where it goes.
type call struct {
	action   string
	endpoint string
	form     url.Values
	sign     func(context.Context, *http.Request) error // nil: unsigned
	client   *http.Client
	now      func() time.Time
	redact   []string // secrets sent in the form (MFA code, web identity token)
}

// do sends the call, retrying temporary failures, and returns the
// credentials of its result.
func (c *call) do(ctx context.Context) (credentials.Credentials, error) {
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(time.Duration(100<<attempt) * time.Millisecond)
			select {
			case <-ctx.Done():
				t.Stop()
				return credentials.Credentials{}, fmt.Errorf("stscreds: %s: %w", c.action, ctx.Err())
			case <-t.C:
			}
		}
		var creds credentials.Credentials
		var temporary bool
		creds, temporary, err = c.once(ctx)
		if err == nil || !temporary || ctx.Err() != nil {
			return creds, err
		}
	}
	return credentials.Credentials{}, err
}

func (c *call) once(ctx context.Context) (creds credentials.Credentials, temporary bool, err error) {
	body := c.form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, strings.NewReader(body))
	if err != nil {
		return creds, false, fmt.Errorf("stscreds: %s: endpoint: %w", c.action, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Accept", "text/xml")
	if c.sign != nil {
		if err := c.sign(ctx, req); err != nil {
			return creds, false, fmt.Errorf("stscreds: %s: signing: %w", c.action, err)
		}
	}
	secrets := c.secrets(req)
	resp, err := c.client.Do(req)
	if err != nil {
		return creds, ctx.Err() == nil, fmt.Errorf("stscreds: %s: %w", c.action, scrub(err, secrets))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return creds, true, fmt.Errorf("stscreds: %s: reading the response: %w", c.action, err)
	}
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		return creds, false, c.redirectError(resp)
	}
	if resp.StatusCode != http.StatusOK {
		e := &Error{Action: c.action, StatusCode: resp.StatusCode}
		var er errorResponse
		if xml.Unmarshal(data, &er) == nil {
			e.Type = quote(er.Error.Type, maxQuotedCode, secrets)
			e.Code = quote(er.Error.Code, maxQuotedCode, secrets)
			e.Message = quote(er.Error.Message, maxQuotedMessage, secrets)
			e.RequestID = quote(er.RequestID, maxQuotedCode, secrets)
		}
		if e.RequestID == "" {
			e.RequestID = quote(resp.Header.Get("X-Amzn-Requestid"), maxQuotedCode, secrets)
		}
		return creds, e.Temporary(), e
	}
	// The result element is named after the action:
	// <AssumeRoleResponse><AssumeRoleResult><Credentials>...
	var doc struct {
		XMLName xml.Name
		Results []struct {
			XMLName     xml.Name
			Credentials *stsCredentials `xml:"Credentials"`
		} `xml:",any"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return creds, false, fmt.Errorf("stscreds: %s: malformed XML response%s", c.action, xmlErrorLine(err))
	}
	var sc *stsCredentials
	if doc.XMLName.Local == c.action+"Response" {
		for _, r := range doc.Results {
			if r.XMLName.Local == c.action+"Result" {
				sc = r.Credentials
			}
		}
	}
	if sc == nil {
		return creds, false, fmt.Errorf("stscreds: %s: response has no %sResponse/%sResult/Credentials element", c.action, c.action, c.action)
	}
	creds = credentials.Credentials{AccessKeyID: sc.AccessKeyID, SecretAccessKey: sc.SecretAccessKey, SessionToken: sc.SessionToken}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" || creds.SessionToken == "" {
		return credentials.Credentials{}, false, fmt.Errorf("stscreds: %s: response lacks AccessKeyId, SecretAccessKey or SessionToken: %w", c.action, credentials.ErrPartialCredentials)
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(sc.Expiration))
	if err != nil {
		return credentials.Credentials{}, false, fmt.Errorf("stscreds: %s: response Expiration is not an ISO 8601 time", c.action)
	}
	creds.Expires = t
	if creds.Expired(c.now()) {
		return credentials.Credentials{}, false, fmt.Errorf("stscreds: %s: received credentials that expired at %s: %w", c.action, t.UTC().Format(time.RFC3339), credentials.ErrExpired)
	}
	return creds, false, nil
}

// xmlErrorLine returns " (line N)" for an XML syntax error, without quoting
// the input.
func xmlErrorLine(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf(" (line %d)", se.Line)
	}
	return ""
}

// secrets returns the credential values that req carries, which must never
// appear in an error: those of the form, the session token of the source
// credentials and the signature.
func (c *call) secrets(req *http.Request) []string {
	s := append([]string(nil), c.redact...)
	s = append(s, req.Header.Values("X-Amz-Security-Token")...)
	if _, sig, ok := strings.Cut(req.Header.Get("Authorization"), "Signature="); ok {
		s = append(s, sig)
	}
	return s
}

// scrub removes secrets from a transport error.
func scrub(err error, secrets []string) error {
	s := err.Error()
	if t := scrubString(s, secrets); t != s {
		return errors.New(t)
	}
	return err
}

// scrubString replaces each of secrets in s with [REDACTED].
func scrubString(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[REDACTED]")
		}
	}
	return s
}

// quote prepares a server's text for an error: secrets are replaced with
// [REDACTED] (before the text is cut, so that no part of one remains),
// control characters with spaces and other non-ASCII bytes with '?', and
// text longer than n bytes is cut to n and ends with "...".
func quote(s string, n int, secrets []string) string {
	s = scrubString(s, secrets)
	b := make([]byte, 0, min(len(s), n)+3)
	for i := 0; i < len(s); i++ {
		if len(b) == n {
			return string(b) + "..."
		}
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			b = append(b, ' ')
		case c >= 0x80:
			b = append(b, '?')
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// redirectError is a 3xx answer, which is never followed: it matches
// credentials.ErrRedirect.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }

func (e *redirectError) Is(target error) bool { return target == credentials.ErrRedirect }

// redirectError names the redirect's target, without user information,
// query or fragment (a presigned URL's signature), bounded.
func (c *call) redirectError(resp *http.Response) error {
	msg := fmt.Sprintf("stscreds: %s: refused a redirect (HTTP %d)", c.action, resp.StatusCode)
	if u, err := resp.Location(); err == nil {
		msg += " to " + quote(u.Scheme+"://"+u.Host+u.EscapedPath(), 200, nil)
	}
	return &redirectError{msg: msg}
}

// httpClient returns a copy of c, or a client with a 30-second timeout,
// that follows no redirect: a signed request, or one carrying a web
// identity token, goes to the configured endpoint only. The caller's
// client is not changed.
func httpClient(c *http.Client) *http.Client {
	cc := http.Client{Timeout: 30 * time.Second}
	if c != nil {
		cc = *c
	}
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}

func orNow(f func() time.Time) func() time.Time {
	if f == nil {
		return time.Now
	}
	return f
}

// sessionName returns name, or a name made of the time like the CLI's
// "botocore-session-<seconds>".
func sessionName(name string, now time.Time) string {
	if name != "" {
		return name
	}
	return fmt.Sprintf("sigv4kit-session-%d", now.Unix())
}
