// Package fashion is the Fashion-MNIST data set in memory: it reads the IDX
// files (gzip or raw), finds them in a directory, the user's cache or
// Debian's dataset-fashion-mnist package, downloads and verifies them when
// they are missing, and shifts images off-centre for the lesson's
// dense-versus-CNN comparison.
//
// It imports no GoMLX package, so its parsers build and fuzz fast.
package fashion
