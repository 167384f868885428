package differential

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Header is one header line of a [Spec]: Name is used as the http.Header
// map key exactly as given (it may be in any case), Value verbatim.
type Header struct {
	Name, Value string
}

// Spec describes one request to sign, independently of any signer. Both
// sides of a comparison build their own *http.Request from it (see
// [Spec.KitRequest] and [Spec.SDKRequest]).
type Spec struct {
	// S3 selects S3 rules: single path escaping, no normalization,
	// X-Amz-Content-Sha256 signed. Service is then in the S3 family.
	S3 bool
	// Normalize, for non-S3 specs, lets sigv4kit normalize the path (its
	// default); the SDK then gets the path normalized by a reference
	// implementation (path.Clean), because it never normalizes. When false,
	// sigv4kit runs with NormalizePath: Off and both see the raw path.
	Normalize bool
	// ContentHeader, for non-S3 specs, signs X-Amz-Content-Sha256 too
	// (sigv4kit: ContentSHA256Header: On; SDK: header set by the caller).
	ContentHeader bool
	// UnsignedToken adds the session token after signing
	// (sigv4kit: SignSessionToken: Off; SDK: DisableSessionToken).
	UnsignedToken bool
	// Hoist lets the SDK's presigner move X-Amz-* headers into the query
	// (its default); sigv4kit then gets those headers as query parameters.
	// When false the SDK runs with DisableHeaderHoisting.
	Hoist bool

	Service, Region string
	Method          string
	Scheme          string
	// URLHost is URL.Host; ReqHost, when set, is http.Request.Host.
	URLHost, ReqHost string
	// Path is the decoded path (the S3 key with its leading '/'); RawPath,
	// when set, is the wire form of the path (non-S3 specs).
	Path, RawPath string
	// RawQuery is the query as sent, still encoded.
	RawQuery string
	Headers  []Header
	Body     []byte
	// PayloadHash is what header signing gets: a hex digest,
	// UNSIGNED-PAYLOAD, or "" (sigv4kit hashes the body; the SDK gets the
	// digest computed here).
	PayloadHash string

	AccessKey, Secret, Token string
	Time                     time.Time
	Expires                  time.Duration
}

// BodyHash returns the hex SHA-256 of the body.
func (s *Spec) BodyHash() string {
	sum := sha256.Sum256(s.Body)
	return hex.EncodeToString(sum[:])
}

// Generator produces a deterministic stream of [Spec] values from a seed.
// Every canonicalization rule of SigV4 is stressed: methods; paths with
// spaces, UTF-8, reserved characters, %-escapes, '+', '=', '~', "//", "."
// and ".." segments; queries with repeated keys, empty values, '+', "%2B",
// UTF-8, and keys whose order differs encoded and decoded; headers with
// inner runs of spaces, leading and trailing whitespace, repeated names and
// mixed case; hosts with and without default and other ports; with and
// without session tokens.
//
// Inputs on which aws-sdk-go-v2 is known to deviate from AWS's rules (see
// quirks_test.go) are not generated here; each has its own named test.
type Generator struct {
	r *rand.Rand
	n int
}

// NewGenerator returns a Generator seeded with seed.
func NewGenerator(seed uint64) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(seed, seed^0x5eed5eed5eed5eed))}
}

