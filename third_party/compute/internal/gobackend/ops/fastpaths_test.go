package ops

// Tests of the fork's fast paths (see PATCHES.md): each compares the fast
// path with upstream's generic implementation on random shapes and dtypes.

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/dtypes/bfloat16"
	"github.com/gomlx/compute/dtypes/float16"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapeinference"
	"github.com/gomlx/compute/shapes"
)

// randomFlat returns n random values of type T.
func randomFlat[T gobackend.SupportedTypesConstraints](rng *rand.Rand, n int) []T {
	out := make([]T, n)
	for i := range out {
		var v any
		switch any(out[i]).(type) {
		case bool:
			v = rng.IntN(2) == 1
		case int8:
			v = int8(rng.IntN(256) - 128)
		case int32:
			v = int32(rng.Int32())
		case uint16:
			v = uint16(rng.IntN(1 << 16))
		case float32:
			v = float32(rng.IntN(7) - 3) // small range: ties and equal values happen
		case float64:
			v = rng.NormFloat64()
		case bfloat16.BFloat16:
			v = bfloat16.FromFloat32(float32(rng.IntN(7) - 3))
		case float16.Float16:
			v = float16.FromFloat32(float32(rng.IntN(7) - 3))
		case int64:
			v = rng.Int64()
		default:
			panic(fmt.Sprintf("randomFlat: unsupported %T", out[i]))
		}
		out[i] = v.(T)
	}
	return out
}

// randomBuffer returns a buffer of the given shape with random values.
func randomBuffer[T gobackend.SupportedTypesConstraints](rng *rand.Rand, shape shapes.Shape) *gobackend.Buffer {
	return &gobackend.Buffer{RawShape: shape, Flat: randomFlat[T](rng, shape.Size()), InUse: true}
}

// emptyBuffer returns a zero-filled buffer of the given shape.
func emptyBuffer[T gobackend.SupportedTypesConstraints](shape shapes.Shape) *gobackend.Buffer {
	return &gobackend.Buffer{RawShape: shape, Flat: make([]T, shape.Size()), InUse: true}
}

// randomDims returns rank random dimensions in [1, maxDim].
func randomDims(rng *rand.Rand, rank, maxDim int) []int {
	dims := make([]int, rank)
	for i := range dims {
		dims[i] = 1 + rng.IntN(maxDim)
	}
	return dims
}

func testSliceFastPath[T gobackend.SupportedTypesConstraints](t *testing.T, dtype dtypes.DType, rng *rand.Rand) {
	for range 300 {
		rank := rng.IntN(6)
		dims := randomDims(rng, rank, 7)
		if rank > 0 && rng.IntN(2) == 0 {
			dims[rank-1] = 1 + rng.IntN(24) // longer strided rows
		}
		operand := randomBuffer[T](rng, shapes.Make(dtype, dims...))
		params := &sliceNode{starts: make([]int, rank), limits: make([]int, rank), strides: make([]int, rank)}
		for axis, d := range dims {
			switch rng.IntN(3) {
			case 0: // whole axis
				params.starts[axis], params.limits[axis], params.strides[axis] = 0, d, 1
			case 1: // a range, stride 1
				params.starts[axis] = rng.IntN(d)
				params.limits[axis] = params.starts[axis] + 1 + rng.IntN(d-params.starts[axis])
				params.strides[axis] = 1
			default: // a range with a stride
				params.starts[axis] = rng.IntN(d)
				params.limits[axis] = params.starts[axis] + 1 + rng.IntN(d-params.starts[axis])
				params.strides[axis] = 1 + rng.IntN(3)
			}
		}
		outShape, err := shapeinference.Slice(operand.RawShape, params.starts, params.limits, params.strides)
		if err != nil {
			t.Fatal(err)
		}
		want, got := emptyBuffer[T](outShape), emptyBuffer[T](outShape)
		execSliceElementwise[T](operand, want, params)
		execSliceGeneric[T](operand, got, params)
		if !reflect.DeepEqual(want.Flat, got.Flat) {
			t.Fatalf("Slice %s starts=%v limits=%v strides=%v: got %v, want %v",
				operand.RawShape, params.starts, params.limits, params.strides, got.Flat, want.Flat)
		}
		// The row path (#9) alone, also where the run path would be taken.
		if rank > 0 {
			got = emptyBuffer[T](outShape)
			if !execSliceRows[T](operand, got, params) {
				t.Fatalf("execSliceRows refused %s", operand.RawShape)
			}
			if !reflect.DeepEqual(want.Flat, got.Flat) {
				t.Fatalf("Slice rows %s starts=%v limits=%v strides=%v: got %v, want %v",
					operand.RawShape, params.starts, params.limits, params.strides, got.Flat, want.Flat)
			}
		}
	}
}

func TestSliceFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	testSliceFastPath[float32](t, dtypes.Float32, rng)
	testSliceFastPath[float64](t, dtypes.Float64, rng)
	testSliceFastPath[int8](t, dtypes.Int8, rng)
	testSliceFastPath[uint16](t, dtypes.Uint16, rng)
	testSliceFastPath[bool](t, dtypes.Bool, rng)
	testSliceFastPath[bfloat16.BFloat16](t, dtypes.BFloat16, rng)
	testSliceFastPath[int64](t, dtypes.Int64, rng)
}

// transposeReference is upstream's Transpose (TransposeIterator, element by element).
func transposeReference[T gobackend.SupportedTypesConstraints](operand *gobackend.Buffer, perm []int) *gobackend.Buffer {
	outShape, err := shapeinference.Transpose(operand.RawShape, perm)
	if err != nil {
		panic(err)
	}
	want := emptyBuffer[T](outShape)
	execTransposeGeneric[T](operand, want, NewTransposeIterator(operand.RawShape, perm))
	return want
}

func checkTransposeFastPath[T gobackend.SupportedTypesConstraints](t *testing.T, rng *rand.Rand, shape shapes.Shape, perm []int) {
	t.Helper()
	operand := randomBuffer[T](rng, shape)
	want := transposeReference[T](operand, perm)
	got := emptyBuffer[T](want.RawShape)
	if !transposeFast(operand, got, perm) {
		t.Fatalf("transposeFast refused %s", shape)
	}
	if !reflect.DeepEqual(want.Flat, got.Flat) {
		t.Fatalf("Transpose %s perm=%v: got %v, want %v", shape, perm, got.Flat, want.Flat)
	}
}

func testTransposeFastPath[T gobackend.SupportedTypesConstraints](t *testing.T, dtype dtypes.DType, rng *rand.Rand) {
	for range 300 {
		rank := rng.IntN(7)
		dims := randomDims(rng, rank, 5)
		for axis := range dims {
			if rng.IntN(4) == 0 {
				dims[axis] = 1
			}
		}
		checkTransposeFastPath[T](t, rng, shapes.Make(dtype, dims...), rng.Perm(rank))
	}
	// 2-D swaps across tile borders, and the lesson's shapes.
	for range 20 {
		rows, cols := 1+rng.IntN(3*transposeTile), 1+rng.IntN(3*transposeTile)
		checkTransposeFastPath[T](t, rng, shapes.Make(dtype, rows, cols), []int{1, 0})
	}
	checkTransposeFastPath[T](t, rng, shapes.Make(dtype, 2, 2, 16, 16, 5, 5), []int{2, 3, 4, 0, 5, 1})
	checkTransposeFastPath[T](t, rng, shapes.Make(dtype, 64, 12, 5, 5), []int{1, 2, 3, 0})
	checkTransposeFastPath[T](t, rng, shapes.Make(dtype, 12, 5, 5, 64), []int{3, 0, 1, 2})
}

func TestTransposeFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	testTransposeFastPath[float32](t, dtypes.Float32, rng)
	testTransposeFastPath[float64](t, dtypes.Float64, rng)
	testTransposeFastPath[int8](t, dtypes.Int8, rng)
	testTransposeFastPath[int32](t, dtypes.Int32, rng)
	testTransposeFastPath[int64](t, dtypes.Int64, rng)
	testTransposeFastPath[uint16](t, dtypes.Uint16, rng)
	testTransposeFastPath[bool](t, dtypes.Bool, rng)
	testTransposeFastPath[bfloat16.BFloat16](t, dtypes.BFloat16, rng)
	testTransposeFastPath[float16.Float16](t, dtypes.Float16, rng)
}

