# The lesson's two commands (see README.md):
#
#   make lesson   set up this machine and open the notebook in Jupyter
#   make test     run every test: Go packages, the notebook and its kernel, the notebooks in a
#                 browser, the docker image
#
# Everything builds with GOEXPERIMENT=simd: the go backend's AVX2 matmul needs it.

SHELL := /bin/bash
export GOEXPERIMENT := simd

.PHONY: lesson setup setup-test compute outputs test test-go test-browser test-docker bench peers bench-seed

# lesson starts Jupyter through scripts/lesson.sh: on 127.0.0.1 unless LESSON_IP
# says otherwise (LESSON_IP=0.0.0.0 make lesson), with --allow-root as root,
# and --no-browser (open the printed URL) without a display.
lesson: setup
	scripts/lesson.sh

setup:
	scripts/setup.sh

# compute builds the patched go backend alone (setup does it too); see
# third_party/compute/PATCHES.md.
compute:
	scripts/compute.sh

# outputs runs the notebooks at full settings and commits their outputs (see
# scripts/notebook_outputs.sh); run it after changing a notebook's code.
outputs: setup
	scripts/notebook_outputs.sh

# setup-test installs what the tests need on top of the lesson.
setup-test:
	scripts/setup.sh --test

test: setup-test test-go test-browser test-docker

# The Go packages, with XLA compiled in (the default build) and without it
# (the notebook's pure-Go kernel build), on the patched go backend: setup runs
# scripts/compute.sh, which applies third_party/compute/*.patch to the pinned
# github.com/gomlx/compute in .build/compute (failing on any patch that does
# not apply cleanly) and writes the go.work that uses it. notebooks/ executes
# the notebook with the installed kernel and runs jupyter_kernel_test against
# it. Then the patched module's own tests (the fast paths against upstream's
# code, TestPool_NestedSaturate), and the lesson on upstream compute
# (GOWORK=off), where training must still finish. kernels/test_install.sh
# checks the kernel.json files install.sh writes for an awkward GOBIN;
# scripts/test_lesson.sh the Jupyter command make lesson runs (dry run).
# gofmt looks at our packages only, not at the upstream code in .build/.
test-go:
	scripts/compute.sh
	kernels/test_install.sh
	scripts/test_lesson.sh
	gofmt -l $$(go list -f '{{.Dir}}' ./...) | (! grep .) || (echo "gofmt: the files above need formatting" >&2; exit 1)
	go vet ./...
	LESSON_WANT_COMPUTE=patched go test -count=1 -timeout 30m ./...
	LESSON_WANT_COMPUTE=patched go test -count=1 -tags noxla -run 'TestNewBackend|TestComputeStatus|Example' ./lesson
	cd .build/compute && GOWORK=off go test -count=1 ./internal/gobackend/... ./gobackend/...
	LESSON_WANT_COMPUTE=upstream GOWORK=off go test -count=1 -timeout 10m -tags noxla -run 'TestNewBackend|TestComputeStatus|TestGoBackendOptions|TestTrainTwoWorkers' ./lesson

# The notebooks in a real browser (notebooks/browser/notebook.test.mjs): Jupyter Notebook with the
# installed kernel on 127.0.0.1, Debian's chromium driven by playwright-core (pinned in
# notebooks/browser/package-lock.json), Run All, save, reload; the cells' screenshots are left in
# notebooks/browser/screenshots/. About 2 minutes.
test-browser:
	@command -v npm >/dev/null || { echo "test-browser: npm is not installed: sudo apt-get install -y nodejs npm (make setup-test does)" >&2; exit 1; }
	cd notebooks/browser && npm ci --no-audit --no-fund && npm test

test-docker:
	docker/test.sh

# peers installs the bench's peers from PyPI, pinned and hash-checked (bench/requirements-peers.txt):
# Keras on TensorFlow's CPU build, PyTorch and JAX, into the virtual environment .build/peers
# (scripts/peers.sh; about 7 GiB). Not part of test.
peers:
	scripts/peers.sh

# bench measures the lesson's CNN and the dense network on the go backend beside the peers, alternating
# (bench/README.md); BENCH_FLAGS adds flags, e.g. BENCH_FLAGS='-backends go,xla:cpu -seconds 8'.
bench:
	go run ./bench $(BENCH_FLAGS)

# bench-seed runs the seed's Keras program as written and lesson03 train on the go backend and XLA CPU,
# and prints the README's table of accuracy, wall time and peak memory (bench/seed.sh; about 15 minutes).
bench-seed: peers
	bench/seed.sh $(SEED_BACKENDS)
