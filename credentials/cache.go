package credentials

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultExpiryWindow is the refresh window of a [Cache] whose
// CacheOptions.ExpiryWindow is zero.
const DefaultExpiryWindow = 5 * time.Minute

// DefaultRefreshTimeout bounds one refresh of a [Cache] whose
// CacheOptions.RefreshTimeout is zero.
const DefaultRefreshTimeout = time.Minute

// CacheOptions configures a [Cache].
type CacheOptions struct {
	// ExpiryWindow is how long before the credentials expire the cache
	// refreshes them; zero means DefaultExpiryWindow. When credentials
	// live shorter than the window, the refresh starts halfway through
	// their remaining lifetime.
	ExpiryWindow time.Duration
	// RefreshTimeout bounds one call of the wrapped provider; zero means
	// DefaultRefreshTimeout.
	RefreshTimeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Cache is a Provider that keeps the credentials of another provider until
// they are about to expire, in the spirit of oauth2.ReuseTokenSource.
//
//   - Credentials without an expiry are kept until [Cache.Invalidate].
//   - Within the expiry window, the first caller starts a refresh in the
//     background and every caller keeps getting the still-valid credentials
//     without waiting.
//   - With no credentials, or expired ones, callers wait for the refresh.
//   - There is at most one refresh at a time, however many goroutines call.
//   - Retrieve never returns expired credentials.
//   - A caller whose ctx is done stops waiting and gets ctx's error; the
//     refresh goes on (under RefreshTimeout, with ctx's values) and its
//     result serves the next callers.
//   - A failed refresh keeps the last good credentials while they are
//     valid, and is retried after min(1 minute, half their remaining
//     lifetime); once they expire, callers get the refresh's error.
//
// A Cache is safe for concurrent use. It prints redacted (fmt, log/slog):
// the provider's type and the access key ID, source and expiry of the
// credentials it holds.
type Cache struct {
	provider Provider
	window   time.Duration
	timeout  time.Duration
	now      func() time.Time

	mu        sync.Mutex
	creds     *Credentials // behind a pointer: see redact.go
	valid     bool
	refreshAt time.Time
	inflight  *refresh
	lastErr   error
}

// refresh is one call of the wrapped provider.
type refresh struct {
	done  chan struct{}
	creds Credentials
	err   error
}

// NewCache returns a Cache over p.
func NewCache(p Provider, opts CacheOptions) *Cache {
	c := &Cache{provider: p, window: opts.ExpiryWindow, timeout: opts.RefreshTimeout, now: orNow(opts.Now)}
	if c.window <= 0 {
		c.window = DefaultExpiryWindow
	}
	if c.timeout <= 0 {
		c.timeout = DefaultRefreshTimeout
	}
	return c
}

// Retrieve returns the cached credentials, refreshing them as described
// in [Cache].
func (c *Cache) Retrieve(ctx context.Context) (Credentials, error) {
	now := c.now()
	c.mu.Lock()
	if c.valid && !c.creds.Expired(now) {
		creds := *c.creds
		if creds.CanExpire() && !now.Before(c.refreshAt) && c.inflight == nil {
			c.start(ctx)
		}
		c.mu.Unlock()
		return creds, nil
	}
	r := c.inflight
	if r == nil {
		r = c.start(ctx)
	}
	c.mu.Unlock()

	select {
	case <-r.done:
	case <-ctx.Done():
		return Credentials{}, fmt.Errorf("credentials: waiting for a refresh: %w", ctx.Err())
	}
	if r.err != nil {
		return Credentials{}, r.err
	}
	if r.creds.Expired(c.now()) {
		return Credentials{}, kindf(ErrExpired, "cache: refreshed credentials expired at %s", r.creds.Expires.UTC().Format(time.RFC3339))
	}
	return r.creds, nil
}

// start launches a refresh; c.mu is held.
func (c *Cache) start(ctx context.Context) *refresh {
	r := &refresh{done: make(chan struct{})}
	c.inflight = r
	go func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
		creds, err := c.provider.Retrieve(rctx)
		cancel()
		now := c.now()
		if err == nil && creds.Expired(now) {
			err = kindf(ErrExpired, "cache: %s returned credentials that expired at %s", sourceName(creds), creds.Expires.UTC().Format(time.RFC3339))
		}
		c.mu.Lock()
		if err == nil {
			c.creds, c.valid, c.lastErr = &creds, true, nil
			c.refreshAt = creds.Expires.Add(-c.window)
			if creds.CanExpire() && !c.refreshAt.After(now) {
				c.refreshAt = now.Add(creds.Expires.Sub(now) / 2)
			}
		} else {
			c.lastErr = err
			if c.valid && !c.creds.Expired(now) {
				c.refreshAt = now.Add(min(time.Minute, c.creds.Expires.Sub(now)/2))
			}
		}
		c.inflight = nil
		r.creds, r.err = creds, err
		c.mu.Unlock()
		close(r.done)
	}()
	return r
}

func sourceName(c Credentials) string {
	if c.Source == "" {
		return "the provider"
	}
	return c.Source
}

// Invalidate drops the cached credentials, so that the next Retrieve waits
// for new ones: call it when a service rejects them (ExpiredToken).
func (c *Cache) Invalidate() {
	c.mu.Lock()
	c.valid = false
	c.creds = nil
	c.mu.Unlock()
}

// LastError returns the error of the last refresh, or nil when it
// succeeded. It tells why a Cache still serves credentials that are in
// their expiry window.
func (c *Cache) LastError() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastErr
}
