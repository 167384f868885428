package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
)

// The caches of this package (scope.go, midstate.go, shape.go,
// keycache.go, authcache.go, the verifier's date cache) must never change
// a result. TestCachesMatchReference runs long random sequences of
// requests from concurrent goroutines through shared Signers and a shared
// Verifier, whose caches carry over from one request to the next (changing
// header shapes, seconds, days, regions, services, credentials and rotated
// secrets), and compares every result with a reference computed without
// any cache: a new Signer or Verifier with no key cache and a new scratch
// for each request, whose steps 2 to 4 are recomputed once more with
// crypto/hmac.

type cacheCredsKey struct{}

var cacheTestCreds = []credentials.Credentials{
	{AccessKeyID: "AKIDCACHE1", SecretAccessKey: "secret-one"},
	{AccessKeyID: "AKIDCACHE1", SecretAccessKey: "secret-one-rotated"},
	{AccessKeyID: "AKIDCACHE2", SecretAccessKey: "secret-two", SessionToken: "token/two+=="},
	{AccessKeyID: "AKIDCACHE3", SecretAccessKey: "secret-three", Expires: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)},
}

var cacheTestTimes = []time.Time{
	time.Date(2026, 11, 28, 23, 59, 59, 0, time.UTC),
	time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC),
	time.Date(2026, 11, 29, 0, 0, 1, 0, time.UTC),
	time.Date(2026, 11, 29, 0, 0, 1, 0, time.UTC),
}

