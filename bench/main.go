// Command bench measures how fast the lesson's networks train and evaluate
// on each GoMLX backend, side by side with the same networks in Keras
// (TensorFlow's CPU build), PyTorch and JAX.
//
// It uses synthetic data (random pixels and labels) of the Fashion-MNIST
// shape, so it needs no download. Measurements alternate between the
// backends and the peers, round by round, so that a busy machine slows them
// alike; each is printed on one line:
//
//	bench model=cnn backend=go batch=32 train_img_per_s=123.4 eval_img_per_s=456.7 round=1
//	bench model=cnn peer=keras batch=32 train_img_per_s=680.0 eval_img_per_s=2100.0 round=1
//
// followed by the ratios of the medians, one line per model, backend, peer
// and batch, and the peak memory of each process:
//
//	bench ratio model=cnn backend=go vs peer=keras batch=32 train=0.44 eval=0.39
//	bench rss peer=keras peak_rss_mib=1517
//
// The networks (-model) are cnn, the lesson's CNN (lesson.CNN, 243,786
// parameters), and dense, the notebook's dense network (Flatten → Dense(128,
// relu) → Dense(10, softmax), 101,770 parameters); every peer builds the same
// layers with the same initialisation (Glorot-uniform kernels, zero biases),
// trains with Adam(1e-3) on the sparse categorical cross-entropy, and must
// count as many parameters as the lesson's model.
//
// Usage:
//
//	make peers    # once: Keras, PyTorch and JAX from PyPI into .build/peers (scripts/peers.sh)
//	GOEXPERIMENT=simd go run ./bench -model cnn,dense -batch 32,128
//
// The peers are bench/peers/*_peer.py, run by the virtual environment's
// Python; without it, the PyTorch peer runs on Debian's python3-torch
// (peer=torch-debian). See bench/README.md for how each peer is timed.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
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
		modelFlag = flag.String("model", "cnn,dense", "comma-separated networks to measure: cnn (the lesson's CNN), dense (Flatten → Dense 128 → Dense 10)")
		batchFlag = flag.String("batch", "32,128", "comma-separated batch sizes")
		seconds   = flag.Float64("seconds", 5, "seconds per measurement (training, then evaluation)")
		peerFlag  = flag.String("peer", "auto", "comma-separated peers: keras, torch, jax (from the virtual environment -venv), torch-debian (Debian's python3-torch, run by -python), none; auto: keras,torch,jax where -venv has a Python, else torch-debian where it runs")
		venv      = flag.String("venv", "", "the peers' virtual environment, made by make peers (default: .build/peers in the working directory or the nearest parent that has one)")
		python    = flag.String("python", "/usr/bin/python3", "Python with Debian's python3-torch, for the torch-debian peer")
		backends  = flag.String("backends", "go", "comma-separated GOMLX_BACKEND values to measure, e.g. go,xla:cpu")
		rounds    = flag.Int("rounds", 3, "rounds of alternating measurements; ratios use the medians")
		threads   = flag.Int("threads", runtime.GOMAXPROCS(0), "threads of each peer (the go backend uses GOMAXPROCS)")
		ompWait   = flag.String("omp-wait", "passive", "OMP_WAIT_POLICY for the peers (empty: inherit); on a shared machine OpenMP's default spin-waiting makes PyTorch several times slower")
		evalToo   = flag.Bool("eval", true, "also measure evaluation (forward only) throughput")
	)
	flag.Parse()
	batches, err := parseInts(*batchFlag)
	if err != nil {
		log.Fatalf("-batch %q: %v", *batchFlag, err)
	}
	if *rounds < 1 || *seconds <= 0 || *threads < 1 {
		log.Fatalf("-rounds %d, -seconds %g, -threads %d: want each above zero", *rounds, *seconds, *threads)
	}
	models, err := networks(*modelFlag)
	if err != nil {
		log.Fatalf("-model %q: %v", *modelFlag, err)
	}
	fmt.Printf("bench machine cpu=%q cores=%d go=%s goexperiment_simd=%t gomaxprocs=%d\n",
		cpuModel(), runtime.NumCPU(), runtime.Version(), simdBuild, runtime.GOMAXPROCS(0))
	fmt.Println("bench " + lesson.ComputeStatus())
	if !simdBuild {
		fmt.Println("bench note: built without GOEXPERIMENT=simd: the go backend's matrix products are ~2× slower; run with GOEXPERIMENT=simd go run ./bench")
	}
	for _, m := range models {
		fmt.Printf("bench model=%s params=%d layers=%q\n", m.name, m.params, m.layers)
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
	nBackends := len(runners)
	peers, err := startPeers(*peerFlag, *venv, *python, *threads, *ompWait)
	defer func() {
		for _, p := range peers {
			p.close()
		}
	}()
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range peers {
		runners = append(runners, p)
	}
	if len(runners) == 0 {
		log.Fatal("nothing to measure")
	}

	type key struct {
		runner, model string
		batch         int
	}
	results := map[key][]measurement{}
	for _, model := range models {
		for _, batch := range batches {
			for round := 1; round <= *rounds; round++ {
				for _, r := range runners {
					m, err := r.measure(model, batch, *seconds, *evalToo)
					if err != nil {
						log.Fatalf("model=%s %s batch=%d: %v", model.name, r.name(), batch, err)
					}
					fmt.Printf("bench model=%s %s batch=%d train_img_per_s=%.1f", model.name, r.name(), batch, m.train)
					if *evalToo {
						fmt.Printf(" eval_img_per_s=%.1f", m.eval)
					}
					fmt.Printf(" round=%d\n", round)
					k := key{r.name(), model.name, batch}
					results[k] = append(results[k], m)
				}
			}
		}
	}

	for _, model := range models {
		for _, b := range runners[:nBackends] {
			for _, p := range runners[nBackends:] {
				for _, batch := range batches {
					mine, theirs := median(results[key{b.name(), model.name, batch}]), median(results[key{p.name(), model.name, batch}])
					fmt.Printf("bench ratio model=%s %s vs %s batch=%d train=%.2f", model.name, b.name(), p.name(), batch, mine.train/theirs.train)
					if *evalToo {
						fmt.Printf(" eval=%.2f", mine.eval/theirs.eval)
					}
					fmt.Println()
				}
			}
		}
	}
	for _, r := range runners {
		fmt.Printf("bench rss %s peak_rss_mib=%.0f\n", r.name(), r.peakRSS())
	}
}

