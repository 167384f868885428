//go:build e2e

package streaming_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sigv4kit/sigv4kit/sigv4"
)

// encodedRequest signs a streaming upload of data with sigv4kit and
// returns it as it goes on the wire: the request head (up to the empty
// line) and the aws-chunked body.
func encodedRequest(t *testing.T, s *server, key string, data []byte, opts sigv4.StreamOptions) (string, []byte) {
	t.Helper()
	req, err := http.NewRequest("PUT", s.objectURL(key), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.signer(t).SignStreaming(context.Background(), req, opts); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatal(err)
	}
	head, body, ok := bytes.Cut(buf.Bytes(), []byte("\r\n\r\n"))
	if !ok {
		t.Fatal("no end of headers")
	}
	return string(head) + "\r\n\r\n", body
}

var contentLengthRE = regexp.MustCompile(`(?m)^Content-Length: \d+\r$`)

// withContentLength sets the head's Content-Length.
func withContentLength(head string, n int) string {
	return contentLengthRE.ReplaceAllString(head, "Content-Length: "+strconv.Itoa(n)+"\r")
}

// botocoreRequest signs the seed of an unsigned-trailer upload of n bytes
// as botocore sends it: Transfer-Encoding: chunked and no Content-Length,
// which the signature then does not cover. It returns the request head;
// the body is any STREAMING-UNSIGNED-PAYLOAD-TRAILER encoding, whose
// chunks owe nothing to the seed, sent in HTTP chunks.
func botocoreRequest(t *testing.T, s *server, key string, n int, alg sigv4.ChecksumAlgorithm) string {
	t.Helper()
	req, err := http.NewRequest("PUT", s.objectURL(key), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(n))
	req.Header.Set("X-Amz-Trailer", alg.HeaderName())
	req.Header.Set("X-Amz-Sdk-Checksum-Algorithm", string(alg))
	if err := s.signer(t).Sign(context.Background(), req, sigv4.StreamingUnsignedPayloadTrailer); err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`[=;]content-length[;,]`).MatchString(req.Header.Get("Authorization")) {
		t.Fatal("the seed signs a Content-Length")
	}
	var b strings.Builder
	b.WriteString("PUT " + req.URL.RequestURI() + " HTTP/1.1\r\nHost: " + req.URL.Host + "\r\nTransfer-Encoding: chunked\r\n")
	req.Header.Write(&b)
	return b.String() + "\r\n"
}

// httpChunked frames body in HTTP/1.1 chunks of 16 KiB, with the last
// chunk unless truncated.
func httpChunked(body []byte, truncated bool) []byte {
	var buf bytes.Buffer
	cw := httputil.NewChunkedWriter(&buf)
	for len(body) > 0 {
		n := min(len(body), 16<<10)
		cw.Write(body[:n])
		body = body[n:]
	}
	if !truncated {
		cw.Close()
		buf.WriteString("\r\n")
	}
	return buf.Bytes()
}

