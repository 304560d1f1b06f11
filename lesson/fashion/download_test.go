package fashion

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fixtureRaw returns the uncompressed fixture for file name: tests use the tiny images and labels under
// the four real names, with fixtureSums as the checksums.
func fixtureRaw(name string) []byte {
	if strings.Contains(name, "-images-") {
		return fixtureImages()
	}
	return fixtureLabels()
}

// fixtureSums returns the checksum table under which the fixtures are good copies of all four files.
func fixtureSums() map[string]string {
	sums := map[string]string{}
	for _, name := range allFiles() {
		sums[name] = sha256Hex(fixtureRaw(name))
	}
	return sums
}

// fixtureFile returns the file name and bytes of file name in the given form:
// "gz" and "raw" are good copies; "corrupt" is a well-formed .gz with the wrong checksum (one value
// changed); "truncated" is the first half of the .gz.
func fixtureFile(t testing.TB, name, form string) (string, []byte) {
	t.Helper()
	raw := fixtureRaw(name)
	switch form {
	case "gz":
		return name + ".gz", gzipBytes(t, raw)
	case "raw":
		return name, raw
	case "corrupt":
		changed := bytes.Clone(raw)
		changed[len(changed)-1] ^= 1 // label 9 → 8, or a pixel; still a valid IDX file
		return name + ".gz", gzipBytes(t, changed)
	case "truncated":
		gz := gzipBytes(t, raw)
		return name + ".gz", gz[:len(gz)/2]
	}
	t.Fatalf("unknown fixture form %q", form)
	return "", nil
}

