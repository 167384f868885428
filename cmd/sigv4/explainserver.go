package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sigv4kit/sigv4kit/sigv4"
)

// MinIO and radosgw answer SignatureDoesNotMatch without the canonical
// request they computed (they only log it). explain then checks what it
// can: it recomputes the request's signature with the local credentials,
// compares the request's scope and path with what the server names
// (MinIO's <Region>, <Resource>, <BucketName>), and gives a verdict (the
// secret, the scope or the canonical request) with the usual causes for
// the server's family.

// serverBody is what an S3 error body names of the request, beyond its
// code and message: the fields MinIO and radosgw fill.
type serverBody struct {
	Key, BucketName, Resource, Region string
	RequestID, HostID                 string
	elements                          []string // the child elements of <Error>, in order
}

// maxBodyElements bounds the child elements parseServerBody keeps.
const maxBodyElements = 64

// parseServerBody reads the children of an <Error> body; anything else
// gives the zero serverBody.
func parseServerBody(raw []byte) serverBody {
	var doc struct {
		XMLName xml.Name
		Fields  []struct {
			XMLName xml.Name
			Text    string `xml:",chardata"`
		} `xml:",any"`
	}
	var b serverBody
	if xml.Unmarshal(raw, &doc) != nil || doc.XMLName.Local != "Error" {
		return b
	}
	for i, f := range doc.Fields {
		if i == maxBodyElements {
			break
		}
		b.elements = append(b.elements, f.XMLName.Local)
		switch f.XMLName.Local {
		case "Key":
			b.Key = f.Text
		case "BucketName":
			b.BucketName = f.Text
		case "Resource":
			b.Resource = f.Text
		case "Region":
			b.Region = f.Text
		case "RequestId":
			b.RequestID = f.Text
		case "HostId":
			b.HostID = f.Text
		}
	}
	return b
}

// has reports whether the body has the element name.
func (b *serverBody) has(name string) bool { return slices.Contains(b.elements, name) }

// minioFields are the elements of MinIO's APIErrorResponse.
var minioFields = []string{"Code", "Message", "Key", "BucketName", "Resource", "Region", "RequestId", "HostId", "ActualObjectSize", "RangeRequested"}

// minioShape reports whether the body has MinIO's shape: a <Resource>, a
// <RequestId> and a <HostId>, and no element MinIO does not write.
func (b *serverBody) minioShape() bool {
	if !b.has("Resource") || !b.has("RequestId") || !b.has("HostId") {
		return false
	}
	for _, e := range b.elements {
		if !slices.Contains(minioFields, e) {
			return false
		}
	}
	return true
}

