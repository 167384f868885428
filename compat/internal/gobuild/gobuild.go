// Package gobuild builds a Go command of the sigv4kit module once per test
// process, for the end-to-end tests that run it as a real program.
package gobuild

import (
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sync"
	"testing"
)

// Binary is a command built on first use. Declare one per package
// variable, and call Main from TestMain (or Remove after m.Run).
type Binary struct {
	// Pkg is the import path of the main package, e.g.
	// "github.com/sigv4kit/sigv4kit/cmd/sigv4".
	Pkg string

	once      sync.Once
	dir, path string
	err       error
}

// Path builds the command the first time it is called and returns the
// executable's path; a failed build fails tb.
func (b *Binary) Path(tb testing.TB) string {
	tb.Helper()
	b.once.Do(b.build)
	if b.err != nil {
		tb.Fatalf("building %s: %v", b.Pkg, b.err)
	}
	return b.path
}

func (b *Binary) build() {
	goTool, err := exec.LookPath("go")
	if err != nil {
		b.err = err
		return
	}
	name := path.Base(b.Pkg)
	if b.dir, b.err = os.MkdirTemp("", "sigv4-e2e-"+name+"-"); b.err != nil {
		return
	}
	b.path = filepath.Join(b.dir, name)
	if out, err := exec.Command(goTool, "build", "-o", b.path, b.Pkg).CombinedOutput(); err != nil {
		b.err = errors.New(err.Error() + "\n" + string(out))
	}
}

// Remove deletes the built executable, if any.
func (b *Binary) Remove() {
	if b.dir != "" {
		os.RemoveAll(b.dir)
	}
}

// Main runs the tests of m, removes the built executable and exits with
// the tests' code: the whole of a TestMain.
func (b *Binary) Main(m *testing.M) {
	code := m.Run()
	b.Remove()
	os.Exit(code)
}
