package suites

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func mustLoad(t *testing.T, name string) *Suite {
	t.Helper()
	s, err := Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func file(t *testing.T, c *Case, name string) []byte {
	t.Helper()
	data, err := c.File(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestSuiteCounts checks the cases each committed archive holds, by the
// counts ../shared/testdata/README.md gives.
func TestSuiteCounts(t *testing.T) {
	tests := []struct {
		name       string
		cases      int
		complete   int
		files      int      // files in every complete case
		incomplete []string // cases without expected outputs
		other      []string // suite files outside the cases
	}{
		{V4, 38, 38, 10, nil, []string{"LICENSE", "NOTICE"}},
		{V4A, 40, 38, 11, []string{"get-vanilla-query-order-key", "get-vanilla-query-order-value"}, []string{"LICENSE", "NOTICE"}},
		{Legacy, 31, 31, 5, nil, []string{"LICENSE", "LICENSE.mhart-aws4", "NOTICE", "normalize-path/normalize-path.txt", "post-sts-token/readme.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustLoad(t, tt.name)
			if len(s.Cases) != tt.cases {
				t.Errorf("%d cases, want %d", len(s.Cases), tt.cases)
			}
			var incomplete []string
			inCases := 0
			for _, c := range s.Cases {
				inCases += len(c.Files)
				if !c.Complete {
					incomplete = append(incomplete, c.Name)
					if len(c.Files) != 2 || c.Files["context.json"] == nil || c.Files["request.txt"] == nil {
						t.Errorf("incomplete case %s has %d files, want context.json and request.txt", c.Name, len(c.Files))
					}
					continue
				}
				// v4a/get-vanilla also has canonical-request.txt and
				// string-to-sign.txt, copies of its header-* files.
				want := tt.files
				if tt.name == V4A && c.Name == "get-vanilla" {
					want += 2
					for _, p := range [][2]string{{"canonical-request.txt", "header-canonical-request.txt"}, {"string-to-sign.txt", "header-string-to-sign.txt"}} {
						if !bytes.Equal(file(t, c, p[0]), file(t, c, p[1])) {
							t.Errorf("v4a/get-vanilla: %s differs from %s", p[0], p[1])
						}
					}
				}
				if len(c.Files) != want {
					t.Errorf("case %s has %d files, want %d", c.Name, len(c.Files), want)
				}
			}
			if len(s.Cases)-len(incomplete) != tt.complete {
				t.Errorf("%d complete cases, want %d", len(s.Cases)-len(incomplete), tt.complete)
			}
			if !slices.Equal(incomplete, tt.incomplete) {
				t.Errorf("incomplete cases %q, want %q", incomplete, tt.incomplete)
			}
			var other []string
			for p := range s.Files {
				if dir, _ := path.Split(p); dir == "" || !slices.ContainsFunc(s.Cases, func(c *Case) bool { return c.Name+"/" == dir }) {
					other = append(other, p)
				}
			}
			slices.Sort(other)
			if !slices.Equal(other, tt.other) {
				t.Errorf("files outside the cases %q, want %q", other, tt.other)
			}
			if inCases+len(other) != len(s.Files) {
				t.Errorf("%d case files and %d others, but %d files", inCases, len(other), len(s.Files))
			}
		})
	}
}

// TestSuiteHeaders checks that each archive's header names its origin,
// its licence and how it was generated.
func TestSuiteHeaders(t *testing.T) {
	for _, src := range Sources() {
		t.Run(src.Name, func(t *testing.T) {
			s := mustLoad(t, src.Name)
			wants := []string{"Origin: ", "https://github.com/", "commit ", "Licence: ", "go run ./internal/cmd/gensuites", "do not edit"}
			if src.Name == Legacy {
				wants = append(wants, "mhart/aws4", "MIT", "Apache-2.0", "AWS General Reference")
			} else {
				wants = append(wants, "awslabs/aws-c-auth", "Apache-2.0")
			}
			for _, w := range wants {
				if !strings.Contains(s.Header, w) {
					t.Errorf("header lacks %q:\n%s", w, s.Header)
				}
			}
			if s.Header != src.Origin+"\n"+generated {
				t.Errorf("header is not the source's:\n%s", s.Header)
			}
		})
	}
}

// TestSuiteBytes checks byte-level facts the transcription must keep:
// missing final newlines, bodies, CRLF notes, UTF-8 and obs-fold.
func TestSuiteBytes(t *testing.T) {
	v4, legacy := mustLoad(t, V4), mustLoad(t, Legacy)
	byName := func(s *Suite, name string) *Case {
		t.Helper()
		i := slices.IndexFunc(s.Cases, func(c *Case) bool { return c.Name == name })
		if i < 0 {
			t.Fatalf("%s has no case %s", s.Name, name)
		}
		return s.Cases[i]
	}
	tests := []struct {
		what string
		got  []byte
		want string
	}{
		// AWS's published signature of the vanilla GET.
		{"v4 get-vanilla signature", file(t, byName(v4, "get-vanilla"), "header-signature.txt"),
			"5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{"v4 get-vanilla request (no body: ends after the headers)", file(t, byName(v4, "get-vanilla"), "request.txt"),
			"GET / HTTP/1.1\nHost:example.amazonaws.com\n"},
		{"v4 get-utf8 request line", firstLine(file(t, byName(v4, "get-utf8"), "request.txt")), "GET /ሴ HTTP/1.1"},
		{"v4 get-space-normalized request line", firstLine(file(t, byName(v4, "get-space-normalized"), "request.txt")), "GET /example space/ HTTP/1.1"},
		{"v4 multiline request (obs-fold)", file(t, byName(v4, "get-header-value-multiline"), "request.txt"),
			"GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value1\n  value2\n     value3\n"},
		{"legacy multiline canonical header (comma join)", line(file(t, byName(legacy, "get-header-value-multiline"), "get-header-value-multiline.creq"), 4),
			"my-header1:value1,value2,value3"},
	}
	for _, tt := range tests {
		if string(tt.got) != tt.want {
			t.Errorf("%s = %q, want %q", tt.what, tt.got, tt.want)
		}
	}
	body := file(t, byName(v4, "post-x-www-form-urlencoded"), "request.txt")
	if !bytes.HasSuffix(body, []byte("\n\nParam1=value1")) {
		t.Errorf("post-x-www-form-urlencoded request does not end with its body and no newline: %q", body)
	}
	for _, note := range []string{"normalize-path/normalize-path.txt", "post-sts-token/readme.txt"} {
		data, err := legacy.File(note)
		if err != nil {
			t.Fatal(err)
		}
		if n, lf := bytes.Count(data, []byte("\r\n")), bytes.Count(data, []byte("\n")); n == 0 || n != lf {
			t.Errorf("%s: %d CRLF of %d line ends, want all CRLF", note, n, lf)
		}
	}
	for _, s := range []*Suite{v4, legacy} {
		for _, c := range s.Cases {
			for name, data := range c.Files {
				if bytes.ContainsRune(data, '\r') {
					t.Errorf("%s/%s contains CR", s.Name, name)
				}
			}
		}
	}
}

func firstLine(b []byte) []byte { return line(b, 0) }

func line(b []byte, n int) []byte {
	lines := bytes.Split(b, []byte("\n"))
	if n >= len(lines) {
		return nil
	}
	return lines[n]
}

// TestSuiteSelfConsistency recomputes what can be recomputed from each
// complete case alone: the hash of the canonical request on the last line
// of the string to sign, and the signature, an HMAC chain (SigV4) or an
// ECDSA signature checked against public-key.json (SigV4a). A byte lost
// or added in the transcription breaks one of them.
func TestSuiteSelfConsistency(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	for _, name := range []string{V4, V4A, Legacy} {
		t.Run(name, func(t *testing.T) {
			checked := 0
			for _, c := range mustLoad(t, name).Cases {
				if !c.Complete {
					continue
				}
				forms := [][4]string{ // canonical request, string to sign, signature, signed request
					{"header-canonical-request.txt", "header-string-to-sign.txt", "header-signature.txt", "header-signed-request.txt"},
					{"query-canonical-request.txt", "query-string-to-sign.txt", "query-signature.txt", "query-signed-request.txt"},
				}
				if name == Legacy {
					b := path.Base(c.Name)
					forms = [][4]string{{b + ".creq", b + ".sts", b + ".authz", b + ".sreq"}}
				}
				for _, f := range forms {
					creq, sts, sig, signed := file(t, c, f[0]), file(t, c, f[1]), string(file(t, c, f[2])), file(t, c, f[3])
					sum := sha256.Sum256(creq)
					lines := strings.Split(string(sts), "\n")
					if len(lines) != 4 || lines[3] != hex.EncodeToString(sum[:]) {
						t.Errorf("%s %s: last line of %s is not sha256(%s)", name, c.Name, f[1], f[0])
						continue
					}
					if name == Legacy {
						_, s, ok := strings.Cut(sig, "Signature=")
						if !ok {
							t.Errorf("%s: %s has no Signature=", c.Name, f[2])
						}
						sig = s
					}
					if name == V4A {
						if !verifyECDSA(t, file(t, c, "public-key.json"), sts, sig) {
							t.Errorf("%s %s: %s does not verify against public-key.json", name, c.Name, f[2])
						}
					} else if want := hmacSignature(secret, lines); sig != want {
						t.Errorf("%s %s: %s = %s, HMAC gives %s", name, c.Name, f[2], sig, want)
					}
					if name != V4A && !bytes.Contains(signed, []byte(sig)) {
						t.Errorf("%s %s: %s does not contain the signature", name, c.Name, f[3])
					}
					checked++
				}
			}
			t.Logf("%s: %d signatures checked", name, checked)
			if want := map[string]int{V4: 76, V4A: 76, Legacy: 31}[name]; checked != want {
				t.Errorf("checked %d signatures, want %d", checked, want)
			}
		})
	}
}

// hmacSignature is the SigV4 signature of a string to sign (its lines),
// with the signing key derived from the scope on its third line.
func hmacSignature(secret string, sts []string) string {
	mac := func(key []byte, s string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(s))
		return h.Sum(nil)
	}
	key := []byte("AWS4" + secret)
	for _, part := range strings.Split(sts[2], "/") {
		key = mac(key, part)
	}
	return hex.EncodeToString(mac(key, strings.Join(sts, "\n")))
}

// verifyECDSA checks a DER hex signature of sha256(sts) against a
// public-key.json.
func verifyECDSA(t *testing.T, pubJSON, sts []byte, sigHex string) bool {
	t.Helper()
	var pk struct{ X, Y string }
	if err := json.Unmarshal(pubJSON, &pk); err != nil {
		t.Fatal(err)
	}
	x, errX := hex.DecodeString(pk.X)
	y, errY := hex.DecodeString(pk.Y)
	sig, errS := hex.DecodeString(sigHex)
	if err := errors.Join(errX, errY, errS); err != nil {
		t.Fatal(err)
	}
	pad := func(b []byte) []byte { return append(make([]byte, 32-len(b)), b...) }
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), slices.Concat([]byte{4}, pad(x), pad(y)))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(sts)
	return ecdsa.VerifyASN1(pub, sum[:], sig)
}

