package gobackend

import (
	"iter"
	"slices"

	"github.com/gomlx/compute/internal/exceptions"
	"github.com/gomlx/compute/shapes"
)

// BroadcastIterator allows iteration over the flat indices of the target shape of a broadcast (where some axis
// dimensions grow)
//
// It is used by implicit broadcasting in binary ops and by the BroadcastInDim.
type BroadcastIterator struct {
	tgtSize     int
	srcStrides  []int
	isBroadcast []bool
	tgtDims     []int
}

// NewBroadcastIterator returns an iterator contructor over the flat indices of the target shape of a broadcast (where
// some axis dimensions grow).
//
// Pre-requisite: srcShape.Rank() == tgtShape.Rank().
//
// It is used by implicit broadcasting in binary ops and by the BroadcastInDim.
func NewBroadcastIterator(srcShape, tgtShape shapes.Shape) *BroadcastIterator {
	rank := srcShape.Rank()
	if rank != tgtShape.Rank() {
		exceptions.Panicf("broadcastIterator: rank mismatch srcShape=%s, tgtShape=%s", srcShape, tgtShape)
	}
	bi := &BroadcastIterator{
		tgtSize:     tgtShape.Size(),
		tgtDims:     slices.Clone(tgtShape.Dimensions),
		isBroadcast: make([]bool, rank),
		srcStrides:  srcShape.Strides(),
	}
	for axis := range rank {
		bi.isBroadcast[axis] = srcShape.Dimensions[axis] != tgtShape.Dimensions[axis]
	}
	return bi
}

// IterFlatIndices iterate over the source and target flat indices for broadcast.
// Notice since we are broadcasting, the target index will always be incremented by 1,
// while the source index may repeat (when it is being broadcast).
//
// Fork patch: implemented on Blocks, which merges axes broadcast alike and moves the odometer
// once per block of the two innermost merged axes.
func (bi *BroadcastIterator) IterFlatIndices() iter.Seq2[int, int] {
	return func(yield func(srcIdx, tgtIdx int) bool) {
		blk, starts := bi.Blocks()
		for start := range starts {
			srcRow, tgtIdx := start.SrcFlatIdx, start.TgtFlatIdx
			for range blk.D0 {
				srcIdx := srcRow
				for range blk.D1 {
					if !yield(srcIdx, tgtIdx) {
						return
					}
					srcIdx += blk.SrcStride1
					tgtIdx++
				}
				srcRow += blk.SrcStride0
			}
		}
	}
}

// BroadcastBlock is the inner block of a broadcast (see BroadcastIterator.Blocks): D0×D1 target
// elements, contiguous in the target, read from the source with the given strides (0 where
// broadcast).
type BroadcastBlock struct {
	D0, D1                 int
	SrcStride0, SrcStride1 int
}

// BroadcastBlockStart is where one block starts in the source and in the target.
type BroadcastBlockStart struct {
	SrcFlatIdx, TgtFlatIdx int
}

// Blocks splits the broadcast into blocks of the same shape (the two innermost axes after merging
// axes broadcast alike): it returns the block and the start of each block, in target order.
// Fork patch: lets executors run a plain loop per block instead of a call per element.
func (bi *BroadcastIterator) Blocks() (BroadcastBlock, iter.Seq[BroadcastBlockStart]) {
	dims, strides := mergeBroadcastAxes(bi.tgtDims, [][]int{bi.srcStrides}, [][]bool{bi.isBroadcast})
	rank := len(dims)
	blk := BroadcastBlock{D0: dims[rank-2], D1: dims[rank-1], SrcStride0: strides[0][rank-2], SrcStride1: strides[0][rank-1]}
	outerDims, outerStrides := dims[:rank-2], strides[0][:rank-2]
	blockSize := blk.D0 * blk.D1
	return blk, func(yield func(BroadcastBlockStart) bool) {
		if bi.tgtSize == 0 {
			return
		}
		outerIdx := make([]int, len(outerDims))
		src := 0
		for tgt := 0; tgt < bi.tgtSize; tgt += blockSize {
			if !yield(BroadcastBlockStart{SrcFlatIdx: src, TgtFlatIdx: tgt}) {
				return
			}
			for axis := len(outerIdx) - 1; axis >= 0; axis-- {
				outerIdx[axis]++
				src += outerStrides[axis]
				if outerIdx[axis] < outerDims[axis] {
					break
				}
				src -= outerStrides[axis] * outerDims[axis]
				outerIdx[axis] = 0
			}
		}
	}
}

