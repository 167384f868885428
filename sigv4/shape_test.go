package sigv4_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

// refCanonicalHeaders is the canonical headers block and signed headers
// list of a request header-signed by a signer without a SignHeader hook,
// computed the slow, obvious way. s3 says whether the signer sets
// x-amz-content-sha256; token is a session token it signs.
func refCanonicalHeaders(h http.Header, host string, contentLength int64, s3 bool, payload, token, amzDate string) (block, signed string, ok bool) {
	byName := map[string][]string{} // lower-case name -> keys
	for k := range h {
		name := asciiLower(k)
		switch name {
		case "host", "content-length", "authorization", "x-amz-date", "x-amz-security-token",
			"user-agent", "x-amzn-trace-id", "expect", "transfer-encoding", "connection":
			continue
		case "x-amz-content-sha256":
			if s3 {
				continue
			}
		}
		byName[name] = append(byName[name], k)
	}
	lines := map[string]string{"host": host, "x-amz-date": amzDate}
	if s3 {
		lines["x-amz-content-sha256"] = payload
	}
	if token != "" {
		lines["x-amz-security-token"] = token
	}
	if contentLength > 0 {
		lines["content-length"] = strconv.FormatInt(contentLength, 10)
	}
	for name, keys := range byName {
		sort.Strings(keys)
		var vals []string
		for _, k := range keys {
			for _, v := range h[k] {
				cv, good := refHeaderValue(v)
				if !good {
					return "", "", false
				}
				vals = append(vals, cv)
			}
		}
		lines[name] = strings.Join(vals, ",")
	}
	var names []string
	for name := range lines {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		b.WriteString(name + ":" + lines[name] + "\n")
	}
	return b.String(), strings.Join(names, ";"), true
}

// headerBlockOf cuts the canonical headers block and the signed headers
// list out of a canonical request.
func headerBlockOf(creq string) (block, signed string) {
	lines := strings.Split(creq, "\n")
	end := 3
	for lines[end] != "" {
		end++
	}
	return strings.Join(lines[3:end], "\n") + "\n", lines[end+1]
}

// TestRepeatedShapes signs a long run of requests whose header key sets
// repeat, change by one key, change by case only, or keep their size with
// other keys, with values that change every time, and checks every
// canonical block against the reference: the signer's memory of the last
// key set must never leak into the next request.
func TestRepeatedShapes(t *testing.T) {
	pool := []string{
		"Range", "If-None-Match", "X-Amz-Meta-A", "x-amz-meta-a", "X-AMZ-META-A", "X-Amz-Copy-Source",
		"Content-Type", "User-Agent", "Authorization", "X-Amz-Date", "x-amz-date", "X-Amz-Content-Sha256",
		"x-amz-content-sha256", "X-Amz-Security-Token", "Expect", "Zz", "A", "Host", "Content-Length",
	}
	values := []string{"v", "  spaced   out ", "a\tb", "folded\r\n value", "", "bytes=0-1023", "bad\rvalue"}
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	for _, cfg := range []struct {
		service, token string
	}{{"s3", ""}, {"s3", "TOKEN"}, {"dynamodb", ""}, {"dynamodb", "TOKEN"}} {
		s, err := sigv4.New(sigv4.Config{Service: cfg.service, Region: "us-east-1",
			Credentials: credentials.Static("AKID", "SECRET", cfg.token), Now: func() time.Time { return suiteTime }})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string // the key set, changed a little at each step
		checked := 0
		for i := range 600 {
			switch op := rng.IntN(6); {
			case op == 0 && len(keys) > 0: // drop a key
				keys = append(keys[:0:0], keys[1:]...)
			case op == 1 && len(keys) > 0: // swap a key for another: same size
				keys[rng.IntN(len(keys))] = pool[rng.IntN(len(pool))]
			case op == 2 || len(keys) == 0:
				keys = append(keys, pool[rng.IntN(len(pool))])
			}
			h := http.Header{}
			for _, k := range keys {
				n := rng.IntN(3)
				vv := make([]string, 0, n)
				for range n {
					vv = append(vv, values[rng.IntN(len(values))])
				}
				h[k] = vv
			}
			req, _ := http.NewRequest("PUT", "https://example.com/k", nil)
			req.Header = h
			if rng.IntN(3) == 0 {
				req.ContentLength = int64(rng.IntN(5000))
			}
			payload := sigv4.UnsignedPayload
			if i%2 == 0 {
				payload = sigv4.EmptyPayloadHash
			}
			want, wantSigned, ok := refCanonicalHeaders(h, "example.com", req.ContentLength, cfg.service == "s3", payload, cfg.token, "20150830T123600Z")
			tr, err := s.Explain(ctx, req, payload)
			if !ok {
				if err == nil {
					t.Fatalf("%s step %d: headers %v: no error, want one for a CR or LF", cfg.service, i, h)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s step %d: headers %v: %v", cfg.service, i, h, err)
			}
			got, gotSigned := headerBlockOf(tr.CanonicalRequest)
			if got != want || gotSigned != wantSigned {
				t.Fatalf("%s step %d: headers %q\n got %q %q\nwant %q %q", cfg.service, i, h, got, gotSigned, want, wantSigned)
			}
			if err := s.Sign(ctx, req, payload); err != nil {
				t.Fatalf("%s step %d: Sign: %v", cfg.service, i, err)
			}
			if a := req.Header.Get("Authorization"); !strings.HasSuffix(a, "Signature="+tr.Signature) {
				t.Fatalf("%s step %d: Sign and Explain disagree: %s vs %s", cfg.service, i, a, tr.Signature)
			}
			if got := req.Header.Values("X-Amz-Security-Token"); cfg.token == "" && len(got) > 0 || cfg.token != "" && (len(got) != 1 || got[0] != cfg.token) {
				t.Fatalf("%s step %d: X-Amz-Security-Token %q after Sign, want %q", cfg.service, i, got, cfg.token)
			}
			// The headers Sign sets go out once: case variants are dropped.
			for k := range req.Header {
				switch ck := http.CanonicalHeaderKey(k); ck {
				case "Authorization", "X-Amz-Date", "X-Amz-Security-Token":
					if k != ck {
						t.Fatalf("%s step %d: %q left beside %q after Sign", cfg.service, i, k, ck)
					}
				case "X-Amz-Content-Sha256":
					if k != ck && cfg.service == "s3" {
						t.Fatalf("%s step %d: %q left beside %q after Sign", cfg.service, i, k, ck)
					}
				}
			}
			checked++
		}
		if checked < 300 {
			t.Fatalf("%s: only %d of 600 steps were checked", cfg.service, checked)
		}
		t.Logf("%s token=%q: %d requests checked", cfg.service, cfg.token, checked)
	}
}