func TestCachesMatchReference(t *testing.T) {
	goroutines, perG := 4, 700
	if testing.Short() {
		perG = 150
	}
	var tick atomic.Uint64
	now := func() time.Time { return cacheTestTimes[tick.Add(1)%uint64(len(cacheTestTimes))] }
	prov := credentials.ProviderFunc(func(ctx context.Context) (credentials.Credentials, error) {
		return ctx.Value(cacheCredsKey{}).(credentials.Credentials), nil
	})
	regions := []string{"us-east-1", "eu-west-1", "ap-south-1"}
	signers := map[string][]*Signer{}
	for _, service := range []string{"s3", "dynamodb"} {
		base, err := New(Config{Service: service, Region: regions[0], Credentials: prov, Now: now, KeyCacheSize: 3})
		if err != nil {
			t.Fatal(err)
		}
		signers[service] = []*Signer{base}
		for _, r := range regions[1:] {
			s, err := base.ForRegion(r)
			if err != nil {
				t.Fatal(err)
			}
			signers[service] = append(signers[service], s)
		}
	}
	verifiers := map[string]*Verifier{}
	for _, service := range []string{"s3", "dynamodb"} {
		verifiers[service] = cacheTestVerifier(t, service, now, 2)
	}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &cacheRun{rng: rand.New(rand.NewPCG(uint64(g), 14)), signers: signers, verifiers: verifiers, regions: regions}
			for i := range perG {
				if err := r.step(); err != nil {
					errs <- fmt.Errorf("goroutine %d step %d: %w", g, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func cacheTestVerifier(t testing.TB, service string, now func() time.Time, keys int) *Verifier {
	v, err := NewVerifier(VerifierConfig{Service: service, Regions: []string{"us-east-1", "eu-west-1", "ap-south-1"},
		Secrets: SecretLookupFunc(func(ctx context.Context, id string) (credentials.Credentials, error) {
			// The server knows the secret the request was signed with
			// (the context carries it), even when it was rotated since.
			c := ctx.Value(cacheCredsKey{}).(credentials.Credentials)
			if c.AccessKeyID != id {
				return credentials.Credentials{}, ErrUnknownAccessKey
			}
			c.Expires = time.Time{}
			return c, nil
		}),
		Now: now, MaxSkew: 48 * time.Hour, KeyCacheSize: keys})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// cacheRun is one goroutine's sequence: its header key set changes a
// little at each step, as a client's requests do.
type cacheRun struct {
	rng       *rand.Rand
	signers   map[string][]*Signer
	verifiers map[string]*Verifier
	regions   []string
	keys      []string
	held      []heldHeader
}

// heldHeader is a signed request's header, and a deep copy of it taken
// when Sign returned.
type heldHeader struct {
	h, copied http.Header
}

// hold checks that the headers of the last requests this run signed are
// as Sign left them, and adds req's. The values Sign makes (the date, a
// body's hash, Authorization) share one string, and a body's hash is
// worked out in the scratch: a later signature through the same scratch
// must not change what an earlier one handed out.
func (r *cacheRun) hold(req *http.Request) error {
	for _, hh := range r.held {
		if fmt.Sprint(hh.h) != fmt.Sprint(hh.copied) {
			return fmt.Errorf("an earlier signed request's header changed:\n %v\n was %v", hh.h, hh.copied)
		}
	}
	c := http.Header{}
	for k, vv := range req.Header {
		for _, v := range vv {
			c[k] = append(c[k], strings.Clone(v))
		}
	}
	if len(r.held) == 8 {
		r.held = r.held[1:]
	}
	r.held = append(r.held, heldHeader{req.Header, c})
	return nil
}

// withCacheTestBody gives req a body of 0 to 300 random bytes, replayable
// through GetBody or, without GetBody, by seeking.
func withCacheTestBody(req *http.Request, rng *rand.Rand) {
	body := make([]byte, rng.IntN(301))
	for i := range body {
		body[i] = byte(rng.Uint32())
	}
	req.ContentLength = int64(len(body))
	if rng.IntN(2) == 0 {
		req.Body = seekCloser{bytes.NewReader(body)}
		req.GetBody = nil
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
}

// seekCloser is a request body that can be replayed only by seeking.
type seekCloser struct{ *bytes.Reader }

func (seekCloser) Close() error { return nil }

var (
	cacheKeyPool = []string{"Range", "If-None-Match", "X-Amz-Meta-A", "x-amz-meta-a", "Content-Type", "User-Agent",
		"X-Amz-Date", "Authorization", "X-Amz-Security-Token", "Expect", "X-Amz-Copy-Source", "A"}
	cacheValues = []string{"v", "  spaced   out ", "a\tb", "bytes=0-1023", "folded\r\n value", ""}
	cachePaths  = []string{"/", "/k", "/photos/cat%20picture.jpg", "/a/./b/../c", "/%E6%97%A5/x+y", "//double"}
	cacheQuery  = []string{"", "a=1", "versionId=x%2Fy&b", "list-type=2&prefix=a+b", "X-Amz-Date=1&x=y"}
)

// step signs, presigns or explains one random request through the shared
// signers, and verifies it through the shared verifier, comparing each
// result with the cache-free reference.
func (r *cacheRun) step() error {
	rng := r.rng
	r.migrate()
	service := []string{"s3", "dynamodb"}[rng.IntN(2)]
	ri := rng.IntN(len(r.regions))
	s, region := r.signers[service][ri], r.regions[ri]
	creds := cacheTestCreds[rng.IntN(len(cacheTestCreds))]
	ctx := context.WithValue(context.Background(), cacheCredsKey{}, creds)
	req := r.request()
	op := rng.IntN(4)
	switch op {
	case 0: // header signing, of a PUT with a body now and then
		if req.Method == "PUT" && rng.IntN(2) == 0 {
			withCacheTestBody(req, rng)
		}
		want := req.Clone(ctx)
		if err := s.Sign(ctx, req, ""); err != nil {
			return err
		}
		if err := r.hold(req); err != nil {
			return err
		}
		at, err := time.Parse("20060102T150405Z", req.Header.Get("X-Amz-Date"))
		if err != nil {
			return err
		}
		if err := referenceSigner(service, region, creds, at).Sign(ctx, want, ""); err != nil {
			return err
		}
		for _, k := range []string{"Authorization", "X-Amz-Content-Sha256", "X-Amz-Date", "X-Amz-Security-Token"} {
			if got, w := req.Header[k], want.Header[k]; fmt.Sprint(got) != fmt.Sprint(w) {
				return fmt.Errorf("Sign: %s %q\n  reference %q", k, got, w)
			}
		}
		return r.verify(ctx, service, req)
	case 1, 2: // presigning, of the request or of its parts
		ref := req.Clone(ctx)
		var p *Presigned
		var err error
		if op == 1 {
			p, err = s.Presign(ctx, req, time.Hour)
		} else {
			parts := &Parts{Method: req.Method, Scheme: "https", Host: []byte(req.URL.Host),
				Path: []byte(req.URL.EscapedPath()), Query: []byte(req.URL.RawQuery), Header: req.Header}
			if service == "s3" && rng.IntN(2) == 0 { // S3 escapes a decoded path as Presign does
				parts.Path, parts.PathDecoded = []byte(req.URL.Path), true
			}
			p, err = s.PresignParts(ctx, parts, time.Hour, "")
		}
		if err != nil {
			return err
		}
		u, err := url.Parse(p.URL)
		if err != nil {
			return err
		}
		at, err := time.Parse("20060102T150405Z", u.Query().Get("X-Amz-Date"))
		if err != nil {
			return err
		}
		w, err := referenceSigner(service, region, creds, at).Presign(ctx, ref, time.Hour)
		if err != nil {
			return err
		}
		if p.URL != w.URL || !p.Expires.Equal(w.Expires) || fmt.Sprint(p.Header) != fmt.Sprint(w.Header) {
			return fmt.Errorf("Presign (parts %v):\n %s %v\n reference %s %v", op == 2, p.URL, p.Header, w.URL, w.Header)
		}
		pr, _ := http.NewRequest(p.Method, p.URL, nil)
		for k, vv := range p.Header {
			pr.Header[k] = vv
		}
		return r.verify(ctx, service, pr)
	default: // explaining
		tr, err := s.Explain(ctx, req, EmptyPayloadHash)
		if err != nil {
			return err
		}
		at, err := time.Parse("20060102T150405Z", strings.Split(tr.StringToSign, "\n")[1])
		if err != nil {
			return err
		}
		w, err := referenceSigner(service, region, creds, at).Explain(ctx, req, EmptyPayloadHash)
		if err != nil {
			return err
		}
		if *tr != *w {
			return fmt.Errorf("Explain:\n %+v\n reference %+v", *tr, *w)
		}
		return checkSteps(w, creds.SecretAccessKey, at, region, service)
	}
}

// migrate moves, now and then, the spare scratch of one Signer or
// Verifier to another, as the pool does when calls overlap: its caches
// then meet another region, service or owner.
func (r *cacheRun) migrate() {
	if r.rng.IntN(3) != 0 {
		return
	}
	var spares []*spareScratch
	for _, ss := range r.signers {
		for _, s := range ss {
			spares = append(spares, &s.spare)
		}
	}
	for _, v := range r.verifiers {
		spares = append(spares, &v.spare)
	}
	from, to := spares[r.rng.IntN(len(spares))], spares[r.rng.IntN(len(spares))]
	if sc := from.p.Swap(nil); sc != nil && !to.p.CompareAndSwap(nil, sc) {
		scratchPool.Put(sc)
	}
}

// request makes the next request: the key set changes by one key or
// none, the values, path, query and method are new.
func (r *cacheRun) request() *http.Request {
	rng := r.rng
	switch op := rng.IntN(5); {
	case op == 0 && len(r.keys) > 0:
		r.keys = r.keys[1:]
	case op == 1 && len(r.keys) > 0:
		r.keys[rng.IntN(len(r.keys))] = cacheKeyPool[rng.IntN(len(cacheKeyPool))]
	case op == 2 || len(r.keys) == 0:
		r.keys = append(r.keys, cacheKeyPool[rng.IntN(len(cacheKeyPool))])
	}
	h := http.Header{}
	for _, k := range r.keys {
		vv := []string{cacheValues[rng.IntN(len(cacheValues))]}
		if rng.IntN(4) == 0 {
			vv = append(vv, cacheValues[rng.IntN(len(cacheValues))])
		}
		if strings.Contains(vv[0], "\r") {
			vv[0] = "no fold"
		}
		h[k] = vv
	}
	raw := "https://bucket.example.com" + cachePaths[rng.IntN(len(cachePaths))]
	if q := cacheQuery[rng.IntN(len(cacheQuery))]; q != "" {
		raw += "?" + q
	}
	req, err := http.NewRequest([]string{"GET", "PUT", "HEAD"}[rng.IntN(3)], raw, nil)
	if err != nil {
		panic(err)
	}
	req.Header = h
	return req
}

// referenceSigner is a Signer with no cache: no key cache, and a new
// scratch for its one call.
func referenceSigner(service, region string, creds credentials.Credentials, at time.Time) *Signer {
	s, err := New(Config{Service: service, Region: region, KeyCacheSize: -1, Now: func() time.Time { return at },
		Credentials: credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) { return creds, nil })})
	if err != nil {
		panic(err)
	}
	s.spare.p.Store(new(scratch))
	return s
}

// verify verifies sent (as a server receives it, with ctx) through the
// shared verifier and through one with no cache, and compares; a request
// with a changed signature must be refused by both alike.
func (r *cacheRun) verify(ctx context.Context, service string, sent *http.Request) error {
	var wire bytes.Buffer
	if err := sent.Write(&wire); err != nil {
		return err
	}
	read := func() *http.Request {
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(wire.Bytes())))
		if err != nil {
			panic(err)
		}
		return req.WithContext(ctx)
	}
	ref := cacheTestVerifier(nil, service, func() time.Time { return cacheTestTimes[1] }, -1)
	ref.spare.p.Store(new(scratch))
	got, errGot := r.verifiers[service].Verify(read())
	want, errWant := ref.Verify(read())
	if fmt.Sprint(errGot) != fmt.Sprint(errWant) || (errGot == nil) != (errWant == nil) {
		return fmt.Errorf("Verify: %v\n  reference %v", errGot, errWant)
	}
	if errWant != nil {
		var ae *AuthError
		if errors.As(errWant, &ae) {
			return fmt.Errorf("Verify refused a signed request: %v\n%s\n%q", errWant, wire.Bytes(), ae.CanonicalRequest)
		}
		return fmt.Errorf("Verify refused a signed request: %v", errWant)
	}
	got.Credentials, want.Credentials = credentials.Credentials{}, credentials.Credentials{}
	if *got != *want {
		return fmt.Errorf("Verified %+v\n  reference %+v", *got, *want)
	}
	// The same request with another signature.
	tampered := func() *http.Request {
		req := read()
		if a := req.Header.Get("Authorization"); a != "" {
			req.Header.Set("Authorization", a[:len(a)-1]+string("10"[a[len(a)-1]&1]))
		} else {
			q := req.URL.Query()
			s := q.Get("X-Amz-Signature")
			q.Set("X-Amz-Signature", s[:len(s)-1]+string("10"[s[len(s)-1]&1]))
			req.URL.RawQuery = q.Encode()
		}
		return req
	}
	ref = cacheTestVerifier(nil, service, func() time.Time { return cacheTestTimes[1] }, -1)
	ref.spare.p.Store(new(scratch))
	_, errGot = r.verifiers[service].Verify(tampered())
	_, errWant = ref.Verify(tampered())
	if errGot == nil || fmt.Sprint(errGot) != fmt.Sprint(errWant) {
		return fmt.Errorf("Verify of a changed signature: %v\n  reference %v", errGot, errWant)
	}
	return nil
}

// checkSteps recomputes steps 2 to 4 of tr with crypto/hmac.
func checkSteps(tr *Trace, secret string, at time.Time, region, service string) error {
	sum := sha256.Sum256([]byte(tr.CanonicalRequest))
	scope := at.Format("20060102") + "/" + region + "/" + service + "/aws4_request"
	sts := Algorithm + "\n" + at.Format("20060102T150405Z") + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	mac := hmac.New(sha256.New, SigningKey(secret, at, region, service))
	mac.Write([]byte(sts))
	if sig := hex.EncodeToString(mac.Sum(nil)); sts != tr.StringToSign || sig != tr.Signature || scope != tr.CredentialScope {
		return fmt.Errorf("steps 2 to 4 recomputed: %q %s, trace %q %s", sts, sig, tr.StringToSign, tr.Signature)
	}
	return nil
}
