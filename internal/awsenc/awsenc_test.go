package awsenc

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
)

func TestEncodeHex32(t *testing.T) {
	var all [sha256.Size]byte
	for i := range all {
		all[i] = byte(i * 8) // every high nibble, low nibbles 0 and 8
	}
	var ff [sha256.Size]byte
	for i := range ff {
		ff[i] = 0xff
	}
	for _, src := range [][sha256.Size]byte{{}, all, ff, sha256.Sum256(nil), sha256.Sum256([]byte("abc"))} {
		var got [2 * sha256.Size]byte
		EncodeHex32(&got, &src)
		if want := hex.EncodeToString(src[:]); string(got[:]) != want {
			t.Errorf("EncodeHex32(%x) = %s, want %s", src, got, want)
		}
	}
}

func FuzzEncodeHex32(f *testing.F) {
	f.Add([]byte("seed"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var src [sha256.Size]byte
		copy(src[:], b)
		var got [2 * sha256.Size]byte
		EncodeHex32(&got, &src)
		if want := hex.EncodeToString(src[:]); string(got[:]) != want {
			t.Fatalf("EncodeHex32(%x) = %s, want %s", src, got, want)
		}
	})
}

func TestValidHex64(t *testing.T) {
	empty := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	tests := []struct {
		in   string
		want bool
	}{
		{empty, true},
		{strings.Repeat("0", 64), true},
		{strings.Repeat("f", 64), true},
		{strings.ToUpper(empty), false},
		{empty[:63], false},
		{empty + "0", false},
		{empty[:63] + "g", false},
		{"", false},
		{strings.Repeat("0", 63) + "\x00", false},
		{strings.Repeat("0", 63) + "\xb0", false}, // '0' with the high bit set
	}
	for _, tt := range tests {
		if got := ValidHex64(tt.in); got != tt.want {
			t.Errorf("ValidHex64(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func BenchmarkEncodeHex32(b *testing.B) {
	src := sha256.Sum256([]byte("abc"))
	var dst [64]byte
	for b.Loop() {
		EncodeHex32(&dst, &src)
	}
}

func BenchmarkHexEncode(b *testing.B) {
	src := sha256.Sum256([]byte("abc"))
	var dst [64]byte
	for b.Loop() {
		hex.Encode(dst[:], src[:])
	}
}

func FuzzValidHex64(f *testing.F) {
	f.Add("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	f.Add(strings.Repeat("\xb0/", 32))
	f.Fuzz(func(t *testing.T, s string) {
		want := len(s) == 64
		for i := 0; i < len(s); i++ {
			c := s[i]
			want = want && ('0' <= c && c <= '9' || 'a' <= c && c <= 'f')
		}
		if got := ValidHex64(s); got != want {
			t.Fatalf("ValidHex64(%q) = %v, want %v", s, got, want)
		}
	})
}

// lower8All lower-cases b with Lower8, the tail through a zero-padded word.
func lower8All(b []byte) {
	for ; len(b) >= 8; b = b[8:] {
		binary.LittleEndian.PutUint64(b, Lower8(binary.LittleEndian.Uint64(b)))
	}
	var w [8]byte
	copy(w[:], b)
	binary.LittleEndian.PutUint64(w[:], Lower8(binary.LittleEndian.Uint64(w[:])))
	copy(b, w[:])
}

func TestLower8(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"X-Amz-Date", "x-amz-date"},
		{"X-AMZ-EXPECTED-BUCKET-OWNER", "x-amz-expected-bucket-owner"},
		{"@[`{AZaz", "@[`{azaz"}, // the bytes around the letters stay
		{"\xc1\xdaAbcdefgH\xff", "\xc1\xdaabcdefgh\xff"},
		{"Ü-Header-Ä", "Ü-header-Ä"},
	}
	for _, tt := range tests {
		b := []byte(tt.in)
		lower8All(b)
		if string(b) != tt.want {
			t.Errorf("Lower8 over %q = %q, want %q", tt.in, b, tt.want)
		}
	}
}

func FuzzLower8(f *testing.F) {
	f.Add([]byte("X-Amz-Date"))
	f.Add([]byte("\xc1\xdaAbcdefgH\xff"))
	f.Fuzz(func(t *testing.T, in []byte) {
		want := make([]byte, len(in))
		for i, c := range in {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			want[i] = c
		}
		got := append([]byte(nil), in...)
		lower8All(got)
		if string(got) != string(want) {
			t.Fatalf("Lower8 over %q = %q, want %q", in, got, want)
		}
	})
}

// escapeRef is AppendEscaped written the slow, obvious way.
func escapeRef(s string, keepSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || keepSlash && c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}

func TestAppendEscaped(t *testing.T) {
	tests := []struct {
		in        string
		keepSlash bool
		want      string
	}{
		{"", true, ""},
		{"/photos/2026/11/cat picture.jpg", true, "/photos/2026/11/cat%20picture.jpg"},
		{"/photos/2026/11/cat picture.jpg", false, "%2Fphotos%2F2026%2F11%2Fcat%20picture.jpg"},
		{"AZaz09-._~", false, "AZaz09-._~"},
		{"a+b=c&d", false, "a%2Bb%3Dc%26d"},
		{",@[`{\x7f\x80\xff", true, "%2C%40%5B%60%7B%7F%80%FF"},
		{"ümlaut/ß", true, "%C3%BCmlaut/%C3%9F"},
	}
	for _, tt := range tests {
		if got := string(AppendEscaped(nil, tt.in, tt.keepSlash)); got != tt.want {
			t.Errorf("AppendEscaped(%q, %v) = %q, want %q", tt.in, tt.keepSlash, got, tt.want)
		}
	}
}

func FuzzAppendEscaped(f *testing.F) {
	f.Add("/photos/2026/11/cat picture.jpg", true)
	f.Add("abcdefgh/\xb0abcdefg", false)
	f.Fuzz(func(t *testing.T, s string, keepSlash bool) {
		if got, want := string(AppendEscaped(nil, s, keepSlash)), escapeRef(s, keepSlash); got != want {
			t.Fatalf("AppendEscaped(%q, %v) = %q, want %q", s, keepSlash, got, want)
		}
	})
}

func BenchmarkAppendEscapedPath(b *testing.B) {
	dst := make([]byte, 0, 256)
	for b.Loop() {
		dst = AppendEscaped(dst[:0], "/photos/2026/11/cat picture.jpg", true)
	}
}

func TestValidHost(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"example.com", true},
		{"example.com:8080", true},
		{"bucket.s3.us-east-1.amazonaws.com", true},
		{"[::1]", true},
		{"[::1]:9000", true},
		{"[2001:db8::1]:443", true},
		{"[fe80::1%en0]", true}, // a zone, as url.URL.Host holds it decoded
		{"[127.0.0.1]", false},  // brackets are for IPv6
		{"[::ffff:127.0.0.1]", true},
		{"", true}, // emptiness is the caller's check
		{"[0]", false},
		{"[::1", false},
		{"[::1]x", false},
		{"[::1]:80a", false},
		{"exa mple.com", false},
		{"example.com/path", false},
		{"example.com\r\n", false},
		{"example\x7f.com", false},
	}
	for _, tt := range tests {
		if got := ValidHost(tt.host); got != tt.want {
			t.Errorf("ValidHost(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}

func TestAppendEscapedPath(t *testing.T) {
	tests := []struct {
		in, want string
		kept     bool
	}{
		{"/photos/2026/11/cat picture.jpg", "/photos/2026/11/cat%20picture.jpg", false},
		{"/a+b=c", "/a%2Bb%3Dc", true},
		{"/x@y:z", "/x%40y%3Az", true},
		{"/(1)!*'", "/%281%29%21%2A%27", false}, // net/url escapes these too
		{"/ü", "/%C3%BC", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, kept := AppendEscapedPath(nil, tt.in)
		if string(got) != tt.want || kept != tt.kept {
			t.Errorf("AppendEscapedPath(%q) = %q, %v; want %q, %v", tt.in, got, kept, tt.want, tt.kept)
		}
	}
}

// FuzzUnreservedRun checks UnreservedRun, eight bytes at a time, against
// the table, byte by byte, for strings and byte slices, with and without
// '/'.
func FuzzUnreservedRun(f *testing.F) {
	f.Add("photos/2026/11/cat picture.jpg")
	f.Add("AZaz09-._~/+ABCDEFGHIJKLMNOP\x80\xffabcdefgh")
	f.Add("X-Amz-Credential=AKIDEXAMPLE%2F20150830")
	f.Fuzz(func(t *testing.T, s string) {
		for _, slash := range []bool{false, true} {
			want := 0
			for want < len(s) && (Unreserved[s[want]] || slash && s[want] == '/') {
				want++
			}
			if got := UnreservedRun(s, slash); got != want {
				t.Fatalf("UnreservedRun(%q, %v) = %d, want %d", s, slash, got, want)
			}
			if got := UnreservedRun([]byte(s), slash); got != want {
				t.Fatalf("UnreservedRun([]byte(%q), %v) = %d, want %d", s, slash, got, want)
			}
		}
	})
}
