// Package golden compares what a test produced with a golden file in the
// test's testdata/ directory, or rewrites the file when the test runs with
// -update:
//
//	go test ./lesson -run Summary -update
//
// Only tests import it.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ instead of comparing")

// Check compares got with testdata/name, or rewrites that file under
// -update, and reports a mismatch as a diff (-want +got).
func Check(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with: go test -run %s -update)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s\n(if the change is intended: go test -run %s -update)", path, diff, t.Name())
	}
}

// Updating reports whether the test runs with -update, for goldens that
// are not text (images compared pixel by pixel).
func Updating() bool { return *update }
