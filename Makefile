# SPDX-License-Identifier: GPL-2.0-only
# vsim: `make` builds the engine library, vsimctl and the host tests.
# `make check` runs every test; `make demo`, `make bench`, `make fuzz`.

B        := build
CC       ?= cc
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fPIC
CPPFLAGS += -Ikmod/card -Iinclude/uapi -Iagent -Itests/lib -I$(B)/include
LDLIBS   += -lcrypto -linih

ENGINE_SRC := $(wildcard kmod/card/*.c)
ENGINE_OBJ := $(ENGINE_SRC:%.c=$(B)/%.o)
AGENT_MAINS := agent/vsimctl.c agent/vsimd.c
AGENT_SRC  := $(filter-out $(AGENT_MAINS),$(wildcard agent/*.c))
AGENT_OBJ  := $(AGENT_SRC:%.c=$(B)/%.o)
TESTLIB_SRC := $(wildcard tests/lib/*.c)
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(B)/%.o)
TEST_SRC   := $(wildcard tests/test_*.c)
TEST_BIN   := $(TEST_SRC:tests/%.c=$(B)/tests/%)
BENCH_SRC  := $(wildcard bench/*.c)
BENCH_BIN  := $(BENCH_SRC:bench/%.c=$(B)/bench/%)

HARNESS  := $(B)/include/kselftest_harness.h
LINUX_SRC_TAR ?= $(firstword $(wildcard /usr/src/linux-source-6.1.tar.xz))

.PHONY: all check demo bench fuzz clean deps build-deps
all: $(B)/libvsimcard.a $(B)/vsimctl $(B)/vsimd $(TEST_BIN) $(BENCH_BIN) $(B)/images

$(B)/%.o: %.c $(HARNESS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# kselftest_harness.h (6.1) has unused parameters in its own macros.
$(B)/tests/%.o: CFLAGS += -Wno-unused-parameter

$(B)/libvsimcard.a: $(ENGINE_OBJ)
	$(AR) rcs $@ $^

$(B)/libvsimhost.a: $(AGENT_OBJ)
	$(AR) rcs $@ $^

$(B)/vsimctl: $(B)/agent/vsimctl.o $(B)/libvsimhost.a $(B)/libvsimcard.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -ljson-c

# vsimd: the daemon (docs/vsimd.md); its store is SQLite, its control JSON.
$(B)/vsimd: $(B)/agent/vsimd.o $(B)/libvsimhost.a $(B)/libvsimcard.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lsqlite3 -ljson-c -lpthread

$(B)/tests/%: $(B)/tests/%.o $(TESTLIB_OBJ) $(B)/libvsimhost.a $(B)/libvsimcard.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lpthread

$(B)/bench/%: $(B)/bench/%.o $(B)/libvsimhost.a $(B)/libvsimcard.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The example profiles compiled into card images (tests and selftests load them).
$(B)/images: $(B)/vsimctl $(wildcard examples/*.ini)
	@mkdir -p $@
	@for p in $(wildcard examples/*.ini); do \
		./$(B)/vsimctl compile --profile $$p -o $@/$$(basename $$p .ini).img || exit 1; \
	done
	@touch $@

# kselftest's harness ships only in the kernel source package: take the two
# headers we need from it at build time, never commit them.
$(HARNESS):
	@test -n "$(LINUX_SRC_TAR)" || { echo "linux-source-6.1 is missing: run scripts/install-deps" >&2; exit 1; }
	@mkdir -p $(B)/include
	tar -xJf $(LINUX_SRC_TAR) -C $(B)/include --strip-components=4 \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h
	@touch $@

deps:
	scripts/install-deps

# The README's two commands: each installs what is missing (as root) first.
demo: deps
	$(MAKE) all
	scripts/demo

check: deps
	$(MAKE) all module selftests
	VSIM_VMTEST=1 scripts/run-tests

bench: all
	@for b in $(BENCH_BIN); do $$b || exit 1; done

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# ==== vsim.ko, the VM runner and the kselftests (issue #3) =================
# `make module` builds vsim.ko against Debian's headers (KDIR overridable:
# never the running kernel by default, the host runs another one);
# `make vmtest` boots Debian's kernel in QEMU and runs the selftests there;
# `make selftests` only builds them (run: sudo make -C selftests run_tests).
KDIR ?= $(lastword $(sort $(wildcard /lib/modules/*-amd64/build)))

.PHONY: module module-clean vmtest selftests
module:
	@test -n "$(KDIR)" || { echo "no kernel headers: install linux-headers-amd64 or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

module-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

selftests: $(HARNESS)
	$(MAKE) -C selftests

vmtest: module selftests $(B)/images
	scripts/vmtest -m vsim.ko -- 'VSIM_KO=vsim.ko make -s -C selftests run_tests'
# ==== end of vsim.ko section ===============================================

# ==== make fuzz: libFuzzer on the APDU engine ==============================
# Builds build/fuzz/fuzz_apdu (engine + card host, ASan/UBSan), seeds
# build/fuzz/corpus from the C-APDUs of tests/golden/*.trace (one seed per
# transcript; "reset" lines become power cycles), then fuzzes for
# FUZZ_SECONDS. A crash exits non-zero; its input is build/fuzz/crash-*.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -std=c11 -D_GNU_SOURCE -Wall -Wextra
FUZZ_SRC     := $(ENGINE_SRC) agent/card_host.c agent/host_crypto.c \
		tests/fuzz/fuzz_apdu.c

.PHONY: fuzz-build fuzz-corpus
$(B)/fuzz/fuzz_apdu: $(FUZZ_SRC) $(wildcard kmod/card/*.h agent/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -Ikmod/card -Iinclude/uapi -Iagent -o $@ \
		$(FUZZ_SRC) -lcrypto

fuzz-build: $(B)/fuzz/fuzz_apdu

# Chunk format (tests/fuzz/fuzz_apdu.c): FF = power cycle, FE e = 254+e
# bytes follow, else the byte is the C-APDU length.
FUZZ_SEED_PL := if (/^>\s*([0-9A-Fa-f\s]+)$$/) { ($$h = $$1) =~ s/\s//g; $$b = pack("H*", $$h); $$n = length $$b; print $$n >= 254 ? pack("CC", 254, $$n - 254) : pack("C", $$n), $$b } elsif (/^reset\s*$$/) { print "\xff" }
fuzz-corpus: $(wildcard tests/golden/*.trace)
	@mkdir -p $(B)/fuzz/corpus
	@for t in $^; do \
		perl -ne '$(FUZZ_SEED_PL)' $$t \
			> $(B)/fuzz/corpus/seed-$$(basename $$t .trace) || exit 1; \
	done

fuzz: $(B)/fuzz/fuzz_apdu fuzz-corpus $(B)/images
	VSIM_FUZZ_IMAGE=$(B)/images/test-usim.img ./$(B)/fuzz/fuzz_apdu \
		-max_total_time=$(FUZZ_SECONDS) -max_len=2048 -print_final_stats=1 \
		-artifact_prefix=$(B)/fuzz/ $(B)/fuzz/corpus
# ==== end of make fuzz section =============================================

# ==== make bench: the PC/SC path (issue #5) ================================
# bench/pcsc/loop.c is a pcsc-lite client; scripts/bench-pcsc runs it
# through a private pcscd + vpcd against vsimd and vicc, and in-process.
PCSC_CFLAGS := $(shell pkg-config --cflags libpcsclite 2>/dev/null)
$(B)/bench/pcsc/loop.o: CPPFLAGS += $(PCSC_CFLAGS)
$(B)/bench/pcsc/loop: $(B)/bench/pcsc/loop.o $(B)/libvsimhost.a $(B)/libvsimcard.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) -lpcsclite

.PHONY: bench-pcsc
all: $(B)/bench/pcsc/loop
bench: bench-pcsc
bench-pcsc: all
	scripts/bench-pcsc
# ==== end of PC/SC bench section ===========================================