// TestContext parses every context.json of the current suites.
func TestContext(t *testing.T) {
	for _, name := range []string{V4, V4A} {
		normalize, sign, token, omit := 0, 0, 0, 0
		for _, c := range mustLoad(t, name).Cases {
			ctx, err := c.Context()
			if err != nil {
				t.Fatal(err)
			}
			if ctx.Credentials.AccessKeyID != "AKIDEXAMPLE" || ctx.Region != "us-east-1" || ctx.Service != "service" ||
				ctx.Timestamp != "2015-08-30T12:36:00Z" || ctx.ExpirationInSeconds != 3600 {
				t.Errorf("%s %s: context %+v", name, c.Name, ctx)
			}
			if strings.HasSuffix(c.Name, "-normalized") && !ctx.Normalize || strings.HasSuffix(c.Name, "-unnormalized") && ctx.Normalize {
				t.Errorf("%s %s: normalize = %v", name, c.Name, ctx.Normalize)
			}
			if ctx.Normalize {
				normalize++
			}
			if ctx.SignBody {
				sign++
			}
			if ctx.Credentials.Token != "" {
				token++
			}
			if ctx.OmitSessionToken {
				omit++
			}
		}
		// Two cases sign the body; get-vanilla-with-session-token and
		// post-sts-header-before and -after carry a token, and -after
		// omits it from the signature.
		if sign != 2 || token != 3 || omit != 1 || normalize == 0 {
			t.Errorf("%s: %d sign_body, %d tokens, %d omit_session_token, %d normalize", name, sign, token, omit, normalize)
		}
	}

	bad := &Case{Name: "x", Files: map[string][]byte{"context.json": []byte(`{"region":"us-east-1","regions":[]}`)}}
	if _, err := bad.Context(); err == nil || !strings.Contains(err.Error(), "regions") {
		t.Errorf("unknown field: Context() error = %v, want one naming regions", err)
	}
	if _, err := (&Case{Name: "x"}).Context(); !errors.Is(err, ErrNoFile) {
		t.Errorf("no context.json: Context() error = %v, want ErrNoFile", err)
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load("v5"); !errors.Is(err, ErrUnknownSuite) {
		t.Errorf("Load(v5) error = %v, want ErrUnknownSuite", err)
	}
	if _, err := Transcribe(os.DirFS(t.TempDir()), "v5"); !errors.Is(err, ErrUnknownSuite) {
		t.Errorf("Transcribe(v5) error = %v, want ErrUnknownSuite", err)
	}
	if _, err := Transcribe(os.DirFS(t.TempDir()), V4); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Transcribe of an empty folder: error = %v, want fs.ErrNotExist", err)
	}
	s := mustLoad(t, Legacy)
	if _, err := s.File("nope.txt"); !errors.Is(err, ErrNoFile) {
		t.Errorf("Suite.File(nope.txt) error = %v, want ErrNoFile", err)
	}
}

