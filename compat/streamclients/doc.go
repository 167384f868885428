// Package streamclients finds out which aws-chunked mode (sigv4.StreamMode)
// the Go S3 clients send, and under which options, by uploading with
// aws-sdk-go-v2's S3 client (and its upload managers) and with minio-go to
// a real server on 127.0.0.1: net/http/httptest, plain HTTP and TLS,
// running each of two backends: sigv4.Verifier.Middleware in front of a
// small in-memory S3 store (PUT, GET, HEAD, DELETE, multipart uploads),
// and examples/objectserver's handler (objectstore.Server on its memory
// backend, with the verifiers objectserver builds; what objectserver -tls
// serves), which has no multipart uploads and is path-style only, so the
// multipart and virtual-hosted cases run on the store alone. Every upload
// is recorded with what the Verifier found in it (Verified.Stream, the
// checksum, where it came from and whether it matched: from the store's
// PUT, or from objectserver's Log hook), and the tests assert it, then
// read each object back byte for byte.
//
// The options → mode table these tests establish is in the README's
// "Streaming uploads" section. The package has only tests.
package streamclients
