// Package presign_test runs presigned URLs from the presign package against
// a real S3 server, versitygw, started by compat/scripts/e2e.sh (build tag
// e2e): every operation, a browser-style multipart upload, content-type and
// content-length enforcement, the compat key list, tampered and expired
// URLs.
package presign_test
