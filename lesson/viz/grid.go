package viz

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"

	"github.com/gonb-lessons/convolutions/lesson"
)

// GridOptions are the settings of [ActivationGrid], [FilterGrid] and
// [KernelGrid]. The zero value is the default described for each field.
type GridOptions struct {
	// Zoom is the number of screen pixels per activation value; 0 means
	// enough for tiles of about 52 pixels (2 for 26×26 maps, 4 for 13×13),
	// and 12 per weight for KernelGrid. FilterGrid doubles it.
	Zoom int
	// Columns is the number of tiles per row of [ActivationGrid] and
	// [KernelGrid]; 0 means 8.
	Columns int
}

func (o GridOptions) zoom(side int) int {
	if o.Zoom > 0 {
		return o.Zoom
	}
	return max(1, 52/max(side, 1))
}

const (
	gridGap   = 2 // pixels between tiles
	gridLabel = 9 // height of the label strip above each tile
)

// ActivationGrid draws every filter's output of one conv or pool layer for
// one image: act is a layer's activations [n, height, width, filters] from
// the model's Activations and image selects one of the n images. Each tile is
// labelled with its filter number and coloured with the viridis colour map
// (dark purple for the tile's smallest value, usually 0 after the ReLU,
// yellow for its largest), so a filter that responds strongly to a part of
// the image shows it bright. Tiles are 8 to a row unless opts say otherwise.
func ActivationGrid(act lesson.Tensor, image int, opts GridOptions) (image.Image, error) {
	if len(act.Shape) != 4 {
		return nil, fmt.Errorf("viz: ActivationGrid: activations of shape %v; want a conv or pool layer's [n, height, width, filters] (outputs 0 to 3 of Model.Activations)", act.Shape)
	}
	n, h, w, filters := act.Shape[0], act.Shape[1], act.Shape[2], act.Shape[3]
	if image < 0 || image >= n {
		return nil, fmt.Errorf("viz: ActivationGrid: image %d out of range [0, %d)", image, n)
	}
	cols := opts.Columns
	if cols <= 0 {
		cols = 8
	}
	cols = min(cols, filters)
	rows := (filters + cols - 1) / cols
	z := opts.zoom(max(h, w))
	out := newCanvas(cols, rows, w*z, h*z+gridLabel)
	for f := range filters {
		x, y := tileOrigin(f%cols, f/cols, w*z, h*z+gridLabel)
		drawNumber(out, x+1, y+1, f, labelColor())
		drawMap(out, x, y+gridLabel, z, h, w, func(i, j int) float64 { return float64(act.At(image, i, j, f)) })
	}
	return out, nil
}

// FilterGrid draws the TensorFlow course's picture: one row per image, one
// column per conv or pool layer, all showing the same filter. acts are the
// layers' activations [n, height, width, filters] (e.g. the first four
// outputs of the model's Activations run on three shoes); rows follow the n
// images. Colours are as in [ActivationGrid].
func FilterGrid(acts []lesson.Tensor, filter int, opts GridOptions) (image.Image, error) {
	if len(acts) == 0 {
		return nil, fmt.Errorf("viz: FilterGrid: no layers given; pass the conv and pool outputs of Model.Activations, e.g. acts[:4]")
	}
	n, side := 0, 0
	if len(acts[0].Shape) > 0 {
		n = acts[0].Shape[0]
	}
	for i, a := range acts {
		if len(a.Shape) != 4 || a.Shape[0] != n {
			return nil, fmt.Errorf("viz: FilterGrid: layer %d has shape %v; want [%d, height, width, filters] like layer 0 (only conv and pool layers have maps)", i, a.Shape, n)
		}
		if filter < 0 || filter >= a.Shape[3] {
			return nil, fmt.Errorf("viz: FilterGrid: filter %d out of range [0, %d) for layer %d", filter, a.Shape[3], i)
		}
		side = max(side, a.Shape[1])
	}
	z := opts.zoom(side) * 2 // bigger tiles: there are few of them
	tile := side * z
	out := newCanvas(len(acts), n, tile, tile)
	for col, a := range acts {
		h, w := a.Shape[1], a.Shape[2]
		zz := tile / max(h, w) // smaller maps are zoomed more, to the same tile size
		for row := range n {
			x, y := tileOrigin(col, row, tile, tile)
			drawMap(out, x, y, zz, h, w, func(i, j int) float64 { return float64(a.At(row, i, j, filter)) })
		}
	}
	return out, nil
}

// KernelGrid draws the learned 3×3 kernels of a Conv2D layer, one tile per
// filter: w is the layer's weights [3, 3, in, filters] from the model's Weights.
// For layers with several input channels the tile shows the kernel summed
// over them. Colours are diverging: blue for negative, white for 0, red for
// positive weights, on a scale shared by all tiles.
func KernelGrid(w lesson.Tensor, opts GridOptions) (image.Image, error) {
	if len(w.Shape) != 4 {
		return nil, fmt.Errorf("viz: KernelGrid: weights of shape %v; want a Conv2D kernel [kh, kw, in, filters] (Model.Weights(\"conv2d\"))", w.Shape)
	}
	kh, kw, in, filters := w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
	sum := func(f, i, j int) float64 {
		s := 0.0
		for c := range in {
			s += float64(w.At(i, j, c, f))
		}
		return s
	}
	scale := 1e-12
	for f := range filters {
		for i := range kh {
			for j := range kw {
				scale = math.Max(scale, math.Abs(sum(f, i, j)))
			}
		}
	}
	cols := opts.Columns
	if cols <= 0 {
		cols = 8
	}
	cols = min(cols, filters)
	z := opts.Zoom
	if z <= 0 {
		z = 12
	}
	out := newCanvas(cols, (filters+cols-1)/cols, kw*z, kh*z+gridLabel)
	for f := range filters {
		x, y := tileOrigin(f%cols, f/cols, kw*z, kh*z+gridLabel)
		drawNumber(out, x+1, y+1, f, labelColor())
		for i := range kh {
			for j := range kw {
				fill(out, x+j*z, y+gridLabel+i*z, z, diverging(sum(f, i, j)/scale))
			}
		}
	}
	return out, nil
}

