//go:build e2e

package streaming_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// awsCLI runs the AWS CLI against a server in a clean environment: a
// temporary HOME and config file (path-style addressing, the test's extra
// settings), the server's keys, no credentials file, no instance metadata.
type awsCLI struct {
	path string
	ep   endpoint
	env  []string
}

// newAWSCLI finds aws on PATH, or skips the test.
func newAWSCLI(t *testing.T, ep endpoint, s3Settings []string, env ...string) *awsCLI {
	t.Helper()
	p, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI (aws) is not on PATH: its uploads are not tested here (CI has it)")
	}
	home := t.TempDir()
	cfg := "[default]\nregion = " + region + "\ns3 =\n  addressing_style = path\n"
	for _, kv := range s3Settings {
		if strings.HasPrefix(kv, "request_checksum_calculation") || strings.HasPrefix(kv, "response_checksum_validation") {
			cfg = strings.Replace(cfg, "s3 =\n", kv+"\ns3 =\n", 1) // profile settings
		} else {
			cfg += "  " + kv + "\n"
		}
	}
	if err := os.WriteFile(filepath.Join(home, "config"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_ACCESS_KEY_ID=" + ep.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + ep.SecretKey,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
	}
	if v := os.Getenv("PYENV_ROOT"); v != "" { // the pyenv shim of the machine image
		base = append(base, "PYENV_ROOT="+v)
	}
	return &awsCLI{path: p, ep: ep, env: append(base, env...)}
}