// mergeBroadcastAxes drops the target axes of size 1 and merges adjacent axes that every input
// broadcasts in the same way, returning the merged target dimensions and, per input, the flat
// strides on each merged axis (0 where the input is broadcast). The result has at least 2 axes
// (padded with leading axes of size 1).
func mergeBroadcastAxes(tgtDims []int, srcStrides [][]int, isBroadcast [][]bool) (dims []int, strides [][]int) {
	strides = make([][]int, len(srcStrides))
	sameKind := func(a, b int) bool {
		for i := range isBroadcast {
			if isBroadcast[i][a] != isBroadcast[i][b] {
				return false
			}
		}
		return true
	}
	last := -1 // the original axis last merged into dims
	for axis, d := range tgtDims {
		if d == 1 {
			continue
		}
		if last >= 0 && sameKind(last, axis) {
			dims[len(dims)-1] *= d
			for i := range strides {
				if !isBroadcast[i][axis] {
					strides[i][len(dims)-1] = srcStrides[i][axis]
				}
			}
			last = axis
			continue
		}
		dims = append(dims, d)
		for i := range strides {
			stride := 0
			if !isBroadcast[i][axis] {
				stride = srcStrides[i][axis]
			}
			strides[i] = append(strides[i], stride)
		}
		last = axis
	}
	for len(dims) < 2 {
		dims = append([]int{1}, dims...)
		for i := range strides {
			strides[i] = append([]int{0}, strides[i]...)
		}
	}
	return dims, strides
}

// iterFlatIndicesElementwise is upstream's IterFlatIndices, kept as the reference for tests.
func (bi *BroadcastIterator) iterFlatIndicesElementwise() iter.Seq2[int, int] {
	return func(yield func(srcIdx, tgtIdx int) bool) {
		rank := len(bi.tgtDims)
		perAxesIdx := make([]int, rank)
		srcFlatIdx := 0
		for dstFlatIdx := range bi.tgtSize {
			// Yield first.
			if !yield(srcFlatIdx, dstFlatIdx) {
				return
			}

			// Bump to next srcFlatIdx.
			srcFlatIdx++
			for axis := rank - 1; axis >= 0; axis-- {
				perAxesIdx[axis]++
				if perAxesIdx[axis] < bi.tgtDims[axis] {
					if bi.isBroadcast[axis] {
						// If we are broadcasting on this axis, we need to go back and repeat the same slice of the tensor.
						srcFlatIdx -= bi.srcStrides[axis]
					}
					break
				}
				perAxesIdx[axis] = 0
			}
		}
	}
}

// ZippedIndices of two BroadcastIterators.
type ZippedIndices struct {
	LHSFlatIdx, RHSFlatIdx int
	TgtFlatIdx             int
}

// ZipIterator allows iteration over the flat indices of the target shape of a broadcast (where some axis
// dimensions grow) for two input shapes (LHS and RHS).
//
// It implements the implicit broadcasting for binary ops like Add, Sub, Mul, Div, etc.
type ZipIterator struct {
	tgtSize        int
	tgtDims        []int
	lhsStrides     []int
	rhsStrides     []int
	lhsIsBroadcast []bool
	rhsIsBroadcast []bool
}

// NewZippedBroadcastIterator returns an iterator constructor over the flat indices of the target shape of a broadcast (where
// some axis dimensions grow) for two input shapes (LHS and RHS).
//
// Pre-requisite: lhsShape.Rank() == tgtShape.Rank() && rhsShape.Rank() == tgtShape.Rank().
//
// It implements the implicit broadcasting for binary ops like Add, Sub, Mul, Div, etc.
func NewZippedBroadcastIterator(lhsShape, rhsShape, tgtShape shapes.Shape) *ZipIterator {
	rank := tgtShape.Rank()
	if lhsShape.Rank() != rank || rhsShape.Rank() != rank {
		exceptions.Panicf("zippedBroadcastIterator: rank mismatch lhsShape=%s, rhsShape=%s, tgtShape=%s", lhsShape, rhsShape, tgtShape)
	}

	zi := &ZipIterator{
		tgtSize:        tgtShape.Size(),
		tgtDims:        slices.Clone(tgtShape.Dimensions),
		lhsStrides:     lhsShape.Strides(),
		rhsStrides:     rhsShape.Strides(),
		lhsIsBroadcast: make([]bool, rank),
		rhsIsBroadcast: make([]bool, rank),
	}
	for axis := range rank {
		zi.lhsIsBroadcast[axis] = lhsShape.Dimensions[axis] != tgtShape.Dimensions[axis]
		zi.rhsIsBroadcast[axis] = rhsShape.Dimensions[axis] != tgtShape.Dimensions[axis]
	}
	return zi
}

// EqualNodeData implements NodeDataComparable, so this can be used as NodeData -- the comparison
// is used for deduping repeated nodes during model building.
func (z *ZipIterator) EqualNodeData(other NodeDataComparable) bool {
	if z == nil && other == nil {
		return true
	}
	if z == nil || other == nil {
		return false
	}
	otherZ, ok := other.(*ZipIterator)
	if !ok {
		return false
	}
	return z.tgtSize == otherZ.tgtSize &&
		slices.Equal(z.tgtDims, otherZ.tgtDims) &&
		slices.Equal(z.lhsStrides, otherZ.lhsStrides) &&
		slices.Equal(z.rhsStrides, otherZ.rhsStrides) &&
		slices.Equal(z.lhsIsBroadcast, otherZ.lhsIsBroadcast) &&
		slices.Equal(z.rhsIsBroadcast, otherZ.rhsIsBroadcast)
}

