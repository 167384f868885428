//go:build e2e

package proxy_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sigv4kit/sigv4kit/compat/internal/e2eenv"
	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// resignArgs are the flags of a re-signing proxy for the server.
func resignArgs(e e2eenv.Server, extra ...string) []string {
	return append([]string{"--resign", "--accept-key", placeholderID + ":" + placeholderSecret, "--service", "s3", "--region", e.Region}, extra...)
}

// direct is a client of the server itself, with its real keys: it checks
// what the proxy stored, and what it did not.
type direct struct {
	e      e2eenv.Server
	signer *sigv4.Signer
}

func newDirect(tb testing.TB, e e2eenv.Server) *direct {
	tb.Helper()
	s, err := sigv4.New(sigv4.Config{Service: "s3", Region: e.Region, Credentials: credentials.Static(e.AccessKey, e.SecretKey, "")})
	if err != nil {
		tb.Fatal(err)
	}
	return &direct{e: e, signer: s}
}

// get returns the object's status and bytes, read from the server.
func (d *direct) get(tb testing.TB, key string) (int, []byte) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, d.e.Endpoint+"/"+d.e.Bucket+"/"+key, nil)
	if err := d.signer.Sign(context.Background(), req, sigv4.EmptyPayloadHash); err != nil {
		tb.Fatal(err)
	}
	r := e2eenv.Do(tb, http.DefaultClient, req)
	return r.Status, r.Body
}

// wantObject fails unless the server holds want at key.
func (d *direct) wantObject(t *testing.T, key string, want []byte) {
	t.Helper()
	status, got := d.get(t, key)
	if status != 200 || !bytes.Equal(got, want) {
		t.Errorf("%s on the server: status %d, %d bytes, want %d bytes byte for byte", key, status, len(got), len(want))
	}
}

// wantNoObject fails unless the server has nothing at key.
func (d *direct) wantNoObject(t *testing.T, key string) {
	t.Helper()
	if status, b := d.get(t, key); status != http.StatusNotFound {
		t.Errorf("%s on the server: status %d (%d bytes), want 404: the refused upload reached it", key, status, len(b))
	}
}

// needTool returns the path of a program the test needs: on a machine
// without it the test skips with a message, but fails under e2e.sh
// (SIGV4_E2E_REQUIRE) when it is curl, which CI has.
func needTool(t *testing.T, name string, required bool) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if required && os.Getenv("SIGV4_E2E_REQUIRE") != "" {
			t.Fatalf("%s is not on PATH", name)
		}
		t.Skipf("%s is not on PATH: this client is not tested here (CI has it)", name)
	}
	return p
}

// TestCurlThroughProxy: curl, which cannot sign, uploads, downloads and
// lists through the signing proxy.
func TestCurlThroughProxy(t *testing.T) {
	e := e2eenv.Get(t)
	curl := needTool(t, "curl", true)
	p := startProxy(t, e, "--service", "s3")
	d := newDirect(t, e)
	pre := prefix(t)
	dir := t.TempDir()
	data := randomBytes(t, 3<<20+5)
	file := writeFile(t, dir, "data.bin", data)
	base := p.URL + "/" + e.Bucket + "/"

	run := func(stdin io.Reader, args ...string) string {
		t.Helper()
		cmd := exec.Command(curl, append([]string{"-sS", "-f"}, args...)...)
		cmd.Stdin = stdin
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("curl %s: %v\n%s", strings.Join(args, " "), err, errb.String())
		}
		return out.String()
	}
	// PUT a file (Content-Length: the proxy sends it as signed aws-chunked).
	run(nil, "-T", file, base+pre+"file.bin")
	d.wantObject(t, pre+"file.bin", data)
	// PUT from standard input (chunked, length unknown: UNSIGNED-PAYLOAD).
	run(bytes.NewReader(data[:100<<10]), "-T", "-", base+pre+"stdin.bin")
	d.wantObject(t, pre+"stdin.bin", data[:100<<10])
	// GET, with a Host header that must not choose the upstream.
	out := filepath.Join(dir, "out.bin")
	run(nil, "-H", "Host: example.com", "-o", out, base+pre+"file.bin")
	if got, _ := os.ReadFile(out); !bytes.Equal(got, data) {
		t.Errorf("GET through the proxy: %d bytes, want %d", len(got), len(data))
	}
	// ListObjectsV2.
	list := run(nil, p.URL+"/"+e.Bucket+"?list-type=2&prefix="+url.QueryEscape(pre))
	for _, want := range []string{"<Key>" + pre + "file.bin</Key>", "<Key>" + pre + "stdin.bin</Key>", "<KeyCount>2</KeyCount>"} {
		if !strings.Contains(list, want) {
			t.Errorf("ListObjectsV2 lacks %s:\n%s", want, list)
		}
	}
	for _, want := range []string{"PUT /" + e.Bucket + "/" + pre + "file.bin 200 ", "GET /" + e.Bucket + " 200 "} {
		if !waitLog(p, func(log string) bool { return strings.Contains(log, want) }) {
			t.Errorf("the -v log lacks %q:\n%s", want, p.log())
		}
	}
	if strings.Contains(p.log(), e.SecretKey) {
		t.Error("the log shows the secret key")
	}
}