// isRGWRequestID reports whether id is a radosgw transaction ID:
// "tx", 21 hex digits, "-", the time in hex, "-", the gateway's instance
// ID in hex, "-" and the zone ("tx00000a08200e66c0ca64f-006b0ea4c9-100a-default").
func isRGWRequestID(id string) bool {
	rest, ok := strings.CutPrefix(id, "tx")
	if !ok {
		return false
	}
	parts := strings.SplitN(rest, "-", 4)
	return len(parts) == 4 && len(parts[0]) == 21 && isHex(parts[0]) &&
		len(parts[1]) >= 8 && isHex(parts[1]) && parts[2] != "" && isHex(parts[2]) && parts[3] != ""
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// serverFamily is a kind of S3 server and what goes wrong with it.
type serverFamily struct {
	name     string
	services []string // the signing names it answers
	causes   []string // the usual causes of SignatureDoesNotMatch
	// regionNote says how it treats the scope's region when the body does
	// not name one.
	regionNote string
	// secretHint says how to check the secret and see what the server
	// received.
	secretHint string
}

var (
	familyMinIO = &serverFamily{
		name:     "MinIO",
		services: []string{"s3", "sts"},
		causes: []string{
			"a proxy in front of MinIO changing the Host header (nginx: proxy_set_header Host $http_host, not $host, which drops the port), rewriting the path, or adding or changing signed headers",
			"the region: with a region set (MINIO_SITE_REGION, formerly MINIO_REGION) MinIO accepts only that one in the scope",
			"path-style vs virtual-host style: bucket.host requests need MINIO_DOMAIN set to the host's domain",
			"'+' in keys: a path sends '+' as %2B and a space as %20; a client or proxy that turns one into the other changes the path",
			"clock skew over 15 minutes (MinIO answers RequestTimeTooSkewed), or a secret changed on the server (mc admin user info)",
		},
		regionNote: "MinIO before 2020 does not name its region: it accepts any region unless one is set (MINIO_REGION)",
		secretHint: "check the secret MinIO has for %[1]s (mc admin user info ALIAS %[1]s; the root user's is MINIO_ROOT_PASSWORD); if it is right, mc admin trace -v ALIAS shows the request as MinIO received it: compare its Host, path and signed headers with the canonical request above",
	}
	familyRadosgw = &serverFamily{
		name:     "radosgw (Ceph Object Gateway)",
		services: []string{"s3", "sts", "iam"},
		causes: []string{
			"a proxy or load balancer in front of radosgw (haproxy, nginx, an ingress) changing the Host header, the path or a signed header",
			"virtual-host style: bucket.host requests need rgw_dns_name (or the zonegroup's hostnames) set to the host's domain",
			"which authenticator holds the key (rgw_s3_auth_use_rados, rgw_s3_auth_use_keystone: the secret of the Keystone EC2 credential, rgw_s3_auth_use_ldap; tried in rgw_s3_auth_order)",
			"the region: radosgw derives the signing key from the region the request's scope names (the zonegroup's api_name only matters for bucket locations), so a region alone does not break the signature",
			"clock skew over 15 minutes (radosgw answers RequestTimeTooSkewed), or a secret changed on the server (radosgw-admin user info)",
		},
		regionNote: "radosgw derives the signing key from the request's region and does not name its own",
		secretHint: "check the secret radosgw has for %[1]s (radosgw-admin user info --access-key=%[1]s, or the Keystone EC2 credential); if it is right, set debug_rgw to 10 (ceph config set client.rgw debug_rgw 10), find the request ID %[2]s in the gateway's log and compare its \"canonical request =\" line with the canonical request above",
	}
	familyOther = &serverFamily{
		name: "",
		causes: []string{
			"a proxy or load balancer changing the Host header, the path or a signed header after the client signed",
			"the region or the service in the scope: sign for the server's region and service s3",
			"path-style vs virtual-host style addressing the server does not expect",
			"clock skew over 15 minutes, or a secret changed on the server",
		},
		regionNote: "the server does not name its region",
		secretHint: "check the secret the server has for %[1]s; if it is right, compare the server's log of request %[2]s with the canonical request above",
	}
)

// familyRules tell the server's family from its answer, first match wins:
// the headers are surest, then the body's request ID, then its shape.
var familyRules = []struct {
	family *serverFamily
	by     string // what the rule looks at, for the output
	match  func(h http.Header, b *serverBody) bool
}{
	{familyMinIO, "its Server header", func(h http.Header, _ *serverBody) bool {
		return strings.HasPrefix(strings.ToLower(h.Get("Server")), "minio")
	}},
	{familyRadosgw, "its Server header", func(h http.Header, _ *serverBody) bool {
		return strings.Contains(h.Get("Server"), "Ceph Object Gateway")
	}},
	{familyRadosgw, "its request ID (tx…-time-instance-zone)", func(h http.Header, b *serverBody) bool {
		return isRGWRequestID(b.RequestID) || isRGWRequestID(h.Get("X-Amz-Request-Id"))
	}},
	{familyMinIO, "its request ID 3L137 (MinIO before 2017)", func(_ http.Header, b *serverBody) bool {
		return b.RequestID == "3L137"
	}},
	{familyMinIO, "its body's shape: a <Resource> and a <HostId>, MinIO's fields only", func(_ http.Header, b *serverBody) bool {
		return b.minioShape()
	}},
}

// detectFamily returns the server's family and what told it, or
// familyOther and "".
func detectFamily(h http.Header, b *serverBody) (*serverFamily, string) {
	for _, r := range familyRules {
		if r.match(h, b) {
			return r.family, r.by
		}
	}
	return familyOther, ""
}

// splitHTTPResponse splits a saved HTTP response (curl -i, sigv4 curl -i:
// a status line, headers, a blank line and the body) into its headers and
// body; a 1xx response or a proxy's CONNECT answer before it is skipped.
// Input that is not a response is all body.
func splitHTTPResponse(raw []byte) (http.Header, []byte) {
	for range 8 { // a few interim responses at most
		if !bytes.HasPrefix(raw, []byte("HTTP/")) {
			return nil, raw
		}
		end, sep := bytes.Index(raw, []byte("\r\n\r\n")), 4
		if i := bytes.Index(raw, []byte("\n\n")); i >= 0 && (end < 0 || i < end) {
			end, sep = i, 2
		}
		if end < 0 {
			end, sep = len(raw), 0
		}
		head, body := raw[:end], raw[end+sep:]
		tp := textproto.NewReader(bufio.NewReader(withBlankLine(head)))
		status, err := tp.ReadLine()
		if err != nil {
			return nil, raw
		}
		hdr, err := tp.ReadMIMEHeader()
		if err != nil && len(hdr) == 0 {
			return nil, raw
		}
		_, code, _ := strings.Cut(status, " ")
		if (strings.HasPrefix(code, "1") || bytes.HasPrefix(body, []byte("HTTP/"))) && len(body) > 0 {
			raw = body
			continue
		}
		return http.Header(hdr), body
	}
	return nil, raw
}

// withBlankLine returns head with the blank line textproto needs to end
// the headers.
func withBlankLine(head []byte) *bytes.Reader {
	return bytes.NewReader(append(bytes.Clone(head), "\r\n\r\n"...))
}

// check states one thing explain compared.
type check struct {
	state checkState
	cause string // for checkDiffers: causeScope or causeCanonical
	what  string
	text  string
	fix   string // what to do, for checkDiffers
}

type checkState int

const (
	checkOK checkState = iota
	checkDiffers
	checkUnknown
	checkNote
)

func (s checkState) String() string {
	return [...]string{"ok", "DIFFERS", "unknown", "note"}[s]
}

const (
	causeScope     = "the scope"
	causeCanonical = "the canonical request"
)

// explainWithoutCanonical explains an error that has no canonical request
// to diff: other codes get their hints, and SignatureDoesNotMatch (as
// MinIO and radosgw send it) the checks and a verdict. hdr holds the
// response's headers when the error was saved with them.
func (a *app) explainWithoutCanonical(req *http.Request, e *s3Error, hdr http.Header, body []byte, region, service, profile string) error {
	b := parseServerBody(body)
	fam, by := detectFamily(hdr, &b)
	if fam != familyOther {
		line := "server family: " + fam.name + ", told by " + by
		if id := cmp.Or(b.RequestID, hdr.Get("X-Amz-Request-Id")); id != "" {
			line += "; request ID " + id
		}
		a.printf(a.stdout, "%s\n", line)
	}
	if e.Code != sigv4.CodeSignatureDoesNotMatch {
		hints := familyCodeHints(fam, e, &b, req, hdr)
		if len(hints) == 0 {
			hints = codeHints(e)
		}
		for _, h := range hints {
			a.hintf("%s", h)
		}
		return nil
	}

	x, err := a.explainRequest(req, e, region, service, profile)
	if err != nil {
		return err
	}
	for _, n := range x.notes {
		if !strings.HasPrefix(n, "the payload hash is the server's") { // there is no server's here
			a.printf(a.stdout, "note: %s\n", n)
		}
	}
	checks := a.serverChecks(fam, x, &b, req, hdr, profile)
	a.printf(a.stdout, "the server sent no canonical request (AWS and versitygw do; MinIO and radosgw only log theirs): checking the request against your credentials and what the server names\n")
	for _, c := range checks {
		a.printf(a.stdout, "  %-8s %s: %s\n", c.state, c.what, c.text)
	}
	a.printBlock(a.stdout, "canonical request (sigv4's, for the request as given)", x.trace.CanonicalRequest)

	verdict, fix := serverVerdict(fam, x, checks, cmp.Or(b.RequestID, hdr.Get("X-Amz-Request-Id"), "(its request ID)"))
	a.printf(a.stdout, "verdict: %s\n", verdict)
	a.printf(a.stdout, "usual causes with %s:\n", cmp.Or(fam.name, "S3 servers"))
	for _, c := range append(slices.Clone(fam.causes), requestCauses(fam, req)...) {
		a.printf(a.stdout, "  - %s\n", c)
	}
	a.hintf("%s", fix)
	return nil
}

// requestScope returns the parts of the request's credential scope
// (access key, date, region, service, terminator), or nil.
func requestScope(req *http.Request, presigned bool) []string {
	var cred string
	if presigned {
		cred = req.URL.Query().Get("X-Amz-Credential")
	} else if c, _, _, err := parseAuthorization(req.Header.Get("Authorization")); err == nil {
		cred = c
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return nil
	}
	return parts
}

// requestTime returns the request's X-Amz-Date.
func requestTime(req *http.Request) (string, time.Time, bool) {
	v := req.Header.Get("X-Amz-Date")
	if q := req.URL.Query(); q.Has("X-Amz-Date") {
		v = q.Get("X-Amz-Date")
	}
	t, err := time.Parse("20060102T150405Z", v)
	return v, t, err == nil
}

// serverChecks compares the request with the local credentials and with
// what the server names.
func (a *app) serverChecks(fam *serverFamily, x *explained, b *serverBody, req *http.Request, hdr http.Header, profile string) []check {
	var checks []check
	add := func(c check) { checks = append(checks, c) }

	// The signature, recomputed with the local credentials.
	switch {
	case x.signatureIn == "":
		add(check{state: checkDiffers, cause: causeCanonical, what: "signature",
			text: "the request as given carries none (no Authorization header, no X-Amz-Signature)",
			fix:  "pass the request as it was sent: with its Authorization and X-Amz-Date headers (-H), or the presigned URL with its X-Amz-* parameters"})
	case x.withSecret && x.signatureIn == x.trace.Signature:
		add(check{state: checkOK, what: "signature",
			text: fmt.Sprintf("recomputed with your credentials (%s): %s, the one sent: the request is what your secret signs", x.source, x.trace.Signature)})
	case x.withSecret:
		add(check{state: checkDiffers, cause: causeCanonical, what: "signature",
			text: fmt.Sprintf("sent %s, recomputed with your credentials (%s) %s: the request was changed after it was signed, or signed with another secret than yours", x.signatureIn, x.source, x.trace.Signature),
			fix:  fmt.Sprintf("the client sent other bytes than it signed (a header added or changed, the path re-escaped) or signed with another secret for %s than your credentials (%s): log the request right after signing and compare", x.accessKey, x.source)})
	default:
		text := fmt.Sprintf("not recomputed: no local credentials for %s", x.accessKey)
		if c, _, err := a.offlineCredentials(profile); err == nil && c.AccessKeyID != "" {
			text = fmt.Sprintf("not recomputed: your credentials (%s) are for %s, the request was signed by %s", c.Source, c.AccessKeyID, x.accessKey)
		}
		add(check{state: checkUnknown, what: "signature", text: text})
	}

	scope := requestScope(req, x.presigned)
	amzDate, t, okTime := requestTime(req)
	if scope == nil {
		add(check{state: checkUnknown, what: "scope", text: "the request has no credential scope to check"})
	} else {
		if okTime && scope[1] == amzDate[:8] {
			add(check{state: checkOK, what: "date", text: fmt.Sprintf("%s, the date of X-Amz-Date %s", scope[1], amzDate)})
		} else if okTime {
			add(check{state: checkDiffers, cause: causeScope, what: "date",
				text: fmt.Sprintf("the scope says %s, X-Amz-Date %s", scope[1], amzDate),
				fix:  "the scope's date must be the UTC date of X-Amz-Date: the client's signing code mixes local and UTC time, or re-signed with a new time only in one place"})
		}
		switch {
		case b.Region != "" && b.Region == scope[2]:
			add(check{state: checkOK, what: "region", text: fmt.Sprintf("%s, the server's <Region>", scope[2])})
		case b.Region != "":
			add(check{state: checkDiffers, cause: causeScope, what: "region",
				text: fmt.Sprintf("the scope says %s, the server's <Region> is %s", scope[2], b.Region),
				fix:  fmt.Sprintf("sign for the server's region %s (--region %s; the client's region setting)", b.Region, b.Region)})
		default:
			add(check{state: checkNote, what: "region", text: fmt.Sprintf("%s: %s", scope[2], fam.regionNote)})
		}
		switch {
		case len(fam.services) == 0:
			add(check{state: checkNote, what: "service", text: scope[3]})
		case slices.Contains(fam.services, scope[3]):
			add(check{state: checkOK, what: "service", text: scope[3]})
		default:
			add(check{state: checkDiffers, cause: causeScope, what: "service",
				text: fmt.Sprintf("the scope says %s; %s answers %s", scope[3], fam.name, strings.Join(fam.services, ", ")),
				fix:  "sign for service s3 (--service s3)"})
		}
	}
	if d := serverTime(hdr); !d.IsZero() && okTime {
		if skew := d.Sub(t); skew > sigv4.DefaultMaxSkew || -skew > sigv4.DefaultMaxSkew {
			add(check{state: checkNote, what: "clock", text: fmt.Sprintf("the server's Date %s is %s from X-Amz-Date %s: beyond 15 minutes a header-signed request is refused as RequestTimeTooSkewed", d.Format(time.RFC3339), formatDuration(skew.Abs()), amzDate)})
		}
	}

	// The path, as the server names it.
	if b.Resource != "" {
		if b.Resource == req.URL.Path {
			add(check{state: checkOK, what: "resource", text: fmt.Sprintf("the server's <Resource> %q is the request's path", b.Resource)})
		} else {
			why, fix := pathChange(b.Resource, req.URL.Path)
			add(check{state: checkDiffers, cause: causeCanonical, what: "resource",
				text: fmt.Sprintf("the server's <Resource> is %q, the request's path %q: %s", b.Resource, req.URL.Path, why), fix: fix})
		}
	}
	if c, ok := bucketCheck(b, req); ok {
		add(c)
	}
	return checks
}

// serverTime returns the time of the response's Date header, or zero.
func serverTime(hdr http.Header) time.Time {
	t, err := http.ParseTime(hdr.Get("Date"))
	if err != nil {
		return time.Time{}
	}
	return t
}

// pathChange explains how the path the server names differs from the
// request's (both decoded), and what to do.
func pathChange(server, ours string) (why, fix string) {
	proxyFix := "make the proxy pass the path unchanged (nginx: proxy_pass without a URI part), or sign the path the server receives"
	switch {
	case len(server) > 1 && strings.HasSuffix(ours, server):
		return fmt.Sprintf("the prefix %q is gone: a proxy strips it before the server", strings.TrimSuffix(ours, server)), proxyFix
	case len(ours) > 1 && strings.HasSuffix(server, ours):
		return fmt.Sprintf("the prefix %q was added: a proxy adds it before the server", strings.TrimSuffix(server, ours)), proxyFix
	case strings.ReplaceAll(ours, "+", " ") == server:
		return "the path's '+' reached the server as a space", "a client or proxy decoded '+' as a space in the path: send '+' as %2B (a path is not a form)"
	case strings.ReplaceAll(server, "+", " ") == ours:
		return "the path's space reached the server as '+'", "the client wrote a space as '+' in the path: a space is %20 in a path"
	case decoded(server) == ours:
		return "the server still sees %XX escapes after decoding: the path was escaped twice", "escape the key once, when the URL is built (a proxy that re-escapes the path does this too)"
	case strings.Contains(ours, "//") && collapseSlashes(ours) == server:
		return "repeated slashes were merged", "a proxy merges slashes (nginx merge_slashes on): turn it off for the S3 location, or avoid '//' in keys"
	case path.Clean(ours) == server:
		return "the path was normalized ('.', '..' or a trailing slash removed)", "a proxy or the client normalizes the path: S3 signs it as sent"
	}
	return "the server received another path", proxyFix
}

func collapseSlashes(p string) string {
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	return p
}

// bucketCheck compares the bucket the server names with the request's
// addressing: path style (/bucket/key) or virtual-host style
// (bucket.host/key).
func bucketCheck(b *serverBody, req *http.Request) (check, bool) {
	if b.BucketName == "" {
		return check{}, false
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(req.URL.Path, "/"), "/")
	switch {
	case strings.HasPrefix(host, b.BucketName+"."):
		return check{state: checkOK, what: "bucket", text: fmt.Sprintf("%s, virtual-host style (the host names it)", b.BucketName)}, true
	case first == b.BucketName:
		return check{state: checkOK, what: "bucket", text: fmt.Sprintf("%s, path style (the path names it)", b.BucketName)}, true
	}
	why := "it received another path"
	if i := strings.Index(req.URL.Path+"/", "/"+b.BucketName+"/"); i > 0 {
		why = fmt.Sprintf("the prefix %q is gone: a proxy strips it before the server", req.URL.Path[:i])
	}
	return check{state: checkDiffers, cause: causeCanonical, what: "bucket",
		text: fmt.Sprintf("the server names bucket %s, which neither the host %s nor the path's first segment %q is: %s", b.BucketName, host, first, why),
		fix:  "a proxy rewrites the path before the server: make it pass the path unchanged, or sign the path the server receives"}, true
}

// serverVerdict weighs the checks: a scope that differs, then a
// canonical request that differs, else the secret (when the signature
// recomputes equal) or undecided. It returns the verdict and what to do.
func serverVerdict(fam *serverFamily, x *explained, checks []check, requestID string) (verdict, fix string) {
	for _, cause := range []string{causeScope, causeCanonical} {
		for _, c := range checks {
			if c.state == checkDiffers && c.cause == cause {
				return fmt.Sprintf("likely cause: %s (%s: %s)", cause, c.what, c.text), c.fix
			}
		}
	}
	for _, c := range checks {
		if c.what == "signature" && c.state == checkOK {
			return fmt.Sprintf("likely cause: the secret: the request is what your credentials sign and its scope is what the server names, yet the server computed another signature: its secret for %s differs from yours, or it received other bytes than were sent (a proxy changing the Host header, the path or a signed header)", x.accessKey),
				fmt.Sprintf(fam.secretHint, x.accessKey, requestID)
		}
	}
	return fmt.Sprintf("undecided between the secret and the canonical request: the scope is what the server names, but without the secret of %s the signature cannot be recomputed", x.accessKey),
		fmt.Sprintf("set the credentials of %s (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or --profile) and rerun: explain then recomputes the signature", x.accessKey)
}

// requestCauses adds the causes this request is exposed to.
func requestCauses(fam *serverFamily, req *http.Request) []string {
	var causes []string
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if _, port, err := net.SplitHostPort(host); err == nil && port != "80" && port != "443" {
		causes = append(causes, fmt.Sprintf("(this request) its Host carries port %s: a proxy that forwards Host without the port breaks the signature", port))
	}
	if raw := req.URL.EscapedPath(); strings.Contains(raw, "+") || strings.Contains(strings.ToUpper(raw), "%2B") {
		causes = append(causes, "(this request) its path has a '+': check that every hop keeps it a '+' (%2B), not a space")
	}
	return causes
}

// familyCodeHints explains the codes other than SignatureDoesNotMatch for
// a known server family, with what the request and the answer's headers
// tell; nil leaves it to codeHints.
func familyCodeHints(fam *serverFamily, e *s3Error, b *serverBody, req *http.Request, hdr http.Header) []string {
	if fam == familyOther {
		return nil
	}
	q := req.URL.Query()
	presigned := q.Has("X-Amz-Signature") || q.Has("X-Amz-Credential")
	scope := requestScope(req, presigned)
	key := "the access key sent"
	if scope != nil {
		key = scope[0]
	}
	amzDate, t, okTime := requestTime(req)
	now := serverTime(hdr)
	msg := strings.ToLower(e.Message)
	switch e.Code {
	case sigv4.CodeInvalidAccessKeyID:
		if strings.Contains(msg, "disabled") {
			return []string{fmt.Sprintf("%s knows %s, but the account is disabled: ask its administrator to enable it (mc admin user enable ALIAS %s)", fam.name, key, key)}
		}
		if fam == familyRadosgw {
			return []string{fmt.Sprintf("radosgw knows no user with access key %s: check the key and the endpoint (radosgw-admin user info --access-key=%s); with Keystone or LDAP, the key lives there (rgw_s3_auth_use_keystone, rgw_s3_auth_use_ldap)", key, key)}
		}
		return []string{fmt.Sprintf("MinIO knows no user or service account with access key %s: check the key and the endpoint (mc admin user info ALIAS %s; mc admin user svcacct ls)", key, key)}
	case sigv4.CodeAuthorizationHeaderMalformed, sigv4.CodeAuthorizationQueryParametersError:
		want := b.Region
		if want == "" {
			if _, rest, ok := strings.Cut(e.Message, "expecting '"); ok {
				want, _, _ = strings.Cut(rest, "'")
			}
		}
		if fam == familyMinIO && want != "" && strings.Contains(msg, "region") {
			got := "?"
			if scope != nil {
				got = scope[2]
			}
			return []string{fmt.Sprintf("wrong region: the request's scope says %s, MinIO is set to %s (MINIO_SITE_REGION): sign for it (--region %s)", got, want, want)}
		}
	case "AuthorizationParametersError":
		got := "?"
		if scope != nil {
			got = scope[3]
		}
		return []string{fmt.Sprintf("wrong service: the request's scope says %s, %s answers S3 as s3: sign for it (--service s3)", got, fam.name)}
	case sigv4.CodeRequestTimeTooSkewed:
		if !now.IsZero() && okTime {
			return []string{fmt.Sprintf("clock skew: the request time %s is %s from the server's Date %s; %s allows 15 minutes: synchronize the client's clock (NTP), and sign again when retrying (a retried request keeps its old X-Amz-Date)", amzDate, formatDuration(now.Sub(t).Abs()), now.Format(time.RFC3339), fam.name)}
		}
		return []string{fmt.Sprintf("clock skew: the request time %s is more than 15 minutes from %s's clock: synchronize the client's clock (NTP); save the answer with its headers (curl -i) to see the server's Date", cmp.Or(amzDate, "?"), fam.name)}
	case sigv4.CodeAccessDenied:
		expiry := presignedExpiry(q, t, okTime, now)
		switch {
		case strings.Contains(msg, "expired"):
			return []string{"the presigned URL expired" + expiry + ": presign a new one"}
		case strings.Contains(msg, "not valid yet"):
			return []string{fmt.Sprintf("the presigned URL's X-Amz-Date %s is in the future of %s's clock: synchronize the clocks of the presigner and the server (NTP)", cmp.Or(amzDate, "?"), fam.name)}
		case strings.Contains(msg, "not signed"):
			return []string{unsignedHeadersHint(req, q, presigned)}
		case strings.Contains(msg, "date or x-amz-date"):
			return []string{"the request has no valid X-Amz-Date (or Date) header: send the X-Amz-Date that was signed, like 20261128T120000Z"}
		case strings.Contains(msg, "signature field"), strings.Contains(msg, "no awsaccesskey"):
			return []string{"the Authorization header is incomplete: it needs Credential=, SignedHeaders= and Signature= (sign the request again)"}
		case fam == familyRadosgw && e.Message == "":
			if presigned && expiry != "" {
				return []string{"radosgw answers AccessDenied without a message; the presigned URL" + expiry + ": if it expired, presign a new one, else a bucket policy or ACL denies the request to this user"}
			}
			return []string{"radosgw answers AccessDenied without a message for an expired presigned URL, a bucket policy or ACL that denies the user, and an anonymous request to a private bucket: check the bucket's policy and ACL for this user (radosgw-admin bucket stats, s3 get-bucket-policy)"}
		}
	case "InvalidTokenId", sigv4.CodeInvalidToken, sigv4.CodeExpiredToken:
		return []string{fmt.Sprintf("the session token (X-Amz-Security-Token) is not one %s issued, or it expired: get new temporary credentials from its STS", fam.name)}
	case "MalformedDate":
		return []string{"the Date or X-Amz-Date header does not parse: X-Amz-Date is like 20261128T120000Z (UTC), Date an RFC 1123 time; send the X-Amz-Date that was signed"}
	case "UserSuspended":
		return []string{fmt.Sprintf("the user of %s is suspended on radosgw: ask its administrator (radosgw-admin user enable --uid=USER)", key)}
	case sigv4.CodeXAmzContentSHA256Mismatch:
		return []string{"the body the server received does not hash to X-Amz-Content-Sha256: the body changed after signing (a proxy re-encoding it, a retried stream sent from its middle); sign the body that is sent, or UNSIGNED-PAYLOAD over https"}
	case sigv4.CodeInvalidRequest:
		if strings.Contains(e.Message, "AWS4-HMAC-SHA256") {
			return []string{fmt.Sprintf("%s accepts AWS4-HMAC-SHA256 only here: sign with SigV4 (not SigV2 or SigV4a)", fam.name)}
		}
	}
	return nil
}

// presignedExpiry says when a presigned URL expired (or expires) against
// the server's clock, or "" when that is unknown.
func presignedExpiry(q url.Values, t time.Time, okTime bool, now time.Time) string {
	secs, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if !okTime || err != nil {
		return ""
	}
	exp := t.Add(time.Duration(secs) * time.Second)
	if now.IsZero() {
		return fmt.Sprintf(" (valid until %s by its X-Amz-Date and X-Amz-Expires)", exp.Format(time.RFC3339))
	}
	if now.After(exp) {
		return fmt.Sprintf(" expired at %s, %s before the server's Date", exp.Format(time.RFC3339), formatDuration(now.Sub(exp)))
	}
	return fmt.Sprintf(" is valid until %s, %s after the server's Date", exp.Format(time.RFC3339), formatDuration(exp.Sub(now)))
}

// unsignedHeadersHint explains MinIO's "headers ... which were not
// signed": its SignedHeaders lack host, or name a header MinIO did not
// receive (expect, host, transfer-encoding and content-length excepted).
func unsignedHeadersHint(req *http.Request, q url.Values, presigned bool) string {
	signed := q.Get("X-Amz-SignedHeaders")
	if !presigned {
		_, signed, _, _ = parseAuthorization(req.Header.Get("Authorization"))
	}
	list := strings.Split(signed, ";")
	if signed == "" || !slices.Contains(list, "host") {
		return "MinIO requires host among the signed headers, and the request's SignedHeaders lack it: sign the Host header"
	}
	var missing []string
	for _, n := range list {
		switch n {
		case "host", "expect", "transfer-encoding", "content-length":
			continue
		}
		if req.Header.Values(n) == nil && !q.Has(n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Sprintf("MinIO refuses a request whose SignedHeaders name a header it does not receive, and the request lacks %s: send every header it signs", strings.Join(missing, ", "))
	}
	return fmt.Sprintf("MinIO refuses a request whose SignedHeaders name a header it does not receive; the request as given has all of %s, so one was dropped on the way (nginx drops headers with '_' unless underscores_in_headers is on): send the request straight to MinIO to find which", signed)
}
