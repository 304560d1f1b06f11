//go:build !noxla

package lesson

import "github.com/gomlx/go-xla/compute/xla"

// disableAutoInstall stops go-xla from downloading PJRT plugins: on a
// silent network its download waits forever.
func disableAutoInstall() { xla.EnableAutoInstall(false) }

func xlaCompiledIn() bool { return true }

// xlaPlugins lists the PJRT plugins already installed, best first.
func xlaPlugins() []string { return xla.GetAvailablePlugins() }
