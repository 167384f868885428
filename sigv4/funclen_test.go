package sigv4_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// maxFuncLines bounds the length of every function of the package's
// non-test code, from its func keyword to its closing brace: a reader
// follows each step of a signature in functions that fit on a screen.
const maxFuncLines = 80

// TestFunctionLength fails for a function of the package (test files
// aside) longer than maxFuncLines lines, and logs the longest.
func TestFunctionLength(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	longest, where, seen := 0, "", 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			seen++
			n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
			id := name + ":" + fn.Name.Name
			if fn.Recv != nil && len(fn.Recv.List) == 1 {
				id = name + ":" + types(fn.Recv.List[0].Type) + "." + fn.Name.Name
			}
			if n > maxFuncLines {
				t.Errorf("%s is %d lines long, more than %d", id, n, maxFuncLines)
			}
			if n > longest {
				longest, where = n, id
			}
		}
	}
	if seen < 100 {
		t.Fatalf("only %d functions found: not the package's directory?", seen)
	}
	t.Logf("%d functions; the longest, %s, has %d lines", seen, where, longest)
}

// types names a receiver type: T or *T.
func types(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return "*" + types(e.X)
	case *ast.Ident:
		return e.Name
	case *ast.IndexExpr:
		return types(e.X)
	}
	return "?"
}
