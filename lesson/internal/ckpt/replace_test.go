//go:build unix

package ckpt

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// writeCheckpoint writes a small checkpoint named model into dir (created): lesson.json and one
// GoMLX-like weights file.
func writeCheckpoint(t testing.TB, dir, model string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := checkpointWriter(model, 0)(dir); err != nil {
		t.Fatal(err)
	}
}

// checkpointWriter returns a write function for Replace that writes a checkpoint named model, with
// extra bytes of weights.
func checkpointWriter(model string, extra int) func(string) error {
	return func(tmp string) error {
		weights := append([]byte("weights of "+model), make([]byte, extra)...)
		if err := os.WriteFile(filepath.Join(tmp, "checkpoint-n0000001-step-00000010.bin"), weights, 0o644); err != nil {
			return err
		}
		m := goodMeta()
		m.Model = model
		return m.Write(tmp)
	}
}

// tree describes every entry under root by relative path: "dir", "link to X", or the file's bytes.
func tree(t testing.TB, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(path)
			out[rel] = "link to " + target
		case d.IsDir():
			out[rel] = "dir"
		case d.Type().IsRegular():
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			out[rel] = string(b)
		default:
			out[rel] = d.Type().String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// names returns the sorted names in dir.
func names(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// modelIn returns the model name of the checkpoint in dir, or the error reading it.
func modelIn(dir string) string {
	m, err := ReadMeta(dir)
	if err != nil {
		return err.Error()
	}
	return m.Model
}

func TestReplaceRefuses(t *testing.T) {
	tests := []struct {
		name, reason string
		setup        func(t *testing.T, dir string)
		wantErr      string // {dir} stands for the checkpoint directory
	}{
		{name: "notes", reason: "a directory of notes and code is not ours",
			setup: func(t *testing.T, dir string) {
				os.Mkdir(dir, 0o755)
				os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("my notes"), 0o644)
				os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main"), 0o644)
			},
			wantErr: "ckpt: {dir} holds files that are not a lesson checkpoint (main.go, notes.txt); nothing was touched; " +
				"choose another checkpoint directory (-checkpoint or $LESSON_CHECKPOINT_DIR)"},
		{name: "checkpoint plus notes", reason: "a checkpoint someone added a file to is not only ours",
			setup: func(t *testing.T, dir string) {
				writeCheckpoint(t, dir, "old")
				os.WriteFile(filepath.Join(dir, "results.md"), []byte("keep me"), 0o644)
			},
			wantErr: "ckpt: {dir} holds files that are not a lesson checkpoint (results.md)"},
		{name: "subdirectory", reason: "a checkpoint has no subdirectories",
			setup: func(t *testing.T, dir string) {
				writeCheckpoint(t, dir, "old")
				os.Mkdir(filepath.Join(dir, "checkpoint-dir"), 0o755)
			},
			wantErr: "(checkpoint-dir); nothing was touched"},
		{name: "regular file", reason: "a file in the way",
			setup:   func(t *testing.T, dir string) { os.WriteFile(dir, []byte("a file"), 0o644) },
			wantErr: "ckpt: {dir} is a regular file, not a checkpoint directory; nothing was touched; choose another"},
		{name: "symlink", reason: "a link to elsewhere, even to a checkpoint, is not replaced",
			setup: func(t *testing.T, dir string) {
				target := filepath.Join(filepath.Dir(dir), "elsewhere")
				writeCheckpoint(t, target, "old")
				os.Symlink(target, dir)
			},
			wantErr: "ckpt: {dir} is a symbolic link to "},
		{name: "named pipe", reason: "not a directory",
			setup: func(t *testing.T, dir string) {
				if err := syscall.Mkfifo(dir, 0o644); err != nil {
					t.Skipf("cannot make a named pipe: %v", err)
				}
			},
			wantErr: "ckpt: {dir} is a named pipe, not a checkpoint directory"},
		{name: "bad metadata", reason: "a damaged lesson.json is named, with the fix",
			setup: func(t *testing.T, dir string) {
				os.Mkdir(dir, 0o755)
				os.WriteFile(filepath.Join(dir, MetaFile), []byte("{"), 0o644)
			},
			wantErr: "ckpt: lesson.json: not valid checkpoint metadata: unexpected EOF (in {dir}); if it is a damaged lesson checkpoint, delete {dir} and train again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "cnn")
			tt.setup(t, dir)
			before := tree(t, parent)
			for _, call := range []string{"Preflight", "Replace"} {
				var err error
				called := false
				if call == "Preflight" {
					err = Preflight(dir)
				} else {
					err = Replace(dir, func(tmp string) error { called = true; return nil })
				}
				want := strings.ReplaceAll(tt.wantErr, "{dir}", dir)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s error = %v, want one containing %q (%s)", call, err, want, tt.reason)
				}
				if called {
					t.Errorf("Replace called the write function, want a refusal first (%s)", tt.reason)
				}
				if diff := cmp.Diff(before, tree(t, parent)); diff != "" {
					t.Errorf("after %s: the place changed, want it untouched (%s): mismatch (-want +got):\n%s", call, tt.reason, diff)
				}
			}
		})
	}
}

