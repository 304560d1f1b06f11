package fashion

import (
	"fmt"
	"image"
)

const (
	// ImageSize is the width and height of a Fashion-MNIST image, in pixels.
	ImageSize = 28

	// NumClasses is the number of Fashion-MNIST classes; labels are 0..NumClasses-1.
	NumClasses = 10

	// pixelsPerImage is the number of bytes of one image in Data.Pixels.
	pixelsPerImage = ImageSize * ImageSize
)

// ClassNames returns the names of the Fashion-MNIST classes, indexed by label 0..9: "T-shirt/top",
// "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot". Each call
// returns a fresh slice that the caller may modify.
func ClassNames() []string {
	return []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
		"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
}

// ClassNamesIn returns the class names in language lang, indexed by label 0..9 like ClassNames:
// for "zh", the usual Simplified Chinese names "T恤/上衣", "裤子", "套头衫", "连衣裙", "外套", "凉鞋",
// "衬衫", "运动鞋", "包", "短靴"; for "en", and for any other value, the English ClassNames. The
// caller chooses the language (package viz takes it from the notebook's kernel); each call returns a
// fresh slice that the caller may modify.
func ClassNamesIn(lang string) []string {
	if lang == "zh" {
		return []string{"T恤/上衣", "裤子", "套头衫", "连衣裙", "外套",
			"凉鞋", "衬衫", "运动鞋", "包", "短靴"}
	}
	return ClassNames()
}

// Split names one part of Fashion-MNIST: Train (60,000 examples) or Test (10,000 examples).
type Split string

const (
	// Train is the training split: files train-images-idx3-ubyte and train-labels-idx1-ubyte.
	Train Split = "train"
	// Test is the test split: files t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte.
	Test Split = "test"
)

// files returns the base names (without .gz) of the images and labels files of s.
func (s Split) files() (images, labels string, err error) {
	switch s {
	case Train:
		return "train-images-idx3-ubyte", "train-labels-idx1-ubyte", nil
	case Test:
		return "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", nil
	}
	return "", "", fmt.Errorf("fashion: unknown split %q: want %q (fashion.Train) or %q (fashion.Test)", string(s), Train, Test)
}

// Data is one split of Fashion-MNIST in memory: N grayscale images of 28×28 pixels and their labels.
// Load and ReadData return it; Head and Select cut it down.
type Data struct {
	// Pixels holds the N images one after the other, shape [N, 28, 28] flattened in row-major order
	// (image, row, column); 0 is the background and 255 the brightest pixel.
	Pixels []uint8
	// Labels holds the class of each image, shape [N], values 0..9 indexing ClassNames.
	Labels []uint8
}

// Len returns the number of examples N.
func (d *Data) Len() int {
	return len(d.Labels)
}

// checkIndex panics with a clear message if i is not an example index of d.
func (d *Data) checkIndex(method string, i int) {
	if i < 0 || i >= d.Len() {
		panic(fmt.Sprintf("fashion: Data.%s: index %d out of range [0, %d)", method, i, d.Len()))
	}
}

// Image returns a copy of example i as a 28×28 grayscale image (changing it does not change d). It
// panics if i is not in [0, Len()), like indexing a slice.
func (d *Data) Image(i int) *image.Gray {
	d.checkIndex("Image", i)
	img := image.NewGray(image.Rect(0, 0, ImageSize, ImageSize))
	copy(img.Pix, d.Pixels[i*pixelsPerImage:(i+1)*pixelsPerImage])
	return img
}

// Label returns the class 0..9 of example i; ClassNames()[d.Label(i)] is its name. It panics if i is not
// in [0, Len()).
func (d *Data) Label(i int) int {
	d.checkIndex("Label", i)
	return int(d.Labels[i])
}

// Head returns the first n examples of d, sharing d's memory (appending to its slices does not overwrite
// d). If n <= 0 or n >= Len(), it returns all of d.
func (d *Data) Head(n int) *Data {
	if n <= 0 || n >= d.Len() {
		n = d.Len()
	}
	return &Data{
		Pixels: d.Pixels[: n*pixelsPerImage : n*pixelsPerImage],
		Labels: d.Labels[:n:n],
	}
}

// Select returns a copy of the examples at indices, in that order; indices may repeat. It panics if an
// index is not in [0, Len()).
func (d *Data) Select(indices []int) *Data {
	out := &Data{
		Pixels: make([]uint8, 0, len(indices)*pixelsPerImage),
		Labels: make([]uint8, 0, len(indices)),
	}
	for _, i := range indices {
		d.checkIndex("Select", i)
		out.Pixels = append(out.Pixels, d.Pixels[i*pixelsPerImage:(i+1)*pixelsPerImage]...)
		out.Labels = append(out.Labels, d.Labels[i])
	}
	return out
}

// Floats returns the pixels of examples [start, end) scaled from 0..255 to [0, 1], as the float32 input
// of a convolutional model: shape [end-start, 28, 28, 1] flattened in row-major order. It panics unless
// 0 <= start <= end <= Len(), like slicing.
func (d *Data) Floats(start, end int) []float32 {
	if start < 0 || end < start || end > d.Len() {
		panic(fmt.Sprintf("fashion: Data.Floats: range [%d, %d) out of range [0, %d)", start, end, d.Len()))
	}
	pixels := d.Pixels[start*pixelsPerImage : end*pixelsPerImage]
	out := make([]float32, len(pixels))
	for i, p := range pixels {
		out[i] = float32(p) / 255
	}
	return out
}
