package fashion

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var updateIDX = flag.Bool("update-idx", false, "rewrite the tiny IDX fixtures in testdata/")

// fixtureLabelValues are the labels of the three fixture images: Trouser, Bag, Ankle boot.
func fixtureLabelValues() []uint8 { return []uint8{1, 8, 9} }

// fixturePixels returns the 3×28×28 pixels of the fixture images: two vertical bars (a trouser), a
// filled box with a handle (a bag), and a ramp through every value 0..255 (for scaling tests).
func fixturePixels() []uint8 {
	p := make([]uint8, 3*pixelsPerImage)
	for r := range ImageSize {
		for c := range ImageSize {
			if r >= 2 && r < 26 && (c >= 8 && c < 13 || c >= 15 && c < 20) {
				p[r*ImageSize+c] = 255
			}
			switch {
			case r >= 10 && r < 25 && c >= 4 && c < 24:
				p[pixelsPerImage+r*ImageSize+c] = 200
			case r >= 4 && r < 10 && (c == 10 || c == 17):
				p[pixelsPerImage+r*ImageSize+c] = 128
			}
			p[2*pixelsPerImage+r*ImageSize+c] = uint8((r*ImageSize + c) % 256)
		}
	}
	return p
}

// idxBytes encodes an IDX file with the given magic number, dimensions and data.
func idxBytes(magic uint32, dims []int, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, data...)
}

// fixtureImages and fixtureLabels return the raw (uncompressed) fixture IDX files.
func fixtureImages() []byte {
	return idxBytes(imagesMagic, []int{3, ImageSize, ImageSize}, fixturePixels())
}

func fixtureLabels() []byte { return idxBytes(labelsMagic, []int{3}, fixtureLabelValues()) }

// gzipBytes compresses b; the output depends only on b (no name, no time).
func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sha256Hex returns the SHA-256 of b in lowercase hex.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// readFixture returns the bytes of testdata/name.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("%v; regenerate the fixtures with go test ./lesson/fashion -run TestIDXFixtures -update-idx", err)
	}
	return b
}