// IterFlatIndices iterate over the lhs, rhs and target flat indices for broadcast.
// Notice since we are broadcasting, the target index will always be incremented by 1,
// while the source indices may repeat (when it is being broadcast).
//
// Fork patch: implemented on Blocks, which merges axes broadcast alike and moves the odometer
// once per block of the two innermost merged axes.
func (zi *ZipIterator) IterFlatIndices() iter.Seq[ZippedIndices] {
	return func(yield func(ZippedIndices) bool) {
		blk, starts := zi.Blocks()
		for start := range starts {
			lhsRow, rhsRow, tgtIdx := start.LHSFlatIdx, start.RHSFlatIdx, start.TgtFlatIdx
			for range blk.D0 {
				lhsIdx, rhsIdx := lhsRow, rhsRow
				for range blk.D1 {
					if !yield(ZippedIndices{LHSFlatIdx: lhsIdx, RHSFlatIdx: rhsIdx, TgtFlatIdx: tgtIdx}) {
						return
					}
					lhsIdx += blk.LHSStride1
					rhsIdx += blk.RHSStride1
					tgtIdx++
				}
				lhsRow += blk.LHSStride0
				rhsRow += blk.RHSStride0
			}
		}
	}
}

// ZippedBlock is the inner block of a ZipIterator (see ZipIterator.Blocks): D0×D1 target
// elements, contiguous in the target, read from lhs and rhs with the given strides (0 where
// broadcast).
type ZippedBlock struct {
	D0, D1                 int
	LHSStride0, LHSStride1 int
	RHSStride0, RHSStride1 int
}

// Blocks splits the iteration into blocks of the same shape (the two innermost axes after merging
// axes broadcast alike): it returns the block and the start of each block, in target order.
// Fork patch: lets executors run a plain loop per block instead of a call per element.
func (zi *ZipIterator) Blocks() (ZippedBlock, iter.Seq[ZippedIndices]) {
	dims, strides := mergeBroadcastAxes(zi.tgtDims, [][]int{zi.lhsStrides, zi.rhsStrides},
		[][]bool{zi.lhsIsBroadcast, zi.rhsIsBroadcast})
	rank := len(dims)
	blk := ZippedBlock{
		D0: dims[rank-2], D1: dims[rank-1],
		LHSStride0: strides[0][rank-2], LHSStride1: strides[0][rank-1],
		RHSStride0: strides[1][rank-2], RHSStride1: strides[1][rank-1],
	}
	outerDims, lhsOuter, rhsOuter := dims[:rank-2], strides[0][:rank-2], strides[1][:rank-2]
	blockSize := blk.D0 * blk.D1
	return blk, func(yield func(ZippedIndices) bool) {
		if zi.tgtSize == 0 {
			return
		}
		outerIdx := make([]int, len(outerDims))
		lhs, rhs := 0, 0
		for tgt := 0; tgt < zi.tgtSize; tgt += blockSize {
			if !yield(ZippedIndices{LHSFlatIdx: lhs, RHSFlatIdx: rhs, TgtFlatIdx: tgt}) {
				return
			}
			for axis := len(outerIdx) - 1; axis >= 0; axis-- {
				outerIdx[axis]++
				lhs += lhsOuter[axis]
				rhs += rhsOuter[axis]
				if outerIdx[axis] < outerDims[axis] {
					break
				}
				lhs -= lhsOuter[axis] * outerDims[axis]
				rhs -= rhsOuter[axis] * outerDims[axis]
				outerIdx[axis] = 0
			}
		}
	}
}

// iterFlatIndicesElementwise is upstream's IterFlatIndices, kept as the reference for tests.
func (zi *ZipIterator) iterFlatIndicesElementwise() iter.Seq[ZippedIndices] {
	return func(yield func(ZippedIndices) bool) {
		rank := len(zi.tgtDims)
		perAxesIdx := make([]int, rank)
		lhsFlatIdx := 0
		rhsFlatIdx := 0

		for dstFlatIdx := range zi.tgtSize {
			// Yield first.
			if !yield(ZippedIndices{LHSFlatIdx: lhsFlatIdx, RHSFlatIdx: rhsFlatIdx, TgtFlatIdx: dstFlatIdx}) {
				return
			}

			// Bump to next
			lhsFlatIdx++
			rhsFlatIdx++
			for axis := rank - 1; axis >= 0; axis-- {
				perAxesIdx[axis]++
				if perAxesIdx[axis] < zi.tgtDims[axis] {
					if zi.lhsIsBroadcast[axis] {
						lhsFlatIdx -= zi.lhsStrides[axis]
					}
					if zi.rhsIsBroadcast[axis] {
						rhsFlatIdx -= zi.rhsStrides[axis]
					}
					break
				}
				perAxesIdx[axis] = 0
			}
		}
	}
}
