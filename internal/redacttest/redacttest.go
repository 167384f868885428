// Package redacttest checks, for the tests of this module, that the types
// which hold or reach a secret never print it: [Check] formats a value every
// way a program can (every fmt verb with and without flags, nested in
// structs, slices and maps, log/slog's text and JSON handlers,
// encoding/json), and [Complete] walks a package's types with go/types and
// fails when a type that reaches a secret is missing from the package's
// table of cases.
//
// A type reaches a secret when its values hold, through fields, pointers,
// slices, arrays, maps or channels, a credentials.Credentials, a
// credentials.Provider, a sigv4.SecretLookup, an awsenc.HMACKey (a derived
// signing key), or a string or byte field whose name says secret or token
// (but not a file, a path, a hint, a name or a header name). Types that
// implement credentials.Provider or sigv4.SecretLookup reach a secret too.
//
// What fmt does, and why the tables print each value every way: fmt calls
// a value's Format, String or GoString method only where it can; it prints
// fields raw, calling no method, for %p of a value that is not a pointer,
// for %w of anything but an error, inside unexported fields, and, for a
// pointer met with a verb pointers do not take (%s, %q, %e, ...) where
// methods are off, for the value it points to. So a type that holds a
// secret needs both the methods and its secret behind two pointers (or a
// func or channel); only contract types (credentials.Credentials) and
// structs that hold one in an exported field are let off, as Inline cases.
package redacttest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/sigv4kit/sigv4kit"

// Verbs are the fmt directives Check formats every value with: every verb
// fmt knows, and flags, widths and precisions.
var Verbs = []string{
	"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%e", "%E",
	"%f", "%F", "%g", "%G", "%b", "%c", "%o", "%O", "%U", "%p", "%w", "%T",
	"%10v", "%-8s", "%#x", "%+q", "%#q", "%.3s", "%08d", "% x", "% X",
	"%10.4v", "%+d", "%#s", "%-40v", "%+#v", "%#p", "%x%X",
}

// RawVerbs are the verbs that print a struct or map value with its fields
// raw, calling no method of any value inside: %p of a value that is not a
// pointer, and %w of anything but an error in fmt.Errorf (or anywhere in
// the other functions). Go vet reports both, except %p of a value whose
// type has a Format method (see [Case.Inline]).
var RawVerbs = []string{"%p", "%#p", "%w"}

// Case is one value of a redaction table.
type Case struct {
	// Name labels the case in failures.
	Name string
	// Value is the value to print, as programs hold it (a pointer for the
	// types whose constructors return pointers).
	Value any
	// Inline marks a type that holds its secret in its own fields rather
	// than behind a pointer (credentials.Credentials, whose contract fields
	// are strings, structs with an exported Credentials field, and config
	// structs whose strings are the caller's and may hold secrets). fmt
	// prints such a value raw, without calling any method, under the
	// RawVerbs and when it sits in an unexported field of another struct;
	// Check skips those forms for it. Why says why the type cannot keep the
	// secret behind a pointer.
	Inline bool
	Why    string
	// JSONProduct marks a type whose JSON encoding is what it is for (a
	// browser form's fields): encoding/json is not checked for it, nor
	// log/slog's JSON handler where it uses encoding/json (values nested
	// in other values); the JSON handler of the value itself is.
	JSONProduct bool
}

// Secrets returns the strings that must not appear when the secrets
// (secret access keys, session tokens, derived signing keys as bytes) are
// printed: each as it is, in lower- and upper-case hex, hex with spaces,
// and as fmt prints a byte slice in decimal.
func Secrets(secrets ...string) []string {
	var out []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		b := []byte(s)
		dec := fmt.Sprint(b)
		out = append(out, s,
			hex.EncodeToString(b), strings.ToUpper(hex.EncodeToString(b)),
			fmt.Sprintf("% x", b), fmt.Sprintf("% X", b),
			dec[1:len(dec)-1])
	}
	return out
}

type exported struct{ V any }
type unexported struct{ v any }

// Outputs formats c.Value every way Check does and returns the outputs by
// a label of how each was made.
func Outputs(c Case) map[string]string {
	v := c.Value
	wrappers := []struct {
		name string
		v    any
	}{
		{"value", v},
		{"in an exported field", exported{v}},
		{"in an exported field, by pointer", &exported{v}},
		{"in an unexported field", unexported{v}},
		{"in a slice", []any{v}},
		{"in a map", map[string]any{"k": v}},
	}
	raw := map[string]bool{}
	for _, r := range RawVerbs {
		raw[r] = true
	}
	out := map[string]string{}
	for _, w := range wrappers {
		if c.Inline && w.name == "in an unexported field" {
			continue
		}
		for _, verb := range Verbs {
			if c.Inline && raw[verb] {
				continue
			}
			out["Sprintf "+verb+" "+w.name] = fmt.Sprintf(verb, w.v)
			if verb == "%w" {
				out["Errorf %w "+w.name] = fmt.Errorf(verb, w.v).Error()
			}
		}
		out["Sprint "+w.name] = fmt.Sprint(w.v)
		out["Sprintln "+w.name] = fmt.Sprintln(w.v, w.v)
		if b, err := json.Marshal(w.v); err == nil && !c.JSONProduct {
			out["json "+w.name] = string(b)
		}
		for _, h := range []struct {
			name string
			new  func(io.Writer) slog.Handler
		}{
			{"text", func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) }},
			{"json", func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) }},
		} {
			var buf bytes.Buffer
			l := slog.New(h.new(&buf))
			l.Info("m", "v", w.v)
			l.Info("m", slog.Any("v", w.v))
			l.Info("m", slog.Group("g", slog.Any("v", w.v)))
			l.With("v", w.v).Info("m")
			l.WithGroup("g").Info("m", "v", w.v)
			if c.JSONProduct && h.name == "json" && w.name != "value" {
				continue
			}
			out["slog "+h.name+" "+w.name] = buf.String()
		}
	}
	return out
}

