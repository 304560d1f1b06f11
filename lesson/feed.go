package lesson

import (
	"context"
	"fmt"
	"iter"
	"math"
	"time"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

// batch is one training step's input, assembled ahead of time.
type batch struct {
	index          int // 0-based step within the epoch
	size           int
	images, labels *tensors.Tensor
	err            error
}

// prefetch yields the batches of d in the order of perm, assembling the next
// batches in another goroutine while the current step runs, so the step
// never waits for data. It stops early (yielding ctx's error) when ctx is
// cancelled.
func prefetch(ctx context.Context, d *fashion.Data, perm []int, batchSize int) iter.Seq[batch] {
	return func(yield func(batch) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		ch := make(chan batch, 2)
		go func() {
			defer close(ch)
			for i, start := 0, 0; start < len(perm); i, start = i+1, start+batchSize {
				idx := perm[start:min(start+batchSize, len(perm))]
				b := batch{index: i, size: len(idx), images: gatherImages(d, idx), labels: gatherLabels(d, idx)}
				select {
				case ch <- b:
				case <-ctx.Done():
					return
				}
			}
		}()
		for {
			select {
			case <-ctx.Done():
				if err := context.Cause(ctx); err != nil && ctx.Err() != nil {
					yield(batch{err: fmt.Errorf("lesson: training stopped: %w", err)})
				}
				return
			case b, ok := <-ch:
				if !ok {
					return
				}
				if !yield(b) {
					return
				}
			}
		}
	}
}

// gatherImages returns the images of d at idx as [len(idx), 28, 28, 1]
// float32 in [0, 1].
func gatherImages(d *fashion.Data, idx []int) *tensors.Tensor {
	const size = fashion.ImageSize * fashion.ImageSize
	out := make([]float32, len(idx)*size)
	for i, j := range idx {
		px := d.Pixels[j*size : (j+1)*size]
		dst := out[i*size : (i+1)*size]
		for k, p := range px {
			dst[k] = float32(p) / 255
		}
	}
	return tensors.FromFlatDataAndDimensions(out, len(idx), fashion.ImageSize, fashion.ImageSize, 1)
}

// gatherLabels returns the labels of d at idx as [len(idx), 1] int32.
func gatherLabels(d *fashion.Data, idx []int) *tensors.Tensor {
	out := make([]int32, len(idx))
	for i, j := range idx {
		out[i] = int32(d.Labels[j])
	}
	return tensors.FromFlatDataAndDimensions(out, len(idx), 1)
}

func nan() float64 { return math.NaN() }

func secondsToDuration(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
