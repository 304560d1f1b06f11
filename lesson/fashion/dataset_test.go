package fashion

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fixtureData returns the three fixture examples.
func fixtureData(t testing.TB) *Data {
	t.Helper()
	d, err := ReadData(bytes.NewReader(readFixture(t, "tiny-images-idx3-ubyte.gz")),
		bytes.NewReader(readFixture(t, "tiny-labels-idx1-ubyte")))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDatasetClassNames(t *testing.T) {
	want := []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
		"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
	got := ClassNames()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ClassNames: mismatch (-want +got):\n%s", diff)
	}
	if len(got) != NumClasses {
		t.Errorf("len(ClassNames()) = %d, want NumClasses = %d", len(got), NumClasses)
	}
	got[0] = "changed"
	if ClassNames()[0] != want[0] {
		t.Errorf("changing the slice ClassNames returned changed the next call's: each call must return a fresh slice")
	}
}

func TestDatasetClassNamesIn(t *testing.T) {
	for _, tc := range []struct {
		lang, reason string
		want         []string
	}{
		{"zh", "the Chinese edition's names, in label order",
			[]string{"T恤/上衣", "裤子", "套头衫", "连衣裙", "外套", "凉鞋", "衬衫", "运动鞋", "包", "短靴"}},
		{"en", "English is ClassNames", ClassNames()},
		{"", "no language is English", ClassNames()},
		{"fr", "a language without names falls back to English", ClassNames()},
		{"ZH", "the language is matched exactly: viz normalises LESSON_LANG", ClassNames()},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			got := ClassNamesIn(tc.lang)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ClassNamesIn(%q) (%s): mismatch (-want +got):\n%s", tc.lang, tc.reason, diff)
			}
			got[0] = "changed"
			if ClassNamesIn(tc.lang)[0] != tc.want[0] {
				t.Errorf("changing the slice ClassNamesIn(%q) returned changed the next call's", tc.lang)
			}
		})
	}
}

func TestDatasetMethods(t *testing.T) {
	d := fixtureData(t)
	pixels := fixturePixels()
	if got, want := d.Len(), 3; got != want {
		t.Fatalf("Len() = %d, want %d", got, want)
	}

	t.Run("Image", func(t *testing.T) {
		for i := range d.Len() {
			img := d.Image(i)
			if got, want := img.Bounds(), image.Rect(0, 0, ImageSize, ImageSize); got != want {
				t.Fatalf("Image(%d).Bounds() = %v, want %v", i, got, want)
			}
			for y := range ImageSize {
				for x := range ImageSize {
					if got, want := img.GrayAt(x, y).Y, pixels[i*pixelsPerImage+y*ImageSize+x]; got != want {
						t.Fatalf("Image(%d) pixel (x=%d, y=%d) = %d, want %d", i, x, y, got, want)
					}
				}
			}
		}
		d.Image(0).Pix[0] = 42
		if d.Pixels[0] != pixels[0] {
			t.Errorf("changing Image(0) changed Data.Pixels: Image must return a copy")
		}
	})

	t.Run("Label", func(t *testing.T) {
		var got []string
		for i := range d.Len() {
			got = append(got, ClassNames()[d.Label(i)])
		}
		if diff := cmp.Diff([]string{"Trouser", "Bag", "Ankle boot"}, got); diff != "" {
			t.Errorf("class names of the fixture labels: mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("Head", func(t *testing.T) {
		tests := []struct {
			name, reason string
			n, wantLen   int
		}{
			{"two", "a prefix", 2, 2},
			{"zero", "n <= 0 means all", 0, 3},
			{"negative", "n <= 0 means all", -1, 3},
			{"too many", "n >= Len means all", 5, 3},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := d.Head(tt.n)
				want := &Data{Pixels: pixels[:tt.wantLen*pixelsPerImage], Labels: fixtureLabelValues()[:tt.wantLen]}
				if diff := cmp.Diff(want, h); diff != "" {
					t.Errorf("Head(%d) (%s): mismatch (-want +got):\n%s", tt.n, tt.reason, diff)
				}
				if &h.Pixels[0] != &d.Pixels[0] || &h.Labels[0] != &d.Labels[0] {
					t.Errorf("Head(%d) copied the data, want it to share memory", tt.n)
				}
			})
		}
		h := d.Head(1)
		_ = append(h.Labels, 7)
		if d.Labels[1] != 8 {
			t.Errorf("appending to Head(1).Labels overwrote Data.Labels[1] = %d, want 8", d.Labels[1])
		}
	})

	t.Run("Select", func(t *testing.T) {
		s := d.Select([]int{2, 0, 2})
		want := &Data{
			Pixels: append(append(bytes.Clone(pixels[2*pixelsPerImage:]), pixels[:pixelsPerImage]...), pixels[2*pixelsPerImage:]...),
			Labels: []uint8{9, 1, 9},
		}
		if diff := cmp.Diff(want, s); diff != "" {
			t.Errorf("Select([2 0 2]): mismatch (-want +got):\n%s", diff)
		}
		s.Labels[1] = 5
		if d.Labels[0] != 1 {
			t.Errorf("changing Select's result changed the source: Select must copy")
		}
		if got := d.Select(nil).Len(); got != 0 {
			t.Errorf("Select(nil).Len() = %d, want 0", got)
		}
	})

	t.Run("Floats", func(t *testing.T) {
		f := d.Floats(1, 3)
		if got, want := len(f), 2*ImageSize*ImageSize*1; got != want {
			t.Fatalf("len(Floats(1, 3)) = %d, want %d ([2, 28, 28, 1])", got, want)
		}
		for i, v := range f {
			if want := float32(pixels[pixelsPerImage+i]) / 255; v != want {
				t.Fatalf("Floats(1, 3)[%d] = %v, want %v", i, v, want)
			}
		}
		ramp := f[pixelsPerImage:] // image 2 holds every value 0..255
		if ramp[0] != 0 || ramp[255] != 1 {
			t.Errorf("Floats scales 0 to %v and 255 to %v, want 0 and 1", ramp[0], ramp[255])
		}
		if got := len(d.Floats(1, 1)); got != 0 {
			t.Errorf("len(Floats(1, 1)) = %d, want 0", got)
		}
	})

	t.Run("panics", func(t *testing.T) {
		tests := []struct {
			name, reason string
			call         func()
			wantPanic    string
		}{
			{"Image past end", "like a slice index", func() { d.Image(3) }, "fashion: Data.Image: index 3 out of range [0, 3)"},
			{"Image negative", "like a slice index", func() { d.Image(-1) }, "fashion: Data.Image: index -1 out of range [0, 3)"},
			{"Label past end", "like a slice index", func() { d.Label(3) }, "fashion: Data.Label: index 3 out of range [0, 3)"},
			{"Select past end", "every index is checked", func() { d.Select([]int{0, 3}) }, "fashion: Data.Select: index 3 out of range [0, 3)"},
			{"Floats reversed", "like slicing", func() { d.Floats(2, 1) }, "fashion: Data.Floats: range [2, 1) out of range [0, 3)"},
			{"Floats past end", "like slicing", func() { d.Floats(0, 4) }, "fashion: Data.Floats: range [0, 4) out of range [0, 3)"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				defer func() {
					if got := fmt.Sprint(recover()); got != tt.wantPanic {
						t.Errorf("panic %q, want %q (%s)", got, tt.wantPanic, tt.reason)
					}
				}()
				tt.call()
			})
		}
	})
}

