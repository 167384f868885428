package sigv4

import (
	"net/url"
	"strings"
	"testing"

	"github.com/sigv4kit/sigv4kit/internal/awsenc"
)

// Tests of the unexported fast paths, each against the slow, obvious form.

func TestFixedSlotsInOrder(t *testing.T) {
	for i := 1; i < len(fixedNames); i++ {
		if fixedNames[i-1] >= fixedNames[i] || fixedPrefixes[i-1] >= fixedPrefixes[i] {
			t.Errorf("slot %d (%s) does not sort before slot %d (%s) by prefix", i-1, fixedNames[i-1], i, fixedNames[i])
		}
	}
}

func TestAppendLowerName(t *testing.T) {
	for _, key := range []string{"", "A", "Range", "If-None-Match", "X-Amz-Expected-Bucket-Owner", "ABCDEFGH", "Ü-Hdr", "X-\xc1\xdaABCDEFGHIJ"} {
		got, prefix := appendLowerName([]byte("keep"), key)
		want := []byte("keep")
		for i := 0; i < len(key); i++ {
			c := key[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			want = append(want, c)
		}
		if string(got) != string(want) {
			t.Errorf("appendLowerName(%q) = %q, want %q", key, got, want)
		}
		if wp := namePrefix(got[4:]); prefix != wp {
			t.Errorf("appendLowerName(%q) prefix = %#x, want %#x", key, prefix, wp)
		}
	}
}

func TestHasSpaceOrControl(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", false},
		{"bytes=0-1023", false},
		{`"9b2cf535f27731c974343645a3985328"`, false},
		{"a b", true},
		{"abcdefgh ", true},         // in the overlapping tail
		{"abcdefghijklmno\t", true}, // in the last whole word
		{"abcdefg\x00", true},
		{"\x7f\x80\xff\xa0abcdefgh", false}, // bytes >= 0x7f are not controls here
		{"abcdefgh\r\nijklmnop", true},
	}
	for _, tt := range tests {
		if got := hasSpaceOrControl(tt.in); got != tt.want {
			t.Errorf("hasSpaceOrControl(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzHasSpaceOrControl(f *testing.F) {
	f.Add("abcdefgh ")
	f.Add("\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7!")
	f.Fuzz(func(t *testing.T, s string) {
		want := false
		for i := 0; i < len(s); i++ {
			want = want || s[i] <= ' '
		}
		if got := hasSpaceOrControl(s); got != want {
			t.Fatalf("hasSpaceOrControl(%q) = %v, want %v", s, got, want)
		}
	})
}

// TestHeaderSortTies checks the rank sort's fallback: names that share
// their first eight bytes, and case variants of one name.
func TestHeaderSortTies(t *testing.T) {
	var hb headerBuf
	for _, k := range []string{"X-Amz-Meta-b", "x-amz-meta-a", "X-Amz-Meta-A", "Range", "x-amz-meta-", "A"} {
		hb.add(k, []string{k})
	}
	hb.sort()
	var got []string
	for _, i := range hb.order {
		got = append(got, hb.entries[i].key)
	}
	want := []string{"A", "Range", "x-amz-meta-", "X-Amz-Meta-A", "x-amz-meta-a", "X-Amz-Meta-b"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("order = %v, want %v", got, want)
	}
}

// BenchmarkHeaderBlock measures collecting, sorting and writing the
// canonical headers of the S3 GET of bench_test.go.
func BenchmarkHeaderBlock(b *testing.B) {
	h := map[string][]string{
		"Range":                       {"bytes=0-1023"},
		"If-None-Match":               {`"9b2cf535f27731c974343645a3985328"`},
		"X-Amz-Expected-Bucket-Owner": {"111122223333"},
	}
	var hb headerBuf
	var canon, signed []byte
	date := []byte("20261128T120000Z")
	for b.Loop() {
		hb.reset()
		hb.set(slotHost, "examplebucket.s3.us-east-1.amazonaws.com", nil, false)
		hb.set(slotDate, "", date, false)
		hb.set(slotContentSHA256, EmptyPayloadHash, nil, false)
		for k, vv := range h {
			hb.add(k, vv)
		}
		var err error
		canon, signed, err = hb.appendCanonical(canon[:0], signed[:0])
		if err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzEscapesLikeNetURL checks the claim Sign relies on to leave RawPath
// alone: where AppendEscapedPath reports no byte net/url keeps, net/url
// sends the path exactly as S3's single escaping signs it.
func FuzzEscapesLikeNetURL(f *testing.F) {
	for _, p := range []string{"/photos/cat picture.jpg", "/a+b", "/ümlaut/(1)!*'", "/q?x#y%z", "/a:b@c"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		p = "/" + p
		escaped, kept := awsenc.AppendEscapedPath(nil, p)
		if string(escaped) != EscapePath(p) {
			t.Fatalf("path %q: AppendEscapedPath %q, EscapePath %q", p, escaped, EscapePath(p))
		}
		if kept != strings.ContainsAny(p, "$&+,:;=@") {
			t.Fatalf("path %q: kept = %v", p, kept)
		}
		if kept {
			return
		}
		u := &url.URL{Scheme: "https", Host: "h", Path: p}
		if got := u.EscapedPath(); got != string(escaped) {
			t.Fatalf("path %q: net/url sends %q, S3 signs %q", p, got, escaped)
		}
	})
}

// TestAuthParamIndex checks the switch of authParamIndex against
// authParams.
func TestAuthParamIndex(t *testing.T) {
	for i, p := range authParams {
		if got := authParamIndex([]byte(p)); got != i {
			t.Errorf("authParamIndex(%q) = %d, want %d", p, got, i)
		}
	}
	for _, k := range []string{"", "X-Amz-", "x-amz-date", "X-Amz-Region-Set", "X-Amz-Dates"} {
		if got := authParamIndex([]byte(k)); got != -1 {
			t.Errorf("authParamIndex(%q) = %d, want -1", k, got)
		}
	}
}

func FuzzHasEscape(f *testing.F) {
	f.Add("X-Amz-Credential")
	f.Add("AKIDEXAMPLE%2F20150830%2Fus-east-1")
	f.Add("abcdefgh+")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hasEscape(s), strings.ContainsAny(s, "%+"); got != want {
			t.Fatalf("hasEscape(%q) = %v, want %v", s, got, want)
		}
	})
}

// canonicallyEscapedRef is canonicallyEscaped by its definition: decoding
// the path and escaping it again gives it back.
func canonicallyEscapedRef(path []byte) bool {
	dec, ok := appendUnescapedPath(nil, path)
	if !ok {
		return false
	}
	again, _ := awsenc.AppendEscapedPath(nil, dec)
	return string(again) == string(path)
}

func TestCanonicallyEscaped(t *testing.T) {
	for _, c := range []struct {
		path string
		want bool
	}{
		{"", true},
		{"/", true},
		{"/photos/2026/11/cat%20picture.jpg", true},
		{"/a%2Fb", false},      // an escaped '/' decodes to a separator
		{"/a%41", false},       // 'A' is unreserved: escaped needlessly
		{"/a%2f", false},       // lower-case hex
		{"/a%e2%82%AC", false}, // lower-case hex
		{"/a%E2%82%AC", true},  // € escaped
		{"/a b", false},        // a raw space
		{"/a%2", false},        // a cut escape
		{"/a%", false},         // a cut escape
		{"/a%ZZ", false},       // not hex
		{"/abcdefgh/ijklmnop%7E", false},
		{"/abcdefgh/ijklmnop%25", true},
		{"/abcdefgh/ijklmnop+", false},
	} {
		if got := canonicallyEscaped([]byte(c.path)); got != c.want {
			t.Errorf("canonicallyEscaped(%q) = %v, want %v", c.path, got, c.want)
		}
		if ref := canonicallyEscapedRef([]byte(c.path)); ref != c.want {
			t.Errorf("reference(%q) = %v, want %v: the table is wrong", c.path, ref, c.want)
		}
	}
}

func FuzzCanonicallyEscaped(f *testing.F) {
	for _, s := range []string{"/photos/cat%20picture.jpg", "/a%2Fb", "/%E2%82%AC/x", "/a%41bcdefghijk", "/abcdefgh%2"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, path []byte) {
		if got, want := canonicallyEscaped(path), canonicallyEscapedRef(path); got != want {
			t.Fatalf("canonicallyEscaped(%q) = %v, reference %v", path, got, want)
		}
	})
}

// FuzzEscapedLen holds escapedLen, by which presigned URLs are allocated,
// to the length appendEscaped writes.
func FuzzEscapedLen(f *testing.F) {
	for _, s := range []string{"", "host", "host;x-amz-date", "FwoGZXIvYXdzEJr//////////wEaDO+/=", "us-east-1,us-west-2", "\x00\xff€"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := len(appendEscaped(nil, s, false))
		if got := escapedLen(s); got != want {
			t.Fatalf("escapedLen(%q) = %d, appendEscaped writes %d", s, got, want)
		}
		if got := escapedLen([]byte(s)); got != want {
			t.Fatalf("escapedLen([]byte(%q)) = %d, appendEscaped writes %d", s, got, want)
		}
	})
}

