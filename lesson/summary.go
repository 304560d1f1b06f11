package lesson

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Table is the model's summary, as Keras's model.summary() prints it, with
// one more column that shows the arithmetic behind each row.
type Table struct {
	Title  string  // "Model: \"sequential\""
	Layers []Layer // one row per layer
	// Total is the number of parameters, all trainable: 243,786 for the
	// lesson's model.
	Total int
}

// Summary returns the summary table of the network cfg describes. It needs
// no backend: shapes and counts follow from the configuration, and the tests
// check them against the variables a built model really has.
func Summary(cfg Config) Table {
	t := Table{Title: `Model: "sequential"`, Layers: cfg.Layers()}
	for _, l := range t.Layers {
		t.Total += l.Params
	}
	return t
}

// shapeString formats an output shape with the batch axis, as Keras does:
// "(None, 26, 26, 64)".
func shapeString(dims []int) string {
	parts := []string{"None"}
	for _, d := range dims {
		parts = append(parts, fmt.Sprint(d))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// rows returns the table's cells, header first.
func (t Table) rows() [][]string {
	rows := [][]string{{"Layer (type)", "Output Shape", "Param #", "How it is computed"}}
	for _, l := range t.Layers {
		rows = append(rows, []string{fmt.Sprintf("%s (%s)", l.Name, l.Type), shapeString(l.Output), commas(l.Params), l.Arithmetic})
	}
	return rows
}

// String renders the table as text for a terminal, in Keras's layout:
//
//	Model: "sequential"
//	_________________________________________________________________
//	 Layer (type)                Output Shape              Param #   How it is computed
//	=================================================================
//	 conv2d (Conv2D)             (None, 26, 26, 64)        640       (3·3·1+1)·64 = 640; 28−3+1 = 26
//	…
//	Total params: 243,786
func (t Table) String() string {
	rows := t.rows()
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	line := func(r []string) string {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(" ")
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		return strings.TrimRight(b.String(), " ") + "\n"
	}
	total := len(rows[0]) - 1
	for _, w := range widths {
		total += w + 3
	}
	var b strings.Builder
	b.WriteString(t.Title + "\n")
	b.WriteString(strings.Repeat("_", total) + "\n")
	b.WriteString(line(rows[0]))
	b.WriteString(strings.Repeat("=", total) + "\n")
	for i, r := range rows[1:] {
		b.WriteString(line(r))
		if i < len(rows)-2 {
			b.WriteString("\n")
		}
	}
	b.WriteString(strings.Repeat("=", total) + "\n")
	fmt.Fprintf(&b, "Total params: %s\nTrainable params: %s\nNon-trainable params: 0\n", commas(t.Total), commas(t.Total))
	b.WriteString(strings.Repeat("_", total) + "\n")
	return b.String()
}
