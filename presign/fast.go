package presign

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/internal/awsenc"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// This file holds the fast path of the S3 presigner: requests that sign
// no header but Host (GetObject, HeadObject, DeleteObject, UploadPart and
// the other multipart calls, ListObjectsV2, without header options), from
// valid credentials, are signed here in one pass into reused buffers,
// without building an http.Request for sigv4.Signer.Presign. Everything
// else, and every error, goes through sigv4.Signer.Presign. The two give
// byte-identical URLs: TestFastPathMatchesSigner checks it for random keys,
// parameters, credentials and expiries.
//
// The fast path exists because sigv4.Signer.Presign, which handles any
// request, costs about 4 times the floor of ANCHORS.md for a GetObject URL;
// this path costs about 2 times. It can go once the general signer is as
// fast.

// fastKey is a signing key for one access key, secret and date (the
// region and service are the presigner's), with HMAC's inner and outer
// SHA-256 states after the pads.
type fastKey struct {
	accessKey, secret string
	date              [8]byte
	hmac              *awsenc.HMACKey
}

// fastScratch is the reusable storage of one fast signature.
type fastScratch struct {
	inner, outer hash.Hash
	q            []byte     // query parameters, canonically encoded
	pairs        []fastPair // offsets into q
	creq, sts    []byte     // canonical request, string to sign
	url          []byte     // the URL being built
	sum          [32]byte   // digest, then MAC
	hex          [64]byte   // hex of the canonical request's digest
	sig          [64]byte   // hex signature
	amzDate      [16]byte   // YYYYMMDD'T'HHMMSS'Z'
	cred         []byte     // X-Amz-Credential value, escaped
}

// fastPair is one query pair, as offsets into fastScratch.q.
type fastPair struct{ ks, ke, ve int }

// fastEligible reports whether the fast path can sign c: no header, no
// signed length, no query parameter that presigning would strip.
func fastEligible(c *call) bool {
	if len(c.header) != 0 || c.length != 0 {
		return false
	}
	for _, q := range c.query {
		if strings.HasPrefix(q.name, "X-Amz-") {
			return false
		}
	}
	return true
}