// run runs aws with the server's endpoint (and --ca-bundle with TLS unless
// AWS_CA_BUNDLE is in the environment).
func (a *awsCLI) run(args ...string) (stdout, stderr string, err error) {
	full := []string{"--endpoint-url", a.ep.URL}
	caByEnv := false
	for _, e := range a.env {
		caByEnv = caByEnv || strings.HasPrefix(e, "AWS_CA_BUNDLE=")
	}
	if a.ep.CertFile != "" && !caByEnv {
		full = append(full, "--ca-bundle", a.ep.CertFile)
	}
	cmd := exec.Command(a.path, append(full, args...)...)
	cmd.Env = a.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// TestAWSCLI uploads with `aws s3 cp` and `aws s3api put-object` in each
// configuration that changes what the AWS CLI v1 (botocore) sends, and
// checks the mode and checksum objectserver received and the object read
// back byte for byte. Over HTTPS botocore sends every upload as
// STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer (or the
// --checksum-algorithm's), whatever payload_signing_enabled says; with
// request_checksum_calculation = when_required it sends a plain body,
// SHA-256 signed, or UNSIGNED-PAYLOAD with payload_signing_enabled = false;
// over plain HTTP, a SHA-256 signed body with an x-amz-checksum-crc32
// header. CRC32C and CRC64NVME need botocore's optional awscrt package.
func TestAWSCLI(t *testing.T) {
	s := startServer(t, serverOptions{})
	plain := startServer(t, serverOptions{noTLS: true})
	tmp := t.TempDir()
	const trailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	cases := []struct {
		name     string
		plain    bool     // objectserver without -tls
		settings []string // config file: s3 settings, or profile settings
		env      []string
		cmd      string // "cp" or "put-object"
		args     []string
		size     int
		// What objectserver must receive.
		stream, payload, checksum, where string
		crt                              bool // the algorithm needs awscrt
	}{
		{name: "cp default", cmd: "cp", size: 3<<20 + 5, stream: trailer, checksum: "CRC32", where: "trailer"},
		{name: "put-object default", cmd: "put-object", size: 1<<20 + 1, stream: trailer, checksum: "CRC32", where: "trailer"},
		{name: "put-object empty", cmd: "put-object", size: 0, stream: trailer, checksum: "CRC32", where: "trailer"},
		{name: "put-object AWS_CA_BUNDLE", env: []string{"AWS_CA_BUNDLE=" + s.CertFile}, cmd: "put-object", size: 1,
			stream: trailer, checksum: "CRC32", where: "trailer"},
		{name: "put-object SHA256", cmd: "put-object", args: []string{"--checksum-algorithm", "SHA256"}, size: 64 << 10,
			stream: trailer, checksum: "SHA256", where: "trailer"},
		{name: "cp SHA1", cmd: "cp", args: []string{"--checksum-algorithm", "SHA1"}, size: 200 << 10,
			stream: trailer, checksum: "SHA1", where: "trailer"},
		{name: "put-object CRC32C", cmd: "put-object", args: []string{"--checksum-algorithm", "CRC32C"}, size: 100,
			stream: trailer, checksum: "CRC32C", where: "trailer", crt: true},
		{name: "put-object CRC64NVME", cmd: "put-object", args: []string{"--checksum-algorithm", "CRC64NVME"}, size: 100,
			stream: trailer, checksum: "CRC64NVME", where: "trailer", crt: true},
		{name: "payload_signing_enabled", settings: []string{"payload_signing_enabled = true"}, cmd: "put-object", size: 100 << 10,
			stream: trailer, checksum: "CRC32", where: "trailer"},
		{name: "when_required", env: []string{"AWS_REQUEST_CHECKSUM_CALCULATION=when_required"}, cmd: "put-object", size: 100 << 10,
			payload: "SHA256"},
		{name: "cp when_required unsigned", settings: []string{"request_checksum_calculation = when_required", "payload_signing_enabled = false"},
			cmd: "cp", size: 100 << 10, payload: "UNSIGNED-PAYLOAD"},
		{name: "http", plain: true, cmd: "put-object", size: 100 << 10, payload: "SHA256", checksum: "CRC32", where: "header"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := s
			if c.plain {
				srv = plain
			}
			a := newAWSCLI(t, srv.endpoint(), c.settings, c.env...)
			key := "cli/" + strings.ReplaceAll(c.name, " ", "-")
			file, data := randomFile(t, tmp, "upload"+string(rune('a'+i)), c.size)
			var args []string
			if c.cmd == "cp" {
				args = append([]string{"s3", "cp", file, "s3://" + bucket + "/" + key, "--no-progress"}, c.args...)
			} else {
				args = append([]string{"s3api", "put-object", "--bucket", bucket, "--key", key}, c.args...)
				if c.size > 0 {
					args = append(args, "--body", file)
				}
			}
			out, errOut, err := a.run(args...)
			if err != nil && c.crt && strings.Contains(errOut, "botocore[crt]") {
				t.Skipf("%s needs botocore's optional awscrt package, not installed here: %s", c.checksum, strings.TrimSpace(errOut))
			}
			if err != nil {
				t.Fatalf("aws %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out, errOut)
			}
			e := srv.entry(t, "PUT", key)
			t.Logf("aws %s %s -> %s", c.cmd, strings.Join(c.args, " "), e.Line)
			expectMode(t, e, c.stream, c.payload, c.checksum, c.where, c.size)
			srv.checkStored(t, key, data, e)
			if c.cmd == "put-object" && c.checksum != "" && !strings.Contains(out, `"Checksum`+c.checksum+`": "`+e.Value+`"`) {
				t.Errorf("put-object printed %s, want Checksum%s %s", out, c.checksum, e.Value)
			}
		})
	}

	// Downloads through the CLI too: botocore checks the CRC32 objectserver
	// answers (x-amz-checksum-mode: ENABLED is its default).
	t.Run("cp download", func(t *testing.T) {
		a := newAWSCLI(t, s.endpoint(), nil)
		file, data := randomFile(t, tmp, "roundtrip", 5<<20+3)
		if _, errOut, err := a.run("s3", "cp", file, "s3://"+bucket+"/cli/roundtrip", "--no-progress"); err != nil {
			t.Fatalf("upload: %v: %s", err, errOut)
		}
		back := filepath.Join(tmp, "roundtrip.back")
		if _, errOut, err := a.run("s3", "cp", "s3://"+bucket+"/cli/roundtrip", back, "--no-progress"); err != nil {
			t.Fatalf("download: %v: %s", err, errOut)
		}
		got, err := os.ReadFile(back)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("downloaded %d bytes of %d, equal %t (%v)", len(got), len(data), bytes.Equal(got, data), err)
		}
		expectMode(t, s.entry(t, "PUT", "cli/roundtrip"), trailer, "", "CRC32", "trailer", len(data))
	})
}