func TestMergeTransposeAxes(t *testing.T) {
	for _, tc := range []struct{ dims, perm, wantDims, wantPerm []int }{
		{[]int{2, 2, 64, 64, 5, 5}, []int{2, 3, 4, 0, 5, 1}, []int{2, 2, 20480, 5}, []int{2, 0, 3, 1}},
		{[]int{64, 128, 5, 5}, []int{1, 2, 3, 0}, []int{64, 3200}, []int{1, 0}},
		{[]int{128, 5, 5, 64}, []int{3, 0, 1, 2}, []int{3200, 64}, []int{1, 0}},
		{[]int{3, 1, 4}, []int{1, 0, 2}, []int{12}, []int{0}},
		{[]int{1, 1}, []int{1, 0}, []int{}, []int{}},
	} {
		dims, perm := mergeTransposeAxes(tc.dims, tc.perm)
		if !reflect.DeepEqual(dims, tc.wantDims) || !reflect.DeepEqual(perm, tc.wantPerm) {
			t.Errorf("mergeTransposeAxes(%v, %v) = %v, %v; want %v, %v", tc.dims, tc.perm, dims, perm, tc.wantDims, tc.wantPerm)
		}
	}
}

func testReduceFastPath[T gobackend.PODNumericConstraints](t *testing.T, dtype dtypes.DType, rng *rand.Rand) {
	for range 300 {
		rank := 1 + rng.IntN(6)
		dims := randomDims(rng, rank, 5)
		if rng.IntN(4) == 0 {
			dims[rng.IntN(rank)] = 1
		}
		operand := randomBuffer[T](rng, shapes.Make(dtype, dims...))
		var axes []int
		for axis := range rank {
			if rng.IntN(2) == 0 {
				axes = append(axes, axis)
			}
		}
		if len(axes) == 0 {
			axes = []int{rng.IntN(rank)}
		}
		outShape, err := shapeinference.Reduce(operand.RawShape, axes)
		if err != nil {
			t.Fatal(err)
		}
		outShape.DType = dtype
		for _, op := range []compute.OpType{compute.OpTypeReduceMax, compute.OpTypeReduceSum} {
			want, got := emptyBuffer[T](outShape), emptyBuffer[T](outShape)
			it := NewReduceOutputIterator(operand.RawShape.Dimensions, axes)
			if op == compute.OpTypeReduceMax {
				_ = execReduceMaxGeneric[T](operand, want, it, dtype)
			} else {
				_ = execReduceSumGeneric[T](operand, want, it, dtype)
			}
			if !reduceFast(op, operand, got, axes) {
				t.Fatalf("reduceFast refused %s %s", op, dtype)
			}
			if !reflect.DeepEqual(want.Flat, got.Flat) {
				t.Fatalf("%s %s axes=%v: got %v, want %v", op, operand.RawShape, axes, got.Flat, want.Flat)
			}
		}
	}
}

func TestReduceFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	testReduceFastPath[float32](t, dtypes.Float32, rng)
	testReduceFastPath[float64](t, dtypes.Float64, rng)
	testReduceFastPath[int8](t, dtypes.Int8, rng)
	testReduceFastPath[int32](t, dtypes.Int32, rng)
	testReduceFastPath[uint16](t, dtypes.Uint16, rng)
}

