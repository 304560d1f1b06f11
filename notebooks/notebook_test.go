// Package notebooks holds the lesson's Jupyter notebooks and the tests that
// execute them headless with the project's GoNB kernel.
package notebooks

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// kernel is the kernel spec the English notebooks are executed with, and
// kernelZh the Chinese edition's (the same with LESSON_LANG=zh);
// kernels/install.sh installs both.
const (
	kernel   = "gonb-lesson-go"
	kernelZh = "gonb-lesson-go-zh"
)

// setupHint says how to install what the tests need.
const setupHint = "install Jupyter with: sudo apt-get install -y jupyter-nbconvert jupyter-notebook python3-ipykernel python3-jupyter-kernel-test; then the kernel with: kernels/install.sh --user"

// jupyter returns the jupyter command to use, Debian's first (a pyenv or venv
// python3 earlier on PATH usually lacks nbconvert), or fails the test.
func jupyter(t *testing.T) string {
	t.Helper()
	for _, c := range []string{"/usr/bin/jupyter", "jupyter"} {
		if p, err := exec.LookPath(c); err == nil {
			if exec.Command(p, "nbconvert", "--version").Run() == nil {
				return p
			}
		}
	}
	t.Fatalf("jupyter nbconvert not found; %s", setupHint)
	return ""
}

// checkKernel fails the test unless the kernel spec is installed and points
// at an existing GoNB binary.
func checkKernel(t *testing.T, jupyterPath, kernel string) {
	t.Helper()
	out, err := exec.Command(jupyterPath, "--paths", "--json").Output()
	if err != nil {
		t.Fatalf("jupyter --paths: %v; %s", err, setupHint)
	}
	var paths struct{ Data []string }
	if err := json.Unmarshal(out, &paths); err != nil {
		t.Fatalf("jupyter --paths --json: %v", err)
	}
	for _, dir := range paths.Data {
		blob, err := os.ReadFile(filepath.Join(dir, "kernels", kernel, "kernel.json"))
		if err != nil {
			continue
		}
		var spec struct{ Argv []string }
		if err := json.Unmarshal(blob, &spec); err != nil || len(spec.Argv) == 0 {
			t.Fatalf("%s/kernels/%s/kernel.json is not a kernel spec (%v); reinstall it with kernels/install.sh --user", dir, kernel, err)
		}
		if _, err := os.Stat(spec.Argv[0]); err != nil {
			t.Fatalf("kernel %s runs %s, which is missing (%v); reinstall with kernels/install.sh --user", kernel, spec.Argv[0], err)
		}
		return
	}
	t.Fatalf("Jupyter kernel %q is not installed in any of %q; run kernels/install.sh --user", kernel, paths.Data)
}

// notebook is the part of an .ipynb file the test reads.
type notebook struct {
	Metadata struct {
		Kernelspec struct{ Name string } `json:"kernelspec"`
	} `json:"metadata"`
	Cells []struct {
		ID       string          `json:"id"`
		CellType string          `json:"cell_type"`
		Source   json.RawMessage `json:"source"`
		Count    *int            `json:"execution_count"`
		Metadata struct {
			Lesson struct {
				// SourceSHA256 is the hash of the source whose outputs the
				// cell carries (scripts/notebook_outputs.sh).
				SourceSHA256 string `json:"source_sha256"`
			} `json:"lesson"`
		} `json:"metadata"`
		Outputs []struct {
			OutputType string                     `json:"output_type"`
			Name       string                     `json:"name"`
			Text       json.RawMessage            `json:"text"`
			Data       map[string]json.RawMessage `json:"data"`
			EName      string                     `json:"ename"`
			EValue     string                     `json:"evalue"`
		} `json:"outputs"`
	} `json:"cells"`
}

// text joins an nbformat multiline string (a string or a list of strings).
func text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var lines []string
	_ = json.Unmarshal(raw, &lines)
	return strings.Join(lines, "")
}

// notebookCase is a notebook the tests read and execute.
type notebookCase struct {
	file string // relative to notebooks/; zh/ holds the Chinese edition
	// kernel is the kernel spec it runs on, the one its metadata names.
	kernel string
	// checks is the number of exercise checks (viz.Check) the notebook
	// prints: all "✗ not yet" as shipped, all "✓" with the solutions of
	// notebooks/solutions/<file>.json applied.
	checks int
	want   []struct{ what, re, reason string }
}

