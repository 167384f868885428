package main

import (
	"cmp"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/sigv4kit/sigv4kit/sigv4"
)

// maxDiffCells bounds the table of diffLines' longest common subsequence:
// a canonical request has a few dozen lines, but an error body is the
// server's and may have millions.
const maxDiffCells = 1 << 16

// diffLines returns the line diff of a and b as lines prefixed with "  "
// (both), "- " (only a) or "+ " (only b). The common first and last lines
// are kept; between them, a longest common subsequence, or, when the lines
// left are too many to compare in maxDiffCells, all of a's removed and all
// of b's added. Time and memory are linear beyond the bound.
func diffLines(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	p := 0
	for p < len(a) && p < len(b) && a[p] == b[p] {
		out = append(out, "  "+a[p])
		p++
	}
	s := 0
	for s < len(a)-p && s < len(b)-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	out = appendLCSDiff(out, a[p:len(a)-s], b[p:len(b)-s])
	for _, l := range a[len(a)-s:] {
		out = append(out, "  "+l)
	}
	return out
}

// appendLCSDiff appends the diff of a and b by their longest common
// subsequence, or a removed and b added when len(a)*len(b) exceeds
// maxDiffCells.
func appendLCSDiff(out, a, b []string) []string {
	n, m := len(a), len(b)
	if n == 0 || m == 0 || n > maxDiffCells/m {
		for _, l := range a {
			out = append(out, "- "+l)
		}
		for _, l := range b {
			out = append(out, "+ "+l)
		}
		return out
	}
	// lcs[i*(m+1)+j] is the length of the LCS of a[i:] and b[j:].
	w := m + 1
	lcs := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			out = append(out, "  "+a[i])
			i++
			j++
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			out = append(out, "- "+a[i])
			i++
		default:
			out = append(out, "+ "+b[j])
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, "- "+a[i])
	}
	for ; j < m; j++ {
		out = append(out, "+ "+b[j])
	}
	return out
}

// canonical is a canonical request split into its parts.
type canonical struct {
	lines   []string
	headers []string // "name:value" lines
	signed  string
	payload string
}

// parseCanonical splits a canonical request into its parts.
func parseCanonical(s string) canonical {
	c := canonical{lines: strings.Split(s, "\n")}
	if len(c.lines) < 6 {
		return c
	}
	end := len(c.lines) - 3 // the blank line before the signed headers
	if end >= 3 {
		c.headers = c.lines[3:end]
	}
	c.signed = c.lines[len(c.lines)-2]
	c.payload = c.lines[len(c.lines)-1]
	return c
}

// lineName names line i (0-based) of a canonical request.
func (c canonical) lineName(i int) string {
	n := len(c.lines)
	switch {
	case i == 0:
		return "the method"
	case i == 1:
		return "the canonical URI"
	case i == 2:
		return "the canonical query string"
	case i == n-1:
		return "the payload hash"
	case i == n-2:
		return "the signed headers"
	case i == n-3:
		return "the blank line after the headers"
	case i < n:
		name, _, _ := strings.Cut(c.lines[i], ":")
		return "the canonical header " + name
	}
	return "a missing line"
}

var stsNames = []string{"the algorithm", "the request time", "the credential scope", "the hash of the canonical request"}

