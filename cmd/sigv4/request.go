package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/sigv4kit/sigv4kit/sigv4"
)

// This file holds the request that curl and explain take the way curl
// does: -X, -H, -d and its variants, -T and the URL, with curl's meanings.

// requestFlags are the flags that describe a request.
type requestFlags struct {
	method  string
	headers headerList
	data    []dataPart
	upload  string // -T FILE
}

// dataPart is one -d, --data-ascii, --data-binary or --data-raw value.
type dataPart struct {
	kind  dataKind
	value string
}

// dataKind tells how a data flag reads its value.
type dataKind int

const (
	dataText   dataKind = iota // -d, --data, --data-ascii: @file without CR and LF
	dataBinary                 // --data-binary: @file byte for byte
	dataRaw                    // --data-raw: no @file
)

// dataFlag appends the values of one data flag, in command-line order
// with the others.
type dataFlag struct {
	kind  dataKind
	parts *[]dataPart
}

func (d dataFlag) String() string { return "" }
func (d dataFlag) Set(v string) error {
	*d.parts = append(*d.parts, dataPart{d.kind, v})
	return nil
}

// register adds the flags to fs.
func (r *requestFlags) register(fs *flag.FlagSet) {
	for _, n := range []string{"X", "request"} {
		fs.StringVar(&r.method, n, "", "")
	}
	for _, n := range []string{"H", "header"} {
		fs.Var(&r.headers, n, "")
	}
	for _, n := range []string{"d", "data", "data-ascii"} {
		fs.Var(dataFlag{dataText, &r.data}, n, "")
	}
	fs.Var(dataFlag{dataBinary, &r.data}, "data-binary", "")
	fs.Var(dataFlag{dataRaw, &r.data}, "data-raw", "")
	for _, n := range []string{"T", "upload-file"} {
		fs.StringVar(&r.upload, n, "", "")
	}
}

// readsStdin reports whether the request's body comes from standard input.
func (r *requestFlags) readsStdin() bool {
	if r.upload == "-" {
		return true
	}
	for _, d := range r.data {
		if d.kind != dataRaw && d.value == "@-" {
			return true
		}
	}
	return false
}

// expandShortFlags rewrites curl's combined short flags for fs: "-sS"
// becomes "-s -S", "-XPUT" becomes "-X PUT", "-sSo out" becomes
// "-s -S -o out", "-dx=1" becomes "-d x=1". An argument that is a flag
// of fs as it is (Go's single-dash long flags, "-data", "-data=x"), or
// holds a letter that is no flag of fs, is left alone, for the flag
// package to read or refuse.
func expandShortFlags(fs *flag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i, arg := range args {
		if arg == "--" {
			return append(out, args[i:]...)
		}
		name, ok := strings.CutPrefix(arg, "-")
		before, _, hasValue := strings.Cut(name, "=")
		if !ok || len(name) < 2 || strings.HasPrefix(name, "-") || fs.Lookup(name) != nil || hasValue && fs.Lookup(before) != nil {
			out = append(out, arg)
			continue
		}
		var expanded []string
		for j := 0; j < len(name); j++ {
			f := fs.Lookup(name[j : j+1])
			if f == nil {
				expanded = nil
				break
			}
			expanded = append(expanded, "-"+name[j:j+1])
			if !isBoolFlag(f) {
				if rest := name[j+1:]; rest != "" {
					expanded = append(expanded, rest)
				}
				break
			}
		}
		if expanded == nil {
			out = append(out, arg)
			continue
		}
		out = append(out, expanded...)
	}
	return out
}

// isBoolFlag reports whether f takes no value.
func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// builtRequest is a request of the command line, with what it takes to
// sign it and to clean up.
type builtRequest struct {
	req *http.Request
	// file is the body's file (-T, --data-binary @FILE), or nil.
	file *os.File
	// payload is the hex SHA-256 of the body once payloadHash computed it.
	payload string
	// cleanup closes the body's file and removes a spooled copy.
	cleanup func()
}

// payloadHash returns the hex SHA-256 of the body, computed once: a file
// is read to hash it, then again when it is sent, and never held in
// memory.
func (b *builtRequest) payloadHash() (string, error) {
	if b.payload != "" {
		return b.payload, nil
	}
	if b.file == nil {
		p, err := hashBody(b.req)
		b.payload = p
		return p, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, b.file); err != nil {
		return "", failf("reading %s: %v", b.file.Name(), err).withHint("check the file given with -T or --data-binary")
	}
	if _, err := b.file.Seek(0, io.SeekStart); err != nil {
		return "", failf("reading %s: %v", b.file.Name(), err).withHint("check the file given with -T or --data-binary")
	}
	b.payload = hex.EncodeToString(h.Sum(nil))
	return b.payload, nil
}

