package ckpt

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// choose is the fix the errors give for a checkpoint directory that cannot be used.
const choose = "choose another checkpoint directory (-checkpoint or $LESSON_CHECKPOINT_DIR)"

// staleAge is how old a leftover must be to be removed where no lock proves its writer dead.
const staleAge = time.Hour

// Replace writes a new checkpoint into dir, replacing the one there, so that an interruption at any
// moment (an error, a panic, SIGINT, SIGKILL, a full disk, a power cut after the fsyncs) leaves dir with
// either the old or the new checkpoint, and removes nothing that is not ours.
//
// dir may be absent, an empty directory, or a lesson checkpoint: a directory holding a MetaFile of a
// known format and otherwise only GoMLX checkpoint files (named checkpoint*). Anything else (a regular
// file, a symbolic link, a directory of notes or code) is refused, and nothing is touched.
//
// Replace creates dir's parent if needed and takes the lock file .<base>.lock beside dir (left there), so
// that a second Replace of the same dir fails at once instead of interleaving. It restores an interrupted
// save (see Recover), removes leftovers .<base>.tmp-* and .<base>.old-* of killed saves that hold only
// checkpoint files, makes a temporary directory .<base>.tmp-* beside dir and calls write with its path.
// write must leave there a complete checkpoint including a MetaFile (Meta.Write); Replace checks it,
// fsyncs every file, moves the old dir aside to .<base>.old-*, renames the new one to dir and removes the
// old one. If write fails or panics, the temporary directory is removed and dir is untouched.
func Replace(dir string, write func(tmp string) error) error {
	dir, parent, base, err := split(dir)
	if err != nil {
		return err
	}
	if _, err := state(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("ckpt: cannot create %s for the checkpoint: %w; %s", parent, err, choose)
	}
	unlock, err := lock(parent, base)
	if err != nil {
		return err
	}
	defer unlock()
	if err := recoverLocked(dir, parent, base); err != nil {
		return err
	}
	exists, err := state(dir) // again, under the lock
	if err != nil {
		return err
	}
	removeLeftovers(parent, base, realLock)

	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-")
	if err != nil {
		return fmt.Errorf("ckpt: cannot write beside %s: %w; %s", dir, err, choose)
	}
	committed := false
	defer func() {
		if !committed {
			os.RemoveAll(tmp) // ours: made above
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp makes 0700; a checkpoint is shared like any directory
		return fmt.Errorf("ckpt: %w", err)
	}
	if err := write(tmp); err != nil {
		return fmt.Errorf("ckpt: writing the checkpoint (the previous one in %s is kept): %w", dir, err)
	}
	if _, err := ReadMeta(tmp); err != nil {
		return fmt.Errorf("ckpt: the new checkpoint is incomplete (the previous one in %s is kept): %w", dir, err)
	}
	if err := syncTree(tmp); err != nil {
		return fmt.Errorf("ckpt: writing the checkpoint (the previous one in %s is kept): %w", dir, err)
	}

	old := ""
	if exists {
		old = filepath.Join(parent, "."+base+".old-"+strings.ToLower(rand.Text()[:12]))
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("ckpt: moving the previous checkpoint aside (it is kept in %s): %w", dir, err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			if err2 := os.Rename(old, dir); err2 != nil {
				return fmt.Errorf("ckpt: installing the new checkpoint: %w; the previous one is in %s (restoring it failed: %v)", err, old, err2)
			}
		}
		return fmt.Errorf("ckpt: installing the new checkpoint (the previous one in %s is kept): %w", dir, err)
	}
	committed = true
	syncDir(parent)
	if old != "" {
		os.RemoveAll(old) // ours: state checked it holds only checkpoint files; a failure leaves a leftover
	}
	return nil
}

// Recover finishes the work of a save that was killed between moving the old checkpoint aside and
// renaming the new one in: if dir is missing and a leftover .<base>.old-* beside it holds a checkpoint,
// the most recent one (by its MetaFile's time) is renamed back to dir. It does nothing if dir exists, if
// there is nothing to restore, or if another process is saving into dir right now. Loaders call it
// before reading dir; Replace calls it itself.
func Recover(dir string) error {
	dir, parent, base, err := split(dir)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if matches, _ := filepath.Glob(filepath.Join(parent, "."+base+".old-*")); len(matches) == 0 {
		return nil
	}
	unlock, err := lock(parent, base)
	if err != nil {
		return nil // a save is under way, or the place is read-only: nothing to do that could help
	}
	defer unlock()
	return recoverLocked(dir, parent, base)
}

// recoverLocked is Recover with the lock held.
func recoverLocked(dir, parent, base string) error {
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	matches, _ := filepath.Glob(filepath.Join(parent, "."+base+".old-*"))
	best, bestTime := "", time.Time{}
	for _, m := range matches {
		if ours, err := isOurs(m); err != nil || !ours {
			continue
		}
		fi, err := os.Stat(filepath.Join(m, MetaFile))
		if err != nil {
			continue
		}
		if best == "" || fi.ModTime().After(bestTime) {
			best, bestTime = m, fi.ModTime()
		}
	}
	if best == "" {
		return nil
	}
	if err := os.Rename(best, dir); err != nil {
		return fmt.Errorf("ckpt: restoring the checkpoint an interrupted save left in %s: %w; rename it to %s by hand", best, err, dir)
	}
	syncDir(parent)
	return nil
}

// Preflight checks, before training, that Replace could later write dir: dir must be absent, an empty
// directory or a lesson checkpoint, and its parent must be creatable and writable, which Preflight
// tries by creating and removing a directory beside dir (and the parents it had to create). So an
// unwritable place or a file in the way fails in the first second, not after training.
func Preflight(dir string) error {
	dir, parent, base, err := split(dir)
	if err != nil {
		return err
	}
	if _, err := state(dir); err != nil {
		return err
	}
	var created []string // parents made here, deepest last
	for p := parent; ; p = filepath.Dir(p) {
		if _, err := os.Lstat(p); err == nil || p == filepath.Dir(p) {
			break
		}
		created = append([]string{p}, created...)
	}
	defer func() {
		for i := len(created) - 1; i >= 0; i-- {
			os.Remove(created[i]) // only if still empty
		}
	}()
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("ckpt: cannot create %s for the checkpoint: %w; %s", parent, err, choose)
	}
	probe, err := os.MkdirTemp(parent, "."+base+".preflight-")
	if err != nil {
		return fmt.Errorf("ckpt: cannot write the checkpoint beside %s: %w; %s", dir, err, choose)
	}
	if err := os.Remove(probe); err != nil {
		return fmt.Errorf("ckpt: %w", err)
	}
	return nil
}