// TestPresignedQueryReadOnce checks that reading a presigned URL's
// parameters leaves in the auth's queryBuf what step 1 would parse from the
// query itself, or says it does not.
func TestPresignedQueryReadOnce(t *testing.T) {
	const params = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fs3%2Faws4_request" +
		"&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host%3Bx-amz-meta-a&X-Amz-Expires=60&X-Amz-Signature=" + EmptyPayloadHash
	for _, c := range []struct {
		query  string
		parsed bool
	}{
		{params, true},
		{"b=2&a=1&" + params, true},
		{params + "&X-Amz-Security-Token=tok%2Fen+x", true},
		{"a+b=c+d&%7Ex=%7e&x%2dy=1&&=&k=v=w&" + params, true},
		{"z=%C3%A9&Z=%c3%a9&" + params + "&uploads", true},
		{"X-Amz-Region-Set=us-%2A&" + params, true},
		{"bad=%zz&" + params, false}, // refused by step 1, with its error
		{params + "&bad=%4", false},  // the same, after the parameters
		{"ok=1&bad=%G0&ok2=2&" + params, false},
	} {
		for _, skip := range []func([]byte) bool{isSignatureParam, isSignatureOrTokenParam} {
			var q queryBuf
			a := auth{query: &q, skip: skip}
			var vals [len(authParams)]string
			if err := a.queryParams(c.query, &vals); err != nil {
				t.Fatalf("%q: %v", c.query, err)
			}
			if a.queryParsed != c.parsed {
				t.Fatalf("%q: queryParsed = %v, want %v", c.query, a.queryParsed, c.parsed)
			}
			var ref queryBuf
			err := ref.parse([]byte(c.query), skip)
			if (err == nil) != c.parsed {
				t.Fatalf("%q: step 1's parse error %v, want one: %v", c.query, err, !c.parsed)
			}
			if !c.parsed {
				continue
			}
			if got, want := string(q.appendCanonical(nil)), string(ref.appendCanonical(nil)); got != want {
				t.Errorf("%q:\nread once %q\nparsed    %q", c.query, got, want)
			}
		}
	}
}

