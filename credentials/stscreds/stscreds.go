// Package stscreds provides the credential providers that call AWS STS:
// [AssumeRole] and [WebIdentity] (AssumeRoleWithWebIdentity, as on EKS with
// IAM roles for service accounts), and [DefaultWithSTS], the default
// credential chain of the credentials package with those providers wired
// in.
//
// It is a separate package because STS requests are signed with the sigv4
// package, which imports credentials: credentials cannot import sigv4.
// credentials.DefaultWithoutSTS takes the STS providers through the
// credentials.RoleFunc hook that [Roles] builds.
//
// Requests follow the STS Query API ([STS API reference]): a form-encoded
// POST to the regional endpoint https://sts.<region>.amazonaws.com, signed
// with SigV4 for service "sts" (AssumeRoleWithWebIdentity is unsigned), and
// an XML response. STS errors are returned as [*Error] with their code.
//
// No redirect is followed, even with an HTTP client whose policy follows
// them: a signed request (which carries the source session token) or a web
// identity token is only ever sent to the configured endpoint. A redirect
// is an error matching [credentials.ErrRedirect] that names its target.
//
// [STS API reference]: https://docs.aws.amazon.com/STS/latest/APIReference/welcome.html
package stscreds

import (
	"fmt"
	"strings"
)

// APIVersion is the STS API version sent with every request.
const APIVersion = "2011-06-15"

// Error is an error response of STS:
//
//	<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>
//	<Message>...</Message></Error><RequestId>...</RequestId></ErrorResponse>
//
// Code is empty when the body was not such a document (a proxy's HTML page,
// a bare 5xx). The server's text is quoted with every credential the
// request carried (the session token of the source credentials, the
// signature, the MFA code, the web identity token) replaced by
// "[REDACTED]", control characters replaced by spaces, and bounds: 512
// bytes for Message, 64 for the others; longer text ends with "...".
type Error struct {
	// Action is the STS action ("AssumeRole").
	Action string
	// StatusCode is the HTTP status.
	StatusCode int
	// Type is "Sender" or "Receiver".
	Type string
	// Code is the STS error code ("AccessDenied", "ExpiredTokenException",
	// "InvalidIdentityToken", ...).
	Code string
	// Message is STS's explanation.
	Message string
	// RequestID identifies the request for AWS support.
	RequestID string
}

// Error returns "stscreds: <Action>: <Code>: <Message> (HTTP <status>,
// request ID <id>)".
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stscreds: %s: ", e.Action)
	switch {
	case e.Code != "" && e.Message != "":
		b.WriteString(e.Code + ": " + e.Message)
	case e.Code != "":
		b.WriteString(e.Code)
	default:
		b.WriteString("unexpected response")
	}
	fmt.Fprintf(&b, " (HTTP %d", e.StatusCode)
	if e.RequestID != "" {
		b.WriteString(", request ID " + e.RequestID)
	}
	b.WriteString(")")
	return b.String()
}

// Temporary reports whether the request may succeed if retried: 5xx
// responses, throttling and IDPCommunicationError.
func (e *Error) Temporary() bool {
	switch e.Code {
	case "Throttling", "ThrottlingException", "RequestLimitExceeded", "IDPCommunicationError":
		return true
	}
	return e.StatusCode >= 500
}

// legacyGlobalRegions are the regions that the "legacy" setting of
// sts_regional_endpoints sends to the global endpoint.
var legacyGlobalRegions = map[string]bool{
	"ap-northeast-1": true, "ap-south-1": true, "ap-southeast-1": true, "ap-southeast-2": true,
	"aws-global": true, "ca-central-1": true, "eu-central-1": true, "eu-north-1": true,
	"eu-west-1": true, "eu-west-2": true, "eu-west-3": true, "sa-east-1": true,
	"us-east-1": true, "us-east-2": true, "us-west-1": true, "us-west-2": true,
}

// Endpoint returns the STS endpoint URL for region and the region to sign
// its requests for.
//
// The endpoint is regional (https://sts.<region>.<partition domain>), the
// default of the AWS CLI v2 and of current SDKs. With legacy true (the
// "legacy" value of sts_regional_endpoints or AWS_STS_REGIONAL_ENDPOINTS),
// the regions that used the global endpoint before regional endpoints
// existed, and "aws-global", use https://sts.amazonaws.com, signed for
// us-east-1. An empty region also means the global endpoint.
func Endpoint(region string, legacy bool) (url, signingRegion string) {
	if region == "" || region == "aws-global" || (legacy && legacyGlobalRegions[region]) {
		return "https://sts.amazonaws.com", "us-east-1"
	}
	domain := "amazonaws.com"
	switch {
	case strings.HasPrefix(region, "cn-"):
		domain = "amazonaws.com.cn"
	case strings.HasPrefix(region, "us-isob-"):
		domain = "sc2s.sgov.gov"
	case strings.HasPrefix(region, "us-iso-"):
		domain = "c2s.ic.gov"
	}
	return "https://sts." + region + "." + domain, region
}
