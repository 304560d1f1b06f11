package lesson

import (
	"encoding/xml"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonb-lessons/convolutions/lesson/fashion"
	"github.com/google/go-cmp/cmp"
)

func TestTableHTMLGolden(t *testing.T) {
	for _, tc := range []struct {
		name, golden, reason string
		cfg                  Config
	}{
		{"seed", "summary_html.golden", "the lesson's model, with 243,786 parameters", Config{}},
		{"dense", "summary_dense_html.golden", "the previous lesson's dense network", Config{DenseOnly: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Summary(tc.cfg).HTML()
			checkGolden(t, tc.golden, got)
			if err := xml.Unmarshal([]byte(got), new(any)); err != nil && !strings.Contains(err.Error(), "unknown type") {
				t.Errorf("HTML of %s (%s) is not well-formed: %v", tc.cfg, tc.reason, err)
			}
		})
	}
}

// gridModel returns a fixed tiny model (4 filters, untrained, seed 1) and
// its activations on the three fixture images.
func gridModel(t *testing.T) (*Model, []Tensor) {
	t.Helper()
	m, err := NewModel(testBackend(t), Config{Filters: 4, Hidden: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	acts, err := m.Activations(fixtureData(t))
	if err != nil {
		t.Fatal(err)
	}
	return m, acts
}

// TestGridGoldens draws the grids of a fixed tiny model and compares them
// pixel by pixel with testdata/*.png (refresh with -update). A difference of
// up to 2 per channel is allowed: backends may round the last float bit
// differently.
func TestGridGoldens(t *testing.T) {
	m, acts := gridModel(t)
	weights, err := m.Weights("conv2d")
	if err != nil {
		t.Fatal(err)
	}
	conv, err := Convolve(fixtureData(t), 0, [3][3]float32{{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		golden, reason string
		draw           func() (image.Image, error)
	}{
		{"grid_activations.png", "every filter of conv2d for image 1", func() (image.Image, error) { return ActivationGrid(acts[0], 1, GridOptions{}) }},
		{"grid_pool.png", "every filter of the second pool, 2 columns", func() (image.Image, error) { return ActivationGrid(acts[3], 0, GridOptions{Columns: 2}) }},
		{"grid_filter.png", "three images × four layers, filter 2", func() (image.Image, error) { return FilterGrid(acts[:4], 2, GridOptions{}) }},
		{"grid_kernels.png", "the 3×3 kernels of conv2d", func() (image.Image, error) { return KernelGrid(weights, GridOptions{}) }},
		{"heatmap_sobel.png", "a hand-made Sobel filter on image 0", func() (image.Image, error) { return Heatmap(ReLU(conv), 3) }},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			got, err := tc.draw()
			if err != nil {
				t.Fatalf("%s: %v", tc.reason, err)
			}
			checkImageGolden(t, tc.golden, got)
		})
	}
}

// checkImageGolden compares img with testdata/name pixel by pixel, or
// rewrites it under -update.
func checkImageGolden(t *testing.T, name string, img image.Image) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (create it with: go test ./lesson -run %s -update)", err, t.Name())
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if want.Bounds() != img.Bounds() {
		t.Fatalf("%s: size mismatch (-want +got): %v %v", path, want.Bounds(), img.Bounds())
	}
	bad, first := 0, ""
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, a1 := want.At(x, y).RGBA()
			r2, g2, b2, a2 := img.At(x, y).RGBA()
			if far(r1, r2) || far(g1, g2) || far(b1, b2) || far(a1, a2) {
				if bad == 0 {
					first = fmt.Sprintf("(%d, %d): want %v, got %v", x, y, want.At(x, y), img.At(x, y))
				}
				bad++
			}
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d pixels differ, first at %s (if the change is intended: go test ./lesson -run %s -update)", path, bad, first, t.Name())
	}
}

func far(a, b uint32) bool { return math.Abs(float64(a>>8)-float64(b>>8)) > 2 }

