// Package xlang compares sigv4kit with two signers in other languages:
// botocore (Python; SigV4Auth, S3SigV4Auth, SigV4QueryAuth,
// S3SigV4QueryAuth) and @smithy/signature-v4 (JavaScript, the signer of the
// AWS SDK for JavaScript v3), on the seeded request specs of
// [github.com/sigv4kit/sigv4kit/compat/differential].
//
// The test (xlang_test.go) generates the specs, sends each reference one
// JSON batch on stdin (botocore_signer.py, smithy_signer.mjs: one process
// per reference), and compares what comes back with sigv4kit's header
// signatures and presigned URLs. Each script signs as its SDK does; the
// comments at the top of each describe how a spec becomes a request there.
//
// Inputs on which a reference genuinely differs from sigv4kit (its own
// documented or observable behaviour, not a sigv4kit bug) are sent anyway,
// skipped from the comparison under a named reason, counted, and required
// to still differ, so that each reason stays true. The reasons are listed
// with the test's quirk table.
//
// Setup: compat/scripts/xlang-setup.sh (run by `make compat`) installs the
// pinned npm packages into compat/xlang/node_modules with `npm ci` and finds
// a Python with botocore, installing Debian's python3-botocore when none
// has it. Without node or botocore the test skips, unless
// SIGV4_REQUIRE_XLANG=1 (set by the Makefile), when it fails.
package xlang
