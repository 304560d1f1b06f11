package lesson

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// trainBytesPerImage estimates the memory one image of a batch takes in a
// training step of m: every layer's output and its gradient, and each
// convolution's patches (im2col) and their gradient, as float32. For the
// lesson's model that is about 1.1 MiB.
func trainBytesPerImage(m *Model) int64 {
	var floats int64
	in := []int{28, 28, 1}
	for _, l := range m.layers {
		size := int64(1)
		for _, d := range l.Output {
			size *= int64(d)
		}
		floats += 2 * size
		if l.Type == "Conv2D" && len(in) == 3 {
			k := int64(l.Params/l.Output[2]-1) / int64(in[2]) // k·k
			floats += 2 * k * int64(in[2]) * int64(l.Output[0]) * int64(l.Output[1])
		}
		in = l.Output
	}
	return 4 * floats
}

// trainBaseBytes is the memory a training run needs whatever the batch:
// the Go runtime, the compiled graphs, the data set (47 MiB as bytes) and
// the weights with Adam's state; measured peak RSS of a batch-32 run is
// about 330 MiB.
const trainBaseBytes = 300 << 20

// ErrBatchTooBig is returned (wrapped) by [Lab.Model] when a training step
// of the batch size asked for would not fit in the memory available; the
// message gives both numbers.
var ErrBatchTooBig = errors.New("the batch does not fit in memory")

// checkMemory refuses a batch size whose training step would not fit in
// the memory available, before anything big is allocated.
func checkMemory(m *Model, batchSize int) error {
	perImage := trainBytesPerImage(m)
	need := trainBaseBytes + perImage*int64(batchSize)
	avail, from := availableMemory()
	if avail <= 0 || need <= avail {
		return nil
	}
	return fmt.Errorf("lesson: %w: a batch of %d images needs about %s to train %s (%s per image), but only %s is available (%s); use a smaller batch size",
		ErrBatchTooBig, batchSize, gib(need), m.Name(), mib(perImage), gib(avail), from)
}

// availableMemory returns the memory this process may still use and where
// that number comes from: the least of MemAvailable (/proc/meminfo), the
// cgroup's limit (containers) and GOMEMLIMIT. It returns 0 when none is
// known.
func availableMemory() (int64, string) {
	best, from := int64(0), ""
	consider := func(n int64, what string) {
		if n > 0 && (best == 0 || n < best) {
			best, from = n, what
		}
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) >= 2 && fields[0] == "MemAvailable:" {
				if kb, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
					consider(kb<<10, "MemAvailable in /proc/meminfo")
				}
			}
		}
		f.Close()
	}
	if blob, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(blob)), 10, 64); err == nil {
			consider(n, "the container's memory limit, /sys/fs/cgroup/memory.max")
		}
	}
	if limit := debug.SetMemoryLimit(-1); limit > 0 && limit < math.MaxInt64 {
		consider(limit, "GOMEMLIMIT")
	}
	return best, from
}

func gib(n int64) string { return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30)) }
func mib(n int64) string { return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20)) }