// FuzzNamesBodyHeader holds namesBodyHeader to the three strings.Contains
// it replaces.
func FuzzNamesBodyHeader(f *testing.F) {
	for _, s := range []string{"", "host;x-amz-date", "host;x-amz-checksum-crc32;x-amz-date", "x-amz-trailer", "host;x-amz-content-sha256",
		"x-amz-x-amz-trailer", "x-amz-content-sha25", "a-x-amz-checksum-"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, signed string, presigned bool) {
		want := strings.Contains(signed, "x-amz-checksum-") || strings.Contains(signed, "x-amz-trailer") ||
			presigned && strings.Contains(signed, "x-amz-content-sha256")
		if got := namesBodyHeader(signed, presigned); got != want {
			t.Fatalf("namesBodyHeader(%q, %v) = %v, want %v", signed, presigned, got, want)
		}
	})
}

// TestValueRun holds authCache.valueRun to canonicalRun over a sequence
// that hits, misses, and changes values, for every presign parameter and
// for other parameters.
func TestValueRun(t *testing.T) {
	values := []string{
		"AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256", "AKID%2F20261129%2Fus-east-1%2Fs3%2Faws4_request",
		"AKID%2F20261129%2Fus-east-1%2Fs3%2Faws4_request", "AKID/20261129/us-east-1/s3/aws4_request",
		"AKID%2f20261129", "", "", "host%3Bx-amz-date", "host;x-amz-date", "a+b", "a%20b", "a%20b", "%41", "%41",
		strings.Repeat("a", maxCanonValue+1), strings.Repeat("a", maxCanonValue+1), "3600", "3600",
		// Same lengths, one canonical and one not, both ways round.
		"AKID%2F2026", "AKID%2f2026", "AKID%2F2026", "abc", "a c", "abc",
	}
	var c authCache
	for i := -1; i < len(authParams); i++ {
		for _, v := range values {
			if got, want := c.valueRun(i, v), canonicalRun(v, false); got != want {
				t.Errorf("valueRun(%d, %.40q) = %d, canonicalRun %d", i, v, got, want)
			}
		}
	}
	var nilCache *authCache
	if got := nilCache.valueRun(1, "a%2Fb"); got != len("a%2Fb") {
		t.Errorf("valueRun on a nil cache = %d, want %d", got, len("a%2Fb"))
	}
}

