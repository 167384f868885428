package redacttest

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestReaching checks the walk on the credentials and sigv4 packages:
// the types it must find (directly, through pointers, interfaces of
// provider types, maps and atomic pointers), the ones it must not, and
// which hold their secret inline.
func TestReaching(t *testing.T) {
	tests := []struct {
		pkg               string
		want, notWant     []string
		inline, notInline []string
	}{
		{
			pkg:       "credentials",
			want:      []string{"Credentials", "Cache", "staticProvider", "chain", "ProviderFunc", "Env"},
			notWant:   []string{"Profile", "FileError", "CacheOptions", "kindError"},
			inline:    []string{"Credentials"},
			notInline: []string{"Cache", "staticProvider"},
		},
		{
			pkg:       "sigv4",
			want:      []string{"Signer", "Verifier", "Config", "VerifierConfig", "Verified", "staticSecrets", "SecretLookupFunc"},
			notWant:   []string{"Trace", "AuthError", "Toggle", "keyCache", "scratch"},
			inline:    []string{"Verified"},
			notInline: []string{"Signer", "Verifier", "staticSecrets", "Config"},
		},
	}
	for _, tt := range tests {
		path := module + "/" + tt.pkg
		reach, inline := Reaching(t, path)
		for _, n := range tt.want {
			if !slices.Contains(reach, path+"."+n) {
				t.Errorf("%s.%s: not found to reach a secret (found %v)", tt.pkg, n, reach)
			}
		}
		for _, n := range tt.notWant {
			if slices.Contains(reach, path+"."+n) {
				t.Errorf("%s.%s: found to reach a secret", tt.pkg, n)
			}
		}
		for _, n := range tt.inline {
			if !inline[path+"."+n] {
				t.Errorf("%s.%s: not found to hold a secret inline", tt.pkg, n)
			}
		}
		for _, n := range tt.notInline {
			if inline[path+"."+n] {
				t.Errorf("%s.%s: found to hold a secret inline", tt.pkg, n)
			}
		}
	}
}

// TestSecretName checks the field-name rule of the walk.
func TestSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"SecretAccessKey": true, "secret": true, "SessionToken": true, "tokenValue": true, "Token": true,
		"TokenFile": false, "WebIdentityTokenFile": false, "AccessKeyID": false, "tokenPath": false, "Region": false,
		"secretHint": false, "tokenHeader": false, "secretName": false,
	} {
		if got := secretName(name); got != want {
			t.Errorf("secretName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestVetReportsRawVerbs runs go vet on testdata/vetcheck and checks that
// it reports %w of credentials, verified requests and signers (fmt prints
// them raw), and records that it does not report %p of a Credentials or a
// Verified value, which fmt prints raw too: vet accepts any verb for a
// type with a Format method. The godoc of credentials.Credentials says so;
// if vet starts reporting those lines, update it.
func TestVetReportsRawVerbs(t *testing.T) {
	src, err := os.ReadFile("testdata/vetcheck/main.go")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "vet", "./testdata/vetcheck").CombinedOutput()
	if err == nil {
		t.Fatalf("go vet reported nothing:\n%s", out)
	}
	reported := map[int]bool{}
	for _, m := range regexp.MustCompile(`main\.go:(\d+):\d+: `).FindAllStringSubmatch(string(out), -1) {
		n, _ := strconv.Atoi(m[1])
		reported[n] = true
	}
	want, not := 0, 0
	for i, line := range strings.Split(string(src), "\n") {
		switch {
		case strings.HasSuffix(line, "// want"):
			want++
			if !reported[i+1] {
				t.Errorf("go vet does not report line %d: %s\n%s", i+1, line, out)
			}
		case strings.HasSuffix(line, "// not reported"):
			not++
			if reported[i+1] {
				t.Errorf("go vet now reports line %d: %s; say so in the godoc of credentials.Credentials", i+1, line)
			}
		}
	}
	if want == 0 || not == 0 {
		t.Fatalf("testdata/vetcheck/main.go has %d lines to report and %d not to", want, not)
	}
}
