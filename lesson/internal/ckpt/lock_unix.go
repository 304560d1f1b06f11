//go:build unix

package ckpt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// realLock says that lock excludes other processes, so leftovers found while holding it are dead.
const realLock = true

// lock takes the lock file .<base>.lock in parent without waiting, so that two saves into one
// checkpoint directory never interleave; the kernel drops it when the process dies, even by SIGKILL.
// The file stays: removing it would let two processes lock two different files.
func lock(parent, base string) (unlock func(), err error) {
	path := filepath.Join(parent, "."+base+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("ckpt: cannot create the lock file %s: %w; %s", path, err, choose)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("ckpt: another process is saving into %s right now (it holds %s); "+
				"wait for it to finish, or %s", filepath.Join(parent, base), path, choose)
		}
		return nil, fmt.Errorf("ckpt: locking %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