// Leaks returns, sorted, the outputs of c (see [Outputs]) that show one of
// secrets (see [Secrets]).
func Leaks(c Case, secrets []string) []string {
	var leaks []string
	for how, s := range Outputs(c) {
		for _, secret := range secrets {
			if strings.Contains(s, secret) {
				leaks = append(leaks, fmt.Sprintf("%s: %s", how, s))
				break
			}
		}
	}
	sort.Strings(leaks)
	return leaks
}

// Check reports, as test errors, every output of c that shows one of
// secrets (see [Secrets]).
func Check(t testing.TB, c Case, secrets []string) {
	t.Helper()
	if c.Value == nil {
		t.Fatalf("%s: no value", c.Name)
	}
	if c.Inline && c.Why == "" {
		t.Errorf("%s: Inline needs a reason in Why", c.Name)
	}
	for _, l := range Leaks(c, secrets) {
		t.Errorf("%s (%T) prints a secret: %s", c.Name, c.Value, l)
	}
}

// TypeName returns "importpath.Name" of the type of v, pointers removed.
func TypeName(v any) string {
	rt := reflect.TypeOf(v)
	for rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	return rt.PkgPath() + "." + rt.Name()
}

// Complete fails t for every type of the package pkgPath (see [Reaching])
// that reaches a secret and has no case in cases, for every type that
// holds a secret in its own fields (see [Reaching]) and whose cases are not
// marked Inline, and for every case whose type is
// not one of the package's. Cases of types that reach no secret by their
// types are allowed: they are checked all the same.
func Complete(t testing.TB, pkgPath string, cases []Case) {
	t.Helper()
	reach, inline := Reaching(t, pkgPath)
	covered := map[string]bool{}
	for _, c := range cases {
		name := TypeName(c.Value)
		covered[name] = true
		if !strings.HasPrefix(name, pkgPath+".") {
			t.Errorf("case %s: %s is not a type of %s", c.Name, name, pkgPath)
			continue
		}
		if inline[name] && !c.Inline {
			t.Errorf("%s holds a secret in its own fields, so %%p, %%w and unexported fields print it raw: keep the secret behind a pointer (or, if the type is a contract, mark its cases Inline with a reason)", name)
		}
	}
	for _, name := range reach {
		if !covered[name] {
			t.Errorf("%s reaches a secret but has no case in the redaction table of %s: add one (and make it print redacted)", name, pkgPath)
		}
	}
}

// Reaching loads the package pkgPath of this module with go/types and
// returns the names ("importpath.Name") of its types that reach a secret
// (see the package comment) and must be in its redaction table: its
// exported types, its unexported types that implement credentials.Provider
// or sigv4.SecretLookup (values that escape as interfaces), and, for a
// command, all its types. Interface types are left out: the values they
// hold are in the tables by their own types. inline reports the types that
// hold a credentials.Credentials, a signing key or a secret-named field in
// their own fields: not behind a pointer, an interface, a func or a channel.
func Reaching(t testing.TB, pkgPath string) (reach []string, inline map[string]bool) {
	t.Helper()
	pkg, all := load(t, pkgPath)
	seeds := map[string]bool{
		module + "/credentials.Credentials": true,
		module + "/internal/awsenc.HMACKey": true,
		"crypto/ecdsa.PrivateKey":           true, // a derived SigV4a key
	}
	var ifaces []*types.Interface
	ifaceNames := map[string]bool{}
	for _, n := range []struct{ pkg, name string }{{"credentials", "Provider"}, {"sigv4", "SecretLookup"}} {
		p := all[module+"/"+n.pkg]
		if p == nil {
			continue
		}
		obj := p.Scope().Lookup(n.name)
		if obj == nil {
			t.Fatalf("%s.%s not found", n.pkg, n.name)
		}
		ifaces = append(ifaces, obj.Type().Underlying().(*types.Interface))
		ifaceNames[module+"/"+n.pkg+"."+n.name] = true
	}
	if len(ifaces) == 0 {
		t.Fatalf("%s does not import credentials", pkgPath)
	}
	w := walker{seeds: seeds, ifaces: ifaceNames}
	inline = map[string]bool{}
	for _, name := range pkg.Scope().Names() {
		tn, ok := pkg.Scope().Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		typ := tn.Type()
		if _, ok := typ.Underlying().(*types.Interface); ok {
			continue
		}
		implements := false
		for _, i := range ifaces {
			implements = implements || types.Implements(typ, i) || types.Implements(types.NewPointer(typ), i)
		}
		if !tn.Exported() && pkg.Name() != "main" && !implements {
			continue
		}
		full := pkgPath + "." + name
		if implements || w.reaches(typ, false, map[types.Type]bool{}) {
			reach = append(reach, full)
			if w.reaches(typ, true, map[types.Type]bool{}) {
				inline[full] = true
			}
		}
	}
	sort.Strings(reach)
	return reach, inline
}

