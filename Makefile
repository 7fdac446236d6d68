# GovFwd: set-up, build, demo and tests on Debian 12.
#
#   make demo    install what is missing, build, run the engine over the bundled capture
#   make test    install what is missing, build, run the whole test suite
#
# Both are safe to repeat; `deps` only installs packages that are absent.

SWIFT       ?= $(shell command -v swift || echo /opt/swift/usr/bin/swift)
BUILD_DIR   ?= .build
RELEASE_BIN := $(BUILD_DIR)/release/govfwd
OUT         ?= out
APT_PACKAGES := dpdk dpdk-dev libdpdk-dev libnuma-dev libpcap-dev libipsec-mb-dev python3-scapy tshark iproute2 make

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := FuzzPacketPath FuzzConfig FuzzPcap
# SwiftPM passes -sanitize=fuzzer and -sanitize=address to swiftc as two flags, of which the
# driver keeps the last: the combined flag after them gives Swift code its coverage too.
FUZZ_BUILD   := GOVFWD_FUZZ=1 $(SWIFT) build --scratch-path .build-fuzz --sanitize=fuzzer --sanitize=address \
                -Xswiftc -sanitize=fuzzer,address

.PHONY: all deps hugepages build demo test test-unit test-asan fuzz benchmark-check bench clean

all: build

## Install the Debian packages GovFwd needs (as root, or through sudo).
deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@$(MAKE) --no-print-directory hugepages
	@chmod 600 configs/keys/* 2>/dev/null || true

## Reserve 512 x 2 MiB hugepages and mount hugetlbfs; GovFwd falls back to --no-huge without them.
hugepages:
	@if [ "$$(id -u)" = 0 ]; then \
		[ "$$(cat /proc/sys/vm/nr_hugepages)" -ge 512 ] 2>/dev/null || echo 512 > /proc/sys/vm/nr_hugepages 2>/dev/null || true; \
		mkdir -p /dev/hugepages; \
		mount | grep -q 'hugetlbfs.*/dev/hugepages' || mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || true; \
	fi; \
	echo "hugepages: $$(awk '/HugePages_Free/ {print $$2}' /proc/meminfo) free of 2 MiB"

build: deps
	$(SWIFT) build -c release --product govfwd

## The main job: the engine over the bundled capture, pcap PMD in and out, no hardware.
demo: build
	@mkdir -p $(OUT)
	tools/demo $(RELEASE_BIN) $(OUT)

## The whole test suite: unit tests, shim tests over a real mempool, and the engine over pcap
## and null PMDs; the heap-allocation checks; the same tests under AddressSanitizer; and every
## fuzz target for FUZZ_SECONDS.
test: deps
	@$(MAKE) --no-print-directory test-unit
	@$(MAKE) --no-print-directory benchmark-check
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory fuzz

test-unit: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

## The XCTest suites under AddressSanitizer, the engine binary they start included (its own
## build folder). Any report aborts the process and fails the run. Leak checking is off here:
## at exit it reports what XCTest's runner and govfwd (which exits from inside its run) still
## hold; the fuzz targets check leaks per input, and tools/soak watches resident memory.
test-asan: deps
	$(SWIFT) build --build-tests --scratch-path .build-asan --sanitize=address
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 SWIFT_BACKTRACE=enable=no \
		$(SWIFT) test --skip-build --scratch-path .build-asan --disable-swift-testing

## libFuzzer with AddressSanitizer: each target of Fuzz/ for FUZZ_SECONDS, from its seed corpus
## (Fuzz/corpus, tools/make-fuzz-seeds.py) into out/fuzz/<target>; a finding is written to
## out/fuzz/artifacts and fails the run. e.g. make fuzz FUZZ_SECONDS=600
fuzz: deps
	@dpkg -s libpcap-dev >/dev/null 2>&1 || { echo "fuzz needs libpcap-dev (make deps)"; exit 1; }
	for t in $(FUZZ_TARGETS); do $(FUZZ_BUILD) --product $$t || exit 1; done
	@mkdir -p $(OUT)/fuzz/artifacts
	@status=0; passed=0; failed=0; for t in $(FUZZ_TARGETS); do \
		seeds=Fuzz/corpus/$$(echo $$t | sed 's/^Fuzz//; s/PacketPath/packet/' | tr A-Z a-z); \
		mkdir -p $(OUT)/fuzz/$$t && cp -n $$seeds/* $(OUT)/fuzz/$$t/; \
		SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1 .build-fuzz/debug/$$t -max_total_time=$(FUZZ_SECONDS) \
			-rss_limit_mb=4096 -timeout=30 -print_final_stats=1 -artifact_prefix=$(OUT)/fuzz/artifacts/$$t- \
			$(OUT)/fuzz/$$t >$(OUT)/fuzz/$$t.log 2>&1 && passed=$$((passed + 1)) || { status=1; failed=$$((failed + 1)); \
			echo "$$t: FINDING (see $(OUT)/fuzz/$$t.log)"; tail -40 $(OUT)/fuzz/$$t.log; }; \
		echo "$$t: $$(grep -E '^stat::number_of_executed_units' $(OUT)/fuzz/$$t.log | awk '{print $$2}') executions," \
			"$$(grep -P '\tDONE ' $(OUT)/fuzz/$$t.log | tail -1 | awk '{print $$4, "edges covered, corpus", $$8}')"; \
	done; echo "fuzz: $$passed passed, $$failed failed"; exit $$status

## The per-packet path allocates nothing: the package-benchmark suite's malloc counts against
## Benchmarks/Thresholds (0 for every benchmark, 1000 per sample for the control that
## allocates), then GovBench, which fails if any measured loop allocated at all.
benchmark-check: deps
	$(SWIFT) package benchmark thresholds check --target GovFwdBenchmarks --path Benchmarks/Thresholds --no-progress
	$(SWIFT) build -c release --product GovBench
	@mkdir -p $(OUT)
	$(BUILD_DIR)/release/GovBench 200 >$(OUT)/govbench-check.txt 2>&1 || { cat $(OUT)/govbench-check.txt; exit 1; }
	@grep -E "malloc counter check" $(OUT)/govbench-check.txt; echo "GovBench: no measured loop allocated ($(OUT)/govbench-check.txt)"

clean:
	rm -rf $(BUILD_DIR) .build-asan .build-fuzz $(OUT)

## The benchmark of DESIGN section 5 on one forwarding core: dpdk-testpmd io, govfwd io and govern,
## Open vSwitch with DPDK; writes docs/benchmarks.md. More options: tools/bench --help, e.g.
## make bench BENCH_ARGS="--seconds 5 --repeat 3"
bench: build
	@dpkg -s openvswitch-switch-dpdk >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq openvswitch-switch-dpdk >/dev/null; }
	$(SWIFT) build -c release --product GovBench
	tools/bench --govfwd $(RELEASE_BIN) $(BENCH_ARGS)