// buildRequest makes the request of a curl-like command line: method, URL,
// headers and body, as curl would send it.
func (a *app) buildRequest(rf *requestFlags, rawURL string) (*builtRequest, error) {
	b := &builtRequest{cleanup: func() {}}
	u, err := parseHTTPURL(rawURL)
	if err != nil {
		return nil, err
	}
	if rf.upload != "" && len(rf.data) > 0 {
		return nil, usagef("-T and -d (or --data-*) both give a body").withHint("send the file with -T FILE, or the data with -d, not both")
	}
	method := rf.method
	if method == "" {
		switch {
		case rf.upload != "":
			method = http.MethodPut
		case len(rf.data) > 0:
			method = http.MethodPost
		default:
			method = http.MethodGet
		}
	}
	if !validMethod(method) {
		return nil, usagef("-X %q is not an HTTP method", method).withHint("pass a method such as GET, PUT, POST, HEAD or DELETE")
	}
	if rf.upload != "" && rf.upload != "-" && strings.HasSuffix(u.Path, "/") {
		// curl: a URL without a file part gets the file's name.
		u.Path += filepath.Base(rf.upload)
		if u.RawPath != "" {
			u.RawPath += url.PathEscape(filepath.Base(rf.upload))
		}
	}
	req, err := http.NewRequestWithContext(a.ctx, method, u.String(), nil)
	if err != nil {
		return nil, usagef("%q is not a URL", rawURL).withHint("give the whole URL: https://host/path?query")
	}
	req.URL = u // keep the URL as given, escaping included
	req.Header.Set("User-Agent", "sigv4kit-cli/"+strings.Fields(version())[0])
	var remove []string
	for _, h := range rf.headers {
		name, value, del, err := parseHeader(h)
		if err != nil {
			return nil, err
		}
		switch {
		case http.CanonicalHeaderKey(name) == "Content-Length":
			return nil, usagef("-H %q: Content-Length is set from the body", h).withHint("leave Content-Length out; the body (-d, -T) sets it")
		case del:
			remove = append(remove, name)
		case http.CanonicalHeaderKey(name) == "Host":
			req.Host = value
		default:
			req.Header.Add(name, value)
		}
	}

	switch {
	case rf.upload != "":
		if err := a.fileBody(b, req, rf.upload, "-T"); err != nil {
			return nil, err
		}
	case len(rf.data) == 1 && rf.data[0].kind == dataBinary && strings.HasPrefix(rf.data[0].value, "@") && rf.data[0].value != "@-":
		// One --data-binary @file: streamed from the file.
		if err := a.fileBody(b, req, rf.data[0].value[1:], "--data-binary"); err != nil {
			return nil, err
		}
	case len(rf.data) > 0:
		body, err := a.readData(rf.data)
		if err != nil {
			return nil, err
		}
		setBytesBody(req, body)
	}
	if len(rf.data) > 0 && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded") // as curl -d
	}
	for _, name := range remove {
		req.Header.Del(name)
	}
	b.req = req
	return b, nil
}

// parseHTTPURL parses an http or https URL as given, escaping included.
func parseHTTPURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		reason := "it does not parse"
		if errors.As(err, &ue) {
			reason = strings.TrimPrefix(ue.Err.Error(), "net/url: ")
		}
		return nil, usagef("%q is not a URL: %s", rawURL, reason).withHint("quote the URL in single quotes, and escape spaces and %% signs as %%20 and %%25")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, usagef("%q is not an http or https URL", rawURL).withHint("give the whole URL: https://host/path?query")
	}
	return u, nil
}

// validMethod reports whether m is an HTTP token.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// readData joins the data parts as curl does: each read (a string, @file
// or @- for standard input), then joined with '&'. -d's files lose their
// carriage returns and line feeds; --data-binary's are sent as they are.
func (a *app) readData(parts []dataPart) ([]byte, error) {
	var body []byte
	for i, d := range parts {
		var v []byte
		switch {
		case d.kind == dataRaw || !strings.HasPrefix(d.value, "@"):
			v = []byte(d.value)
		case d.value == "@-":
			b, err := io.ReadAll(a.stdin)
			if err != nil {
				return nil, failf("reading standard input: %v", err).withHint("pipe the body in, or pass it with @FILE")
			}
			v = b
		default:
			b, err := os.ReadFile(d.value[1:])
			if err != nil {
				return nil, fileError(err, d.value[1:], dataFlagName(d.kind))
			}
			v = b
		}
		if d.kind == dataText && strings.HasPrefix(d.value, "@") {
			v = bytes.ReplaceAll(bytes.ReplaceAll(v, []byte("\r"), nil), []byte("\n"), nil)
		}
		if i > 0 {
			body = append(body, '&')
		}
		body = append(body, v...)
	}
	return body, nil
}

