package main

import (
	"bufio"
	"embed"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// peerFiles are the Python peers and the module they share (bench/peers),
// written to a temporary directory for the run, so a built bench needs no
// source tree.
//
//go:embed peers/*.py
var peerFiles embed.FS

// peerScript returns the script of a peer the bench knows, or "".
// torch-debian is the torch peer run by Debian's Python with python3-torch.
func peerScript(peer string) string {
	switch peer {
	case "keras", "torch", "jax":
		return peer + "_peer.py"
	case "torch-debian":
		return "torch_peer.py"
	}
	return ""
}

// writePeers writes the peers' scripts into a new temporary directory and
// returns it; the caller removes it.
func writePeers() (string, error) {
	dir, err := os.MkdirTemp("", "bench-peers-")
	if err != nil {
		return "", err
	}
	entries, err := peerFiles.ReadDir("peers")
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	for _, e := range entries {
		b, err := peerFiles.ReadFile("peers/" + e.Name())
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644)
		}
		if err != nil {
			os.RemoveAll(dir)
			return "", err
		}
	}
	return dir, nil
}

// peerRunner drives one Python peer (bench/peers/*_peer.py), one process
// for the whole run, so its framework is imported and its models compiled
// once. It speaks the line protocol of bench/peers/peerloop.py.
type peerRunner struct {
	peer string
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Scanner
	rss  float64 // MiB, as last reported
}

// startPeer starts the script of peer with python, using threads threads;
// ompWait, if not empty, is its OMP_WAIT_POLICY.
func startPeer(peer, python, script string, threads int, ompWait string) (*peerRunner, error) {
	r := &peerRunner{peer: peer}
	r.cmd = exec.Command(python, script, strconv.Itoa(threads))
	r.cmd.Stderr = os.Stderr
	r.cmd.Env = os.Environ()
	if ompWait != "" {
		r.cmd.Env = append(r.cmd.Env, "OMP_WAIT_POLICY="+ompWait)
	}
	var err error
	if r.in, err = r.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := r.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	r.out = bufio.NewScanner(stdout)
	line, err := r.readLine()
	if err != nil || !strings.HasPrefix(line, "ready ") {
		r.close()
		if err != nil {
			return nil, fmt.Errorf("%s %s exited before it was ready (%v); its error is above", python, filepath.Base(script), err)
		}
		return nil, fmt.Errorf("%s %s: want a ready line, got %q", python, filepath.Base(script), line)
	}
	fmt.Printf("bench peer=%s %s python=%s omp_wait_policy=%q\n", peer, strings.TrimPrefix(line, "ready "), python, ompWait)
	return r, nil
}

func (r *peerRunner) readLine() (string, error) {
	if r.out.Scan() {
		return r.out.Text(), nil
	}
	if err := r.out.Err(); err != nil {
		return "", err
	}
	return "", io.ErrUnexpectedEOF
}

func (r *peerRunner) name() string { return "peer=" + r.peer }

func (r *peerRunner) peakRSS() float64 { return r.rss }

func (r *peerRunner) measure(model network, batch int, seconds float64, eval bool) (measurement, error) {
	var m measurement
	var err error
	if m.train, err = r.ask("train", model, batch, seconds); err != nil {
		return m, err
	}
	if eval {
		m.eval, err = r.ask("eval", model, batch, seconds)
	}
	return m, err
}

// ask sends one command and parses the answer's img_per_s, checking that
// the peer's model has as many parameters as the lesson's.
func (r *peerRunner) ask(what string, model network, batch int, seconds float64) (float64, error) {
	if _, err := fmt.Fprintf(r.in, "%s %s %d %g\n", what, model.name, batch, seconds); err != nil {
		return 0, fmt.Errorf("%s peer: %w", r.peer, err)
	}
	line, err := r.readLine()
	if err != nil {
		return 0, fmt.Errorf("%s peer stopped (%v); its error is above", r.peer, err)
	}
	if !strings.HasPrefix(line, "ok ") {
		return 0, fmt.Errorf("%s peer: %s", r.peer, line)
	}
	var rate float64
	params := -1
	for _, kv := range strings.Fields(line)[1:] {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "img_per_s":
			rate, err = strconv.ParseFloat(v, 64)
		case "params":
			params, err = strconv.Atoi(v)
		case "peak_rss_mib":
			r.rss, err = strconv.ParseFloat(v, 64)
		}
		if err != nil {
			return 0, fmt.Errorf("%s peer: %q: %w", r.peer, line, err)
		}
	}
	if params != model.params {
		return 0, fmt.Errorf("%s peer: its %s network has %d parameters, the lesson's %d: not the same model", r.peer, model.name, params, model.params)
	}
	return rate, nil
}

func (r *peerRunner) close() {
	fmt.Fprintln(r.in, "quit")
	r.in.Close()
	r.cmd.Wait()
}