// notebookCases lists the notebooks, each with what its executed outputs
// must show (regular expressions and the reason for each). The Chinese
// edition runs the same code, so it must show what the English one shows
// (the notebooks' own prints are the same) and, from viz, Chinese words.
func notebookCases() []notebookCase {
	lesson := []struct{ what, re, reason string }{
		{"summary total", `243,786`, "the summary table of the lesson's model"},
		{"activation shapes", `pred\[0\]\.shape = \[1 26 26 64\]`, "the activation model's first output"},
		{"seven outputs", `len\(pred\) = 7`, "the activation model has seven outputs"},
		{"shift table", `model\s+centred\s+2 px\s+4 px\s+6 px\ndense\s+0\.\d{4}`, "the dense-vs-CNN comparison on shifted images"},
		{"test accuracy", `test accuracy: 0\.\d{4}`, "the test accuracy line"},
		{"convolution by hand", `so the map's value at row 12, column 14 is (-?\d\.\d{4})\n(?s:.*)map at row 12, column 14: (-?\d\.\d{4})`, "one position worked out, then the same value in the map"},
	}
	lenet := []struct{ what, re, reason string }{
		{"summary total", `61,706`, "LeNet-5's summary: (5·5·1+1)·6 + (5·5·6+1)·16 + 48,120 + 10,164 + 850"},
		{"same padding", `padded by 2: 28\+4−5\+1 = 28`, "the arithmetic of the same-padded convolution"},
		{"comparison", `(?m)^lenet\s+61706 parameters.*\n^CNN\s+243786 parameters`, "the comparison with lesson.CNN"},
		{"test accuracy", `test accuracy: 0\.\d{4}`, "the confusion matrix's accuracy"},
	}
	zh := []struct{ what, re, reason string }{
		{"summary in Chinese", `>层 \(类型\)</th>(?s:.*)>参数总数</th>`, "viz.SummaryHTML's header and total under LESSON_LANG=zh"},
		{"confusion in Chinese", `<th>真实 ↓ 预测 →</th>(?s:.*)<th>套头衫</th>`, "the confusion matrix's header and class names"},
	}
	zhLesson := append(zh,
		struct{ what, re, reason string }{"gallery in Chinese", `<figcaption[^>]*>短靴</figcaption>`, "the first test image, an ankle boot, captioned in Chinese"},
		struct{ what, re, reason string }{"chart in Chinese", `>准确率 \(accuracy\)</text>`, "the live chart's panel title"},
	)
	return []notebookCase{
		{"03_convolution.ipynb", kernel, 10, lesson},
		{"03b_lenet.ipynb", kernel, 0, lenet},
		{"zh/03_convolution.ipynb", kernelZh, 10, append(slices.Clip(lesson), zhLesson...)},
		{"zh/03b_lenet.ipynb", kernelZh, 0, append(slices.Clip(lenet), zh...)},
	}
}

// notYet is how a check not yet passed starts on the kernel's language.
func notYet(kernel string) string {
	if kernel == kernelZh {
		return "✗ 还没有："
	}
	return "✗ not yet: "
}

// TestNotebookCells checks what a reader sees of each code cell in the
// classic notebook: at most 12 lines, none over 90 characters (a tab
// counts 4), since longer ones are cut off on screen.
func TestNotebookCells(t *testing.T) {
	for _, nbk := range notebookCases() {
		nb := readNotebook(t, nbk.file)
		for i, c := range nb.Cells {
			if c.CellType != "code" {
				continue
			}
			lines := strings.Split(text(c.Source), "\n")
			if len(lines) > 12 {
				t.Errorf("%s cell %d has %d lines, want at most 12: move code into lesson/", nbk.file, i, len(lines))
			}
			for _, l := range lines {
				if n := utf8.RuneCountInString(strings.ReplaceAll(l, "\t", "    ")); n > 90 {
					t.Errorf("%s cell %d: a line of %d characters, want at most 90: %q", nbk.file, i, n, l)
				}
			}
		}
	}
}

