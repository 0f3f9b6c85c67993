# redis-memtop — the two commands a fresh machine needs are `make demo` and `make test`.
SHELL := /bin/bash
BINARY := redis-memtop
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
GOBIN := $(shell go env GOPATH 2>/dev/null)/bin
GOLANGCI_VERSION := v2.15.0

.PHONY: all build test demo bench lint fmt clean check-go ensure-redis ensure-prometheus soak release-check

all: build

check-go:
	@command -v go >/dev/null 2>&1 || { echo "Go 1.26 or newer is needed: https://go.dev/dl/ (or your package manager)"; exit 1; }

# redis-server (and redis-cli) from the system's packages when missing: the
# integration tests and the demo run a real server.
ensure-redis:
	@if ! command -v redis-server >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "redis-server is missing: installing it from the system's packages (apt-get install redis-server)…"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq redis-server redis-tools >/dev/null || { echo "apt-get could not install redis-server"; exit 1; }; \
	  else \
	    echo "redis-server is needed and is not installed."; \
	    echo "  Debian/Ubuntu: sudo apt-get install redis-server"; \
	    echo "  Fedora:        sudo dnf install redis"; \
	    echo "  macOS:         brew install redis"; \
	    echo "or put a redis-server binary on PATH (or set REDIS_SERVER=/path/to/redis-server)."; \
	    exit 1; \
	  fi; \
	fi
	@redis-server --version | head -n1

# prometheus, promtool and redis_exporter from the system's packages when
# missing: the tests of the agent, the alert rules and --prometheus run a real
# Prometheus scraping a real redis_exporter (internal/promtest).
ensure-prometheus:
	@if ! command -v "$${PROMETHEUS:-prometheus}" >/dev/null 2>&1 || ! command -v "$${PROMTOOL:-promtool}" >/dev/null 2>&1 || \
	    ! { command -v "$${REDIS_EXPORTER:-prometheus-redis-exporter}" || command -v redis_exporter; } >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "prometheus or redis_exporter is missing: installing them from the system's packages (apt-get install prometheus prometheus-redis-exporter)…"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus prometheus-redis-exporter >/dev/null || { echo "apt-get could not install prometheus and prometheus-redis-exporter"; exit 1; }; \
	  else \
	    echo "prometheus, promtool and redis_exporter are needed and are not all installed."; \
	    echo "  Debian/Ubuntu: sudo apt-get install prometheus prometheus-redis-exporter"; \
	    echo "  macOS:         brew install prometheus redis_exporter"; \
	    echo "or download them (https://prometheus.io/download/, https://github.com/oliver006/redis_exporter/releases)"; \
	    echo "and name them with PROMETHEUS=/path/to/prometheus PROMTOOL=/path/to/promtool REDIS_EXPORTER=/path/to/redis_exporter."; \
	    exit 1; \
	  fi; \
	fi
	@"$${PROMETHEUS:-prometheus}" --version 2>&1 | head -n1

build: check-go
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o $(BINARY) .

# REDIS_SERVERS=DIR adds the real-server matrix: after the -race pass on the
# system's server, the integration tests once per DIR/NAME/redis-server
# (scripts/test-matrix).
test: check-go ensure-redis ensure-prometheus
ifeq ($(REDIS_SERVERS),)
	go test -race -count=1 -timeout 15m ./...
else
	scripts/test-matrix "$(REDIS_SERVERS)"
endif

demo: check-go ensure-redis build
	./$(BINARY) demo

# Every issue 8 target side by side with redis-cli, one table at the end
# (bench/README.md); BENCHFLAGS skips rows, e.g. BENCHFLAGS="-skip-delay -skip-rss".
bench: check-go ensure-redis build
	go test -run '^$$' -bench . -benchtime 200x ./ui/ ./model/
	go run ./bench $(BENCHFLAGS)

lint: check-go
	@command -v gofumpt >/dev/null 2>&1 || go install mvdan.cc/gofumpt@latest
	@command -v golangci-lint >/dev/null 2>&1 || go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
	@out=$$(PATH="$$PATH:$(GOBIN)" gofumpt -l .); if [ -n "$$out" ]; then echo "gofumpt would change:"; echo "$$out"; exit 1; fi
	@go mod tidy -diff >/dev/null || { echo "go mod tidy would change go.mod/go.sum (run it and commit the result):"; go mod tidy -diff; exit 1; }
	@if go list -deps . | grep -qx testing; then echo "the binary links the testing package: only tests and internal/ test kits may import it"; exit 1; fi
	go vet ./...
	PATH="$$PATH:$(GOBIN)" golangci-lint run ./...

fmt:
	PATH="$$PATH:$(GOBIN)" gofumpt -w .

clean:
	rm -rf $(BINARY) dist

# The long run (not part of `make test`): the poller, the scan and the UI model
# against a server under redis-benchmark load with a BGSAVE every minute.
# SOAK_DURATION=2m make soak for a quick one; see soak/main.go for the knobs.
soak: check-go ensure-redis
	go run ./soak

# The release as an operator meets it, checked on every change: the pinned
# goreleaser's check and snapshot, the .deb unpacked into a temporary root
# and run (version, --help, man page, completions), the licence in every
# package and archive. One line per check; see scripts/release-check.
release-check: check-go
	scripts/release-check