// newSDKClient returns aws-sdk-go-v2's S3 client with the placeholder keys
// and BaseEndpoint at the proxy.
func newSDKClient(p *proxyProc, e e2eenv.Server, hc *http.Client) *s3.Client {
	return s3.New(s3.Options{
		Region:       e.Region,
		BaseEndpoint: aws.String(p.URL),
		UsePathStyle: true,
		HTTPClient:   hc,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: placeholderID, SecretAccessKey: placeholderSecret}, nil
		}),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		RetryMaxAttempts:           1,
	})
}

// onlyReader hides every method of its reader but Read: a body the SDK
// cannot seek.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(b []byte) (int, error) { return o.r.Read(b) }

// TestSDKThroughResign: aws-sdk-go-v2 with placeholder keys, through the
// re-signing proxy over HTTP and over --tls: PutObject in each payload
// form the SDK sends (a hex SHA-256 with a CRC32 header over HTTP,
// UNSIGNED-PAYLOAD, aws-chunked STREAMING-UNSIGNED-PAYLOAD-TRAILER over
// HTTPS), GetObject, a multipart upload and ListObjectsV2, byte for byte.
// aws-sdk-go-v2 never signs chunks (its only aws-chunked mode is the
// unsigned trailer): signed chunks come from minio-go and sigv4kit below.
func TestSDKThroughResign(t *testing.T) {
	e := e2eenv.Get(t)
	p := startProxy(t, e, resignArgs(e)...)
	pt := startProxy(t, e, resignArgs(e, "--tls")...)
	d := newDirect(t, e)
	plain, secure := newSDKClient(p, e, p.client(t)), newSDKClient(pt, e, pt.client(t))
	ctx := context.Background()
	pre := prefix(t)

	puts := []struct {
		name    string
		client  *s3.Client
		body    func([]byte) io.Reader
		opts    []func(*s3.Options)
		payload string // what the proxy logs it re-signed ("" a hex hash)
	}{
		{"seekable over http", plain, func(b []byte) io.Reader { return bytes.NewReader(b) }, nil, ""},
		{"unsigned payload", plain, func(b []byte) io.Reader { return bytes.NewReader(b) },
			// Over HTTP the checksum middleware hashes the body and sets the
			// payload hash first, unless checksums are only "when required".
			[]func(*s3.Options){s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware),
				func(o *s3.Options) { o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired }}, "UNSIGNED-PAYLOAD"},
		{"unseekable over https", secure, func(b []byte) io.Reader { return onlyReader{bytes.NewReader(b)} }, nil, "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
		{"seekable over https", secure, func(b []byte) io.Reader { return bytes.NewReader(b) }, nil, "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
	}
	var keys []string
	for i, tc := range puts {
		t.Run("PutObject "+tc.name, func(t *testing.T) {
			data := randomBytes(t, 1<<20+i)
			key := pre + strings.ReplaceAll(tc.name, " ", "-")
			keys = append(keys, key)
			_, err := tc.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(e.Bucket), Key: aws.String(key),
				Body: tc.body(data), ContentLength: aws.Int64(int64(len(data))), Metadata: map[string]string{"via": "proxy"}}, tc.opts...)
			if err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			d.wantObject(t, key, data)
			out, err := tc.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(e.Bucket), Key: aws.String(key)})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			got, err := io.ReadAll(out.Body)
			out.Body.Close()
			if err != nil || !bytes.Equal(got, data) || out.Metadata["via"] != "proxy" {
				t.Errorf("GetObject: %d bytes (%v), metadata %v", len(got), err, out.Metadata)
			}
			px := p
			if tc.client == secure {
				px = pt
			}
			if !logged(px, key, tc.payload) {
				t.Errorf("the proxy did not re-sign %s as %q:\n%s", key, tc.payload, px.log())
			}
		})
	}

	t.Run("multipart", func(t *testing.T) {
		key := pre + "multipart"
		keys = append(keys, key)
		part1, part2 := randomBytes(t, 5<<20), randomBytes(t, 1<<20+3)
		mp, err := plain.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(e.Bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		var parts []types.CompletedPart
		for i, up := range []struct {
			client *s3.Client
			body   io.Reader
			n      int
		}{{plain, bytes.NewReader(part1), len(part1)}, {secure, onlyReader{bytes.NewReader(part2)}, len(part2)}} {
			out, err := up.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(e.Bucket), Key: aws.String(key), UploadId: mp.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: up.body, ContentLength: aws.Int64(int64(up.n))})
			if err != nil {
				t.Fatalf("UploadPart %d: %v", i+1, err)
			}
			parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(int32(i + 1))})
		}
		if _, err := plain.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(e.Bucket), Key: aws.String(key),
			UploadId: mp.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
			t.Fatalf("CompleteMultipartUpload: %v", err)
		}
		d.wantObject(t, key, append(append([]byte(nil), part1...), part2...))
	})

	t.Run("ListObjectsV2", func(t *testing.T) {
		var got []string
		var token *string
		for {
			out, err := plain.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(e.Bucket), Prefix: aws.String(pre), MaxKeys: aws.Int32(2), ContinuationToken: token})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range out.Contents {
				got = append(got, aws.ToString(o.Key))
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			token = out.NextContinuationToken
		}
		want := slices.Clone(keys)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("ListObjectsV2 = %v, want %v", got, want)
		}
	})
}

