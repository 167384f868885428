package sigv4_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigv4kit/sigv4kit/credentials"
	"github.com/sigv4kit/sigv4kit/sigv4"
)

type secretKey struct{}

// TestConcurrentSigning signs from many goroutines through one Signer (and
// signers for other regions derived from it, which share its key cache),
// with dates, regions and secrets that vary per call, and checks every
// result against a fresh single-threaded signer. Run with -race.
func TestConcurrentSigning(t *testing.T) {
	var tick atomic.Int64
	days := []time.Time{suiteTime, suiteTime.AddDate(0, 0, 1), suiteTime.AddDate(0, 0, 2), suiteTime.AddDate(1, 0, 0)}
	now := func() time.Time { return days[tick.Add(1)%int64(len(days))] }
	// The secret comes from the context: a rotated secret under the same
	// access key must never reuse the old key.
	prov := credentials.ProviderFunc(func(ctx context.Context) (credentials.Credentials, error) {
		return credentials.Credentials{AccessKeyID: "AKID", SecretAccessKey: ctx.Value(secretKey{}).(string)}, nil
	})
	base, err := sigv4.New(sigv4.Config{Service: "service", Region: "us-east-1", Credentials: prov, Now: now, KeyCacheSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	regions := []string{"us-east-1", "eu-west-1", "ap-south-1"}
	signers := map[string]*sigv4.Signer{"us-east-1": base}
	for _, r := range regions[1:] {
		if signers[r], err = base.ForRegion(r); err != nil {
			t.Fatal(err)
		}
	}
	const goroutines, perG = 16, 150
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perG {
				region := regions[(g+i)%len(regions)]
				secret := fmt.Sprintf("secret-%d", (g*7+i)%4)
				ctx := context.WithValue(context.Background(), secretKey{}, secret)
				req, _ := http.NewRequest("GET", fmt.Sprintf("https://example.com/obj-%d?i=%d", g, i), nil)
				if err := signers[region].Sign(ctx, req, sigv4.UnsignedPayload); err != nil {
					errs <- err
					return
				}
				// Recompute single-threaded at the date the signer used.
				at, err := time.Parse("20060102T150405Z", req.Header.Get("X-Amz-Date"))
				if err != nil {
					errs <- err
					return
				}
				fresh, _ := sigv4.New(sigv4.Config{Service: "service", Region: region,
					Credentials: credentials.Static("AKID", secret, ""), Now: func() time.Time { return at }, KeyCacheSize: -1})
				want := req.Clone(ctx)
				if err := fresh.Sign(ctx, want, sigv4.UnsignedPayload); err != nil {
					errs <- err
					return
				}
				if got, w := req.Header.Get("Authorization"), want.Header.Get("Authorization"); got != w {
					errs <- fmt.Errorf("goroutine %d call %d (%s, %s, %s):\n got %s\nwant %s", g, i, region, secret, at, got, w)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
