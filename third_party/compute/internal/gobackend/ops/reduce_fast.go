package ops

// Fork patch (see PATCHES.md): ReduceMax and ReduceSum of plain Go numeric
// types walk the operand in blocks instead of calling
// ReduceOutputIterator.Next per element.

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/internal/gobackend"
)

// reducePlan describes a reduction with the operand's axes of size 1 dropped
// and adjacent axes of the same kind (reduced or kept) merged: the operand is
// [outer..., m, n], where either n is reduced and m kept (innerReduced) or m
// is reduced and n kept. The operand is walked in flat order, one m×n block
// per outer position; outStrides are the output strides of the outer axes
// (0 for the reduced ones).
type reducePlan struct {
	m, n              int
	innerReduced      bool
	outer, outStrides []int
}

// newReducePlan returns the plan to reduce the given axes of an operand of
// the given dimensions.
func newReducePlan(dims, reduceAxes []int) reducePlan {
	isReduced := make([]bool, len(dims))
	for _, axis := range reduceAxes {
		isReduced[axis] = true
	}
	// Merged axes, outermost first.
	var sizes []int
	var reduced []bool
	for axis, d := range dims {
		if d == 1 {
			continue
		}
		if k := len(sizes); k > 0 && reduced[k-1] == isReduced[axis] {
			sizes[k-1] *= d
			continue
		}
		sizes = append(sizes, d)
		reduced = append(reduced, isReduced[axis])
	}
	// Pad to at least two axes, ending in (kept, reduced) or (reduced, kept).
	switch {
	case len(sizes) == 0:
		sizes, reduced = []int{1, 1}, []bool{false, true}
	case len(sizes) == 1 && reduced[0]:
		sizes, reduced = []int{1, sizes[0]}, []bool{false, true}
	case len(sizes) == 1:
		sizes, reduced = []int{1, sizes[0]}, []bool{true, false}
	}
	k := len(sizes)
	plan := reducePlan{m: sizes[k-2], n: sizes[k-1], innerReduced: reduced[k-1]}
	outer, outerReduced := sizes[:k-2], reduced[:k-2]
	// Output strides of the outer axes (0 for reduced axes); the inner kept axis has stride 1.
	outStrides := make([]int, len(outer))
	stride := plan.n
	if plan.innerReduced {
		stride = plan.m
	}
	for axis := len(outer) - 1; axis >= 0; axis-- {
		if !outerReduced[axis] {
			outStrides[axis] = stride
			stride *= outer[axis]
		}
	}
	plan.outer, plan.outStrides = outer, outStrides
	return plan
}

// reduceFast runs ReduceMax or ReduceSum into output and returns true, or
// returns false (doing nothing) for other ops and dtypes.
func reduceFast(opType compute.OpType, operand, output *gobackend.Buffer, reduceAxes []int) bool {
	var isMax bool
	switch opType { //nolint:exhaustive
	case compute.OpTypeReduceMax:
		isMax = true
	case compute.OpTypeReduceSum:
	default:
		return false
	}
	switch operand.Flat.(type) {
	case []float32:
		reduceBlocks[float32](isMax, operand, output, reduceAxes)
	case []float64:
		reduceBlocks[float64](isMax, operand, output, reduceAxes)
	case []int8:
		reduceBlocks[int8](isMax, operand, output, reduceAxes)
	case []int16:
		reduceBlocks[int16](isMax, operand, output, reduceAxes)
	case []int32:
		reduceBlocks[int32](isMax, operand, output, reduceAxes)
	case []int64:
		reduceBlocks[int64](isMax, operand, output, reduceAxes)
	case []uint8:
		reduceBlocks[uint8](isMax, operand, output, reduceAxes)
	case []uint16:
		reduceBlocks[uint16](isMax, operand, output, reduceAxes)
	case []uint32:
		reduceBlocks[uint32](isMax, operand, output, reduceAxes)
	case []uint64:
		reduceBlocks[uint64](isMax, operand, output, reduceAxes)
	default:
		return false
	}
	return true
}

// reduceBlocks is ReduceMax (isMax) or ReduceSum. Each output element
// accumulates its operand values in flat order, as execReduceMaxGeneric and
// execReduceSumGeneric do, so the results are the same bit for bit.
func reduceBlocks[T gobackend.PODNumericConstraints](isMax bool, operand, output *gobackend.Buffer, reduceAxes []int) {
	plan := newReducePlan(operand.RawShape.Dimensions, reduceAxes)
	in := operand.Flat.([]T)[:operand.RawShape.Size()]
	out := output.Flat.([]T)[:output.RawShape.Size()]
	var initial T
	if isMax {
		initial = output.RawShape.DType.LowestValue().(T)
	}
	for i := range out {
		out[i] = initial
	}
	m, n, blockSize := plan.m, plan.n, plan.m*plan.n
	outerIdx := make([]int, len(plan.outer))
	o := 0 // output offset of the current block
	for start := 0; start < len(in); start += blockSize {
		x := in[start : start+blockSize]
		if plan.innerReduced && n == 2 {
			// Windows of 2 (e.g. 2×2 max-pooling), unrolled.
			y := out[o : o+m]
			x = x[:2*len(y)]
			for j := range y {
				a, b := x[2*j], x[2*j+1]
				if isMax {
					y[j] = max(max(y[j], a), b)
				} else {
					y[j] = y[j] + a + b
				}
			}
		} else if plan.innerReduced {
			y := out[o : o+m]
			for j := range y {
				row := x[j*n : (j+1)*n]
				acc := y[j]
				if isMax {
					for _, v := range row {
						acc = max(acc, v)
					}
				} else {
					for _, v := range row {
						acc += v
					}
				}
				y[j] = acc
			}
		} else {
			y := out[o : o+n]
			for r := range m {
				row := x[r*n : (r+1)*n]
				row = row[:len(y)]
				if isMax {
					for k, v := range row {
						y[k] = max(y[k], v)
					}
				} else {
					for k, v := range row {
						y[k] += v
					}
				}
			}
		}
		for axis := len(outerIdx) - 1; axis >= 0; axis-- {
			outerIdx[axis]++
			o += plan.outStrides[axis]
			if outerIdx[axis] < plan.outer[axis] {
				break
			}
			o -= plan.outStrides[axis] * plan.outer[axis]
			outerIdx[axis] = 0
		}
	}
}
