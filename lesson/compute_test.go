package lesson

import (
	"os"
	"strings"
	"testing"
)

// TestComputeStatus checks the compute line against the build: with
// LESSON_WANT_COMPUTE=patched or =upstream (set by make test), that this
// test binary was built on that compute.
func TestComputeStatus(t *testing.T) {
	patched, line := computeBuild()
	if !strings.HasPrefix(line, "compute: ") {
		t.Errorf("ComputeStatus() = %q, want a line starting with \"compute: \"", line)
	}
	if !patched && !strings.Contains(line, "scripts/compute.sh") {
		t.Errorf("ComputeStatus() = %q on upstream, want the command that builds the patched one", line)
	}
	switch want := os.Getenv("LESSON_WANT_COMPUTE"); want {
	case "":
	case "patched", "upstream":
		if got := map[bool]string{true: "patched", false: "upstream"}[patched]; got != want {
			t.Errorf("built on %s compute, LESSON_WANT_COMPUTE=%s: %s", got, want, line)
		}
	default:
		t.Fatalf("LESSON_WANT_COMPUTE=%q: want patched, upstream or nothing", want)
	}
}

func TestGoBackendOptions(t *testing.T) {
	patched, _ := computeBuild()
	tests := []struct {
		options, reason string
		want            string // the options on upstream; patched compute keeps them as given
		wantErr         string
	}{
		{"", "upstream runs ops one at a time", "ops_sequential", ""},
		{"parallelism=2", "the user's options follow", "ops_sequential,parallelism=2", ""},
		{"ops_parallel", "parallel ops hang upstream: refused", "", "ops_parallel hangs"},
	}
	for _, tc := range tests {
		t.Run(tc.options, func(t *testing.T) {
			got, err := goBackendOptions(tc.options)
			want, wantErr := tc.want, tc.wantErr
			if patched {
				want, wantErr = tc.options, ""
			}
			if wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), wantErr) || !strings.Contains(err.Error(), "scripts/compute.sh") {
					t.Errorf("%s\ngoBackendOptions(%q) error = %v, want one with %q and the fix", tc.reason, tc.options, err, wantErr)
				}
				return
			}
			if err != nil || got != want {
				t.Errorf("%s\ngoBackendOptions(%q) = %q, %v; want %q", tc.reason, tc.options, got, err, want)
			}
		})
	}
}