// writeFixture writes file name in the given form (see fixtureFile) into dir.
func writeFixture(t testing.TB, dir, name, form string) {
	t.Helper()
	file, b := fixtureFile(t, name, form)
	if err := os.WriteFile(filepath.Join(dir, file), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkCache reports a mismatch between the files in dir and want (sorted names), and any file there
// that is not a good copy: nothing partial or corrupt may remain in a cache.
func checkCache(t *testing.T, dir string, want []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	got := []string{}
	for _, e := range entries {
		got = append(got, e.Name())
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b, err := decode(f)
		f.Close()
		name := strings.TrimSuffix(e.Name(), ".gz")
		if err != nil || !bytes.Equal(b, fixtureRaw(name)) {
			t.Errorf("cache file %s is not a good copy (decode error: %v)", e.Name(), err)
		}
	}
	if want == nil {
		want = []string{}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cache directory files: mismatch (-want +got):\n%s", diff)
	}
}

// newMirrors starts one test server playing len(behaviors) mirrors; mirror i serves the gzipped fixtures
// under <URL>/m<i>/<name>.gz as behaviors[i] says:
//
//	ok             the good .gz file
//	raw            the good file, uncompressed
//	404            Not Found
//	500            Internal Server Error
//	wrong          a well-formed .gz with the wrong checksum, of the right length
//	stall-header   accepts the request and never answers
//	stall-body     sends the headers and 10 bytes, then nothing
//	drop           announces the full length, sends half, and closes the connection
//	half-chunked   sends half the body chunked (no Content-Length), then aborts the connection
//	half-nolength  sends half the body with neither Content-Length nor chunking, then closes: the body
//	               looks complete, only its bytes show it is not
//	endless        sends zeros without end (chunked)
//	huge           announces a Content-Length of 1 TiB
//	slow           sends one byte every 20 ms
//
// It returns the mirror base URLs and the request count of each mirror.
func newMirrors(t *testing.T, behaviors ...string) (mirrors []string, hits []atomic.Int64) {
	t.Helper()
	hits = make([]atomic.Int64, len(behaviors))
	done := make(chan struct{})
	wait := func(r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mirror, file, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/m"), "/")
		i, err := strconv.Atoi(mirror)
		name, isGz := strings.CutSuffix(file, ".gz")
		if err != nil || i < 0 || i >= len(behaviors) || !isGz || !slices.Contains(allFiles(), name) {
			t.Errorf("unexpected request %s", r.URL.Path)
			http.NotFound(w, r)
			return
		}
		hits[i].Add(1)
		_, body := fixtureFile(t, name, "gz")
		switch behaviors[i] {
		case "raw":
			body = fixtureRaw(name)
		case "wrong":
			_, body = fixtureFile(t, name, "corrupt")
		case "404":
			http.NotFound(w, r)
			return
		case "500":
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		case "half-chunked":
			w.Write(body[:len(body)/2])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // closes the connection without the final chunk
		case "half-nolength":
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
			buf.Write(body[:len(body)/2])
			buf.Flush()
			conn.Close()
			return
		case "endless":
			zeros := make([]byte, 32<<10)
			for {
				if _, err := w.Write(zeros); err != nil {
					return
				}
				select {
				case <-r.Context().Done():
					return
				case <-done:
					return
				default:
				}
			}
		case "huge":
			w.Header().Set("Content-Length", strconv.Itoa(1<<40))
			w.WriteHeader(http.StatusOK)
			return
		case "stall-header":
			wait(r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		switch behaviors[i] {
		case "ok", "raw", "wrong":
			w.Write(body)
		case "stall-body":
			w.Write(body[:10])
			w.(http.Flusher).Flush()
			wait(r)
		case "drop":
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", len(body))
			buf.Write(body[:len(body)/2])
			buf.Flush()
			conn.Close()
		case "slow":
			for _, b := range body {
				w.Write([]byte{b})
				w.(http.Flusher).Flush()
				select {
				case <-time.After(20 * time.Millisecond):
				case <-r.Context().Done():
					return
				case <-done:
					return
				}
			}
		default:
			t.Errorf("unknown mirror behavior %q", behaviors[i])
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) }) // runs first, releasing stalled handlers
	for i := range behaviors {
		mirrors = append(mirrors, fmt.Sprintf("%s/m%d/", srv.URL, i))
	}
	return mirrors, hits
}

// testOptions returns options that use the fixtures' checksums, search no real directory, give up
// on a stalled server after 150 ms and on a body larger than 64 KiB.
func testOptions(t *testing.T, cacheDir string, mirrors []string, log *strings.Builder) LoadOptions {
	return LoadOptions{
		CacheDir:     cacheDir,
		SystemDir:    t.TempDir(),
		Mirrors:      mirrors,
		Log:          log,
		checksums:    fixtureSums(),
		stallTimeout: 150 * time.Millisecond,
		fileTimeout:  10 * time.Second,
		maxDownload:  64 << 10,
	}
}

func TestDownload(t *testing.T) {
	allGz := []string{"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
		"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"}
	tests := []struct {
		name, reason string
		behaviors    []string
		cached       map[string]string // file name → form (see fixtureFile) already in the cache
		fileTimeout  time.Duration
		wantHits     []int64
		wantErr      []string // substrings; {m0}, {m1} stand for the mirror URLs
		wantLog      []string
		wantCache    []string
	}{
		{name: "ok", reason: "the first mirror serves all four files",
			behaviors: []string{"ok", "404"}, wantHits: []int64{4, 0},
			wantLog: []string{"fashion: downloading {m0}train-images-idx3-ubyte.gz into "}, wantCache: allGz},
		{name: "404 then ok", reason: "a missing file on one mirror falls back to the next",
			behaviors: []string{"404", "ok"}, wantHits: []int64{4, 4},
			wantLog:   []string{`fashion: {m0}t10k-labels-idx1-ubyte.gz: HTTP status "404 Not Found", want "200 OK"; trying the next mirror`},
			wantCache: allGz},
		{name: "stalled headers", reason: "a server that never answers is abandoned after the stall timeout",
			behaviors: []string{"stall-header", "ok"}, wantHits: []int64{4, 4},
			wantLog:   []string{"fashion: {m0}train-images-idx3-ubyte.gz: stalled: no data for 150ms; trying the next mirror"},
			wantCache: allGz},
		{name: "stalled body", reason: "a body that stops arriving is abandoned and its partial file removed",
			behaviors: []string{"stall-body", "ok"}, wantHits: []int64{4, 4},
			wantLog:   []string{"fashion: {m0}train-images-idx3-ubyte.gz: connection failed after 10 bytes: stalled: no data for 150ms; trying the next mirror"},
			wantCache: allGz},
		{name: "too slow", reason: "a trickle that never stalls still meets the per-file deadline",
			behaviors: []string{"slow", "ok"}, fileTimeout: 300 * time.Millisecond, wantHits: []int64{4, 4},
			wantLog:   []string{": took longer than 300ms; trying the next mirror"},
			wantCache: allGz},
		{name: "wrong bytes", reason: "a file with the wrong checksum is discarded",
			behaviors: []string{"wrong", "ok"}, wantHits: []int64{4, 4},
			wantLog:   []string{"fashion: {m0}t10k-labels-idx1-ubyte.gz: bad download (", " bytes, discarded): sha256 mismatch (got "},
			wantCache: allGz},
		{name: "dropped connection", reason: "a connection closed mid-body is an error, not a short file",
			behaviors: []string{"drop", "ok"}, wantHits: []int64{4, 4},
			wantLog:   []string{"fashion: {m0}t10k-labels-idx1-ubyte.gz: connection failed after 17 bytes: unexpected EOF; trying the next mirror"},
			wantCache: allGz},
		{name: "500 then ok", reason: "a server error falls back to the next mirror",
			behaviors: []string{"500", "ok"}, wantHits: []int64{4, 4},
			wantLog:   []string{`fashion: {m0}t10k-labels-idx1-ubyte.gz: HTTP status "500 Internal Server Error", want "200 OK"; trying the next mirror`},
			wantCache: allGz},
		{name: "half chunked", reason: "a chunked body cut off mid-way is an error, its partial file removed",
			behaviors: []string{"half-chunked", "ok"}, wantHits: []int64{4, 4},
			wantLog:   []string{"fashion: {m0}t10k-labels-idx1-ubyte.gz: connection failed after ", "unexpected EOF; trying the next mirror"},
			wantCache: allGz},
		{name: "half without length", reason: "a body that ends early with no length to check is caught by its bytes",
			behaviors: []string{"half-nolength", "ok"}, wantHits: []int64{4, 4},
			wantLog:   []string{"fashion: {m0}t10k-labels-idx1-ubyte.gz: bad download (17 bytes, discarded): bad gzip data: unexpected EOF"},
			wantCache: allGz},
		{name: "endless", reason: "an endless body is cut off at the size limit, not written to disk without end",
			behaviors: []string{"endless", "ok"}, wantHits: []int64{4, 4},
			wantLog:   []string{"fashion: {m0}t10k-labels-idx1-ubyte.gz: response is larger than the 65536 bytes a Fashion-MNIST file may have; trying the next mirror"},
			wantCache: allGz},
		{name: "huge", reason: "a response announcing too many bytes is refused before any is read",
			behaviors: []string{"huge", "ok"}, wantHits: []int64{4, 4},
			wantLog:   []string{"fashion: {m0}t10k-labels-idx1-ubyte.gz: response announces 1099511627776 bytes, more than the 65536 a Fashion-MNIST file may have; trying"},
			wantCache: allGz},
		{name: "every fault", reason: "after every kind of failure in turn the cache holds nothing, not even a temporary file",
			behaviors: []string{"404", "500", "wrong", "stall-header", "stall-body", "drop", "half-chunked",
				"half-nolength", "endless", "huge"},
			wantHits: []int64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
			wantErr:  []string{"fashion: train-images-idx3-ubyte.gz: download failed from every mirror: "},
			wantLog:  []string{"; no mirror left"}},
		{name: "uncompressed", reason: "a mirror serving raw IDX bytes is accepted and the file saved without .gz",
			behaviors: []string{"raw"}, wantHits: []int64{4},
			wantCache: []string{"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"}},
		{name: "every mirror fails", reason: "the error lists each mirror's failure and the fixes; nothing is cached",
			behaviors: []string{"404", "wrong"}, wantHits: []int64{1, 1},
			wantErr: []string{
				`fashion: train-images-idx3-ubyte.gz: download failed from every mirror: {m0}train-images-idx3-ubyte.gz: HTTP status "404 Not Found", want "200 OK"; {m1}train-images-idx3-ubyte.gz: bad download (`,
				"sha256 mismatch (got ",
				"; check the network connection or proxy, set $LESSON_MIRRORS (or -mirror) to a mirror that works, " +
					"install Debian's dataset-fashion-mnist, or set $LESSON_DATA_DIR to a directory holding the files"},
			wantLog: []string{"fashion: {m1}train-images-idx3-ubyte.gz: bad download (", "; no mirror left"}},
		{name: "already cached", reason: "good cached files are kept, raw or .gz, and nothing is fetched",
			behaviors: []string{"404"}, wantHits: []int64{0},
			cached: map[string]string{"t10k-images-idx3-ubyte": "raw", "t10k-labels-idx1-ubyte": "gz",
				"train-images-idx3-ubyte": "gz", "train-labels-idx1-ubyte": "gz"},
			wantLog:   []string{"t10k-images-idx3-ubyte: already in the cache, sha256 ok"},
			wantCache: []string{"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"}},
		{name: "bad cache repaired", reason: "a corrupt and a truncated cached file are removed and fetched again",
			behaviors: []string{"ok"}, wantHits: []int64{2},
			cached: map[string]string{"t10k-images-idx3-ubyte": "gz", "t10k-labels-idx1-ubyte": "gz",
				"train-images-idx3-ubyte": "truncated", "train-labels-idx1-ubyte": "corrupt"},
			wantLog: []string{
				"train-images-idx3-ubyte.gz: bad gzip data: unexpected EOF (the file is damaged or incomplete); removed it from the cache",
				"train-labels-idx1-ubyte.gz: sha256 mismatch (got ",
				"; removed it from the cache\nfashion: downloading {m0}train-labels-idx1-ubyte.gz"},
			wantCache: allGz},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mirrors, hits := newMirrors(t, tt.behaviors...)
			expand := strings.NewReplacer("{m0}", mirrors[0], "{m1}", mirrors[len(mirrors)-1]).Replace
			cache := filepath.Join(t.TempDir(), "cache") // Download creates it
			if tt.cached != nil {
				if err := os.MkdirAll(cache, 0o755); err != nil {
					t.Fatal(err)
				}
				for name, form := range tt.cached {
					writeFixture(t, cache, name, form)
				}
			}
			var log strings.Builder
			opts := testOptions(t, cache, mirrors, &log)
			if tt.fileTimeout != 0 {
				opts.fileTimeout = tt.fileTimeout
			}

			err := Download(context.Background(), opts)
			switch {
			case err != nil && len(tt.wantErr) == 0:
				t.Fatalf("Download: %v (%s)\nlog:\n%s", err, tt.reason, log.String())
			case err == nil && len(tt.wantErr) != 0:
				t.Fatalf("Download succeeded, want an error containing %q (%s)", tt.wantErr, tt.reason)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), expand(want)) {
					t.Errorf("Download error:\n  %v\nwant it to contain:\n  %s\n(%s)", err, expand(want), tt.reason)
				}
			}
			for _, want := range tt.wantLog {
				if !strings.Contains(log.String(), expand(want)) {
					t.Errorf("log:\n%s\nwant it to contain:\n  %s\n(%s)", log.String(), expand(want), tt.reason)
				}
			}
			var gotHits []int64
			for i := range hits {
				gotHits = append(gotHits, hits[i].Load())
			}
			if diff := cmp.Diff(tt.wantHits, gotHits); diff != "" {
				t.Errorf("requests per mirror (%s): mismatch (-want +got):\n%s", tt.reason, diff)
			}
			checkCache(t, cache, tt.wantCache)
		})
	}
}

