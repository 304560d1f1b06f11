package lesson

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	computepatches "github.com/gonb-lessons/convolutions/third_party/compute"
)

// computeModule is the module of GoMLX's backends, the go backend among them.
const computeModule = "github.com/gomlx/compute"

// ComputeStatus returns one line that says which github.com/gomlx/compute
// this program was built with: the project's patched one (scripts/compute.sh
// builds it in .build/compute and a generated go.work uses it), or upstream,
// with the command that brings the patched one. Upstream gives the same
// results, only slower: its worker pool can deadlock when several matrix
// products run at once, so the go backend then runs the graph's ops one at
// a time (see [NewBackend]).
func ComputeStatus() string {
	_, line := computeBuild()
	return line
}

// computeBuild tells from the build information whether the go backend is
// the patched one: a module that a go.work uses is listed with version
// "(devel)", one from the module proxy with its version.
func computeBuild() (patched bool, line string) {
	const fix = "for the patched go backend run scripts/compute.sh (make setup) and rebuild"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false, "compute: unknown (no build information in this binary), treated as upstream: ops run one at a time; " + fix
	}
	for _, d := range info.Deps {
		if d.Path != computeModule {
			continue
		}
		switch {
		case d.Replace != nil:
			return false, fmt.Sprintf("compute: %s replaced by %s %s, not this project's patch series, treated as upstream: ops run one at a time; %s",
				computeModule, d.Replace.Path, d.Replace.Version, fix)
		case d.Version == "(devel)":
			return true, fmt.Sprintf("compute: patched (%d patches of third_party/compute on the pinned %s, through go.work)",
				len(computepatches.Names()), computeModule)
		default:
			return false, fmt.Sprintf("compute: upstream %s %s, unpatched: slower, ops run one at a time; %s", computeModule, d.Version, fix)
		}
	}
	if len(info.Deps) == 0 && testing.Testing() && testBinaryPatched() {
		// go test binaries carry no module list: the go.work go test used tells.
		return true, fmt.Sprintf("compute: patched (%d patches of third_party/compute, through go.work; go test)", len(computepatches.Names()))
	}
	return false, fmt.Sprintf("compute: %s not found in the build information, treated as upstream: ops run one at a time; %s", computeModule, fix)
}

// computeNote is the compute line appended to the go backend's line.
func computeNote() string {
	return "; " + ComputeStatus()
}

// goBackendOptions returns the go backend's options to use for the
// options given in GOMLX_BACKEND=go:options. On upstream compute it adds
// ops_sequential: upstream's worker pool deadlocks when every worker is
// inside a parallel matrix product waiting for a free worker (e.g. with
// parallelism=2, or the lesson's eight independent products per conv block
// at the default parallelism on 2 cores); run one op at a time, each
// product still uses all workers and cannot wait on itself. Asking upstream
// for ops_parallel is refused, as it would hang.
func goBackendOptions(options string) (string, error) {
	if patched, _ := computeBuild(); patched {
		return options, nil
	}
	for opt := range strings.SplitSeq(options, ",") {
		if strings.TrimSpace(opt) == "ops_parallel" {
			return "", fmt.Errorf("ops_parallel hangs on upstream %s (its worker pool deadlocks on parallel matrix products); drop ops_parallel, or run scripts/compute.sh (make setup) for the patched go backend and rebuild", computeModule)
		}
	}
	if options == "" {
		return "ops_sequential", nil
	}
	return "ops_sequential," + options, nil
}

// testBinaryPatched reports whether go test, run in a package's directory,
// used the project's generated go.work with the patched compute: $GOWORK,
// or the go.work the go command finds in the directory or above it.
func testBinaryPatched() bool {
	work := os.Getenv("GOWORK")
	switch work {
	case "off":
		return false
	case "":
		dir, err := os.Getwd()
		if err != nil {
			return false
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
				work = filepath.Join(dir, "go.work")
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				return false
			}
			dir = parent
		}
	}
	b, err := os.ReadFile(work)
	return err == nil && bytes.Contains(b, []byte("./.build/compute"))
}
