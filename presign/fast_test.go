package presign

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
)

// fastAndSlow returns two presigners for cfg: one that presigns the
// request's parts (sigv4.Signer.PresignParts, without an http.Request), as
// every Presigner does, and one that builds an http.Request for
// sigv4.Signer.Presign.
func fastAndSlow(t testing.TB, cfg Config) (fast, slow *Presigner) {
	t.Helper()
	cfg.Getenv = func(string) string { return "" }
	fast, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	slow, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	slow.slow = true
	return fast, slow
}

func randString(r *rand.Rand, max int) string {
	const pool = "abcXYZ019-._~ +=%?#&;/,!'()*@$[]{}|\\^`<>\"\t\n\x00\x7fü日😀"
	n := 1 + r.IntN(max)
	b := make([]byte, 0, n)
	for range n {
		if r.IntN(8) == 0 {
			b = append(b, byte(r.IntN(256)))
		} else {
			b = append(b, pool[r.IntN(len(pool))])
		}
	}
	return string(b)
}

// TestFastPathMatchesSigner checks that presigning the parts gives byte for
// byte the URL that sigv4.Signer.Presign gives for the same http.Request,
// for random requests.
func TestFastPathMatchesSigner(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 11, 28, 23, 59, 59, 0, time.UTC)
	endpoints := []Config{
		{Region: "us-east-1"},
		{Region: "eu-west-1", PathStyle: true},
		{Region: "us-east-1", Endpoint: "http://127.0.0.1:7070"},
		{Region: "auto", Endpoint: R2Endpoint("acc")},
		{Region: "ap-south-1", DualStack: true},
		{Region: "us-east-1", Endpoint: "https://gw.example.com:8443/base/"},
	}
	buckets := []string{"examplebucket", "my.bucket", "Upper_Case", "b-1"}
	ctx := context.Background()
	taken := 0
	for i := range 3000 {
		cfg := endpoints[r.IntN(len(endpoints))]
		token := ""
		if r.IntN(2) == 0 {
			token = randString(r, 40)
		}
		var exp time.Time
		if r.IntN(3) == 0 {
			exp = now.Add(time.Duration(r.IntN(3*3600)) * time.Second)
		}
		cfg.Credentials = credentials.ProviderFunc(func(context.Context) (credentials.Credentials, error) {
			return credentials.Credentials{AccessKeyID: "AKID" + string(rune('A'+i%26)), SecretAccessKey: "secret", SessionToken: token, Expires: exp}, nil
		})
		cfg.Now = func() time.Time { return now.Add(time.Duration(i%3) * time.Second) }
		fast, slow := fastAndSlow(t, cfg)
		bucket := buckets[r.IntN(len(buckets))]
		key := randString(r, 30)
		var opts []Option
		for range r.IntN(4) {
			switch r.IntN(5) {
			case 0:
				opts = append(opts, VersionID(randString(r, 10)))
			case 1:
				opts = append(opts, ResponseContentDisposition(randString(r, 20)))
			case 2:
				opts = append(opts, Query(randString(r, 6), randString(r, 6)))
			case 3:
				opts = append(opts, Query("x-id", ""))
			case 4:
				opts = append(opts, StrictExpiry())
			}
		}
		expires := time.Duration(1+r.IntN(7*24*3600)) * time.Second
		if r.IntN(10) == 0 {
			expires += time.Duration(r.IntN(1000)) * time.Millisecond
		}
		uploadID := randString(r, 8)
		type op func(p *Presigner) (*Request, error)
		ops := []op{
			func(p *Presigner) (*Request, error) { return p.GetObject(ctx, bucket, key, expires, opts...) },
			func(p *Presigner) (*Request, error) { return p.HeadObject(ctx, bucket, key, expires, opts...) },
			func(p *Presigner) (*Request, error) { return p.DeleteObject(ctx, bucket, key, expires, opts...) },
			func(p *Presigner) (*Request, error) {
				return p.UploadPart(ctx, bucket, key, uploadID, 1+i%100, expires, opts...)
			},
			func(p *Presigner) (*Request, error) { return p.ListObjectsV2(ctx, bucket, expires, opts...) },
			func(p *Presigner) (*Request, error) {
				return p.CreateMultipartUpload(ctx, bucket, key, expires, opts...)
			},
		}
		o := ops[r.IntN(len(ops))]
		a, errA := o(fast)
		b, errB := o(slow)
		if (errA == nil) != (errB == nil) || errA != nil && errA.Error() != errB.Error() {
			t.Fatalf("case %d: errors differ: fast %v, signer %v", i, errA, errB)
		}
		if errA != nil {
			continue
		}
		if a.URL != b.URL || a.Method != b.Method || !a.Expires.Equal(b.Expires) || len(a.Header) != 0 || len(b.Header) != 0 {
			t.Fatalf("case %d differs:\n fast   %s %s %v %v\n signer %s %s %v %v", i, a.Method, a.URL, a.Expires, a.Header, b.Method, b.URL, b.Expires, b.Header)
		}
		taken++
	}
	if taken < 1000 {
		t.Errorf("only %d of 3000 requests were presigned and compared", taken)
	}
}

// FuzzFastPath compares presigning the parts with sigv4.Signer.Presign for
// arbitrary keys, parameter values and session tokens.
func FuzzFastPath(f *testing.F) {
	f.Add("with space.txt", "v1", "", int64(3600))
	f.Add("mix a+b=c~d%e&f?g#h.txt", "a=b&c", "tok/en+=", int64(1))
	f.Add("ünïcödé-日本.txt", "", "x", int64(604800))
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, key, version, token string, secs int64) {
		cfg := Config{
			Region:      "us-east-1",
			Credentials: credentials.Static("AKIDEXAMPLE", "secret", token),
			Now:         func() time.Time { return now },
		}
		fast, slow := fastAndSlow(t, cfg)
		var opts []Option
		if version != "" {
			opts = append(opts, VersionID(version))
		}
		d := time.Duration(secs) * time.Second
		a, errA := fast.GetObject(context.Background(), "examplebucket", key, d, opts...)
		b, errB := slow.GetObject(context.Background(), "examplebucket", key, d, opts...)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("errors differ: fast %v, signer %v", errA, errB)
		}
		if errA == nil && (a.URL != b.URL || !a.Expires.Equal(b.Expires)) {
			t.Fatalf("differ:\n fast   %s\n signer %s", a.URL, b.URL)
		}
	})
}
