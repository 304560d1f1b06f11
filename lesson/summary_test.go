package lesson

import (
	"strings"
	"testing"

	"github.com/gonb-lessons/convolutions/lesson/internal/golden"
)

func TestSummaryGolden(t *testing.T) {
	for _, tc := range []struct {
		name, golden string
		net          Network
	}{
		{"cnn", "summary.golden", CNN},
		{"dense", "summary_dense.golden", denseNet},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewModel(testBackend(t), tc.net, Settings{})
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, tc.golden, m.Summary().String())
		})
	}
}

func TestSummaryText(t *testing.T) {
	m, err := NewModel(testBackend(t), CNN, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	text := m.Summary().String()
	for _, want := range []string{
		"conv2d (Conv2D)", "(None, 26, 26, 64)", "max_pooling2d_1 (MaxPooling2D)", "(None, 5, 5, 64)",
		"(None, 1600)", "Total params: 243,786", "204,928", "(3·3·64+1)·64 = 36,928",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}
}

func TestCommas(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {243786, "243,786"}, {1384576, "1,384,576"}, {-1234, "-1,234"}} {
		if got := commas(tc.n); got != tc.want {
			t.Errorf("commas(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