// logged reports whether the proxy's log has a line for key re-signed with
// payload ("" for any hex SHA-256), waiting a moment for it: the proxy logs
// a request once its response is written.
func logged(p *proxyProc, key, payload string) bool {
	return waitLog(p, func(log string) bool {
		for _, line := range strings.Split(log, "\n") {
			if !strings.Contains(line, "/"+key+" 200 ") {
				continue
			}
			_, got, ok := strings.Cut(line, " resigned ")
			if ok && (got == payload || payload == "" && len(got) == 64) {
				return true
			}
		}
		return false
	})
}

// waitLog waits up to 5 seconds for the proxy's log to satisfy ok.
func waitLog(p *proxyProc, ok func(string) bool) bool {
	for range 100 {
		if ok(p.log()) {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// TestSignedChunksThroughResign sends sigv4kit's aws-chunked uploads with
// signed chunks (and a signed CRC32C trailer) through the re-signing proxy,
// which verifies every chunk and frames the body again with chunk
// signatures chained from its own seed; versitygw verifies those.
func TestSignedChunksThroughResign(t *testing.T) {
	e := e2eenv.Get(t)
	p := startProxy(t, e, resignArgs(e)...)
	d := newDirect(t, e)
	client, err := sigv4.New(sigv4.Config{Service: "s3", Region: e.Region, Credentials: credentials.Static(placeholderID, placeholderSecret, "")})
	if err != nil {
		t.Fatal(err)
	}
	pre := prefix(t)
	for _, tc := range []struct {
		name string
		opts sigv4.StreamOptions
	}{
		{"signed", sigv4.StreamOptions{Mode: sigv4.StreamSigned}},
		{"signed 8 KiB chunks", sigv4.StreamOptions{Mode: sigv4.StreamSigned, ChunkSize: 8 << 10}},
		{"signed trailer CRC32C", sigv4.StreamOptions{Mode: sigv4.StreamSignedTrailer, Checksum: sigv4.ChecksumCRC32C}},
		{"unsigned trailer CRC64NVME", sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumCRC64NVME}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := randomBytes(t, 2<<20+7)
			key := pre + strings.ReplaceAll(tc.name, " ", "-")
			req, _ := http.NewRequest(http.MethodPut, p.URL+"/"+e.Bucket+"/"+key, bytes.NewReader(data))
			if err := client.SignStreaming(context.Background(), req, tc.opts); err != nil {
				t.Fatal(err)
			}
			resp, err := p.client(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			d.wantObject(t, key, data)
			mode := tc.opts.Mode.String()
			if !logged(p, key, mode) {
				t.Errorf("the proxy did not re-sign %s as %s", key, mode)
			}
		})
	}
}

// TestMinioThroughResign: minio-go's signed streaming upload
// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD over HTTP, and with TrailingHeaders a
// signed CRC32C trailer) with placeholder keys through the re-signing
// proxy, read back byte for byte.
func TestMinioThroughResign(t *testing.T) {
	e := e2eenv.Get(t)
	p := startProxy(t, e, resignArgs(e)...)
	d := newDirect(t, e)
	u, _ := url.Parse(p.URL)
	ctx := context.Background()
	pre := prefix(t)
	for _, tc := range []struct {
		name     string
		trailing bool
		opts     minio.PutObjectOptions
		payload  string
	}{
		{"signed chunks", false, minio.PutObjectOptions{}, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
		{"signed trailer", true, minio.PutObjectOptions{Checksum: minio.ChecksumCRC32C}, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mc, err := minio.New(u.Host, &minio.Options{
				Creds:           miniocreds.NewStaticV4(placeholderID, placeholderSecret, ""),
				Secure:          false,
				Region:          e.Region,
				BucketLookup:    minio.BucketLookupPath,
				TrailingHeaders: tc.trailing,
				MaxRetries:      1,
			})
			if err != nil {
				t.Fatal(err)
			}
			data := randomBytes(t, 3<<20+11)
			key := pre + strings.ReplaceAll(tc.name, " ", "-")
			if _, err := mc.PutObject(ctx, e.Bucket, key, bytes.NewReader(data), int64(len(data)), tc.opts); err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			d.wantObject(t, key, data)
			if !logged(p, key, tc.payload) {
				t.Errorf("the proxy did not re-sign %s as %s", key, tc.payload)
			}
			obj, err := mc.GetObject(ctx, e.Bucket, key, minio.GetObjectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(obj)
			obj.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("GetObject: %d bytes, %v", len(got), err)
			}
		})
	}
}

// TestAWSCLIThroughResignTLS: the AWS CLI on the machine, with placeholder
// keys, `aws s3 cp` up (a multipart upload and a single PUT, which botocore
// sends as STREAMING-UNSIGNED-PAYLOAD-TRAILER over HTTPS) and down through
// the re-signing proxy over --tls, trusting its certificate with
// --ca-bundle; then `aws s3 ls`.
func TestAWSCLIThroughResignTLS(t *testing.T) {
	e := e2eenv.Get(t)
	awsPath := needTool(t, "aws", false)
	pt := startProxy(t, e, resignArgs(e, "--tls")...)
	d := newDirect(t, e)
	home := t.TempDir()
	cfg := "[default]\nregion = " + e.Region + "\ns3 =\n  addressing_style = path\n  signature_version = s3v4\n"
	writeFile(t, home, "config", []byte(cfg))
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_ACCESS_KEY_ID=" + placeholderID,
		"AWS_SECRET_ACCESS_KEY=" + placeholderSecret,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
	}
	if v := os.Getenv("PYENV_ROOT"); v != "" { // the pyenv shim of the machine image
		env = append(env, "PYENV_ROOT="+v)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(awsPath, append([]string{"--endpoint-url", pt.URL, "--ca-bundle", pt.CertFile}, args...)...)
		cmd.Env = env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("aws %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
		}
		return out.String()
	}
	pre := prefix(t)
	dir := t.TempDir()
	big, small := randomBytes(t, 9<<20+1), randomBytes(t, 100<<10)
	for _, f := range []struct {
		name string
		data []byte
	}{{"big.bin", big}, {"small.bin", small}} {
		run("s3", "cp", writeFile(t, dir, f.name, f.data), "s3://"+e.Bucket+"/"+pre+f.name, "--no-progress")
		d.wantObject(t, pre+f.name, f.data)
	}
	if !logged(pt, pre+"small.bin", "STREAMING-UNSIGNED-PAYLOAD-TRAILER") {
		t.Errorf("the proxy did not re-sign the CLI's upload as STREAMING-UNSIGNED-PAYLOAD-TRAILER:\n%s", pt.log())
	}
	out := filepath.Join(dir, "down.bin")
	run("s3", "cp", "s3://"+e.Bucket+"/"+pre+"big.bin", out, "--no-progress")
	if got, _ := os.ReadFile(out); !bytes.Equal(got, big) {
		t.Errorf("aws s3 cp down: %d bytes, want %d", len(got), len(big))
	}
	ls := run("s3", "ls", "s3://"+e.Bucket+"/"+pre)
	for _, name := range []string{"big.bin", "small.bin"} {
		if !strings.Contains(ls, name) {
			t.Errorf("aws s3 ls lacks %s:\n%s", name, ls)
		}
	}
}

// TestRefusedThroughResign: an unknown placeholder key, a tampered request
// and a tampered chunk get S3's error from the proxy, and versitygw never
// stores the object.
func TestRefusedThroughResign(t *testing.T) {
	e := e2eenv.Get(t)
	p := startProxy(t, e, resignArgs(e)...)
	d := newDirect(t, e)
	pre := prefix(t)
	ctx := context.Background()
	signer := func(id, secret string) *sigv4.Signer {
		s, err := sigv4.New(sigv4.Config{Service: "s3", Region: e.Region, Credentials: credentials.Static(id, secret, "")})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	data := randomBytes(t, 200<<10)
	for _, tc := range []struct {
		name string
		req  func(key string) *http.Request
		code string
	}{
		{"unknown placeholder key", func(key string) *http.Request {
			req, _ := http.NewRequest(http.MethodPut, p.URL+"/"+e.Bucket+"/"+key, bytes.NewReader(data))
			if err := signer("AKIDUNKNOWN", placeholderSecret).Sign(ctx, req, ""); err != nil {
				t.Fatal(err)
			}
			return req
		}, "InvalidAccessKeyId"},
		{"the real key", func(key string) *http.Request {
			req, _ := http.NewRequest(http.MethodPut, p.URL+"/"+e.Bucket+"/"+key, bytes.NewReader(data))
			if err := signer(e.AccessKey, e.SecretKey).Sign(ctx, req, ""); err != nil {
				t.Fatal(err)
			}
			return req
		}, "InvalidAccessKeyId"},
		{"tampered request", func(key string) *http.Request {
			req, _ := http.NewRequest(http.MethodPut, p.URL+"/"+e.Bucket+"/"+key, bytes.NewReader(data))
			req.Header.Set("X-Amz-Meta-Owner", "alice")
			if err := signer(placeholderID, placeholderSecret).Sign(ctx, req, ""); err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Amz-Meta-Owner", "mallory")
			return req
		}, "SignatureDoesNotMatch"},
		{"tampered chunk", func(key string) *http.Request {
			req, _ := http.NewRequest(http.MethodPut, p.URL+"/"+e.Bucket+"/"+key, bytes.NewReader(data))
			if err := signer(placeholderID, placeholderSecret).SignStreaming(ctx, req, sigv4.StreamOptions{Mode: sigv4.StreamSigned, ChunkSize: 16 << 10}); err != nil {
				t.Fatal(err)
			}
			enc, _ := io.ReadAll(req.Body)
			i := bytes.Index(enc, []byte("\r\n")) + 2 + 100 // a byte of the first chunk's data
			enc[i] ^= 1
			req.Body, req.GetBody = io.NopCloser(bytes.NewReader(enc)), nil
			return req
		}, "SignatureDoesNotMatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := pre + strings.ReplaceAll(tc.name, " ", "-")
			resp, err := http.DefaultClient.Do(tc.req(key))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "<Code>"+tc.code+"</Code>") {
				t.Errorf("status %d, %s; want 403 %s", resp.StatusCode, body, tc.code)
			}
			d.wantNoObject(t, key)
			want := fmt.Sprintf("PUT /%s/%s 403 ", e.Bucket, key)
			if !waitLog(p, func(log string) bool { return strings.Contains(log, want) }) {
				t.Errorf("the log lacks %q", want)
			}
		})
	}
	if n := strings.Count(p.log(), "(not forwarded)"); n != 4 {
		t.Errorf("%d refusals logged as not forwarded, want 4:\n%s", n, p.log())
	}
}
