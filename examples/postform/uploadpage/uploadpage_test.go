package uploadpage_test

import (
	"bytes"
	"context"
	"errors"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/examples/postform/uploadpage"
	"github.com/sigv4kit/sigv4kit/policy"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

var inputRE = regexp.MustCompile(`<input type="hidden"(?: id="[^"]*")? name="([^"]*)" value="([^"]*)">`)

// TestPageUploads serves the page, reads its form as a browser would
// (without running the script, so S3 replaces ${filename}), posts it with a
// file to a server built on policy.Verifier, and follows the redirect back
// to /done.
func TestPageUploads(t *testing.T) {
	const id, secret = "AKIDPAGE", "page-secret-0123456789"
	var stored = map[string][]byte{}
	v := &policy.Verifier{
		Lookup: func(_ context.Context, k string) (credentials.Credentials, error) {
			if k != id {
				return credentials.Credentials{}, errors.New("unknown key")
			}
			return credentials.Credentials{AccessKeyID: id, SecretAccessKey: secret}, nil
		},
		Region: "eu-central-1",
	}
	s3 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := v.VerifyRequest(r, strings.TrimPrefix(r.URL.Path, "/"))
		var data []byte
		if err == nil {
			data, err = io.ReadAll(u.File)
		}
		var ae *sigv4.AuthError
		if errors.As(err, &ae) {
			ae.WriteHTTP(w, r, "")
			return
		}
		stored[u.Key] = data
		u.WriteSuccess(w, "", `"etag-1"`)
	}))
	defer s3.Close()

	action, _ := policy.PathStyleURL(s3.URL, "pics")
	prefix := `up/<"&'>/`
	h, err := uploadpage.Handler(uploadpage.Config{
		Action: action, Bucket: "pics", Region: "eu-central-1",
		Credentials: credentials.Static(id, secret, ""),
		Prefix:      prefix, MaxSize: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	page := httptest.NewServer(h)
	defer page.Close()

	resp, err := http.Get(page.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), prefix) {
		t.Fatalf("the prefix appears unescaped:\n%s", body)
	}
	if !strings.Contains(string(body), `action="`+action+`"`) {
		t.Fatalf("no form posting to %s:\n%s", action, body)
	}

	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	n := 0
	for _, m := range inputRE.FindAllStringSubmatch(string(body), -1) {
		w.WriteField(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
		n++
	}
	if n < 8 {
		t.Fatalf("found %d hidden fields:\n%s", n, body)
	}
	fw, _ := w.CreateFormFile("file", "cat.txt")
	fw.Write([]byte("meow"))
	w.Close()

	client := &http.Client{Timeout: 10 * time.Second}
	resp, err = client.Post(action, w.FormDataContentType(), &b)
	if err != nil {
		t.Fatal(err)
	}
	done, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(done), `id="result"`) {
		t.Fatalf("after the upload: %s\n%s", resp.Status, done)
	}
	if got := string(stored[prefix+"cat.txt"]); got != "meow" {
		t.Errorf("stored %q under %q: %v", got, prefix+"cat.txt", stored)
	}
	if resp.Request.URL.Path != "/done" || resp.Request.URL.Query().Get("key") != prefix+"cat.txt" {
		t.Errorf("landed on %s", resp.Request.URL)
	}
	if !strings.Contains(string(done), html.EscapeString(prefix+"cat.txt")) {
		t.Errorf("/done does not show the key:\n%s", done)
	}

	// Too large: 101 bytes.
	b.Reset()
	w = multipart.NewWriter(&b)
	for _, m := range inputRE.FindAllStringSubmatch(string(body), -1) {
		w.WriteField(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	fw, _ = w.CreateFormFile("file", "big.txt")
	fw.Write(bytes.Repeat([]byte("x"), 101))
	w.Close()
	resp, err = client.Post(action, w.FormDataContentType(), &b)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("too large: %s", resp.Status)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []uploadpage.Config{
		{},
		{Action: "http://h/b"},
		{Action: "http://h/b", Bucket: "b", Region: "r"},
	} {
		if _, err := uploadpage.Handler(c); err == nil {
			t.Errorf("Handler(%+v): no error", c)
		}
	}
}
