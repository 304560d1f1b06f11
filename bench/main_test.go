package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

// TestNetworks checks the parameter counts every peer is held to.
func TestNetworks(t *testing.T) {
	nets, err := networks("cnn, dense")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range map[int]int{0: 243786, 1: 101770} {
		if nets[i].params != want {
			t.Errorf("%s: %d parameters, want %d", nets[i].name, nets[i].params, want)
		}
	}
	if _, err := networks("cnn,lenet"); err == nil || !strings.Contains(err.Error(), `"lenet"`) {
		t.Errorf(`networks("cnn,lenet") = %v, want an error naming lenet`, err)
	}
}

// TestTimed checks that a measurement is split into passes of whole
// batches, at most 60,000 images each, and rated by run's time.
func TestTimed(t *testing.T) {
	for _, tc := range []struct {
		reason           string
		n                float64
		batch            int
		passes, perPass  int
		wantImgPerSecond float64
	}{
		{"fewer images than a training set: one pass, whole batches", 1000, 32, 1, 992, 992},
		{"too few for 4 batches: 4 batches", 10, 32, 1, 128, 128},
		{"more: passes of the most whole batches in 60,000", 150000, 128, 3, 59904, 59904},
	} {
		var sizes []int
		rate, err := timed(func(d *fashion.Data) (time.Duration, error) {
			sizes = append(sizes, d.Len())
			return time.Second, nil
		}, tc.n, tc.batch, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(sizes) != tc.passes || sizes[0] != tc.perPass || rate != tc.wantImgPerSecond {
			t.Errorf("%s: passes %v at %.0f img/s, want %d of %d at %.0f", tc.reason, sizes, rate, tc.passes, tc.perPass, tc.wantImgPerSecond)
		}
	}
}

// TestPeerProtocol drives a fake peer through bench/peers/peerloop.py: a
// measurement, a network whose parameters differ from the lesson's, and an
// unknown network, after which the peer still answers.
func TestPeerProtocol(t *testing.T) {
	python := "/usr/bin/python3" // Debian's, which the lesson's Jupyter needs anyway
	if _, err := exec.LookPath(python); err != nil {
		t.Fatalf("%s: %v; the peers are Python: apt-get install python3", python, err)
	}
	dir, err := writePeers()
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	fake, err := os.ReadFile(filepath.Join("testdata", "fake_peer.py"))
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "fake_peer.py")
	if err := os.WriteFile(script, fake, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := startPeer("fake", python, script, 2, "passive")
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	nets, err := networks("cnn,dense")
	if err != nil {
		t.Fatal(err)
	}
	m, err := p.measure(nets[0], 32, 1, true)
	if err != nil || m.train != 640 || m.eval != 640 {
		t.Errorf("cnn: %+v, %v; want 640 img/s (10 steps of 32 in 0.5 s) for both", m, err)
	}
	if _, err := p.measure(nets[1], 32, 1, true); err == nil || !strings.Contains(err.Error(), "101771 parameters, the lesson's 101770") {
		t.Errorf("dense: %v, want the parameter counts' mismatch", err)
	}
	if _, err := p.measure(network{name: "lenet"}, 32, 1, false); err == nil || !strings.Contains(err.Error(), "unknown model 'lenet'") {
		t.Errorf("lenet: %v, want the peer's unknown model error", err)
	}
	if _, err := p.measure(nets[0], 128, 1, false); err != nil {
		t.Errorf("after errors: %v, want the peer to answer", err)
	}
}
