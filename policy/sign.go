package policy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// The form fields of a signed POST, besides the policy and the file.
const (
	FieldAlgorithm     = "x-amz-algorithm"
	FieldCredential    = "x-amz-credential"
	FieldDate          = "x-amz-date"
	FieldSignature     = "x-amz-signature"
	FieldSecurityToken = "x-amz-security-token"
	FieldPolicy        = "policy"
	FieldKey           = "key"
	// FieldFile is the name of the file field, which must come last.
	FieldFile = "file"
)

// expirationLayout is the format of the policy's expiration.
const expirationLayout = "2006-01-02T15:04:05.000Z"

// amzDateLayout is the format of x-amz-date.
const amzDateLayout = "20060102T150405Z"

// service is the signing name of S3.
const service = "s3"

// JSON returns the policy document. The same policy always gives the same
// bytes: the expiration, then the conditions in the order they were added.
// Every string is JSON-escaped, including <, > and & (as \u003c, \u003e,
// \u0026), so the document is safe inside HTML too.
func (p *Policy) JSON() ([]byte, error) {
	if p.err != nil {
		return nil, p.err
	}
	return appendDocument(nil, p.expiration, p.conds), nil
}

// MarshalJSON implements json.Marshaler with [Policy.JSON].
func (p *Policy) MarshalJSON() ([]byte, error) { return p.JSON() }

// appendDocument appends the JSON policy document.
func appendDocument(dst []byte, exp time.Time, conds []condition) []byte {
	dst = append(dst, `{"expiration":`...)
	dst = appendString(dst, exp.UTC().Format(expirationLayout))
	dst = append(dst, `,"conditions":[`...)
	for i, c := range conds {
		if i > 0 {
			dst = append(dst, ',')
		}
		switch c.op {
		case opRange:
			dst = append(dst, `["content-length-range",`...)
			dst = strconv.AppendInt(dst, c.min, 10)
			dst = append(dst, ',')
			dst = strconv.AppendInt(dst, c.max, 10)
			dst = append(dst, ']')
		case string(Eq):
			dst = append(dst, '{')
			dst = appendString(dst, c.field)
			dst = append(dst, ':')
			dst = appendString(dst, c.value)
			dst = append(dst, '}')
		default:
			dst = append(dst, '[')
			dst = appendString(dst, c.op)
			dst = append(dst, ',')
			dst = appendString(dst, "$"+c.field)
			dst = append(dst, ',')
			dst = appendString(dst, c.value)
			dst = append(dst, ']')
		}
	}
	return append(dst, "]}"...)
}

// appendString appends s as a JSON string. encoding/json escapes quotes,
// backslashes, control characters, <, >, &, U+2028 and U+2029; s is valid
// UTF-8 (the builder checks), so nothing is replaced.
func appendString(dst []byte, s string) []byte {
	b, err := json.Marshal(s)
	if err != nil { // cannot happen for a string
		panic(err)
	}
	return append(dst, b...)
}

// Form is a signed POST policy: the fields a browser posts to the bucket,
// before the file. It prints (fmt, log/slog) with the session token and
// the policy document, which holds it, redacted; encoding/json gives the
// fields as they are, for the browser.
type Form struct {
	// Fields holds every field of the form except the file: key, the
	// value of every equality condition, the prefix of every starts-with
	// condition (for the key, the prefix followed by "${filename}"),
	// policy (the base64 document), x-amz-algorithm, x-amz-credential,
	// x-amz-date, x-amz-signature, and x-amz-security-token for temporary
	// credentials. Fields of starts-with conditions (listed in StartsWith)
	// may be changed to any value with the prefix before the form is
	// posted, and usually must be.
	Fields map[string]string
	// Expires is the end of the form's validity: the policy's expiration,
	// or the credentials' expiry when that comes first (Sign then signs
	// the earlier time as the expiration).
	Expires time.Time
	// StartsWith maps each field other than key that only a starts-with
	// condition constrains to its prefix (Sign sets it). Fields holds the
	// prefix itself for these, which is rarely the value to post: a
	// Content-Type of "image/" would become the object's type. The form
	// must complete each one before posting (HTML does so for
	// Content-Type, from the chosen file).
	StartsWith map[string]string `json:",omitempty"`
}