// network is one of the networks the bench measures.
type network struct {
	name   string // as -model and the peers name it
	net    lesson.Network
	layers string // for the output
	params int    // as the lesson's model counts them; every peer must agree
}

// dense is the notebook's dense network, last lesson's: every pixel has its
// own weights.
func dense(s *lesson.Seq) {
	s.Flatten()
	s.Dense(128, lesson.ReLU)
	s.Dense(10, lesson.Softmax)
}

// networks returns the networks named in list, with their parameter counts.
func networks(list string) ([]network, error) {
	known := map[string]network{
		"cnn":   {name: "cnn", net: lesson.CNN, layers: "Conv2D(64,3x3,relu) MaxPool(2) Conv2D(64,3x3,relu) MaxPool(2) Flatten Dense(128,relu) Dense(10,softmax)"},
		"dense": {name: "dense", net: dense, layers: "Flatten Dense(128,relu) Dense(10,softmax)"},
	}
	backend, _, err := lesson.NewBackend("go")
	if err != nil {
		return nil, err
	}
	var out []network
	for _, name := range strings.Split(list, ",") {
		n, ok := known[strings.TrimSpace(name)]
		if !ok {
			return nil, fmt.Errorf("unknown network %q: want cnn or dense, separated by commas", name)
		}
		m, err := lesson.NewModel(backend, n.net, lesson.Settings{})
		if err != nil {
			return nil, err
		}
		n.params = m.Summary().Total
		out = append(out, n)
	}
	return out, nil
}

// startPeers starts the peers that -peer names; see its usage for auto.
// It returns those it started, with the error of the first that failed.
func startPeers(list, venv, debianPython string, threads int, ompWait string) ([]*peerRunner, error) {
	if venv == "" {
		venv = findVenv()
	}
	venvPython := filepath.Join(venv, "bin", "python")
	_, noVenv := os.Stat(venvPython)
	if list == "auto" {
		switch {
		case noVenv == nil:
			list = "keras,torch,jax"
		case exec.Command(debianPython, "-c", "import torch").Run() == nil:
			list = "torch-debian"
		default:
			fmt.Printf("bench peers: none: make peers installs keras, torch and jax into %s (-venv); apt-get install python3-torch runs peer=torch-debian with %s (-python)\n", venv, debianPython)
			return nil, nil
		}
	}
	if list == "none" {
		return nil, nil
	}
	dir, err := writePeers()
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir) // the peers have read their scripts once ready
	var peers []*peerRunner
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		py := venvPython
		switch {
		case peerScript(name) == "":
			return peers, fmt.Errorf("-peer %q: unknown peer %q: want keras, torch, jax, torch-debian or none, separated by commas", list, name)
		case name == "torch-debian":
			py = debianPython
		case noVenv != nil:
			return peers, fmt.Errorf("peer %s: no Python in the peers' virtual environment %s (-venv): make peers installs Keras, PyTorch and JAX there (scripts/peers.sh), or use -peer torch-debian or -peer none", name, venv)
		}
		p, err := startPeer(name, py, filepath.Join(dir, peerScript(name)), threads, ompWait)
		if err != nil {
			return peers, fmt.Errorf("starting peer %s: %w", name, err)
		}
		peers = append(peers, p)
	}
	return peers, nil
}

