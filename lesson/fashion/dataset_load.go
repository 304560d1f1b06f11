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

// systemDir is where Debian's dataset-fashion-mnist package installs the files.
const systemDir = "/usr/share/datasets/fashion-mnist"

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

// LoadOptions says where Load and Download find the Fashion-MNIST files. Its zero value searches
// the user's cache, then Debian's dataset-fashion-mnist package, then downloads into the cache. The package
// reads no environment variable: the edges of the lesson read $LESSON_DATA_DIR (DirEnv) and
// $LESSON_MIRRORS (MirrorsEnv) and pass them here.
//
// For each file (for example train-images-idx3-ubyte) Load accepts, in every directory, the gzip file
// name.gz or the uncompressed file name, and checks the SHA-256 of its decoded bytes. It looks, in order:
//
//  1. in Dir, if set: it looks only there, and a missing or bad file is an error;
//  2. in CacheDir; a file there that its bytes prove bad (bad gzip data, bad IDX header, wrong checksum) is
//     removed and logged; one that cannot be read (no permission, an I/O error) is left alone;
//  3. in SystemDir; a bad or unreadable file there is logged and skipped;
//  4. on each of Mirrors in turn, saving the file in CacheDir, unless NoDownload.
type LoadOptions struct {
	// Dir, if set, is the only directory searched. Empty means the search order above.
	Dir string
	// DirSource names what set Dir in error messages: the flag or environment variable a user changes,
	// such as "-data" or "$LESSON_DATA_DIR". Empty means "the data directory option".
	DirSource string

	// CacheDir holds downloaded files. Empty means os.UserCacheDir()/gonb-lessons/fashion-mnist, for
	// example ~/.cache/gonb-lessons/fashion-mnist on Linux. Downloaded files are readable by everyone
	// (mode 0644 less the umask), so one cache can serve a class.
	CacheDir string
	// CacheDirSource names what set CacheDir in error messages, such as "-data" for a download command.
	// Empty means the user cache directory, set by $XDG_CACHE_HOME or $HOME.
	CacheDirSource string

	// SystemDir is searched after CacheDir. Empty means /usr/share/datasets/fashion-mnist, where Debian's
	// dataset-fashion-mnist package puts the files.
	SystemDir string

	// Mirrors are base URLs tried in order; the file URL is the base, a "/" and name.gz. ParseMirrors
	// parses them from $LESSON_MIRRORS or a -mirror flag. Empty means
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
	// NoDownloadSource names what set NoDownload in error messages, such as "-no-download". Empty means
	// the error only says that downloading is turned off.
	NoDownloadSource string

	// Log receives one line per download attempt, failed attempt and cache repair (and, from Download,
	// per file already in the cache). Nil means no log.
	Log io.Writer

	// checksums, if non-nil, replaces fileSHA256 (keyed by base name), so tests can use tiny fixtures.
	checksums map[string]string
	// stallTimeout and fileTimeout, if non-zero, replace defaultStallTimeout and defaultFileTimeout.
	stallTimeout, fileTimeout time.Duration
	// maxDownload, if non-zero, replaces maxDownloadBytes, so tests can send an endless body cheaply.
	maxDownload int64
}

// Load returns one split of Fashion-MNIST, from the first good copy LoadOptions' search order finds:
// 60,000 examples for Train, 10,000 for Test. Downloading takes a minute or so on a good connection and
// happens once; later calls read the cache. Cancelling ctx stops Load promptly, even while a download
// stalls or a file blocks (a named pipe, a hung network file system); the error then wraps ctx.Err().
func Load(ctx context.Context, split Split, opts LoadOptions) (*Data, error) {
	l := newLoader(opts)
	defer l.close()
	return loadSplit(ctx, l, split)
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
	dir, dirSource   string // explicit directory and what set it; dir == "" if none
	cacheDir         string // "" if unknown, see cacheErr
	cacheErr         error
	cacheSource      string // what set cacheDir, for error messages
	systemDir        string
	mirrors          []string
	client           *http.Client
	ownClient        bool // client was made here and its idle connections should be closed
	noDownload       bool
	noDownloadSource string
	log              io.Writer
	checksums        map[string]string
	stallTimeout     time.Duration
	fileTimeout      time.Duration
	maxDownload      int64
}

