// Package verifydiff checks that sigv4kit's Verifier accepts what the
// signers sign: sigv4kit's own Signer and aws-sdk-go-v2's v4 signer, header
// signed and presigned, over the differential generator's requests. Each
// signed request goes through its HTTP/1.1 wire form and is read back as a
// server reads it.
package verifydiff

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/sigv4kit/sigv4kit/compat/differential"
	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// verifier is the server side of spec s.
func verifier(t *testing.T, s *differential.Spec) *sigv4.Verifier {
	t.Helper()
	cfg := sigv4.VerifierConfig{
		Service: s.Service,
		Regions: []string{s.Region},
		Secrets: sigv4.StaticSecrets(credentials.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.Secret, SessionToken: s.Token}),
		Now:     func() time.Time { return s.Time },
	}
	if !s.S3 && !s.Normalize {
		cfg.NormalizePath = sigv4.Off
	}
	if s.UnsignedToken {
		cfg.SignSessionToken = sigv4.Off
	}
	v, err := sigv4.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// throughWire returns the server's view of req, or nil when the wire
// cannot carry it (Go's client or server refuses the bytes).
func throughWire(req *http.Request) *http.Request {
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		return nil
	}
	r, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		return nil
	}
	return r
}

type outcome struct{ verified, wireless, bodyRefused, lies int }

// check verifies r: the signature must verify, and the body must read
// back intact exactly when the signed payload hash is its hash.
func check(t *testing.T, v *sigv4.Verifier, s *differential.Spec, who string, req *http.Request, o *outcome, lie bool) {
	t.Helper()
	r := throughWire(req)
	if r == nil {
		o.wireless++
		return
	}
	vd, err := v.Verify(r)
	if lie {
		// The payload line is not the body's hash and the server has only
		// the body to go by: it must refuse.
		var ae *sigv4.AuthError
		if !errors.As(err, &ae) || ae.Code != sigv4.CodeSignatureDoesNotMatch {
			t.Errorf("%s: a payload line that is not the body's hash: %v\nspec: %s", who, err, s.String())
		}
		o.lies++
		return
	}
	if checksumLie(s) {
		// An x-amz-checksum-crc32 header that is not the body's CRC32 is
		// refused: at Verify when the value cannot be a CRC32, else when
		// the body has been read.
		var ae *sigv4.AuthError
		if err == nil {
			_, err = io.ReadAll(r.Body)
		}
		if !errors.As(err, &ae) || ae.Code != sigv4.CodeInvalidRequest && ae.Code != sigv4.CodeBadDigest {
			t.Errorf("%s: an x-amz-checksum-crc32 that is not the body's: %v\nspec: %s", who, err, s.String())
		}
		o.lies++
		return
	}
	if err != nil {
		var ae *sigv4.AuthError
		errors.As(err, &ae)
		t.Errorf("%s: %v\nspec: %s\nserver's canonical request:\n%s", who, err, s.String(), canon(ae))
		return
	}
	body, err := io.ReadAll(r.Body)
	bodyOK := len(vd.PayloadHash) != 64 || vd.PayloadHash == s.BodyHash()
	switch {
	case err == nil && !bodyOK:
		t.Errorf("%s: a body that does not match the signed payload hash was accepted\nspec: %s", who, s.String())
	case err != nil && bodyOK:
		t.Errorf("%s: body refused: %v\nspec: %s", who, err, s.String())
	case err != nil:
		o.bodyRefused++
	case !bytes.Equal(body, s.Body):
		t.Errorf("%s: body changed", who)
	}
	o.verified++
}

// checksumLie reports whether s carries an X-Amz-Checksum-Crc32 header
// (any case) whose value is not the base64 CRC32 of its body: the
// Verifier checks that header against the body.
func checksumLie(s *differential.Spec) bool {
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc32.ChecksumIEEE(s.Body))
	want := base64.StdEncoding.EncodeToString(sum[:])
	for _, h := range s.Headers {
		if strings.EqualFold(h.Name, "X-Amz-Checksum-Crc32") && h.Value != want {
			return true
		}
	}
	return false
}

func canon(ae *sigv4.AuthError) string {
	if ae == nil {
		return ""
	}
	return ae.CanonicalRequest
}