// TestNotebookKernels checks that each notebook names, in its metadata,
// the kernel it is tested with: Jupyter opens the Chinese edition on the
// kernel that sets LESSON_LANG=zh.
func TestNotebookKernels(t *testing.T) {
	for _, nbk := range notebookCases() {
		if got := readNotebook(t, nbk.file).Metadata.Kernelspec.Name; got != nbk.kernel {
			t.Errorf("%s: metadata.kernelspec.name = %q, want %q", nbk.file, got, nbk.kernel)
		}
	}
}

// untranslated returns the first line of a markdown source that is not
// Chinese: five English words in a row outside `code` spans (which may hold
// any words), or no Chinese character in the whole cell; "" when there is
// none.
func untranslated(src string) string {
	englishRun := regexp.MustCompile(`[A-Za-z]{2,}(?:[ ,;:'’()-]+[A-Za-z]{2,}){4}`)
	codeSpan := regexp.MustCompile("`[^`]*`")
	if !strings.ContainsFunc(src, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		return strings.SplitN(src, "\n", 2)[0]
	}
	for _, line := range strings.Split(src, "\n") {
		if englishRun.MatchString(codeSpan.ReplaceAllString(line, "")) {
			return line
		}
	}
	return ""
}

// TestNotebookEditionsMatch checks that each notebook of the Chinese
// edition (zh/) has the English notebook's cells in the same order, its
// code cells identical (id and source), so the editions never drift apart,
// and its markdown translated: every markdown cell has Chinese and no line
// of English prose.
func TestNotebookEditionsMatch(t *testing.T) {
	zhFiles := 0
	for _, nbk := range notebookCases() {
		if nbk.kernel != kernelZh {
			continue
		}
		zhFiles++
		t.Run(nbk.file, func(t *testing.T) {
			en, zh := readNotebook(t, filepath.Base(nbk.file)), readNotebook(t, nbk.file)
			type cell struct{ ID, Type, Code string }
			cells := func(nb notebook) (out []cell) {
				for _, c := range nb.Cells {
					k := cell{ID: c.ID, Type: c.CellType}
					if c.CellType == "code" {
						k.Code = text(c.Source)
					}
					out = append(out, k)
				}
				return out
			}
			if diff := cmp.Diff(cells(en), cells(zh)); diff != "" {
				t.Errorf("%s and %s differ in their cells (ids, types, code) (-en +zh):\n%s", filepath.Base(nbk.file), nbk.file, diff)
			}
			english := 0
			for i, c := range zh.Cells {
				if c.CellType != "markdown" {
					continue
				}
				if l := untranslated(text(c.Source)); l != "" {
					t.Errorf("%s cell %d (%s) is not translated: %q", nbk.file, i, c.ID, l)
				}
				if i < len(en.Cells) && untranslated(text(en.Cells[i].Source)) != "" {
					english++
				}
			}
			t.Logf("%d of the English markdown cells count as untranslated", english)
			if english == 0 {
				t.Errorf("no markdown cell of the English %s counts as untranslated: the check cannot fail", filepath.Base(nbk.file))
			}
		})
	}
	if zhFiles != 2 {
		t.Errorf("%d notebooks of the Chinese edition, want 2 (zh/03_convolution.ipynb, zh/03b_lenet.ipynb)", zhFiles)
	}
}

// TestNotebookCNNIsLessonCNN checks that the network the lesson's notebook
// writes in a cell is lesson.CNN, layer by layer, so that the terminal
// command (which trains lesson.CNN) warms the notebook's checkpoints.
func TestNotebookCNNIsLessonCNN(t *testing.T) {
	var cell string
	for _, c := range readNotebook(t, "03_convolution.ipynb").Cells {
		if src := text(c.Source); strings.Contains(src, "func cnn(") {
			cell = src
		}
	}
	if cell == "" {
		t.Fatal("03_convolution.ipynb has no cell with func cnn")
	}
	notebook := funcBody(t, "package main\n"+cell, "cnn")
	lib, err := os.ReadFile(filepath.Join("..", "lesson", "seq.go"))
	if err != nil {
		t.Fatal(err)
	}
	// Inside package lesson the activations need no "lesson." prefix.
	want := regexp.MustCompile(`\b(ReLU|Softmax)\b`).ReplaceAllString(funcBody(t, string(lib), "CNN"), "lesson.$1")
	if diff := cmp.Diff(want, notebook); diff != "" {
		t.Errorf("the notebook's cnn differs from lesson.CNN (-lesson +notebook):\n%s", diff)
	}
}

