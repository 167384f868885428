package sigv4

import (
	"strings"
	"testing"
)

// Tests of the unexported fast paths, each against the slow, obvious form.

func TestFixedPrefix(t *testing.T) {
	for _, name := range []string{"host", "content-length", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "other"} {
		if got, want := fixedPrefix(name), namePrefix([]byte(name)); got != want {
			t.Errorf("fixedPrefix(%q) = %#x, want %#x", name, got, want)
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