// FuzzValueRun holds valueRun to canonicalRun for a value read twice after
// another.
func FuzzValueRun(f *testing.F) {
	f.Add("AKID%2F2026", "AKID%2f2026", uint8(1))
	f.Add("a b", "a+b", uint8(3))
	f.Fuzz(func(t *testing.T, a, b string, i uint8) {
		var c authCache
		p := int(i)%(len(authParams)+1) - 1
		for _, v := range []string{a, b, a, a, b} {
			if got, want := c.valueRun(p, v), canonicalRun(v, false); got != want {
				t.Fatalf("valueRun(%d, %q) = %d, canonicalRun %d", p, v, got, want)
			}
		}
	})
}

// FuzzSameSignature holds sameSignature to a plain comparison for 64-byte
// computed signatures.
func FuzzSameSignature(f *testing.F) {
	sig := "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
	f.Add(sig, sig)
	f.Add(sig, strings.ToUpper(sig))
	f.Add(sig, sig[:63])
	f.Add(sig, sig[:63]+"5")
	f.Add(sig, "")
	f.Fuzz(func(t *testing.T, computed, provided string) {
		if len(computed) != 64 {
			return
		}
		if got, want := sameSignature([]byte(computed), provided), computed == provided; got != want {
			t.Fatalf("sameSignature(%q, %q) = %v, want %v", computed, provided, got, want)
		}
	})
}

func TestSameSignature(t *testing.T) {
	sig := "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
	for _, tc := range []struct {
		computed, provided string
		want               bool
	}{
		{sig, sig, true},
		{sig, strings.ToUpper(sig), false},
		{sig, sig[:63], false},
		{sig, sig + "0", false},
		{sig, sig[:63] + "5", false},
		{sig, "5" + sig[1:], false},
		{sig[:32], sig[:32], false}, // not a computed signature's length
	} {
		if got := sameSignature([]byte(tc.computed), tc.provided); got != tc.want {
			t.Errorf("sameSignature(%q, %q) = %v, want %v", tc.computed, tc.provided, got, tc.want)
		}
	}
}

func TestTokenParam(t *testing.T) {
	if authParams[tokenParam] != "X-Amz-Security-Token" {
		t.Fatalf("authParams[tokenParam] = %s", authParams[tokenParam])
	}
}

// TestValueRunKeepsNoToken checks that a session token does not stay in
// the cache after its request.
func TestValueRunKeepsNoToken(t *testing.T) {
	var c authCache
	const token = "FwoGZXIvYXdzEBYaDEXAMPLETOKEN"
	if got := c.valueRun(tokenParam, token); got != len(token) {
		t.Fatalf("valueRun(token) = %d, want %d", got, len(token))
	}
	if c.canon[tokenParam] != nil {
		t.Errorf("the cache kept the session token: %q", c.canon[tokenParam])
	}
}
