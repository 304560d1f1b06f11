// Package computepatches lists the patch series in this directory, which
// scripts/compute.sh applies to the github.com/gomlx/compute version that
// go.mod pins (see PATCHES.md), so that a program built on the patched
// module can say how many patches it carries.
package computepatches

import (
	"embed"
	"io/fs"
)

//go:embed *.patch
var series embed.FS

// Names returns the file names of the series' patches, in the order they
// apply ("0001-….patch", …).
func Names() []string {
	names, err := fs.Glob(series, "*.patch")
	if err != nil {
		panic(err) // the pattern is constant and valid
	}
	return names
}
