package main

import (
	"strconv"
	"strings"
	"testing"
)

// lines returns n lines named prefix0, prefix1, ...
func lines(prefix string, n int) []string {
	l := make([]string, n)
	for i := range l {
		l[i] = prefix + strconv.Itoa(i)
	}
	return l
}

// TestDiffLinesTable checks diffLines on both sides of maxDiffCells: each
// result is an edit script of the inputs.
func TestDiffLinesTable(t *testing.T) {
	big := func(prefix string) []string {
		return append(append([]string{"GET", "/"}, lines(prefix, 300)...), "host", "UNSIGNED-PAYLOAD")
	}
	for _, tc := range []struct {
		name string
		a, b []string
		want string
	}{
		{"identical", []string{"a", "b"}, []string{"a", "b"}, "  a|  b"},
		{"empty a", nil, []string{"a", "b"}, "+ a|+ b"},
		{"empty b", []string{"a", "b"}, nil, "- a|- b"},
		{"common ends", []string{"m", "1", "2", "x"}, []string{"m", "2", "3", "x"}, "  m|- 1|  2|+ 3|  x"},
		{"subsequence in the middle", []string{"s", "a", "b", "c", "e"}, []string{"s", "b", "x", "c", "e"}, "  s|- a|  b|+ x|  c|  e"},
		// 300 x 300 lines are over maxDiffCells: the middle is removed, then added.
		{"over the bound", big("a"), big("b"),
			"  GET|  /|- " + strings.Join(lines("a", 300), "|- ") + "|+ " + strings.Join(lines("b", 300), "|+ ") + "|  host|  UNSIGNED-PAYLOAD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(diffLines(tc.a, tc.b), "|"); got != tc.want {
				t.Errorf("diffLines = %q, want %q", got, tc.want)
			}
			checkEditScript(t, tc.a, tc.b)
		})
	}
}

// BenchmarkDiffLines diffs a canonical request's few lines, and an error
// body's many (a hostile or broken server's), which the bound keeps linear.
func BenchmarkDiffLines(b *testing.B) {
	for _, n := range []int{10, 100, 3000} {
		x, y := lines("a", n), lines("b", n)
		x[n/2], y[n/2] = "same", "same"
		b.Run(strconv.Itoa(n)+"-lines", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				diffLines(x, y)
			}
		})
	}
}