// funcBody returns the statements of function name in src, one per line,
// without comments.
func funcBody(t *testing.T, src, name string) string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == name {
			var b strings.Builder
			for _, st := range fn.Body.List {
				if err := format.Node(&b, fset, st); err != nil {
					t.Fatal(err)
				}
				b.WriteString("\n")
			}
			return b.String()
		}
	}
	t.Fatalf("no func %s", name)
	return ""
}

func readNotebook(t *testing.T, file string) notebook {
	t.Helper()
	blob, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var nb notebook
	if err := json.Unmarshal(blob, &nb); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return nb
}

// TestNotebookExecutes runs each notebook as shipped with the project's
// kernel on the real data, with small settings (1 epoch on 2,000 images;
// set LESSON_EPOCHS and LESSON_TRAIN_SIZE to change them), and checks its
// outputs: no error, the numbers and pictures it must show, and every
// exercise check saying "not yet". The notebooks share one checkpoint
// directory, as on a student's machine: the second notebook loads the
// lesson's CNN the first trained.
func TestNotebookExecutes(t *testing.T) {
	if testing.Short() {
		t.Skip("executes the notebooks (minutes); run without -short")
	}
	jup := jupyter(t)
	checkKernel(t, jup, kernel)
	checkKernel(t, jup, kernelZh)
	out := t.TempDir()
	for _, nbk := range notebookCases() {
		t.Run(nbk.file, func(t *testing.T) {
			all := execute(t, jup, out, nbk, nil)
			checkOutputs(t, all, nbk.want)
			mark := notYet(nbk.kernel)
			if got := strings.Count(all, mark); got != nbk.checks || strings.Count(all, "✗ ") != got || strings.Contains(all, "✓ ") {
				t.Errorf("as shipped, %d checks say %q (want %d, every exercise's), %d say \"✗\" and %d say \"✓\" (want 0): the exercises must ship unsolved",
					got, mark, nbk.checks, strings.Count(all, "✗ "), strings.Count(all, "✓ "))
			}
		})
	}
}

// TestNotebookSolutions runs each English notebook that has exercises with
// the solutions of notebooks/solutions/ in place of the exercise cells:
// every check must pass. The Chinese edition's code is the same
// (TestNotebookEditionsMatch), so it is not run twice.
func TestNotebookSolutions(t *testing.T) {
	if testing.Short() {
		t.Skip("executes the notebooks (minutes); run without -short")
	}
	jup := jupyter(t)
	checkKernel(t, jup, kernel)
	out := t.TempDir()
	for _, nbk := range notebookCases() {
		if nbk.checks == 0 || nbk.kernel != kernel {
			continue
		}
		t.Run(nbk.file, func(t *testing.T) {
			all := execute(t, jup, out, nbk, solutions(t, nbk.file))
			if got := strings.Count(all, "✓ "); got != nbk.checks || strings.Contains(all, "✗ ") {
				t.Errorf("with the solutions, %d checks say \"✓\" (want %d) and %d say \"✗\" (want 0)", got, nbk.checks, strings.Count(all, "✗ "))
			}
		})
	}
}

// TestSolutionsFitNotebook checks, without running anything, that each
// solution replaces an exercise cell of its notebook by id, changes it,
// and keeps the cell rules.
func TestSolutionsFitNotebook(t *testing.T) {
	for _, nbk := range notebookCases() {
		if nbk.checks == 0 {
			continue
		}
		sol := solutions(t, nbk.file)
		if len(sol) == 0 {
			t.Errorf("notebooks/solutions/%s.json has no solution", strings.TrimSuffix(nbk.file, ".ipynb"))
		}
		shipped := map[string]string{}
		for _, c := range readNotebook(t, nbk.file).Cells {
			shipped[c.ID] = text(c.Source)
		}
		for id, src := range sol {
			old, ok := shipped[id]
			switch {
			case !ok:
				t.Errorf("%s has no cell %q for its solution", nbk.file, id)
			case old == src:
				t.Errorf("the solution of %s cell %q is the shipped cell", nbk.file, id)
			}
			for _, l := range strings.Split(src, "\n") {
				if n := utf8.RuneCountInString(strings.ReplaceAll(l, "\t", "    ")); n > 90 {
					t.Errorf("solution %q: a line of %d characters, want at most 90", id, n)
				}
			}
		}
	}
}