// presignFast presigns method on a with c's query parameters.
// ok is false when the request needs the general path: an expiry out of
// range, credentials that cannot sign (the general path reports why).
func (p *Presigner) presignFast(ctx context.Context, c *call, method string, a addr, expires time.Duration) (r *Request, ok bool) {
	if expires < time.Second || expires > sigv4.MaxExpires {
		return nil, false
	}
	creds, err := p.creds.Retrieve(ctx)
	if err != nil || creds.AccessKeyID == "" || creds.SecretAccessKey == "" || !awsenc.ValidAccessKeyID(creds.AccessKeyID) {
		return nil, false
	}
	now := p.now().UTC().Truncate(time.Second)
	if creds.Expired(now) {
		return nil, false
	}
	expires = expires.Truncate(time.Second)
	if creds.CanExpire() {
		left := creds.Expires.Sub(now).Truncate(time.Second)
		if left < time.Second {
			return nil, false
		}
		if left < expires {
			if c.strict {
				return nil, false // the general path reports ErrExpiryCapped
			}
			expires = left
		}
	}
	secs := int64(expires / time.Second)

	if c.fast == nil {
		c.fast = &fastScratch{inner: sha256.New(), outer: sha256.New()}
	}
	sc := c.fast
	awsenc.AppendAmzDate(sc.amzDate[:0], now)
	date := sc.amzDate[:8]

	// X-Amz-Credential: access key / scope, escaped.
	cr := appendEscaped(sc.cred[:0], creds.AccessKeyID)
	cr = append(cr, "%2F"...)
	cr = append(cr, date...)
	cr = append(cr, "%2F"...)
	cr = appendEscaped(cr, p.region)
	cr = append(cr, "%2Fs3%2Faws4_request"...)
	sc.cred = cr

	// The query pairs: the request's, then the presign parameters.
	q, pairs := sc.q[:0], sc.pairs[:0]
	add := func(k, v string) {
		ks := len(q)
		q = appendEscaped(q, k)
		ke := len(q)
		q = appendEscaped(q, v)
		pairs = append(pairs, fastPair{ks, ke, len(q)})
	}
	addRaw := func(k string, v []byte) {
		ks := len(q)
		q = append(q, k...)
		ke := len(q)
		q = append(q, v...)
		pairs = append(pairs, fastPair{ks, ke, len(q)})
	}
	for _, prm := range c.query {
		add(prm.name, prm.value)
	}
	addRaw("X-Amz-Algorithm", []byte(sigv4.Algorithm))
	addRaw("X-Amz-Credential", sc.cred)
	addRaw("X-Amz-Date", sc.amzDate[:])
	var num [20]byte
	addRaw("X-Amz-Expires", strconv.AppendInt(num[:0], secs, 10))
	if creds.SessionToken != "" {
		add("X-Amz-Security-Token", creds.SessionToken)
	}
	addRaw("X-Amz-SignedHeaders", []byte("host"))
	// Sort by key, then value (insertion sort: a handful of pairs; the
	// presign parameters alone are in order).
	less := func(a, b fastPair) bool {
		if c := bytes.Compare(q[a.ks:a.ke], q[b.ks:b.ke]); c != 0 {
			return c < 0
		}
		return bytes.Compare(q[a.ke:a.ve], q[b.ke:b.ve]) < 0
	}
	if len(c.query) > 0 {
		for i := 1; i < len(pairs); i++ {
			for j := i; j > 0 && less(pairs[j], pairs[j-1]); j-- {
				pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
			}
		}
	}
	sc.q, sc.pairs = q, pairs

	// The canonical request.
	b := append(sc.creq[:0], method...)
	b = append(b, '\n')
	pathStart := len(b)
	b = p.appendPath(b, a, true)
	pathEnd := len(b)
	b = append(b, '\n')
	for i, pr := range pairs {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, q[pr.ks:pr.ke]...)
		b = append(b, '=')
		b = append(b, q[pr.ke:pr.ve]...)
	}
	b = append(b, "\nhost:"...)
	hostStart := len(b)
	b = p.appendHost(b, a)
	hostEnd := len(b)
	b = append(b, "\n\nhost\n"+sigv4.UnsignedPayload...)
	sc.creq = b

	// The string to sign and the signature.
	sc.sum = sha256.Sum256(b)
	hex.Encode(sc.hex[:], sc.sum[:])
	t := append(sc.sts[:0], sigv4.Algorithm+"\n"...)
	t = append(t, sc.amzDate[:]...)
	t = append(t, '\n')
	t = append(t, date...)
	t = append(t, '/')
	t = append(t, p.region...)
	t = append(t, "/s3/aws4_request\n"...)
	t = append(t, sc.hex[:]...)
	sc.sts = t
	k := p.fastKey(&creds, now, sc)
	k.hmac.Sum(sc.inner, sc.outer, &sc.sum, &sc.sum, t)
	hex.Encode(sc.sig[:], sc.sum[:])

	// The URL: the path as signed, the request's query, the presign
	// parameters in sigv4.Signer.Presign's order.
	u := append(sc.url[:0], p.ep.scheme...)
	u = append(u, "://"...)
	u = append(u, sc.creq[hostStart:hostEnd]...)
	u = append(u, sc.creq[pathStart:pathEnd]...)
	u = append(u, '?')
	for _, prm := range c.query {
		u = appendEscaped(u, prm.name)
		if prm.value != "" {
			u = append(u, '=')
			u = appendEscaped(u, prm.value)
		}
		u = append(u, '&')
	}
	u = append(u, "X-Amz-Algorithm="+sigv4.Algorithm+"&X-Amz-Credential="...)
	u = append(u, sc.cred...)
	u = append(u, "&X-Amz-Date="...)
	u = append(u, sc.amzDate[:]...)
	u = append(u, "&X-Amz-SignedHeaders=host&X-Amz-Expires="...)
	u = strconv.AppendInt(u, secs, 10)
	if creds.SessionToken != "" {
		u = append(u, "&X-Amz-Security-Token="...)
		u = appendEscaped(u, creds.SessionToken)
	}
	u = append(u, "&X-Amz-Signature="...)
	u = append(u, sc.sig[:]...)
	sc.url = u
	if cap(sc.url) > 16<<10 || cap(sc.creq) > 16<<10 {
		sc.url, sc.creq, sc.q = nil, nil, nil // do not keep huge buffers
	}
	return &Request{Method: method, URL: string(u), Header: http.Header{}, Expires: now.Add(expires)}, true
}

// fastKey returns the signing key for creds on now's date, from the
// one-entry cache or derived.
func (p *Presigner) fastKey(creds *credentials.Credentials, now time.Time, sc *fastScratch) *fastKey {
	var date [8]byte
	awsenc.AppendDate(date[:0], now)
	if k := p.lastKey.Load(); k != nil && k.date == date && k.accessKey == creds.AccessKeyID && k.secret == creds.SecretAccessKey {
		return k
	}
	key := sigv4.SigningKey(creds.SecretAccessKey, now, p.region, "s3")
	k := &fastKey{accessKey: creds.AccessKeyID, secret: creds.SecretAccessKey, date: date,
		hmac: awsenc.NewHMACKey([sha256.Size]byte(key), sc.inner, sc.outer)}
	p.lastKey.Store(k)
	return k
}