func TestReplace(t *testing.T) {
	tests := []struct {
		name, reason string
		setup        func(t *testing.T, dir string)
	}{
		{name: "absent", reason: "a new checkpoint, parents created",
			setup: func(t *testing.T, dir string) {}},
		{name: "empty", reason: "an empty directory may be used",
			setup: func(t *testing.T, dir string) { os.MkdirAll(dir, 0o755) }},
		{name: "ours", reason: "a previous checkpoint is replaced",
			setup: func(t *testing.T, dir string) { writeCheckpoint(t, dir, "old") }},
		{name: "format 1", reason: "a checkpoint of the older lesson is ours too",
			setup: func(t *testing.T, dir string) {
				os.MkdirAll(dir, 0o755)
				os.WriteFile(filepath.Join(dir, MetaFile), []byte(`{"format":1,"config":{"Hidden":128},"history":[]}`), 0o644)
				os.WriteFile(filepath.Join(dir, "checkpoint-n0000001.json"), []byte("{}"), 0o644)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := filepath.Join(t.TempDir(), "a", "b")
			dir := filepath.Join(parent, "cnn")
			tt.setup(t, dir)
			if err := Preflight(dir); err != nil {
				t.Fatalf("Preflight: %v (%s)", err, tt.reason)
			}
			if err := Replace(dir, checkpointWriter("new", 0)); err != nil {
				t.Fatalf("Replace: %v (%s)", err, tt.reason)
			}
			if got := modelIn(dir); got != "new" {
				t.Errorf("after Replace the checkpoint is %q, want %q (%s)", got, "new", tt.reason)
			}
			want := map[string]string{".": "dir", MetaFile: tree(t, dir)[MetaFile], "checkpoint-n0000001-step-00000010.bin": "weights of new"}
			if diff := cmp.Diff(want, tree(t, dir)); diff != "" {
				t.Errorf("checkpoint files (%s): mismatch (-want +got):\n%s", tt.reason, diff)
			}
			if diff := cmp.Diff([]string{".cnn.lock", "cnn"}, names(t, parent)); diff != "" {
				t.Errorf("beside the checkpoint, want only it and its lock (%s): mismatch (-want +got):\n%s", tt.reason, diff)
			}
			fi, _ := os.Stat(dir)
			if fi.Mode().Perm()&0o055 == 0 {
				t.Errorf("checkpoint directory mode %v: want it readable by others as the umask allows, not 0700", fi.Mode())
			}
		})
	}
}

func TestReplaceWriteFails(t *testing.T) {
	tests := []struct {
		name, reason string
		write        func(tmp string) error
		wantErr      string
	}{
		{name: "error", reason: "a failing save keeps the old checkpoint",
			write: func(tmp string) error {
				os.WriteFile(filepath.Join(tmp, "checkpoint-half.bin"), []byte("half"), 0o644)
				return errors.New("disk on fire")
			},
			wantErr: "ckpt: writing the checkpoint (the previous one in {dir} is kept): disk on fire"},
		{name: "no metadata", reason: "a checkpoint without lesson.json would not load: it is not installed",
			write: func(tmp string) error {
				return os.WriteFile(filepath.Join(tmp, "checkpoint-n1.bin"), []byte("w"), 0o644)
			},
			wantErr: "ckpt: the new checkpoint is incomplete (the previous one in {dir} is kept): ckpt: open "},
		{name: "panic", reason: "a panic in the write function cleans up too",
			write:   func(tmp string) error { panic("GoMLX exploded") },
			wantErr: "panic: GoMLX exploded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "cnn")
			writeCheckpoint(t, dir, "old")
			before := tree(t, dir)
			err := func() (err error) {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("panic: %v", r)
					}
				}()
				return Replace(dir, tt.write)
			}()
			want := strings.ReplaceAll(tt.wantErr, "{dir}", dir)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Replace error = %v, want one containing %q (%s)", err, want, tt.reason)
			}
			if diff := cmp.Diff(before, tree(t, dir)); diff != "" {
				t.Errorf("the old checkpoint changed (%s): mismatch (-want +got):\n%s", tt.reason, diff)
			}
			if diff := cmp.Diff([]string{".cnn.lock", "cnn"}, names(t, parent)); diff != "" {
				t.Errorf("leftovers beside the checkpoint (%s): mismatch (-want +got):\n%s", tt.reason, diff)
			}
		})
	}
}

