package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain runs the command itself when the test binary is started by one
// of the tests below with LESSON03_ARGS set: the tests send it signals as a
// user's Ctrl-C would.
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv("LESSON03_ARGS"); ok {
		os.Args = append([]string{"lesson03"}, strings.Fields(args)...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// command is the lesson03 command running in a subprocess.
type command struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	lines          chan string // stdout, line by line
	done           chan error
}

func start(t *testing.T, args ...string) *command {
	t.Helper()
	c := &command{lines: make(chan string, 100), done: make(chan error, 1)}
	c.cmd = exec.Command(os.Args[0], "-test.run=^$")
	c.cmd.Env = append(os.Environ(), "LESSON03_ARGS="+strings.Join(args, " "), "GOMLX_BACKEND=go")
	pipe, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.cmd.Stderr = &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pipe)
		sc.Split(scanLinesOrReturns)
		for sc.Scan() {
			c.stdout.WriteString(sc.Text() + "\n")
			select {
			case c.lines <- sc.Text():
			default:
			}
		}
		c.done <- c.cmd.Wait()
	}()
	t.Cleanup(func() { _ = c.cmd.Process.Kill() })
	return c
}

// scanLinesOrReturns splits at \n and at the \r of progress lines.
func scanLinesOrReturns(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// waitFor waits until a line of stdout starts with prefix.
func (c *command) waitFor(t *testing.T, prefix string, limit time.Duration) {
	t.Helper()
	deadline := time.After(limit)
	for {
		select {
		case l := <-c.lines:
			if strings.HasPrefix(strings.TrimSpace(l), prefix) {
				return
			}
		case err := <-c.done:
			t.Fatalf("lesson03 exited (%v) before printing %q:\n%s\n%s", err, prefix, c.stdout.String(), c.stderr.String())
		case <-deadline:
			t.Fatalf("lesson03 printed no %q in %s:\n%s", prefix, limit, c.stdout.String())
		}
	}
}

// exit waits for the command to end, and fails if it takes over limit (a
// hang, not a slow machine: the limits are generous).
func (c *command) exit(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case err := <-c.done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(limit):
		t.Fatalf("lesson03 still runs %s after the signal: it hangs\n%s\n%s", limit, c.stdout.String(), c.stderr.String())
		return -1
	}
}

// TestInterruptWhileLoading replaces a data file with a named pipe that
// nobody writes, which blocks reading it forever, and checks that Ctrl-C
// (SIGINT) stops the command.
func TestInterruptWhileLoading(t *testing.T) {
	data := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(data, "train-images-idx3-ubyte"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := start(t, "train", "-data", data, "-no-download", "-epochs", "1", "-checkpoint", t.TempDir())
	c.waitFor(t, "backend:", time.Minute)
	time.Sleep(300 * time.Millisecond) // let it reach the pipe
	if err := c.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := c.exit(t, 30*time.Second); code != 1 {
		t.Errorf("exit code %d after Ctrl-C while loading, want 1\n%s", code, c.stderr.String())
	}
	if !strings.Contains(c.stderr.String(), "interrupt") {
		t.Errorf("stderr does not say it was interrupted:\n%s", c.stderr.String())
	}
}

// TestSignalMidEpoch trains one model, then stops a second training run in
// the middle of its first epoch, with SIGINT and with SIGTERM: the command
// ends promptly, its message starts on a line of its own, nothing
// half-written is left, and the first model still loads.
func TestSignalMidEpoch(t *testing.T) {
	ckpt := t.TempDir()
	data := "/usr/share/datasets/fashion-mnist"
	first := []string{"-data", data, "-no-download", "-epochs", "1", "-train-size", "320", "-checkpoint", ckpt}
	var out strings.Builder
	if err := run(t.Context(), append([]string{"train"}, first...), func(n string) string { return map[string]string{"GOMLX_BACKEND": "go"}[n] }, &out, &out); err != nil {
		t.Fatalf("training the first model: %v\n%s", err, out.String())
	}
	before, _ := filepath.Glob(filepath.Join(ckpt, "*"))
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			c := start(t, "train", "-data", data, "-no-download", "-epochs", "1", "-train-size", "60000", "-checkpoint", ckpt)
			c.waitFor(t, "Epoch 1/1", 2*time.Minute)
			time.Sleep(500 * time.Millisecond)
			if err := c.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := c.exit(t, time.Minute); code != 1 {
				t.Errorf("exit code %d after %v mid-epoch, want 1\n%s", code, sig, c.stderr.String())
			}
			if !strings.Contains(c.stderr.String(), "training stopped") {
				t.Errorf("stderr does not say training stopped:\n%s", c.stderr.String())
			}
			if s := c.stdout.String(); !strings.HasSuffix(s, "\n") {
				t.Errorf("stdout ends inside the progress line, so the error would land on it: %q", s[max(0, len(s)-80):])
			}
			after, _ := filepath.Glob(filepath.Join(ckpt, "*"))
			if strings.Join(after, " ") != strings.Join(before, " ") {
				t.Errorf("the checkpoint directory changed: %q, was %q", after, before)
			}
			out.Reset()
			err := run(t.Context(), append([]string{"eval"}, first...), func(n string) string { return map[string]string{"GOMLX_BACKEND": "go"}[n] }, &out, &out)
			if err != nil || !strings.Contains(out.String(), "test accuracy: ") {
				t.Errorf("the first model no longer loads: %v\n%s", err, out.String())
			}
		})
	}
}
