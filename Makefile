# amqlab — two commands do everything on a fresh machine:
#   make up     set up prerequisites and run a 2-broker lab in ./amq-lab
#   make test   set up prerequisites and run every test (unit and live)

SHELL     := /bin/bash
GO        ?= go
BIN       := bin/amqlab
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
TESTFLAGS ?= -count=1 -timeout 40m
BENCHTIME ?= 1x

.PHONY: all build deps up test unit bench fuzz vet clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/amqlab

deps:
	bash scripts/install-deps.sh

up: deps build
	./$(BIN) up $(ARGS)

vet:
	$(GO) vet ./...

test: deps vet
	$(GO) test $(TESTFLAGS) ./...

unit:
	AMQLAB_SKIP_LIVE=1 $(GO) test -short ./...

# Every benchmark, once each (they repeat internally where a spread matters),
# one package at a time so two packages' brokers do not disturb each other;
# the results table in docs/benchmarks.md is rewritten from this run.
bench: deps build
	set -o pipefail; $(GO) test -p 1 -run '^$$' -bench . -benchtime $(BENCHTIME) -timeout 90m ./... 2>&1 \
	  | $(GO) run ./tools/benchdoc -o docs/benchmarks.md

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzPatchActiveMQ -fuzztime 60s ./xmlpatch

clean:
	rm -rf bin
