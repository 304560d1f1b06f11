package lesson

import (
	"strings"
	"testing"
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
		{"go:parallelism=2", "this option deadlocks GoMLX v0.28: refuse it instead of hanging", "deadlocks", false},
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
			b, line, err := newBackend(tc.config)
			if tc.ok {
				if err != nil {
					t.Fatalf("%s\nnewBackend(%q) error: %v", tc.reason, tc.config, err)
				}
				if b.String() != wantBackend || !strings.Contains(line, tc.want) {
					t.Errorf("%s\nnewBackend(%q) = %s, %q; want the %s backend and a line with %q", tc.reason, tc.config, b, line, wantBackend, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "lesson: ") {
				t.Errorf("%s\nnewBackend(%q) error = %v, want one with %q", tc.reason, tc.config, err, tc.want)
			}
		})
	}
}
