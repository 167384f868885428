//go:build e2e

package browser_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/examples/objectserver/objectstore"
	"github.com/sigv4kit/sigv4kit/policy"
)

// TestFormHTMLContentType drives headless Chromium through the form that
// policy.Form.HTML renders for ContentTypeStartsWith("image/"), posting to
// an in-process S3-compatible server that verifies the policy
// (examples/objectserver with a policy.Verifier; no versitygw needed). The
// object must be stored with the chosen file's type, image/png, and not
// with the prefix "image/" that the form once posted as a fixed value; a
// text file is stopped in the browser before it is posted.
func TestFormHTMLContentType(t *testing.T) {
	browser := needBrowser(t)
	creds := credentials.Credentials{AccessKeyID: "AKIDFORMHTML", SecretAccessKey: "formhtml/secret/EXAMPLEKEY"}
	const bucket, region = "photos", "us-east-1"
	backend := objectstore.NewMemory(bucket)
	store := httptest.NewServer((&objectstore.Server{
		Backend: backend,
		PostPolicy: &policy.Verifier{
			Lookup: func(_ context.Context, id string) (credentials.Credentials, error) { return creds, nil },
			Region: region,
		},
	}).Handler())
	defer store.Close()

	var pageHTML string
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/done" {
			w.Write([]byte(`<!doctype html><p id="result">done</p>`))
			return
		}
		w.Write([]byte("<!doctype html>\n<html><body>\n" + pageHTML + "</body></html>\n"))
	}))
	defer page.Close()

	now := time.Now()
	form, err := policy.New(now.Add(15*time.Minute)).
		Bucket(bucket).
		KeyStartsWith("u/").
		ContentTypeStartsWith("image/").
		SuccessActionRedirect(page.URL+"/done").
		Sign(creds, region, now)
	if err != nil {
		t.Fatal(err)
	}
	action, err := policy.PathStyleURL(store.URL, bucket)
	if err != nil {
		t.Fatal(err)
	}
	pageHTML = form.HTML(action)

	dir := t.TempDir()
	png := filepath.Join(dir, "cat.png")
	txt := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(png, []byte("\x89PNG\r\n\x1a\nnot really a picture"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(txt, []byte("plain text"), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx := openPage(t, browser, page.URL+"/", "the form")

	// A text file: the page refuses it before posting.
	file := chromedp.CSS(`input[name="file"]`)
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(file, []string{txt})); err != nil {
		t.Fatalf("browser: choose a text file: %v", err)
	}
	msg, err1 := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('input[name="file"]').validationMessage`))
	accept, err2 := chromedp.Run(ctx, chromedp.AttributeValue(file, "accept"))
	if err := errors.Join(err1, err2); err != nil {
		t.Fatalf("browser: read the file input: %v", err)
	}
	if !strings.Contains(msg, "text/plain, does not start with image/") || accept.Value != "image/*" {
		t.Errorf("text file: validation message %q, accept %q", msg, accept.Value)
	}

	// A PNG: posted with its type.
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(file, []string{png})); err != nil {
		t.Fatalf("browser: choose the PNG: %v", err)
	}
	typ, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`input[name="Content-Type"]`)))
	if err != nil {
		t.Fatalf("browser: read Content-Type: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[type="submit"]`)), chromedp.WaitVisible(chromedp.ID("result"))); err != nil {
		t.Fatalf("browser: upload the PNG: %v", err)
	}
	if typ != "image/png" {
		t.Errorf("the page set Content-Type to %q, want image/png", typ)
	}
	_, obj, err := backend.Get(bucket, "u/cat.png")
	if err != nil {
		t.Fatalf("the object did not arrive: %v", err)
	}
	if obj.ContentType != "image/png" {
		t.Errorf("stored Content-Type %q, want image/png", obj.ContentType)
	}
	if objs, _ := backend.List(bucket, ""); len(objs) != 1 {
		t.Errorf("the bucket holds %d objects, want 1 (the text file must not be posted)", len(objs))
	}
}
