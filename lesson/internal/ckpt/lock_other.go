//go:build !unix

package ckpt

// realLock says that lock excludes nothing here.
const realLock = false

// lock does nothing where flock(2) is missing; removeLeftovers then keeps leftovers younger than an hour.
func lock(parent, base string) (unlock func(), err error) { return func() {}, nil }