var (
	s3Services    = []string{"s3", "s3", "s3", "s3-object-lambda", "s3-outposts", "s3express"}
	otherServices = []string{"dynamodb", "sts", "execute-api", "iam", "service", "es", "lambda", "sqs"}
	regions       = []string{"us-east-1", "eu-west-3", "ap-southeast-2", "cn-north-1", "us-gov-west-1", "auto", "il-central-1"}
	methods       = []string{"GET", "GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS", "PROPFIND"}

	// segments are decoded path segments.
	segments = []string{
		"a", "photos", "2026", "with space", "two  spaces", "ünïcödé", "日本", "emoji-😀",
		"plus+sign", "eq=ual", "tilde~x", "per%cent", "per%20cent", "%41", "%2F", "%zz",
		"semi;colon", "comma,bang!", "quote'(paren)*star", "at@dollar$", "amp&hash#q?",
		"colon:x", "[brackets]", "{braces}", "back\\slash", "caret^pipe|", "grave`",
		"", "", ".", "..", "...", ".hidden", "a.b", "-_.~", "UPPER", "tab\tchar", "nul\x00",
		"ctl\x7f", "\xff\xfe",
	}
	// queryWords are decoded query keys and values.
	queryWords = []string{
		"a", "A", "b", "key", "Key", "k", "k~", "kz", "kü", "k_", "k ", "k-", "k.", "k%",
		"", "", "x y", "a+b", "1+1=2", "é", "日本", "%", "%2B", "~", "-._", "=", "a=b",
		"slash/x", "q?", "at@", "colon:", "comma,", "excl!", "star*", "paren(", "quote'",
		"dollar$", "hash#", "amp&", "semi;", "list-type", "prefix", "max-keys", "uploads",
		"X-Amz-Meta", "x-amz-foo", "versionId", "\x00", "\x7f", "tab\t",
	}
	headerNames = []string{
		"Content-Type", "X-Amz-Meta-Author", "x-amz-meta-lower", "X-Amz-Tagging",
		"X-Amz-Custom-Header", "x-amz-custom-lower", "X-Custom", "If-None-Match", "Range",
		"Cache-Control", "Content-Md5", "Accept", "My-Header1", "x-mixed-CASE", "X-MIXED-upper",
		"Content-Encoding", "X-Amz-Server-Side-Encryption", "X-Amz-Checksum-Crc32",
		"X-Amz-Object-Lock-Mode", "Accept-Encoding", "Zz-Last", "A-First", "X-Amz-Storage-Class",
	}
	// deniedNames are never signed by either signer (canonical keys: the
	// SDK matches its ignore list case-sensitively, see quirks_test.go).
	deniedNames = []string{"User-Agent", "X-Amzn-Trace-Id", "Expect", "Transfer-Encoding", "Authorization"}
	valueWords  = []string{
		"value", "a", "b", "日本語", `"etag"`, "x,y", "=;:/?", "bytes=0-1023", "text/plain",
		"application/x-amz-json-1.0", "ÄÖÜ", "dGVzdA==", "*", "(paren)", "semi;colon",
	}
	// edgeSpace is leading and trailing whitespace: tabs only at the ends
	// (the SDK does not collapse inner tabs, see quirks_test.go).
	edgeSpace = []string{"", "", "", " ", "  ", "\t", " \t ", "\t\t", "   "}
	hosts     = []struct{ scheme, host string }{
		{"https", "example.amazonaws.com"},
		{"https", "s3.us-east-1.amazonaws.com"},
		{"https", "bucket.s3.amazonaws.com"},
		{"https", "Mixed.Case.Example.COM"},
		{"https", "example.com:443"},
		{"http", "example.com:80"},
		{"http", "example.com:443"},
		{"https", "example.com:80"},
		{"https", "example.com:8443"},
		{"http", "localhost:9000"},
		{"http", "127.0.0.1:7070"},
		{"http", "[::1]:9000"},
		{"https", "[2001:db8::1]:8443"},
		{"https", "[2001:db8::1]"},
		{"HTTPS", "upper-scheme.example.com:443"},
	}
)

func (g *Generator) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *Generator) chance(p float64) bool { return g.r.Float64() < p }

