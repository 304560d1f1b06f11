package viz

import (
	"fmt"
	"html"
	"image"
	"strings"

	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

// Gallery returns an HTML gallery of the images of d in a wrapping row, each
// captioned with the caption of the same index, or with its class name when
// captions is nil (in the notebook's language: see [Check]). Pick the images
// first with [fashion.Data.Head] or [fashion.Data.Select]; show the gallery
// with [ShowHTML].
func Gallery(d *fashion.Data, captions []string) (string, error) {
	if d == nil || d.Len() == 0 {
		return "", fmt.Errorf("viz: Gallery: no images; pass e.g. test.Head(10)")
	}
	if captions == nil {
		names := wordsIn(lang()).classNames
		for i := range d.Len() {
			captions = append(captions, names[d.Label(i)])
		}
	}
	images := make([]image.Image, d.Len())
	for i := range images {
		images[i] = d.Image(i)
	}
	return imagesHTML(captions, images)
}

// MisclassifiedGallery returns an HTML gallery of up to n images of d whose
// predicted class (one class index per image of d, as the model's Classify
// returns them) is wrong, in the order of d, each captioned
// "true → predicted" with the class names in the notebook's language (see
// [Check]). With no mistakes it returns a one-line paragraph.
func MisclassifiedGallery(d *fashion.Data, predicted []int, n int) (string, error) {
	if len(predicted) != lenOf(d) {
		return "", fmt.Errorf("viz: MisclassifiedGallery: %d predictions for %d images; pass m.Classify(d)", len(predicted), lenOf(d))
	}
	w := wordsIn(lang())
	names := w.classNames
	var idx []int
	var captions []string
	for i, p := range predicted {
		if len(idx) == n {
			break
		}
		if p != d.Label(i) && p >= 0 && p < fashion.NumClasses {
			idx = append(idx, i)
			captions = append(captions, names[d.Label(i)]+" → "+names[p])
		}
	}
	if len(idx) == 0 {
		return "<p>" + html.EscapeString(w.noMistakes) + "</p>", nil
	}
	return Gallery(d.Select(idx), captions)
}

// Confusion counts, for every true class (row) and predicted class (column),
// the images of a data set: Confusion[3][6] is the number of dresses taken
// for shirts. The diagonal holds the right answers.
type Confusion [fashion.NumClasses][fashion.NumClasses]int

// NewConfusion builds the confusion matrix of the predictions: one class
// index (0 to 9) per image of d, as the model's Classify returns them.
func NewConfusion(d *fashion.Data, predicted []int) (Confusion, error) {
	var c Confusion
	if len(predicted) != lenOf(d) {
		return c, fmt.Errorf("viz: NewConfusion: %d predictions for %d images; pass m.Classify(d)", len(predicted), lenOf(d))
	}
	for i, p := range predicted {
		if p < 0 || p >= fashion.NumClasses {
			return c, fmt.Errorf("viz: NewConfusion: prediction %d of image %d is not a class 0..9", p, i)
		}
		c[d.Label(i)][p]++
	}
	return c, nil
}

// HTML renders the matrix as an HTML table, rows the true classes and
// columns the predicted ones, each cell shaded by its share of its row (blue
// on the diagonal, red elsewhere). Class names and the header are in the
// notebook's language (see [Check]). Show it with [ShowHTML].
func (c Confusion) HTML() string {
	w := wordsIn(lang())
	names := w.classNames
	var b strings.Builder
	fmt.Fprintf(&b, "<table style=\"font-size:small\">\n<tr><th>%s</th>", html.EscapeString(w.corner))
	for _, n := range names {
		fmt.Fprintf(&b, "<th>%s</th>", html.EscapeString(n))
	}
	b.WriteString("</tr>\n")
	for r, row := range c {
		total := 0
		for _, v := range row {
			total += v
		}
		fmt.Fprintf(&b, "<tr><th style=\"text-align:left\">%s</th>", html.EscapeString(names[r]))
		for col, v := range row {
			share := 0.0
			if total > 0 {
				share = float64(v) / float64(total)
			}
			hue := 210 // blue on the diagonal, red elsewhere
			if col != r {
				hue = 0
			}
			fmt.Fprintf(&b, "<td style=\"text-align:right;background:hsla(%d,70%%,50%%,%.2f)\">%d</td>", hue, share, v)
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n")
	return b.String()
}

// Accuracy returns the share of images on the diagonal, in [0, 1]; 0 for
// an empty matrix.
func (c Confusion) Accuracy() float64 {
	right, total := 0, 0
	for r, row := range c {
		for col, v := range row {
			total += v
			if r == col {
				right += v
			}
		}
	}
	if total == 0 {
		return 0
	}
	return float64(right) / float64(total)
}