type walker struct {
	seeds  map[string]bool // types that are secrets by value
	ifaces map[string]bool // interfaces whose values reach secrets
}

func named(t *types.Named) string {
	obj := t.Obj()
	if obj.Pkg() == nil {
		return obj.Name()
	}
	return obj.Pkg().Path() + "." + obj.Name()
}

// secretName reports whether a string or byte field's name says it holds
// a secret or a token: not a file or a path that holds one, nor a hint, a
// name or a header name about one.
func secretName(name string) bool {
	n := strings.ToLower(name)
	for _, notSecret := range []string{"file", "files", "path", "hint", "name", "header"} {
		if strings.HasSuffix(n, notSecret) {
			return false
		}
	}
	return strings.Contains(n, "secret") || strings.Contains(n, "token")
}

func isBytesOrString(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Info()&types.IsString != 0
	case *types.Slice:
		b, ok := u.Elem().Underlying().(*types.Basic)
		return ok && (b.Kind() == types.Byte || b.Kind() == types.Uint8)
	case *types.Array:
		b, ok := u.Elem().Underlying().(*types.Basic)
		return ok && (b.Kind() == types.Byte || b.Kind() == types.Uint8)
	}
	return false
}

// reaches reports whether a value of type t holds a secret; with inline,
// only in its own memory (not behind a pointer, interface, func or chan).
func (w walker) reaches(t types.Type, inline bool, seen map[types.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch u := t.(type) {
	case *types.Named:
		n := named(u)
		if w.seeds[n] {
			return true
		}
		if w.ifaces[n] {
			return !inline
		}
		return w.reaches(u.Underlying(), inline, seen)
	case *types.Alias:
		return w.reaches(types.Unalias(u), inline, seen)
	case *types.Pointer:
		return !inline && w.reaches(u.Elem(), inline, seen)
	case *types.Chan:
		return !inline && w.reaches(u.Elem(), inline, seen)
	case *types.Slice:
		return w.reaches(u.Elem(), inline, seen)
	case *types.Array:
		return w.reaches(u.Elem(), inline, seen)
	case *types.Map:
		return w.reaches(u.Key(), inline, seen) || w.reaches(u.Elem(), inline, seen)
	case *types.Struct:
		for i := range u.NumFields() {
			f := u.Field(i)
			if secretName(f.Name()) && isBytesOrString(f.Type()) {
				return true
			}
			if w.reaches(f.Type(), inline, seen) {
				return true
			}
		}
	}
	return false
}

// load type-checks pkgPath and the module packages it imports from source
// (so that unexported types are all there) and the standard library from
// its export data, as go list -export reports it.
func load(t testing.TB, pkgPath string) (*types.Package, map[string]*types.Package) {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-export", "-f", "{{.ImportPath}}\t{{.Standard}}\t{{.Export}}\t{{.Dir}}\t{{join .GoFiles \",\"}}", pkgPath)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkgPath, err)
	}
	l := &loader{fset: token.NewFileSet(), pkgs: map[string]*types.Package{}, list: map[string][]string{}}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			t.Fatalf("go list: %q", line)
		}
		l.list[f[0]] = f[1:]
	}
	l.gc = importer.ForCompiler(l.fset, "gc", func(path string) (io.ReadCloser, error) {
		e, ok := l.list[path]
		if !ok || e[1] == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(e[1])
	})
	pkg, err := l.Import(pkgPath)
	if err != nil {
		t.Fatal(err)
	}
	return pkg, l.pkgs
}

type loader struct {
	fset *token.FileSet
	gc   types.Importer
	pkgs map[string]*types.Package
	list map[string][]string // import path -> standard, export, dir, files
}

func (l *loader) Import(path string) (*types.Package, error) {
	if p, ok := l.pkgs[path]; ok {
		return p, nil
	}
	e, ok := l.list[path]
	if !ok {
		return nil, fmt.Errorf("%s is not a dependency", path)
	}
	if e[0] == "true" || !strings.HasPrefix(path, module) {
		return l.gc.Import(path)
	}
	var files []*ast.File
	for name := range strings.SplitSeq(e[3], ",") {
		f, err := parser.ParseFile(l.fset, filepath.Join(e[2], name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	conf := types.Config{Importer: l}
	p, err := conf.Check(path, l.fset, files, nil)
	if err != nil {
		return nil, err
	}
	l.pkgs[path] = p
	return p, nil
}
