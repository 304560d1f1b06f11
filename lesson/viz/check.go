package viz

import "fmt"

// Check prints whether an exercise's result is right, one line on standard
// output (the cell's output in a notebook): "✓ what" when ok, otherwise
// "✗ not yet: what — hint" ("✗ 还没有：what — hint" when LESSON_LANG is
// "zh", as in the Chinese notebooks; what and hint are printed as given).
// The marks are plain text symbols, not emoji, so they show in any font.
// Notebooks end each exercise with it.
func Check(ok bool, what, hint string) {
	if ok {
		fmt.Println("✓", what)
		return
	}
	fmt.Printf("%s%s — %s\n", wordsIn(lang()).notYet, what, hint)
}
