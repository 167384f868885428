package sigv4

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

type verifiedKey struct{}

// ContextWithVerified returns a copy of ctx carrying v; [Verifier.Middleware]
// uses it.
func ContextWithVerified(ctx context.Context, v *Verified) context.Context {
	return context.WithValue(ctx, verifiedKey{}, v)
}

// VerifiedFromContext returns the verified identity that
// [Verifier.Middleware] put in a request's context.
func VerifiedFromContext(ctx context.Context) (*Verified, bool) {
	v, ok := ctx.Value(verifiedKey{}).(*Verified)
	return v, ok && v != nil
}

// Middleware returns a handler that verifies each request with v before
// passing it to next, with the [Verified] identity in its context (see
// [VerifiedFromContext]). A refused request is answered as S3 answers it:
// the status and the XML error body of the [*AuthError] (see [WriteError]),
// and next is not called.
//
// The path rule: next gets a request whose path is exactly the one the
// signature covers, [Verified.Path] and [Verified.RawPath]. A signature
// covers every wire spelling of its path: for services other than S3 the
// canonical URI is normalized, so a request signed for /public/report is
// valid sent as /admin/../public/report; for the S3 family it is the
// decoded path, so one signed for /photos/x/y is valid sent as
// /photos%2Fx/y, which http.ServeMux would route as bucket "photos/x".
// Middleware does not refuse such spellings, which clients send (an S3
// key may be sent with "%2F" for its slashes, a path with "//"), but
// rewrites them: next gets a copy of the request with a copy of its URL
// whose Path and RawPath are the verified ones, and RequestURI set to
// match, so a router behind Middleware (ServeMux patterns, prefix
// matches, code reading r.URL.Path or r.RequestURI) sees the path that
// was signed and nothing else: /public/report, or bucket "photos" and
// key "x/y", as S3 itself reads it. The caller's request and URL are not
// changed.
//
// Middleware must run before routing. When a http.ServeMux already routed
// the request (r.Pattern is set) on a wire path whose segments differ
// from the verified path's, its choice of handler and its path values
// came from a path that was not verified, and Middleware refuses the
// request with InvalidRequest. Other routers in front of it cannot be
// detected: do not put them there.
//
// The body of a request that signs its payload hash is checked as it
// streams (see [Verifier.Verify]): next must read it to the end and treat
// a read error as a refusal, for example with WriteError.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vd, err := v.Verify(r)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		r2 := r.WithContext(ContextWithVerified(r.Context(), vd))
		if r.URL.Path != vd.Path || r.URL.RawPath != vd.RawPath || r.URL.Opaque != "" {
			u := *r.URL
			u.Opaque, u.Path, u.RawPath = "", vd.Path, vd.RawPath
			if r.Pattern != "" && !sameSegments(r.URL.EscapedPath(), u.EscapedPath()) {
				WriteError(w, r, authErr(http.StatusBadRequest, CodeInvalidRequest,
					"The request was routed on a path other than the signed one: its path is not in canonical form."))
				return
			}
			r2.URL = &u
			if r2.RequestURI != "" {
				r2.RequestURI = u.RequestURI()
			}
		}
		next.ServeHTTP(w, r2)
	})
}

// sameSegments reports whether two escaped paths have the same segments,
// each unescaped: whether a router such as http.ServeMux sees them as the
// same path.
func sameSegments(a, b string) bool {
	for a != b {
		sa, ra, moreA := strings.Cut(a, "/")
		sb, rb, moreB := strings.Cut(b, "/")
		if moreA != moreB {
			return false
		}
		if sa != sb {
			ua, errA := url.PathUnescape(sa)
			ub, errB := url.PathUnescape(sb)
			if errA != nil || errB != nil || ua != ub {
				return false
			}
		}
		if !moreA {
			return true
		}
		a, b = ra, rb
	}
	return true
}

// WriteError answers a request with err as S3 does: an [*AuthError] (found
// with errors.As) with its status and XML body, any other error as a 500
// InternalError whose body does not show err. A random request ID is set in
// X-Amz-Request-Id and the body.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *AuthError
	if !errors.As(err, &ae) {
		ae = &AuthError{Code: CodeInternalError, StatusCode: http.StatusInternalServerError, Message: "We encountered an internal error. Please try again."}
	}
	ae.WriteHTTP(w, r, newRequestID())
}

// newRequestID returns 16 random upper-case hex digits, like S3's.
func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	var out [16]byte
	const digits = "0123456789ABCDEF"
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out[:])
}
