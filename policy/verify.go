package policy

import (
	"context"
	"crypto/hmac"
	"crypto/subtle"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// S3 error codes of POST uploads that package sigv4 has no constant for.
//
// CodeMaxPostPreDataLengthExceeded is the code S3 answers when the form
// before the file is too large; S3's list of error codes spells it
// MaxPostPreDataLengthExceededError, but S3 itself sends
// MaxPostPreDataLengthExceeded (with the limit in a
// MaxPostPreDataLengthBytes element).
const (
	CodeInvalidPolicyDocument               = "InvalidPolicyDocument"
	CodeMalformedPOSTRequest                = "MalformedPOSTRequest"
	CodeMaxPostPreDataLengthExceeded        = "MaxPostPreDataLengthExceeded"
	CodeIncorrectNumberOfFilesInPostRequest = "IncorrectNumberOfFilesInPostRequest"
	CodeExpiredToken                        = "ExpiredToken"
	CodePreconditionFailed                  = "PreconditionFailed"
)

// DefaultMaxFieldBytes is the default limit on the bytes of a POST form
// before the file's content: everything the verifier must read before it
// can check the signature, counted on the raw body — the preamble, every
// boundary line, every part's headers (the file part's included), the
// field names and values and the line breaks between them. S3's own limit
// is 20 KB; this one leaves room for a policy document that lists many
// conditions. A form over the limit is refused with
// MaxPostPreDataLengthExceeded as soon as the limit is crossed, without
// reading the rest; so is a form with more than 1000 fields before the
// file.
const DefaultMaxFieldBytes = 64 << 10

// maxParts bounds the number of form fields before the file.
const maxParts = 1000

// A Verifier checks POST uploads against their signed policies, as S3
// does. Its zero value is not usable: Lookup must be set. A Verifier is
// safe for concurrent use.
type Verifier struct {
	// Lookup returns the credentials of an access key ID. An error that is
	// a *sigv4.AuthError is returned as it is; any other error refuses the
	// request with InvalidAccessKeyId (and is wrapped in the AuthError).
	// When the credentials have a session token, the form's
	// x-amz-security-token must equal it.
	Lookup func(ctx context.Context, accessKeyID string) (credentials.Credentials, error)
	// Region is the server's region. The credential scope must name it;
	// empty accepts any region.
	Region string
	// Now returns the verification time; nil means time.Now.
	Now func() time.Time
	// MaxFieldBytes is the limit on the bytes of the form before the
	// file's content, counted as [DefaultMaxFieldBytes] describes; zero
	// (or less) means DefaultMaxFieldBytes.
	MaxFieldBytes int64
}

// Upload is a verified POST upload. It prints (fmt, log/slog) with the
// session token and the policy document, which holds it, redacted.
type Upload struct {
	// Bucket is the bucket the form was posted to.
	Bucket string
	// Key is the object key: the key field with every "${filename}"
	// replaced by Filename.
	Key string
	// Filename is the file name the browser sent (its last path element),
	// or "" when it sent none.
	Filename string
	// Fields holds the submitted fields before the file, by lower-case
	// name (S3 field names are case-insensitive). S3 ignores fields after
	// the file, and so does Verify.
	Fields map[string]string
	// AccessKeyID is the access key that signed the policy.
	AccessKeyID string
	// Expiration is the policy's expiration.
	Expiration time.Time
	// MinSize and MaxSize are the file size bounds of the policy's
	// content-length-range conditions; MaxSize is -1 when there is none.
	MinSize, MaxSize int64
	// File streams the file's content. It fails with an EntityTooLarge
	// *sigv4.AuthError as soon as the content passes MaxSize (never
	// returning the bytes beyond it), and with EntityTooSmall at the end
	// when it is shorter than MinSize. It is nil from [Verifier.VerifyFields].
	File io.Reader

	size *sizeReader
}

// Size returns the number of bytes of the file read so far.
func (u *Upload) Size() int64 {
	if u.size == nil {
		return 0
	}
	return u.size.n
}

// Metadata returns the user metadata of the upload: the x-amz-meta-*
// fields, by lower-case name without the prefix.
func (u *Upload) Metadata() map[string]string {
	m := map[string]string{}
	for k, v := range u.Fields {
		if name, ok := strings.CutPrefix(k, "x-amz-meta-"); ok && name != "" {
			m[name] = v
		}
	}
	return m
}

// ContentType returns the Content-Type field, or "" if the form had none.
func (u *Upload) ContentType() string { return u.Fields["content-type"] }

// authErr builds an S3 error.
func authErr(status int, code, format string, args ...any) *sigv4.AuthError {
	return &sigv4.AuthError{Code: code, Message: fmt.Sprintf(format, args...), StatusCode: status}
}

func malformed() *sigv4.AuthError {
	return authErr(http.StatusBadRequest, CodeMalformedPOSTRequest,
		"The body of your POST request is not well-formed multipart/form-data.")
}

func tooLarge(limit int64) *sigv4.AuthError {
	return authErr(http.StatusBadRequest, CodeMaxPostPreDataLengthExceeded,
		"Your POST request fields preceding the upload file were too large: the limit is %d bytes or %d fields.", limit, maxParts)
}

// errPreFileLimit is what a preFileReader returns once its limit is spent.
var errPreFileLimit = errors.New("policy: the form before the file exceeds the limit")

// preFileReader reads a POST body for a multipart.Reader, and while on,
// lets it read no more than left bytes: the multipart parser buffers part
// headers itself (up to 10 MiB each), so the limit must sit beneath it.
// It is turned off once the fields are verified, for the file to stream.
type preFileReader struct {
	r    io.Reader
	left int64
	on   bool
	over bool // more than the limit was asked for, and there is more
}

func (b *preFileReader) Read(p []byte) (int, error) {
	if !b.on {
		return b.r.Read(p)
	}
	if b.left <= 0 {
		// The limit is spent. Is there more? A body that ends here is
		// not too large, only incomplete.
		var one [1]byte
		n, err := b.r.Read(one[:])
		if n == 0 {
			return 0, err
		}
		b.over = true
		return 0, errPreFileLimit
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// VerifyRequest verifies a POST upload to bucket: r must be a
// multipart/form-data request, whose body the verifier reads up to the
// start of the file. See [Verifier.Verify].
func (v *Verifier) VerifyRequest(r *http.Request, bucket string) (*Upload, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, authErr(http.StatusPreconditionFailed, CodePreconditionFailed,
			"Bucket POST must be of the enclosure-type multipart/form-data")
	}
	return v.Verify(r.Context(), bucket, r.Body, params["boundary"])
}

// Verify reads the fields of a POST upload to bucket from body, a
// multipart/form-data body with the given boundary, up to the file field,
// which S3 requires to be last, and checks them: the policy's signature (in
// constant time), its expiration, every condition, and that every field
// except x-amz-signature, file, policy and x-ignore-* is covered by a
// condition. It then returns the upload, whose File streams the file and
// enforces content-length-range as it does: the caller must read File to
// its end (io.EOF) before it stores the object.
//
// Before the file, Verify reads at most MaxFieldBytes of body (and one byte
// more, to tell a form that is too large from one that ends there); see
// [DefaultMaxFieldBytes].
//
// Every error is a *sigv4.AuthError with the S3 code: AccessDenied for a
// failed condition, an expired policy or an uncovered field;
// SignatureDoesNotMatch; InvalidAccessKeyId; InvalidArgument for a missing
// or malformed field; InvalidPolicyDocument; MalformedPOSTRequest;
// MaxPostPreDataLengthExceeded; EntityTooLarge and EntityTooSmall.
func (v *Verifier) Verify(ctx context.Context, bucket string, body io.Reader, boundary string) (*Upload, error) {
	limit := v.MaxFieldBytes
	if limit <= 0 {
		limit = DefaultMaxFieldBytes
	}
	pre := &preFileReader{r: body, left: limit, on: true}
	mr := multipart.NewReader(pre, boundary)
	fields := map[string]string{}
	for n := 0; ; n++ {
		part, err := mr.NextRawPart()
		if pre.over {
			return nil, tooLarge(limit)
		}
		if err == io.EOF {
			return nil, authErr(http.StatusBadRequest, CodeIncorrectNumberOfFilesInPostRequest,
				"POST requires exactly one file upload per request.")
		}
		if err != nil {
			ae := malformed()
			ae.Err = err
			return nil, ae
		}
		if n >= maxParts {
			return nil, tooLarge(limit)
		}
		name, filename, hasFilename, err := partName(part)
		if err != nil {
			return nil, malformed()
		}
		if name == FieldFile {
			if !hasFilename {
				filename = ""
			}
			u, err := v.verify(ctx, bucket, fields, filename, -1)
			if err != nil {
				return nil, err
			}
			pre.on = false
			u.size = &sizeReader{r: part, min: u.MinSize, max: u.MaxSize}
			u.File = u.size
			return u, nil
		}
		if _, dup := fields[name]; dup {
			return nil, authErr(http.StatusBadRequest, sigv4.CodeInvalidArgument,
				"The form field %q appears more than once.", name)
		}
		val, err := io.ReadAll(part) // at most limit bytes: pre bounds it
		if pre.over {
			return nil, tooLarge(limit)
		}
		if err != nil {
			ae := malformed()
			ae.Err = err
			return nil, ae
		}
		fields[name] = string(val)
	}
}

// partName returns a part's lower-case form name and its file name (last
// path element, '/' or '\' separated), from Content-Disposition.
func partName(p *multipart.Part) (name, filename string, hasFilename bool, err error) {
	d, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil || d != "form-data" || params["name"] == "" {
		return "", "", false, errors.New("bad Content-Disposition")
	}
	filename, hasFilename = params["filename"]
	if i := strings.LastIndexAny(filename, `/\`); i >= 0 {
		filename = filename[i+1:]
	}
	return strings.ToLower(params["name"]), filename, hasFilename, nil
}

// VerifyFields verifies the fields of a POST upload to bucket that were
// parsed already (say by http.Request.ParseMultipartForm), with the file's
// name and size; a negative size skips the size check. Field names are
// compared without regard to case; the file field itself must not be among
// fields. The returned Upload has no File.
func (v *Verifier) VerifyFields(ctx context.Context, bucket string, fields map[string]string, filename string, size int64) (*Upload, error) {
	lower := make(map[string]string, len(fields))
	for k, val := range fields {
		lk := strings.ToLower(k)
		if _, dup := lower[lk]; dup {
			return nil, authErr(http.StatusBadRequest, sigv4.CodeInvalidArgument,
				"The form field %q appears more than once.", lk)
		}
		lower[lk] = val
	}
	if _, ok := lower[FieldFile]; ok {
		return nil, authErr(http.StatusBadRequest, sigv4.CodeInvalidArgument, "The file must not be among the fields.")
	}
	return v.verify(ctx, bucket, lower, filename, size)
}

// verify checks the fields (lower-case names) and, when size >= 0, the size.
func (v *Verifier) verify(ctx context.Context, bucket string, fields map[string]string, filename string, size int64) (*Upload, error) {
	if v.Lookup == nil {
		return nil, errors.New("policy: Verifier.Lookup is nil")
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	t := now()

	key, ok := fields[FieldKey]
	if !ok || key == "" {
		return nil, authErr(http.StatusBadRequest, sigv4.CodeInvalidArgument,
			"Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.")
	}
	authFields := []string{FieldPolicy, FieldAlgorithm, FieldCredential, FieldDate, FieldSignature}
	var present int
	for _, f := range authFields {
		if _, ok := fields[f]; ok {
			present++
		}
	}
	if present == 0 {
		return nil, authErr(http.StatusForbidden, sigv4.CodeAccessDenied,
			"Anonymous POST uploads are not allowed: the form has no policy and no signature.")
	}
	for _, f := range authFields {
		if _, ok := fields[f]; !ok {
			return nil, authErr(http.StatusBadRequest, sigv4.CodeInvalidArgument,
				"Bucket POST must contain a field named '%s'.  If it is specified, please check the order of the fields.", f)
		}
	}
	if alg := fields[FieldAlgorithm]; alg != sigv4.Algorithm {
		return nil, authErr(http.StatusBadRequest, sigv4.CodeInvalidArgument,
			"Only AWS4-HMAC-SHA256 is supported, not %q.", alg)
	}

	// x-amz-credential: AKID/YYYYMMDD/region/s3/aws4_request
	credential := fields[FieldCredential]
	scope := strings.Split(credential, "/")
	if len(scope) != 5 || scope[0] == "" || len(scope[1]) != 8 || scope[2] == "" || scope[4] != "aws4_request" {
		return nil, authErr(http.StatusBadRequest, sigv4.CodeInvalidArgument,
			"Invalid x-amz-credential %q: it must be <access key>/<YYYYMMDD>/<region>/s3/aws4_request.", credential)
	}
	accessKey, scopeDate, region := scope[0], scope[1], scope[2]
	if scope[3] != service {
		return nil, authErr(http.StatusBadRequest, sigv4.CodeInvalidArgument,
			"Invalid x-amz-credential: the service is %q, not s3.", scope[3])
	}
	if v.Region != "" && region != v.Region {
		return nil, authErr(http.StatusBadRequest, sigv4.CodeInvalidArgument,
			"Invalid x-amz-credential: the region %q is wrong; expecting %q.", region, v.Region)
	}
	amzDate, err := time.Parse(amzDateLayout, fields[FieldDate])
	if err != nil {
		return nil, authErr(http.StatusBadRequest, sigv4.CodeInvalidArgument,
			"Invalid x-amz-date %q: it must be YYYYMMDD'T'HHMMSS'Z'.", fields[FieldDate])
	}
	if amzDate.Format("20060102") != scopeDate {
		return nil, authErr(http.StatusBadRequest, sigv4.CodeInvalidArgument,
			"Invalid x-amz-credential: the date %s is not the date of x-amz-date %s.", scopeDate, fields[FieldDate])
	}

	creds, err := v.Lookup(ctx, accessKey)
	if err != nil {
		var ae *sigv4.AuthError
		if errors.As(err, &ae) {
			return nil, err
		}
		return nil, &sigv4.AuthError{Code: sigv4.CodeInvalidAccessKeyID, StatusCode: http.StatusForbidden,
			Message:     "The AWS Access Key Id you provided does not exist in our records.",
			AccessKeyID: accessKey, Err: err}
	}
	if creds.SecretAccessKey == "" {
		return nil, &sigv4.AuthError{Code: sigv4.CodeInvalidAccessKeyID, StatusCode: http.StatusForbidden,
			Message: "The AWS Access Key Id you provided does not exist in our records.", AccessKeyID: accessKey}
	}
	if creds.Expired(t) {
		return nil, &sigv4.AuthError{Code: CodeExpiredToken, StatusCode: http.StatusBadRequest,
			Message: "The provided token has expired.", AccessKeyID: accessKey}
	}
	token, hasToken := fields[FieldSecurityToken]
	if hasToken || creds.SessionToken != "" {
		if subtle.ConstantTimeCompare([]byte(token), []byte(creds.SessionToken)) != 1 {
			return nil, &sigv4.AuthError{Code: sigv4.CodeInvalidToken, StatusCode: http.StatusBadRequest,
				Message: "The provided token is malformed or otherwise invalid.", AccessKeyID: accessKey}
		}
	}

	b64 := fields[FieldPolicy]
	want := signature(creds.SecretAccessKey, amzDate, region, b64)
	if !hmac.Equal([]byte(want), []byte(fields[FieldSignature])) {
		return nil, &sigv4.AuthError{Code: sigv4.CodeSignatureDoesNotMatch, StatusCode: http.StatusForbidden,
			Message:      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
			AccessKeyID:  accessKey,
			StringToSign: b64}
	}

	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, authErr(http.StatusBadRequest, CodeInvalidPolicyDocument, "Invalid Policy: Invalid 'Base64' encoding.")
	}
	doc, err := parseDocument(raw)
	if err != nil {
		return nil, authErr(http.StatusBadRequest, CodeInvalidPolicyDocument, "Invalid Policy: %v.", err)
	}
	if !t.Before(doc.expiration) {
		return nil, &sigv4.AuthError{Code: sigv4.CodeAccessDenied, StatusCode: http.StatusForbidden,
			Message: "Invalid according to Policy: Policy expired.", AccessKeyID: accessKey}
	}

	// Every field must be covered by a condition.
	covered := make(map[string]bool, len(doc.conds))
	for _, c := range doc.conds {
		if c.op != opRange {
			covered[c.field] = true
		}
	}
	for name := range fields {
		switch {
		case name == FieldSignature, name == FieldPolicy, name == FieldFile, strings.HasPrefix(name, "x-ignore-"):
			continue
		}
		if !covered[name] {
			return nil, &sigv4.AuthError{Code: sigv4.CodeAccessDenied, StatusCode: http.StatusForbidden,
				Message: "Invalid according to Policy: Extra input fields: " + name, AccessKeyID: accessKey}
		}
	}

	if i := strings.LastIndexAny(filename, `/\`); i >= 0 {
		filename = filename[i+1:]
	}
	u := &Upload{
		Bucket: bucket, Key: strings.ReplaceAll(key, "${filename}", filename), Filename: filename,
		Fields: fields, AccessKeyID: accessKey, Expiration: doc.expiration, MaxSize: -1,
	}
	for i, c := range doc.conds {
		if c.op == opRange {
			u.MinSize = max(u.MinSize, c.min)
			if u.MaxSize < 0 || c.max < u.MaxSize {
				u.MaxSize = c.max
			}
			continue
		}
		var got string
		var ok bool
		if c.field == "bucket" {
			got, ok = bucket, true
		} else {
			got, ok = fields[c.field]
		}
		if ok {
			ok = matches(c, got)
		}
		if !ok {
			return nil, &sigv4.AuthError{Code: sigv4.CodeAccessDenied, StatusCode: http.StatusForbidden,
				Message:     "Invalid according to Policy: Policy Condition failed: " + string(doc.raw[i]),
				AccessKeyID: accessKey}
		}
	}
	if size >= 0 {
		if err := u.checkSize(size, true); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// matches reports whether a field value satisfies an eq or starts-with
// condition. As in S3, a starts-with on Content-Type with a comma-separated
// value requires every entry to start with the prefix.
func matches(c condition, v string) bool {
	if c.op == string(Eq) {
		return v == c.value
	}
	if c.field == "content-type" && strings.Contains(v, ",") {
		for part := range strings.SplitSeq(v, ",") {
			if !strings.HasPrefix(strings.TrimSpace(part), c.value) {
				return false
			}
		}
		return true
	}
	return strings.HasPrefix(v, c.value)
}

// checkSize checks n against the size bounds; final says whether n is the
// whole size (the minimum applies only then).
func (u *Upload) checkSize(n int64, final bool) error {
	if u.MaxSize >= 0 && n > u.MaxSize {
		return &sigv4.AuthError{Code: sigv4.CodeEntityTooLarge, StatusCode: http.StatusBadRequest,
			Message: "Your proposed upload exceeds the maximum allowed size", AccessKeyID: u.AccessKeyID}
	}
	if final && n < u.MinSize {
		return &sigv4.AuthError{Code: sigv4.CodeEntityTooSmall, StatusCode: http.StatusBadRequest,
			Message: "Your proposed upload is smaller than the minimum allowed size", AccessKeyID: u.AccessKeyID}
	}
	return nil
}

// sizeReader counts the file's bytes and enforces the size bounds without
// ever returning a byte beyond the maximum.
type sizeReader struct {
	r        io.Reader
	n        int64
	min, max int64 // max < 0: no maximum
	err      error
}

func (s *sizeReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if s.max >= 0 {
		rem := s.max - s.n
		if rem == 0 { // is there more?
			var one [1]byte
			for range 100 {
				k, err := s.r.Read(one[:])
				if k > 0 {
					s.err = (&Upload{MaxSize: s.max}).checkSize(s.n+1, false)
					return 0, s.err
				}
				if err != nil {
					return 0, s.end(err)
				}
			}
			return 0, io.ErrNoProgress
		}
		if int64(len(p)) > rem {
			p = p[:rem]
		}
	}
	k, err := s.r.Read(p)
	s.n += int64(k)
	if err != nil {
		return k, s.end(err)
	}
	return k, nil
}

// end records the end of the stream: EOF, unless the file is too small,
// or a malformed body.
func (s *sizeReader) end(err error) error {
	switch {
	case err == io.EOF && s.n < s.min:
		s.err = (&Upload{MinSize: s.min, MaxSize: -1}).checkSize(s.n, true)
	case err == io.EOF:
		s.err = io.EOF
	default:
		ae := malformed()
		ae.Err = err
		s.err = ae
	}
	return s.err
}

// postResponse is S3's answer to a POST upload with success_action_status
// 201.
type postResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// WriteSuccess answers a stored upload as S3 does: a 303 redirect to
// success_action_redirect (with bucket, key and etag added to its query)
// when that is an absolute http or https URL; otherwise the
// success_action_status (200, 201 with an XML PostResponse, or the default
// 204). location is the object's URL, etag its quoted ETag.
func (u *Upload) WriteSuccess(w http.ResponseWriter, location, etag string) {
	if etag != "" {
		w.Header().Set("ETag", etag)
	}
	if location != "" {
		w.Header().Set("Location", location)
	}
	if r, ok := u.Fields["success_action_redirect"]; ok {
		if ru, err := url.Parse(r); err == nil && (ru.Scheme == "http" || ru.Scheme == "https") && ru.Host != "" {
			q := ru.Query()
			q.Set("bucket", u.Bucket)
			q.Set("key", u.Key)
			q.Set("etag", etag)
			ru.RawQuery = q.Encode()
			w.Header().Set("Location", ru.String())
			w.WriteHeader(http.StatusSeeOther)
			return
		}
	}
	switch u.Fields["success_action_status"] {
	case "200":
		w.WriteHeader(http.StatusOK)
	case "201":
		body, _ := xml.MarshalIndent(postResponse{Location: location, Bucket: u.Bucket, Key: u.Key, ETag: etag}, "", "  ")
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(xml.Header))
		w.Write(body)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
