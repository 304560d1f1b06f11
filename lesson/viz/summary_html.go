package viz

import (
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/gonb-lessons/convolutions/lesson"
)

// SummaryHTML renders a model's summary table (from the model, see package
// lesson) as an HTML <table>: the Keras columns (layer, output shape with
// the batch axis as None, parameters) plus the arithmetic of each row, and
// the total below. Names and formulas are HTML-escaped.
func SummaryHTML(t lesson.Table) string {
	var b strings.Builder
	b.WriteString("<table>\n")
	fmt.Fprintf(&b, "<caption style=\"text-align:left\"><b>%s</b></caption>\n", html.EscapeString(t.Title))
	b.WriteString(`<tr><th style="text-align:left">Layer (type)</th><th style="text-align:left">Output Shape</th><th style="text-align:right">Param #</th><th style="text-align:left">How it is computed</th></tr>` + "\n")
	for _, l := range t.Layers {
		fmt.Fprintf(&b, `<tr><td style="text-align:left">%s</td><td style="text-align:left">%s</td><td style="text-align:right">%s</td><td style="text-align:left"><code>%s</code></td></tr>`+"\n",
			html.EscapeString(l.Name+" ("+l.Type+")"), shapeString(l.Output), commas(l.Params), html.EscapeString(l.Arithmetic))
	}
	fmt.Fprintf(&b, "<tr><th style=\"text-align:left\" colspan=\"2\">Total params</th><th style=\"text-align:right\">%s</th><td>all trainable; non-trainable: 0</td></tr>\n", commas(t.Total))
	b.WriteString("</table>\n")
	return b.String()
}

// ShowSummary displays [SummaryHTML] of t. It does nothing outside a
// notebook.
func ShowSummary(t lesson.Table) {
	ShowHTML(SummaryHTML(t))
}

// shapeString formats an output shape with the batch axis, as Keras does:
// "(None, 26, 26, 64)".
func shapeString(dims []int) string {
	parts := []string{"None"}
	for _, d := range dims {
		parts = append(parts, strconv.Itoa(d))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// commas formats n with thousands separators, as Keras does: 243,786.
func commas(n int) string {
	if n < 0 {
		return "-" + commas(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
