package lesson

import (
	"fmt"
	"math"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
)

// ChartSVG draws the training history as an SVG image of 720×260 pixels with
// two panels: the loss and the accuracy per epoch, each for the training set
// (solid, blue) and the test set (dashed, orange). Epochs without a test
// measurement (NaN) are left out of the test lines. It needs no JavaScript,
// so the chart survives saving the notebook and renders offline.
func ChartSVG(h History) string {
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="720" height="260" viewBox="0 0 720 260" font-family="sans-serif" font-size="11">` + "\n")
	b.WriteString(`<rect width="720" height="260" fill="white"/>` + "\n")
	loss := func(e EpochStats) (float64, float64) { return e.Loss, e.TestLoss }
	acc := func(e EpochStats) (float64, float64) { return e.Accuracy, e.TestAccuracy }
	lo, hi := valueRange(h, loss)
	chartPanel(&b, h, 0, "loss", loss, 0, niceCeil(hi, lo))
	lo, _ = valueRange(h, acc)
	chartPanel(&b, h, 360, "accuracy", acc, math.Min(0.9, math.Floor(lo*10)/10), 1)
	b.WriteString("</svg>\n")
	return b.String()
}

// ShowChart displays [ChartSVG] of h. It does nothing outside a notebook.
func ShowChart(h History) {
	ShowSVG(ChartSVG(h))
}

// LiveChart is a training chart that redraws itself in place, in the
// notebook cell that created it, after every epoch: pass its OnEpoch method
// as [TrainOptions].OnEpoch. The last drawing stays in the saved notebook.
// Outside a notebook it only records the epochs.
type LiveChart struct {
	id      string
	history History
}

// NewLiveChart starts a live chart, showing the epochs of previous (which
// may be empty) until the first new epoch arrives.
func NewLiveChart(previous History) *LiveChart {
	c := &LiveChart{history: History{Epochs: append([]EpochStats(nil), previous.Epochs...)}}
	if InNotebook() {
		c.id = "lesson_chart_" + gonbui.UniqueId()
		c.draw()
	}
	return c
}

// OnEpoch adds one epoch to the chart and redraws it.
func (c *LiveChart) OnEpoch(e EpochStats) {
	c.history.Epochs = append(c.history.Epochs, e)
	c.draw()
}

// History returns the epochs the chart shows.
func (c *LiveChart) History() History { return c.history }

func (c *LiveChart) draw() {
	if c.id != "" {
		gonbui.UpdateHTML(c.id, "<div>"+ChartSVG(c.history)+"</div>")
		gonbui.Sync()
	}
}

// valueRange returns the smallest and largest finite values of h.
func valueRange(h History, get func(EpochStats) (float64, float64)) (lo, hi float64) {
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

// niceCeil rounds hi up to a round number above lo, at least 0.1.
func niceCeil(hi, lo float64) float64 {
	if hi <= lo {
		hi = lo + 0.1
	}
	step := math.Pow(10, math.Floor(math.Log10(hi)))
	return math.Max(0.1, math.Ceil(hi/step*2)/2*step)
}

// chartPanel draws one 360-pixel-wide panel at x offset left, its y axis
// spanning [ymin, ymax].
func chartPanel(b *strings.Builder, h History, left float64, title string, get func(EpochStats) (float64, float64), ymin, ymax float64) {
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
	for i := 0; i <= 4; i++ {
		v := ymin + (ymax-ymin)*float64(i)/4
		y := yAt(v)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/><text x="%.1f" y="%.1f" text-anchor="end">%.2f</text>`+"\n", x0, y, x1, y, x0-4, y+4, v)
	}
	for _, e := range h.Epochs {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%d</text>`+"\n", xAt(e.Epoch), bottom+14, e.Epoch)
	}
	fmt.Fprintf(b, `<text x="%.1f" y="254" text-anchor="middle">epoch</text>`+"\n", (x0+x1)/2)
	if len(h.Epochs) == 0 {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#888">waiting for the first epoch…</text>`+"\n", (x0+x1)/2, (top+bottom)/2)
	}
	series := []struct {
		name, color, dash string
		pick              func(a, b float64) float64
	}{
		{"train", "#1f77b4", "", func(a, _ float64) float64 { return a }},
		{"test", "#ff7f0e", ` stroke-dasharray="6 3"`, func(_, b float64) float64 { return b }},
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
			fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s %s, epoch %d: %.4f</title></circle>`+"\n", x, y, s.color, s.name, title, e.Epoch, v)
		}
		if len(pts) > 1 {
			fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.Join(pts, " "), s.color, s.dash)
		}
		ly := top + 8 + 14*float64(i)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/><text x="%.1f" y="%.1f">%s</text>`+"\n", x1-70, ly, x1-50, ly, s.color, s.dash, x1-46, ly+4, s.name)
	}
}
