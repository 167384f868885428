//go:build race

package sigv4

// chunkRace: the race detector's instrumentation allocates, so the
// allocation checks of chunk_internal_test.go run only without it.
const chunkRace = true