// randomBroadcastPair returns a target shape and two operand shapes of the same rank with random
// axes of size 1 (broadcast), neither operand a scalar nor equal to the other (so binary ops take
// their broadcasting branch).
func randomBroadcastPair(rng *rand.Rand, dtype dtypes.DType) (lhs, rhs, tgt shapes.Shape) {
	for {
		rank := 1 + rng.IntN(6)
		tgtDims := randomDims(rng, rank, 4)
		lhsDims, rhsDims := make([]int, rank), make([]int, rank)
		for axis, d := range tgtDims {
			lhsDims[axis], rhsDims[axis] = d, d
			switch rng.IntN(3) {
			case 0:
				lhsDims[axis] = 1
			case 1:
				rhsDims[axis] = 1
			}
		}
		lhs, rhs, tgt = shapes.Make(dtype, lhsDims...), shapes.Make(dtype, rhsDims...), shapes.Make(dtype, tgtDims...)
		if lhs.Size() > 1 && rhs.Size() > 1 && !lhs.Equal(rhs) {
			return
		}
	}
}

// binaryReference computes op element by element with upstream's iterator.
func binaryReference[T, O any](lhs, rhs []T, lhsShape, rhsShape, tgtShape shapes.Shape, op func(a, b T) O) []O {
	out := make([]O, tgtShape.Size())
	zi := gobackend.NewZippedBroadcastIterator(lhsShape, rhsShape, tgtShape)
	for idx := range zi.IterFlatIndices() {
		out[idx.TgtFlatIdx] = op(lhs[idx.LHSFlatIdx], rhs[idx.RHSFlatIdx])
	}
	return out
}

func testBinaryBroadcast[T gobackend.PODNumericConstraints](t *testing.T, dtype dtypes.DType, rng *rand.Rand) {
	for range 200 {
		lhsShape, rhsShape, tgtShape := randomBroadcastPair(rng, dtype)
		lhs, rhs := randomFlat[T](rng, lhsShape.Size()), randomFlat[T](rng, rhsShape.Size())
		gotF := make([]T, tgtShape.Size())
		execSubNumericGeneric(lhs, rhs, gotF, lhsShape, rhsShape, tgtShape)
		if want := binaryReference(lhs, rhs, lhsShape, rhsShape, tgtShape, func(a, b T) T { return a - b }); !reflect.DeepEqual(want, gotF) {
			t.Fatalf("Sub %s %s: got %v, want %v", lhsShape, rhsShape, gotF, want)
		}
		execMaxNumericGeneric(lhs, rhs, gotF, lhsShape, rhsShape, tgtShape)
		if want := binaryReference(lhs, rhs, lhsShape, rhsShape, tgtShape, func(a, b T) T { return max(a, b) }); !reflect.DeepEqual(want, gotF) {
			t.Fatalf("Max %s %s: got %v, want %v", lhsShape, rhsShape, gotF, want)
		}
		gotB := make([]bool, tgtShape.Size())
		execEqualNumericGeneric(lhs, rhs, gotB, lhsShape, rhsShape, tgtShape)
		if want := binaryReference(lhs, rhs, lhsShape, rhsShape, tgtShape, func(a, b T) bool { return a == b }); !reflect.DeepEqual(want, gotB) {
			t.Fatalf("Equal %s %s: got %v, want %v", lhsShape, rhsShape, gotB, want)
		}
		execLessThanNumericGeneric(lhs, rhs, gotB, lhsShape, rhsShape, tgtShape)
		if want := binaryReference(lhs, rhs, lhsShape, rhsShape, tgtShape, func(a, b T) bool { return a < b }); !reflect.DeepEqual(want, gotB) {
			t.Fatalf("LessThan %s %s: got %v, want %v", lhsShape, rhsShape, gotB, want)
		}
	}
}

func TestBinaryBroadcastFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	testBinaryBroadcast[float32](t, dtypes.Float32, rng)
	testBinaryBroadcast[float64](t, dtypes.Float64, rng)
	testBinaryBroadcast[int8](t, dtypes.Int8, rng)
	testBinaryBroadcast[int32](t, dtypes.Int32, rng)
	testBinaryBroadcast[uint16](t, dtypes.Uint16, rng)
}

