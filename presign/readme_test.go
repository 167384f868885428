package presign_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/presign"
)

// readmeAccount is the Cloudflare account ID the R2 row is generated
// with; the README shows it as <account>.
const readmeAccount = "0123456789abcdef0123456789abcdef"

// readmeEndpointRows are the rows of the README's "### Endpoints" table:
// what the configuration column says, in code. TestREADMEEndpoints
// generates each URL with presign and requires the README's table to be
// exactly these rows, so that no documented URL is one presign does not
// make.
var readmeEndpointRows = []struct {
	config, bucketCell string // the table's first two cells (markdown)
	bucket             string
	cfg                presign.Config
}{
	{"`Region: \"eu-west-1\"`", "`my-bucket`", "my-bucket", presign.Config{Region: "eu-west-1"}},
	{"the same", "`my.bucket` (dots, over https)", "my.bucket", presign.Config{Region: "eu-west-1"}},
	{"the same", "`MyBucket` (upper case)", "MyBucket", presign.Config{Region: "eu-west-1"}},
	{"the same", "`my_bucket` (underscore)", "my_bucket", presign.Config{Region: "eu-west-1"}},
	{"`PathStyle: true`", "`my-bucket`", "my-bucket", presign.Config{Region: "eu-west-1", PathStyle: true}},
	{"`DualStack: true`", "`my-bucket`", "my-bucket", presign.Config{Region: "eu-west-1", DualStack: true}},
	{"`FIPS: true`", "`my-bucket`", "my-bucket", presign.Config{Region: "eu-west-1", FIPS: true}},
	{"`Accelerate: true`", "`my-bucket`", "my-bucket", presign.Config{Region: "eu-west-1", Accelerate: true}},
	{"`Accelerate: true, DualStack: true`", "`my-bucket`", "my-bucket", presign.Config{Region: "eu-west-1", Accelerate: true, DualStack: true}},
	{"`Endpoint: \"http://127.0.0.1:9000\"` (MinIO, Ceph, versitygw)", "`my-bucket`", "my-bucket", presign.Config{Region: "us-east-1", Endpoint: "http://127.0.0.1:9000"}},
	{"`Endpoint: \"http://minio.local:9000\", VirtualHosted: true`", "`my-bucket`", "my-bucket", presign.Config{Region: "us-east-1", Endpoint: "http://minio.local:9000", VirtualHosted: true}},
	{"`Endpoint: \"https://s3.amazonaws.com\"` (the global endpoint)", "`my-bucket`", "my-bucket", presign.Config{Region: "us-east-1", Endpoint: "https://s3.amazonaws.com"}},
	{"`Region: \"auto\", Endpoint: presign.R2Endpoint(account)`", "`my-bucket`", "my-bucket", presign.Config{Region: "auto", Endpoint: presign.R2Endpoint(readmeAccount)}},
}

// readmeEndpointTable renders the table from readmeEndpointRows, each URL
// made by presign (without its query).
func readmeEndpointTable(t *testing.T) []string {
	t.Helper()
	lines := []string{
		"| configuration | bucket | URL of `photos/cat.jpg` |",
		"|---|---|---|",
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for _, row := range readmeEndpointRows {
		cfg := row.cfg
		cfg.Credentials = credentials.Static("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "")
		cfg.Now = func() time.Time { return now }
		cfg.Getenv = func(string) string { return "" }
		p, err := presign.New(cfg)
		if err != nil {
			t.Fatalf("%s: %v", row.config, err)
		}
		r, err := p.GetObject(context.Background(), row.bucket, "photos/cat.jpg", time.Hour)
		if err != nil {
			t.Fatalf("%s, bucket %s: %v", row.config, row.bucket, err)
		}
		u, _, _ := strings.Cut(r.URL, "?")
		u = strings.ReplaceAll(u, readmeAccount, "<account>")
		lines = append(lines, "| "+row.config+" | "+row.bucketCell+" | `"+u+"` |")
	}
	return lines
}

// TestREADMEEndpoints checks the README's endpoints table against the URLs
// presign makes. On a mismatch it prints the table to paste.
func TestREADMEEndpoints(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(raw), "\n### Endpoints\n")
	if !ok {
		t.Fatal(`README.md has no "### Endpoints" section`)
	}
	var got []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "|") {
			got = append(got, line)
		} else if len(got) > 0 {
			break
		}
	}
	want := readmeEndpointTable(t)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("README.md's endpoints table is not what presign makes; it should read:\n\n%s\n\nit reads:\n\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
}