// firstDiff returns the first index where a and b differ, or -1.
func firstDiff(a, b []string) int {
	for i := 0; i < max(len(a), len(b)); i++ {
		if i >= len(a) || i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	return -1
}

// printDiff prints the server's and our canonical request and string to
// sign and their difference to out, then hints to standard error, with
// the session tokens redacted (the comparison is of the whole values).
func (a *app) printDiff(out io.Writer, e *s3Error, tr *sigv4.Trace) {
	var w strings.Builder // redacted as a whole
	server, ours := parseCanonical(e.CanonicalRequest), parseCanonical(tr.CanonicalRequest)
	i := firstDiff(server.lines, ours.lines)
	if i < 0 {
		fmt.Fprintf(&w, "canonical request: identical (%d lines)\n", len(server.lines))
		a.printBlock(&w, "canonical request", e.CanonicalRequest)
	} else {
		fmt.Fprintln(&w, "canonical request (- server, + sigv4):")
		printDiffLines(&w, server.lines, ours.lines)
		fmt.Fprintf(&w, "first difference: line %d, %s\n", i+1, server.lineName(i))
		fmt.Fprintf(&w, "  server: %s\n  sigv4:  %s\n", lineAt(server.lines, i), lineAt(ours.lines, i))
	}
	sl, ol := strings.Split(e.StringToSign, "\n"), strings.Split(tr.StringToSign, "\n")
	j := firstDiff(sl, ol)
	if j < 0 {
		fmt.Fprintln(&w, "string to sign: identical")
	} else {
		fmt.Fprintln(&w, "string to sign (- server, + sigv4):")
		printDiffLines(&w, sl, ol)
		if j != 3 || i < 0 {
			name := "a missing line"
			if j < len(stsNames) {
				name = stsNames[j]
			}
			fmt.Fprintf(&w, "first difference: line %d, %s\n", j+1, name)
		}
	}
	a.printf(out, "%s", w.String())
	for _, h := range canonicalHints(server, ours) {
		a.hintf("%s", h)
	}
	if j >= 0 {
		for _, h := range stsHints(sl, ol) {
			a.hintf("%s", h)
		}
	}
}

func printDiffLines(w io.Writer, a, b []string) {
	for _, l := range diffLines(a, b) {
		fmt.Fprintf(w, "  %s\n", l)
	}
}

func lineAt(lines []string, i int) string {
	if i < len(lines) {
		return fmt.Sprintf("%q", lines[i])
	}
	return "(none)"
}

// canonicalHints explains the differences between two canonical requests.
func canonicalHints(server, ours canonical) []string {
	var hints []string
	at := func(c canonical, i int) string {
		if i < len(c.lines) {
			return c.lines[i]
		}
		return ""
	}
	if m1, m2 := at(server, 0), at(ours, 0); m1 != m2 {
		hints = append(hints, fmt.Sprintf("the server received a %s, the request was signed as %s: a redirect or a client changed the method (HEAD and GET sign differently)", m1, m2))
	}
	if u1, u2 := at(server, 1), at(ours, 1); u1 != u2 {
		switch {
		case strings.Contains(u1, "%25") && strings.ReplaceAll(u1, "%25", "%") == u2:
			hints = append(hints, "double-encoded path: the server's path has %25 where ours has %: the client escaped an already escaped path (S3 keys are escaped once, when the URL is built)")
		case strings.Contains(u2, "%25") && strings.ReplaceAll(u2, "%25", "%") == u1:
			hints = append(hints, "the path was escaped once by the server and twice by sigv4: S3 escapes the path once, other services twice; check --service")
		case decoded(u1) == decoded(u2):
			hints = append(hints, "the path is the same, escaped differently: SigV4 escapes every byte but A-Z a-z 0-9 - . _ ~ as %XX with upper-case hex (a space is %20, not +)")
		default:
			hints = append(hints, "the canonical URI differs: S3 signs the path as sent (escaped once, '//' and '.' kept); other services escape it twice and normalize it")
		}
	}
	if q1, q2 := at(server, 2), at(ours, 2); q1 != q2 {
		hints = append(hints, "the canonical query differs: parameters are sorted by name, names and values escaped with %20 for a space (not +), and a name without a value is written 'name='")
	}
	sh, oh := headerMap(server.headers), headerMap(ours.headers)
	for _, name := range headerNames(server.headers, ours.headers) {
		v1, in1 := sh[name]
		v2, in2 := oh[name]
		switch {
		case name == tokenName && in1 && !in2:
			hints = append(hints, "the server signed a session token (x-amz-security-token), which the request you gave does not have: pass the request's token with -H")
		case name == tokenName && in1 && in2 && v1 != v2:
			hints = append(hints, "the session token differs: the server received another x-amz-security-token than the request was signed with; the client sent another token than it signed with, or a proxy replaced it")
		case in1 && !in2 && name == "content-length":
			hints = append(hints, fmt.Sprintf("the server signed content-length %s: pass the request's body with -d (the length comes from it)", v1))
		case in1 && !in2:
			hints = append(hints, fmt.Sprintf("the server signed header %s (value %q), which the request you gave does not have: pass it with -H", name, v1))
		case !in1 && in2:
			hints = append(hints, fmt.Sprintf("sigv4 signed header %s, which the server's list does not have", name))
		case v1 == v2:
		case name == "host":
			hints = append(hints, fmt.Sprintf("host with port: the server saw Host %q, the request says %q; sign the host as sent, with its port unless it is the default (80, 443); a proxy that rewrites Host breaks signatures", v1, v2))
		case name == "x-amz-date":
			hints = append(hints, fmt.Sprintf("the request time differs (server %s, request %s): send the X-Amz-Date that was signed", v1, v2))
		case name == "x-amz-content-sha256":
			hints = append(hints, "the payload hash header differs: send the x-amz-content-sha256 that was signed")
		case strings.Join(strings.Fields(v1), " ") == strings.Join(strings.Fields(v2), " "):
			hints = append(hints, fmt.Sprintf("header whitespace: %s differs only in spaces (server %q, sigv4 %q): values are trimmed and inner runs of spaces collapsed to one", name, v1, v2))
		default:
			hints = append(hints, fmt.Sprintf("signed header %s differs: the server received %q, the request was signed with %q; the client sent another value, or a proxy, load balancer or HTTP client rewrote it after signing (sign only headers that reach the server unchanged)", name, v1, v2))
		}
	}
	if server.signed != ours.signed && len(sh) == len(oh) {
		hints = append(hints, "the lists of signed headers differ")
	}
	if server.payload != ours.payload {
		hints = append(hints, fmt.Sprintf("the payload hash differs (server %s, sigv4 %s): the body the server received is not the body that was hashed, or x-amz-content-sha256 was not the hash", short(server.payload), short(ours.payload)))
	}
	return hints
}

func short(h string) string {
	if len(h) == 64 {
		return h[:12] + "..."
	}
	return h
}

func decoded(p string) string {
	d, err := url.PathUnescape(p)
	if err != nil {
		return p
	}
	return d
}

func headerMap(lines []string) map[string]string {
	m := make(map[string]string, len(lines))
	for _, l := range lines {
		k, v, _ := strings.Cut(l, ":")
		m[k] = v
	}
	return m
}

// headerNames lists the names of both header blocks, in order.
func headerNames(a, b []string) []string {
	seen := map[string]bool{}
	var names []string
	for _, l := range append(append([]string(nil), a...), b...) {
		k, _, _ := strings.Cut(l, ":")
		if !seen[k] {
			seen[k] = true
			names = append(names, k)
		}
	}
	return names
}

// stsHints explains the differences between two strings to sign.
func stsHints(server, ours []string) []string {
	var hints []string
	if len(server) != 4 || len(ours) != 4 {
		return nil
	}
	if server[1] != ours[1] {
		hints = append(hints, fmt.Sprintf("the request time differs (server %s, sigv4 %s): check the X-Amz-Date header and the clock (S3 allows 15 minutes of skew)", server[1], ours[1]))
	}
	s, o := strings.Split(server[2], "/"), strings.Split(ours[2], "/")
	if len(s) == 4 && len(o) == 4 {
		if s[0] != o[0] {
			hints = append(hints, fmt.Sprintf("the scope's date differs (server %s, sigv4 %s): it must be the UTC date of X-Amz-Date", s[0], o[0]))
		}
		if s[1] != o[1] {
			hints = append(hints, fmt.Sprintf("wrong region: the server's scope says %s, sigv4's %s: sign for the bucket's region (--region %s)", s[1], o[1], s[1]))
		}
		if s[2] != o[2] {
			hints = append(hints, fmt.Sprintf("wrong service: the server's scope says %s, sigv4's %s (--service %s)", s[2], o[2], s[2]))
		}
	}
	return hints
}

// codeHints explains S3 authentication errors other than
// SignatureDoesNotMatch.
func codeHints(e *s3Error) []string {
	switch e.Code {
	case sigv4.CodeRequestTimeTooSkewed:
		return []string{fmt.Sprintf("clock skew: the request time %s is more than 15 minutes from the server's %s; synchronize the clock (NTP)", cmp.Or(e.RequestTime, "?"), cmp.Or(e.ServerTime, "?"))}
	case sigv4.CodeAuthorizationHeaderMalformed, sigv4.CodeAuthorizationQueryParametersError:
		if e.Region != "" {
			return []string{fmt.Sprintf("wrong region: the server expects %s (--region %s)", e.Region, e.Region)}
		}
		return []string{"the Authorization header or the X-Amz-* parameters are malformed: " + e.Message}
	case sigv4.CodeInvalidAccessKeyID:
		return []string{fmt.Sprintf("the server does not know the access key %s: check the profile, the account and the endpoint", cmp.Or(e.AccessKeyID, "sent"))}
	case sigv4.CodeXAmzContentSHA256Mismatch:
		return []string{"the body received does not hash to x-amz-content-sha256: the body changed after signing"}
	case "ExpiredToken", sigv4.CodeInvalidToken:
		return []string{"the session token (X-Amz-Security-Token) is expired or invalid: refresh the credentials"}
	case sigv4.CodeAccessDenied:
		if strings.Contains(strings.ToLower(e.Message), "expired") {
			return []string{fmt.Sprintf("the presigned URL expired (at %s; server time %s): presign a new one", cmp.Or(e.Expires, "?"), cmp.Or(e.ServerTime, "?"))}
		}
		return []string{"the signature is valid but the credentials are not allowed this request (a policy), or the request is not signed"}
	case sigv4.CodeInvalidRequest:
		if strings.Contains(e.Message, "x-amz-content-sha256") {
			return []string{"S3 needs the x-amz-content-sha256 header on header-signed requests: sign with the payload hash (sigv4 does for service s3)"}
		}
	}
	return nil
}
