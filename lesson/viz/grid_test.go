package viz

import (
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonb-lessons/convolutions/lesson"
	"github.com/gonb-lessons/convolutions/lesson/internal/golden"
)

// tiny is the lesson's network with 4 filters and 8 hidden units.
func tiny(s *lesson.Seq) {
	s.Conv2D(4, 3, lesson.ReLU)
	s.MaxPool2D(2)
	s.Conv2D(4, 3, lesson.ReLU)
	s.MaxPool2D(2)
	s.Flatten()
	s.Dense(8, lesson.ReLU)
	s.Dense(10, lesson.Softmax)
}

// model returns net built on the go backend, untrained, seed 1.
func model(t testing.TB, net lesson.Network) *lesson.Model {
	t.Helper()
	backend, _, err := lesson.NewBackend("go")
	if err != nil {
		t.Fatal(err)
	}
	m, err := lesson.NewModel(backend, net, lesson.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// gridModel returns a fixed tiny model (4 filters, untrained, seed 1) and
// its activations on the three fixture images.
func gridModel(t *testing.T) (*lesson.Model, []lesson.Tensor) {
	t.Helper()
	m := model(t, tiny)
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
	if golden.Updating() {
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
		t.Fatalf("%v (create it with: go test ./lesson/viz -run %s -update)", err, t.Name())
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
		t.Errorf("%s: %d pixels differ, first at %s (if the change is intended: go test ./lesson/viz -run %s -update)", path, bad, first, t.Name())
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
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "viz: ") {
				t.Errorf("error %v; want one starting with \"viz: \" and containing %q", err, tc.want)
			}
		})
	}
}
