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
				b := batch{index: i, size: len(idx)}
				b.images, b.labels = gather(d, idx)
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
			case b, ok := <-ch:
				// A batch, or the end of the epoch, that came before any
				// cancellation. Once ctx is cancelled the producer stops and
				// closes ch: that close must not pass for the epoch's end.
				if ctx.Err() == nil {
					if !ok || !yield(b) {
						return
					}
					continue
				}
			}
			yield(batch{err: fmt.Errorf("lesson: training stopped: %w", context.Cause(ctx))})
			return
		}
	}
}

// gather returns the images of d at idx as [len(idx), 28, 28, 1] float32
// in [0, 1] and their labels as [len(idx), 1] int32, converted as every
// other input of the model is (imagesTensor, labelsTensor).
func gather(d *fashion.Data, idx []int) (images, labels *tensors.Tensor) {
	b := d.Select(idx)
	return imagesTensor(b, 0, b.Len()), labelsTensor(b, 0, b.Len())
}

func nan() float64 { return math.NaN() }

func secondsToDuration(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
