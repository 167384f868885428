package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestSlowFormTimesOut starts objectserver as main does, with a 1 s read
// timeout, and trickles a POST form at one byte per 100 ms: the server
// must close the connection within the timeout and a little slack, long
// before the form is sent.
func TestSlowFormTimesOut(t *testing.T) {
	const (
		readTimeout = time.Second
		bound       = readTimeout + 2*time.Second // slack for a loaded machine
	)
	hs, err := newServer(config{addr: "127.0.0.1:0", region: "us-east-1", bucket: "bkt",
		accessKey: "AKIDTEST", secretKey: "test/secret", quiet: true,
		readHeaderTimeout: readTimeout, readTimeout: readTimeout, writeTimeout: 2 * readTimeout, idleTimeout: readTimeout})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	defer hs.Close()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := "--b\r\nContent-Disposition: form-data; name=\"x-ignore-pad\"\r\n\r\n" + strings.Repeat("p", 200) + "\r\n--b--\r\n"
	start := time.Now()
	fmt.Fprintf(conn, "POST /bkt HTTP/1.1\r\nHost: %s\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: %d\r\n\r\n", ln.Addr(), len(body))
	sent := make(chan int, 1)
	stop := make(chan struct{})
	go func() {
		n := 0
		defer func() { sent <- n }()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for n < len(body) {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if _, err := conn.Write([]byte{body[n]}); err != nil {
				return
			}
			n++
		}
	}()

	// Read until the server closes the connection (an error response
	// may come first), or give up well past the bound.
	conn.SetReadDeadline(start.Add(bound + 3*time.Second))
	resp, err := io.ReadAll(conn)
	elapsed := time.Since(start)
	close(stop)
	n := <-sent
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the connection is still open after %v (%d of %d bytes sent)", elapsed.Round(time.Millisecond), n, len(body))
	}
	t.Logf("closed after %v, %d of %d bytes sent; answer %q", elapsed.Round(time.Millisecond), n, len(body), firstLine(string(resp)))
	if elapsed > bound {
		t.Errorf("closed after %v, want at most %v", elapsed, bound)
	}
	if n >= len(body) {
		t.Errorf("the whole form was sent before the server closed the connection")
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}