func newLoader(opts LoadOptions) *loader {
	l := &loader{
		dir:              opts.Dir,
		dirSource:        opts.DirSource,
		cacheDir:         opts.CacheDir,
		cacheSource:      opts.CacheDirSource,
		systemDir:        opts.SystemDir,
		mirrors:          opts.Mirrors,
		client:           opts.Client,
		noDownload:       opts.NoDownload,
		noDownloadSource: opts.NoDownloadSource,
		log:              opts.Log,
		checksums:        opts.checksums,
		stallTimeout:     opts.stallTimeout,
		fileTimeout:      opts.fileTimeout,
		maxDownload:      opts.maxDownload,
	}
	if l.dirSource == "" {
		l.dirSource = "the data directory option"
	}
	if l.cacheDir == "" {
		l.cacheSource = "the user cache directory, set by $XDG_CACHE_HOME or $HOME"
		if base, err := os.UserCacheDir(); err != nil {
			l.cacheErr = err
		} else {
			l.cacheDir = filepath.Join(base, "gonb-lessons", "fashion-mnist")
		}
	} else if l.cacheSource == "" {
		l.cacheSource = "the cache directory option"
	}
	if l.systemDir == "" {
		l.systemDir = systemDir
	}
	if len(l.mirrors) == 0 {
		l.mirrors = defaultMirrors()
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
	if l.maxDownload == 0 {
		l.maxDownload = maxDownloadBytes
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
		f := l.readDir(ctx, l.dir, name)
		switch f.state {
		case good:
			return f.bytes, f.path, nil
		case missing:
			return nil, "", fmt.Errorf("fashion: %s: neither %s.gz nor %s found in %s (set by %s, so no other "+
				"place is searched); copy the Fashion-MNIST files there, or unset %s to use the cache, %s or a download",
				name, name, name, l.dir, l.dirSource, l.dirSource, l.systemDir)
		case bad:
			return nil, "", fmt.Errorf("fashion: %w; replace it with a good copy (the directory is set by %s, "+
				"so no other place is searched), or unset %s to use the cache, %s or a download",
				f.err, l.dirSource, l.dirSource, l.systemDir)
		}
		if ctx.Err() != nil {
			return nil, "", fmt.Errorf("fashion: %s: loading interrupted: %w", name, f.err)
		}
		return nil, "", fmt.Errorf("fashion: %w; make it readable or replace it with a good copy (the directory "+
			"is set by %s, so no other place is searched), or unset %s to use the cache, %s or a download",
			f.err, l.dirSource, l.dirSource, l.systemDir)
	}

	var searched []string
	var blocked error // a cached file that could not be read: nothing is downloaded over it
	if l.cacheDir == "" {
		searched = append(searched, fmt.Sprintf("the cache (unknown: %v)", l.cacheErr))
	} else {
		f := l.readDir(ctx, l.cacheDir, name)
		switch f.state {
		case good:
			return f.bytes, f.path, nil
		case missing:
			searched = append(searched, l.cacheDir)
		case bad:
			if f.regular {
				l.removeBad(f.path, f.err)
				searched = append(searched, l.cacheDir+" (bad copy removed)")
				break
			}
			fmt.Fprintf(l.log, "fashion: %v; it is not a regular file, so it was left alone\n", f.err)
			blocked = fmt.Errorf("%w (not a regular file, so it was left alone)", f.err)
			searched = append(searched, l.cacheDir+" (bad copy left alone)")
		case unreadable:
			if ctx.Err() != nil {
				return nil, "", fmt.Errorf("fashion: %s: loading interrupted: %w", name, f.err)
			}
			fmt.Fprintf(l.log, "fashion: %v; left alone, it may be a good copy\n", f.err)
			blocked = f.err
			searched = append(searched, l.cacheDir+" (unreadable copy left alone)")
		}
	}

	f := l.readDir(ctx, l.systemDir, name)
	switch {
	case f.state == good:
		if blocked != nil {
			fmt.Fprintf(l.log, "fashion: using %s instead\n", f.path)
		}
		return f.bytes, f.path, nil
	case f.state == missing:
		searched = append(searched, l.systemDir)
	case ctx.Err() != nil:
		return nil, "", fmt.Errorf("fashion: %s: loading interrupted: %w", name, f.err)
	default:
		fmt.Fprintf(l.log, "fashion: %v; skipping it\n", f.err)
		searched = append(searched, l.systemDir+" (bad copy skipped)")
	}

	if l.noDownload {
		by := ""
		if l.noDownloadSource != "" {
			by = " by " + l.noDownloadSource
		}
		return nil, "", fmt.Errorf("fashion: %s: no good %s.gz or %s found in %s, and downloading is turned "+
			"off%s; install Debian's dataset-fashion-mnist, set $%s to a directory holding the files, "+
			"or allow downloading", name, name, name, strings.Join(searched, ", "), by, DirEnv)
	}
	if blocked != nil {
		return nil, "", fmt.Errorf("fashion: %w; it was left alone and nothing is downloaded over it: make it "+
			"readable or remove it, or set $%s to a directory holding the files", blocked, DirEnv)
	}
	return l.download(ctx, name)
}

// fileState says what readDir found.
type fileState int

const (
	missing    fileState = iota // neither name.gz nor name exists
	good                        // read, decoded and checksum ok
	bad                         // the bytes prove the file bad: bad gzip, too large, wrong checksum
	unreadable                  // exists but could not be opened or read, or ctx ended: says nothing about the bytes
)

// found is what readDir found for one file.
type found struct {
	state   fileState
	bytes   []byte // decoded, when good
	path    string // the file looked at; "" when missing
	regular bool   // path is a regular file, not a symbolic link, pipe or directory
	err     error  // names path, when bad or unreadable
}

// readDir reads and checks dir/name.gz, or if that does not exist dir/name. Reading stops when ctx ends.
func (l *loader) readDir(ctx context.Context, dir, name string) found {
	for _, base := range []string{name + ".gz", name} {
		path := filepath.Join(dir, base)
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return found{state: unreadable, path: path, err: err} // *fs.PathError names the path.
		}
		f := found{path: path, regular: fi.Mode().IsRegular()}
		b, err := readFile(ctx, path)
		if err == nil {
			err = checkSHA256(b, l.sum(name))
		}
		switch {
		case err == nil:
			f.state, f.bytes = good, b
		case isCorrupt(err):
			f.state, f.err = bad, fmt.Errorf("%s: %w", path, err)
		default:
			f.state, f.err = unreadable, fmt.Errorf("%s: %w", path, err)
		}
		return f
	}
	return found{state: missing}
}

