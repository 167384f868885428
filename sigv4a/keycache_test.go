package sigv4a

import (
	"errors"
	"fmt"
	"sync"
	"testing"
)

// TestKeyCache checks the cache's behaviour: a hit returns the cached key,
// a rotated secret under the same access key ID is a different key, the
// size bounds the entries, errors are not cached, and a negative size
// derives every time.
func TestKeyCache(t *testing.T) {
	const akid, secret = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	want, err := DeriveKey(akid, secret)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("hit", func(t *testing.T) {
		c := newKeyCache(0)
		if c.max != defaultKeyCacheSize {
			t.Errorf("max %d, want %d", c.max, defaultKeyCacheSize)
		}
		k1, err := c.get(akid, secret)
		if err != nil {
			t.Fatal(err)
		}
		k2, err := c.get(akid, secret)
		if err != nil {
			t.Fatal(err)
		}
		if !k1.Equal(want) || k1 != k2 || c.len() != 1 {
			t.Errorf("equal %v, same pointer %v, %d entries; want true, true, 1", k1.Equal(want), k1 == k2, c.len())
		}
	})

	t.Run("rotated secret", func(t *testing.T) {
		c := newKeyCache(0)
		k1, _ := c.get(akid, secret)
		k2, err := c.get(akid, secret+"2")
		if err != nil {
			t.Fatal(err)
		}
		rotated, _ := DeriveKey(akid, secret+"2")
		if k1.Equal(k2) || !k2.Equal(rotated) || c.len() != 2 {
			t.Errorf("rotated key equals old %v, equals DeriveKey %v, %d entries", k1.Equal(k2), k2.Equal(rotated), c.len())
		}
	})

	t.Run("bounded", func(t *testing.T) {
		c := newKeyCache(4)
		for i := range 10 {
			id := fmt.Sprintf("AKID%d", i)
			k, err := c.get(id, secret)
			if err != nil {
				t.Fatal(err)
			}
			if d, _ := DeriveKey(id, secret); !k.Equal(d) {
				t.Errorf("%s: cached key differs from DeriveKey", id)
			}
			if n := c.len(); n > 4 || n != min(i+1, 4) {
				t.Errorf("after %d keys: %d entries, want %d", i+1, n, min(i+1, 4))
			}
		}
	})

	t.Run("errors not cached", func(t *testing.T) {
		c := newKeyCache(0)
		for _, creds := range [][2]string{{akid, ""}, {"", secret}} {
			if k, err := c.get(creds[0], creds[1]); k != nil || !errors.Is(err, ErrInvalidCredentials) {
				t.Errorf("get(%q, %q) = %v, %v; want ErrInvalidCredentials", creds[0], creds[1], k, err)
			}
		}
		if c.len() != 0 {
			t.Errorf("%d entries after errors", c.len())
		}
	})

	t.Run("disabled", func(t *testing.T) {
		c := newKeyCache(-1)
		k1, err := c.get(akid, secret)
		if err != nil {
			t.Fatal(err)
		}
		k2, _ := c.get(akid, secret)
		if !k1.Equal(want) || k1 == k2 || c.len() != 0 {
			t.Errorf("equal %v, same pointer %v, %d entries; want true, false, 0", k1.Equal(want), k1 == k2, c.len())
		}
	})
}

// TestKeyCacheConcurrent has goroutines get overlapping credentials from
// one small cache (evicting each other's keys) while others read: run with
// -race. Every key returned must be the one DeriveKey gives.
func TestKeyCacheConcurrent(t *testing.T) {
	const secret = "concurrentSecretEXAMPLE"
	c := newKeyCache(3)
	want := map[string]string{}
	for i := range 6 {
		id := fmt.Sprintf("AKID%d", i)
		k, err := DeriveKey(id, secret)
		if err != nil {
			t.Fatal(err)
		}
		x, _, _ := publicKeyCoordinates(&k.PublicKey)
		want[id] = x
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 30 {
				id := fmt.Sprintf("AKID%d", (g+i)%6)
				k, err := c.get(id, secret)
				if err != nil {
					errs <- err
					return
				}
				if x, _, _ := publicKeyCoordinates(&k.PublicKey); x != want[id] {
					errs <- fmt.Errorf("%s: got key x=%s, want %s", id, x, want[id])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := c.len(); n > 3 {
		t.Errorf("%d entries, bound 3", n)
	}
}