// Heatmap draws a 2-D map (shape [height, width], or [height, width, 1]),
// such as [Convolve]'s, with the viridis colour map (dark purple for the
// smallest value, yellow for the largest), zoom screen pixels per value
// (0 means 4).
func Heatmap(t lesson.Tensor, zoom int) (image.Image, error) {
	if len(t.Shape) == 3 && t.Shape[2] == 1 {
		t.Shape = t.Shape[:2]
	}
	if len(t.Shape) != 2 {
		return nil, fmt.Errorf("viz: Heatmap: shape %v; want [height, width]", t.Shape)
	}
	if zoom <= 0 {
		zoom = 4
	}
	h, w := t.Shape[0], t.Shape[1]
	out := image.NewRGBA(image.Rect(0, 0, w*zoom, h*zoom))
	drawMap(out, 0, 0, zoom, h, w, func(i, j int) float64 { return float64(t.At(i, j)) })
	return out, nil
}

// newCanvas returns a dark image for cols×rows tiles of tw×th pixels.
func newCanvas(cols, rows, tw, th int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, cols*(tw+gridGap)+gridGap, rows*(th+gridGap)+gridGap))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{40, 40, 40, 255}), image.Point{}, draw.Src)
	return img
}

// tileOrigin returns the top-left pixel of tile (col, row).
func tileOrigin(col, row, tw, th int) (int, int) {
	return gridGap + col*(tw+gridGap), gridGap + row*(th+gridGap)
}

// drawMap draws an h×w map at (x, y), zoom pixels per value, normalised so
// that the smallest value is dark and the largest bright (a constant map is
// drawn dark).
func drawMap(img *image.RGBA, x, y, zoom, h, w int, at func(i, j int) float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range h {
		for j := range w {
			v := at(i, j)
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	span := hi - lo
	for i := range h {
		for j := range w {
			t := 0.0
			if span > 0 {
				t = (at(i, j) - lo) / span
			}
			fill(img, x+j*zoom, y+i*zoom, zoom, viridis(t))
		}
	}
}

// fill paints a zoom×zoom square at (x, y).
func fill(img *image.RGBA, x, y, zoom int, c color.RGBA) {
	for dy := range zoom {
		for dx := range zoom {
			img.SetRGBA(x+dx, y+dy, c)
		}
	}
}

const whiteGray = 255

// white is the label colour.
func labelColor() color.RGBA { return color.RGBA{whiteGray, whiteGray, whiteGray, 255} }

// viridisStops samples matplotlib's viridis colour map at 0, 1/8, …, 1.
func viridisStops() [9][3]float64 {
	return [9][3]float64{
		{68, 1, 84}, {71, 44, 122}, {59, 81, 139}, {44, 113, 142}, {33, 144, 141},
		{39, 173, 129}, {92, 200, 99}, {170, 220, 50}, {253, 231, 37},
	}
}

// viridis maps t in [0, 1] to a colour, dark purple to yellow.
func viridis(t float64) color.RGBA {
	stops := viridisStops()
	t = math.Max(0, math.Min(1, t)) * float64(len(stops)-1)
	i := min(int(t), len(stops)-2)
	f := t - float64(i)
	a, b := stops[i], stops[i+1]
	mix := func(k int) uint8 { return uint8(math.Round(a[k] + (b[k]-a[k])*f)) }
	return color.RGBA{mix(0), mix(1), mix(2), 255}
}

// diverging maps t in [-1, 1] to blue (−1), white (0) or red (+1).
func diverging(t float64) color.RGBA {
	t = math.Max(-1, math.Min(1, t))
	v := uint8(math.Round(255 * (1 - math.Abs(t))))
	if t < 0 {
		return color.RGBA{v, v, 255, 255}
	}
	return color.RGBA{255, v, v, 255}
}

// digits returns a 3×5 pixel font for the labels: one row of 3 bits per line.
func digits() [10][5]uint8 {
	return [10][5]uint8{
		{7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 3, 1, 7}, {5, 5, 7, 1, 1},
		{7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 1, 2, 2}, {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7},
	}
}

// drawNumber writes n at (x, y) with the 3×5 font, one pixel per dot.
func drawNumber(img *image.RGBA, x, y, n int, c color.RGBA) {
	font := digits()
	for i, r := range fmt.Sprint(n) {
		if r < '0' || r > '9' {
			continue
		}
		for row, bits := range font[r-'0'] {
			for col := range 3 {
				if bits&(4>>col) != 0 {
					img.SetRGBA(x+i*4+col, y+row, c)
				}
			}
		}
	}
}