// Next returns the next Spec.
func (g *Generator) Next() Spec {
	g.n++
	r := g.r
	s := Spec{S3: g.chance(0.5)}
	if s.S3 {
		s.Service = g.pick(s3Services)
	} else {
		s.Service = g.pick(otherServices)
		s.Normalize = g.chance(0.7)
		s.ContentHeader = g.chance(0.15)
	}
	s.Region = g.pick(regions)
	s.Method = g.pick(methods)
	h := hosts[r.IntN(len(hosts))]
	s.Scheme, s.URLHost = h.scheme, h.host
	if g.chance(0.1) {
		s.ReqHost = "virtual.example.org"
		if g.chance(0.5) {
			s.ReqHost += ":8080"
		}
	}

	// Path.
	n := r.IntN(6)
	var p strings.Builder
	for i := 0; i < n; i++ {
		p.WriteByte('/')
		p.WriteString(g.segment())
	}
	if n == 0 || g.chance(0.2) {
		p.WriteByte('/')
	}
	s.Path = p.String()
	if !s.S3 {
		s.RawPath = g.wirePath(s.Path)
	} else if g.chance(0.3) {
		// A RawPath that is another valid encoding of the same key:
		// sigv4kit must sign the decoded key, escaped once.
		s.RawPath = g.wirePath(s.Path)
	}

	s.RawQuery = g.query()
	s.Headers = g.headers()
	if g.chance(0.3) {
		s.Body = make([]byte, r.IntN(300)+1)
		for i := range s.Body {
			s.Body[i] = byte(r.IntN(256))
		}
	}
	switch x := r.IntN(4); {
	case x == 0:
		s.PayloadHash = ""
	case x == 1 && s.S3:
		s.PayloadHash = "UNSIGNED-PAYLOAD"
	case x == 2:
		s.PayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	default:
		s.PayloadHash = s.BodyHash()
	}

	s.Secret = g.randomString(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
	// One access key per secret: aws-sdk-go-v2 caches derived keys by
	// access key and ignores the secret (see quirks_test.go).
	sum := sha256.Sum256([]byte(s.Secret))
	s.AccessKey = "AKID" + strings.ToUpper(hex.EncodeToString(sum[:8]))
	if g.chance(0.4) {
		s.Token = g.randomString(r.IntN(300)+20, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
		s.UnsignedToken = g.chance(0.15)
	}
	// 2000-01-01 .. 2035-12-31, with a sub-second part that both truncate.
	s.Time = time.Unix(946684800+r.Int64N(36*365*86400), r.Int64N(1e9)).UTC()
	s.Expires = time.Duration(1+r.Int64N(7*86400)) * time.Second
	if g.chance(0.1) {
		s.Expires = 7 * 24 * time.Hour
	}
	s.Hoist = g.chance(0.5)
	return s
}

// segment returns a decoded path segment.
func (g *Generator) segment() string {
	if g.chance(0.15) {
		// Random bytes, printable ASCII or UTF-8 runes.
		var b strings.Builder
		for i := g.r.IntN(8) + 1; i > 0; i-- {
			if g.chance(0.7) {
				b.WriteByte(byte(0x21 + g.r.IntN(0x7e-0x21)))
			} else {
				b.WriteRune(rune(0xa0 + g.r.IntN(0x3000)))
			}
		}
		return strings.ReplaceAll(b.String(), "/", "_")
	}
	return g.pick(segments)
}

// wirePath returns one valid escaping of a decoded path: each byte outside
// the unreserved set is escaped (upper- or lower-case hex), unreserved bytes
// are sometimes escaped needlessly, and sub-delimiters that may stay raw
// sometimes do.
func (g *Generator) wirePath(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case c == '/':
			b.WriteByte(c)
		case unreserved(c) && !g.chance(0.05):
			b.WriteByte(c)
		case strings.IndexByte("!$&'()*+,;=:@", c) >= 0 && g.chance(0.5):
			b.WriteByte(c)
		default:
			hexd := "0123456789ABCDEF"
			if g.chance(0.2) {
				hexd = "0123456789abcdef"
			}
			b.WriteByte('%')
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
		}
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// query returns a raw query string.
func (g *Generator) query() string {
	if g.chance(0.25) {
		return ""
	}
	n := g.r.IntN(7) + 1
	var pieces []string
	var keys []string
	for i := 0; i < n; i++ {
		var k string
		if len(keys) > 0 && g.chance(0.25) {
			k = keys[g.r.IntN(len(keys))] // repeated key
		} else {
			k = g.pick(queryWords)
			if k == "" && g.chance(0.7) {
				k = "empty"
			}
		}
		keys = append(keys, k)
		switch {
		case g.chance(0.1):
			pieces = append(pieces, g.encodeQuery(k)) // no '='
		case g.chance(0.1):
			pieces = append(pieces, g.encodeQuery(k)+"=")
		default:
			pieces = append(pieces, g.encodeQuery(k)+"="+g.encodeQuery(g.pick(queryWords)+g.maybe(g.pick(queryWords))))
		}
		if g.chance(0.05) {
			pieces = append(pieces, "") // "&&"
		}
	}
	return strings.Join(pieces, "&")
}

func (g *Generator) maybe(s string) string {
	if g.chance(0.3) {
		return s
	}
	return ""
}

// encodeQuery escapes a decoded query component in one of the ways a
// client may: space as '+' or %20, '+' always as %2B, unreserved bytes
// sometimes escaped, safe bytes and UTF-8 sometimes raw.
func (g *Generator) encodeQuery(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' && g.chance(0.5):
			b.WriteByte('+')
		case unreserved(c) && !g.chance(0.05):
			b.WriteByte(c)
		case strings.IndexByte("!$'()*,/:@?", c) >= 0 && g.chance(0.5):
			b.WriteByte(c)
		case c >= 0x80 && g.chance(0.2):
			b.WriteByte(c) // raw UTF-8 byte: both decode it as itself
		default:
			hexd := "0123456789ABCDEF"
			if g.chance(0.2) {
				hexd = "0123456789abcdef"
			}
			b.WriteByte('%')
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
		}
	}
	return b.String()
}

