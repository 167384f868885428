//go:build race

package presign_test

// raceEnabled reports whether the race detector is on: it makes sync.Pool
// drop objects, so allocation budgets do not hold.
const raceEnabled = true