func TestGridErrors(t *testing.T) {
	_, acts := gridModel(t)
	for _, tc := range []struct {
		name, want string
		draw       func() (image.Image, error)
	}{
		{"dense layer", "want a conv or pool layer", func() (image.Image, error) { return ActivationGrid(acts[5], 0, GridOptions{}) }},
		{"image out of range", "image 3 out of range [0, 3)", func() (image.Image, error) { return ActivationGrid(acts[0], 3, GridOptions{}) }},
		{"no layers", "no layers given", func() (image.Image, error) { return FilterGrid(nil, 0, GridOptions{}) }},
		{"filter out of range", "filter 4 out of range [0, 4)", func() (image.Image, error) { return FilterGrid(acts[:4], 4, GridOptions{}) }},
		{"flatten in filter grid", "only conv and pool layers have maps", func() (image.Image, error) { return FilterGrid(acts[:5], 0, GridOptions{}) }},
		{"kernel of dense", "want a Conv2D kernel", func() (image.Image, error) { return KernelGrid(acts[5], GridOptions{}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.draw()
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "lesson: ") {
				t.Errorf("error %v; want one starting with \"lesson: \" and containing %q", err, tc.want)
			}
		})
	}
}

func TestShift(t *testing.T) {
	// One image with a single bright pixel at (x=10, y=20).
	d := &fashion.Data{Pixels: make([]uint8, fashion.ImageSize*fashion.ImageSize), Labels: []uint8{7}}
	d.Pixels[20*fashion.ImageSize+10] = 255
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
			got := fashion.Shift(d, tc.dx, tc.dy)
			var lit []image.Point
			for i, p := range got.Pixels {
				if p != 0 {
					lit = append(lit, image.Pt(i%fashion.ImageSize, i/fashion.ImageSize))
				}
			}
			var want []image.Point
			if tc.wantX >= 0 {
				want = []image.Point{image.Pt(tc.wantX, tc.wantY)}
			}
			if diff := cmp.Diff(want, lit); diff != "" {
				t.Errorf("fashion.Shift(%d, %d) (%s): lit pixels mismatch (-want +got):\n%s", tc.dx, tc.dy, tc.reason, diff)
			}
			if got.Label(0) != 7 || d.Pixels[20*fashion.ImageSize+10] != 255 {
				t.Errorf("fashion.Shift changed the label or the input")
			}
		})
	}
}

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

