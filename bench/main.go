// Command bench measures how fast the lesson's CNN trains and evaluates on
// each GoMLX backend, side by side with the same network in PyTorch.
//
// It uses synthetic data (random pixels and labels) of the Fashion-MNIST
// shape, so it needs no download. Measurements alternate between the
// backends and the peer, round by round, so that a busy machine slows them
// alike; each is printed on one line:
//
//	bench backend=go batch=32 train_img_per_s=123.4 eval_img_per_s=456.7 round=1
//	bench peer=torch batch=32 train_img_per_s=680.0 eval_img_per_s=2100.0 round=1
//
// followed by the ratios of the medians and the peak memory of each process.
//
// Usage:
//
//	GOEXPERIMENT=simd go run -tags noxla ./bench -batch 32,128 -seconds 10 -peer torch
//
// The PyTorch peer is bench/torch_peer.py, run with Debian's python3-torch
// (apt-get install python3-torch) through /usr/bin/python3.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gomlx/compute"
	"github.com/gonb-lessons/convolutions/lesson"
	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench: ")
	var (
		batchFlag = flag.String("batch", "32,128", "comma-separated batch sizes")
		seconds   = flag.Float64("seconds", 10, "seconds per measurement")
		peer      = flag.String("peer", "torch", "peer to compare with: torch or none")
		backends  = flag.String("backends", "go", "comma-separated GOMLX_BACKEND values to measure, e.g. go,xla:cpu")
		rounds    = flag.Int("rounds", 2, "rounds of alternating measurements; ratios use the medians")
		threads   = flag.Int("threads", 2, "PyTorch threads")
		python    = flag.String("python", "/usr/bin/python3", "Python with Debian's python3-torch")
		ompWait   = flag.String("omp-wait", "passive", "OMP_WAIT_POLICY for PyTorch's threads (empty: inherit); on a shared machine OpenMP's default spin-waiting makes PyTorch several times slower")
		evalToo   = flag.Bool("eval", true, "also measure evaluation (forward only) throughput")
	)
	flag.Parse()
	batches, err := parseInts(*batchFlag)
	if err != nil {
		log.Fatalf("-batch %q: %v", *batchFlag, err)
	}
	fmt.Printf("bench machine cpu=%q cores=%d go=%s goexperiment_simd=%t gomaxprocs=%d\n",
		cpuModel(), runtime.NumCPU(), runtime.Version(), simdBuild, runtime.GOMAXPROCS(0))
	fmt.Println("bench " + lesson.ComputeStatus())
	if !simdBuild {
		fmt.Println("bench note: built without GOEXPERIMENT=simd: the go backend's matrix products are ~2× slower; run with GOEXPERIMENT=simd go run ./bench")
	}

	var runners []runner
	for _, cfg := range strings.Split(*backends, ",") {
		r, err := newGoRunner(strings.TrimSpace(cfg))
		if err != nil {
			fmt.Printf("bench backend=%s skipped: %v\n", cfg, err)
			continue
		}
		runners = append(runners, r)
	}
	switch *peer {
	case "none":
	case "torch":
		r, err := startTorch(*python, *threads, *ompWait)
		if err != nil {
			log.Fatalf("starting the PyTorch peer: %v; install it with apt-get install python3-torch, or use -peer none", err)
		}
		defer r.close()
		runners = append(runners, r)
	default:
		log.Fatalf("-peer %q: want torch or none", *peer)
	}
	if len(runners) == 0 {
		log.Fatal("nothing to measure")
	}

	results := map[string]map[int][]measurement{} // runner → batch → rounds
	for _, batch := range batches {
		for round := 1; round <= *rounds; round++ {
			for _, r := range runners {
				m, err := r.measure(batch, *seconds, *evalToo)
				if err != nil {
					log.Fatalf("%s batch=%d: %v", r.name(), batch, err)
				}
				fmt.Printf("bench %s batch=%d train_img_per_s=%.1f", r.name(), batch, m.train)
				if *evalToo {
					fmt.Printf(" eval_img_per_s=%.1f", m.eval)
				}
				fmt.Printf(" round=%d\n", round)
				if results[r.name()] == nil {
					results[r.name()] = map[int][]measurement{}
				}
				results[r.name()][batch] = append(results[r.name()][batch], m)
			}
		}
	}

	if *peer == "torch" {
		peerName := runners[len(runners)-1].name()
		for _, r := range runners[:len(runners)-1] {
			for _, batch := range batches {
				mine, theirs := median(results[r.name()][batch]), median(results[peerName][batch])
				fmt.Printf("bench ratio %s vs %s batch=%d train=%.2f", r.name(), peerName, batch, mine.train/theirs.train)
				if *evalToo {
					fmt.Printf(" eval=%.2f", mine.eval/theirs.eval)
				}
				fmt.Println()
			}
		}
	}
	for _, r := range runners {
		fmt.Printf("bench rss %s peak_rss_mib=%.0f\n", r.name(), r.peakRSS())
	}
}

