// Command xlainstall installs a pinned XLA PJRT plugin for GoMLX into a
// system directory while the lab image is built.
//
// It calls the installer package of the go-xla module that the project pins
// (github.com/gomlx/go-xla v0.3.0), whose own command-line installer is not
// published as a module. The CPU plugin comes from GitHub, the CUDA plugin
// and NVIDIA libraries from PyPI (JAX's wheels); both need internet, which is
// why the Dockerfile runs this only when INSTALL_XLA is true.
//
// Usage:
//
//	xlainstall -plugin cpu -version v0.104.0 -path /usr/local/lib/go-xla
//	xlainstall -plugin cuda13 -version 0.10.2 -path /usr/local/lib/go-xla
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"

	"github.com/gomlx/go-xla/installer"
)

func main() {
	plugin := flag.String("plugin", "cpu", `plugin to install: "cpu", "cuda13" or "cuda12"`)
	version := flag.String("version", "", `exact version: a pjrt-cpu-binaries release such as "v0.104.0" for cpu, a JAX version such as "0.10.2" for cuda; "latest" is refused`)
	path := flag.String("path", "/usr/local/lib/go-xla", "directory to install into; GoMLX searches /usr/local/lib/go-xla by default")
	flag.Parse()
	if err := run(*plugin, *version, *path); err != nil {
		fmt.Fprintf(os.Stderr, "xlainstall: %v\n", err)
		os.Exit(1)
	}
}

func run(plugin, version, path string) error {
	if version == "" || version == "latest" {
		return fmt.Errorf("-version %q: a pinned version is required (the image must be reproducible)", version)
	}
	switch plugin {
	case "cpu":
		platform := runtime.GOOS + "_" + runtime.GOARCH
		return installer.CPUInstall(platform, version, path, false, installer.Verbose)
	case "cuda12", "cuda13":
		return installer.CudaInstall(plugin, version, path, false, installer.Verbose)
	default:
		return fmt.Errorf("-plugin %q: want cpu, cuda12 or cuda13", plugin)
	}
}
