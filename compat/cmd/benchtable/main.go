// Command benchtable turns the output of the side-by-side benchmarks in
// compat/bench into the performance table of the README: the median time,
// bytes and allocations per operation of each signer, and the ratio of each
// anchor to sigv4kit. compat/scripts/bench.sh runs it.
//
//	benchtable [-benchstat FILE] [-update FILE] bench.txt...
//
// It prints the markdown section to standard output; with -update it also
// replaces the part of FILE between the markers
//
//	<!-- BEGIN GENERATED PERFORMANCE TABLE (compat/scripts/bench.sh) -->
//	<!-- END GENERATED PERFORMANCE TABLE -->
//
// -benchstat includes benchstat's own table in the section.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Markers delimit the generated block in the documentation.
const (
	BeginMarker = "<!-- BEGIN GENERATED PERFORMANCE TABLE (compat/scripts/bench.sh) -->"
	EndMarker   = "<!-- END GENERATED PERFORMANCE TABLE -->"
)

var (
	workloads = []struct{ name, title string }{
		{"S3GetHeader", "header-sign an S3 GET (6 signed headers)"},
		{"S3GetPresign", "presign an S3 GET (URL string out)"},
		{"DynamoDBPost", "header-sign a DynamoDB POST, 200-byte body hashed"},
	}
	impls = []struct{ name, title string }{
		{"sigv4kit", "sigv4kit"},
		{"awssdk", "aws-sdk-go-v2"},
		{"awshttpauth", "aws-http-auth"},
		{"miniogo", "minio-go"},
	}
	// targets are the goals against aws-sdk-go-v2.
	targets = []struct {
		workload          string
		speedup, allocsBy float64
	}{
		{"S3GetHeader", 7, 10},
		{"S3GetPresign", 7, 10},
	}

	// streamRows are the aws-chunked benchmarks, a 64 KiB chunk per
	// operation: the separate benchmark (name/impl) and the alternating
	// one beside the SHA-256 of 64 KiB (ChunkVsSHA256/vs).
	streamRows = []struct{ name, impl, title, implTitle, vs string }{
		{"ChunkSign64K", "sigv4kit", "sign a 64 KiB aws-chunked chunk (encode)", "sigv4kit", "sign-sigv4kit"},
		{"ChunkSign64K", "miniogo", "sign a 64 KiB aws-chunked chunk (encode)", "minio-go", "sign-miniogo"},
		{"ChunkVerify64K", "sigv4kit", "verify a 64 KiB aws-chunked chunk (decode, as the handler reads)", "sigv4kit", "verify-sigv4kit"},
	}
)

// streamTarget is the goal for a chunk: this fraction of the
// floor's throughput, with no allocation.
const streamTarget = 0.95

// sample is one benchmark's measurements over its runs.
type sample struct {
	ns, bytes, allocs []float64
	// metrics holds the other units (b.ReportMetric), such as x-floor.
	metrics map[string][]float64
}

// Results maps "Workload/impl" to its samples, plus the header lines.
type Results struct {
	Samples map[string]*sample
	CPU     string
	Runs    int
}

