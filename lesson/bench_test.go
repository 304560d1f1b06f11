package lesson

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

// syntheticData returns n random images with random labels.
func syntheticData(n int, seed uint64) *fashion.Data {
	rng := rand.New(rand.NewPCG(seed, 0))
	d := &fashion.Data{Pixels: make([]uint8, n*fashion.ImageSize*fashion.ImageSize), Labels: make([]uint8, n)}
	for i := range d.Pixels {
		d.Pixels[i] = uint8(rng.IntN(256))
	}
	for i := range d.Labels {
		d.Labels[i] = uint8(rng.IntN(fashion.NumClasses))
	}
	return d
}

// benchTrainStep measures one training step (forward, gradients and Adam)
// of net on the go backend, on batches of the given size. The
// step is built as Model.Train builds it. Besides img/s it reports the CPU
// time per image, which is steadier than wall time on a shared machine.
func benchTrainStep(b *testing.B, net Network, f formulation, batchSize int) {
	m, err := NewModel(gobackend.GetBackend(), net, Settings{})
	if err != nil {
		b.Fatal(err)
	}
	m.form = f
	step, err := m.newTrainStep(1e-3)
	if err != nil {
		b.Fatal(err)
	}
	defer step.Finalize()
	d := syntheticData(batchSize, 1)
	idx := make([]int, batchSize)
	for i := range idx {
		idx[i] = i
	}
	images, labels := gather(d, idx)
	run := func() {
		l, c := step.MustExec2(images, labels)
		_ = tensors.ToScalar[float32](l)
		l.MustFinalizeAll()
		c.MustFinalizeAll()
	}
	run() // compile
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(b.N*batchSize)/b.Elapsed().Seconds(), "img/s")
	// CPU time per image is steadier than wall time on a shared machine.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*batchSize), "cpu-µs/img")
}

// BenchmarkTrainStep measures the training step per formulation and batch
// size. The built-in formulation is measured at batch 32 only: it takes
// seconds per step. Run with GOEXPERIMENT=simd (and -tags noxla to build
// faster), e.g.
//
//	GOEXPERIMENT=simd go test -tags noxla -run '^$' -bench TrainStep -benchtime 20x ./lesson
func BenchmarkTrainStep(b *testing.B) {
	for f, name := range map[formulation]string{im2col: "im2col", builtin: "builtin"} {
		for _, batch := range []int{32, 128} {
			if f == builtin && batch > 32 {
				continue
			}
			b.Run(fmt.Sprintf("%s/batch=%d", name, batch), func(b *testing.B) { benchTrainStep(b, CNN, f, batch) })
		}
	}
}

// BenchmarkTrainStepDense measures the training step of the notebook's dense
// network (denseNet: Flatten → Dense(128, relu) → Dense(10, softmax), about
// 0.6 MFLOP per trained image). Its matrix products are small (a side of
// batch length, weight gradients that contract over the batch) and its Adam
// update passes over 101,770 weights per step: the costs that do not shrink
// with the batch. Issue 16 asks for batch 32 at half the images per second of
// batch 256 or more.
func BenchmarkTrainStepDense(b *testing.B) {
	for _, batch := range []int{32, 128, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) { benchTrainStep(b, denseNet, im2col, batch) })
	}
}

// BenchmarkEvaluate measures Model.Evaluate of the default model (what the
// test accuracy after each epoch and CompareShift cost) on 2,048 images, in
// batches of Settings.BatchSize (32).
func BenchmarkEvaluate(b *testing.B) {
	m, err := NewModel(gobackend.GetBackend(), CNN, Settings{})
	if err != nil {
		b.Fatal(err)
	}
	d := syntheticData(2048, 2)
	if _, _, err := m.Evaluate(d); err != nil { // compile
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := m.Evaluate(d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*d.Len())/b.Elapsed().Seconds(), "img/s")
}

// BenchmarkActivations measures Model.Activations of every layer of the
// default model for 16 images, as the notebook's pictures of filters ask.
func BenchmarkActivations(b *testing.B) {
	m, err := NewModel(gobackend.GetBackend(), CNN, Settings{})
	if err != nil {
		b.Fatal(err)
	}
	d := syntheticData(16, 3)
	for b.Loop() {
		if _, err := m.Activations(d); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTime returns the user and system CPU time used by this process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
