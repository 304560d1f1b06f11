//go:build goexperiment.simd

package main

// simdBuild reports whether this program was built with GOEXPERIMENT=simd,
// which the go backend needs for its vectorised matrix products.
const simdBuild = true
