package viz

import (
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
