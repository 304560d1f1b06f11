package viz

import (
	"fmt"
	"html"
	"strings"

	"github.com/gonb-lessons/convolutions/lesson"
)

// SummaryHTML renders a model's summary table (from the model, see package
// lesson) as an HTML <table>: the Keras columns (layer, output shape with
// the batch axis as None, parameters) plus the arithmetic of each row, and
// the total below. The header and the total's words are in the notebook's
// language (see [Check]); names and formulas are as the table has them.
// Everything is HTML-escaped.
func SummaryHTML(t lesson.Table) string {
	w := wordsIn(lang())
	header, rows, total := t.Cells()
	if w.summaryHeader != nil {
		header = w.summaryHeader
	}
	var b strings.Builder
	b.WriteString("<table>\n")
	fmt.Fprintf(&b, "<caption style=\"text-align:left\"><b>%s</b></caption>\n", html.EscapeString(t.Title))
	fmt.Fprintf(&b, `<tr><th style="text-align:left">%s</th><th style="text-align:left">%s</th><th style="text-align:right">%s</th><th style="text-align:left">%s</th></tr>`+"\n",
		html.EscapeString(header[0]), html.EscapeString(header[1]), html.EscapeString(header[2]), html.EscapeString(header[3]))
	for _, r := range rows {
		fmt.Fprintf(&b, `<tr><td style="text-align:left">%s</td><td style="text-align:left">%s</td><td style="text-align:right">%s</td><td style="text-align:left"><code>%s</code></td></tr>`+"\n",
			html.EscapeString(r[0]), html.EscapeString(r[1]), html.EscapeString(r[2]), html.EscapeString(r[3]))
	}
	fmt.Fprintf(&b, "<tr><th style=\"text-align:left\" colspan=\"2\">%s</th><th style=\"text-align:right\">%s</th><td>%s</td></tr>\n",
		html.EscapeString(w.totalParams), total, html.EscapeString(w.allTrainable))
	b.WriteString("</table>\n")
	return b.String()
}

// ShowSummary displays [SummaryHTML] of t. It does nothing outside a
// notebook.
func ShowSummary(t lesson.Table) {
	ShowHTML(SummaryHTML(t))
}
