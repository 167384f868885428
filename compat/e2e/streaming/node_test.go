//go:build e2e

package streaming_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// nodeResult is what s3client.mjs reports for one operation.
type nodeResult struct {
	Op           string            `json:"op"`
	Key          string            `json:"key"`
	OK           bool              `json:"ok"`
	ETag         string            `json:"etag"`
	Checksums    map[string]string `json:"checksums"`
	ChecksumType string            `json:"checksumType"`
	Error        *struct {
		Name, Code, Message string
		Status              int
	} `json:"error"`
}

// nodeOp is one operation of s3client.mjs's plan.
type nodeOp struct {
	Op                         string `json:"op"`
	Key                        string `json:"key"`
	File                       string `json:"file"`
	Body                       string `json:"body,omitempty"`
	RequestChecksumCalculation string `json:"requestChecksumCalculation,omitempty"`
	ChecksumAlgorithm          string `json:"checksumAlgorithm,omitempty"`
}

// runNode runs s3client.mjs with node against s, or skips the test when
// node or the npm packages are missing (fails when SIGV4_E2E_REQUIRE is
// set: `make e2e` installs them).
func runNode(t *testing.T, ep endpoint, ops []nodeOp) []nodeResult {
	t.Helper()
	missing := func(what string) {
		t.Helper()
		msg := what + ": run compat/scripts/streaming-setup.sh (make e2e does)"
		if os.Getenv("SIGV4_E2E_REQUIRE") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "@aws-sdk", "client-s3", "package.json")); err != nil {
		missing("@aws-sdk/client-s3 is not installed in compat/e2e/streaming/node_modules")
	}
	plan, err := json.Marshal(map[string]any{
		"endpoint": ep.URL, "region": region, "bucket": bucket,
		"accessKeyId": ep.AccessKey, "secretAccessKey": ep.SecretKey, "ops": ops,
	})
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	cmd := exec.Command(node, "s3client.mjs")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"NODE_EXTRA_CA_CERTS=" + ep.CertFile,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
	}
	cmd.Stdin = bytes.NewReader(plan)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("node s3client.mjs: %v\nstdout: %s\nstderr: %s", err, out.String(), errb.String())
	}
	var res []nodeResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res) != len(ops) {
		t.Fatalf("node s3client.mjs printed %q (%v), want %d results; stderr: %s", out.String(), err, len(ops), errb.String())
	}
	return res
}

// TestNodeSDK uploads with @aws-sdk/client-s3 (the version package-lock.json
// pins) at its defaults, with forcePathStyle, endpoint and
// NODE_EXTRA_CA_CERTS only, then with requestChecksumCalculation
// WHEN_REQUIRED and with each ChecksumAlgorithm, and reads every object
// back through the same client (which checks the CRC objectserver answers)
// and with sigv4kit, byte for byte.
//
// What it sends depends on the body: a stream (a file's ReadStream) goes
// aws-chunked, STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer; a
// Buffer goes plain, SHA-256 signed, with an x-amz-checksum-crc32 header.
// WHEN_REQUIRED drops the checksum: a stream is then sent UNSIGNED-PAYLOAD.
func TestNodeSDK(t *testing.T) {
	s := startServer(t, serverOptions{})
	tmp := t.TempDir()
	const trailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	type upload struct {
		op                               nodeOp
		size                             int
		stream, payload, checksum, where string
	}
	var uploads []upload
	for _, size := range []int{0, 1, 64 << 10, 5 << 20} {
		uploads = append(uploads,
			upload{op: nodeOp{Body: "buffer"}, size: size, payload: "SHA256", checksum: "CRC32", where: "header"},
			upload{op: nodeOp{Body: "stream"}, size: size, stream: trailer, checksum: "CRC32", where: "trailer"})
	}
	uploads = append(uploads,
		upload{op: nodeOp{Body: "buffer", RequestChecksumCalculation: "WHEN_REQUIRED"}, size: 5 << 20, payload: "SHA256"},
		upload{op: nodeOp{Body: "stream", RequestChecksumCalculation: "WHEN_REQUIRED"}, size: 5 << 20, payload: "UNSIGNED-PAYLOAD"})
	for _, alg := range []string{"CRC32C", "CRC64NVME", "SHA1", "SHA256"} {
		uploads = append(uploads,
			upload{op: nodeOp{Body: "stream", ChecksumAlgorithm: alg}, size: 300 << 10, stream: trailer, checksum: alg, where: "trailer"},
			upload{op: nodeOp{Body: "buffer", ChecksumAlgorithm: alg}, size: 300 << 10, payload: "SHA256", checksum: alg, where: "header"})
	}

	var ops []nodeOp
	data := map[string][]byte{}
	for i, u := range uploads {
		key := fmt.Sprintf("node/%02d-%s-%s", i, u.op.Body, fmtSize(u.size))
		if u.op.RequestChecksumCalculation != "" {
			key += "-" + u.op.RequestChecksumCalculation
		}
		if u.op.ChecksumAlgorithm != "" {
			key += "-" + u.op.ChecksumAlgorithm
		}
		file, b := randomFile(t, tmp, fmt.Sprintf("up%02d", i), u.size)
		data[key] = b
		op := u.op
		op.Op, op.Key, op.File = "put", key, file
		ops = append(ops, op)
		uploads[i].op = op
	}
	for _, u := range uploads {
		ops = append(ops, nodeOp{Op: "get", Key: u.op.Key, File: u.op.File + ".back"})
	}
	res := runNode(t, s.endpoint(), ops)

	for i, u := range uploads {
		key := u.op.Key
		put, get := res[i], res[len(uploads)+i]
		if !put.OK || !get.OK {
			t.Errorf("%s: put %+v, get %+v", key, put.Error, get.Error)
			continue
		}
		e := s.entry(t, "PUT", key)
		t.Logf("%s -> %s", key, e.Line)
		expectMode(t, e, u.stream, u.payload, u.checksum, u.where, u.size)
		s.checkStored(t, key, data[key], e)
		back, err := os.ReadFile(u.op.File + ".back")
		if err != nil || !bytes.Equal(back, data[key]) {
			t.Errorf("%s: GetObject wrote %d bytes of %d, equal %t (%v)", key, len(back), len(data[key]), bytes.Equal(back, data[key]), err)
		}
		alg := u.checksum
		if alg == "" {
			alg = "CRC64NVME"
		}
		if put.Checksums[alg] == "" || put.Checksums[alg] != get.Checksums[alg] || put.ChecksumType != "FULL_OBJECT" {
			t.Errorf("%s: PutObject answered checksums %v (%s), GetObject %v; want %s in both", key, put.Checksums, put.ChecksumType, get.Checksums, alg)
		}
	}
}