// split cleans dir and returns it with its parent and base name.
func split(dir string) (clean, parent, base string, err error) {
	if dir == "" {
		return "", "", "", fmt.Errorf("ckpt: no checkpoint directory given; set -checkpoint or $LESSON_CHECKPOINT_DIR")
	}
	clean = filepath.Clean(dir)
	base = filepath.Base(clean)
	if base == "." || base == ".." || base == string(filepath.Separator) {
		return "", "", "", fmt.Errorf("ckpt: %q cannot be a checkpoint directory (it is saved as a directory of its own beside others); %s", dir, choose)
	}
	return clean, filepath.Dir(clean), base, nil
}

// state reports whether dir exists, and an error if it exists but may not be replaced: it is not a
// directory, is a symbolic link, or holds anything but a lesson checkpoint.
func state(dir string) (exists bool, err error) {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case errors.Is(err, syscall.ENOTDIR):
		return false, fmt.Errorf("ckpt: %s: a parent of it is a file, not a directory; %s", dir, choose)
	case err != nil:
		return false, fmt.Errorf("ckpt: %w; %s", err, choose)
	case fi.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(dir)
		return true, fmt.Errorf("ckpt: %s is a symbolic link to %s; a checkpoint is saved as a directory of its own, "+
			"so nothing was written there; %s", dir, target, choose)
	case !fi.IsDir():
		return true, fmt.Errorf("ckpt: %s is a %s, not a checkpoint directory; nothing was touched; %s", dir, kind(fi.Mode()), choose)
	}
	ours, err := isOurs(dir)
	if err != nil {
		return true, err
	}
	if !ours {
		return true, fmt.Errorf("ckpt: %s holds files that are not a lesson checkpoint (%s); nothing was touched; %s",
			dir, foreignNames(dir), choose)
	}
	return true, nil
}

