// Package uploadpage serves a web page with a signed S3 POST form: the
// browser uploads the chosen file straight to the bucket, limited by size
// and key prefix, and S3 redirects it back to the page's /done.
//
// It is the handler of examples/postform, in its own package so that tests
// (compat's headless-browser test) can serve it in-process.
package uploadpage

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/policy"
)

// Config configures the upload page.
type Config struct {
	// Action is the form's action: the bucket's URL, from
	// [policy.BucketURL] or [policy.PathStyleURL].
	Action string
	// Bucket, Region and Credentials sign the policy.
	Bucket      string
	Region      string
	Credentials credentials.Provider
	// Prefix is the key prefix uploads must start with ("uploads/").
	Prefix string
	// MaxSize is the largest file accepted, in bytes; zero means 10 MiB.
	MaxSize int64
	// Expiry is how long a served form stays valid; zero means 15 minutes.
	Expiry time.Duration
	// PublicURL is the page's own URL, where S3 redirects the browser
	// after an upload ("http://127.0.0.1:8080"). Empty means the scheme
	// http and the Host of each request.
	PublicURL string
	// Now returns the signing time; nil means time.Now.
	Now func() time.Time
}

// Handler returns the page's handler: GET / serves the signed form,
// GET /done the result of an upload.
func Handler(cfg Config) (http.Handler, error) {
	switch {
	case cfg.Action == "":
		return nil, errors.New("uploadpage: no Action URL")
	case cfg.Bucket == "" || cfg.Region == "":
		return nil, errors.New("uploadpage: Bucket and Region are required")
	case cfg.Credentials == nil:
		return nil, errors.New("uploadpage: no Credentials")
	}
	if cfg.MaxSize == 0 {
		cfg.MaxSize = 10 << 20
	}
	if cfg.Expiry == 0 {
		cfg.Expiry = 15 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		page, err := form(r.Context(), cfg, baseURL(cfg, r))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		formPage.Execute(w, page)
	})
	mux.HandleFunc("GET /done", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		donePage.Execute(w, map[string]string{"Bucket": q.Get("bucket"), "Key": q.Get("key"), "ETag": q.Get("etag")})
	})
	return mux, nil
}

func baseURL(cfg Config, r *http.Request) string {
	if cfg.PublicURL != "" {
		return strings.TrimSuffix(cfg.PublicURL, "/")
	}
	return "http://" + r.Host
}

// field is a hidden input.
type field struct{ Name, Value string }

// pageData fills formPage.
type pageData struct {
	Action  string
	Fields  []field // sorted, without key and Content-Type
	Key     string
	Prefix  string
	MaxSize int64
	Expires string
}

// form signs a fresh policy.
func form(ctx context.Context, cfg Config, base string) (*pageData, error) {
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, err
	}
	now := cfg.Now()
	f, err := policy.New(now.Add(cfg.Expiry)).
		Bucket(cfg.Bucket).
		KeyStartsWith(cfg.Prefix).
		ContentLengthRange(0, cfg.MaxSize).
		ContentTypeStartsWith(""). // any type; the page sets it from the file
		SuccessActionRedirect(base+"/done").
		Sign(creds, cfg.Region, now)
	if err != nil {
		return nil, err
	}
	d := &pageData{Action: cfg.Action, Key: f.Fields["key"], Prefix: cfg.Prefix, MaxSize: cfg.MaxSize,
		Expires: f.Expires.Format(time.RFC3339)}
	for name, v := range f.Fields {
		if name != "key" && name != "Content-Type" {
			d.Fields = append(d.Fields, field{name, v})
		}
	}
	sortFields(d.Fields)
	return d, nil
}

func sortFields(fs []field) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].Name < fs[j-1].Name; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

// formPage is the upload form. html/template escapes every value for its
// context: attributes, text and the script's string literal. The file
// input comes last, as S3 requires. The script sets the key to the prefix
// and the file's name, and the Content-Type to the file's type; without
// it, S3 replaces ${filename} itself.
var formPage = template.Must(template.New("form").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Upload to {{.Action}}</title></head>
<body>
<h1>Upload a file</h1>
<p>Up to {{.MaxSize}} bytes, stored under <code>{{.Prefix}}</code>. This form expires at {{.Expires}}.</p>
<form id="upload" action="{{.Action}}" method="post" enctype="multipart/form-data">
{{- range .Fields}}
<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{- end}}
<input type="hidden" id="key" name="key" value="{{.Key}}">
<input type="hidden" id="content-type" name="Content-Type" value="application/octet-stream">
<input type="file" id="file" name="file" required>
<button type="submit" id="submit">Upload</button>
</form>
<script>
document.getElementById("file").addEventListener("change", function () {
  var f = this.files[0];
  if (!f) { return; }
  document.getElementById("key").value = {{.Prefix}} + f.name;
  document.getElementById("content-type").value = f.type || "application/octet-stream";
});
</script>
</body>
</html>
`))

// donePage shows where the file went.
var donePage = template.Must(template.New("done").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Uploaded</title></head>
<body>
<h1>Uploaded</h1>
<p id="result">Stored <code id="key">{{.Key}}</code> in bucket <code id="bucket">{{.Bucket}}</code> (ETag <code id="etag">{{.ETag}}</code>).</p>
<p><a href="/">Upload another file</a></p>
</body>
</html>
`))
