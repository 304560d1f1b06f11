//go:build !noxla

package lesson

import "github.com/gomlx/go-xla/compute/xla"

func init() {
	// Never download plugins: GoMLX's auto-install hangs on a silent network.
	xla.EnableAutoInstall(false)
}

func xlaCompiledIn() bool { return true }

// xlaPlugins lists the PJRT plugins already installed, best first.
func xlaPlugins() []string { return xla.GetAvailablePlugins() }
