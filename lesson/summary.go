package lesson

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Layer is one row of a model's summary, as Keras's model.summary() prints
// it, with the arithmetic behind it.
type Layer struct {
	Name   string // Keras's name: "conv2d", "max_pooling2d", "conv2d_1", …
	Type   string // "Conv2D", "MaxPooling2D", "Flatten" or "Dense"
	Output []int  // output shape without the batch axis, e.g. [26 26 64]
	Params int    // parameters of the weights the layer created
	// Arithmetic explains Params and Output, e.g.
	// "(3·3·1+1)·64 = 640; 28−3+1 = 26".
	Arithmetic string

	spec       string                  // the layer's kind and settings, for the fingerprint
	arithmetic func(params int) string // makes Arithmetic once Params is known
}

// Table is a model's summary, as Keras's model.summary() prints it, with one
// more column that shows the arithmetic behind each row.
type Table struct {
	Title  string  // `Model: "sequential"`, as Keras names a Sequential model
	Layers []Layer // one row per layer
	// Total is the number of parameters, all trainable: 243,786 for the
	// lesson's model.
	Total int
}

// Summary returns the model's summary table: each layer's output shape
// and parameters, recorded while the network was built, and the arithmetic
// that gives them.
func (m *Model) Summary() Table {
	t := Table{Title: `Model: "sequential"`}
	for _, l := range m.layers {
		l.Arithmetic = l.arithmetic(l.Params)
		l.Output = append([]int(nil), l.Output...)
		t.Layers = append(t.Layers, l)
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

// Cells returns the table's text as Keras prints it: the header, one row
// per layer ("conv2d (Conv2D)", "(None, 26, 26, 64)", "640", and the
// arithmetic) and the total, "243,786". [Table.String] lays them out for
// a terminal; viz.SummaryHTML for a notebook.
func (t Table) Cells() (header []string, rows [][]string, total string) {
	header = []string{"Layer (type)", "Output Shape", "Param #", "How it is computed"}
	for _, l := range t.Layers {
		rows = append(rows, []string{fmt.Sprintf("%s (%s)", l.Name, l.Type), shapeString(l.Output), commas(l.Params), l.Arithmetic})
	}
	return header, rows, commas(t.Total)
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
	header, body, params := t.Cells()
	rows := append([][]string{header}, body...)
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
	fmt.Fprintf(&b, "Total params: %s\nTrainable params: %s\nNon-trainable params: 0\n", params, params)
	b.WriteString(strings.Repeat("_", total) + "\n")
	return b.String()
}
