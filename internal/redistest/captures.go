package redistest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// CapturePath is the path of a real server capture under redisx/testdata
// (info/*.txt: INFO all of Redis 4.0–7.4 and Valkey 8.0; memory/*.txt:
// MEMORY STATS, MEMORY DOCTOR, CONFIG GET), joined from parts. The captures
// live next to redisx, their main reader; other packages' tests find them
// here, wherever the test runs from.
func CapturePath(parts ...string) string {
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(self), "..", "..", "redisx", "testdata")
	return filepath.Join(append([]string{root}, parts...)...)
}

// InfoCapture is the text of the INFO capture name (a file of
// redisx/testdata/info).
func InfoCapture(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(CapturePath("info", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
