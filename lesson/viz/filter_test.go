package viz

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gonb-lessons/convolutions/lesson/fashion"
	"github.com/google/go-cmp/cmp"
)

func TestConvolveAndPool(t *testing.T) {
	d := &fashion.Data{Pixels: make([]uint8, fashion.ImageSize*fashion.ImageSize), Labels: []uint8{0}}
	for y := range fashion.ImageSize {
		for x := 14; x < fashion.ImageSize; x++ {
			d.Pixels[y*fashion.ImageSize+x] = 255 // right half bright: one vertical edge
		}
	}
	conv, err := Convolve(d, 0, [3][3]float32{{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	pool, err := MaxPool2x2(conv)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{26, 26}, conv.Shape); diff != "" {
		t.Errorf("conv shape mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{13, 13}, pool.Shape); diff != "" {
		t.Errorf("pool shape mismatch (-want +got):\n%s", diff)
	}
	// The window at x covers columns x..x+2: it straddles the edge at x = 12 and 13.
	for _, tc := range []struct {
		x    int
		want float32
	}{{0, 0}, {11, 0}, {12, 4}, {13, 4}, {14, 0}} {
		if got := conv.At(5, tc.x); got != tc.want {
			t.Errorf("conv at x=%d: got %v, want %v", tc.x, got, tc.want)
		}
	}
	if got := pool.At(3, 6); got != 4 {
		t.Errorf("pool at (3, 6) = %v, want 4 (the max of conv's columns 12, 13)", got)
	}
	if _, err := Convolve(d, 1, [3][3]float32{}); err == nil {
		t.Errorf("Convolve of a missing image: no error")
	}
}

// TestConvolveAt checks the worked position against Convolve's map, at
// every position of a real image, and the text it shows.
func TestConvolveAt(t *testing.T) {
	d := fixtureData(t)
	kernel := [3][3]float32{{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}}
	conv, err := Convolve(d, 1, kernel)
	if err != nil {
		t.Fatal(err)
	}
	for row := range 26 {
		for col := range 26 {
			text, err := ConvolveAt(d, 1, kernel, row, col)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("so the map's value at row %d, column %d is %.4f\n", row, col, conv.At(row, col))
			if !strings.HasSuffix(text, want) {
				t.Fatalf("ConvolveAt(%d, %d) ends %q, want %q (Convolve's value)", row, col, text[strings.LastIndex(text[:len(text)-1], "\n")+1:], want)
			}
		}
	}
	text, _ := ConvolveAt(d, 1, kernel, 12, 14)
	for _, want := range []string{"rows 12–14, columns 14–16", "× the filter", "= nine products:", "sum: "} {
		if !strings.Contains(text, want) {
			t.Errorf("ConvolveAt's text lacks %q:\n%s", want, text)
		}
	}
	if _, err := ConvolveAt(d, 1, kernel, 26, 0); err == nil || !strings.Contains(err.Error(), "0 to 25") {
		t.Errorf("ConvolveAt outside the map: error %v, want one giving the range", err)
	}
}

func TestOutputSize(t *testing.T) {
	for _, tc := range []struct {
		n, k, pad, stride, want int
		reason                  string
	}{
		{28, 3, 0, 1, 26, "the lesson's first convolution: 28−3+1"},
		{28, 5, 2, 1, 28, "same padding keeps the size"},
		{26, 2, 0, 2, 13, "a 2×2 max-pool halves"},
		{11, 2, 0, 2, 5, "an odd last row is dropped"},
		{28, 3, 1, 2, 14, "padding 1 and stride 2"},
		{2, 3, 0, 1, 0, "a window larger than the input fits nowhere"},
	} {
		formula := (tc.n+2*tc.pad-tc.k)/tc.stride + 1
		if tc.want > 0 && formula != tc.want {
			t.Fatalf("bad case %v: the formula gives %d", tc, formula)
		}
		if got := OutputSize(tc.n, tc.k, tc.pad, tc.stride); got != tc.want {
			t.Errorf("OutputSize(%d, %d, %d, %d) = %d, want %d (%s)", tc.n, tc.k, tc.pad, tc.stride, got, tc.want, tc.reason)
		}
	}
}