// TestCommittedOutputs checks that the outputs committed in each notebook
// come from its current code: scripts/notebook_outputs.sh (make outputs)
// stores the SHA-256 of each code cell's source in its metadata when it
// runs the notebook, so a cell edited since has a stale hash.
func TestCommittedOutputs(t *testing.T) {
	for _, nbk := range notebookCases() {
		nb := readNotebook(t, nbk.file)
		outputs := 0
		for _, c := range nb.Cells {
			if c.CellType != "code" {
				continue
			}
			outputs += len(c.Outputs)
			sum := sha256.Sum256([]byte(text(c.Source)))
			switch {
			case c.Count == nil:
				t.Errorf("%s cell %s was not run: commit the outputs of a full run with make outputs", nbk.file, c.ID)
			case c.Metadata.Lesson.SourceSHA256 != hex.EncodeToString(sum[:]):
				t.Errorf("%s cell %s changed since its outputs were made: run make outputs and commit the notebook", nbk.file, c.ID)
			}
		}
		if outputs == 0 {
			t.Errorf("%s carries no outputs: run make outputs and commit the notebook", nbk.file)
		}
		if fi, err := os.Stat(nbk.file); err == nil && fi.Size() > 2<<20 {
			t.Errorf("%s is %d KiB: keep the committed pictures small (at most 2 MiB in all)", nbk.file, fi.Size()>>10)
		}
	}
}

