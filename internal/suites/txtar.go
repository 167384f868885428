package suites

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// This file is the archive format of the transcriptions: txtar, the
// format of golang.org/x/tools/txtar, written and read here so that the
// main module stays on the standard library.
//
// An archive is a comment followed by members. Each member starts with a
// marker line "-- name --" and holds the lines up to the next marker line
// or the end of the archive. The one rule added to plain txtar makes every
// byte round-trip: Format writes each member's data followed by one
// newline that is not part of it, and Parse removes that newline. A file
// without a final newline (most of AWS's expected outputs) is so told apart
// from one with it.

// ErrMalformed is the error Parse and Format wrap when an archive, a
// member name or member data cannot be read or written losslessly.
var ErrMalformed = errors.New("suites: malformed archive")

// Archive is a txtar archive: a free-text comment, then the members.
type Archive struct {
	// Comment is the text before the first member. When it is not empty it
	// ends with a newline, and none of its lines is a marker line.
	Comment []byte
	// Files are the members, in archive order, with unique names.
	Files []File
}

// File is one member of an Archive.
type File struct {
	// Name is the member's name: not empty, without line breaks, without
	// leading or trailing white space.
	Name string
	// Data is the member's content, byte for byte.
	Data []byte
}

// markerName reports whether line (without its newline) is a marker line,
// "-- name --", and returns the name, trimmed of white space as
// golang.org/x/tools/txtar trims it. The name may be empty.
func markerName(line []byte) (string, bool) {
	const start, end = "-- ", " --"
	if len(line) < len(start)+len(end) || !bytes.HasPrefix(line, []byte(start)) || !bytes.HasSuffix(line, []byte(end)) {
		return "", false
	}
	return strings.TrimSpace(string(line[len(start) : len(line)-len(end)])), true
}

// nextLine splits data after its first newline; line excludes the newline.
// ok is false when data holds no newline (line is then all of data).
func nextLine(data []byte) (line, rest []byte, ok bool) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return data, nil, false
	}
	return data[:i], data[i+1:], true
}

// Parse reads an archive written by Format. It fails, wrapping
// ErrMalformed, when a marker names no file or a file already seen, when a
// marker has more white space around the name than Format writes, when a
// member does not end with the newline Format adds, or when the comment
// does not end with a newline.
func Parse(data []byte) (*Archive, error) {
	a := &Archive{}
	var cur *File // member being read; nil while in the comment
	start := 0    // offset where the current comment or member data starts
	seen := map[string]bool{}
	finish := func(end int) error {
		body := data[start:end]
		if cur == nil {
			a.Comment = bytes.Clone(body)
			return nil
		}
		if !bytes.HasSuffix(body, []byte("\n")) {
			return fmt.Errorf("%w: member %q does not end with a newline", ErrMalformed, cur.Name)
		}
		cur.Data = bytes.Clone(body[:len(body)-1])
		a.Files = append(a.Files, *cur)
		return nil
	}
	for off := 0; off < len(data); {
		line, _, ok := nextLine(data[off:])
		next := off + len(line)
		if ok {
			next++
		}
		if name, isMarker := markerName(line); isMarker {
			if name == "" {
				return nil, fmt.Errorf("%w: empty member name at offset %d", ErrMalformed, off)
			}
			if string(line) != "-- "+name+" --" {
				return nil, fmt.Errorf("%w: marker line %q has extra white space around the name", ErrMalformed, line)
			}
			if seen[name] {
				return nil, fmt.Errorf("%w: member %q appears twice", ErrMalformed, name)
			}
			seen[name] = true
			if err := finish(off); err != nil {
				return nil, err
			}
			if !ok {
				// A marker line at the very end has no newline, so no data
				// and none of the newline Format always adds.
				return nil, fmt.Errorf("%w: member %q does not end with a newline", ErrMalformed, name)
			}
			cur, start = &File{Name: name}, next
		}
		off = next
	}
	if err := finish(len(data)); err != nil {
		return nil, err
	}
	if cur == nil && len(a.Comment) > 0 && !bytes.HasSuffix(a.Comment, []byte("\n")) {
		return nil, fmt.Errorf("%w: comment does not end with a newline", ErrMalformed)
	}
	return a, nil
}

// Format writes a as txtar. It fails, wrapping ErrMalformed, for anything
// Parse would not read back exactly: an empty, duplicate or untrimmed
// member name or one with a line break, a comment without its final
// newline, or a comment or member line that is itself a marker line.
func Format(a *Archive) ([]byte, error) {
	if len(a.Comment) > 0 && !bytes.HasSuffix(a.Comment, []byte("\n")) {
		return nil, fmt.Errorf("%w: comment does not end with a newline", ErrMalformed)
	}
	if err := noMarkers(a.Comment); err != nil {
		return nil, fmt.Errorf("%w: comment: %v", ErrMalformed, err)
	}
	var b bytes.Buffer
	b.Write(a.Comment)
	seen := map[string]bool{}
	for _, f := range a.Files {
		switch {
		case f.Name == "":
			return nil, fmt.Errorf("%w: empty member name", ErrMalformed)
		case f.Name != strings.TrimSpace(f.Name) || strings.ContainsAny(f.Name, "\r\n"):
			return nil, fmt.Errorf("%w: member name %q has leading or trailing white space or a line break", ErrMalformed, f.Name)
		case seen[f.Name]:
			return nil, fmt.Errorf("%w: member %q appears twice", ErrMalformed, f.Name)
		}
		seen[f.Name] = true
		if err := noMarkers(append(bytes.Clone(f.Data), '\n')); err != nil {
			return nil, fmt.Errorf("%w: member %q: %v", ErrMalformed, f.Name, err)
		}
		b.WriteString("-- " + f.Name + " --\n")
		b.Write(f.Data)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// noMarkers reports the first line of text that is a marker line.
func noMarkers(text []byte) error {
	for n := 1; len(text) > 0; n++ {
		line, rest, _ := nextLine(text)
		if _, ok := markerName(line); ok {
			return fmt.Errorf("line %d, %q, is a marker line", n, line)
		}
		text = rest
	}
	return nil
}
