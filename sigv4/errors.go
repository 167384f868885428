package sigv4

import "errors"

// Errors that callers can test for with [errors.Is]. The errors that Sign,
// Presign and Explain return wrap one of these and add what was wrong.
var (
	// ErrInvalidConfig reports a Config that New cannot use.
	ErrInvalidConfig = errors.New("sigv4: invalid config")

	// ErrInvalidRequest reports a request that cannot be signed as it is:
	// no URL or host, a relative or opaque URL, a header value with CR or LF,
	// a malformed query string.
	ErrInvalidRequest = errors.New("sigv4: invalid request")

	// ErrInvalidPayloadHash reports a payload hash that is not 64 lower-case
	// hex digits, UNSIGNED-PAYLOAD or one of the STREAMING-* values.
	ErrInvalidPayloadHash = errors.New("sigv4: invalid payload hash")

	// ErrBodyNotReplayable reports that the payload hash was requested to be
	// computed ("") from a body that can be read only once. Set
	// http.Request.GetBody (http.NewRequest does for common body types), pass
	// an io.ReadSeeker, or pass the hash yourself.
	ErrBodyNotReplayable = errors.New("sigv4: body can be read only once")

	// ErrInvalidExpiry reports a presign expiry outside 1 second to 7 days.
	ErrInvalidExpiry = errors.New("sigv4: invalid expiry")

	// ErrInvalidCredentials reports credentials without an access key ID or
	// secret, or with an access key ID that cannot appear in a scope.
	ErrInvalidCredentials = errors.New("sigv4: invalid credentials")

	// ErrExpiredCredentials reports credentials whose expiry has passed at the
	// signing time, or that expire less than a second after it (presign).
	ErrExpiredCredentials = errors.New("sigv4: credentials expired")
)