func testBroadcastInDimFastPath[T gobackend.SupportedTypesConstraints](t *testing.T, dtype dtypes.DType, rng *rand.Rand) {
	for range 300 {
		lhsShape, _, tgtShape := randomBroadcastPair(rng, dtype)
		operand := randomBuffer[T](rng, lhsShape)
		want, got := emptyBuffer[T](tgtShape), emptyBuffer[T](tgtShape)
		iter := gobackend.NewBroadcastIterator(lhsShape, tgtShape)
		execBroadcastInDimElementwise[T](operand, want, iter)
		execBroadcastInDimGeneric[T](operand, got, iter)
		if !reflect.DeepEqual(want.Flat, got.Flat) {
			t.Fatalf("BroadcastInDim %s -> %s: got %v, want %v", lhsShape, tgtShape, got.Flat, want.Flat)
		}
	}
}

func TestBroadcastInDimFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	testBroadcastInDimFastPath[float32](t, dtypes.Float32, rng)
	testBroadcastInDimFastPath[int8](t, dtypes.Int8, rng)
	testBroadcastInDimFastPath[bool](t, dtypes.Bool, rng)
	testBroadcastInDimFastPath[bfloat16.BFloat16](t, dtypes.BFloat16, rng)
}

func testWhereFastPath[T gobackend.SupportedTypesConstraints](t *testing.T, dtype dtypes.DType, rng *rand.Rand) {
	for range 200 {
		dims := randomDims(rng, 1+rng.IntN(4), 6)
		shape := shapes.Make(dtype, dims...)
		cond := randomBuffer[bool](rng, shapes.Make(dtypes.Bool, dims...))
		operand := func() *gobackend.Buffer {
			if rng.IntN(2) == 0 {
				return randomBuffer[T](rng, shapes.Make(dtype))
			}
			return randomBuffer[T](rng, shape)
		}
		onTrue, onFalse := operand(), operand()
		want, got := emptyBuffer[T](shape), emptyBuffer[T](shape)
		execWhereElementwise[T](cond, onTrue, onFalse, want)
		execWhereGeneric[T](cond, onTrue, onFalse, got)
		if !reflect.DeepEqual(want.Flat, got.Flat) {
			t.Fatalf("Where %s onTrue %s onFalse %s: got %v, want %v", shape, onTrue.RawShape, onFalse.RawShape, got.Flat, want.Flat)
		}
		// The output may be the onTrue buffer (executors reuse owned inputs).
		if onTrue.RawShape.Equal(shape) {
			execWhereGeneric[T](cond, onTrue, onFalse, onTrue)
			if !reflect.DeepEqual(want.Flat, onTrue.Flat) {
				t.Fatalf("Where in place %s: got %v, want %v", shape, onTrue.Flat, want.Flat)
			}
		}
	}
}

func TestWhereFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	testWhereFastPath[float32](t, dtypes.Float32, rng)
	testWhereFastPath[float64](t, dtypes.Float64, rng)
	testWhereFastPath[int8](t, dtypes.Int8, rng)
	testWhereFastPath[uint16](t, dtypes.Uint16, rng)
	testWhereFastPath[bool](t, dtypes.Bool, rng)
	testWhereFastPath[bfloat16.BFloat16](t, dtypes.BFloat16, rng)
}

func TestPadFastPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for range 500 {
		rank := 1 + rng.IntN(4)
		dims := randomDims(rng, rank, 5)
		elementSize := []int{1, 2, 4, 8}[rng.IntN(4)]
		config := make([]compute.PadAxis, rank)
		outSize := elementSize
		for axis, d := range dims {
			if rng.IntN(3) > 0 {
				config[axis] = compute.PadAxis{Start: rng.IntN(3), End: rng.IntN(3), Interior: rng.IntN(2) * rng.IntN(3)}
			}
			outSize *= d + config[axis].Start + config[axis].End + (d-1)*config[axis].Interior
		}
		operandSize := elementSize
		for _, d := range dims {
			operandSize *= d
		}
		operand := make([]byte, operandSize)
		for i := range operand {
			operand[i] = byte(1 + rng.IntN(255))
		}
		want, got := make([]byte, outSize), make([]byte, outSize)
		padCopyBytes(operand, want, dims, config, elementSize, false)
		padCopyBytes(operand, got, dims, config, elementSize, true)
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("Pad dims=%v config=%v elementSize=%d: got %v, want %v", dims, config, elementSize, got, want)
		}
	}
}
