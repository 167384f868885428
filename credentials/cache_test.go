package credentials

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// countingProvider returns credentials valid for lifetime, after taking
// delay, and counts its calls. It fails while fail is set.
type countingProvider struct {
	calls    atomic.Int32
	lifetime time.Duration
	delay    time.Duration
	fail     atomic.Bool
}

func (p *countingProvider) Retrieve(ctx context.Context) (Credentials, error) {
	n := p.calls.Add(1)
	if p.delay > 0 {
		select {
		case <-time.After(p.delay):
		case <-ctx.Done():
			return Credentials{}, ctx.Err()
		}
	}
	if p.fail.Load() {
		return Credentials{}, errors.New("credentials: test: sts is down")
	}
	c := Credentials{AccessKeyID: "AKID" + string(rune('0'+n%10)), SecretAccessKey: testSecret, SessionToken: testToken, Source: "test"}
	if p.lifetime > 0 {
		c.Expires = time.Now().Add(p.lifetime)
	}
	return c, nil
}

func TestCacheRefreshWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		p := &countingProvider{lifetime: time.Hour}
		c := NewCache(p, CacheOptions{ExpiryWindow: 10 * time.Minute})
		first, err := c.Retrieve(ctx)
		if err != nil || p.calls.Load() != 1 {
			t.Fatalf("first: %v, %v, calls %d", first, err, p.calls.Load())
		}
		time.Sleep(49 * time.Minute)
		if got, _ := c.Retrieve(ctx); got != first || p.calls.Load() != 1 {
			t.Fatalf("before the window: %v, calls %d", got, p.calls.Load())
		}
		time.Sleep(2 * time.Minute) // in the window: 9 minutes left
		got, err := c.Retrieve(ctx)
		if err != nil || got != first {
			t.Fatalf("in the window the caller gets the still-valid value: %v, %v", got, err)
		}
		synctest.Wait() // the background refresh
		if p.calls.Load() != 2 {
			t.Fatalf("calls = %d, want 2", p.calls.Load())
		}
		got, _ = c.Retrieve(ctx)
		if got == first || !got.Expires.Equal(time.Now().Add(time.Hour)) {
			t.Errorf("after the refresh: %v", got)
		}
	})
}

func TestCacheOneRefreshUnderConcurrency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &countingProvider{lifetime: time.Hour, delay: 2 * time.Second}
		c := NewCache(p, CacheOptions{})
		var wg sync.WaitGroup
		results := make([]Credentials, 100)
		for i := range 100 {
			wg.Go(func() {
				var err error
				results[i], err = c.Retrieve(context.Background())
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := p.calls.Load(); n != 1 {
			t.Fatalf("100 goroutines on an empty cache caused %d refreshes, want 1", n)
		}
		for _, r := range results {
			if r != results[0] || r.AccessKeyID == "" {
				t.Fatalf("results differ: %v vs %v", r, results[0])
			}
		}

		// 100 goroutines in the refresh window: one refresh, nobody waits.
		time.Sleep(56 * time.Minute)
		old := results[0]
		start := time.Now()
		for range 100 {
			wg.Go(func() {
				got, err := c.Retrieve(context.Background())
				if err != nil || got != old {
					t.Errorf("in the window: %v, %v", got, err)
				}
			})
		}
		wg.Wait()
		if time.Since(start) != 0 {
			t.Errorf("callers waited %v in the window", time.Since(start))
		}
		synctest.Wait()
		time.Sleep(3 * time.Second)
		if n := p.calls.Load(); n != 2 {
			t.Fatalf("refreshes = %d, want 2", n)
		}
	})
}

func TestCacheFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		p := &countingProvider{lifetime: time.Hour}
		c := NewCache(p, CacheOptions{ExpiryWindow: 10 * time.Minute})
		good, err := c.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p.fail.Store(true)
		time.Sleep(55 * time.Minute)
		if got, err := c.Retrieve(ctx); err != nil || got != good {
			t.Fatalf("in the window with a failing provider: %v, %v", got, err)
		}
		synctest.Wait()
		if c.LastError() == nil {
			t.Error("LastError() = nil after a failed refresh")
		}
		// Keeps the last good value while valid, retrying after a minute.
		calls := p.calls.Load()
		if got, err := c.Retrieve(ctx); err != nil || got != good || p.calls.Load() != calls {
			t.Fatalf("right after the failure: %v, %v, calls %d -> %d", got, err, calls, p.calls.Load())
		}
		time.Sleep(time.Minute)
		c.Retrieve(ctx)
		synctest.Wait()
		if p.calls.Load() != calls+1 {
			t.Errorf("no retry after a minute: calls %d", p.calls.Load())
		}
		// Never expired credentials: past the expiry callers get the error.
		time.Sleep(5 * time.Minute)
		got, err := c.Retrieve(ctx)
		if err == nil || !errors.Is(noteErr(err), err) || got.AccessKeyID != "" {
			t.Fatalf("after expiry: %v, %v", got, err)
		}
		// Recovery.
		p.fail.Store(false)
		if got, err := c.Retrieve(ctx); err != nil || got.Expired(time.Now()) || c.LastError() != nil {
			t.Fatalf("after recovery: %v, %v", got, err)
		}
	})
}

func TestCacheNeverReturnsExpired(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		expired := ProviderFunc(func(context.Context) (Credentials, error) {
			return Credentials{AccessKeyID: "A", SecretAccessKey: testSecret, Expires: time.Now().Add(-time.Second)}, nil
		})
		_, err := NewCache(expired, CacheOptions{}).Retrieve(context.Background())
		if !errors.Is(noteErr(err), ErrExpired) {
			t.Errorf("err = %v, want ErrExpired", err)
		}

		// Credentials shorter-lived than the window refresh halfway.
		p := &countingProvider{lifetime: 4 * time.Minute}
		c := NewCache(p, CacheOptions{ExpiryWindow: 5 * time.Minute})
		c.Retrieve(context.Background())
		time.Sleep(119 * time.Second)
		c.Retrieve(context.Background())
		synctest.Wait()
		if p.calls.Load() != 1 {
			t.Errorf("refreshed before halfway: %d", p.calls.Load())
		}
		time.Sleep(time.Second)
		c.Retrieve(context.Background())
		synctest.Wait()
		if p.calls.Load() != 2 {
			t.Errorf("no refresh at halfway: %d", p.calls.Load())
		}

		// No expiry: kept until Invalidate.
		s := &countingProvider{}
		c = NewCache(s, CacheOptions{})
		c.Retrieve(context.Background())
		time.Sleep(1000 * time.Hour)
		c.Retrieve(context.Background())
		if s.calls.Load() != 1 {
			t.Errorf("static credentials refreshed: %d", s.calls.Load())
		}
		c.Invalidate()
		c.Retrieve(context.Background())
		if s.calls.Load() != 2 {
			t.Errorf("Invalidate did not force a refresh: %d", s.calls.Load())
		}
	})
}

func TestCacheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := &countingProvider{lifetime: time.Hour, delay: 10 * time.Second}
		c := NewCache(p, CacheOptions{})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.Retrieve(ctx)
		if !errors.Is(noteErr(err), context.DeadlineExceeded) || time.Since(start) != time.Second {
			t.Fatalf("err = %v after %v, want DeadlineExceeded after 1s", err, time.Since(start))
		}
		// The refresh went on; a later caller joins it instead of starting
		// another, and gets its result.
		got, err := c.Retrieve(context.Background())
		if err != nil || got.AccessKeyID == "" || p.calls.Load() != 1 {
			t.Fatalf("after cancel: %v, %v, calls %d", got, err, p.calls.Load())
		}
		if time.Since(start) != 10*time.Second {
			t.Errorf("joined refresh finished after %v", time.Since(start))
		}

		// A provider that hangs is bounded by RefreshTimeout.
		hang := ProviderFunc(func(ctx context.Context) (Credentials, error) {
			<-ctx.Done()
			return Credentials{}, ctx.Err()
		})
		_, err = NewCache(hang, CacheOptions{RefreshTimeout: 3 * time.Second}).Retrieve(context.Background())
		if !errors.Is(noteErr(err), context.DeadlineExceeded) {
			t.Errorf("hanging provider: err = %v", err)
		}
	})
}
