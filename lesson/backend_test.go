package lesson

import (
	"strings"
	"testing"
	"time"
)

func TestNewBackend(t *testing.T) {
	tests := []struct {
		config string
		reason string
		want   string // substring of the error, or of the line when ok
		ok     bool
	}{
		{"go", "the pure-Go backend is always there", "from GOMLX_BACKEND=\"go\"", true},
		{"", "with no setting and no PJRT plugin installed, the go backend is the default", "pure Go", true},
		{"go:parallelism=2", "the go backend's own options pass through (upstream deadlocked with them; see TestTrainTwoWorkers)", "parallelism=2", true},
		{"tpu9000", "an unknown backend names the known ones", "unknown backend", false},
		{"xla:/nonexistent/pjrt_plugin.so", "a missing plugin file is named", "/nonexistent/pjrt_plugin.so", false},
		{"xla:nosuchplugin", "a plugin that is not installed is never downloaded", "never downloads", false},
	}
	for _, tc := range tests {
		t.Run(tc.config, func(t *testing.T) {
			wantBackend := "go"
			if tc.config == "" && len(xlaPlugins()) > 0 {
				// Where a plugin is installed (the docker image with XLA), the default is XLA.
				wantBackend, tc.want = "xla", "PJRT plugin"
			}
			if tc.config == "xla:nosuchplugin" && len(xlaPlugins()) > 0 {
				tc.want = "are installed" // names the installed ones instead
			}
			if strings.HasPrefix(tc.config, "xla") && !xlaCompiledIn() {
				tc.want = "noxla"
			}
			b, line, err := NewBackend(tc.config)
			if tc.ok {
				if err != nil {
					t.Fatalf("%s\nNewBackend(%q) error: %v", tc.reason, tc.config, err)
				}
				if b.String() != wantBackend || !strings.Contains(line, tc.want) {
					t.Errorf("%s\nNewBackend(%q) = %s, %q; want the %s backend and a line with %q", tc.reason, tc.config, b, line, wantBackend, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "lesson: ") {
				t.Errorf("%s\nNewBackend(%q) error = %v, want one with %q", tc.reason, tc.config, err, tc.want)
			}
		})
	}
}

// TestTrainTwoWorkers trains a few steps on the go backend with two
// workers, fewer than the training step's parallel matrix products, which
// then all wait for workers at once. Upstream GoMLX v0.28 deadlocked here
// (its worker pool's Saturate waited for a free worker that never came:
// this test failed after 2 minutes); third_party/compute runs the work in
// the waiting caller instead.
func TestTrainTwoWorkers(t *testing.T) {
	b, line, err := NewBackend("go:parallelism=2")
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(b, CNN, Settings{Epochs: 1, BatchSize: 32})
	if err != nil {
		t.Fatal(err)
	}
	d := syntheticData(96, 7)
	done := make(chan error, 1)
	go func() {
		_, err := m.Train(t.Context(), d, d, Callbacks{})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: training failed: %v", line, err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s: 3 training steps did not finish in 2 minutes: the go backend's worker pool deadlocked", line)
	}
}
