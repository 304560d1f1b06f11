package fashion

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

const (
	// defaultStallTimeout abandons a download when no byte arrives for this long.
	defaultStallTimeout = 30 * time.Second
	// defaultFileTimeout abandons the download of one file that takes longer than this in all.
	defaultFileTimeout = 15 * time.Minute
	// maxDownloadBytes bounds one response body; the largest canonical file has 26,421,880 bytes
	// compressed and 47,040,016 uncompressed.
	maxDownloadBytes = 64 << 20
)

// Download fetches the four Fashion-MNIST files from opts.Mirrors into opts.CacheDir, checking their
// SHA-256, so that later calls to Load need no network: it is meant for setup scripts, container builds
// and a teacher filling a shared cache. Files already in the cache with the right checksum are kept; files
// their bytes prove bad are removed and fetched again; a file that cannot be read is left alone and is an
// error. Download ignores Dir and SystemDir, and fails if NoDownload is set. Cancelling ctx stops it
// promptly; whatever ctx says, a file is abandoned after 30 s without data or 15 minutes in all.
func Download(ctx context.Context, opts LoadOptions) error {
	if opts.NoDownload {
		by := ""
		if opts.NoDownloadSource != "" {
			by = " by " + opts.NoDownloadSource
		}
		return fmt.Errorf("fashion: Download: downloading is turned off%s; allow downloading to fill the cache", by)
	}
	l := newLoader(opts)
	defer l.close()
	for _, name := range allFiles() {
		if l.cacheDir != "" {
			f := l.readDir(ctx, l.cacheDir, name)
			switch {
			case f.state == good:
				fmt.Fprintf(l.log, "fashion: %s: already in the cache, sha256 ok\n", f.path)
				continue
			case f.state == bad && f.regular:
				l.removeBad(f.path, f.err)
			case ctx.Err() != nil:
				return fmt.Errorf("fashion: %s: download interrupted: %w", name, ctx.Err())
			case f.state == bad:
				return fmt.Errorf("fashion: %w; it is not a regular file, so it was left alone and nothing is "+
					"downloaded over it: remove it, or pick another cache directory (%s)", f.err, l.cacheSource)
			case f.state == unreadable:
				return fmt.Errorf("fashion: %w; it was left alone, it may be a good copy, and nothing is downloaded "+
					"over it: make it readable or remove it, or pick another cache directory (%s)", f.err, l.cacheSource)
			}
		}
		if _, _, err := l.download(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

// defaultClient returns an HTTP client whose every network step has a timeout; the body's stall and
// total timeouts are enforced by fetch, whatever the client.
func defaultClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}}
}

// mirrorErrors lists the failure of each mirror, one "URL: error" each.
type mirrorErrors []error