// solutions reads notebooks/solutions/<notebook>.json: cell id → source. The
// Chinese edition (zh/<notebook>) has the same cells, so the same solutions.
func solutions(t *testing.T, file string) map[string]string {
	t.Helper()
	blob, err := os.ReadFile(filepath.Join("solutions", strings.TrimSuffix(filepath.Base(file), ".ipynb")+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(blob, &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for id, src := range raw {
		out[id] = text(src)
	}
	return out
}

// execute runs notebook nbk (in this directory) with nbconvert and its
// kernel, after replacing the sources of the cells whose ids replace names,
// and returns the text of its outputs (stdout and HTML). The language is
// the kernel's: LESSON_LANG is not passed on from the test's environment.
func execute(t *testing.T, jup, out string, nbk notebookCase, replace map[string]string) string {
	t.Helper()
	file := nbk.file
	flat := strings.ReplaceAll(file, "/", "-") // zh/03_convolution.ipynb → zh-03_convolution.ipynb
	src := file
	if replace != nil {
		blob, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var nb map[string]any
		if err := json.Unmarshal(blob, &nb); err != nil {
			t.Fatal(err)
		}
		for _, c := range nb["cells"].([]any) {
			cell := c.(map[string]any)
			if s, ok := replace[cell["id"].(string)]; ok {
				cell["source"] = s
			}
		}
		if blob, err = json.Marshal(nb); err != nil {
			t.Fatal(err)
		}
		src = filepath.Join(out, "solved-"+flat)
		if err := os.WriteFile(src, blob, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	executed := strings.TrimSuffix(flat, ".ipynb") + ".executed.ipynb"
	if replace != nil {
		executed = "solved-" + executed
	}
	cmd := exec.Command(jup, "nbconvert", "--to", "notebook", "--execute",
		"--ExecutePreprocessor.kernel_name="+nbk.kernel, "--ExecutePreprocessor.timeout=900",
		"--output-dir", out, "--output", executed, src)
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "LESSON_LANG=") })
	cmd.Env = append(cmd.Env, "LESSON_CHECKPOINT_DIR="+filepath.Join(out, "checkpoints"))
	for name, def := range map[string]string{"LESSON_EPOCHS": "1", "LESSON_TRAIN_SIZE": "2000", "GOMLX_BACKEND": "go"} {
		if os.Getenv(name) == "" {
			cmd.Env = append(cmd.Env, name+"="+def)
		}
	}
	start := time.Now()
	log, err := cmd.CombinedOutput()
	t.Logf("nbconvert --execute %s took %s", src, time.Since(start).Round(time.Second))
	if err != nil {
		t.Fatalf("executing %s failed: %v\n%s", src, err, tail(string(log), 4000))
	}
	return outputs(t, filepath.Join(out, executed))
}

// outputs reads the executed notebook at path, fails on any error or
// stderr output, and returns the text of its outputs (stdout and HTML). It
// also fails when no picture (PNG or inline SVG) was shown.
func outputs(t *testing.T, path string) string {
	t.Helper()
	nb := readNotebook(t, path)
	var stdout strings.Builder
	var html, pngs int
	for i, c := range nb.Cells {
		for _, o := range c.Outputs {
			switch {
			case o.OutputType == "error":
				t.Errorf("cell %d: error output %s: %s", i, o.EName, o.EValue)
			case o.OutputType == "stream" && o.Name == "stderr":
				t.Errorf("cell %d wrote to stderr: %s", i, tail(text(o.Text), 2000))
			case o.OutputType == "stream":
				stdout.WriteString(text(o.Text))
			}
			if _, ok := o.Data["image/png"]; ok {
				pngs++
			}
			if h, ok := o.Data["text/html"]; ok {
				html++
				s := text(h)
				if strings.Contains(s, "<svg") {
					pngs++ // an inline SVG chart counts as a picture too
				}
				stdout.WriteString(s)
			}
		}
	}
	if pngs == 0 {
		t.Errorf("no image/png or SVG output in the executed notebook; want the filter grids and the chart")
	}
	all := stdout.String()
	// make test sets LESSON_WANT_COMPUTE=patched: the kernel's go.work must
	// use the patched compute, which the backend line names.
	if want := os.Getenv("LESSON_WANT_COMPUTE"); want != "" && !strings.Contains(all, "compute: "+want) {
		t.Errorf("the notebook's backend line does not say \"compute: %s\" (LESSON_WANT_COMPUTE): the kernel's --go_work must name .build/compute; run kernels/install.sh --user", want)
	}
	m := regexp.MustCompile(`test accuracy: (0\.\d{4})`).FindAllStringSubmatch(all, -1)
	if len(m) > 0 {
		t.Logf("%d pictures, %d HTML outputs; %s", pngs, html, m[len(m)-1][0])
	}
	return all
}

// checkOutputs checks that the outputs match want; where a pattern has
// two groups, what they match must be the same text.
func checkOutputs(t *testing.T, all string, want []struct{ what, re, reason string }) {
	t.Helper()
	for _, c := range want {
		m := regexp.MustCompile(c.re).FindStringSubmatch(all)
		switch {
		case m == nil:
			t.Errorf("no %s (%s) in the executed notebook's output: want a match for %q", c.what, c.reason, c.re)
		case len(m) == 3 && m[1] != m[2]:
			t.Errorf("%s (%s): %q and %q differ", c.what, c.reason, m[1], m[2])
		}
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// TestKernelProtocol runs kernels/test_kernel.py (Debian's
// python3-jupyter-kernel-test) against the installed kernel spec: it checks
// execution, stdout, stderr and error reporting.
func TestKernelProtocol(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the kernel; run without -short")
	}
	jup := jupyter(t)
	checkKernel(t, jup, kernel)
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		python = "python3"
	}
	if err := exec.Command(python, "-c", "import jupyter_kernel_test").Run(); err != nil {
		t.Fatalf("%s cannot import jupyter_kernel_test (%v); %s", python, err, setupHint)
	}
	cmd := exec.Command(python, filepath.Join("..", "kernels", "test_kernel.py"), "-v")
	cmd.Env = append(os.Environ(), "LESSON_KERNEL="+kernel)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kernels/test_kernel.py failed: %v\n%s", err, tail(string(out), 6000))
	}
	t.Log(lastLines(string(out), 3))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
