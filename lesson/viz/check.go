package viz

import "fmt"

// Check prints whether an exercise's result is right, one line on standard
// output (the cell's output in a notebook): "✓ what" when ok, otherwise
// "✗ not yet: what — hint". The marks are plain text symbols, not emoji, so
// they show in any font. Notebooks end each exercise with it.
func Check(ok bool, what, hint string) {
	if ok {
		fmt.Println("✓", what)
		return
	}
	fmt.Printf("✗ not yet: %s — %s\n", what, hint)
}