func (m mirrorErrors) Error() string {
	msgs := make([]string, len(m))
	for i, err := range m {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (m mirrorErrors) Unwrap() []error { return m }

// download fetches file name (base name, without .gz) from the first mirror that serves a good copy,
// saves it in the cache directory and returns its decoded bytes and path.
func (l *loader) download(ctx context.Context, name string) ([]byte, string, error) {
	if l.cacheDir == "" {
		return nil, "", fmt.Errorf("fashion: %s: cannot download without a cache directory (%v); "+
			"set $XDG_CACHE_HOME or $HOME, or set $%s to a directory holding the files", name, l.cacheErr, DirEnv)
	}
	if err := os.MkdirAll(l.cacheDir, 0o755); err != nil {
		return nil, "", fmt.Errorf("fashion: %s: cannot create the cache directory (%s): %w; "+
			"pick a writable directory, or set $%s to a directory holding the files", name, l.cacheSource, err, DirEnv)
	}
	l.removeStale(name)
	var failures mirrorErrors
	for i, mirror := range l.mirrors {
		url := strings.TrimSuffix(mirror, "/") + "/" + name + ".gz"
		fmt.Fprintf(l.log, "fashion: downloading %s into %s\n", url, l.cacheDir)
		b, path, err := l.fetch(ctx, url, name)
		if err == nil {
			return b, path, nil
		}
		next := "trying the next mirror"
		if i == len(l.mirrors)-1 {
			next = "no mirror left"
		}
		fmt.Fprintf(l.log, "fashion: %s: %v; %s\n", url, err, next)
		failures = append(failures, fmt.Errorf("%s: %w", url, err))
		if ctx.Err() != nil {
			break
		}
	}
	if ctx.Err() != nil {
		return nil, "", fmt.Errorf("fashion: %s.gz: download interrupted: %w", name, failures)
	}
	return nil, "", fmt.Errorf("fashion: %s.gz: download failed from every mirror: %w; check the network "+
		"connection or proxy, set $%s (or -mirror) to a mirror that works, install Debian's "+
		"dataset-fashion-mnist, or set $%s to a directory holding the files", name, failures, MirrorsEnv, DirEnv)
}

// removeStale removes the temporary files of name that a killed process left in the cache: those older
// than the longest a live download may take.
func (l *loader) removeStale(name string) {
	paths, _ := filepath.Glob(filepath.Join(l.cacheDir, "."+name+".*.partial"))
	for _, path := range paths {
		if fi, err := os.Stat(path); err == nil && time.Since(fi.ModTime()) > l.fileTimeout {
			if os.Remove(path) == nil {
				fmt.Fprintf(l.log, "fashion: %s: removed, left by an interrupted download\n", path)
			}
		}
	}
}

// fetch downloads url into a temporary file in the cache directory and renames it to name.gz (or name,
// if the server sent it uncompressed) only once its decoded SHA-256 is right. Nothing partial or bad
// remains in the cache.
func (l *loader) fetch(parent context.Context, url, name string) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(parent, l.fileTimeout)
	defer cancel()
	var stalled atomic.Bool
	timer := time.AfterFunc(l.stallTimeout, func() {
		stalled.Store(true)
		cancel()
	})
	defer timer.Stop()
	// explain replaces the context errors that stalls and timeouts cause by what happened.
	explain := func(err error) error {
		switch {
		case parent.Err() != nil && errors.Is(err, parent.Err()):
			return err
		case parent.Err() != nil:
			return fmt.Errorf("%w (%v)", parent.Err(), err)
		case stalled.Load():
			return fmt.Errorf("stalled: no data for %v", l.stallTimeout)
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return fmt.Errorf("took longer than %v", l.fileTimeout)
		}
		return err
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return nil, "", explain(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("HTTP status %q, want \"200 OK\"", resp.Status)
	}

	if resp.ContentLength > l.maxDownload {
		return nil, "", fmt.Errorf("response announces %d bytes, more than the %d a Fashion-MNIST file may have",
			resp.ContentLength, l.maxDownload)
	}
	tmp, err := createTemp(l.cacheDir, "."+name+".", ".partial")
	if err != nil {
		return nil, "", fmt.Errorf("cannot write to the cache (%s): %w", l.cacheSource, err)
	}
	renamed := false
	defer func() {
		if !renamed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	var buf bytes.Buffer
	body := &stallReader{r: resp.Body, timer: timer, stall: l.stallTimeout}
	n, err := io.Copy(io.MultiWriter(tmp, &buf), io.LimitReader(body, l.maxDownload+1))
	timer.Stop()
	switch {
	case err != nil:
		return nil, "", fmt.Errorf("connection failed after %d bytes: %w", n, explain(err))
	case n > l.maxDownload:
		return nil, "", fmt.Errorf("response is larger than the %d bytes a Fashion-MNIST file may have", l.maxDownload)
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return nil, "", fmt.Errorf("connection closed after %d of %d bytes", n, resp.ContentLength)
	}

	decoded, err := decode(bytes.NewReader(buf.Bytes()))
	if err == nil {
		err = checkSHA256(decoded, l.sum(name))
	}
	if err != nil {
		return nil, "", fmt.Errorf("bad download (%d bytes, discarded): %w", n, err)
	}
	base := name
	if isGzip(buf.Bytes()) {
		base += ".gz"
	}
	path := filepath.Join(l.cacheDir, base)
	if err := tmp.Sync(); err != nil {
		return nil, "", fmt.Errorf("cannot write to the cache (%s): %w", l.cacheSource, err)
	}
	if err := tmp.Close(); err != nil {
		return nil, "", fmt.Errorf("cannot write to the cache (%s): %w", l.cacheSource, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, "", fmt.Errorf("cannot write to the cache (%s): %w", l.cacheSource, err)
	}
	renamed = true
	return decoded, path, nil
}

// stallReader restarts timer for another stall period whenever a read returns data.
type stallReader struct {
	r     io.Reader
	timer *time.Timer
	stall time.Duration
}

func (s *stallReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		s.timer.Reset(s.stall)
	}
	return n, err
}

// createTemp creates a new file prefix+random+suffix in dir, like os.CreateTemp, but with mode 0644 less
// the umask rather than 0600, so that a cache shared by a class is readable by all.
func createTemp(dir, prefix, suffix string) (*os.File, error) {
	for range 100 {
		path := filepath.Join(dir, prefix+strings.ToLower(rand.Text()[:12])+suffix)
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("%s: no unused temporary file name with prefix %s", dir, prefix)
}