func dataFlagName(k dataKind) string {
	switch k {
	case dataBinary:
		return "--data-binary"
	case dataRaw:
		return "--data-raw"
	}
	return "-d"
}

// fileBody makes the file name (or standard input for "-") the body of
// req, streamed from the file: hashed once if the signature needs it
// (payloadHash), and read again when sent. Standard input and other files
// that cannot be read twice (pipes) are copied to a temporary file first,
// never into memory.
func (a *app) fileBody(b *builtRequest, req *http.Request, name, flagName string) error {
	var f *os.File
	var err error
	if name == "-" {
		if f, err = a.spool(a.stdin, b); err != nil {
			return failf("reading standard input: %v", err).withHint("check that the temporary directory (TMPDIR) is writable")
		}
	} else {
		if f, err = os.Open(name); err != nil {
			return fileError(err, name, flagName)
		}
		st, err := f.Stat()
		switch {
		case err != nil:
			f.Close()
			return fileError(err, name, flagName)
		case st.IsDir():
			f.Close()
			return usagef("%s %s is a directory", flagName, name).withHint("name a file")
		case !st.Mode().IsRegular():
			// A pipe or a device: read once, into a temporary file.
			src := f
			f, err = a.spool(src, b)
			src.Close()
			if err != nil {
				return failf("reading %s: %v", name, err).withHint("check that the temporary directory (TMPDIR) is writable")
			}
		default:
			prev := b.cleanup
			b.cleanup = func() { f.Close(); prev() }
		}
	}
	st, err := f.Stat()
	if err != nil {
		return fileError(err, name, flagName)
	}
	b.file = f
	req.ContentLength = st.Size()
	if st.Size() == 0 {
		req.Body, req.GetBody = http.NoBody, nil
		return nil
	}
	req.Body = io.NopCloser(f) // closed by cleanup
	path := f.Name()
	req.GetBody = func() (io.ReadCloser, error) { return os.Open(path) }
	return nil
}

// spool copies r to a temporary file, removed by b's cleanup, and returns
// it open at its start.
func (a *app) spool(r io.Reader, b *builtRequest) (*os.File, error) {
	f, err := os.CreateTemp("", "sigv4-body-*")
	if err != nil {
		return nil, err
	}
	prev := b.cleanup
	b.cleanup = func() { f.Close(); os.Remove(f.Name()); prev() }
	if _, err := io.Copy(f, r); err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return f, nil
}

// hashBody returns the hex SHA-256 of req's body, read through GetBody.
func hashBody(req *http.Request) (string, error) {
	if req.Body == nil || req.Body == http.NoBody || req.GetBody == nil {
		return sigv4.EmptyPayloadHash, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return "", failf("reading the body: %v", err).withHint("check the file given with -d or -T")
	}
	defer body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, body); err != nil {
		return "", failf("reading the body: %v", err).withHint("check the file given with -d or -T")
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fileError describes a file that cannot be read, without Go's
// "open NAME: ..." wording.
func fileError(err error, name, flagName string) *cliError {
	var reason string
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return failf("%s: no such file: %s", flagName, name).withHint("check the path (relative to %s)", cwd())
	case errors.Is(err, fs.ErrPermission):
		return failf("%s: cannot read %s: permission denied", flagName, name).withHint("check the file's permissions (ls -l %s)", name)
	default:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			reason = pe.Err.Error()
		} else {
			reason = err.Error()
		}
	}
	if strings.Contains(reason, "is a directory") {
		return failf("%s: %s is a directory", flagName, name).withHint("name a file")
	}
	return failf("%s: cannot read %s: %s", flagName, name, reason).withHint("check the file")
}

// cwd names the working directory for hints.
func cwd() string {
	if d, err := os.Getwd(); err == nil {
		return d
	}
	return "the working directory"
}

// setBytesBody makes b the replayable body of req.
func setBytesBody(req *http.Request, b []byte) {
	req.ContentLength = int64(len(b))
	if len(b) == 0 {
		req.Body, req.GetBody = http.NoBody, nil
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}
