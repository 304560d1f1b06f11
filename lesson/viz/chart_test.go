package viz

import (
	"encoding/xml"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gonb-lessons/convolutions/lesson"
	"github.com/google/go-cmp/cmp"
)

func TestChartSVG(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name, reason string
		h            lesson.History
		circles      int
	}{
		{"empty", "a live chart before the first epoch", lesson.History{}, 0},
		{"one epoch", "one point per series and panel", lesson.History{Epochs: []lesson.EpochStats{{Epoch: 1, Loss: 0.5, Accuracy: 0.8, TestLoss: 0.4, TestAccuracy: 0.85}}}, 4},
		{"no test set", "NaN test values are left out", lesson.History{Epochs: []lesson.EpochStats{{Epoch: 1, Loss: 0.5, Accuracy: 0.8, TestLoss: nan, TestAccuracy: nan}, {Epoch: 2, Loss: 0.4, Accuracy: 0.85, TestLoss: nan, TestAccuracy: nan}}}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svg := chartSVG(tc.h)
			if err := xml.Unmarshal([]byte(svg), new(any)); err != nil {
				t.Fatalf("%s: not well-formed SVG: %v", tc.reason, err)
			}
			if got := strings.Count(svg, "<circle"); got != tc.circles {
				t.Errorf("%s: %d points, want %d", tc.reason, got, tc.circles)
			}
			if strings.Contains(svg, "NaN") || strings.Contains(svg, "<script") {
				t.Errorf("%s: SVG contains NaN or a script", tc.reason)
			}
		})
	}
}

// tickLabels returns the y tick labels of each panel of a chart, bottom to
// top, keyed by the labels' x position (one per panel).
func tickLabels(t *testing.T, svg string) map[string][]string {
	t.Helper()
	labels := map[string][]string{}
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		start, ok := tok.(xml.StartElement)
		if !ok || start.Name.Local != "text" {
			continue
		}
		var x, anchor string
		for _, a := range start.Attr {
			switch a.Name.Local {
			case "x":
				x = a.Value
			case "text-anchor":
				anchor = a.Value
			}
		}
		if anchor != "end" {
			continue
		}
		var text string
		if err := dec.DecodeElement(&text, &start); err != nil {
			t.Fatal(err)
		}
		labels[x] = append(labels[x], text)
	}
	return labels
}

// TestChartTicks parses the y tick labels of both panels and checks that
// they are round: a step of 1, 2, 2.5 or 5 × 10^k, every label a multiple of
// it, and the data inside the axis (issue 12: the old ticks were 0.38, 0.75,
// 1.12).
func TestChartTicks(t *testing.T) {
	epochs := func(loss, acc []float64) lesson.History {
		var h lesson.History
		for i := range loss {
			h.Epochs = append(h.Epochs, lesson.EpochStats{Epoch: i + 1, Loss: loss[i], TestLoss: loss[i] * 1.1, Accuracy: acc[i], TestAccuracy: acc[i] - 0.01})
		}
		return h
	}
	for _, tc := range []struct {
		name, reason string
		h            lesson.History
		want         [][]string // loss panel, accuracy panel
	}{
		{"empty", "before the first epoch: [0, 1] on both", lesson.History{}, [][]string{{"0.00", "0.25", "0.50", "0.75", "1.00"}, {"0.00", "0.25", "0.50", "0.75", "1.00"}}},
		{"lesson", "five epochs of the lesson's model", epochs([]float64{0.45, 0.30, 0.26, 0.23, 0.20}, []float64{0.84, 0.89, 0.90, 0.915, 0.925}), [][]string{{"0.0", "0.2", "0.4", "0.6"}, {"0.80", "0.85", "0.90", "0.95", "1.00"}}},
		{"issue 12", "a loss up to 1.36 gave ticks at 0.38, 0.75, 1.12", epochs([]float64{1.36, 0.9}, []float64{0.5, 0.7}), [][]string{{"0.0", "0.5", "1.0", "1.5"}, {"0.4", "0.6", "0.8", "1.0"}}},
		{"large loss", "an untrained model's loss of 2.3", epochs([]float64{2.3}, []float64{0.1}), [][]string{{"0", "1", "2", "3"}, {"0.00", "0.25", "0.50", "0.75", "1.00"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			panels := tickLabels(t, chartSVG(tc.h))
			got := [][]string{panels["44.0"], panels["404.0"]}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: tick labels mismatch (-want +got):\n%s", tc.reason, diff)
			}
			for p, labels := range got {
				checkRoundTicks(t, labels, p)
			}
		})
	}
}

// checkRoundTicks checks that labels are evenly spaced by a round step and
// are each a multiple of it.
func checkRoundTicks(t *testing.T, labels []string, panel int) {
	t.Helper()
	if len(labels) < 3 {
		t.Errorf("panel %d: %d ticks %v, want at least 3", panel, len(labels), labels)
		return
	}
	v := make([]float64, len(labels))
	for i, l := range labels {
		f, err := strconv.ParseFloat(l, 64)
		if err != nil {
			t.Fatalf("panel %d: tick %q: %v", panel, l, err)
		}
		v[i] = f
	}
	step := v[1] - v[0]
	mantissa := step / math.Pow(10, math.Floor(math.Log10(step)))
	if !slices.ContainsFunc([]float64{1, 2, 2.5, 5}, func(m float64) bool { return math.Abs(m-mantissa) < 1e-6 }) {
		t.Errorf("panel %d: step %v of ticks %v is not 1, 2, 2.5 or 5 × 10^k", panel, step, labels)
	}
	for i, x := range v {
		if k := x / step; math.Abs(k-math.Round(k)) > 1e-6 {
			t.Errorf("panel %d: tick %s is not a multiple of the step %v", panel, labels[i], step)
		}
		if i > 0 && math.Abs(x-v[i-1]-step) > 1e-6 {
			t.Errorf("panel %d: ticks %v are not evenly spaced", panel, labels)
		}
	}
}

func TestNewAxis(t *testing.T) {
	for _, tc := range []struct {
		name, reason string
		lo, hi       float64
		want         []string
	}{
		{"tiny", "a step of 2.5 × 10^-3 needs three decimals", 0.99, 1, []string{"0.9900", "0.9925", "0.9950", "0.9975", "1.0000"}},
		{"flat", "hi ≤ lo widens to 0.1", 0.5, 0.5, []string{"0.500", "0.525", "0.550", "0.575", "0.600"}},
		{"tens", "a step of 10 has no decimals", 0, 37, []string{"0", "10", "20", "30", "40"}},
		{"offset", "bounds are rounded outwards to the step", 0.33, 0.71, []string{"0.3", "0.4", "0.5", "0.6", "0.7", "0.8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, got := newAxis(tc.lo, tc.hi).ticks()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: ticks of [%v, %v] mismatch (-want +got):\n%s", tc.reason, tc.lo, tc.hi, diff)
			}
			checkRoundTicks(t, got, 0)
		})
	}
}

// TestLiveChartOutsideNotebook: outside a notebook a live chart draws
// nothing and does not fail, also as a nil chart.
func TestLiveChartOutsideNotebook(t *testing.T) {
	if inNotebook() {
		t.Skip("runs inside a notebook")
	}
	h := lesson.History{Epochs: []lesson.EpochStats{{Epoch: 1, Loss: 0.5, Accuracy: 0.8, TestLoss: 0.4, TestAccuracy: 0.85}}}
	c := NewLiveChart()
	c.Draw(h)
	var none *LiveChart
	none.Draw(h)
	if c.id != "" {
		t.Errorf("outside a notebook the chart has output id %q, want none", c.id)
	}
}
