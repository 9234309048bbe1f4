# l2sim — build, dependencies, run, test, bench, sanitize.
#
#   make          build ./l2sim
#   make run      install missing packages, build, run scenarios/default.json
#   make test     install missing packages, build, run every test (also
#                 under AddressSanitizer and UBSan)
#   make bench    the benchmarks (never part of make test)
#   make sanitize the tests under AddressSanitizer and UBSan
#   make test-slurm  a sharded sweep on a single-node Slurm cluster started
#                 here (installs slurm-wlm and munge; part of make test)
#   make fuzz     libFuzzer on the scenario loader (FUZZ_SECONDS=60)
#
# Sources are found by wildcard: every sim/*.c, models/*/*.c and analysis/*.c
# goes into build/libl2sim.a; sim/main.c is the program; every
# tests/test_*.c is a cmocka binary linked against the library.

CC ?= gcc
ifeq ($(origin CC),default)
CC = gcc
endif

PKGS := gsl jansson sqlite3 cmocka zlib libbrotlienc libbrotlidec libzstd
DEB_PKGS := libgsl-dev libjansson-dev libsqlite3-dev libcmocka-dev gnuplot-nox \
	zlib1g-dev libbrotli-dev libzstd-dev pkg-config sqlite3

BUILD ?= build
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs gsl jansson sqlite3 zlib libbrotlienc libbrotlidec libzstd 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wno-format-truncation
OPT ?= -O2 -g
SAN ?=
CFLAGS_ALL = -std=gnu11 $(OPT) $(WARN) $(SAN) -fopenmp -MMD -MP -Iinclude -DHAVE_INLINE \
	-DL2SIM_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(SAN) -fopenmp $(PKG_LIBS) -lm $(LDLIBS)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

LIB_SRC := $(filter-out sim/main.c,$(wildcard sim/*.c models/*/*.c analysis/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT := $(wildcard tests/support/*.c)
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)

.PHONY: all deps deps-quiet run test unit bench sanitize fuzz clean test-slurm

# The test support objects are intermediate only by accident: keep them.
.SECONDARY: $(TEST_SUPPORT_OBJ)

all: deps-quiet l2sim

# Install the Debian packages only when pkg-config (or gnuplot) is missing
# any of them; a machine that has them all is left alone.
deps:
	@if pkg-config --exists $(PKGS) 2>/dev/null && command -v gnuplot >/dev/null 2>&1 \
	    && command -v sqlite3 >/dev/null 2>&1; then \
		echo "deps: all packages present"; \
	else \
		echo "deps: installing $(DEB_PKGS)"; \
		if [ "$$(id -u)" != 0 ]; then echo "deps: run as root, or install: $(DEB_PKGS)" >&2; exit 3; fi; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(DEB_PKGS); \
	fi

deps-quiet:
	@pkg-config --exists $(PKGS) 2>/dev/null || $(MAKE) --no-print-directory deps

l2sim: $(BUILD)/l2sim
	cp $(BUILD)/l2sim l2sim

$(BUILD)/l2sim: $(BUILD)/sim/main.o $(BUILD)/libl2sim.a
	$(CC) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/libl2sim.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/tests/%: tests/%.c $(BUILD)/libl2sim.a $(TEST_SUPPORT_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(TEST_SUPPORT_OBJ) $(BUILD)/libl2sim.a \
		$(shell pkg-config --libs cmocka) $(LDLIBS_ALL)

# Counts (and fails) the allocations of l2sim's own code: see the test.
$(BUILD)/tests/test_alloc_fail: LDLIBS += -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup

run: deps l2sim
	./l2sim run scenarios/default.json

unit: deps-quiet $(BUILD)/l2sim $(TEST_BIN)
	@if [ "$(BUILD)" = build ]; then cp $(BUILD)/l2sim l2sim; fi

# Every test: cmocka unit binaries, scenario tests, baseline checks; then
# the unit and scenario tests again under AddressSanitizer and UBSan.
test: deps
	$(MAKE) --no-print-directory unit
	L2SIM=./l2sim BUILD=$(BUILD) bash tests/run.sh
	$(MAKE) --no-print-directory test-slurm
	$(MAKE) --no-print-directory sanitize

# Starts munged, slurmctld and slurmd under a scratch directory, runs a
# sharded sweep through `l2sim slurm` and sbatch, stops what it started.
test-slurm: deps-quiet l2sim
	L2SIM=./l2sim bash tests/slurm.sh

sanitize: deps
	$(MAKE) --no-print-directory BUILD=build/san OPT="-O1 -g" \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" unit
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		L2SIM=build/san/l2sim BUILD=build/san SANITIZE=1 bash tests/run.sh

bench: deps l2sim
	bash tests/bench.sh

# libFuzzer on the scenario loader, short runs and CSV traces (clang;
# FUZZ_SECONDS, default 60).  The
# corpus starts from the shipped scenarios.  Not part of make test, which
# replays deterministic mutations instead (tests/test_fuzz_replay.c).
FUZZ_SECONDS ?= 60
FUZZ_SRC := $(filter-out sim/main.c sim/runner.c sim/slurm.c,$(LIB_SRC))
fuzz: deps
	@command -v clang >/dev/null 2>&1 || { apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y clang; }
	@mkdir -p build/fuzz/corpus
	clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
		$(PKG_CFLAGS) -o build/fuzz/fuzz_scenario tests/fuzz_scenario.c \
		$(FUZZ_SRC) $(PKG_LIBS) -lm
	build/fuzz/fuzz_scenario -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		build/fuzz/corpus scenarios tests/data

clean:
	rm -rf build l2sim

-include $(LIB_OBJ:.o=.d) $(BUILD)/sim/main.d $(TEST_BIN:=.d)
