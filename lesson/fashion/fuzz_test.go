package fashion

import (
	"bytes"
	"compress/gzip"
	"testing"
)

// idxProduct returns the product of dims, or -1 if it overflows maxIDXBytes.
func idxProduct(dims []int) int {
	n := 1
	for _, d := range dims {
		if d < 0 {
			return -1
		}
		if n *= d; n > maxIDXBytes {
			return -1
		}
	}
	return n
}

// gzipSeed compresses b with Huffman coding only: its writer allocates a few kilobytes, not the
// megabyte of the default level, which keeps the fuzzer (and its minimizer) fast.
func gzipSeed(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.HuffmanOnly)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// FuzzReadIDX checks that readIDX never panics and never returns data whose length disagrees with the
// dimensions of the header, on raw and on gzip input. The seeds in testdata/fuzz/FuzzReadIDX run with
// plain go test.
func FuzzReadIDX(f *testing.F) {
	f.Add(fixtureLabels(), false)
	f.Add(fixtureImages()[:40], false)
	f.Add(idxBytes(0x00000802, []int{2, 3}, []byte{1, 2, 3, 4, 5, 6}), true)
	f.Add(idxBytes(labelsMagic, []int{0}, nil), false)
	f.Fuzz(func(t *testing.T, b []byte, compress bool) {
		if compress {
			b = gzipSeed(b)
		}
		dims, data, err := readIDX(bytes.NewReader(b))
		if err != nil {
			if dims != nil || data != nil {
				t.Fatalf("readIDX returned dims %v and %d bytes with error %v, want neither", dims, len(data), err)
			}
			return
		}
		if len(dims) == 0 {
			t.Fatalf("readIDX accepted a file with no dimensions")
		}
		if n := idxProduct(dims); n != len(data) {
			t.Fatalf("readIDX returned dims %v (product %d) with %d bytes of data", dims, n, len(data))
		}
	})
}

// FuzzReadData checks that ReadData never panics and that what it returns is consistent: 28×28 bytes per
// label, labels 0..9, so that every Data method works on it.
func FuzzReadData(f *testing.F) {
	f.Add(idxBytes(imagesMagic, []int{1, ImageSize, ImageSize}, fixturePixels()[:pixelsPerImage]), idxBytes(labelsMagic, []int{1}, []byte{1}), false)
	f.Add(idxBytes(imagesMagic, []int{1, ImageSize, ImageSize}, make([]byte, pixelsPerImage)), idxBytes(labelsMagic, []int{1}, []byte{9}), true)
	f.Add(fixtureImages()[:20], fixtureLabels(), false)
	f.Add(idxBytes(imagesMagic, []int{0, ImageSize, ImageSize}, nil), idxBytes(labelsMagic, []int{0}, nil), false)
	f.Fuzz(func(t *testing.T, images, labels []byte, compress bool) {
		if compress {
			images, labels = gzipSeed(images), gzipSeed(labels)
		}
		d, err := ReadData(bytes.NewReader(images), bytes.NewReader(labels))
		if err != nil {
			if d != nil {
				t.Fatalf("ReadData returned data with error %v", err)
			}
			return
		}
		if len(d.Pixels) != d.Len()*pixelsPerImage {
			t.Fatalf("ReadData returned %d labels and %d pixel bytes, want %d", d.Len(), len(d.Pixels), d.Len()*pixelsPerImage)
		}
		for i := range d.Len() {
			if l := d.Label(i); l < 0 || l >= NumClasses {
				t.Fatalf("label %d at index %d, want 0..%d", l, i, NumClasses-1)
			}
			d.Image(i)
		}
		d.Floats(0, d.Len())
	})
}