func TestDownloadRemovesStalePartial(t *testing.T) {
	mirrors, _ := newMirrors(t, "ok")
	cache := t.TempDir()
	stale := filepath.Join(cache, ".train-images-idx3-ubyte.123.partial")
	if err := os.WriteFile(stale, []byte("half a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	hourAgo := time.Now().Add(-time.Hour)
	if err := os.Chtimes(stale, hourAgo, hourAgo); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	if err := Download(context.Background(), testOptions(t, cache, mirrors, &log)); err != nil {
		t.Fatalf("Download: %v", err)
	}
	if want := "fashion: " + stale + ": removed, left by an interrupted download\n"; !strings.Contains(log.String(), want) {
		t.Errorf("log:\n%s\nwant it to contain:\n  %s", log.String(), want)
	}
	checkCache(t, cache, []string{"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
		"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"})
}

func TestDownloadCancelled(t *testing.T) {
	mirrors, _ := newMirrors(t, "stall-body", "ok")
	opts := testOptions(t, t.TempDir(), mirrors, &strings.Builder{})
	opts.stallTimeout = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := Download(ctx, opts)
	if err == nil || !strings.Contains(err.Error(), "context deadline exceeded") {
		t.Errorf("Download with a context that expires = %v, want an error containing %q", err, "context deadline exceeded")
	}
	if strings.Contains(err.Error(), mirrors[1]) {
		t.Errorf("Download error %q mentions the second mirror: a cancelled context must stop at once", err)
	}
	checkCache(t, opts.CacheDir, nil)
}

func TestDownloadNoDownload(t *testing.T) {
	tests := []struct {
		name, reason, source, want string
	}{
		{"flag", "the error names the flag that turned downloading off", "-no-download",
			"fashion: Download: downloading is turned off by -no-download; allow downloading to fill the cache"},
		{"no source", "without a source the error names no Go struct field", "",
			"fashion: Download: downloading is turned off; allow downloading to fill the cache"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Download(context.Background(), LoadOptions{NoDownload: true, NoDownloadSource: tt.source, CacheDir: t.TempDir()})
			if err == nil || err.Error() != tt.want {
				t.Errorf("Download with NoDownload = %v, want %s (%s)", err, tt.want, tt.reason)
			}
		})
	}
}
