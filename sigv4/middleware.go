package sigv4

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
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
		next.ServeHTTP(w, r.WithContext(ContextWithVerified(r.Context(), vd)))
	})
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
