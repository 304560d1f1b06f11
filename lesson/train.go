package lesson

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

// Callbacks say what [Model.Train] reports while it runs. The zero value
// reports nothing.
type Callbacks struct {
	// Progress, if not nil, receives a Keras-like progress line per epoch,
	// redrawn in place (with a carriage return) about once a second.
	Progress io.Writer
	// OnEpoch, if not nil, is called after each epoch with the whole
	// history so far, e.g. to redraw a chart.
	OnEpoch func(History)
	// Stop, if not nil, is called after each epoch (after OnEpoch) with
	// the whole history so far; returning true ends training there, as a
	// Keras callback that sets model.stop_training does (early stopping).
	Stop func(History) bool

	every time.Duration // how often the progress line is redrawn; 0 means 1s
}

// EpochStats are the numbers of one training epoch.
type EpochStats struct {
	Epoch    int     // 1-based
	Loss     float64 // mean training loss over the epoch (sparse categorical cross-entropy)
	Accuracy float64 // fraction of training images classified right during the epoch
	// TestLoss and TestAccuracy are measured on the test set after the
	// epoch; both are NaN when no test set was given.
	TestLoss, TestAccuracy float64
	Images                 int           // training images seen
	Duration               time.Duration // wall time of the epoch's training steps
}

// History is the record of training, one entry per epoch, oldest first.
type History struct {
	Epochs []EpochStats
}

// Last returns the latest epoch's numbers, or false if there are none.
func (h History) Last() (EpochStats, bool) {
	if len(h.Epochs) == 0 {
		return EpochStats{}, false
	}
	return h.Epochs[len(h.Epochs)-1], true
}

// Train fits the model to the first Settings.TrainSize images of train,
// like Keras's model.fit: for Settings.Epochs epochs it visits them in a new
// random order, Settings.BatchSize at a time, updating the weights with
// Adam(Settings.LearningRate), and after each epoch it evaluates the model on
// test (which may be nil). It returns the history of this call; the model
// also keeps the whole history across calls (see [Model.History]).
// Cancelling ctx stops training at the next step with ctx's error.
func (m *Model) Train(ctx context.Context, train, test *fashion.Data, cb Callbacks) (History, error) {
	var h History
	if train == nil || train.Len() == 0 {
		return h, fmt.Errorf("lesson: Train: no training images; load them with fashion.Load(ctx, fashion.Train, …)")
	}
	s := m.settings
	train = train.Head(s.TrainSize)
	if cb.every == 0 {
		cb.every = time.Second
	}
	step, err := m.newTrainStep(s.LearningRate)
	if err != nil {
		return h, err
	}
	defer step.Finalize()

	steps := (train.Len() + s.BatchSize - 1) / s.BatchSize
	for epoch := len(m.history.Epochs) + 1; len(h.Epochs) < s.Epochs; epoch++ {
		p := newProgress(cb.Progress, cb.every, steps, len(h.Epochs)+1, s.Epochs)
		stats := EpochStats{Epoch: epoch}
		var lossSum float64
		var correct int
		start := time.Now()
		rng := rand.New(rand.NewPCG(uint64(s.Seed), uint64(epoch)))
		for b := range prefetch(ctx, train, rng.Perm(train.Len()), s.BatchSize) {
			if b.err != nil {
				p.interrupted()
				return h, b.err
			}
			var lossT, correctT *tensors.Tensor
			if err := catch(fmt.Sprintf("training step %d of epoch %d", b.index+1, epoch), func() {
				lossT, correctT = step.MustExec2(b.images, b.labels)
			}); err != nil {
				return h, err
			}
			lossSum += float64(tensors.ToScalar[float32](lossT)) * float64(b.size)
			correct += int(tensors.ToScalar[int32](correctT))
			lossT.MustFinalizeAll()
			correctT.MustFinalizeAll()
			stats.Images += b.size
			stats.Loss, stats.Accuracy = lossSum/float64(stats.Images), float64(correct)/float64(stats.Images)
			p.update(b.index+1, stats)
		}
		stats.Duration = time.Since(start)
		stats.TestLoss, stats.TestAccuracy = nan(), nan()
		if test != nil && test.Len() > 0 {
			var err error
			if stats.TestLoss, stats.TestAccuracy, err = m.Evaluate(test); err != nil {
				return h, err
			}
		}
		p.done(stats)
		h.Epochs = append(h.Epochs, stats)
		m.history.Epochs = append(m.history.Epochs, stats)
		if cb.OnEpoch != nil {
			cb.OnEpoch(m.History())
		}
		if cb.Stop != nil && cb.Stop(m.History()) {
			break
		}
	}
	return h, nil
}

