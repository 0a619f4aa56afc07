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
AGENT_MAINS := agent/vsimctl.c
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

.PHONY: all check demo bench fuzz clean deps
all: $(B)/libvsimcard.a $(B)/vsimctl $(TEST_BIN) $(BENCH_BIN) $(B)/images

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
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

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

check: all
	scripts/run-tests

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
