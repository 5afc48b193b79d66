# Vantage: the two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
GO ?= go
STATICCHECK_VERSION ?= v0.8.2
TOOLS := $(CURDIR)/.tools
BIN := $(CURDIR)/bin
# PG_TEST_PKGS are the packages whose store tests also run on PostgreSQL
# (make test-postgres): the PostgreSQL store and every package with SQL of
# its own (agentconfig only reads through inventory's).
PG_TEST_PKGS ?= ./controller/store/postgres/... ./internal/testpg/... ./controller/inventory/... ./controller/linehealth/... ./controller/notify/ \
	./controller/shipper/... ./controller/registry/... ./controller/apiauth/... ./controller/agentauth/... ./controller/enroll/... \
	./controller/complaints/... ./controller/cellsamples/... ./controller/coverage/... ./controller/compare/... ./controller/places/... \
	./controller/report/... ./controller/webui/... ./controller/evidence/... ./controller/api/...
export PATH := $(PATH):/usr/local/go/bin:$(TOOLS)/bin

.PHONY: all build dist size-check test test-postgres test-short demo bench benchdoc benchstat lint fuzz influxdb deps clean

all: build

## build: compile vantage-agent and vantage-controller into bin/
build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ ./cmd/...

## dist: cross-build every target (agent: amd64 arm64 armv7 armv6 mipsle mips;
##       controller: amd64 arm64), check packaging/size-budget.txt, make the
##       .deb/.rpm/.ipk packages and SHA256SUMS in dist/ (VERSION=v1.2.3 to stamp)
VERSION ?=
dist:
	$(GO) run ./packaging/cmd/vantage-dist -version "$(VERSION)" all

## size-check: cross-build every target and hold it to packaging/size-budget.txt
size-check:
	$(GO) run ./packaging/cmd/vantage-dist -version "$(VERSION)" size-check

## influxdb: build InfluxDB 1.8.10 into .tools/ once (tests and the demo use it)
influxdb:
	@scripts/influxdb.sh install

## deps: Debian packages the lab tests use, chromium for the web UI tests, poppler-utils and a CJK font for the report tests, postgresql for the PostgreSQL store tests (root; .ci/run calls it)
deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		fping snmpd snmp nftables iptables iproute2 iputils-ping procps \
		qemu-user-static rpm dpkg systemd umoci ca-certificates \
		poppler-utils fonts-wqy-microhei chromium postgresql dnsmasq-base

## test: unit, integration and lab tests against real NATS, InfluxDB, snmpd and namespaces
test: influxdb
	$(GO) test -count=1 -timeout 25m -parallel 6 ./...
	$(MAKE) test-postgres

## test-postgres: the store tests of the packages ported to PostgreSQL, each package on its own throwaway cluster (internal/testpg)
test-postgres:
	VANTAGE_TEST_DB=postgres $(GO) test -count=1 -timeout 10m $(PG_TEST_PKGS)

## test-short: unit tests only (no servers, no root)
test-short:
	$(GO) test -short -count=1 ./...

## demo: controller with embedded NATS, local InfluxDB, demo agents, an snmpd when installed; Ctrl-C stops all
demo: build influxdb
	$(BIN)/vantage-demo

## bench: benchmarks against references measured in the same run (needs root); short by
##        default, BENCH_LONG=1 for the 10-minute runs. Each run's output is kept in
##        .bench/NAME.txt; then benchdoc writes the figures of the runs in BENCH_DOC into
##        docs/BENCHMARKS.md (README "Benchmarks": how a bench writes its block)
BENCH_LONG ?=
export BENCH_LONG
LONG := $(filter 1,$(BENCH_LONG))
BENCH_OUT := .bench
# BENCH_DOC: the benches that print BENCH-SUMMARY lines (internal/benchdoc);
# add yours here when it does and its blocks are in docs/BENCHMARKS.md.
BENCH_DOC := detect report notify agentload ingest sim api pgjournal
bench: build influxdb
	@mkdir -p $(BENCH_OUT)
	set -o pipefail; $(GO) run ./bench/pingfanout -targets 1000,5000 -duration 30s -engines shared,pro-bing | tee $(BENCH_OUT)/pingfanout.txt
	set -o pipefail; { $(GO) run ./bench/pingfanout -nice -10 -targets 5000 -snmp-interfaces 500 -duration $(if $(LONG),60s,30s) -block agent-full-load && \
		$(GO) run ./bench/pingfanout -nice -10 -targets 20000 -duration $(if $(LONG),60s,30s) -block agent-20k && \
		$(GO) run ./bench/pingfanout -targets 20000 -burn 6 -duration $(if $(LONG),60s,30s) -block agent-20k-starved; } | tee $(BENCH_OUT)/agentload.txt
	set -o pipefail; $(GO) run ./bench/ingest | tee $(BENCH_OUT)/ingest.txt
	set -o pipefail; $(GO) run ./bench/snmp -duration $(if $(LONG),60s,20s) | tee $(BENCH_OUT)/snmp.txt
	set -o pipefail; $(GO) run ./bench/detect $(if $(LONG),,-short) | tee $(BENCH_OUT)/detect.txt
	set -o pipefail; $(GO) run ./bench/complaints | tee $(BENCH_OUT)/complaints.txt
	set -o pipefail; $(GO) run ./bench/notify | tee $(BENCH_OUT)/notify.txt
	set -o pipefail; $(GO) run ./bench/report | tee $(BENCH_OUT)/report.txt
	set -o pipefail; $(GO) run ./bench/sim $(if $(LONG),-influx-nice 10) | tee $(BENCH_OUT)/sim.txt
	set -o pipefail; $(GO) run ./bench/api $(if $(LONG),,-calls 50) | tee $(BENCH_OUT)/api.txt
	set -o pipefail; $(GO) run ./bench/pgjournal $(if $(LONG),-duration 300s) | tee $(BENCH_OUT)/pgjournal.txt
	set -o pipefail; VANTAGE_CLUSTER_LONG=$(LONG) $(GO) test -count=1 -v -timeout 30m -run TestFailoverShortForm ./controller/partition/ | tee $(BENCH_OUT)/cluster.txt
	$(MAKE) benchdoc

## benchdoc: write the figures of the saved runs (.bench/NAME.txt for NAME in BENCH_DOC) into docs/BENCHMARKS.md
benchdoc:
	$(GO) run ./bench/benchdoc -doc docs/BENCHMARKS.md $(BENCH_DOC:%=$(BENCH_OUT)/%.txt)

## benchstat: Go benchmarks (detector per result, results decoder) on BASE (default HEAD) and on the
##            work tree, compared by benchstat (scripts/benchstat.sh; BENCH_COUNT, BENCH_RUN)
BASE ?= HEAD
benchstat:
	scripts/benchstat.sh $(BASE)

## lint: gofmt, go vet, staticcheck
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	@command -v staticcheck >/dev/null || GOBIN=$(TOOLS)/bin $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	staticcheck ./...

## fuzz: a short run of every fuzz target
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list 'Fuzz.*' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run XXX -fuzz "^$$f$$" -fuzztime 15s $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf $(BIN) .demo dist
