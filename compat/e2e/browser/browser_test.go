//go:build e2e

// Package browser_test drives a real browser, headless Chromium, through
// the upload page of examples/postform: it opens the page, chooses a file
// and submits the form straight to versitygw, then checks that the object
// arrived byte for byte.
//
// Without a browser the test skips with a message, unless
// SIGV4_REQUIRE_BROWSER is set (.ci/run sets it): then it fails. Install
// Debian's chromium (apt-get install -y chromium) or point SIGV4_CHROMIUM at
// a Chrome or Chromium binary.
package browser_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/sigv4kit/sigv4kit/compat/internal/e2eenv"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/examples/postform/uploadpage"
	"github.com/sigv4kit/sigv4kit/policy"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// needBrowser returns the path of a Chromium, or skips the test (fails it
// with SIGV4_REQUIRE_BROWSER set) when there is none.
func needBrowser(t *testing.T) string {
	t.Helper()
	browser := findBrowser()
	if browser == "" {
		if os.Getenv("SIGV4_REQUIRE_BROWSER") != "" {
			t.Fatal("no Chromium found and SIGV4_REQUIRE_BROWSER is set: apt-get install -y chromium, or set SIGV4_CHROMIUM")
		}
		t.Skip("no Chromium found (looked for chromium, chromium-browser, google-chrome, headless-shell and $SIGV4_CHROMIUM): " +
			"apt-get install -y chromium to run the browser tests")
	}
	return browser
}

// openPage starts a headless browser on url and returns its context,
// which allows 90 seconds for what follows; what names the page in an
// error. The browser is closed when the test ends.
func openPage(t *testing.T, browser, url, what string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true), // CI runs as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancel)
	// The first call starts the browser and must not carry a timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("browser: open %s: %v", what, err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// findBrowser returns the path of a Chromium or Chrome binary, or "".
func findBrowser() string {
	if p := os.Getenv("SIGV4_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

func TestBrowserUpload(t *testing.T) {
	e := e2eenv.Get(t)
	endpoint, bucket, region := e.Endpoint, e.Bucket, e.Region
	accessKey, secretKey := e.AccessKey, e.SecretKey

	browser := needBrowser(t)

	// The upload page, served in-process on 127.0.0.1.
	action, err := policy.PathStyleURL(endpoint, bucket)
	if err != nil {
		t.Fatal(err)
	}
	prefix := "browser-e2e/" + randHex(6) + "/"
	var page http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { page.ServeHTTP(w, r) }))
	defer srv.Close()
	page, err = uploadpage.Handler(uploadpage.Config{
		Action:      action,
		Bucket:      bucket,
		Region:      region,
		Credentials: credentials.Static(accessKey, secretKey, ""),
		Prefix:      prefix,
		MaxSize:     4 << 20,
		PublicURL:   srv.URL,
	})
	if err != nil {
		t.Fatal(err)
	}

	// A file with every byte value, and a name that needs escaping.
	content := make([]byte, 300<<10)
	rand.Read(content)
	for i := range 256 {
		content[i] = byte(i)
	}
	name := "photo & \"quote\" " + randHex(3) + ".bin"
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}

	ctx := openPage(t, browser, srv.URL+"/", "the upload page")
	err = chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.ID("file")),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{path}),
		chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("result")), // S3 redirected to /done
	)
	if err != nil {
		t.Fatalf("browser: upload: %v", err)
	}
	gotKey, err1 := chromedp.Run(ctx, chromedp.Text(chromedp.ID("key")))
	gotBucket, err2 := chromedp.Run(ctx, chromedp.Text(chromedp.ID("bucket")))
	location, err3 := chromedp.Run(ctx, chromedp.Location())
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatalf("browser: read the result page: %v", err)
	}
	t.Logf("the browser uploaded %d bytes and landed on %s", len(content), location)
	if want := prefix + name; gotKey != want || gotBucket != bucket {
		t.Fatalf("page says %q in %q, want %q in %q", gotKey, gotBucket, want, bucket)
	}

	// The object arrived byte for byte.
	signer, err := sigv4.New(sigv4.Config{Service: "s3", Region: region, Credentials: credentials.Static(accessKey, secretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, action+"/"+escapeKey(gotKey), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := signer.Sign(t.Context(), req, sigv4.EmptyPayloadHash); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET object: %s %v\n%s", resp.Status, err, data)
	}
	if !bytes.Equal(data, content) {
		t.Fatalf("object is %d bytes and differs from the %d-byte file", len(data), len(content))
	}
}

// escapeKey escapes a key for a URL path, keeping '/'.
func escapeKey(key string) string {
	var b bytes.Buffer
	for i := 0; i < len(key); i++ {
		c := key[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '/' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
