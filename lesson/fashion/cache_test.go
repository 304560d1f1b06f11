//go:build unix

package fashion

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// mkfifo makes a named pipe at path, skipping the test where pipes cannot be made.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("cannot make a named pipe here (%v): the test needs one in place of a data file", err)
	}
	// A cancelled Load leaves its goroutine blocked in open(2) until a writer comes: be that writer, so
	// that the goroutine ends with the test. O_NONBLOCK fails with ENXIO when no reader waits.
	t.Cleanup(func() {
		if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
}

// TestLoadCancelFIFO checks that Load returns when its context is cancelled while a data file blocks: a
// named pipe without a writer blocks open(2), one whose writer never writes blocks read(2). The pipe,
// not Load's to remove, must still be there.
func TestLoadCancelFIFO(t *testing.T) {
	const name = "t10k-images-idx3-ubyte"
	tests := []struct {
		name, reason string
		place        string // "dir" (an explicit Dir) or "cache"
		writer       bool   // hold the pipe open for writing, never writing
	}{
		{"Dir, no writer", "open(2) of a pipe blocks until a writer comes", "dir", false},
		{"Dir, silent writer", "read(2) of a pipe blocks until data comes", "dir", true},
		{"cache, no writer", "a pipe in the cache blocks the same way and must not be removed", "cache", false},
		{"cache, silent writer", "a pipe in the cache blocks the same way and must not be removed", "cache", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(dir, name+".gz")
			mkfifo(t, fifo)
			if tt.writer {
				w, err := os.OpenFile(fifo, os.O_RDWR, 0) // Linux: does not block
				if err != nil {
					t.Fatal(err)
				}
				defer w.Close()
			}
			mirrors, hits := newMirrors(t, "ok")
			opts := testOptions(t, t.TempDir(), mirrors, &strings.Builder{})
			if tt.place == "dir" {
				opts.Dir, opts.DirSource = dir, "-data"
			} else {
				opts.CacheDir = dir
			}

			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() {
				_, err := Load(ctx, Test, opts)
				errc <- err
			}()
			select {
			case err := <-errc:
				t.Fatalf("Load returned %v before the context was cancelled, want it to wait on the pipe (%s)", err, tt.reason)
			case <-time.After(50 * time.Millisecond): // let Load reach the pipe; a late Load returns at once
			}
			cancel()
			var err error
			select {
			case err = <-errc:
			case <-time.After(10 * time.Second):
				t.Fatalf("Load did not return within 10 s of the cancellation (%s)", tt.reason)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Load error = %v, want one wrapping context.Canceled (%s)", err, tt.reason)
			}
			if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
				t.Errorf("the named pipe %s is gone or changed (%v): a file Load could not read must be left alone", fifo, err)
			}
			if got := hits[0].Load(); got != 0 {
				t.Errorf("%d downloads after cancelling, want none", got)
			}
		})
	}
}

