package gobackend

// Tests of the fork's merged-axes broadcast iterators against upstream's
// element-by-element ones (see PATCHES.md).

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
)

// randomBroadcastShapes returns a random target shape and a source of the
// same rank with some axes of size 1.
func randomBroadcastShapes(rng *rand.Rand) (src, tgt shapes.Shape) {
	rank := rng.IntN(7)
	tgtDims := make([]int, rank)
	srcDims := make([]int, rank)
	for axis := range rank {
		tgtDims[axis] = 1 + rng.IntN(4)
		if rng.IntN(8) == 0 {
			tgtDims[axis] = 0
		}
		srcDims[axis] = tgtDims[axis]
		if rng.IntN(2) == 0 {
			srcDims[axis] = 1
		}
	}
	return shapes.Make(dtypes.Float32, srcDims...), shapes.Make(dtypes.Float32, tgtDims...)
}

func TestBroadcastIteratorFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		src, tgt := randomBroadcastShapes(rng)
		bi := NewBroadcastIterator(src, tgt)
		var want, got [][2]int
		for s, d := range bi.iterFlatIndicesElementwise() {
			want = append(want, [2]int{s, d})
		}
		for s, d := range bi.IterFlatIndices() {
			got = append(got, [2]int{s, d})
		}
		if !slices.Equal(want, got) {
			t.Fatalf("%s -> %s: got %v, want %v", src, tgt, got, want)
		}
		// Early stop.
		n := 0
		for range bi.IterFlatIndices() {
			n++
			if n == 3 {
				break
			}
		}
	}
}

func TestZipIteratorFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		lhs, tgt := randomBroadcastShapes(rng)
		rhsDims := slices.Clone(tgt.Dimensions)
		for axis := range rhsDims {
			if rng.IntN(2) == 0 {
				rhsDims[axis] = 1
			}
		}
		rhs := shapes.Make(dtypes.Float32, rhsDims...)
		zi := NewZippedBroadcastIterator(lhs, rhs, tgt)
		var want, got []ZippedIndices
		for idx := range zi.iterFlatIndicesElementwise() {
			want = append(want, idx)
		}
		for idx := range zi.IterFlatIndices() {
			got = append(got, idx)
		}
		if !slices.Equal(want, got) {
			t.Fatalf("%s, %s -> %s: got %v, want %v", lhs, rhs, tgt, got, want)
		}
	}
}