// readFile opens and decodes the file at path in a goroutine, so that a file that blocks (a named pipe
// without a writer, a hung network file system) cannot block the caller past the end of ctx. When ctx
// ends, reads of a pipe are interrupted and reads of other files stop at the next block; only a blocked
// open(2) keeps its goroutine until the open returns.
func readFile(ctx context.Context, path string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			done <- result{nil, err} // *fs.PathError names the path.
			return
		}
		defer f.Close()
		// A pipe is read through the poller: a past deadline interrupts a blocked read. Regular files
		// ignore deadlines; ctxReader stops them at the next read.
		stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Now()) })
		defer stop()
		b, err := decode(&ctxReader{ctx: ctx, r: f})
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		if r.err != nil && ctx.Err() != nil && !isCorrupt(r.err) {
			return nil, ctx.Err()
		}
		return r.b, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ctxReader fails with ctx's error once ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// removeBad removes the cache file at path, which its bytes prove bad (err), and logs it.
func (l *loader) removeBad(path string, err error) {
	if rmErr := os.Remove(path); rmErr != nil {
		fmt.Fprintf(l.log, "fashion: %v; could not remove it from the cache: %v\n", err, rmErr)
		return
	}
	fmt.Fprintf(l.log, "fashion: %v; removed it from the cache\n", err)
}