// TestLoadKeepsUnreadableCache checks that a cached file that cannot be read, which says nothing about
// its bytes, is neither removed nor downloaded over; a file the bytes prove bad but that is not a regular
// file (a symbolic link) is left alone too.
func TestLoadKeepsUnreadableCache(t *testing.T) {
	const name = "t10k-labels-idx1-ubyte"
	tests := []struct {
		name, reason string
		setup        func(t *testing.T, cache string) // puts something at cache/name.gz
		system       bool                             // a good copy in the system directory
		wantErr      []string
		wantLog      []string
	}{
		{name: "directory in place", reason: "open succeeds, read fails: nothing is known about the bytes",
			setup: func(t *testing.T, cache string) {
				if err := os.MkdirAll(filepath.Join(cache, name+".gz"), 0o755); err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(cache, name+".gz", "notes.txt"), []byte("mine"))
			},
			wantErr: []string{"fashion: {cache}/" + name + ".gz: reading: read {cache}/" + name + ".gz: is a directory; " +
				"it was left alone and nothing is downloaded over it: make it readable or remove it, or set $LESSON_DATA_DIR"},
			wantLog: []string{"is a directory; left alone, it may be a good copy\n"}},
		{name: "directory, system copy", reason: "the system copy is used; the cache entry is still left alone",
			setup: func(t *testing.T, cache string) {
				if err := os.MkdirAll(filepath.Join(cache, name+".gz"), 0o755); err != nil {
					t.Fatal(err)
				}
			},
			system:  true,
			wantLog: []string{"is a directory; left alone, it may be a good copy\nfashion: using {system}/" + name + ".gz instead\n"}},
		{name: "symlink loop", reason: "open fails (too many links), which works as root too",
			setup: func(t *testing.T, cache string) {
				if err := os.Symlink(name+".gz", filepath.Join(cache, name+".gz")); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: []string{"fashion: {cache}/" + name + ".gz: open {cache}/" + name + ".gz: too many levels of symbolic links; it was left alone"}},
		{name: "symlink to a bad file", reason: "a link is not ours to remove, even to a file proved bad",
			setup: func(t *testing.T, cache string) {
				target := filepath.Join(t.TempDir(), "elsewhere.gz")
				_, b := fixtureFile(t, name, "corrupt")
				writeFile(t, target, b)
				if err := os.Symlink(target, filepath.Join(cache, name+".gz")); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: []string{"fashion: {cache}/" + name + ".gz: sha256 mismatch (got ", "(not a regular file, so it was left alone)"}},
		{name: "permission denied", reason: "a good file without read permission is kept",
			setup: func(t *testing.T, cache string) {
				if os.Geteuid() == 0 {
					t.Skip("running as root, which ignores file modes; the directory and symlink cases cover an open error as root")
				}
				writeFixture(t, cache, name, "gz")
				if err := os.Chmod(filepath.Join(cache, name+".gz"), 0); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: []string{"permission denied; it was left alone and nothing is downloaded over it"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cache, system := filepath.Join(t.TempDir(), "cache"), filepath.Join(t.TempDir(), "system")
			for _, dir := range []string{cache, system} {
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			tt.setup(t, cache)
			if tt.system {
				writeFixture(t, system, name, "gz")
			}
			before := snapshot(t, cache, name+".gz")
			expand := strings.NewReplacer("{cache}", cache, "{system}", system).Replace

			for _, call := range []string{"Load", "Download"} {
				mirrors, hits := newMirrors(t, "ok")
				var log strings.Builder
				opts := testOptions(t, cache, mirrors, &log)
				opts.SystemDir = system
				var err error
				if call == "Load" {
					l := newLoader(opts)
					_, _, err = l.file(context.Background(), name)
					l.close()
				} else {
					err = Download(context.Background(), opts)
				}
				switch {
				case call == "Load" && len(tt.wantErr) == 0 && err != nil:
					t.Errorf("Load: %v (%s)", err, tt.reason)
				case (call == "Download" || len(tt.wantErr) != 0) && err == nil:
					t.Errorf("%s succeeded, want an error: the cached entry must be neither used nor replaced (%s)", call, tt.reason)
				}
				for _, want := range tt.wantErr {
					if err != nil && !strings.Contains(err.Error(), expand(want)) && call == "Load" {
						t.Errorf("Load error:\n  %v\nwant it to contain:\n  %s\n(%s)", err, expand(want), tt.reason)
					}
				}
				for _, want := range tt.wantLog {
					if call == "Load" && !strings.Contains(log.String(), expand(want)) {
						t.Errorf("Load log:\n%s\nwant it to contain:\n  %s\n(%s)", log.String(), expand(want), tt.reason)
					}
				}
				if got := hits[0].Load(); call == "Load" && got != 0 {
					t.Errorf("Load downloaded %d times, want none over an entry it could not read (%s)", got, tt.reason)
				}
				// Download fetches the other three files; the entry it could not read must stay as it was.
				if diff := snapshotDiff(before, snapshot(t, cache, name+".gz")); diff != "" {
					t.Errorf("after %s the cache entry %s.gz changed (%s):\n%s", call, name, tt.reason, diff)
				}
			}
		})
	}
}

// writeFile writes b to path or fails the test.
func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshot describes every entry under dir whose path starts with prefix (name, type, link target or
// bytes), not following links.
func snapshot(t *testing.T, dir, prefix string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if !strings.HasPrefix(rel, prefix) {
			return nil
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(path)
			out[rel] = "link to " + target + fmt.Sprint(err)
		case d.IsDir():
			out[rel] = "dir"
		default:
			info, err := d.Info()
			if err != nil {
				return err
			}
			b, err := os.ReadFile(path)
			out[rel] = fmt.Sprintf("file %v %x %v", info.Mode(), b, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// snapshotDiff lists the entries that differ between two snapshots.
func snapshotDiff(before, after map[string]string) string {
	var diff []string
	for k, v := range before {
		if after[k] != v {
			diff = append(diff, fmt.Sprintf("  %s: was %q, now %q", k, v, after[k]))
		}
	}
	for k, v := range after {
		if _, ok := before[k]; !ok {
			diff = append(diff, fmt.Sprintf("  %s: new, %q", k, v))
		}
	}
	return strings.Join(diff, "\n")
}

// TestDownloadFileMode checks that downloaded files are readable by everyone the umask allows, so one
// cache can serve a class, rather than 0600 as os.CreateTemp would make them.
func TestDownloadFileMode(t *testing.T) {
	mirrors, _ := newMirrors(t, "ok")
	cache := t.TempDir()
	if err := Download(context.Background(), testOptions(t, cache, mirrors, &strings.Builder{})); err != nil {
		t.Fatalf("Download: %v", err)
	}
	umask := syscall.Umask(0o022)
	syscall.Umask(umask)
	want := fs.FileMode(0o644 &^ umask)
	for _, name := range allFiles() {
		fi, err := os.Stat(filepath.Join(cache, name+".gz"))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s has mode %v, want %v (0644 less the umask %03o)", name, got, want, umask)
		}
	}
}

// helperEnv guards TestHelperProcess: set, it names the cache to fill; the mirror is in helperMirrorEnv.
const (
	helperEnv       = "FASHION_TEST_HELPER_CACHE"
	helperMirrorEnv = "FASHION_TEST_HELPER_MIRROR"
)

// TestHelperProcess is not a test: run by TestDownloadConcurrentProcesses as a subprocess, it downloads
// the fixtures into the cache its environment names.
func TestHelperProcess(t *testing.T) {
	cache := os.Getenv(helperEnv)
	if cache == "" {
		t.Skip("helper process for TestDownloadConcurrentProcesses, run only as its subprocess")
	}
	opts := testOptions(t, cache, []string{os.Getenv(helperMirrorEnv)}, nil)
	opts.Log = os.Stderr
	opts.stallTimeout = 10 * time.Second
	if err := Download(context.Background(), opts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// TestDownloadConcurrentProcesses starts four processes filling one empty cache from one server, which
// holds each file back until all four ask for it (or a second passes) and sends it in two halves, so the
// writes overlap. They must all succeed and leave four good files and nothing else.
func TestDownloadConcurrentProcesses(t *testing.T) {
	const procs = 4
	var mu sync.Mutex
	arrived := map[string]chan struct{}{} // file → closed when procs requests arrived
	counts := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), ".gz")
		if !ok {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		gate := arrived[name]
		if gate == nil {
			gate = make(chan struct{})
			arrived[name] = gate
		}
		if counts[name]++; counts[name] == procs {
			close(gate)
		}
		mu.Unlock()
		select {
		case <-gate:
		case <-time.After(time.Second):
		case <-r.Context().Done():
			return
		}
		_, body := fixtureFile(t, name, "gz")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		time.Sleep(10 * time.Millisecond)
		w.Write(body[len(body)/2:])
	}))
	defer srv.Close()

	cache := filepath.Join(t.TempDir(), "cache") // absent: the processes race to create it too
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmds := make([]*exec.Cmd, procs)
	outs := make([]*bytes.Buffer, procs)
	for i := range cmds {
		cmds[i] = exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmds[i].Env = append(os.Environ(), helperEnv+"="+cache, helperMirrorEnv+"="+srv.URL+"/")
		outs[i] = &bytes.Buffer{}
		cmds[i].Stdout, cmds[i].Stderr = outs[i], outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s", i, err, outs[i])
		}
	}
	mu.Lock()
	t.Logf("requests per file: %v", counts)
	mu.Unlock()
	checkCache(t, cache, []string{"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
		"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"})
}
