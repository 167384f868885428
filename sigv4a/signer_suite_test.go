package sigv4a_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/suites"
	"github.com/sigv4kit/sigv4kit/sigv4"
	"github.com/sigv4kit/sigv4kit/sigv4a"
)

// The v4a suite through the public API: the Signer's canonical requests
// and strings to sign, header and query form, byte for byte; its public key;
// the suite's own signed requests accepted by a sigv4.Verifier with
// sigv4a.Algorithm; and the Signer's signatures checked with crypto/ecdsa
// against public-key.json.

func toggle(on bool) sigv4.Toggle {
	if on {
		return sigv4.On
	}
	return sigv4.Off
}

func caseFile(t testing.TB, c *suites.Case, name string) []byte {
	t.Helper()
	b, err := c.File(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// suiteRequest parses a case's request.txt (request line with a raw,
// decoded path; "Name:value" headers, obs-fold continuation lines kept in
// the value after "\n"; a blank line; the body) into a client request.
func suiteRequest(t testing.TB, data []byte) *http.Request {
	t.Helper()
	head, body, _ := strings.Cut(string(data), "\n\n")
	lines := strings.Split(head, "\n")
	sp, hp := strings.IndexByte(lines[0], ' '), strings.LastIndex(lines[0], " HTTP/")
	if sp < 0 || hp <= sp {
		t.Fatalf("bad request line %q", lines[0])
	}
	path, query, _ := strings.Cut(lines[0][sp+1:hp], "?")
	req := &http.Request{Method: lines[0][:sp], Header: http.Header{}}
	var last string
	for _, line := range lines[1:] {
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			vv := req.Header[last]
			vv[len(vv)-1] += "\n" + line
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("bad header line %q", line)
		}
		key := http.CanonicalHeaderKey(name)
		switch key {
		case "Host":
			req.Host = value
		case "Content-Length":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = n
		default:
			req.Header[key] = append(req.Header[key], value)
		}
		last = key
	}
	req.URL = &url.URL{Scheme: "https", Host: req.Host, Path: path, RawQuery: query}
	if body != "" {
		req.Body = io.NopCloser(strings.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
		if req.ContentLength == 0 {
			req.ContentLength = int64(len(body))
		}
	}
	return req
}

// serverRequest rebuilds, as a server receives it, a signed request of the
// suite (header-signed-request.txt or query-signed-request.txt) whose body
// is that of request.txt: the target escaped as a client sends it, header
// continuation lines joined with a space (as net/http does).
func serverRequest(t testing.TB, signed []byte, body string) *http.Request {
	t.Helper()
	head, _, _ := strings.Cut(string(signed), "\n\n")
	lines := strings.Split(head, "\n")
	sp, hp := strings.IndexByte(lines[0], ' '), strings.LastIndex(lines[0], " HTTP/")
	path, query, _ := strings.Cut(lines[0][sp+1:hp], "?")
	u := &url.URL{Path: path, RawQuery: query}
	r := &http.Request{Method: lines[0][:sp], Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	var last string
	for _, line := range lines[1:] {
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			vv := r.Header[last]
			vv[len(vv)-1] += " " + strings.TrimSpace(line)
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		key := http.CanonicalHeaderKey(name)
		last = key
		switch key {
		case "Host":
			r.Host = value
			continue
		case "Content-Length":
			continue
		}
		r.Header[key] = append(r.Header[key], strings.TrimSpace(value))
	}
	r.RequestURI = u.RequestURI()
	parsed, err := url.ParseRequestURI(r.RequestURI)
	if err != nil {
		t.Fatalf("target %q: %v", r.RequestURI, err)
	}
	r.URL = parsed
	r.ContentLength = int64(len(body))
	r.Body = io.NopCloser(strings.NewReader(body))
	return r
}

func suitePublicKey(t testing.TB, c *suites.Case) (*ecdsa.PublicKey, string) {
	t.Helper()
	var xy struct{ X, Y string }
	if err := json.Unmarshal(caseFile(t, c, "public-key.json"), &xy); err != nil {
		t.Fatal(err)
	}
	point, err := hex.DecodeString("04" + xy.X + xy.Y)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	if err != nil {
		t.Fatal(err)
	}
	return pub, xy.X + " " + xy.Y
}

func suiteSigner(t testing.TB, c suites.Context) *sigv4a.Signer {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, c.Timestamp)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sigv4a.New(sigv4a.Config{
		Service:             c.Service,
		RegionSet:           strings.Split(c.Region, ","),
		Credentials:         credentials.Static(c.Credentials.AccessKeyID, c.Credentials.SecretAccessKey, c.Credentials.Token),
		Now:                 func() time.Time { return ts },
		DoubleEscape:        sigv4.Off,
		NormalizePath:       toggle(c.Normalize),
		ContentSHA256Header: toggle(c.SignBody),
		SignSessionToken:    toggle(!c.OmitSessionToken),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func suiteVerifier(t testing.TB, c suites.Context, region string) *sigv4.Verifier {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, c.Timestamp)
	if err != nil {
		t.Fatal(err)
	}
	v, err := sigv4.NewVerifier(sigv4.VerifierConfig{
		Service: c.Service,
		Regions: []string{region},
		Secrets: sigv4.StaticSecrets(credentials.Credentials{
			AccessKeyID: c.Credentials.AccessKeyID, SecretAccessKey: c.Credentials.SecretAccessKey, SessionToken: c.Credentials.Token,
		}),
		Now:              func() time.Time { return ts },
		DoubleEscape:     sigv4.Off,
		NormalizePath:    toggle(c.Normalize),
		SignSessionToken: toggle(!c.OmitSessionToken),
		Algorithms:       []sigv4.SignatureAlgorithm{sigv4a.Algorithm()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// verifyDER checks a hex DER signature of sts with crypto/ecdsa alone.
func verifyDER(pub *ecdsa.PublicKey, sts, sig string) bool {
	der, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	digest := sha256.Sum256([]byte(sts))
	return ecdsa.VerifyASN1(pub, digest[:], der)
}

// TestSignerSuite runs every complete case of the v4a suite through
// Signer and a sigv4.Verifier with Algorithm, header and query form.
func TestSignerSuite(t *testing.T) {
	s, err := suites.Load(suites.V4A)
	if err != nil {
		t.Fatal(err)
	}
	complete := 0
	for _, c := range s.Cases {
		if !c.Complete {
			continue
		}
		complete++
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			sctx, err := c.Context()
			if err != nil {
				t.Fatal(err)
			}
			signer := suiteSigner(t, sctx)
			verifier := suiteVerifier(t, sctx, "us-east-1")
			outside := suiteVerifier(t, sctx, "eu-west-1")
			pub, wantKey := suitePublicKey(t, c)
			reqText := caseFile(t, c, "request.txt")
			_, body, _ := strings.Cut(string(reqText), "\n\n")
			want := func(f string) string { return string(caseFile(t, c, f)) }
			ctx := context.Background()
			expires := time.Duration(sctx.ExpirationInSeconds) * time.Second

			for _, form := range []string{"header", "query"} {
				var tr *sigv4.Trace
				if form == "header" {
					tr, err = signer.Explain(ctx, suiteRequest(t, reqText), "")
				} else {
					tr, err = signer.ExplainPresign(ctx, suiteRequest(t, reqText), expires)
				}
				if err != nil {
					t.Fatalf("%s: %v", form, err)
				}
				if got, w := tr.CanonicalRequest, want(form+"-canonical-request.txt"); got != w {
					t.Errorf("%s canonical request:\n got %q\nwant %q", form, got, w)
				}
				if got, w := tr.StringToSign, want(form+"-string-to-sign.txt"); got != w {
					t.Errorf("%s string to sign:\n got %q\nwant %q", form, got, w)
				}
				if w := tr.StringToSign[strings.IndexByte(tr.StringToSign[23:], '\n')+24:]; !strings.HasPrefix(w, tr.CredentialScope+"\n") {
					t.Errorf("%s: CredentialScope %q is not the string to sign's scope", form, tr.CredentialScope)
				}
				if tr.PublicKey != wantKey {
					t.Errorf("%s: Trace.PublicKey %q, want public-key.json's %q", form, tr.PublicKey, wantKey)
				}
				if !verifyDER(pub, tr.StringToSign, tr.Signature) {
					t.Errorf("%s: our signature %s does not verify with crypto/ecdsa against public-key.json", form, tr.Signature)
				}

				// The suite's own signed request, through the Verifier.
				signed := caseFile(t, c, form+"-signed-request.txt")
				if _, err := verifier.Verify(serverRequest(t, signed, body)); err != nil {
					var ae *sigv4.AuthError
					if errors.As(err, &ae) {
						t.Errorf("%s: suite's signed request refused: %v\nserver's canonical request:\n%s", form, err, ae.CanonicalRequest)
					} else {
						t.Errorf("%s: suite's signed request refused: %v", form, err)
					}
				}
				// Refused in a region outside the set, and once tampered.
				if code := authCode(outside.Verify(serverRequest(t, signed, body))); code == "" {
					t.Errorf("%s: accepted by a verifier in eu-west-1, outside the region set us-east-1", form)
				}
				tampered := bytes.Replace(signed, []byte("Host:example.amazonaws.com"), []byte("Host:example.amazonaws.org"), 1)
				if code := authCode(verifier.Verify(serverRequest(t, tampered, body))); code != sigv4.CodeSignatureDoesNotMatch {
					t.Errorf("%s: tampered host: code %q, want SignatureDoesNotMatch", form, code)
				}
			}

			// Our signed and presigned requests verify too.
			req := suiteRequest(t, reqText)
			if err := signer.Sign(ctx, req, ""); err != nil {
				t.Fatal(err)
			}
			if got := req.Header.Get("X-Amz-Region-Set"); got != sctx.Region {
				t.Errorf("X-Amz-Region-Set %q, want %q", got, sctx.Region)
			}
			if !strings.HasPrefix(req.Header.Get("Authorization"), sigv4a.AlgorithmName+" Credential=") {
				t.Errorf("Authorization %q", req.Header.Get("Authorization"))
			}
		})
	}
	if complete != 38 {
		t.Errorf("%d complete cases, want 38", complete)
	}
}

// authCode returns the S3 error code of a Verify error, "" for none, and
// "not an AuthError" for another error.
func authCode(_ *sigv4.Verified, err error) string {
	if err == nil {
		return ""
	}
	var ae *sigv4.AuthError
	if !errors.As(err, &ae) {
		return "not an AuthError: " + err.Error()
	}
	return ae.Code
}
