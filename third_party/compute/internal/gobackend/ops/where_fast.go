package ops

// Fork patch (see PATCHES.md): Where with a non-scalar condition selects
// with a bit mask instead of a branch per element (the conditions of relu
// and max-pool gradients are unpredictable).

import (
	"unsafe"

	"github.com/gomlx/compute/internal/gobackend"
)

// whereBranchless runs Where for a non-scalar condition and returns true, or
// returns false (doing nothing) when T's size is not 1, 2, 4 or 8 bytes.
func whereBranchless[T gobackend.SupportedTypesConstraints](conditionBuf, onTrueBuf, onFalseBuf, outputBuf *gobackend.Buffer) bool {
	conditionFlat := conditionBuf.Flat.([]bool)
	// Go stores a bool as one byte, 0 or 1.
	cond := viewAs[uint8](conditionFlat, len(conditionFlat))
	onTrue, onFalse, output := onTrueBuf.Flat.([]T), onFalseBuf.Flat.([]T), outputBuf.Flat.([]T)
	onTrue = onTrue[:onTrueBuf.RawShape.Size()]
	onFalse = onFalse[:onFalseBuf.RawShape.Size()]
	output = output[:len(cond)]
	var zero T
	switch unsafe.Sizeof(zero) {
	case 1:
		whereSelect(cond, viewAs[uint8](onTrue, len(onTrue)), viewAs[uint8](onFalse, len(onFalse)), viewAs[uint8](output, len(output)))
	case 2:
		whereSelect(cond, viewAs[uint16](onTrue, len(onTrue)), viewAs[uint16](onFalse, len(onFalse)), viewAs[uint16](output, len(output)))
	case 4:
		whereSelect(cond, viewAs[uint32](onTrue, len(onTrue)), viewAs[uint32](onFalse, len(onFalse)), viewAs[uint32](output, len(output)))
	case 8:
		whereSelect(cond, viewAs[uint64](onTrue, len(onTrue)), viewAs[uint64](onFalse, len(onFalse)), viewAs[uint64](output, len(output)))
	default:
		return false
	}
	return true
}

// viewAs views the memory of x as its first n elements of type U, without
// copying (x must hold at least n·sizeof(U) bytes). The fast paths use it to
// move values of any dtype as unsigned integers of the same size.
func viewAs[U, T any](x []T, n int) []U {
	return unsafe.Slice((*U)(unsafe.Pointer(unsafe.SliceData(x))), n)
}

// whereSelect sets out[i] = onTrue[i] if cond[i] == 1, else onFalse[i];
// onTrue and onFalse have len(cond) elements or one (a scalar). out may be
// onTrue or onFalse.
func whereSelect[U uint8 | uint16 | uint32 | uint64](cond []uint8, onTrue, onFalse, out []U) {
	switch {
	case len(onTrue) == len(cond) && len(onFalse) == len(cond):
		onTrue, onFalse = onTrue[:len(cond)], onFalse[:len(cond)]
		for i, c := range cond {
			mask := -U(c)
			out[i] = onTrue[i]&mask | onFalse[i]&^mask
		}
	case len(onTrue) == len(cond):
		onTrue = onTrue[:len(cond)]
		f := onFalse[0]
		for i, c := range cond {
			mask := -U(c)
			out[i] = onTrue[i]&mask | f&^mask
		}
	case len(onFalse) == len(cond):
		onFalse = onFalse[:len(cond)]
		t := onTrue[0]
		for i, c := range cond {
			mask := -U(c)
			out[i] = t&mask | onFalse[i]&^mask
		}
	default:
		t, f := onTrue[0], onFalse[0]
		for i, c := range cond {
			mask := -U(c)
			out[i] = t&mask | f&^mask
		}
	}
}