// findVenv returns .build/peers in the working directory or the nearest
// parent that has a Python there, else .build/peers.
func findVenv() string {
	dir, err := os.Getwd()
	for err == nil {
		venv := filepath.Join(dir, ".build", "peers")
		if _, err := os.Stat(filepath.Join(venv, "bin", "python")); err == nil {
			return venv
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return filepath.Join(".build", "peers")
}

// measurement is one round's throughput, in images per second.
type measurement struct{ train, eval float64 }

// runner is something that trains and evaluates the lesson's networks.
type runner interface {
	name() string // backend=… or peer=…
	measure(model network, batch int, seconds float64, eval bool) (measurement, error)
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

// goRunner trains the lesson's networks on one GoMLX backend.
type goRunner struct {
	config  string
	backend compute.Backend
	models  map[string]*lesson.Model // one per network and batch size, which is a training setting
	rate    map[string]float64       // last train rate per network and batch, to size the next run
}

func newGoRunner(config string) (*goRunner, error) {
	backend, line, err := lesson.NewBackend(config)
	if err != nil {
		return nil, err
	}
	fmt.Printf("bench backend=%s %s\n", config, line)
	return &goRunner{config: config, backend: backend, models: map[string]*lesson.Model{}, rate: map[string]float64{}}, nil
}

func (r *goRunner) name() string { return "backend=" + r.config }

func (r *goRunner) peakRSS() float64 { return maxRSS() }

// measure trains on synthetic images for about the given seconds, then
// evaluates for as long: a first run, the first time, pays the one-off
// compilation (tens of milliseconds on the go backend) and sizes the
// measured one from its rate, later runs from the last rate. A measured run
// is one or more epochs over the same images, at most 60,000 of them (the
// most a training set may have, Settings.TrainSize).
func (r *goRunner) measure(net network, batch int, seconds float64, eval bool) (measurement, error) {
	ctx := context.Background()
	key := net.name + "/" + strconv.Itoa(batch)
	model := r.models[key]
	if model == nil {
		var err error
		if model, err = lesson.NewModel(r.backend, net.net, lesson.Settings{Epochs: 1, BatchSize: batch}); err != nil {
			return measurement{}, err
		}
		r.models[key] = model
	}
	train := func(d *fashion.Data) (time.Duration, error) {
		h, err := model.Train(ctx, d, nil, lesson.Callbacks{})
		if err != nil {
			return 0, err
		}
		return h.Epochs[0].Duration, nil
	}
	evaluate := func(d *fashion.Data) (time.Duration, error) {
		start := time.Now()
		_, _, err := model.Evaluate(d)
		return time.Since(start), err
	}
	if r.rate[key] == 0 {
		d := synthetic(4*batch, 0)
		t, err := train(d)
		if err != nil {
			return measurement{}, err
		}
		r.rate[key] = float64(d.Len()) / t.Seconds()
	}
	var m measurement
	var err error
	if m.train, err = timed(train, r.rate[key]*seconds, batch, uint64(batch)); err != nil {
		return m, err
	}
	r.rate[key] = m.train
	if eval {
		// Evaluation is a few times faster than training: time a first
		// pass to size the measured one.
		d := synthetic(4*batch, 1)
		t, err := evaluate(d)
		if err != nil {
			return m, err
		}
		if m.eval, err = timed(evaluate, float64(d.Len())/t.Seconds()*seconds, batch, 2); err != nil {
			return m, err
		}
	}
	return m, nil
}

// timed calls run on passes over the same synthetic images (seeded by
// seed), about n images in all, a whole number of batches, at most 60,000
// a pass, and returns the images per second of run's time.
func timed(run func(*fashion.Data) (time.Duration, error), n float64, batch int, seed uint64) (float64, error) {
	per := min(max(4, int(n)/batch)*batch, 60000/batch*batch)
	passes := max(1, int(n/float64(per)+0.5))
	d := synthetic(per, seed)
	var total time.Duration
	for range passes {
		t, err := run(d)
		if err != nil {
			return 0, err
		}
		total += t
	}
	return float64(passes*per) / total.Seconds(), nil
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