// measurement is one round's throughput, in images per second.
type measurement struct{ train, eval float64 }

// runner is something that trains and evaluates the lesson's network.
type runner interface {
	name() string
	measure(batch int, seconds float64, eval bool) (measurement, error)
	peakRSS() float64 // MiB
}

// median returns the median of each field (the mean of the middle two for
// an even count).
func median(ms []measurement) measurement {
	med := func(f func(measurement) float64) float64 {
		xs := make([]float64, len(ms))
		for i, m := range ms {
			xs[i] = f(m)
		}
		slices.Sort(xs)
		n := len(xs)
		if n%2 == 1 {
			return xs[n/2]
		}
		return (xs[n/2-1] + xs[n/2]) / 2
	}
	return measurement{train: med(func(m measurement) float64 { return m.train }), eval: med(func(m measurement) float64 { return m.eval })}
}

// goRunner trains the lesson's model on one GoMLX backend.
type goRunner struct {
	config  string
	backend compute.Backend
	models  map[int]*lesson.Model // one per batch size, which is a training setting
	rate    map[int]float64       // last train rate per batch, to size the next run
}

func newGoRunner(config string) (*goRunner, error) {
	backend, line, err := lesson.NewBackend(config)
	if err != nil {
		return nil, err
	}
	fmt.Printf("bench backend=%s %s\n", config, line)
	return &goRunner{config: config, backend: backend, models: map[int]*lesson.Model{}, rate: map[int]float64{}}, nil
}

// model returns the lesson's CNN set to train one epoch at a time on
// batches of batch images.
func (r *goRunner) model(batch int) (*lesson.Model, error) {
	if m := r.models[batch]; m != nil {
		return m, nil
	}
	m, err := lesson.NewModel(r.backend, lesson.CNN, lesson.Settings{Epochs: 1, BatchSize: batch})
	if err != nil {
		return nil, err
	}
	r.models[batch] = m
	return m, nil
}

func (r *goRunner) name() string { return "backend=" + r.config }

func (r *goRunner) peakRSS() float64 { return maxRSS() }

// measure trains for one epoch over synthetic images sized to take about
// the given seconds, then evaluates as many. The epoch's time includes the
// one-off compilation of the training step (tens of milliseconds on the go
// backend), which a short calibration run also pays.
func (r *goRunner) measure(batch int, seconds float64, eval bool) (measurement, error) {
	ctx := context.Background()
	model, err := r.model(batch)
	if err != nil {
		return measurement{}, err
	}
	if r.rate[batch] == 0 { // calibrate: compile and a few steps
		d := synthetic(4*batch, 0)
		h, err := model.Train(ctx, d, nil, lesson.Callbacks{})
		if err != nil {
			return measurement{}, err
		}
		r.rate[batch] = float64(d.Len()) / h.Epochs[0].Duration.Seconds()
	}
	// At most the 60,000 images a training set may have (Settings.TrainSize).
	n := min(max(4, int(r.rate[batch]*seconds)/batch)*batch, 60000/batch*batch)
	h, err := model.Train(ctx, synthetic(n, uint64(batch)), nil, lesson.Callbacks{})
	if err != nil {
		return measurement{}, err
	}
	var m measurement
	m.train = float64(n) / h.Epochs[0].Duration.Seconds()
	r.rate[batch] = m.train
	if eval {
		// Evaluation is a few times faster than training: time a first
		// pass to size the measured one.
		d := synthetic(4*batch, 1)
		start := time.Now()
		if _, _, err := model.Evaluate(d); err != nil {
			return measurement{}, err
		}
		n := max(4, int(float64(d.Len())/time.Since(start).Seconds()*seconds)/batch) * batch
		d = synthetic(n, 2)
		start = time.Now()
		if _, _, err := model.Evaluate(d); err != nil {
			return measurement{}, err
		}
		m.eval = float64(n) / time.Since(start).Seconds()
	}
	return m, nil
}

// synthetic returns n random images with random labels.
func synthetic(n int, seed uint64) *fashion.Data {
	rng := rand.New(rand.NewPCG(seed, 42))
	d := &fashion.Data{Pixels: make([]uint8, n*fashion.ImageSize*fashion.ImageSize), Labels: make([]uint8, n)}
	for i := range d.Pixels {
		d.Pixels[i] = uint8(rng.Uint32())
	}
	for i := range d.Labels {
		d.Labels[i] = uint8(rng.IntN(fashion.NumClasses))
	}
	return d
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("want positive integers separated by commas, got %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// maxRSS returns this process's peak resident memory in MiB.
func maxRSS() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}

// cpuModel returns the CPU's model name from /proc/cpuinfo, or GOARCH.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}
