//go:build noxla

package lesson

func xlaCompiledIn() bool { return false }

func xlaPlugins() []string { return nil }

func disableAutoInstall() {}
