package lesson

import (
	"strings"
	"testing"
)

func TestSummaryGolden(t *testing.T) {
	for _, tc := range []struct {
		name, golden string
		cfg          Config
	}{
		{"seed", "summary.golden", Config{}},
		{"dense", "summary_dense.golden", Config{DenseOnly: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGolden(t, tc.golden, Summary(tc.cfg).String())
		})
	}
}

func TestSummaryText(t *testing.T) {
	text := Summary(Config{}).String()
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
