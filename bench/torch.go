package main

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

//go:embed torch_peer.py
var torchPeerScript string

// torchRunner drives bench/torch_peer.py, one process for the whole run, so
// PyTorch is imported once.
type torchRunner struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Scanner
	script  string
	version string
	rss     float64 // MiB, as last reported
}

func startTorch(python string, threads int, ompWait string) (*torchRunner, error) {
	f, err := os.CreateTemp("", "torch_peer-*.py")
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(torchPeerScript); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	r := &torchRunner{script: f.Name()}
	r.cmd = exec.Command(python, f.Name(), strconv.Itoa(threads))
	r.cmd.Stderr = os.Stderr
	if ompWait != "" {
		r.cmd.Env = append(os.Environ(), "OMP_WAIT_POLICY="+ompWait)
	}
	if r.in, err = r.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := r.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := r.cmd.Start(); err != nil {
		os.Remove(f.Name())
		return nil, err
	}
	r.out = bufio.NewScanner(stdout)
	line, err := r.readLine()
	if err != nil || !strings.HasPrefix(line, "ready ") {
		r.close()
		return nil, fmt.Errorf("%s %s: no ready line (got %q, %v)", python, f.Name(), line, err)
	}
	fmt.Printf("bench peer=torch %s python=%s omp_wait_policy=%q\n", strings.TrimPrefix(line, "ready "), python, ompWait)
	return r, nil
}

func (r *torchRunner) readLine() (string, error) {
	if r.out.Scan() {
		return r.out.Text(), nil
	}
	if err := r.out.Err(); err != nil {
		return "", err
	}
	return "", io.ErrUnexpectedEOF
}

func (r *torchRunner) name() string { return "peer=torch" }

func (r *torchRunner) peakRSS() float64 { return r.rss }

func (r *torchRunner) measure(batch int, seconds float64, eval bool) (measurement, error) {
	var m measurement
	var err error
	if m.train, err = r.ask("train", batch, seconds); err != nil {
		return m, err
	}
	if eval {
		m.eval, err = r.ask("eval", batch, seconds)
	}
	return m, err
}

// ask sends one command and parses the answer's img_per_s.
func (r *torchRunner) ask(what string, batch int, seconds float64) (float64, error) {
	if _, err := fmt.Fprintf(r.in, "%s %d %g\n", what, batch, seconds); err != nil {
		return 0, err
	}
	line, err := r.readLine()
	if err != nil {
		return 0, err
	}
	if !strings.HasPrefix(line, "ok ") {
		return 0, fmt.Errorf("torch peer: %s", line)
	}
	var rate float64
	for _, kv := range strings.Fields(line)[1:] {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "img_per_s":
			rate, err = strconv.ParseFloat(v, 64)
		case "peak_rss_mib":
			r.rss, _ = strconv.ParseFloat(v, 64)
		}
	}
	return rate, err
}

func (r *torchRunner) close() {
	fmt.Fprintln(r.in, "quit")
	r.in.Close()
	r.cmd.Wait()
	os.Remove(r.script)
}