// Sign signs the policy with creds for region at time now and returns the
// form fields. It adds the conditions on x-amz-algorithm,
// x-amz-credential, x-amz-date and x-amz-security-token (when creds has a
// session token) after those of p, which it does not modify.
//
// Sign fails when a builder call failed, when the policy has no bucket or
// no key condition, when the expiration is not after now, and when the
// credentials are incomplete or expired at now. Credentials that expire
// before the policy cap its expiration: the form never claims to live
// longer than it can.
func (p *Policy) Sign(creds credentials.Credentials, region string, now time.Time) (*Form, error) {
	if p.err != nil {
		return nil, p.err
	}
	var hasBucket, hasKey bool
	for _, c := range p.conds {
		switch c.name() {
		case "bucket":
			hasBucket = true
		case "key":
			hasKey = true
		}
	}
	switch {
	case !hasBucket:
		return nil, fmt.Errorf("%w: no bucket condition; call Bucket", ErrMissingCondition)
	case !hasKey:
		return nil, fmt.Errorf("%w: no key condition; call Key or KeyStartsWith", ErrMissingCondition)
	}
	switch {
	case !creds.HasKeys():
		return nil, fmt.Errorf("%w: empty access key ID or secret", ErrInvalidCredentials)
	case strings.ContainsAny(creds.AccessKeyID, "/\r\n"):
		return nil, fmt.Errorf("%w: access key ID %q contains '/' or a line break", ErrInvalidCredentials, creds.AccessKeyID)
	case region == "" || strings.ContainsAny(region, "/\r\n"):
		return nil, fmt.Errorf("%w: invalid region %q", ErrInvalidCredentials, region)
	case creds.Expired(now):
		return nil, fmt.Errorf("%w: credentials expired at %s", ErrInvalidCredentials, creds.Expires.UTC().Format(time.RFC3339))
	}
	now = now.UTC()
	exp := p.expiration
	if creds.CanExpire() && creds.Expires.Before(exp) {
		exp = creds.Expires.UTC().Truncate(time.Millisecond)
	}
	if !exp.After(now) {
		return nil, fmt.Errorf("%w: expiration %s is not after the signing time %s",
			ErrExpired, exp.Format(expirationLayout), now.Format(expirationLayout))
	}

	date := now.Format("20060102")
	credential := creds.AccessKeyID + "/" + date + "/" + region + "/" + service + "/aws4_request"
	amzDate := now.Format(amzDateLayout)
	conds := slices.Clip(p.conds)
	conds = append(conds,
		condition{op: string(Eq), field: FieldAlgorithm, value: sigv4.Algorithm},
		condition{op: string(Eq), field: FieldCredential, value: credential},
		condition{op: string(Eq), field: FieldDate, value: amzDate},
	)
	if creds.SessionToken != "" {
		conds = append(conds, condition{op: string(Eq), field: FieldSecurityToken, value: creds.SessionToken})
	}
	doc := appendDocument(nil, exp, conds)
	b64 := base64.StdEncoding.EncodeToString(doc)

	fields := make(map[string]string, len(conds)+2)
	names := make(map[string]string, len(conds)) // lower case -> name in fields
	fixed := make(map[string]bool, len(conds))   // lower case names with an equality
	for _, c := range conds {
		if c.op == opRange || c.name() == "bucket" {
			continue
		}
		v := c.value
		if c.op == string(StartsWith) && c.name() == "key" {
			v += "${filename}"
		}
		if c.op == string(Eq) {
			fixed[c.name()] = true
		}
		name, seen := names[c.name()]
		switch {
		case !seen:
			names[c.name()] = c.field
			fields[c.field] = v
		case c.op == string(Eq): // an equality wins over a prefix
			fields[name] = v
		}
	}
	var prefixes map[string]string
	for _, c := range conds {
		if c.op != string(StartsWith) || c.name() == "key" || fixed[c.name()] {
			continue
		}
		if prefixes == nil {
			prefixes = make(map[string]string)
		}
		name := names[c.name()]
		if old, ok := prefixes[name]; !ok || len(c.value) > len(old) {
			prefixes[name] = c.value // the longest of several prefixes
		}
	}
	fields[FieldPolicy] = b64
	fields[FieldSignature] = signature(creds.SecretAccessKey, now, region, b64)
	return &Form{Fields: fields, Expires: exp, StartsWith: prefixes}, nil
}

// signature returns hex(HMAC-SHA256(SigningKey(secret, t, region, "s3"), b64)).
func signature(secret string, t time.Time, region, b64 string) string {
	return signatureWithKey(sigv4.SigningKey(secret, t, region, service), b64)
}

func signatureWithKey(key []byte, b64 string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(b64))
	return hex.EncodeToString(m.Sum(nil))
}

// BucketURL returns the action URL of a form for bucket on AWS, in
// region: https://<bucket>.s3.<region>.amazonaws.com/ for bucket names that
// are valid host labels, and the path-style
// https://s3.<region>.amazonaws.com/<bucket> for the others (names with dots
// or upper-case letters), which a TLS wildcard certificate cannot cover.
func BucketURL(region, bucket string) string {
	if isHostLabel(bucket) {
		return "https://" + bucket + ".s3." + region + ".amazonaws.com/"
	}
	return "https://s3." + region + ".amazonaws.com/" + url.PathEscape(bucket)
}

