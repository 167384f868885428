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
		if got := authParamIndex(p); got != i {
			t.Errorf("authParamIndex(%q) = %d, want %d", p, got, i)
		}
	}
	for _, k := range []string{"", "X-Amz-", "x-amz-date", "X-Amz-Region-Set", "X-Amz-Dates"} {
		if got := authParamIndex(k); got != -1 {
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
