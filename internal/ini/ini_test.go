package ini

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]map[string]string // section -> key -> value; sub-section keys as "key.sub"
	}{
		{
			name: "credentials file",
			in:   "[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n\n[dev]\naws_access_key_id=AKID2\naws_secret_access_key=SECRET2\naws_session_token = tok==\n",
			want: map[string]map[string]string{
				"default": {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
				"dev":     {"aws_access_key_id": "AKID2", "aws_secret_access_key": "SECRET2", "aws_session_token": "tok=="},
			},
		},
		{
			name: "comments and odd whitespace",
			in:   "# top comment\n; other comment\n  [  profile dev  ]   # trailing\n\tregion\t=\tus-west-2   \n   # indented comment\nOutput : json\n\n\n",
			want: map[string]map[string]string{"profile dev": {"region": "us-west-2", "output": "json"}},
		},
		{
			name: "no inline comments in values",
			in:   "[a]\nx = v # not a comment\ny = v;w\n",
			want: map[string]map[string]string{"a": {"x": "v # not a comment", "y": "v;w"}},
		},
		{
			name: "first delimiter wins",
			in:   "[a]\nendpoint_url = http://localhost:9000\nk: v=w\n",
			want: map[string]map[string]string{"a": {"endpoint_url": "http://localhost:9000", "k": "v=w"}},
		},
		{
			name: "nested sub-section",
			in:   "[profile dev]\nregion = eu-west-1\ns3 =\n  addressing_style = path\n  # comment inside\n\n  max_concurrent_requests=20\nservices = local\n",
			want: map[string]map[string]string{"profile dev": {
				"region": "eu-west-1", "services": "local",
				"s3.addressing_style": "path", "s3.max_concurrent_requests": "20",
			}},
		},
		{
			name: "services section",
			in:   "[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:9000\ndynamodb =\n  endpoint_url = http://127.0.0.1:8000\n",
			want: map[string]map[string]string{"services local": {
				"s3.endpoint_url": "http://127.0.0.1:9000", "dynamodb.endpoint_url": "http://127.0.0.1:8000",
			}},
		},
		{
			name: "multi-line value",
			in:   "[a]\nk = first\n  second\n\n  third\n\nnext = 1\n",
			want: map[string]map[string]string{"a": {"k": "first\nsecond\n\nthird", "next": "1"}},
		},
		{
			name: "empty value and empty section",
			in:   "[a]\nk =\n[b]\n",
			want: map[string]map[string]string{"a": {"k": ""}, "b": {}},
		},
		{
			name: "crlf, cr and bom",
			in:   "\uFEFF[a]\r\nk = v\r\nj = w\rl = x",
			want: map[string]map[string]string{"a": {"k": "v", "j": "w", "l": "x"}},
		},
		{
			name: "indented key right after header is a key",
			in:   "[a]\n   k = v\n   j = w\n",
			want: map[string]map[string]string{"a": {"k": "v", "j": "w"}},
		},
		{
			name: "section names are case-sensitive, keys are not",
			in:   "[Default]\nREGION = x\n[default]\nregion = y\n",
			want: map[string]map[string]string{"Default": {"region": "x"}, "default": {"region": "y"}},
		},
		{
			name: "empty file",
			in:   "",
			want: map[string]map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("config", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got := map[string]map[string]string{}
			for _, s := range f.Sections {
				m := map[string]string{}
				for k, v := range s.Values {
					m[k] = v
				}
				for k, sub := range s.Subsections {
					for sk, sv := range sub {
						m[k+"."+sk] = sv
					}
				}
				got[s.Name] = m
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		line int
		msg  string
	}{
		{"key before section", "# c\nk = v\n", 2, "outside of any section"},
		{"garbage line", "[a]\nk = v\njust words\n", 3, "expected"},
		{"unclosed header", "[a]\n[b\n", 2, "closing"},
		{"text after header", "[a] junk\n", 1, "after section header"},
		{"empty section name", "[  ]\n", 1, "empty section"},
		{"duplicate section", "[a]\nk=v\n\n[b]\n[a]\n", 5, "already defined at line 1"},
		{"duplicate key", "[a]\nk = 1\nK = 2\n", 3, "already set at line 2"},
		{"empty key", "[a]\n = v\n", 2, "empty key"},
		{"bad sub-section line", "[a]\ns3 =\n  addressing_style = path\n  oops\n", 4, "sub-section"},
		{"invalid utf-8", "[a]\nk = \xff\n", 2, "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("/home/u/.aws/config", []byte(tt.in))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.File != "/home/u/.aws/config" || e.Line != tt.line || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("err = %v, want line %d containing %q", err, tt.line, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "/home/u/.aws/config:") {
				t.Errorf("Error() = %q, want file:line prefix", err)
			}
		})
	}
}

func TestErrorsDoNotQuoteValues(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	for _, in := range []string{
		secret + "\n",
		"[a]\n" + secret + "\n",
		"[a]\ns3 =\n  " + secret + "\n",
		"[a]\naws_secret_access_key = " + secret + "\xff\n",
	} {
		_, err := Parse("f", []byte(in))
		if err == nil {
			t.Fatalf("Parse(%q) succeeded", in)
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error quotes the secret: %v", err)
		}
	}
}

func TestSectionLookup(t *testing.T) {
	f, err := Parse("f", []byte("[a]\nz = 1\ns =\n  k = v\n[b]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Section("c") != nil {
		t.Error("Section(c) != nil")
	}
	a := f.Section("a")
	if a == nil || a.Line != 1 || a.Lines["z"] != 2 || a.Lines["s"] != 3 {
		t.Fatalf("section a = %+v", a)
	}
	if got := a.Keys(); !reflect.DeepEqual(got, []string{"s", "z"}) {
		t.Errorf("Keys = %q", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"[default]\naws_access_key_id = A\naws_secret_access_key = B\n",
		"[profile x]\ns3 =\n  a = b\n\n  c=d\nregion: us-east-1\n",
		"[a]\nk = v\n  more\n[b]\n",
		"; c\n# c\n[a] # c\n",
		"k = v",
		"[a\n",
		"[a]\r\nk=v\r",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.ini", data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not *Error", err)
			}
			if e.Line <= 0 || e.File != "fuzz.ini" {
				t.Fatalf("error %v has line %d, file %q", err, e.Line, e.File)
			}
			if n := strings.Count(string(data), "\n") + strings.Count(string(data), "\r") + 1; e.Line > n {
				t.Fatalf("error line %d beyond the %d lines of the input", e.Line, n)
			}
			return
		}
		seen := map[string]bool{}
		for _, s := range file.Sections {
			if s.Name == "" || seen[s.Name] {
				t.Fatalf("bad or duplicate section name %q", s.Name)
			}
			seen[s.Name] = true
			for k := range s.Values {
				if k == "" || k != strings.ToLower(k) {
					t.Fatalf("bad key %q", k)
				}
				if _, dup := s.Subsections[k]; dup {
					t.Fatalf("key %q is both a value and a sub-section", k)
				}
			}
		}
	})
}
