package suites

import (
	"bytes"
	"errors"
	"testing"
)

func TestFormatParseRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		a    Archive
		want string // Format's output
	}{
		{"empty", Archive{}, ""},
		{"comment only", Archive{Comment: []byte("hello\n")}, "hello\n"},
		{
			"no final newline, final newline, empty",
			Archive{Comment: []byte("c\n"), Files: []File{
				{Name: "a", Data: []byte("x")},
				{Name: "b", Data: []byte("x\n")},
				{Name: "c", Data: []byte{}},
				{Name: "d", Data: []byte("\n\n")},
			}},
			"c\n-- a --\nx\n-- b --\nx\n\n-- c --\n\n-- d --\n\n\n\n",
		},
		{
			"CRLF, UTF-8, spaces, near-markers",
			Archive{Files: []File{
				{Name: "dir/x y.txt", Data: []byte("a\r\nb\r\n")},
				{Name: "u", Data: []byte("GET /ሴ HTTP/1.1\n  folded \t\n-- not a marker\n--x--\n-- --")},
				{Name: "has -- inside --", Data: []byte("-- a --\r")},
			}},
			"-- dir/x y.txt --\na\r\nb\r\n\n" +
				"-- u --\nGET /ሴ HTTP/1.1\n  folded \t\n-- not a marker\n--x--\n-- --\n" +
				"-- has -- inside -- --\n-- a --\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Format(&tt.a)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Fatalf("Format:\n got %q\nwant %q", out, tt.want)
			}
			back, err := Parse(out)
			if err != nil {
				t.Fatal(err)
			}
			if !archivesEqual(back, &tt.a) {
				t.Fatalf("Parse(Format(a)) = %+v, want %+v", back, tt.a)
			}
		})
	}
}

func TestFormatRejects(t *testing.T) {
	tests := []struct {
		name string
		a    Archive
	}{
		{"comment without newline", Archive{Comment: []byte("c")}},
		{"marker in comment", Archive{Comment: []byte("x\n-- a --\n")}},
		{"empty name", Archive{Files: []File{{Name: ""}}}},
		{"untrimmed name", Archive{Files: []File{{Name: " a"}}}},
		{"newline in name", Archive{Files: []File{{Name: "a\nb"}}}},
		{"duplicate name", Archive{Files: []File{{Name: "a"}, {Name: "a"}}}},
		{"marker in data", Archive{Files: []File{{Name: "a", Data: []byte("x\n-- b --\ny")}}}},
		{"marker as last data line", Archive{Files: []File{{Name: "a", Data: []byte("-- b --")}}}},
		{"empty-named marker in data", Archive{Files: []File{{Name: "a", Data: []byte("--  --")}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Format(&tt.a)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Format = %q, %v; want an error wrapping ErrMalformed", out, err)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"comment without newline", "c"},
		{"member without newline", "-- a --\nx"},
		{"marker at end", "-- a --"},
		{"empty name", "--  --\nx\n"},
		{"duplicate name", "-- a --\n\n-- a --\n\n"},
		{"untrimmed name", "--  a --\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Parse([]byte(tt.in))
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse = %+v, %v; want an error wrapping ErrMalformed", a, err)
			}
		})
	}
}

// archivesEqual compares archives, nil and empty byte slices alike.
func archivesEqual(a, b *Archive) bool {
	if !bytes.Equal(a.Comment, b.Comment) || len(a.Files) != len(b.Files) {
		return false
	}
	for i := range a.Files {
		if a.Files[i].Name != b.Files[i].Name || !bytes.Equal(a.Files[i].Data, b.Files[i].Data) {
			return false
		}
	}
	return true
}

// FuzzParse checks that Parse never panics and that whatever it accepts
// Format writes back byte for byte.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "c\n", "-- a --\nx\n", "c\n-- a --\n\n-- b --\ny\n\n", "-- a --", "--  --\n\n", "x\r\n-- a --\r\n"} {
		f.Add([]byte(s))
	}
	for _, name := range []string{V4, V4A, Legacy} {
		if data, err := ArchiveBytes(name); err == nil {
			f.Add(data[:min(len(data), 4096)])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse error %v does not wrap ErrMalformed", err)
			}
			return
		}
		out, err := Format(a)
		if err != nil {
			t.Fatalf("Format of a parsed archive: %v", err)
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("Format(Parse(x)) = %q, want x = %q", out, data)
		}
	})
}

// FuzzFormat checks that every archive Format accepts parses back to
// itself, whatever bytes its members hold.
func FuzzFormat(f *testing.F) {
	f.Add([]byte("c\n"), "a", []byte("x"), "b", []byte("y\n"))
	f.Add([]byte(""), "dir/f", []byte("-- x --"), "g", []byte("\r\n\n"))
	f.Fuzz(func(t *testing.T, comment []byte, name1 string, data1 []byte, name2 string, data2 []byte) {
		a := &Archive{Comment: comment, Files: []File{{Name: name1, Data: data1}, {Name: name2, Data: data2}}}
		out, err := Format(a)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Format error %v does not wrap ErrMalformed", err)
			}
			return
		}
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse of a formatted archive: %v\n%q", err, out)
		}
		if !archivesEqual(back, a) {
			t.Fatalf("Parse(Format(a)) = %+v, want %+v", back, a)
		}
	})
}
