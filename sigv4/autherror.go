package sigv4

import (
	"encoding/xml"
	"net/http"
	"strconv"
)

// S3 error codes that verification reports in [AuthError.Code].
const (
	CodeSignatureDoesNotMatch             = "SignatureDoesNotMatch"
	CodeAccessDenied                      = "AccessDenied"
	CodeRequestTimeTooSkewed              = "RequestTimeTooSkewed"
	CodeAuthorizationHeaderMalformed      = "AuthorizationHeaderMalformed"
	CodeAuthorizationQueryParametersError = "AuthorizationQueryParametersError"
	CodeInvalidAccessKeyID                = "InvalidAccessKeyId"
	CodeXAmzContentSHA256Mismatch         = "XAmzContentSHA256Mismatch"
	CodeMissingSecurityHeader             = "MissingSecurityHeader"
	CodeInvalidToken                      = "InvalidToken"
	CodeMissingAuthenticationToken        = "MissingAuthenticationToken"
	CodeInvalidRequest                    = "InvalidRequest"
	CodeEntityTooLarge                    = "EntityTooLarge"
	CodeEntityTooSmall                    = "EntityTooSmall"
	CodeInvalidArgument                   = "InvalidArgument"
	CodeExpiredToken                      = "ExpiredToken"
	CodeNotImplemented                    = "NotImplemented"
	CodeInternalError                     = "InternalError"
	CodeIncompleteBody                    = "IncompleteBody"
	CodeBadDigest                         = "BadDigest"
	CodeMalformedTrailerError             = "MalformedTrailerError"
	CodeMissingContentLength              = "MissingContentLength"
	CodeInvalidChunkSizeError             = "InvalidChunkSizeError"
)

// AuthError is a request refused by verification, as S3 reports it: an
// error code, a message, the HTTP status, and for signature mismatches the
// canonical request and string to sign that the server computed, so that
// a client can diff them against its own (see [Signer.Explain]).
//
// Test for it with errors.As:
//
//	var ae *sigv4.AuthError
//	if errors.As(err, &ae) && ae.Code == sigv4.CodeSignatureDoesNotMatch { ... }
type AuthError struct {
	// Code is the S3 error code, one of the Code* constants.
	Code string
	// Message is the human-readable reason, as S3 words it where S3 has
	// words for it ("Request has expired").
	Message string
	// StatusCode is the HTTP status S3 answers with (403 for most, 400 for
	// malformed requests).
	StatusCode int
	// AccessKeyID is the access key the request claimed, when known.
	AccessKeyID string
	// CanonicalRequest and StringToSign are what the server computed, set
	// for SignatureDoesNotMatch.
	CanonicalRequest string
	StringToSign     string
	// SignatureProvided is the signature the request carried, set for
	// SignatureDoesNotMatch.
	SignatureProvided string
	// Err is the underlying cause, if any (for example the secret lookup's
	// error).
	Err error
}

// Error returns "sigv4: <Code>: <Message>".
func (e *AuthError) Error() string {
	s := "sigv4: " + e.Code
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *AuthError) Unwrap() error { return e.Err }

// s3ErrorBody is the XML document S3 answers errors with.
type s3ErrorBody struct {
	XMLName               xml.Name `xml:"Error"`
	Code                  string   `xml:"Code"`
	Message               string   `xml:"Message"`
	AWSAccessKeyID        string   `xml:"AWSAccessKeyId,omitempty"`
	StringToSign          string   `xml:"StringToSign,omitempty"`
	SignatureProvided     string   `xml:"SignatureProvided,omitempty"`
	StringToSignBytes     string   `xml:"StringToSignBytes,omitempty"`
	CanonicalRequest      string   `xml:"CanonicalRequest,omitempty"`
	CanonicalRequestBytes string   `xml:"CanonicalRequestBytes,omitempty"`
	Resource              string   `xml:"Resource,omitempty"`
	RequestID             string   `xml:"RequestId,omitempty"`
}

// XML renders the error as S3's XML error body. resource is the request
// path and requestID an identifier for the request; both may be empty.
func (e *AuthError) XML(resource, requestID string) []byte {
	body := s3ErrorBody{
		Code:              e.Code,
		Message:           e.Message,
		AWSAccessKeyID:    e.AccessKeyID,
		StringToSign:      e.StringToSign,
		SignatureProvided: e.SignatureProvided,
		CanonicalRequest:  e.CanonicalRequest,
		Resource:          resource,
		RequestID:         requestID,
	}
	if e.StringToSign != "" {
		body.StringToSignBytes = spacedHex(e.StringToSign)
	}
	if e.CanonicalRequest != "" {
		body.CanonicalRequestBytes = spacedHex(e.CanonicalRequest)
	}
	out, err := xml.MarshalIndent(body, "", "  ")
	if err != nil { // cannot happen for strings; keep the code
		return []byte(xml.Header + "<Error><Code>" + e.Code + "</Code></Error>")
	}
	return append([]byte(xml.Header), out...)
}

// WriteHTTP writes the error as S3 does: the status code and the XML body
// with Content-Type application/xml.
func (e *AuthError) WriteHTTP(w http.ResponseWriter, r *http.Request, requestID string) {
	status := e.StatusCode
	if status == 0 {
		status = http.StatusForbidden
	}
	resource := ""
	if r != nil && r.URL != nil {
		resource = r.URL.Path
	}
	body := e.XML(resource, requestID)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if requestID != "" {
		w.Header().Set("X-Amz-Request-Id", requestID)
	}
	w.WriteHeader(status)
	if r == nil || r.Method != http.MethodHead {
		w.Write(body)
	}
}

// spacedHex renders s as space-separated two-digit hex bytes, the form S3
// uses in CanonicalRequestBytes.
func spacedHex(s string) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, len(s)*3)
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, digits[s[i]>>4], digits[s[i]&15])
	}
	return string(b)
}
