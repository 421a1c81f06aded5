# SPDX-License-Identifier: MIT
# grace: build, test, demo.  Plain make; see README.md.

VERSION   := 0.1.0
CC        ?= cc
PREFIX    ?= /usr/local
BUILD     ?= build

WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Werror
CFLAGS    ?= -O2 -g
ALLFLAGS   = -std=c17 -D_GNU_SOURCE -DGRACE_VERSION='"$(VERSION)"' $(WARN) $(CFLAGS)
SAN       := -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all

# The link lays out code and data in this order: supervise.c's state
# first, beside the data every start touches; the files with large static
# buffers (an error message, a JSON log line) last, so that those buffers
# sit together, untouched, and log.c's state lands beside the C library's.
# Two page faults fewer in a single command's start.
COLD_LAST := $(filter $(wildcard src/*.c),src/main.c src/plan.c src/reload.c \
                                          src/log.c)
SRCS      := src/supervise.c \
             $(filter-out src/supervise.c $(COLD_LAST),$(wildcard src/*.c)) \
             $(COLD_LAST)
LIB_SRCS  := $(filter-out src/main.c,$(SRCS))
HDRS      := $(wildcard src/*.h)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
HELPERS   := $(patsubst tests/helpers/%.c,$(BUILD)/helpers/%,$(wildcard tests/helpers/*.c))

PYTHON    := /usr/bin/python3
PYTEST    := $(PYTHON) -m pytest -q -p no:cacheprovider

.PHONY: all static release asan helpers static-helpers unit scenarios \
        scenarios-asan test deps demo bench lint fuzz fuzz-smoke \
        check-valgrind install clean

all: $(BUILD)/grace

$(BUILD)/grace: $(SRCS) $(HDRS) Makefile
	@mkdir -p $(@D)
	$(CC) $(ALLFLAGS) -o $@ $(SRCS) $(LDFLAGS)

# A static binary against musl: no run-time dependency beyond the kernel.
# Small, because its text is resident: no unwind tables (C, no exceptions;
# a core dump still has the stack), unused functions dropped, and code
# and read-only data in one segment rather than each padded to a page.
STATIC_FLAGS := -Os -static -s -fno-asynchronous-unwind-tables \
                -fno-unwind-tables -ffunction-sections -fdata-sections \
                -Wl,--gc-sections -Wl,-z,noseparate-code -Wl,--build-id=none
static: $(BUILD)/grace-static
$(BUILD)/grace-static: $(SRCS) $(HDRS) Makefile
	@mkdir -p $(@D)
	musl-gcc $(ALLFLAGS) $(STATIC_FLAGS) -o $@ $(SRCS)
	@file $@ | grep -q 'statically linked' || { echo "not static: $@"; exit 1; }

# Release binaries: grace-VERSION-ARCH in $(BUILD)/release, static against
# musl with STATIC_FLAGS, and their SHA256SUMS.  x86_64 is grace-static;
# aarch64 is cross-compiled by Debian's gcc-aarch64-linux-gnu against
# Debian's musl-dev:arm64, which tests/musl-cross.sh unpacks into the build
# tree with a musl-gcc specs file (Debian packages no musl cross toolchain).
# No build id, debug info or path is in them: the same source and
# toolchains give the same bytes.
RELEASE      := $(BUILD)/release
RELEASE_BINS := $(RELEASE)/grace-$(VERSION)-x86_64 \
                $(RELEASE)/grace-$(VERSION)-aarch64
MUSL_AARCH64 := $(BUILD)/musl-aarch64/usr/lib/aarch64-linux-musl/musl-gcc.specs
CC_AARCH64   := aarch64-linux-gnu-gcc -specs $(MUSL_AARCH64)
# Fails, and removes $@, unless it is a static, stripped program for
# machine $(1) (as file names it).
check_release = @file -b $@ | grep -q '^ELF .*, $(1), .*statically linked, stripped$$' \
	|| { file $@; rm -f $@; echo "not a static stripped $(1) program"; exit 1; }

release: deps $(RELEASE)/SHA256SUMS
$(RELEASE)/SHA256SUMS: $(RELEASE_BINS)
	cd $(@D) && sha256sum $(notdir $^) >$(@F).tmp && mv $(@F).tmp $(@F)
$(RELEASE)/grace-$(VERSION)-x86_64: $(BUILD)/grace-static
	@mkdir -p $(@D)
	cp $< $@
	$(call check_release,x86-64)
$(RELEASE)/grace-$(VERSION)-aarch64: $(SRCS) $(HDRS) Makefile $(MUSL_AARCH64)
	@mkdir -p $(@D)
	$(CC_AARCH64) $(ALLFLAGS) $(STATIC_FLAGS) -o $@ $(SRCS)
	$(call check_release,ARM aarch64)
$(MUSL_AARCH64): tests/musl-cross.sh
	sh tests/musl-cross.sh arm64 $(BUILD)/musl-aarch64

asan: $(BUILD)/asan/grace
$(BUILD)/asan/grace: $(SRCS) $(HDRS) Makefile
	@mkdir -p $(@D)
	$(CC) $(ALLFLAGS) $(SAN) -o $@ $(SRCS)

helpers: $(HELPERS)
# The actor for aarch64, for the release scenarios under qemu-user.
$(BUILD)/helpers-aarch64/actor: tests/helpers/actor.c tests/helpers/lib/helper.c \
		tests/helpers/lib/helper.h Makefile $(MUSL_AARCH64)
	@mkdir -p $(@D)
	$(CC_AARCH64) -static -std=c17 -D_GNU_SOURCE -O1 $(WARN) -Itests/helpers/lib \
		-o $@ $< tests/helpers/lib/helper.c
$(BUILD)/helpers/%: tests/helpers/%.c tests/helpers/lib/helper.c \
		tests/helpers/lib/helper.h Makefile
	@mkdir -p $(@D)
	$(CC) -std=c17 -D_GNU_SOURCE -O1 -g $(WARN) -Itests/helpers/lib -o $@ \
		$< tests/helpers/lib/helper.c

# The helpers the engine scenarios' image holds, static against musl: an
# image has no C library (tests/scenarios/engines.py).
ENGINE_HELPERS := actor svc pgdaemon
ENGINE_BINS := $(patsubst %,$(BUILD)/static-helpers/%,$(ENGINE_HELPERS))
static-helpers: $(ENGINE_BINS)
$(BUILD)/static-helpers/%: tests/helpers/%.c tests/helpers/lib/helper.c \
		tests/helpers/lib/helper.h Makefile
	@mkdir -p $(@D)
	musl-gcc -static -std=c17 -D_GNU_SOURCE -O1 $(WARN) -Itests/helpers/lib \
		-o $@ $< tests/helpers/lib/helper.c

# Unit tests link the real sources (all but main.c), under the sanitizers.
$(BUILD)/unit/%: tests/unit/%.c $(LIB_SRCS) $(HDRS) Makefile
	@mkdir -p $(@D)
	$(CC) $(ALLFLAGS) $(SAN) -Isrc -o $@ $< $(LIB_SRCS) -lcmocka -lm

UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))

# Tools the scenarios drive directly, linked as the unit tests are.
$(BUILD)/tools/%: tests/tools/%.c $(LIB_SRCS) $(HDRS) Makefile
	@mkdir -p $(@D)
	$(CC) $(ALLFLAGS) $(SAN) -Isrc -o $@ $< $(LIB_SRCS) -lm

unit: deps $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

scenarios: deps $(BUILD)/grace helpers $(BUILD)/tools/schedule_next \
		$(BUILD)/grace-static static-helpers release \
		$(BUILD)/helpers-aarch64/actor
	GRACE=$(abspath $(BUILD)/grace) HELPERS=$(abspath $(BUILD)/helpers) \
		SCHEDULE_NEXT=$(abspath $(BUILD)/tools/schedule_next) \
		GRACE_STATIC=$(abspath $(BUILD)/grace-static) \
		STATIC_HELPERS=$(abspath $(BUILD)/static-helpers) \
		RELEASE=$(abspath $(RELEASE)) \
		HELPERS_AARCH64=$(abspath $(BUILD)/helpers-aarch64) \
		GRACE_REQUIRE_ENGINES=1 $(PYTEST) tests/scenarios

scenarios-asan: deps $(BUILD)/asan/grace helpers $(BUILD)/tools/schedule_next
	GRACE=$(abspath $(BUILD)/asan/grace) HELPERS=$(abspath $(BUILD)/helpers) \
		SCHEDULE_NEXT=$(abspath $(BUILD)/tools/schedule_next) \
		GRACE_SANITIZED=1 $(PYTEST) tests/scenarios

# libFuzzer targets (clang) over every parser; fuzz/seeds/ holds the seed
# corpus, copied so that runs never write into the tree.  `make fuzz` runs
# each for FUZZ_SECONDS; `make test` runs a short smoke pass.
FUZZ_TARGETS  := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BINS     := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_SECONDS  ?= 60

$(BUILD)/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_input.h $(LIB_SRCS) $(HDRS) Makefile
	@mkdir -p $(@D)
	clang $(ALLFLAGS) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -Isrc -o $@ $< $(LIB_SRCS)

fuzz: deps $(FUZZ_BINS)
	@$(MAKE) --no-print-directory run-fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

fuzz-smoke: deps $(FUZZ_BINS)
	@$(MAKE) --no-print-directory run-fuzz FUZZ_SECONDS=5

run-fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		corpus=$(BUILD)/fuzz/corpus-$$t; mkdir -p $$corpus; \
		cp -n fuzz/seeds/$$t/* $$corpus/ 2>/dev/null || true; \
		echo "== fuzz_$$t for $(FUZZ_SECONDS)s"; \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=$(BUILD)/fuzz/crash-$$t- \
			-print_final_stats=0 $$corpus 2>$(BUILD)/fuzz/fuzz_$$t.log \
			|| { tail -40 $(BUILD)/fuzz/fuzz_$$t.log; exit 1; }; \
		grep -h "^Done" $(BUILD)/fuzz/fuzz_$$t.log || true; \
	done

# Static analysis of src/, clean or failing; see .clang-tidy and
# .cppcheck-suppressions for what is left out and why.
lint: deps
	cppcheck --std=c11 --enable=warning,style,performance,portability \
		--error-exitcode=1 --inline-suppr -q -D_GNU_SOURCE \
		-DGRACE_VERSION='"lint"' \
		--suppressions-list=.cppcheck-suppressions src/
	clang-tidy --quiet $(SRCS) -- -std=c17 -D_GNU_SOURCE \
		-DGRACE_VERSION='"lint"'

# The scenarios again with grace under valgrind's memcheck (no error, no
# leak: tests/valgrind.sh makes either exit 99).
check-valgrind: deps $(BUILD)/grace helpers
	GRACE_BINARY=$(abspath $(BUILD)/grace) GRACE=$(abspath tests/valgrind.sh) \
		HELPERS=$(abspath $(BUILD)/helpers) GRACE_SANITIZED=1 GRACE_VALGRIND=1 \
		$(PYTEST) tests/scenarios

test: deps
	$(MAKE) lint
	$(MAKE) fuzz-smoke
	$(MAKE) all
	$(MAKE) CC=clang BUILD=$(BUILD)/clang all
	$(MAKE) static
	$(MAKE) demo
	$(MAKE) unit
	$(MAKE) scenarios
	$(MAKE) scenarios-asan
	$(MAKE) check-valgrind

# Installs what the build and the tests need on a fresh Debian machine.
deps:
	@sh tests/deps.sh

# The demo's own packages come first (a bare machine has no compiler), then
# the build, then the story, which checks itself: see tests/demo.py.
demo:
	@sh tests/deps.sh demo
	@$(MAKE) -q --no-print-directory $(BUILD)/grace $(HELPERS) 2>/dev/null || { \
		echo "demo: building grace and the test helpers"; \
		$(MAKE) -s --no-print-directory $(BUILD)/grace helpers; }
	@$(PYTHON) tests/demo.py $(abspath $(BUILD)/grace) $(abspath $(BUILD)/helpers)

# Side by side with tini, dumb-init and catatonit: a Markdown table on stdout.
bench: deps $(BUILD)/grace $(BUILD)/grace-static
	@$(PYTHON) bench/bench.py $(abspath $(BUILD)/grace) \
		$(abspath $(BUILD)/grace-static)

# grace, its man page, the names under which it stands in for other
# inits (see README: "Drop-in replacement"), and gracectl, the same binary
# as the control tool (see README: "Looking inside").
PERSONAS  := tini docker-init dumb-init catatonit

install: $(BUILD)/grace
	install -D -m 0755 $(BUILD)/grace $(DESTDIR)$(PREFIX)/bin/grace
	install -D -m 0644 docs/grace.1 $(DESTDIR)$(PREFIX)/share/man/man1/grace.1
	for name in $(PERSONAS) gracectl; do \
		ln -sf grace $(DESTDIR)$(PREFIX)/bin/$$name || exit 1; \
	done

clean:
	rm -rf $(BUILD)