// sendRaw sends head and body over a TLS connection of its own and reads
// the answer; with halfClose, it closes the connection's write side after
// the body.
func sendRaw(t *testing.T, s *server, head string, body []byte, halfClose bool) (int, string) {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := tls.Dial("tcp", u.Host, s.tlsConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go func() {
		// The server may answer before the body is all sent, and close.
		if _, err := conn.Write(append([]byte(head), body...)); err == nil && halfClose {
			conn.CloseWrite()
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// chunkSpan locates one chunk of an aws-chunked body: its size line
// starts at line, its data at data, and it ends (after the data's CRLF) at
// end; the final chunk's data and end are those after its size line.
type chunkSpan struct{ line, data, end int }

// chunkSpans parses the framing of an encoding made by sigv4kit.
func chunkSpans(t *testing.T, body []byte) []chunkSpan {
	t.Helper()
	var spans []chunkSpan
	for pos := 0; ; {
		i := bytes.Index(body[pos:], []byte("\r\n"))
		if i < 0 {
			t.Fatalf("no size line at %d", pos)
		}
		sizeHex, _, _ := strings.Cut(string(body[pos:pos+i]), ";")
		n, err := strconv.ParseInt(sizeHex, 16, 64)
		if err != nil {
			t.Fatalf("size line %q: %v", body[pos:pos+i], err)
		}
		data := pos + i + 2
		if n == 0 {
			return append(spans, chunkSpan{pos, data, data})
		}
		spans = append(spans, chunkSpan{pos, data, data + int(n) + 2})
		pos = data + int(n) + 2
	}
}

// TestRefusedOnTheWire sends uploads encoded by sigv4kit and corrupted on
// the way, over a raw TLS connection to objectserver -tls (directory
// backend): a tampered chunk, a wrong checksum, a short body and an
// over-long one, in the signed modes and the unsigned-trailer one. Each
// is refused with S3's code, the log says the same, GET finds no object
// (404 NoSuchKey), and the bucket's directory holds no trace of it. The
// same encodings sent intact over the same path are stored, byte for byte.
//
// sigv4kit sends a Content-Length, which the seed signature covers: a body
// made longer or shorter with its Content-Length changed to match is
// refused by the seed signature, and with it unchanged, by the decoder
// (a size line raised past the decoded length, or the connection closed
// early). botocore sends Transfer-Encoding: chunked and signs no length, so
// chunks dropped or added, or bytes after the end, reach the decoder: that
// framing is tested with an unsigned-trailer encoding under a seed signed
// the same way.
func TestRefusedOnTheWire(t *testing.T) {
	s := startServer(t, serverOptions{dir: true})
	data := make([]byte, 200<<10) // chunks of 64, 64, 64 and 8 KiB
	rand.Read(data)
	other := []byte("other bytes")
	signed := sigv4.StreamOptions{Mode: sigv4.StreamSigned}
	signedTrailer := sigv4.StreamOptions{Mode: sigv4.StreamSignedTrailer, Checksum: sigv4.ChecksumCRC32C}
	unsigned := sigv4.StreamOptions{Mode: sigv4.StreamUnsignedTrailer, Checksum: sigv4.ChecksumCRC32}

	// A mutation of the aws-chunked body.
	type wire struct {
		body      []byte
		fixLength bool // Content-Length set to the new length (sigv4kit's framing)
		truncated bool // the connection half-closed after the body
	}
	flip := func(b []byte, sp []chunkSpan) wire {
		b[sp[1].data+100] ^= 0x20
		return wire{body: b}
	}
	wrongChecksum := func(alg sigv4.ChecksumAlgorithm) func([]byte, []chunkSpan) wire {
		return func(b []byte, _ []chunkSpan) wire {
			old := alg.HeaderName() + ":" + checksumOf(alg, data)
			if !bytes.Contains(b, []byte(old)) {
				panic("no " + old + " in the trailer")
			}
			return wire{body: bytes.Replace(b, []byte(old), []byte(alg.HeaderName()+":"+checksumOf(alg, other)), 1)}
		}
	}
	truncated := func(b []byte, sp []chunkSpan) wire { return wire{body: b[:sp[2].data+1000], truncated: true} }
	raisedSize := func(b []byte, sp []chunkSpan) wire { // the last data chunk announces one byte more: 2000 -> 2001
		last := sp[len(sp)-2]
		if string(b[last.line:last.line+4]) != "2000" {
			panic("the last chunk is not 8 KiB")
		}
		b[last.line+3] = '1'
		return wire{body: b}
	}
	dropChunk := func(fix bool) func([]byte, []chunkSpan) wire {
		return func(b []byte, sp []chunkSpan) wire {
			return wire{body: append(b[:sp[1].line:sp[1].line], b[sp[1].end:]...), fixLength: fix}
		}
	}
	extraChunk := func(fix bool) func([]byte, []chunkSpan) wire { // the last data chunk twice
		return func(b []byte, sp []chunkSpan) wire {
			last, final := sp[len(sp)-2], sp[len(sp)-1]
			out := append([]byte{}, b[:final.line]...)
			out = append(out, b[last.line:last.end]...)
			return wire{body: append(out, b[final.line:]...), fixLength: fix}
		}
	}
	trailing := func(fix bool) func([]byte, []chunkSpan) wire {
		return func(b []byte, _ []chunkSpan) wire { return wire{body: append(b, "0\r\n\r\n"...), fixLength: fix} }
	}
	intact := func(b []byte, _ []chunkSpan) wire { return wire{body: b} }

	cases := []struct {
		name     string
		opts     sigv4.StreamOptions
		botocore bool // Transfer-Encoding: chunked, no Content-Length signed
		mutate   func([]byte, []chunkSpan) wire
		status   int
		code     string
		seed     bool // refused at the seed signature, before the body
	}{
		{name: "signed intact", opts: signed, mutate: intact, status: 200},
		{name: "signed tampered chunk", opts: signed, mutate: flip, status: 403, code: "SignatureDoesNotMatch"},
		{name: "signed short body", opts: signed, mutate: truncated, status: 400, code: "IncompleteBody"},
		{name: "signed over-long chunk", opts: signed, mutate: raisedSize, status: 400, code: "IncompleteBody"},
		{name: "signed chunk dropped, length fixed", opts: signed, mutate: dropChunk(true), status: 403, code: "SignatureDoesNotMatch", seed: true},
		{name: "signed extra chunk, length fixed", opts: signed, mutate: extraChunk(true), status: 403, code: "SignatureDoesNotMatch", seed: true},
		{name: "signed bytes after the end, length fixed", opts: signed, mutate: trailing(true), status: 403, code: "SignatureDoesNotMatch", seed: true},
		{name: "signed-trailer intact", opts: signedTrailer, mutate: intact, status: 200},
		{name: "signed-trailer tampered chunk", opts: signedTrailer, mutate: flip, status: 403, code: "SignatureDoesNotMatch"},
		{name: "signed-trailer wrong checksum", opts: signedTrailer, mutate: wrongChecksum(sigv4.ChecksumCRC32C), status: 403, code: "SignatureDoesNotMatch"},
		{name: "signed-trailer short body", opts: signedTrailer, mutate: truncated, status: 400, code: "IncompleteBody"},
		{name: "unsigned intact", opts: unsigned, mutate: intact, status: 200},
		{name: "unsigned tampered chunk", opts: unsigned, mutate: flip, status: 400, code: "BadDigest"},
		{name: "unsigned wrong checksum", opts: unsigned, mutate: wrongChecksum(sigv4.ChecksumCRC32), status: 400, code: "BadDigest"},
		{name: "unsigned short body", opts: unsigned, mutate: truncated, status: 400, code: "IncompleteBody"},
		{name: "unsigned over-long chunk", opts: unsigned, mutate: raisedSize, status: 400, code: "IncompleteBody"},
		{name: "botocore intact", opts: unsigned, botocore: true, mutate: intact, status: 200},
		{name: "botocore tampered chunk", opts: unsigned, botocore: true, mutate: flip, status: 400, code: "BadDigest"},
		{name: "botocore wrong checksum", opts: unsigned, botocore: true, mutate: wrongChecksum(sigv4.ChecksumCRC32), status: 400, code: "BadDigest"},
		{name: "botocore short body", opts: unsigned, botocore: true, mutate: truncated, status: 400, code: "IncompleteBody"},
		{name: "botocore chunk dropped", opts: unsigned, botocore: true, mutate: dropChunk(false), status: 400, code: "IncompleteBody"},
		{name: "botocore extra chunk", opts: unsigned, botocore: true, mutate: extraChunk(false), status: 400, code: "IncompleteBody"},
		{name: "botocore bytes after the end", opts: unsigned, botocore: true, mutate: trailing(false), status: 400, code: "IncompleteBody"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := "refuse/" + strings.NewReplacer(" ", "-", ",", "").Replace(c.name)
			head, body := encodedRequest(t, s, key, data, c.opts)
			w := c.mutate(body, chunkSpans(t, body))
			var onWire []byte
			switch {
			case c.botocore:
				head = botocoreRequest(t, s, key, len(data), c.opts.Checksum)
				onWire = httpChunked(w.body, w.truncated)
			case w.fixLength:
				head = withContentLength(head, len(w.body))
				onWire = w.body
			default:
				onWire = w.body
			}
			status, answer := sendRaw(t, s, head, onWire, w.truncated)
			e := s.entry(t, "PUT", key)
			t.Logf("%d: %s", status, e.Line)
			if status != c.status || c.code != "" && !strings.Contains(answer, "<Code>"+c.code+"</Code>") {
				t.Fatalf("answered %d %s, want %d %s", status, answer, c.status, c.code)
			}
			wantStream := c.opts.Mode.String()
			if c.seed {
				wantStream = "" // no Verified: the seed was refused
			}
			if e.Status != c.status || c.code != "" && e.Code != c.code || e.Stream != wantStream {
				t.Errorf("logged %q, want %d %s, stream %q", e.Line, c.status, c.code, wantStream)
			}
			st, got, _ := s.getBytes(t, key)
			if c.status == 200 {
				if st != 200 || !bytes.Equal(got, data) {
					t.Errorf("intact upload: GET %d, %d bytes of %d", st, len(got), len(data))
				}
				return
			}
			if st != 404 || !strings.Contains(string(got), "<Code>NoSuchKey</Code>") {
				t.Errorf("refused upload: GET %d %s, want 404 NoSuchKey", st, got)
			}
		})
	}

	// A plain upload whose signed x-amz-checksum-crc32 header is another
	// body's.
	t.Run("plain wrong checksum header", func(t *testing.T) {
		req, _ := http.NewRequest("PUT", s.objectURL("refuse/plain"), bytes.NewReader(data))
		req.Header.Set("X-Amz-Checksum-Crc32", checksumOf(sigv4.ChecksumCRC32, other))
		if err := s.signer(t).Sign(context.Background(), req, ""); err != nil {
			t.Fatal(err)
		}
		resp, err := s.client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(b), "<Code>BadDigest</Code>") {
			t.Fatalf("answered %d %s, want 400 BadDigest", resp.StatusCode, b)
		}
		if st, _, _ := s.getBytes(t, "refuse/plain"); st != 404 {
			t.Errorf("GET %d, want 404", st)
		}
	})

	// Only the intact uploads were stored: two files each (data and
	// description), no temporary file left.
	es, err := os.ReadDir(filepath.Join(s.Dir, bucket))
	if err != nil {
		t.Fatal(err)
	}
	intactUploads := 0
	for _, c := range cases {
		if c.status == 200 {
			intactUploads++
		}
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	if len(names) != 2*intactUploads {
		t.Errorf("the bucket's directory holds %q, want the %d intact objects' files only", names, intactUploads)
	}
}
