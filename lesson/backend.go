package lesson

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
)

// BackendEnv is the environment variable that chooses the GoMLX backend,
// as in GoMLX itself: "go" (the pure-Go backend, always available),
// "xla:cpu", "xla:cuda" or "xla:/absolute/path/to/pjrt_plugin.so".
const BackendEnv = compute.ConfigEnvVar

// NewBackend returns the GoMLX backend that config names, and one line that
// says which one and why, for the user to read. config takes the values of
// $GOMLX_BACKEND ([BackendEnv]), which the notebook's opener and the
// terminal command pass: "go" (the pure-Go backend), "go:parallelism=N",
// "xla:cpu", "xla:cuda" or "xla:/absolute/path/to/pjrt_plugin.so".
//
// An empty config chooses XLA when a PJRT plugin is already installed on
// this machine (and XLA support was compiled in, see below), otherwise the
// pure-Go backend. It never downloads a PJRT plugin: GoMLX's auto-install
// is turned off, since on a network that accepts connections but never
// answers it waits forever.
//
// XLA support is compiled in unless the build tag noxla is set, as in GoMLX.
// The notebook's pure-Go kernel sets it, which makes each cell build about
// three times faster.
func NewBackend(config string) (compute.Backend, string, error) {
	disableAutoInstall()
	config = strings.TrimSpace(config)
	if config == "" {
		if plugins := xlaPlugins(); len(plugins) > 0 {
			config = "xla:" + plugins[0]
			b, err := newBackendWithConfig(config)
			if err == nil {
				return b, fmt.Sprintf("backend: %s (XLA, PJRT plugin %q found; set %s=go for the pure-Go backend)", b.Description(), plugins[0], BackendEnv), nil
			}
			// An installed but broken plugin: say so and fall back.
			b, line, gerr := NewBackend("go")
			if gerr != nil {
				return nil, "", gerr
			}
			return b, fmt.Sprintf("%s; XLA plugin %q failed: %v", line, plugins[0], err), nil
		}
		config = "go"
		b, err := newBackendWithConfig(config)
		if err != nil {
			return nil, "", err
		}
		return b, fmt.Sprintf("backend: %s (pure Go; no XLA PJRT plugin installed; set %s to choose)%s%s", b.Description(), BackendEnv, simdNote(b), computeNote()), nil
	}
	b, err := newBackendWithConfig(config)
	if err != nil {
		return nil, "", err
	}
	line := fmt.Sprintf("backend: %s (from %s=%q)%s", b.Description(), BackendEnv, config, simdNote(b))
	if b.String() == gobackend.BackendName {
		line += computeNote()
	}
	return b, line, nil
}

// simdNote warns when the go backend runs without its SIMD matrix multiply.
func simdNote(b compute.Backend) string {
	if simdBuild || b.String() != gobackend.BackendName {
		return ""
	}
	return "; built without GOEXPERIMENT=simd, so about 2× slower: rebuild with GOEXPERIMENT=simd"
}

// newBackendWithConfig creates the backend for one GOMLX_BACKEND value,
// refusing the settings known to hang and turning a missing XLA into an
// actionable error.
func newBackendWithConfig(config string) (compute.Backend, error) {
	name, options, _ := strings.Cut(config, ":")
	switch name {
	case "go":
		// Options such as parallelism=N are the go backend's own; on
		// upstream compute, ops run one at a time (see goBackendOptions).
		options, err := goBackendOptions(options)
		if err != nil {
			return nil, fmt.Errorf("lesson: %s=%q: %w", BackendEnv, config, err)
		}
		b, err := gobackend.New(options)
		if err != nil {
			return nil, fmt.Errorf("lesson: creating the go backend from %s=%q: %w", BackendEnv, config, err)
		}
		return b, nil
	case "xla", "stablehlo", "shlo", "hlo", "pjrt":
		if !xlaCompiledIn() {
			return nil, fmt.Errorf("lesson: %s=%q asks for XLA, but this program was built with the noxla tag; rebuild without -tags=noxla (or pick the notebook's XLA kernel), or set %s=go", BackendEnv, config, BackendEnv)
		}
		if err := checkXLAPlugin(options); err != nil {
			return nil, err
		}
		b, err := compute.NewWithConfig(config)
		if err != nil {
			return nil, fmt.Errorf("lesson: creating the XLA backend from %s=%q: %w", BackendEnv, config, err)
		}
		return b, nil
	default:
		known := slices.Sorted(slices.Values(compute.List()))
		return nil, fmt.Errorf("lesson: %s=%q: unknown backend %q; use one of %q (e.g. %s=go)", BackendEnv, config, name, known, BackendEnv)
	}
}

// checkXLAPlugin verifies that the plugin named in an "xla:…" config is
// present before GoMLX is asked for it, so GoMLX never tries to download it.
func checkXLAPlugin(options string) error {
	plugin, _, _ := strings.Cut(options, ",")
	if strings.HasPrefix(plugin, "/") {
		if _, err := os.Stat(plugin); err != nil {
			return fmt.Errorf("lesson: %s: PJRT plugin %s: %w; give the absolute path of an existing .so (e.g. JAX's jax_plugins/xla_cuda13/xla_cuda_plugin.so)", BackendEnv, plugin, errors.Unwrap(err))
		}
		return nil
	}
	plugins := xlaPlugins()
	if len(plugins) == 0 {
		return fmt.Errorf("lesson: %s asks for XLA, but no PJRT plugin is installed and the lesson never downloads one; install it with GoMLX's installer where GitHub is reachable, give an absolute plugin path (%s=xla:/path/to/plugin.so), or set %s=go", BackendEnv, BackendEnv, BackendEnv)
	}
	if plugin == "" {
		return nil
	}
	for _, p := range plugins {
		if p == plugin || strings.HasPrefix(p, plugin+"_") || strings.HasPrefix(p, plugin+"-") {
			return nil
		}
	}
	return fmt.Errorf("lesson: %s asks for PJRT plugin %q, but only %q are installed; pick one of those or set %s=go", BackendEnv, plugin, plugins, BackendEnv)
}