// Parse reads `go test -bench -benchmem` output.
func Parse(r io.Reader) (*Results, error) {
	res := &Results{Samples: map[string]*sample{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if cpu, ok := strings.CutPrefix(line, "cpu: "); ok {
			res.CPU = strings.TrimSpace(cpu)
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i] // GOMAXPROCS suffix
			}
		}
		w, impl, ok := strings.Cut(name, "/impl=")
		if !ok {
			continue
		}
		key := w + "/" + impl
		s := res.Samples[key]
		if s == nil {
			s = &sample{}
			res.Samples[key] = s
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				s.ns = append(s.ns, v)
			case "B/op":
				s.bytes = append(s.bytes, v)
			case "allocs/op":
				s.allocs = append(s.allocs, v)
			case "MB/s":
				// derived from ns/op and b.SetBytes
			default:
				if s.metrics == nil {
					s.metrics = map[string][]float64{}
				}
				s.metrics[f[i+1]] = append(s.metrics[f[i+1]], v)
			}
		}
		res.Runs = max(res.Runs, len(s.ns), len(s.metrics["x-floor"]))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(res.Samples) == 0 {
		return nil, errors.New("no Benchmark.../impl=... lines in the input")
	}
	return res, nil
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func fmtTime(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

func ratio(a, b float64) string {
	if b == 0 {
		if a == 0 {
			return "="
		}
		return "∞"
	}
	return fmt.Sprintf("%.1fx", a/b)
}

// Machine describes where the benchmarks ran.
type Machine struct {
	Model, GoVersion, Date string
	NumCPU                 int
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func goVersion() string {
	out, err := exec.Command("go", "version").Output()
	if err != nil {
		return runtime.Version()
	}
	return strings.TrimSpace(string(out))
}

// Markdown renders the performance section.
func Markdown(res *Results, m Machine, benchstat string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured by `make bench` (compat/scripts/bench.sh) on %s: %d CPUs, %s",
		m.Date, m.NumCPU, m.Model)
	if res.CPU != "" && res.CPU != m.Model {
		fmt.Fprintf(&b, " (Go reports \"%s\")", res.CPU)
	}
	fmt.Fprintf(&b, ", %s; medians of %d runs of each benchmark, all four signers in one `go test -bench` run over identical inputs ", m.GoVersion, res.Runs)
	b.WriteString("(compat/bench; `TestSameSignatures` proves they produce the same signature). ")
	b.WriteString("Shared machines are noisy: expect ±10–25% between runs.\n\n")

	b.WriteString("| work |")
	for _, im := range impls {
		fmt.Fprintf(&b, " %s |", im.title)
	}
	b.WriteString("\n|---|")
	for range impls {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, w := range workloads {
		kit := res.Samples[w.name+"/sigv4kit"]
		if kit == nil {
			continue
		}
		kitNs, kitAllocs := median(kit.ns), median(kit.allocs)
		fmt.Fprintf(&b, "| %s |", w.title)
		for _, im := range impls {
			s := res.Samples[w.name+"/"+im.name]
			if s == nil {
				b.WriteString(" — |")
				continue
			}
			ns, by, al := median(s.ns), median(s.bytes), median(s.allocs)
			fmt.Fprintf(&b, " %s, %.0f allocs, %.0f B", fmtTime(ns), al, by)
			if im.name != "sigv4kit" {
				fmt.Fprintf(&b, " (**%s** slower, %s allocs)", ratio(ns, kitNs), ratio(al, kitAllocs))
			}
			b.WriteString(" |")
		}
		b.WriteString("\n")
	}

	b.WriteString("\nRatio of each anchor to sigv4kit (time / allocations; higher means sigv4kit is ahead by that factor):\n\n")
	b.WriteString("| work |")
	for _, im := range impls[1:] {
		fmt.Fprintf(&b, " %s |", im.title)
	}
	b.WriteString("\n|---|")
	for range impls[1:] {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, w := range workloads {
		kit := res.Samples[w.name+"/sigv4kit"]
		if kit == nil {
			continue
		}
		fmt.Fprintf(&b, "| %s |", w.title)
		for _, im := range impls[1:] {
			s := res.Samples[w.name+"/"+im.name]
			if s == nil {
				b.WriteString(" — |")
				continue
			}
			fmt.Fprintf(&b, " %s / %s |", ratio(median(s.ns), median(kit.ns)), ratio(median(s.allocs), median(kit.allocs)))
		}
		b.WriteString("\n")
	}

	b.WriteString("\nTargets against aws-sdk-go-v2 (at least 7x faster and 10x fewer allocations):\n\n")
	for _, tg := range targets {
		kit, sdk := res.Samples[tg.workload+"/sigv4kit"], res.Samples[tg.workload+"/awssdk"]
		if kit == nil || sdk == nil {
			continue
		}
		sp := median(sdk.ns) / median(kit.ns)
		al := median(sdk.allocs) / max(median(kit.allocs), 1e-9)
		verdict := "met"
		if sp < tg.speedup || al < tg.allocsBy {
			verdict = "**not met**"
		}
		title := tg.workload
		for _, w := range workloads {
			if w.name == tg.workload {
				title = w.title
			}
		}
		fmt.Fprintf(&b, "- %s: %.1fx faster, %s fewer allocations — %s\n", title, sp, ratio(median(sdk.allocs), median(kit.allocs)), verdict)
	}
	streamMarkdown(&b, res)
	if benchstat != "" {
		b.WriteString("\n<details><summary>benchstat -col /impl (the deltas are against sigv4kit)</summary>\n\n```\n")
		b.WriteString(strings.TrimRight(benchstat, "\n"))
		b.WriteString("\n```\n\n</details>\n")
	}
	return b.String()
}

// chunkBytes is the data of one aws-chunked benchmark operation.
const chunkBytes = 64 << 10

// mbps is the throughput of a 64 KiB operation taking ns, in MB/s (10^6
// bytes per second, as go test reports).
func mbps(ns float64) float64 {
	if ns == 0 {
		return 0
	}
	return chunkBytes / ns * 1e3
}

// streamMarkdown renders the aws-chunked table, when those benchmarks ran.
// The time beside the floor comes from BenchmarkChunkVsSHA256, which runs
// chunks and SHA-256s in alternating batches and reports the median ratio
// (x-floor): on a shared machine it holds still where the separate
// benchmarks, also shown, swing with the load.
func streamMarkdown(b *strings.Builder, res *Results) {
	if res.Samples["ChunkSign64K/sigv4kit"] == nil && res.Samples["ChunkVerify64K/sigv4kit"] == nil {
		return
	}
	b.WriteString("\nStreaming uploads (aws-chunked, `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`), a 64 KiB chunk per operation, beside the SHA-256 of 64 KiB that signing or verifying a chunk cannot avoid. The time beside the floor is the median ratio over batches of 4 chunks and 4 SHA-256s run alternately (`BenchmarkChunkVsSHA256`); \"alone\" is the separate benchmark's median time and MB/s of chunk data, which the machine's load moves more:\n\n")
	b.WriteString("| work | by | time beside the floor | share of the floor's throughput | allocs per chunk | alone |\n|---|---|---|---|---|---|\n")
	alone := func(s *sample) string {
		if s == nil || len(s.ns) == 0 {
			return "—"
		}
		ns := median(s.ns)
		return fmt.Sprintf("%s, %.0f MB/s", fmtTime(ns), mbps(ns))
	}
	var verdicts []string
	for _, row := range streamRows {
		s := res.Samples[row.name+"/"+row.impl]
		if s == nil {
			continue
		}
		vs, share, beside := res.Samples["ChunkVsSHA256/"+row.vs], "—", "—"
		var frac float64
		if vs != nil && len(vs.metrics["x-floor"]) > 0 {
			x := median(vs.metrics["x-floor"])
			frac = 1 / x
			beside, share = fmt.Sprintf("%.3fx", x), fmt.Sprintf("%.0f%%", 100*frac)
			if row.impl == "sigv4kit" {
				share = "**" + share + "**"
			}
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %.0f | %s |\n", row.title, row.implTitle, beside, share, median(s.allocs), alone(s))
		if row.impl == "sigv4kit" && frac > 0 {
			verdict := "met"
			if frac < streamTarget || median(s.allocs) != 0 {
				verdict = "**not met**"
			}
			verdicts = append(verdicts, fmt.Sprintf("- %s: %.0f%% of the floor, %.0f allocs per chunk — %s", row.title, 100*frac, median(s.allocs), verdict))
		}
	}
	if floor := res.Samples["SHA256_64K/floor"]; floor != nil {
		fmt.Fprintf(b, "| SHA-256 of 64 KiB (the floor) | crypto/sha256 | 1x | 100%% | %.0f | %s |\n", median(floor.allocs), alone(floor))
	}
	if len(verdicts) > 0 {
		fmt.Fprintf(b, "\nTargets (at least %.0f%% of the SHA-256 floor's throughput, 0 allocations per chunk):\n\n", 100*streamTarget)
		b.WriteString(strings.Join(verdicts, "\n") + "\n")
	}
}

// Update replaces the generated block of doc with section.
func Update(doc []byte, section string) ([]byte, error) {
	i := bytes.Index(doc, []byte(BeginMarker))
	j := bytes.Index(doc, []byte(EndMarker))
	if i < 0 || j < i {
		return nil, fmt.Errorf("markers %q and %q not found in order", BeginMarker, EndMarker)
	}
	var out bytes.Buffer
	out.Write(doc[:i+len(BeginMarker)])
	out.WriteString("\n")
	out.WriteString(section)
	out.Write(doc[j:])
	return out.Bytes(), nil
}

func main() {
	benchstatFile := flag.String("benchstat", "", "file with benchstat's output, included in the section")
	update := flag.String("update", "", "markdown file whose generated block is replaced")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: benchtable [-benchstat FILE] [-update FILE] bench.txt...")
		os.Exit(2)
	}
	var all bytes.Buffer
	for _, name := range flag.Args() {
		b, err := os.ReadFile(name)
		if err != nil {
			fail(err)
		}
		all.Write(b)
	}
	res, err := Parse(&all)
	if err != nil {
		fail(err)
	}
	var bs string
	if *benchstatFile != "" {
		b, err := os.ReadFile(*benchstatFile)
		if err != nil {
			fail(err)
		}
		bs = string(b)
	}
	m := Machine{
		Model:     cpuModel(),
		NumCPU:    runtime.NumCPU(),
		GoVersion: goVersion(),
		Date:      time.Now().UTC().Format("2006-01-02"),
	}
	section := Markdown(res, m, bs)
	fmt.Print(section)
	if *update != "" {
		doc, err := os.ReadFile(*update)
		if err != nil {
			fail(err)
		}
		out, err := Update(doc, section)
		if err != nil {
			fail(fmt.Errorf("%s: %w", *update, err))
		}
		if err := os.WriteFile(*update, out, 0o644); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "benchtable:", err)
	os.Exit(1)
}
