package fashion

import (
	"fmt"
	"image"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestShift(t *testing.T) {
	// One image with a single bright pixel at (x=10, y=20).
	d := &Data{Pixels: make([]uint8, ImageSize*ImageSize), Labels: []uint8{7}}
	d.Pixels[20*ImageSize+10] = 255
	for _, tc := range []struct {
		name, reason string
		dx, dy       int
		wantX, wantY int // -1: the pixel left the frame
	}{
		{"right", "positive dx moves right", 5, 0, 15, 20},
		{"left and up", "negative values move left and up", -3, -4, 7, 16},
		{"down", "positive dy moves down", 0, 7, 10, 27},
		{"out of frame", "pixels moved out of the frame are lost", 18, 0, -1, -1},
		{"none", "zero shift copies", 0, 0, 10, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Shift(d, tc.dx, tc.dy)
			var lit []image.Point
			for i, p := range got.Pixels {
				if p != 0 {
					lit = append(lit, image.Pt(i%ImageSize, i/ImageSize))
				}
			}
			var want []image.Point
			if tc.wantX >= 0 {
				want = []image.Point{image.Pt(tc.wantX, tc.wantY)}
			}
			if diff := cmp.Diff(want, lit); diff != "" {
				t.Errorf("Shift(%d, %d) (%s): lit pixels mismatch (-want +got):\n%s", tc.dx, tc.dy, tc.reason, diff)
			}
			if got.Label(0) != 7 || d.Pixels[20*ImageSize+10] != 255 {
				t.Errorf("Shift changed the label or the input")
			}
		})
	}
}

func ExampleShift() {
	d := &Data{Pixels: make([]uint8, ImageSize*ImageSize), Labels: []uint8{9}}
	d.Pixels[0] = 255 // the top-left pixel
	moved := Shift(d, 4, 1)
	fmt.Println(moved.Image(0).GrayAt(4, 1).Y, moved.Image(0).GrayAt(0, 0).Y)
	// Output: 255 0
}