// isOurs reports whether dir (a directory) may be replaced: it is empty, or it holds a MetaFile of a known
// format and otherwise only regular files named checkpoint*. A MetaFile that is not valid is an error.
func isOurs(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("ckpt: %w; %s", err, choose)
	}
	if len(entries) == 0 {
		return true, nil
	}
	hasMeta := false
	for _, e := range entries {
		if !e.Type().IsRegular() || !isCheckpointFile(e.Name()) {
			return false, nil
		}
		hasMeta = hasMeta || e.Name() == MetaFile
	}
	if !hasMeta {
		return false, nil
	}
	if _, err := ReadMeta(dir); err != nil {
		b, _ := os.ReadFile(filepath.Join(dir, MetaFile))
		if isLegacyMeta(b) {
			return true, nil
		}
		return false, fmt.Errorf("%w; if it is a damaged lesson checkpoint, delete %s and train again, or %s", err, dir, choose)
	}
	return true, nil
}

// isCheckpointFile reports whether name is one of the files a lesson checkpoint holds.
func isCheckpointFile(name string) bool {
	return name == MetaFile || strings.HasPrefix(name, "checkpoint")
}

// isLegacyMeta reports whether b is the MetaFile of format 1, written by the lesson before this package.
func isLegacyMeta(b []byte) bool {
	var m struct {
		Format int             `json:"format"`
		Config json.RawMessage `json:"config"`
	}
	return json.Unmarshal(b, &m) == nil && m.Format == 1 && len(m.Config) > 0
}

// foreignNames lists up to three entries of dir that are not checkpoint files.
func foreignNames(dir string) string {
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !isCheckpointFile(e.Name()) {
			if len(names) == 3 {
				names = append(names, "…")
				break
			}
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return "no " + MetaFile
	}
	return strings.Join(names, ", ")
}

// kind names a file mode for messages.
func kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "regular file"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

// removeLeftovers removes .<base>.tmp-*, .<base>.old-* and .<base>.preflight-* beside the checkpoint that killed saves left:
// real directories holding only checkpoint files (no subdirectory, link or other file). With the lock
// held (locked) no save is under way, so every such leftover is dead; without it, only those older than
// an hour are removed.
func removeLeftovers(parent, base string, locked bool) {
	for _, pattern := range []string{".tmp-*", ".old-*", ".preflight-*"} {
		matches, _ := filepath.Glob(filepath.Join(parent, "."+base+pattern))
		for _, m := range matches {
			fi, err := os.Lstat(m)
			if err != nil || !fi.IsDir() || (!locked && time.Since(fi.ModTime()) < staleAge) {
				continue
			}
			entries, err := os.ReadDir(m)
			if err != nil {
				continue
			}
			onlyOurs := true
			for _, e := range entries {
				onlyOurs = onlyOurs && e.Type().IsRegular() && isCheckpointFile(e.Name())
			}
			if onlyOurs {
				os.RemoveAll(m)
			}
		}
	}
}

// syncTree fsyncs every file and directory under root, so a power cut after the rename cannot leave
// the new checkpoint with empty files.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := f.Sync(); err != nil && !d.IsDir() {
			return err
		}
		return nil
	})
}

// syncDir fsyncs a directory so renames in it are durable; errors are ignored (some file systems
// cannot sync directories, and the rename has happened either way).
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}