func TestReplaceLeftovers(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "cnn")
	writeCheckpoint(t, dir, "old")
	writeCheckpoint(t, filepath.Join(parent, ".cnn.tmp-123"), "killed during write")
	writeCheckpoint(t, filepath.Join(parent, ".cnn.old-456"), "killed before cleanup")
	os.Mkdir(filepath.Join(parent, ".cnn.tmp-empty"), 0o755)
	os.Mkdir(filepath.Join(parent, ".cnn.preflight-789"), 0o755)
	notes := filepath.Join(parent, ".cnn.tmp-notes")
	writeCheckpoint(t, notes, "x")
	os.WriteFile(filepath.Join(notes, "notes.txt"), []byte("not ours"), 0o644)
	os.WriteFile(filepath.Join(parent, ".cnn.tmp-file"), []byte("a file, not a directory"), 0o644)
	writeCheckpoint(t, filepath.Join(parent, ".other.tmp-1"), "another checkpoint's")
	if err := Replace(dir, checkpointWriter("new", 0)); err != nil {
		t.Fatalf("Replace: %v", err)
	}
	want := []string{".cnn.lock", ".cnn.tmp-file", ".cnn.tmp-notes", ".other.tmp-1", "cnn"}
	if diff := cmp.Diff(want, names(t, parent)); diff != "" {
		t.Errorf("leftovers of killed saves holding only checkpoint files are removed, nothing else: mismatch (-want +got):\n%s", diff)
	}
}

func TestRecover(t *testing.T) {
	t.Run("between renames", func(t *testing.T) {
		// A save killed after moving the old checkpoint aside and before renaming the new one in.
		parent := t.TempDir()
		dir := filepath.Join(parent, "cnn")
		writeCheckpoint(t, filepath.Join(parent, ".cnn.old-1"), "old")
		writeCheckpoint(t, filepath.Join(parent, ".cnn.tmp-2"), "new, not installed")
		if err := Recover(dir); err != nil {
			t.Fatalf("Recover: %v", err)
		}
		if got := modelIn(dir); got != "old" {
			t.Errorf("after Recover the checkpoint is %q, want the old one", got)
		}
		if err := Replace(dir, checkpointWriter("newer", 0)); err != nil {
			t.Fatalf("Replace: %v", err)
		}
		if diff := cmp.Diff([]string{".cnn.lock", "cnn"}, names(t, parent)); diff != "" {
			t.Errorf("after the next Replace: mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("newest", func(t *testing.T) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "cnn")
		writeCheckpoint(t, filepath.Join(parent, ".cnn.old-a"), "older")
		writeCheckpoint(t, filepath.Join(parent, ".cnn.old-b"), "newer")
		past := time.Now().Add(-time.Hour)
		os.Chtimes(filepath.Join(parent, ".cnn.old-a", MetaFile), past, past)
		if err := Recover(dir); err != nil {
			t.Fatalf("Recover: %v", err)
		}
		if got := modelIn(dir); got != "newer" {
			t.Errorf("after Recover the checkpoint is %q, want the most recent one", got)
		}
	})
	t.Run("present", func(t *testing.T) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "cnn")
		writeCheckpoint(t, dir, "current")
		writeCheckpoint(t, filepath.Join(parent, ".cnn.old-1"), "old")
		before := tree(t, parent)
		if err := Recover(dir); err != nil {
			t.Fatalf("Recover: %v", err)
		}
		if diff := cmp.Diff(before, tree(t, parent)); diff != "" {
			t.Errorf("Recover with dir present changed things: mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("nothing", func(t *testing.T) {
		parent := t.TempDir()
		if err := Recover(filepath.Join(parent, "cnn")); err != nil {
			t.Fatalf("Recover: %v", err)
		}
		if got := names(t, parent); len(got) != 0 {
			t.Errorf("Recover with nothing to do created %v", got)
		}
	})
}

func TestPreflight(t *testing.T) {
	t.Run("absent parents removed again", func(t *testing.T) {
		root := t.TempDir()
		if err := Preflight(filepath.Join(root, "a", "b", "cnn")); err != nil {
			t.Fatalf("Preflight: %v", err)
		}
		if got := names(t, root); len(got) != 0 {
			t.Errorf("Preflight left %v, want nothing", got)
		}
	})
	tests := []struct {
		name, reason string
		dir          func(root string) string
		wantErr      string
	}{
		{name: "file as parent", reason: "a parent that is a file cannot hold the checkpoint",
			dir: func(root string) string {
				os.WriteFile(filepath.Join(root, "file"), nil, 0o644)
				return filepath.Join(root, "file", "cnn")
			},
			wantErr: "ckpt: {root}/file/cnn: a parent of it is a file, not a directory; choose another checkpoint directory (-checkpoint or $LESSON_CHECKPOINT_DIR)"},
		{name: "empty name", reason: "nothing to write to",
			dir:     func(string) string { return "" },
			wantErr: "ckpt: no checkpoint directory given; set -checkpoint or $LESSON_CHECKPOINT_DIR"},
		{name: "root", reason: "the file system root is no checkpoint",
			dir:     func(string) string { return "/" },
			wantErr: `ckpt: "/" cannot be a checkpoint directory`},
		{name: "read-only", reason: "an unwritable place fails before training",
			dir: func(root string) string {
				if os.Geteuid() == 0 {
					return "/proc/cnn" // root ignores modes; /proc refuses new entries
				}
				os.Chmod(root, 0o555)
				return filepath.Join(root, "cnn")
			},
			wantErr: "ckpt: cannot "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			defer os.Chmod(root, 0o755)
			err := Preflight(tt.dir(root))
			want := strings.ReplaceAll(tt.wantErr, "{root}", root)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Preflight error = %v, want one containing %q (%s)", err, want, tt.reason)
			}
		})
	}
}

