package sigv4a_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
	"github.com/sigv4kit/sigv4kit/sigv4a"
)

// FuzzRegionSet feeds New arbitrary region sets (comma-separated
// entries): it accepts exactly the sets of lower-case letters, digits,
// '-' and '*' entries, refuses the others with ErrInvalidConfig, and
// never panics; an accepted set is signed as given.
func FuzzRegionSet(f *testing.F) {
	for _, s := range []string{"*", "us-east-1", "us-east-1,eu-west-1", "eu-*", "", ",", "US-EAST-1", "a b", "a\x00", "日本"} {
		f.Add(s)
	}
	static := credentials.Static("AKID", "secret", "")
	f.Fuzz(func(t *testing.T, joined string) {
		set := strings.Split(joined, ",")
		s, err := sigv4a.New(sigv4a.Config{Service: "s3", RegionSet: set, Credentials: static})
		valid := joined != ""
		for _, r := range set {
			valid = valid && r != "" && len(r) <= 64 && strings.Trim(r, "abcdefghijklmnopqrstuvwxyz0123456789-*") == ""
		}
		if valid != (err == nil) {
			t.Fatalf("New(%q): %v, want valid=%v", joined, err, valid)
		}
		if err != nil && !errors.Is(err, sigv4a.ErrInvalidConfig) {
			t.Fatalf("New(%q): %v does not wrap ErrInvalidConfig", joined, err)
		}
		if err == nil && s.RegionSet() != joined {
			t.Fatalf("RegionSet %q, want %q", s.RegionSet(), joined)
		}
	})
}

// FuzzVerifySignature feeds Algorithm's VerifySignature arbitrary
// signatures: it never panics and accepts none (the fuzzer cannot forge
// ECDSA), while a real signature of the same string verifies.
func FuzzVerifySignature(f *testing.F) {
	alg := sigv4a.Algorithm()
	creds := credentials.Credentials{AccessKeyID: "AKIDFUZZ", SecretAccessKey: "fuzz/secret"}
	sts := []byte("AWS4-ECDSA-P256-SHA256\n20261201T120000Z\n20261201/s3/aws4_request\n" + strings.Repeat("ab", 32))
	real, err := alg.AppendSignature(nil, creds, sts)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(real[:len(real)-2]) + "00")
	f.Add("")
	f.Add("3006020101020101")
	f.Add(strings.Repeat("f", sigv4.MaxSignatureHex+2))
	f.Add("30450220ZZ")
	f.Fuzz(func(t *testing.T, sig string) {
		if sig == string(real) {
			return
		}
		if err := alg.VerifySignature(creds, sts, sig); err == nil {
			t.Fatalf("signature %q accepted", sig)
		}
	})
}
