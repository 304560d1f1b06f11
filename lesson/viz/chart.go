package viz

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gonb-lessons/convolutions/lesson"
	"github.com/janpfeifer/gonb/gonbui"
)

// LiveChart is a training chart in the notebook cell that created it: two
// panels, the loss and the accuracy per epoch, each for the training set
// (solid, blue) and the test set (dashed, orange), drawn as inline SVG, so
// it needs no JavaScript, stays in the saved notebook and renders offline.
// Outside a notebook it draws nothing.
type LiveChart struct {
	id string // the cell output it redraws; "" outside a notebook
}

// NewLiveChart shows an empty chart ("waiting for the first epoch…") in the
// running notebook cell and returns it, to be redrawn with [LiveChart.Draw].
// Outside a notebook it shows nothing.
func NewLiveChart() *LiveChart {
	c := &LiveChart{}
	if inNotebook() {
		c.id = "viz_chart_" + gonbui.UniqueId()
		c.Draw(lesson.History{})
	}
	return c
}

// Draw redraws the chart in place with h, the whole history so far: call it
// after every epoch, or once with the history of a model loaded from a
// checkpoint. The last drawing stays in the saved notebook. Epochs without a
// test measurement (NaN) are left out of the test lines. Outside a notebook
// it does nothing.
func (c *LiveChart) Draw(h lesson.History) {
	if c == nil || c.id == "" {
		return
	}
	gonbui.UpdateHTML(c.id, "<div>"+chartSVG(h)+"</div>")
	gonbui.Sync()
}

// chartSVG draws the training history as an SVG image of 720×260 pixels with
// the two panels of [LiveChart]; the y axes have ticks at round values.
func chartSVG(h lesson.History) string {
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="720" height="260" viewBox="0 0 720 260" font-family="sans-serif" font-size="11">` + "\n")
	b.WriteString(`<rect width="720" height="260" fill="white"/>` + "\n")
	loss := func(e lesson.EpochStats) (float64, float64) { return e.Loss, e.TestLoss }
	acc := func(e lesson.EpochStats) (float64, float64) { return e.Accuracy, e.TestAccuracy }
	w := wordsIn(lang())
	_, hi := valueRange(h, loss)
	chartPanel(&b, h, 0, w, w.loss, loss, newAxis(0, hi))
	lo, _ := valueRange(h, acc)
	chartPanel(&b, h, 360, w, w.accuracy, acc, newAxis(math.Min(0.9, math.Floor(lo*10)/10), 1))
	b.WriteString("</svg>\n")
	return b.String()
}

// valueRange returns the smallest and largest finite values of h.
func valueRange(h lesson.History, get func(lesson.EpochStats) (float64, float64)) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, e := range h.Epochs {
		a, b := get(e)
		for _, v := range []float64{a, b} {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 1) {
		return 0, 1
	}
	return lo, hi
}

// axis is a y axis from min to max with a tick every step, all three round
// numbers: step is 1, 2, 2.5 or 5 × 10^k and min and max are multiples of it.
type axis struct {
	min, max, step float64
	decimals       int // digits after the point in tick labels
}

// newAxis returns an axis of about four steps that covers [lo, hi]
// (widened to 0.1 when hi ≤ lo).
func newAxis(lo, hi float64) axis {
	if hi <= lo {
		hi = lo + 0.1
	}
	raw := (hi - lo) / 4
	exp := int(math.Floor(math.Log10(raw)))
	unit := math.Pow(10, float64(exp))
	var step float64
	var decimals int
	for _, m := range []struct {
		mantissa float64
		digits   int // digits the mantissa adds after the point: 2.5 one, 10 minus one
	}{{1, 0}, {2, 0}, {2.5, 1}, {5, 0}, {10, -1}} {
		step, decimals = m.mantissa*unit, max(0, m.digits-exp)
		if step >= raw*(1-1e-9) {
			break
		}
	}
	return axis{
		min:      math.Floor(lo/step+1e-9) * step,
		max:      math.Ceil(hi/step-1e-9) * step,
		step:     step,
		decimals: decimals,
	}
}

// ticks returns the tick values and their labels, bottom to top.
func (a axis) ticks() ([]float64, []string) {
	var values []float64
	var labels []string
	first := math.Round(a.min / a.step)
	for k := first; k*a.step <= a.max+a.step*1e-9; k++ {
		v := k * a.step
		values = append(values, v)
		labels = append(labels, strconv.FormatFloat(v, 'f', a.decimals, 64))
	}
	return values, labels
}

// chartPanel draws one 360-pixel-wide panel at x offset left, with the
// axis and legend words of w.
func chartPanel(b *strings.Builder, h lesson.History, left float64, w words, title string, get func(lesson.EpochStats) (float64, float64), y axis) {
	ymin, ymax := y.min, y.max
	const top, bottom, padL, padR = 24.0, 225.0, 48.0, 12.0
	x0, x1 := left+padL, left+360-padR
	n := max(len(h.Epochs), 1)
	first := 1
	if len(h.Epochs) > 0 {
		first = h.Epochs[0].Epoch
	}
	xAt := func(epoch int) float64 {
		if n == 1 {
			return (x0 + x1) / 2
		}
		return x0 + (x1-x0)*float64(epoch-first)/float64(n-1)
	}
	yAt := func(v float64) float64 { return bottom - (bottom-top)*(v-ymin)/(ymax-ymin) }
	fmt.Fprintf(b, `<text x="%.0f" y="14" text-anchor="middle" font-size="13">%s</text>`+"\n", (x0+x1)/2, title)
	fmt.Fprintf(b, `<path d="M%.1f %.1fV%.1fH%.1f" fill="none" stroke="#444"/>`+"\n", x0, top, bottom, x1)
	values, labels := y.ticks()
	for i, v := range values {
		ty := yAt(v)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/><text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", x0, ty, x1, ty, x0-4, ty+4, labels[i])
	}
	for _, e := range h.Epochs {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%d</text>`+"\n", xAt(e.Epoch), bottom+14, e.Epoch)
	}
	fmt.Fprintf(b, `<text x="%.1f" y="254" text-anchor="middle">%s</text>`+"\n", (x0+x1)/2, w.epoch)
	if len(h.Epochs) == 0 {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#888">%s</text>`+"\n", (x0+x1)/2, (top+bottom)/2, w.waiting)
	}
	series := []struct {
		name, color, dash string
		pick              func(a, b float64) float64
	}{
		{w.train, "#1f77b4", "", func(a, _ float64) float64 { return a }},
		{w.test, "#ff7f0e", ` stroke-dasharray="6 3"`, func(_, b float64) float64 { return b }},
	}
	for i, s := range series {
		var pts []string
		for _, e := range h.Epochs {
			v := s.pick(get(e))
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			x, y := xAt(e.Epoch), yAt(v)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
			fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s %s, %s %d: %.4f</title></circle>`+"\n", x, y, s.color, s.name, title, w.epoch, e.Epoch, v)
		}
		if len(pts) > 1 {
			fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.Join(pts, " "), s.color, s.dash)
		}
		ly := top + 8 + 14*float64(i)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/><text x="%.1f" y="%.1f">%s</text>`+"\n", x1-70, ly, x1-50, ly, s.color, s.dash, x1-46, ly+4, s.name)
	}
}
