package viz

import (
	"encoding/xml"
	"math"
	"strings"
	"testing"

	"github.com/gonb-lessons/convolutions/lesson"
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