func TestReplaceLocked(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "cnn")
	writeCheckpoint(t, dir, "old")
	unlock, err := lock(parent, "cnn")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	err = Replace(dir, checkpointWriter("new", 0))
	want := "ckpt: another process is saving into " + dir + " right now"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Replace while locked = %v, want an error containing %q at once, not a wait", err, want)
	}
	if got := modelIn(dir); got != "old" {
		t.Errorf("checkpoint %q, want the old one", got)
	}
}

// helperEnv guards TestHelperProcess: set, it names the checkpoint directory to replace.
const helperEnv = "CKPT_TEST_HELPER_DIR"

// TestHelperProcess is not a test: run by TestReplaceInterrupted as a subprocess, it starts a Replace
// whose write function writes part of a checkpoint, says "writing" and waits to be killed.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("helper process for TestReplaceInterrupted, run only as its subprocess")
	}
	err := Replace(dir, func(tmp string) error {
		os.WriteFile(filepath.Join(tmp, "checkpoint-n0000002.bin"), []byte("half of the new weights"), 0o644)
		fmt.Println("writing")
		time.Sleep(time.Minute)
		return errors.New("not killed")
	})
	fmt.Println(err)
	os.Exit(3)
}

// TestReplaceInterrupted kills a process in the middle of Replace with SIGKILL, SIGINT and SIGTERM: the
// old checkpoint must be intact, and the next Replace must succeed (the lock died with the process)
// and clean up what the killed one left.
func TestReplaceInterrupted(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "cnn")
			writeCheckpoint(t, dir, "old")
			before := tree(t, dir)

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), helperEnv+"="+dir)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if line != "writing\n" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("helper said %q (%v), want \"writing\"", line, err)
			}
			cmd.Process.Signal(sig)
			err = cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() == 3 {
				t.Fatalf("helper ended with %v, want it killed by %v", err, sig)
			}

			if diff := cmp.Diff(before, tree(t, dir)); diff != "" {
				t.Errorf("after %v the old checkpoint changed: mismatch (-want +got):\n%s", sig, diff)
			}
			if got := names(t, parent); !slices.ContainsFunc(got, func(n string) bool { return strings.HasPrefix(n, ".cnn.tmp-") }) {
				t.Logf("no temporary directory left by the killed process: %v", got)
			}
			if err := Replace(dir, checkpointWriter("new", 0)); err != nil {
				t.Fatalf("Replace after the kill: %v", err)
			}
			if got := modelIn(dir); got != "new" {
				t.Errorf("after the next Replace the checkpoint is %q, want %q", got, "new")
			}
			if diff := cmp.Diff([]string{".cnn.lock", "cnn"}, names(t, parent)); diff != "" {
				t.Errorf("the next Replace cleans up the killed one's leftovers: mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReplaceFullDisk replaces a checkpoint on a 64 KiB tmpfs with one that does not fit: the old one
// must be intact and nothing left beside it.
func TestReplaceFullDisk(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root; run as root (as CI's container does) to test a full disk")
	}
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=64k"); err != nil {
		t.Skipf("cannot mount a 64 KiB tmpfs at %s (%v): this container lacks CAP_SYS_ADMIN; the full-disk case is untested here", mnt, err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, 0) })
	dir := filepath.Join(mnt, "cnn")
	if err := Replace(dir, checkpointWriter("old", 0)); err != nil {
		t.Fatalf("Replace of a small checkpoint: %v", err)
	}
	before := tree(t, dir)
	err := Replace(dir, checkpointWriter("too big", 128<<10))
	if err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Errorf("Replace on a full disk = %v, want an error saying no space left", err)
	}
	if diff := cmp.Diff(before, tree(t, dir)); diff != "" {
		t.Errorf("the old checkpoint changed: mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{".cnn.lock", "cnn"}, names(t, mnt)); diff != "" {
		t.Errorf("leftovers on the full disk: mismatch (-want +got):\n%s", diff)
	}
}
