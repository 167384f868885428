package awsconfig_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// TestCommonCaseLines counts the lines of the body of Example (the common
// case: presign a GET with credentials and region from the environment):
// at most 8, as issue 18 asks (12 with this module before, 14 with
// aws-sdk-go-v2).
func TestCommonCaseLines(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "example_test.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "Example" {
			continue
		}
		lines := fset.Position(fn.Body.Rbrace).Line - fset.Position(fn.Body.Lbrace).Line - 1
		t.Logf("the common case is %d lines of main", lines)
		if lines > 8 {
			t.Errorf("the common case is %d lines, want at most 8", lines)
		}
		return
	}
	t.Fatal("example_test.go has no func Example")
}
