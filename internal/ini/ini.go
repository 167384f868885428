// Package ini parses the AWS shared config and credentials files.
//
// The dialect is the one the AWS CLI v2 reads (Python's configparser as
// botocore configures it, plus botocore's nested sub-sections):
//
//   - "[name]" starts a section; the text between the brackets is trimmed.
//     A comment may follow the closing bracket.
//   - "key = value" or "key: value" sets a key in the current section; the
//     first '=' or ':' separates them. Keys are case-insensitive (stored in
//     lower case), values are trimmed and kept verbatim: quotes are not
//     removed and there are no inline comments ("a # b" is the value).
//   - Lines whose first non-blank character is '#' or ';' are comments.
//   - A line indented deeper than the key line above it continues that key's
//     value. When the key line has no value ("s3 =") the continuation lines
//     form a sub-section of "name = value" lines; otherwise they are joined
//     to the value with newlines.
//
// Like the CLI, and unlike some SDKs, the parser is strict: a key outside a
// section, a line that is neither a section, a key nor a comment, a section
// or key defined twice in one file, a sub-section line without '=', and
// invalid UTF-8 are errors. Every error is an [*Error] that carries the file
// name and the 1-based line number. Errors never quote the content of a
// line, which may hold a secret.
//
// Two departures from configparser: text after a section header's closing
// bracket must be a comment (configparser ignores any text there, which
// hides typos), and "[DEFAULT]" is an ordinary section (configparser copies
// its keys into every section; no AWS tool documents that).
package ini

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error is a syntax error in an INI file.
type Error struct {
	// File is the name given to Parse.
	File string
	// Line is the 1-based line number of the offending line.
	Line int
	// Msg says what is wrong, without quoting values.
	Msg string
}

// Error returns "file:line: msg".
func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// File is a parsed INI file.
type File struct {
	// Name is the name given to Parse, used in errors.
	Name string
	// Sections are the sections in file order.
	Sections []*Section
}

// Section returns the section with the given (trimmed) name, or nil.
func (f *File) Section(name string) *Section {
	for _, s := range f.Sections {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Section is one "[name]" section.
type Section struct {
	// Name is the text between the brackets, trimmed.
	Name string
	// Line is the line of the section header.
	Line int
	// Values holds the plain keys (lower case) and their values.
	Values map[string]string
	// Subsections holds the keys whose value is a nested sub-section,
	// e.g. "s3" -> {"addressing_style": "path"}. Sub-section keys keep
	// their case.
	Subsections map[string]map[string]string
	// Lines gives the line of each key, plain or sub-section.
	Lines map[string]int
}

// Keys returns the section's keys, plain and sub-section, sorted.
func (s *Section) Keys() []string {
	keys := make([]string, 0, len(s.Lines))
	for k := range s.Lines {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// pending is a key whose value may continue on following lines.
type pending struct {
	key   string
	line  int
	first string
	more  []string // continuation lines, trimmed ("" for blank lines)
	lines []int    // line numbers of more
}

// Parse parses data, naming it name in errors.
func Parse(name string, data []byte) (*File, error) {
	f := &File{Name: name}
	text := string(data)
	text = strings.TrimPrefix(text, "\uFEFF")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")

	var (
		cur       *Section
		key       *pending
		keyIndent int
	)
	fail := func(line int, format string, args ...any) (*File, error) {
		return nil, &Error{File: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	flush := func() error {
		if key == nil {
			return nil
		}
		err := cur.set(name, key)
		key = nil
		return err
	}
	for i, line := range strings.Split(text, "\n") {
		lineNo := i + 1
		if !utf8.ValidString(line) {
			return fail(lineNo, "invalid UTF-8")
		}
		value := strings.TrimFunc(line, unicode.IsSpace)
		if value == "" || value[0] == '#' || value[0] == ';' {
			if key != nil && value == "" {
				key.more = append(key.more, "")
				key.lines = append(key.lines, lineNo)
			}
			continue
		}
		indent := len(line) - len(strings.TrimLeftFunc(line, unicode.IsSpace))
		if key != nil && indent > keyIndent {
			key.more = append(key.more, value)
			key.lines = append(key.lines, lineNo)
			continue
		}
		if err := flush(); err != nil {
			return nil, err
		}
		keyIndent = indent
		if value[0] == '[' {
			end := strings.LastIndexByte(value, ']')
			if end < 0 {
				return fail(lineNo, "section header without closing ']'")
			}
			if rest := strings.TrimLeftFunc(value[end+1:], unicode.IsSpace); rest != "" && rest[0] != '#' && rest[0] != ';' {
				return fail(lineNo, "unexpected text after section header")
			}
			sname := strings.TrimFunc(value[1:end], unicode.IsSpace)
			if sname == "" {
				return fail(lineNo, "empty section name")
			}
			if prev := f.Section(sname); prev != nil {
				return fail(lineNo, "section [%s] already defined at line %d", sname, prev.Line)
			}
			cur = &Section{Name: sname, Line: lineNo, Values: map[string]string{}, Lines: map[string]int{}}
			f.Sections = append(f.Sections, cur)
			continue
		}
		if cur == nil {
			return fail(lineNo, "key outside of any section (a file starts with a [section] header)")
		}
		i := strings.IndexAny(value, "=:")
		if i < 0 {
			return fail(lineNo, "expected \"key = value\", a [section] header or a comment")
		}
		k := strings.ToLower(strings.TrimFunc(value[:i], unicode.IsSpace))
		if k == "" {
			return fail(lineNo, "empty key name")
		}
		if prev, ok := cur.Lines[k]; ok {
			return fail(lineNo, "key %q already set at line %d in section [%s]", k, prev, cur.Name)
		}
		cur.Lines[k] = lineNo
		key = &pending{key: k, line: lineNo, first: strings.TrimFunc(value[i+1:], unicode.IsSpace)}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return f, nil
}

// set stores a finished key: a plain value, a multi-line value, or a
// sub-section.
func (s *Section) set(file string, p *pending) error {
	hasMore := false
	for _, m := range p.more {
		if m != "" {
			hasMore = true
			break
		}
	}
	if p.first != "" || !hasMore {
		v := p.first
		if hasMore {
			v = strings.TrimRightFunc(v+"\n"+strings.Join(p.more, "\n"), unicode.IsSpace)
		}
		s.Values[p.key] = v
		return nil
	}
	sub := make(map[string]string, len(p.more))
	for i, m := range p.more {
		if m == "" {
			continue
		}
		j := strings.IndexByte(m, '=')
		if j < 0 {
			return &Error{File: file, Line: p.lines[i], Msg: fmt.Sprintf("expected \"name = value\" in the %q sub-section", p.key)}
		}
		sub[strings.TrimFunc(m[:j], unicode.IsSpace)] = strings.TrimFunc(m[j+1:], unicode.IsSpace)
	}
	if s.Subsections == nil {
		s.Subsections = map[string]map[string]string{}
	}
	s.Subsections[p.key] = sub
	return nil
}