// isHostLabel reports whether s is a lower-case DNS label of 3 to 63
// characters.
func isHostLabel(s string) bool {
	if len(s) < 3 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// PathStyleURL returns the action URL of a form for bucket on a custom
// endpoint with path-style addressing ("http://127.0.0.1:7070" and
// "photos" give "http://127.0.0.1:7070/photos"), for MinIO, versitygw and
// other S3-compatible servers.
func PathStyleURL(endpoint, bucket string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("policy: endpoint: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("policy: endpoint %q is not an absolute http or https URL", endpoint)
	}
	if bucket == "" {
		return "", fmt.Errorf("policy: empty bucket name")
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + bucket
	u.RawPath = ""
	u.RawQuery, u.Fragment = "", ""
	return u.String(), nil
}

// HTML returns a minimal HTML form that posts f with a file to action:
// the fields as hidden inputs (sorted by name), a file input named "file"
// last, as S3 requires, and a submit button. Every name and value is
// HTML-escaped.
//
// A field of f.StartsWith is never rendered as a fixed value, since its
// prefix is rarely what the form should post. Content-Type is a hidden
// input that a short script fills with the chosen file's type (the
// browser's, else application/octet-stream) and checks against the
// prefix, which also narrows the file chooser (accept="image/*" for
// "image/"); without the script it stays empty, and S3 refuses the upload
// (for a non-empty prefix) instead of storing it under the prefix as its
// type. Every other such field is a text input, filled with the prefix for
// the user to complete.
func (f *Form) HTML(action string) string {
	names := make([]string, 0, len(f.Fields))
	for name := range f.Fields {
		names = append(names, name)
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString(`<form action="` + html.EscapeString(action) + `" method="post" enctype="multipart/form-data">` + "\n")
	var typeField, typePrefix string
	var open []string // fields the user completes
	for _, name := range names {
		prefix, ok := f.StartsWith[name]
		switch {
		case !ok:
			b.WriteString(`  <input type="hidden" name="` + html.EscapeString(name) + `" value="` + html.EscapeString(f.Fields[name]) + `">` + "\n")
		case strings.EqualFold(name, "Content-Type") && typeField == "":
			typeField, typePrefix = name, prefix
			b.WriteString(`  <input type="hidden" name="` + html.EscapeString(name) + `" value="">` + "\n")
		default:
			open = append(open, name)
		}
	}
	for _, name := range open {
		b.WriteString(`  <label>` + html.EscapeString(name) + ` <input type="text" name="` + html.EscapeString(name) +
			`" value="` + html.EscapeString(f.StartsWith[name]) + `" required></label>` + "\n")
	}
	if typeField == "" {
		b.WriteString(`  <input type="file" name="file">` + "\n")
	} else {
		accept := ""
		if t, rest, ok := strings.Cut(typePrefix, "/"); ok && rest == "" && isMediaToken(t) {
			accept = ` accept="` + html.EscapeString(t) + `/*"`
		}
		b.WriteString(`  <input type="file" name="file"` + accept + ` required>` + "\n")
		// The names and the prefix are JSON strings, valid in JavaScript
		// and, with <, > and & escaped, inert inside a script element.
		b.WriteString("  <script>\n" +
			"  (function (form, name, prefix) {\n" +
			"    var file = form.elements.file;\n" +
			"    file.addEventListener(\"change\", function () {\n" +
			"      var t = file.files.length ? (file.files[0].type || \"application/octet-stream\") : \"\";\n" +
			"      form.elements[name].value = t;\n" +
			"      file.setCustomValidity(t === \"\" || t.indexOf(prefix) === 0 ? \"\" : \"The file's type, \" + t + \", does not start with \" + prefix + \".\");\n" +
			"    });\n" +
			"  })(document.currentScript.closest(\"form\"), " + jsString(typeField) + ", " + jsString(typePrefix) + ");\n" +
			"  </script>\n")
	}
	b.WriteString(`  <input type="submit" value="Upload">` + "\n")
	b.WriteString("</form>\n")
	return b.String()
}

// isMediaToken reports whether s is a top-level media type name that an
// accept attribute can widen with "/*" (letters, digits, '-', '.', '+').
func isMediaToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '+') {
			return false
		}
	}
	return true
}

// jsString returns s as a JavaScript string literal that is safe inside
// an HTML script element: JSON with <, > and & escaped (as \u003c ...),
// and U+2028 and U+2029 escaped.
func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