// newTrainStep builds one training step: forward, loss, gradients and an
// Adam update, taking images [batch, 28, 28, 1] and labels [batch, 1] and
// returning the batch's mean loss and its count of right answers.
func (m *Model) newTrainStep(learningRate float64) (*model.Exec, error) {
	opt := optimizer.Adam().LearningRate(learningRate).Done()
	var step *model.Exec
	err := catch("building the training step", func() {
		step = model.MustNewExec(m.backend, m.store, func(scope *model.Scope, x, y *graph.Node) (*graph.Node, *graph.Node) {
			g := x.Graph()
			m.store.SetTraining(g, true)
			logits := m.build(scope, x).logits
			lossValue := graph.ReduceAllMean(loss.SparseCategoricalCrossEntropyLogits([]*graph.Node{y}, []*graph.Node{logits}))
			opt.UpdateGraph(scope, g, lossValue)
			return lossValue, countCorrect(logits, y)
		})
	})
	return step, err
}

// History returns every epoch the model was trained for, across calls to
// [Model.Train] and saved checkpoints.
func (m *Model) History() History {
	return History{Epochs: append([]EpochStats(nil), m.history.Epochs...)}
}

// Evaluate returns the mean loss and the accuracy of the model on d, like
// Keras's model.evaluate, computed Settings.BatchSize images at a time.
func (m *Model) Evaluate(d *fashion.Data) (lossValue, accuracy float64, err error) {
	if d == nil || d.Len() == 0 {
		return 0, 0, errors.New("lesson: Evaluate: no images; load them with fashion.Load(ctx, fashion.Test, …)")
	}
	batchSize := m.settings.BatchSize
	var lossSum float64
	var correct int
	err = catch("evaluating", func() {
		exec := m.exec("evaluate", func(scope *model.Scope, x, y *graph.Node) (*graph.Node, *graph.Node) {
			logits := m.build(scope, x).logits
			// The loss function returns the batch mean: scale it back to a sum.
			mean := loss.SparseCategoricalCrossEntropyLogits([]*graph.Node{y}, []*graph.Node{logits})
			return graph.MulScalar(graph.ReduceAllMean(mean), float64(x.Shape().Dimensions[0])), countCorrect(logits, y)
		})
		for start := 0; start < d.Len(); start += batchSize {
			end := min(start+batchSize, d.Len())
			lossT, correctT := exec.MustExec2(imagesTensor(d, start, end), labelsTensor(d, start, end))
			lossSum += float64(tensors.ToScalar[float32](lossT))
			correct += int(tensors.ToScalar[int32](correctT))
			lossT.MustFinalizeAll()
			correctT.MustFinalizeAll()
		}
	})
	if err != nil {
		return 0, 0, err
	}
	return lossSum / float64(d.Len()), float64(correct) / float64(d.Len()), nil
}

// countCorrect counts the rows of logits [batch, 10] whose largest value is
// at the label y [batch, 1], as an int32 scalar.
func countCorrect(logits, y *graph.Node) *graph.Node {
	predicted := graph.ArgMax(logits, -1, y.DType())
	hits := graph.Equal(predicted, graph.Reshape(y, -1))
	return graph.ReduceAllSum(graph.ConvertDType(hits, y.DType()))
}