func TestChartSVG(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name, reason string
		h            History
		circles      int
	}{
		{"empty", "a live chart before the first epoch", History{}, 0},
		{"one epoch", "one point per series and panel", History{Epochs: []EpochStats{{Epoch: 1, Loss: 0.5, Accuracy: 0.8, TestLoss: 0.4, TestAccuracy: 0.85}}}, 4},
		{"no test set", "NaN test values are left out", History{Epochs: []EpochStats{{Epoch: 1, Loss: 0.5, Accuracy: 0.8, TestLoss: nan, TestAccuracy: nan}, {Epoch: 2, Loss: 0.4, Accuracy: 0.85, TestLoss: nan, TestAccuracy: nan}}}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svg := ChartSVG(tc.h)
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

func TestSettings(t *testing.T) {
	for _, tc := range []struct {
		name, reason, epochs, size, wantErr string
		want                                Settings
	}{
		{"defaults", "unset means the lesson's settings", "", "", "", Settings{Epochs: 5, TrainSize: 60000, BatchSize: 32, CheckpointDir: "/ck"}},
		{"ci", "CI's small settings", "1", "2000", "", Settings{Epochs: 1, TrainSize: 2000, BatchSize: 32, CheckpointDir: "/ck"}},
		{"zero", "0 means the default", "0", "0", "", Settings{Epochs: 5, TrainSize: 60000, BatchSize: 32, CheckpointDir: "/ck"}},
		{"negative", "a negative count is refused", "-1", "", `LESSON_EPOCHS="-1": want a whole number`, Settings{}},
		{"words", "a word is refused", "", "many", `LESSON_TRAIN_SIZE="many"`, Settings{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EpochsEnv, tc.epochs)
			t.Setenv(TrainSizeEnv, tc.size)
			t.Setenv(CheckpointDirEnv, "/ck")
			got, err := SettingsFromEnv()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("%s: error %v, want one containing %q", tc.reason, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: mismatch (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
	s := Settings{Epochs: 1, TrainSize: 2000, BatchSize: 32, CheckpointDir: "/ck"}
	if got, want := s.ModelDir(Config{}), "/ck/cnn-filters64-conv2-hidden128-seed1_epochs1_train2000_batch32"; got != want {
		t.Errorf("ModelDir = %q, want %q", got, want)
	}
	if s.ModelDir(Config{DenseOnly: true}) == s.ModelDir(Config{}) || s.ModelDir(Config{Filters: 32}) == s.ModelDir(Config{}) {
		t.Errorf("ModelDir does not tell models apart")
	}
}

// TestLabModelReusesCheckpoint trains a tiny model through Lab.Model, then
// checks that a second call (a later notebook cell) loads it instead.
func TestLabModelReusesCheckpoint(t *testing.T) {
	d := fixtureData(t)
	var out strings.Builder
	lab := &Lab{Settings: Settings{Epochs: 1, TrainSize: 3, BatchSize: 3, CheckpointDir: t.TempDir()}, Backend: testBackend(t), Train: d, Test: d, Out: &out}
	cfg := Config{Filters: 2, Hidden: 4}
	first, err := lab.Fit(cfg)
	if err != nil {
		t.Fatal(err)
	}
	second, err := lab.Model(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "training ") || !strings.Contains(out.String(), "loaded ") {
		t.Errorf("want one training and one loading line, got:\n%s", out.String())
	}
	w1, _ := first.Weights("conv2d")
	w2, _ := second.Weights("conv2d")
	if diff := cmp.Diff(w1, w2); diff != "" {
		t.Errorf("loaded weights mismatch (-want +got):\n%s", diff)
	}
}

func TestConfusion(t *testing.T) {
	d := &fashion.Data{Pixels: make([]uint8, 4*fashion.ImageSize*fashion.ImageSize), Labels: []uint8{0, 0, 3, 9}}
	c, err := NewConfusion(d, []int{0, 6, 3, 9})
	if err != nil {
		t.Fatal(err)
	}
	if c[0][0] != 1 || c[0][6] != 1 || c[3][3] != 1 || c.Accuracy() != 0.75 {
		t.Errorf("confusion %v, accuracy %v; want [0][0]=[0][6]=[3][3]=1, accuracy 0.75", c, c.Accuracy())
	}
	if _, err := NewConfusion(d, []int{0}); err == nil {
		t.Errorf("NewConfusion with too few predictions: no error")
	}
	g, err := MisclassifiedGallery(d, []int{0, 6, 3, 9}, 5)
	if err != nil || strings.Count(g, "<img") != 1 || !strings.Contains(g, "T-shirt/top → Shirt") {
		t.Errorf("MisclassifiedGallery = %q, %v; want one image captioned \"T-shirt/top → Shirt\"", g, err)
	}
}

func ExampleTable_HTML() {
	html := Summary(Config{}).HTML()
	fmt.Println(strings.Count(html, "<tr>"), "rows;", strings.Contains(html, "243,786"))
	// Output: 9 rows; true
}

func ExampleShift() {
	d := &fashion.Data{Pixels: make([]uint8, fashion.ImageSize*fashion.ImageSize), Labels: []uint8{9}}
	d.Pixels[0] = 255 // the top-left pixel
	moved := fashion.Shift(d, 4, 1)
	fmt.Println(moved.Image(0).GrayAt(4, 1).Y, moved.Image(0).GrayAt(0, 0).Y)
	// Output: 255 0
}
