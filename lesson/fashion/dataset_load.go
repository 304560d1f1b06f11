package fashion

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const (
	// dataDirEnv names the environment variable that plays LoadOptions.Dir when that is empty.
	dataDirEnv = "LESSON_DATA_DIR"
	// systemDir is where Debian's dataset-fashion-mnist package installs the files.
	systemDir = "/usr/share/datasets/fashion-mnist"
)

// fileSHA256 returns the SHA-256 (lowercase hex) of the decoded, uncompressed bytes of a Fashion-MNIST
// file, by base name without .gz. Hashing decoded bytes lets the canonical .gz files, Debian's .gz files
// (whose gzip headers differ) and uncompressed files all pass.
func fileSHA256(name string) string {
	switch name {
	case "train-images-idx3-ubyte":
		return "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"
	case "train-labels-idx1-ubyte":
		return "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"
	case "t10k-images-idx3-ubyte":
		return "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"
	case "t10k-labels-idx1-ubyte":
		return "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"
	}
	return ""
}

// allFiles returns the base names (without .gz) of the four Fashion-MNIST files.
func allFiles() []string {
	return []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
		"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}
}

// LoadOptions says where Load, LoadBoth and Download find the Fashion-MNIST files. Its zero value searches
// the user's cache, then Debian's dataset-fashion-mnist package, then downloads into the cache.
//
// For each file (for example train-images-idx3-ubyte) Load accepts, in every directory, the gzip file
// name.gz or the uncompressed file name, and checks the SHA-256 of its decoded bytes. It looks, in order:
//
//  1. in Dir, or in $LESSON_DATA_DIR if Dir is empty; if either is set, it looks only there, and a
//     missing or bad file is an error;
//  2. in CacheDir; a bad file there is removed (and logged);
//  3. in SystemDir; a bad file there is logged and skipped;
//  4. on each of Mirrors in turn, saving the file in CacheDir, unless NoDownload.
type LoadOptions struct {
	// Dir, if set, is the only directory searched. Empty means $LESSON_DATA_DIR, and if that is empty
	// too, the search order above.
	Dir string

	// CacheDir holds downloaded files. Empty means os.UserCacheDir()/gonb-lessons/fashion-mnist, for
	// example ~/.cache/gonb-lessons/fashion-mnist on Linux.
	CacheDir string

	// SystemDir is searched after CacheDir. Empty means /usr/share/datasets/fashion-mnist, where Debian's
	// dataset-fashion-mnist package puts the files.
	SystemDir string

	// Mirrors are base URLs tried in order; the file URL is the base, a "/" and name.gz. Empty means
	// https://storage.googleapis.com/tensorflow/tf-keras-datasets/ (the one Keras uses), then
	// http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/ (checksums make plain HTTP safe).
	Mirrors []string

	// Client makes the download requests. Nil means a client with timeouts on connecting (30 s), the
	// TLS handshake (15 s) and the response header (30 s), using the environment's proxy settings.
	// Whatever the client, a download is abandoned when no byte arrives for 30 s or the file takes
	// more than 15 minutes, so a silent network never hangs.
	Client *http.Client

	// NoDownload, if true, never downloads: Load fails with an error that says where it looked.
	NoDownload bool

	// Log receives one line per download attempt, failed attempt and cache repair (and, from Download,
	// per file already in the cache). Nil means no log.
	Log io.Writer

	// checksums, if non-nil, replaces fileSHA256 (keyed by base name), so tests can use tiny fixtures.
	checksums map[string]string
	// stallTimeout and fileTimeout, if non-zero, replace defaultStallTimeout and defaultFileTimeout.
	stallTimeout, fileTimeout time.Duration
}

// Load returns one split of Fashion-MNIST, from the first good copy LoadOptions' search order finds:
// 60,000 examples for Train, 10,000 for Test. Downloading takes a minute or so on a good connection and
// happens once; later calls read the cache.
func Load(split Split, opts LoadOptions) (*Data, error) {
	l := newLoader(opts)
	defer l.close()
	return loadSplit(context.Background(), l, split)
}