func presignedRequest(t *testing.T, method, rawURL string, h http.Header, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, bytes.NewReader(body))
	if err != nil {
		return nil
	}
	if len(body) == 0 {
		req.Body, req.GetBody, req.ContentLength = nil, nil, 0
	}
	for k, vv := range h {
		if !strings.EqualFold(k, "Host") && !strings.EqualFold(k, "Content-Length") {
			req.Header[k] = vv
		}
	}
	return req
}

// TestVerifyGenerated signs the generator's requests with sigv4kit and
// aws-sdk-go-v2, header signed and presigned, and verifies each.
func TestVerifyGenerated(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 300
	}
	ctx := context.Background()
	g := differential.NewGenerator(20261128)
	var kitH, kitP, sdkH, sdkP outcome
	for range n {
		s := g.Next()
		v := verifier(t, &s)

		// A header-signed request of another service that does not send
		// X-Amz-Content-Sha256 but signs a payload line other than its
		// body's hash cannot verify: the server hashes the body.
		lie := !s.S3 && !s.ContentHeader && s.PayloadHash != "" && s.PayloadHash != s.BodyHash()
		// sigv4kit, header.
		signer, err := sigv4.New(s.KitConfig())
		if err != nil {
			t.Fatal(err)
		}
		req := s.KitRequest(false)
		if err := signer.Sign(ctx, req, s.PayloadHash); err == nil {
			check(t, v, &s, "sigv4kit Sign", req, &kitH, lie)
		}
		// sigv4kit, presigned (sigv4kit never hoists headers).
		if s.Expires > 0 {
			p, err := signer.Presign(ctx, s.KitRequest(false), s.Expires)
			if err == nil {
				if r := presignedRequest(t, p.Method, p.URL, p.Header, s.Body); r != nil {
					check(t, v, &s, "sigv4kit Presign", r, &kitP, false)
				}
			}
		}
		// aws-sdk-go-v2, header.
		creds := aws.Credentials{AccessKeyID: s.AccessKey, SecretAccessKey: s.Secret, SessionToken: s.Token}
		opts := func(presign bool) func(*v4.SignerOptions) {
			return func(o *v4.SignerOptions) {
				o.DisableURIPathEscaping = s.S3
				o.DisableSessionToken = s.UnsignedToken
				o.DisableHeaderHoisting = !(presign && s.Hoist)
			}
		}
		payload := s.PayloadHash
		if payload == "" {
			payload = s.BodyHash()
		}
		req = s.SDKRequest(false)
		if s.S3 || s.ContentHeader {
			req.Header.Set("X-Amz-Content-Sha256", payload)
		}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, payload, s.Service, s.Region, s.Time, opts(false)); err == nil {
			if s.UnsignedToken && s.Token != "" {
				req.Header.Set("X-Amz-Security-Token", s.Token)
			}
			check(t, v, &s, "aws-sdk-go-v2 SignHTTP", req, &sdkH, lie)
		}
		// aws-sdk-go-v2, presigned.
		if s.Expires > 0 {
			ppayload := "UNSIGNED-PAYLOAD"
			if !s.S3 {
				ppayload = s.BodyHash()
			}
			u, h, err := v4.NewSigner().PresignHTTP(ctx, creds, s.SDKRequest(true), ppayload, s.Service, s.Region, s.Time, opts(true))
			if err == nil {
				if s.UnsignedToken && s.Token != "" && !strings.Contains(u, "X-Amz-Security-Token=") {
					u += "&X-Amz-Security-Token=" + sigv4.EscapeURIComponent(s.Token) // added after signing
				}
				if r := presignedRequest(t, s.Method, u, h, s.Body); r != nil {
					if s.ReqHost != "" {
						r.Host = s.ReqHost // the SDK signs req.Host but puts URL.Host in the URL
					}
					check(t, v, &s, "aws-sdk-go-v2 PresignHTTP", r, &sdkP, false)
				}
			}
		}
		if t.Failed() {
			break
		}
	}
	t.Logf("%d generated requests; verified (of which body refused for a payload hash that is not the body's):", n)
	for _, x := range []struct {
		name string
		o    outcome
	}{{"sigv4kit Sign", kitH}, {"sigv4kit Presign", kitP}, {"aws-sdk-go-v2 SignHTTP", sdkH}, {"aws-sdk-go-v2 PresignHTTP", sdkP}} {
		t.Logf("  %-26s verified %4d (body refused %3d), refused as expected %3d, not carried by the wire %d", x.name, x.o.verified, x.o.bodyRefused, x.o.lies, x.o.wireless)
	}
}
