# The lesson's two commands (see README.md):
#
#   make lesson   set up this machine and open the notebook in Jupyter
#   make test     run every test: Go packages, the notebook and its kernel, the docker image
#
# Everything builds with GOEXPERIMENT=simd: the go backend's AVX2 matmul needs it.

SHELL := /bin/bash
export GOEXPERIMENT := simd
JUPYTER := $(firstword $(wildcard /usr/bin/jupyter) jupyter)

.PHONY: lesson setup setup-test test test-go test-docker bench

lesson: setup
	$(JUPYTER) notebook notebooks/03_convolution.ipynb

setup:
	scripts/setup.sh

# setup-test installs what the tests need on top of the lesson.
setup-test:
	scripts/setup.sh --test

test: setup-test test-go test-docker

# The Go packages, with XLA compiled in (the default build) and without it
# (the notebook's pure-Go kernel build). notebooks/ executes the notebook with
# the installed kernel and runs jupyter_kernel_test against it.
# third_party/compute is our patched copy of GoMLX's go backend (see its
# PATCHES.md): a module of its own, so ./... leaves it out; its go backend
# tests run here.
test-go:
	gofmt -l . | (! grep .) || (echo "gofmt: the files above need formatting" >&2; exit 1)
	go vet ./...
	go test -count=1 -timeout 30m ./...
	go test -count=1 -tags noxla -run 'TestNewBackend|Example' ./lesson
	cd third_party/compute && go test -count=1 ./internal/gobackend/... ./gobackend/...

test-docker:
	docker/test.sh

bench:
	go run ./bench
