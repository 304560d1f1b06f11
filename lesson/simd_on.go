//go:build goexperiment.simd

package lesson

// simdBuild reports whether this program was built with GOEXPERIMENT=simd,
// which compiles the go backend's AVX2 matrix multiply.
const simdBuild = true