// headers returns the request headers. Names are unique after lower-casing
// except in rare, deliberate cases (see Spec.SDKRequest on how those are
// merged for the SDK).
func (g *Generator) headers() []Header {
	var hs []Header
	seen := map[string]bool{}
	for i := g.r.IntN(7); i > 0; i-- {
		name := g.pick(headerNames)
		if g.chance(0.2) {
			name = g.randomCase(name)
		}
		if g.chance(0.03) {
			name = "X-" + g.randomString(g.r.IntN(10)+1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_!#$%&'*+.^`|~")
		}
		low := strings.ToLower(name)
		if seen[low] {
			if g.chance(0.1) {
				// The same key again: a repeated header.
				for _, h := range hs {
					if strings.ToLower(h.Name) == low {
						name = h.Name
						break
					}
				}
			} else {
				continue
			}
		}
		seen[low] = true
		for j := g.r.IntN(3); j >= 0; j-- {
			hs = append(hs, Header{name, g.value()})
			if !g.chance(0.2) {
				break
			}
		}
	}
	if g.chance(0.02) && len(hs) > 0 {
		// Two map keys with the same lower-case name.
		hs = append(hs, Header{g.randomCase(hs[0].Name + "x"), g.value()}, Header{strings.ToLower(hs[0].Name + "x"), g.value()})
	}
	if g.chance(0.3) {
		hs = append(hs, Header{g.pick(deniedNames), g.value()})
	}
	return hs
}

// value returns a header value with edge whitespace and inner runs of
// spaces.
func (g *Generator) value() string {
	var b strings.Builder
	b.WriteString(g.pick(edgeSpace))
	for i := g.r.IntN(4); i >= 0; i-- {
		b.WriteString(g.pick(valueWords))
		if i > 0 {
			b.WriteString(strings.Repeat(" ", g.r.IntN(4)+1))
		}
	}
	b.WriteString(g.pick(edgeSpace))
	if g.chance(0.03) {
		return g.pick(edgeSpace) // empty after trimming
	}
	return b.String()
}

func (g *Generator) randomCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		if g.chance(0.5) {
			switch {
			case 'a' <= c && c <= 'z':
				b[i] = c - 32
			case 'A' <= c && c <= 'Z':
				b[i] = c + 32
			}
		}
	}
	return string(b)
}

func (g *Generator) randomString(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

// String is a short description for test names and failure messages.
func (s *Spec) String() string {
	mode := "non-s3"
	if s.S3 {
		mode = "s3"
	}
	return mode + " " + s.Service + " " + s.Method + " " + s.Scheme + "://" + s.URLHost +
		" path=" + strconv.Quote(s.Path) + " raw=" + strconv.Quote(s.RawPath) +
		" query=" + strconv.Quote(s.RawQuery)
}
