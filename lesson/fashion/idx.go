package fashion

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// IDX is the file format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian
// magic number 0x0000TTNN (TT the element type, 0x08 for unsigned bytes; NN the number of dimensions),
// NN big-endian uint32 sizes, then the elements in row-major order.
const (
	idxTypeUint8 = 0x08
	imagesMagic  = 0x00000803 // unsigned bytes, 3 dimensions: [n, 28, 28]
	labelsMagic  = 0x00000801 // unsigned bytes, 1 dimension: [n]

	// maxIDXBytes bounds the decoded size of one file; the largest Fashion-MNIST file has 47,040,016 bytes.
	maxIDXBytes = 128 << 20
)

// errChecksum marks a file whose decoded bytes do not have the expected SHA-256.
var errChecksum = errors.New("sha256 mismatch")

// readIDX reads one IDX file of unsigned bytes from r and returns its dimensions and its elements in
// row-major order, so len(data) is the product of dims. The file may be gzip-compressed or raw; gzip is
// recognised by its magic bytes 0x1f 0x8b, not by a file name.
//
// readIDX checks the magic number (0x000008NN: unsigned bytes, NN dimensions), that the data has exactly
// the number of bytes the header announces (neither truncated nor followed by trailing bytes), and that
// the decoded file is at most 128 MiB. It does not check what the dimensions are: ReadData does that for
// Fashion-MNIST images ([n, 28, 28], magic 0x00000803) and labels ([n], magic 0x00000801).
func readIDX(r io.Reader) (dims []int, data []byte, err error) {
	raw, err := decode(r)
	if err != nil {
		return nil, nil, fmt.Errorf("fashion: %w", err)
	}
	dims, data, err = parseIDX(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("fashion: %w", err)
	}
	return dims, data, nil
}

// ReadData reads a Fashion-MNIST split from an IDX images file ([n, 28, 28] unsigned bytes, magic
// 0x00000803) and an IDX labels file ([n] values 0..9, magic 0x00000801), each gzip-compressed or raw. It
// checks the format as readIDX does and that both files hold the same number of examples, but not the
// SHA-256 checksums of the published files: use Load for the real data set.
func ReadData(images, labels io.Reader) (*Data, error) {
	img, err := decode(images)
	if err != nil {
		return nil, fmt.Errorf("fashion: images: %w", err)
	}
	lbl, err := decode(labels)
	if err != nil {
		return nil, fmt.Errorf("fashion: labels: %w", err)
	}
	return newData(img, lbl, "images", "labels")
}

// newData parses decoded IDX images and labels named imgName and lblName (used in errors).
func newData(img, lbl []byte, imgName, lblName string) (*Data, error) {
	pixels, n, err := parseImages(img)
	if err != nil {
		return nil, fmt.Errorf("fashion: %s: %w", imgName, err)
	}
	labels, err := parseLabels(lbl)
	if err != nil {
		return nil, fmt.Errorf("fashion: %s: %w", lblName, err)
	}
	if n != len(labels) {
		return nil, fmt.Errorf("fashion: %s has %d images but %s has %d labels; "+
			"both files must come from the same split (train-* or t10k-*)", imgName, n, lblName, len(labels))
	}
	return &Data{Pixels: pixels, Labels: labels}, nil
}

// isGzip reports whether b starts with the gzip magic bytes.
func isGzip(b []byte) bool {
	return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b
}

// corruptError marks an error that the bytes themselves prove: bad gzip data, a bad IDX header, a wrong
// size or checksum. Only such a file may be removed from the cache; an error opening or reading it (no
// permission, an I/O error, a cancelled context) says nothing about its bytes.
type corruptError struct{ err error }

func (e *corruptError) Error() string { return e.err.Error() }
func (e *corruptError) Unwrap() error { return e.err }

// corrupt marks err as proved by the bytes; see corruptError.
func corrupt(err error) error { return &corruptError{err} }

// isCorrupt reports whether err, or an error it wraps, is a corruptError.
func isCorrupt(err error) bool {
	var c *corruptError
	return errors.As(err, &c)
}

// readErrRecorder remembers the first error other than io.EOF that its reader returns, so that decode
// can tell a failing reader from bad gzip data (gzip passes its reader's errors through unchanged).
type readErrRecorder struct {
	r   io.Reader
	err error
}

