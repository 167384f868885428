// Package cli_test runs the sigv4 command-line tool (cmd/sigv4), built once
// per run, against a real S3 server, versitygw, started by
// compat/scripts/e2e.sh (build tag e2e): presigned URLs of every method,
// sigv4 curl listing and writing the bucket, a POST form from
// sigv4 post-policy, sigv4 verify on live URLs, and sigv4 explain on the
// SignatureDoesNotMatch bodies versitygw answers.
package cli_test
