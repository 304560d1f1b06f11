package viz_test

import (
	"fmt"
	"strings"

	"github.com/gonb-lessons/convolutions/lesson"
	"github.com/gonb-lessons/convolutions/lesson/fashion"
	"github.com/gonb-lessons/convolutions/lesson/viz"
)

// An exercise ends with checks: one line each, right or "not yet" with a hint.
func ExampleCheck() {
	const filters = 32 // the student's answer
	viz.Check(filters != 64, "the model has fewer filters than the lesson's", "set FILTERS to 16 or 32")
	viz.Check(filters*9+filters == 640, "the first layer has 640 parameters", "count (3·3·1+1)·FILTERS")
	// Output:
	// ✓ the model has fewer filters than the lesson's
	// ✗ not yet: the first layer has 640 parameters — count (3·3·1+1)·FILTERS
}

// Four test images, one of them a T-shirt taken for a shirt.
func ExampleNewConfusion() {
	d := &fashion.Data{Pixels: make([]uint8, 4*fashion.ImageSize*fashion.ImageSize), Labels: []uint8{0, 0, 3, 9}}
	predicted := []int{0, 6, 3, 9} // as the model's Classify returns them
	c, err := viz.NewConfusion(d, predicted)
	if err != nil {
		panic(err)
	}
	names := fashion.ClassNames()
	fmt.Printf("%s taken for %s: %d\n", names[0], names[6], c[0][6])
	fmt.Printf("accuracy %.2f\n", c.Accuracy())
	// Output:
	// T-shirt/top taken for Shirt: 1
	// accuracy 0.75
}

// The summary table as HTML: a caption, a header row, one row per layer and
// the total.
func ExampleSummaryHTML() {
	backend, _, err := lesson.NewBackend("go")
	if err != nil {
		panic(err)
	}
	m, err := lesson.NewModel(backend, lesson.CNN, lesson.Settings{})
	if err != nil {
		panic(err)
	}
	html := viz.SummaryHTML(m.Summary())
	lines := strings.Split(html, "\n")
	fmt.Println(lines[0])
	fmt.Println(lines[1])
	fmt.Println(strings.Count(html, "<tr>"), "rows; total 243,786:", strings.Contains(html, ">243,786<"))
	// Output:
	// <table>
	// <caption style="text-align:left"><b>Model: &#34;sequential&#34;</b></caption>
	// 9 rows; total 243,786: true
}

// What the model's first layer does, by hand: a 3×3 filter that responds to
// vertical edges, the ReLU, then a 2×2 max-pool.
func ExampleConvolve() {
	d := &fashion.Data{Pixels: make([]uint8, fashion.ImageSize*fashion.ImageSize), Labels: []uint8{0}}
	for y := range fashion.ImageSize {
		for x := 14; x < fashion.ImageSize; x++ {
			d.Pixels[y*fashion.ImageSize+x] = 255 // the right half is white: one vertical edge
		}
	}
	sobel := [3][3]float32{{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}}
	conv, err := viz.Convolve(d, 0, sobel)
	if err != nil {
		panic(err)
	}
	pool, err := viz.MaxPool2x2(viz.ReLU(conv))
	if err != nil {
		panic(err)
	}
	fmt.Println("image [28 28] → convolution", conv.Shape, "→ max-pool", pool.Shape)
	fmt.Println("at the edge:", conv.At(5, 12), "away from it:", conv.At(5, 2), pool.At(3, 2))
	// Output:
	// image [28 28] → convolution [26 26] → max-pool [13 13]
	// at the edge: 4 away from it: 0 0
}

// One position of a convolution worked out by hand: an image whose right
// half is bright, and the Sobel filter on the patch that straddles the edge.
func ExampleConvolveAt() {
	d := &fashion.Data{Pixels: make([]uint8, fashion.ImageSize*fashion.ImageSize), Labels: []uint8{0}}
	for y := range fashion.ImageSize {
		for x := 14; x < fashion.ImageSize; x++ {
			d.Pixels[y*fashion.ImageSize+x] = 255
		}
	}
	sobel := [3][3]float32{{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}}
	text, err := viz.ConvolveAt(d, 0, sobel, 5, 12)
	if err != nil {
		panic(err)
	}
	fmt.Print(text)
	fmt.Println("positions across 28 pixels:", viz.OutputSize(28, 3, 0, 1))
	// Output:
	// pixels of image 0, rows 5–7, columns 12–14 (÷255):
	//     0.000   0.000   1.000
	//     0.000   0.000   1.000
	//     0.000   0.000   1.000
	// × the filter, weight by weight:
	//    -1.000   0.000   1.000
	//    -2.000   0.000   2.000
	//    -1.000   0.000   1.000
	// = nine products:
	//     0.000   0.000   1.000
	//     0.000   0.000   2.000
	//     0.000   0.000   1.000
	// sum: 0.000 + 0.000 + 1.000 + 0.000 + 0.000 + 2.000 + 0.000 + 0.000 + 1.000 = 4.0000
	// so the map's value at row 5, column 12 is 4.0000
	// positions across 28 pixels: 26
}
