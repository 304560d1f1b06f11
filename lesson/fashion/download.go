package fashion

import (
	"bytes"
	"context"
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
// SHA-256, so that later calls to Load need no network: it is meant for setup scripts and container
// builds. Files already in the cache with the right checksum are kept; bad ones are removed and fetched
// again. Download ignores Dir, $LESSON_DATA_DIR and SystemDir, and fails if NoDownload is set. Cancelling
// ctx stops it; whatever ctx says, a file is abandoned after 30 s without data or 15 minutes in all.
func Download(ctx context.Context, opts LoadOptions) error {
	if opts.NoDownload {
		return errors.New("fashion: Download: LoadOptions.NoDownload is set; clear it to download")
	}
	l := newLoader(opts)
	defer l.close()
	for _, name := range allFiles() {
		if l.cacheDir != "" {
			_, path, err := l.readDir(l.cacheDir, name)
			switch {
			case err == nil:
				fmt.Fprintf(l.log, "fashion: %s: already in the cache, sha256 ok\n", path)
				continue
			case !errors.Is(err, fs.ErrNotExist):
				l.removeBad(path, err)
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
			"set LoadOptions.CacheDir, or set %s to a directory holding the files", name, l.cacheErr, dataDirEnv)
	}
	if err := os.MkdirAll(l.cacheDir, 0o755); err != nil {
		return nil, "", fmt.Errorf("fashion: %s: cannot create the cache directory: %w; "+
			"set LoadOptions.CacheDir to a writable directory", name, err)
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
		"connection or proxy, install Debian's dataset-fashion-mnist, or set %s to a directory holding the files",
		name, failures, dataDirEnv)
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

	tmp, err := os.CreateTemp(l.cacheDir, "."+name+".*.partial")
	if err != nil {
		return nil, "", fmt.Errorf("cannot write to the cache: %w", err)
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
	n, err := io.Copy(io.MultiWriter(tmp, &buf), io.LimitReader(body, maxDownloadBytes+1))
	timer.Stop()
	switch {
	case err != nil:
		return nil, "", fmt.Errorf("connection failed after %d bytes: %w", n, explain(err))
	case n > maxDownloadBytes:
		return nil, "", fmt.Errorf("response is larger than %d MiB; this is not a Fashion-MNIST file", maxDownloadBytes>>20)
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
		return nil, "", fmt.Errorf("cannot write to the cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, "", fmt.Errorf("cannot write to the cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, "", fmt.Errorf("cannot write to the cache: %w", err)
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