func (e *readErrRecorder) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// decode returns the bytes of r, gunzipped when r starts with the gzip magic bytes. Errors the bytes
// prove (bad gzip data, too large) are corruptErrors; errors of r itself are not.
func decode(r io.Reader) ([]byte, error) {
	rec := &readErrRecorder{r: r}
	br := bufio.NewReader(rec)
	head, err := br.Peek(2)
	if rec.err != nil {
		return nil, fmt.Errorf("reading: %w", rec.err)
	}
	src := io.Reader(br)
	compressed := isGzip(head)
	if compressed {
		zr, err := gzip.NewReader(br)
		switch {
		case rec.err != nil:
			return nil, fmt.Errorf("reading: %w", rec.err)
		case err != nil:
			return nil, corrupt(fmt.Errorf("bad gzip data: %w (the file is damaged or incomplete)", err))
		}
		defer zr.Close()
		src = zr
	}
	var buf bytes.Buffer
	_, err = buf.ReadFrom(io.LimitReader(src, maxIDXBytes+1))
	switch {
	case rec.err != nil:
		return nil, fmt.Errorf("reading: %w", rec.err)
	case err != nil && compressed:
		return nil, corrupt(fmt.Errorf("bad gzip data: %w (the file is damaged or incomplete)", err))
	case err != nil:
		return nil, fmt.Errorf("reading: %w", err)
	case buf.Len() > maxIDXBytes:
		return nil, corrupt(fmt.Errorf("file is larger than %d MiB decoded; this is not a Fashion-MNIST IDX file", maxIDXBytes>>20))
	}
	return buf.Bytes(), nil
}

// parseIDX splits a decoded IDX file into its dimensions and its data, which aliases b.
func parseIDX(b []byte) (dims []int, data []byte, err error) {
	if len(b) < 4 {
		return nil, nil, fmt.Errorf("truncated header: found %d bytes, want at least 4 for the magic number; "+
			"the file is incomplete", len(b))
	}
	magic := binary.BigEndian.Uint32(b)
	if b[0] != 0 || b[1] != 0 {
		return nil, nil, fmt.Errorf("bad magic number 0x%08x: want 0x000008NN; this is not an IDX file", magic)
	}
	if b[2] != idxTypeUint8 {
		return nil, nil, fmt.Errorf("magic number 0x%08x has element type 0x%02x: want 0x%02x (unsigned byte)",
			magic, b[2], idxTypeUint8)
	}
	nd := int(b[3])
	if nd == 0 {
		return nil, nil, fmt.Errorf("magic number 0x%08x has 0 dimensions: want at least 1", magic)
	}
	header := 4 + 4*nd
	if len(b) < header {
		return nil, nil, fmt.Errorf("truncated header: found %d bytes, want %d for %d dimensions; "+
			"the file is incomplete", len(b), header, nd)
	}
	dims = make([]int, nd)
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(b[4+4*i:]))
	}
	size := int64(1)
	for _, d := range dims {
		if size *= int64(d); size > maxIDXBytes {
			return nil, nil, fmt.Errorf("header dimensions %v exceed %d MiB; this is not a Fashion-MNIST IDX file",
				dims, maxIDXBytes>>20)
		}
	}
	switch found := int64(len(b) - header); {
	case found < size:
		return nil, nil, fmt.Errorf("truncated data: header %v announces %d bytes, found %d; "+
			"the file is incomplete", dims, size, found)
	case found > size:
		return nil, nil, fmt.Errorf("%d trailing bytes after the %d bytes that header %v announces; "+
			"the file is damaged", found-size, size, dims)
	}
	end := header + int(size)
	return dims, b[header:end:end], nil
}

// parseImages parses a decoded IDX images file: magic 0x00000803, dimensions [n, 28, 28].
func parseImages(b []byte) (pixels []uint8, n int, err error) {
	dims, data, err := parseIDX(b)
	if err != nil {
		return nil, 0, err
	}
	if len(dims) != 3 {
		return nil, 0, fmt.Errorf("magic number 0x%08x: want 0x%08x (images, [n, %d, %d] unsigned bytes); "+
			"is this a labels file?", 0x800|len(dims), imagesMagic, ImageSize, ImageSize)
	}
	if dims[1] != ImageSize || dims[2] != ImageSize {
		return nil, 0, fmt.Errorf("images are %d×%d pixels: want %d×%d; this is not Fashion-MNIST",
			dims[1], dims[2], ImageSize, ImageSize)
	}
	return data, dims[0], nil
}

// parseLabels parses a decoded IDX labels file: magic 0x00000801, dimension [n], values 0..9.
func parseLabels(b []byte) ([]uint8, error) {
	dims, data, err := parseIDX(b)
	if err != nil {
		return nil, err
	}
	if len(dims) != 1 {
		return nil, fmt.Errorf("magic number 0x%08x: want 0x%08x (labels, [n] unsigned bytes); "+
			"is this an images file?", 0x800|len(dims), labelsMagic)
	}
	for i, l := range data {
		if int(l) >= NumClasses {
			return nil, fmt.Errorf("label %d at index %d: want 0..%d", l, i, NumClasses-1)
		}
	}
	return data, nil
}

// checkSHA256 returns a corruptError wrapping errChecksum unless the SHA-256 of b is want (lowercase hex).
func checkSHA256(b []byte, want string) error {
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != want {
		return corrupt(fmt.Errorf("%w (got %s, want %s)", errChecksum, got, want))
	}
	return nil
}