// TestLoadRealFashionMNIST loads the files of Debian's dataset-fashion-mnist package, checking that
// their gzip headers (which differ from the canonical files') do not matter.
func TestLoadRealFashionMNIST(t *testing.T) {
	const dir = "/usr/share/datasets/fashion-mnist"
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("%v: the real Fashion-MNIST files are missing; install them with "+
			"`apt-get install dataset-fashion-mnist` (CI does)", err)
	}
	var log strings.Builder
	train, test, err := loadBoth(context.Background(), LoadOptions{CacheDir: t.TempDir(), SystemDir: dir, NoDownload: true, Log: &log})
	if err != nil {
		t.Fatalf("loadBoth: %v", err)
	}
	if log.Len() != 0 {
		t.Errorf("loadBoth logged %q, want nothing (the system files are good)", log.String())
	}
	explicit, err := Load(context.Background(), Test, LoadOptions{Dir: dir})
	if err != nil {
		t.Fatalf("Load(Test) with Dir %s: %v", dir, err)
	}

	type summary struct {
		Len, PixelBytes int
		FirstLabels     []uint8
		Histogram       [NumClasses]int
	}
	summarize := func(d *Data) summary {
		s := summary{Len: d.Len(), PixelBytes: len(d.Pixels), FirstLabels: d.Labels[:4]}
		for _, l := range d.Labels {
			s.Histogram[l]++
		}
		return s
	}
	even := func(n int) (h [NumClasses]int) {
		for i := range h {
			h[i] = n
		}
		return h
	}
	tests := []struct {
		name, reason string
		data         *Data
		want         summary
	}{
		{"train", "60,000 examples, 6,000 per class", train,
			summary{60000, 60000 * 784, []uint8{9, 0, 0, 3}, even(6000)}},
		{"test", "10,000 examples, 1,000 per class", test,
			summary{10000, 10000 * 784, []uint8{9, 2, 1, 1}, even(1000)}},
		{"test from Dir", "an explicit Dir holding the Debian files works too", explicit,
			summary{10000, 10000 * 784, []uint8{9, 2, 1, 1}, even(1000)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, summarize(tt.data)); diff != "" {
				t.Errorf("%s: mismatch (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

// loadBoth returns the Train and Test splits of Fashion-MNIST, as Load does.
func loadBoth(ctx context.Context, opts LoadOptions) (train, test *Data, err error) {
	l := newLoader(opts)
	defer l.close()
	if train, err = loadSplit(ctx, l, Train); err != nil {
		return nil, nil, err
	}
	if test, err = loadSplit(ctx, l, Test); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}