// sharedRoot returns $SIGV4_TESTDATA or ../shared/testdata next to the
// module root, and whether it exists.
func sharedRoot(t *testing.T) (string, bool) {
	t.Helper()
	dir := os.Getenv("SIGV4_TESTDATA")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		// This package is internal/suites in the module.
		dir = filepath.Join(wd, "..", "..", "..", "shared", "testdata")
	}
	fi, err := os.Stat(dir)
	return dir, err == nil && fi.IsDir()
}

// TestTranscriptionMatchesShared regenerates every archive from
// ../shared/testdata (or $SIGV4_TESTDATA) and fails if a committed archive
// differs by a byte, or if a file of the suite folders is missing from
// the transcription or differs from it. Without the folder it says so and
// checks only that each committed archive is in the canonical form
// Format writes.
func TestTranscriptionMatchesShared(t *testing.T) {
	for _, src := range Sources() {
		data, err := ArchiveBytes(src.Name)
		if err != nil {
			t.Fatal(err)
		}
		a, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		if out, err := Format(a); err != nil || !bytes.Equal(out, data) {
			t.Errorf("%s: the committed archive is not what Format writes (%v)", src.Name, err)
		}
	}
	root, ok := sharedRoot(t)
	if !ok {
		t.Logf("%s does not exist: the committed transcription was not compared with AWS's suites", root)
		return
	}
	t.Logf("comparing the committed transcription with %s", root)
	fsys := os.DirFS(root)
	readme, err := fs.ReadFile(fsys, "README.md")
	if err != nil {
		t.Fatal(err)
	}
	commit := regexp.MustCompile(`\b[0-9a-f]{40}\b`)
	for _, src := range Sources() {
		t.Run(src.Name, func(t *testing.T) {
			// The origin commits named in the header are those the
			// folder's README gives.
			for _, c := range commit.FindAllString(src.Origin, -1) {
				if !bytes.Contains(readme, []byte(c)) {
					t.Errorf("header names commit %s, which %s/README.md does not", c, root)
				}
			}

			want, err := Transcribe(fsys, src.Name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ArchiveBytes(src.Name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("internal/suites/testdata/%s.txtar differs from the transcription of %s; run go run ./internal/cmd/gensuites", src.Name, filepath.Join(root, src.Dir))
			}

			// Independently of Transcribe: every file on disk is in the
			// loaded suite, byte for byte, and nothing else is.
			s := mustLoad(t, src.Name)
			onDisk := map[string]bool{}
			for _, p := range src.Licence {
				onDisk[path.Base(p)] = true
				checkSame(t, fsys, p, s.Files[path.Base(p)])
			}
			err = fs.WalkDir(fsys, src.Dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel := strings.TrimPrefix(p, src.Dir+"/")
				onDisk[rel] = true
				checkSame(t, fsys, p, s.Files[rel])
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for p := range s.Files {
				if !onDisk[p] {
					t.Errorf("%s holds %s, which %s does not", src.Name, p, filepath.Join(root, src.Dir))
				}
			}
			if len(onDisk) != len(s.Files) {
				t.Errorf("%d files on disk, %d in the transcription", len(onDisk), len(s.Files))
			}
		})
	}
}

func checkSame(t *testing.T, fsys fs.FS, p string, got []byte) {
	t.Helper()
	want, err := fs.ReadFile(fsys, p)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || !bytes.Equal(got, want) {
		t.Errorf("%s: transcription differs from the file (%d bytes, want %d)", p, len(got), len(want))
	}
}
