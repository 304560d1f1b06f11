package lesson

import (
	"fmt"
	"html"
	"strings"
)

// HTML renders the table as an HTML <table> for notebooks: the Keras columns
// (layer, output shape, parameters) plus the arithmetic of each row, and the
// totals below.
func (t Table) HTML() string {
	var b strings.Builder
	b.WriteString("<table>\n")
	fmt.Fprintf(&b, "<caption style=\"text-align:left\"><b>%s</b></caption>\n", html.EscapeString(t.Title))
	for i, r := range t.rows() {
		cell, align := "td", []string{"left", "left", "right", "left"}
		if i == 0 {
			cell = "th"
		}
		b.WriteString("<tr>")
		for j, c := range r {
			text := html.EscapeString(c)
			if j == 3 {
				text = "<code>" + text + "</code>"
			}
			fmt.Fprintf(&b, "<%s style=\"text-align:%s\">%s</%s>", cell, align[j], text, cell)
		}
		b.WriteString("</tr>\n")
	}
	fmt.Fprintf(&b, "<tr><th style=\"text-align:left\" colspan=\"2\">Total params</th><th style=\"text-align:right\">%s</th><td>all trainable; non-trainable: 0</td></tr>\n", commas(t.Total))
	b.WriteString("</table>\n")
	return b.String()
}