// LoadBoth returns the Train and Test splits of Fashion-MNIST, as Load does.
func LoadBoth(opts LoadOptions) (train, test *Data, err error) {
	l := newLoader(opts)
	defer l.close()
	if train, err = loadSplit(context.Background(), l, Train); err != nil {
		return nil, nil, err
	}
	if test, err = loadSplit(context.Background(), l, Test); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// loadSplit finds, checks and parses the two files of split.
func loadSplit(ctx context.Context, l *loader, split Split) (*Data, error) {
	imgName, lblName, err := split.files()
	if err != nil {
		return nil, err
	}
	img, imgPath, err := l.file(ctx, imgName)
	if err != nil {
		return nil, err
	}
	lbl, lblPath, err := l.file(ctx, lblName)
	if err != nil {
		return nil, err
	}
	return newData(img, lbl, imgPath, lblPath)
}

// loader is LoadOptions with its defaults filled in.
type loader struct {
	dir, dirSource string // explicit directory and what set it; dir == "" if none
	cacheDir       string // "" if unknown, see cacheErr
	cacheErr       error
	systemDir      string
	mirrors        []string
	client         *http.Client
	ownClient      bool // client was made here and its idle connections should be closed
	noDownload     bool
	log            io.Writer
	checksums      map[string]string
	stallTimeout   time.Duration
	fileTimeout    time.Duration
}

func newLoader(opts LoadOptions) *loader {
	l := &loader{
		dir:          opts.Dir,
		dirSource:    "LoadOptions.Dir",
		cacheDir:     opts.CacheDir,
		systemDir:    opts.SystemDir,
		mirrors:      opts.Mirrors,
		client:       opts.Client,
		noDownload:   opts.NoDownload,
		log:          opts.Log,
		checksums:    opts.checksums,
		stallTimeout: opts.stallTimeout,
		fileTimeout:  opts.fileTimeout,
	}
	if l.dir == "" {
		l.dir, l.dirSource = os.Getenv(dataDirEnv), "$"+dataDirEnv
	}
	if l.cacheDir == "" {
		if base, err := os.UserCacheDir(); err != nil {
			l.cacheErr = err
		} else {
			l.cacheDir = filepath.Join(base, "gonb-lessons", "fashion-mnist")
		}
	}
	if l.systemDir == "" {
		l.systemDir = systemDir
	}
	if len(l.mirrors) == 0 {
		l.mirrors = []string{
			"https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
			"http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
		}
	}
	if l.client == nil {
		l.client, l.ownClient = defaultClient(), true
	}
	if l.log == nil {
		l.log = io.Discard
	}
	if l.stallTimeout == 0 {
		l.stallTimeout = defaultStallTimeout
	}
	if l.fileTimeout == 0 {
		l.fileTimeout = defaultFileTimeout
	}
	return l
}

// close releases the idle connections of a client the loader made.
func (l *loader) close() {
	if l.ownClient {
		l.client.CloseIdleConnections()
	}
}

// sum returns the expected SHA-256 of the decoded file name.
func (l *loader) sum(name string) string {
	if l.checksums != nil {
		return l.checksums[name]
	}
	return fileSHA256(name)
}

// file returns the decoded bytes of file name (base name, without .gz) and the path they came from,
// following the search order of LoadOptions.
func (l *loader) file(ctx context.Context, name string) ([]byte, string, error) {
	if l.dir != "" {
		b, path, err := l.readDir(l.dir, name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, "", fmt.Errorf("fashion: %s: neither %s.gz nor %s found in %s (set by %s, so no other "+
				"place is searched); copy the Fashion-MNIST files there, or unset %s to use the cache, %s or a download",
				name, name, name, l.dir, l.dirSource, l.dirSource, l.systemDir)
		case err != nil:
			return nil, "", fmt.Errorf("fashion: %w; replace it with a good copy (the directory is set by %s, "+
				"so no other place is searched), or unset %s to use the cache, %s or a download",
				err, l.dirSource, l.dirSource, l.systemDir)
		}
		return b, path, nil
	}

	var searched []string
	if l.cacheDir == "" {
		searched = append(searched, fmt.Sprintf("the cache (unknown: %v)", l.cacheErr))
	} else {
		b, path, err := l.readDir(l.cacheDir, name)
		switch {
		case err == nil:
			return b, path, nil
		case errors.Is(err, fs.ErrNotExist):
			searched = append(searched, l.cacheDir)
		default:
			l.removeBad(path, err)
			searched = append(searched, l.cacheDir+" (bad copy removed)")
		}
	}

	b, path, err := l.readDir(l.systemDir, name)
	switch {
	case err == nil:
		return b, path, nil
	case errors.Is(err, fs.ErrNotExist):
		searched = append(searched, l.systemDir)
	default:
		fmt.Fprintf(l.log, "fashion: %v; skipping it\n", err)
		searched = append(searched, l.systemDir+" (bad copy skipped)")
	}

	if l.noDownload {
		return nil, "", fmt.Errorf("fashion: %s: no good %s.gz or %s found in %s, and download is disabled "+
			"(NoDownload); install Debian's dataset-fashion-mnist, set %s to a directory holding the files, "+
			"or allow download", name, name, name, strings.Join(searched, ", "), dataDirEnv)
	}
	return l.download(ctx, name)
}

// readDir reads and checks dir/name.gz, or if that does not exist dir/name. It returns an error wrapping
// fs.ErrNotExist if neither exists; other errors name the path, also returned.
func (l *loader) readDir(dir, name string) ([]byte, string, error) {
	for _, base := range []string{name + ".gz", name} {
		path := filepath.Join(dir, base)
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, path, err // *fs.PathError names the path.
		}
		b, err := decode(f)
		f.Close()
		if err == nil {
			err = checkSHA256(b, l.sum(name))
		}
		if err != nil {
			return nil, path, fmt.Errorf("%s: %w", path, err)
		}
		return b, path, nil
	}
	return nil, "", fmt.Errorf("%s: neither %s.gz nor %s: %w", dir, name, name, fs.ErrNotExist)
}

// removeBad removes the cache file at path, which failed with err, and logs it.
func (l *loader) removeBad(path string, err error) {
	if rmErr := os.Remove(path); rmErr != nil {
		fmt.Fprintf(l.log, "fashion: %v; could not remove it from the cache: %v\n", err, rmErr)
		return
	}
	fmt.Fprintf(l.log, "fashion: %v; removed it from the cache\n", err)
}
