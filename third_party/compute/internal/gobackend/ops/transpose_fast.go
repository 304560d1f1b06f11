package ops

// Fork patch #10 (see PATCHES.md): Transpose drops size-1 axes and merges
// adjacent operand axes that stay adjacent in the permutation, then walks the
// output in flat order in blocks of its two innermost (merged) axes with fixed
// operand strides; a plain 2-D swap is done in cache tiles. Elements are
// moved as uint8/16/32/64 by dtype size, so all non-packed dtypes.

import (
	"github.com/gomlx/compute/internal/gobackend"
)

// transposeTile is the side of the square tiles of the 2-D transpose.
const transposeTile = 32

// transposeFast runs Transpose and returns true, or returns false (doing
// nothing) when the dtype is packed or its size is not 1, 2, 4 or 8 bytes.
func transposeFast(operand, output *gobackend.Buffer, permutations []int) bool {
	dtype := operand.RawShape.DType
	if dtype.IsPacked() {
		return false
	}
	elementSize := dtype.Size()
	n := operand.RawShape.Size()
	if n == 0 {
		return true
	}
	operandBytes, err := operand.MutableBytes()
	if err != nil || len(operandBytes) < n*elementSize {
		return false
	}
	outputBytes, err := output.MutableBytes()
	if err != nil || len(outputBytes) < n*elementSize {
		return false
	}
	dims, perm := mergeTransposeAxes(operand.RawShape.Dimensions, permutations)
	switch elementSize {
	case 1:
		transposeMerged(viewAs[uint8](operandBytes, n), viewAs[uint8](outputBytes, n), dims, perm)
	case 2:
		transposeMerged(viewAs[uint16](operandBytes, n), viewAs[uint16](outputBytes, n), dims, perm)
	case 4:
		transposeMerged(viewAs[uint32](operandBytes, n), viewAs[uint32](outputBytes, n), dims, perm)
	case 8:
		transposeMerged(viewAs[uint64](operandBytes, n), viewAs[uint64](outputBytes, n), dims, perm)
	default:
		return false
	}
	return true
}

// mergeTransposeAxes returns the operand dimensions and permutation of an
// equivalent transpose with the size-1 axes dropped and the operand axes that
// are adjacent in both operand and output merged.
func mergeTransposeAxes(dimensions, permutations []int) (dims, perm []int) {
	// Renumber the axes of size > 1.
	newAxis := make([]int, len(dimensions))
	kept := 0
	for axis, d := range dimensions {
		newAxis[axis] = -1
		if d > 1 {
			newAxis[axis] = kept
			kept++
		}
	}
	keptDims := make([]int, 0, kept)
	for _, d := range dimensions {
		if d > 1 {
			keptDims = append(keptDims, d)
		}
	}
	keptPerm := make([]int, 0, kept)
	for _, axis := range permutations {
		if newAxis[axis] >= 0 {
			keptPerm = append(keptPerm, newAxis[axis])
		}
	}
	// Groups: runs of output axes whose operand axes are consecutive.
	groupFirst := make([]int, 0, kept) // first operand axis of each group, in output order
	groupDim := make([]int, 0, kept)
	for j := 0; j < len(keptPerm); {
		first, d := keptPerm[j], keptDims[keptPerm[j]]
		j++
		for j < len(keptPerm) && keptPerm[j] == keptPerm[j-1]+1 {
			d *= keptDims[keptPerm[j]]
			j++
		}
		groupFirst = append(groupFirst, first)
		groupDim = append(groupDim, d)
	}
	// Merged operand axes are the groups ordered by their first operand axis.
	rank := len(groupFirst)
	dims = make([]int, rank)
	perm = make([]int, rank)
	for g, first := range groupFirst {
		operandAxis := 0
		for _, other := range groupFirst {
			if other < first {
				operandAxis++
			}
		}
		dims[operandAxis] = groupDim[g]
		perm[g] = operandAxis
	}
	return dims, perm
}

// transposeMerged writes into out the transpose of in (operand dimensions
// dims) by perm, walking the output in flat order.
func transposeMerged[U uint8 | uint16 | uint32 | uint64](in, out []U, dims, perm []int) {
	rank := len(dims)
	if rank <= 1 {
		copy(out, in)
		return
	}
	if rank == 2 {
		transpose2D(in, out, dims[0], dims[1])
		return
	}
	operandStrides := make([]int, rank)
	stride := 1
	for axis := rank - 1; axis >= 0; axis-- {
		operandStrides[axis] = stride
		stride *= dims[axis]
	}
	// Output axis j: size dims[perm[j]], operand stride operandStrides[perm[j]].
	outDims := make([]int, rank)
	outStrides := make([]int, rank)
	for j, axis := range perm {
		outDims[j], outStrides[j] = dims[axis], operandStrides[axis]
	}
	n0, s0 := outDims[rank-2], outStrides[rank-2]
	n1, s1 := outDims[rank-1], outStrides[rank-1]
	blockSize := n0 * n1
	outerRank := rank - 2
	outerIdx := make([]int, outerRank)
	base := 0
	for o := 0; o < len(out); o += blockSize {
		block := out[o : o+blockSize]
		switch {
		case s1 == 1:
			for a := range n0 {
				copy(block[a*n1:(a+1)*n1], in[base+a*s0:base+a*s0+n1])
			}
		case n1 == 2:
			for a := range n0 {
				b := base + a*s0
				block[2*a] = in[b]
				block[2*a+1] = in[b+s1]
			}
		default:
			for a := range n0 {
				b := base + a*s0
				row := block[a*n1 : (a+1)*n1]
				for i := range row {
					row[i] = in[b+i*s1]
				}
			}
		}
		for axis := outerRank - 1; axis >= 0; axis-- {
			outerIdx[axis]++
			base += outStrides[axis]
			if outerIdx[axis] < outDims[axis] {
				break
			}
			base -= outStrides[axis] * outDims[axis]
			outerIdx[axis] = 0
		}
	}
}

// transpose2D writes into out ([cols, rows]) the transpose of in ([rows, cols])
// in square tiles, so that both sides stay in cache.
func transpose2D[U uint8 | uint16 | uint32 | uint64](in, out []U, rows, cols int) {
	for r0 := 0; r0 < rows; r0 += transposeTile {
		r1 := min(r0+transposeTile, rows)
		for c0 := 0; c0 < cols; c0 += transposeTile {
			c1 := min(c0+transposeTile, cols)
			for c := c0; c < c1; c++ {
				dst := out[c*rows+r0 : c*rows+r1]
				src := in[r0*cols+c:]
				for i := range dst {
					dst[i] = src[i*cols]
				}
			}
		}
	}
}