// TestIDXFixtures checks that testdata/ holds the fixtures the helpers above generate, and rewrites them
// with -update-idx. The .gz files are compared decoded, so another gzip encoder does not break the test.
func TestIDXFixtures(t *testing.T) {
	fixtures := map[string][]byte{
		"tiny-images-idx3-ubyte": fixtureImages(),
		"tiny-labels-idx1-ubyte": fixtureLabels(),
	}
	for name, want := range fixtures {
		if *updateIDX {
			for file, b := range map[string][]byte{name: want, name + ".gz": gzipBytes(t, want)} {
				if err := os.WriteFile(filepath.Join("testdata", file), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, file := range []string{name, name + ".gz"} {
			got, err := decode(bytes.NewReader(readFixture(t, file)))
			if err != nil {
				t.Fatalf("testdata/%s: %v", file, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("testdata/%s is stale; run with -update-idx: mismatch (-want +got):\n%s", file, diff)
			}
		}
	}
}

func TestReadIDX(t *testing.T) {
	type result struct {
		Dims []int
		Data []byte
	}
	tests := []struct {
		name, reason string
		input        []byte
		want         result
	}{
		{"images raw", "the uncompressed fixture is read as is",
			readFixture(t, "tiny-images-idx3-ubyte"), result{[]int{3, 28, 28}, fixturePixels()}},
		{"images gz", "gzip is detected by its magic bytes, not by a name",
			readFixture(t, "tiny-images-idx3-ubyte.gz"), result{[]int{3, 28, 28}, fixturePixels()}},
		{"labels gz", "one-dimensional files are IDX too",
			readFixture(t, "tiny-labels-idx1-ubyte.gz"), result{[]int{3}, fixtureLabelValues()}},
		{"other shape", "readIDX itself accepts any dimensions of unsigned bytes",
			idxBytes(0x00000802, []int{2, 3}, []byte{1, 2, 3, 4, 5, 6}), result{[]int{2, 3}, []byte{1, 2, 3, 4, 5, 6}}},
		{"empty", "zero examples is a valid, empty file",
			idxBytes(labelsMagic, []int{0}, nil), result{[]int{0}, []byte{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dims, data, err := readIDX(bytes.NewReader(tt.input))
			if err != nil {
				t.Fatalf("readIDX: %v (%s)", err, tt.reason)
			}
			if diff := cmp.Diff(tt.want, result{dims, data}); diff != "" {
				t.Errorf("%s: mismatch (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

// TestIDXCorruptInputs is the table of damaged files and the error each must give, in the manner of
// image/png's readerErrors.
func TestIDXCorruptInputs(t *testing.T) {
	images, labels := fixtureImages(), fixtureLabels()
	imagesGz := gzipBytes(t, images)
	badCRC := bytes.Clone(imagesGz)
	badCRC[len(badCRC)-8] ^= 0xff // the CRC-32 in the gzip trailer
	withHeader := func(b []byte, off int, v uint32) []byte {
		b = bytes.Clone(b)
		binary.BigEndian.PutUint32(b[off:], v)
		return b
	}
	tests := []struct {
		name, reason   string
		images, labels []byte
		wantErr        string
	}{
		{"empty images", "a zero-length file has no magic number",
			nil, labels, "fashion: images: truncated header: found 0 bytes, want at least 4"},
		{"truncated header", "the magic says 3 dimensions, so the header needs 16 bytes",
			images[:10], labels, "fashion: images: truncated header: found 10 bytes, want 16 for 3 dimensions"},
		{"truncated data", "a download cut short misses the end of the pixels",
			images[:len(images)-100], labels, "fashion: images: truncated data: header [3 28 28] announces 2352 bytes, found 2252"},
		{"trailing bytes", "bytes past the announced data mean a damaged file",
			append(bytes.Clone(images), 1, 2, 3, 4, 5), labels, "fashion: images: 5 trailing bytes after the 2352 bytes that header [3 28 28] announces"},
		{"wrong magic", "the first two bytes of an IDX file are zero",
			withHeader(images, 0, 0x08030000), labels, "fashion: images: bad magic number 0x08030000: want 0x000008NN"},
		{"float elements", "only unsigned bytes (type 0x08) are Fashion-MNIST",
			withHeader(images, 0, 0x00000d03), labels, "element type 0x0d: want 0x08"},
		{"labels as images", "swapped files are caught by the dimension count in the magic",
			labels, images, "fashion: images: magic number 0x00000801: want 0x00000803 (images"},
		{"images as labels", "a 3-dimensional file is not labels",
			images, images, "fashion: labels: magic number 0x00000803: want 0x00000801 (labels"},
		{"wrong dims", "MNIST-like files of another size are not Fashion-MNIST",
			idxBytes(imagesMagic, []int{1, 32, 32}, make([]byte, 32*32)), idxBytes(labelsMagic, []int{1}, []byte{0}),
			"fashion: images: images are 32×32 pixels: want 28×28"},
		{"huge header", "dimensions are checked before any allocation",
			withHeader(images, 4, 1<<31), labels, "header dimensions [2147483648 28 28] exceed 128 MiB"},
		{"count mismatch", "images and labels must pair up one to one",
			images, idxBytes(labelsMagic, []int{2}, []byte{1, 8}), "fashion: images has 3 images but labels has 2 labels"},
		{"label out of range", "labels index the 10 classes",
			images, idxBytes(labelsMagic, []int{3}, []byte{1, 10, 9}), "fashion: labels: label 10 at index 1: want 0..9"},
		{"bad gzip", "gzip magic followed by garbage",
			append([]byte{0x1f, 0x8b}, "not really gzip"...), labels, "fashion: images: bad gzip data: gzip: invalid header"},
		{"truncated gzip", "a .gz download cut short",
			imagesGz[:len(imagesGz)/2], labels, "fashion: images: bad gzip data: unexpected EOF"},
		{"gzip crc", "gzip's own CRC catches corrupted data",
			badCRC, labels, "fashion: images: bad gzip data: gzip: invalid checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ReadData(bytes.NewReader(tt.images), bytes.NewReader(tt.labels))
			if err == nil {
				t.Fatalf("ReadData returned %d examples and no error, want %q (%s)", d.Len(), tt.wantErr, tt.reason)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ReadData error:\n  %v\nwant it to contain:\n  %s\n(%s)", err, tt.wantErr, tt.reason)
			}
		})
	}
}

func TestIDXChecksum(t *testing.T) {
	if err := checkSHA256(fixtureLabels(), sha256Hex(fixtureLabels())); err != nil {
		t.Errorf("checkSHA256 of matching bytes: %v", err)
	}
	err := checkSHA256(fixtureLabels(), strings.Repeat("0", 64))
	want := "sha256 mismatch (got " + sha256Hex(fixtureLabels()) + ", want " + strings.Repeat("0", 64) + ")"
	if err == nil || err.Error() != want {
		t.Errorf("checkSHA256 of other bytes = %v, want %s", err, want)
	}
}
