# SPDX-License-Identifier: GPL-2.0-only
# vsim: `make` builds the engine library, vsimctl and the host tests.
# `make check` runs every test; `make demo`, `make bench`, `make fuzz`.

B        := build
# The release: `vsimctl --version`, `vsimd --version`, the dkms tree.
VERSION  := 0.1
CC       ?= cc
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fPIC
CPPFLAGS += -Ikmod/card -Iinclude/uapi -Iagent -Itests/lib -I$(B)/include \
	    -DVSIM_VERSION='"$(VERSION)"'
LDLIBS   += -lssl -lcrypto -linih -lsmpp34

ENGINE_SRC := $(wildcard kmod/card/*.c)
ENGINE_OBJ := $(ENGINE_SRC:%.c=$(B)/%.o)
# agent/: one folder per part (README "Layout"); the programs' mains stay
# out of the library, and vsimctl's sub-commands are its own.
AGENT_PARTS := common ota ota-server cardem vsimd
AGENT_SRC  := $(filter-out agent/vsimd/vsimd.c,$(foreach p,$(AGENT_PARTS),$(wildcard agent/$(p)/*.c)))
VSIMCTL_SRC := $(wildcard agent/vsimctl/*.c)
VSIMCTL_OBJ := $(VSIMCTL_SRC:%.c=$(B)/%.o)
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
all: $(B)/libvsimcard.a $(B)/vsimctl $(B)/vsimd $(TEST_BIN) $(BENCH_BIN) $(B)/images \
	$(B)/cardem-gadget $(B)/vsim-modem

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# Only the unit tests include kselftest_harness.h: the programs build
# without linux-source-6.1 (the Debian packages do, debian/rules).
$(TEST_SRC:%.c=$(B)/%.o): $(HARNESS)
# kselftest_harness.h (6.1) has unused parameters in its own macros.
$(B)/tests/%.o: CFLAGS += -Wno-unused-parameter

$(B)/libvsimcard.a: $(ENGINE_OBJ)
	$(AR) rcs $@ $^

# Parts share object names (ota/store.o, vsimd/store.o): ar matches members
# by base name, so the archive is written anew, never updated in place.
$(B)/libvsimhost.a: $(AGENT_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/vsimctl: $(VSIMCTL_OBJ) $(B)/libvsimhost.a $(B)/libvsimcard.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lsqlite3 -ljson-c -lpcsclite

# vsimctl ota --pcsc READER: the OTA server's terminal through pcsc-lite
$(B)/agent/ota-server/pcsc.o: CPPFLAGS += $(shell pkg-config --cflags libpcsclite 2>/dev/null)

# vsimd: the daemon (docs/vsimd.md); its store is SQLite, its control JSON,
# SIMtrace2 boards through libusb-1.0 (docs/modems.md).
$(B)/vsimd: $(B)/agent/vsimd/vsimd.o $(B)/libvsimhost.a $(B)/libvsimcard.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lsqlite3 -ljson-c -lusb-1.0 -lpthread

# vsim-modem: an AT modem whose SIM slot is a PC/SC reader, /dev/vsimN
# or an in-process card (docs/modems.md "vsim-modem", issue #13).
MODEM_SRC := $(wildcard agent/modem/*.c)
MODEM_OBJ := $(MODEM_SRC:%.c=$(B)/%.o)
$(B)/agent/modem/sim.o: CPPFLAGS += $(shell pkg-config --cflags libpcsclite 2>/dev/null)
$(B)/vsim-modem: $(MODEM_OBJ) $(B)/libvsimhost.a $(B)/libvsimcard.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lsqlite3 -ljson-c -lpcsclite
# the modem's SMS conversions, unit-tested on their own
$(B)/tests/test_modem_smsc: $(B)/agent/modem/smsc.o

# The emulated SIMtrace2 board for the cardem tests (runs in the VM only).
GADGET_SRC := $(wildcard tests/cardem-gadget/*.c)
GADGET_OBJ := $(GADGET_SRC:%.c=$(B)/%.o)
$(B)/cardem-gadget: $(GADGET_OBJ) $(B)/libvsimhost.a $(B)/libvsimcard.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lpthread

$(B)/tests/%: $(B)/tests/%.o $(TESTLIB_OBJ) $(B)/libvsimhost.a $(B)/libvsimcard.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lsqlite3 -lpthread

# The SIDF as a command for shell tests (tests/pcsc_complete.sh).
all: $(B)/tests/sidf-decrypt
$(B)/tests/sidf-decrypt: $(B)/tests/sidf/sidf-decrypt.o $(B)/tests/lib/sidf.o
	$(CC) $(CFLAGS) -o $@ $^ -lcrypto

# An SCP81 server that ends its TLS session with close_notify (tests/scp81_term.sh).
all: $(B)/tests/tls-close
$(B)/tests/tls-close: $(B)/tests/bip/tls_close.o
	$(CC) $(CFLAGS) -o $@ $^ -lssl -lcrypto

$(B)/bench/%: $(B)/bench/%.o $(B)/libvsimhost.a $(B)/libvsimcard.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

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

# -type f: build/remsim holds a directory reader.conf.d
-include $(shell find $(B) -name '*.d' -type f 2>/dev/null)

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

VSIM_KO ?= vsim.ko
# vsim_stress_test runs 20 s; VSIM_STRESS_SECONDS=N runs it longer (the
# VM's own deadline grows with it). The curves GET IDENTITY's ECIES uses
# (kmod/vsim_ecies.c) are Debian's modules, loaded before vsim.ko, which
# runs its own TS 33.501 Annex C.4 known answers on them at init (the
# guest cannot modprobe on demand). cryptomgr.notests: under TCG the
# jitter entropy source fails, so the DRBG cannot seed and the crypto
# manager's own test of ecdh-nist-p256 (a generated key) would WARN.
# The debug kernel (check-debug) has neither module: its vsim.ko runs
# without them (both profiles answer 6A81, vsim_suci_test says so).
VMTEST_CURVES = $(if $(VMTEST_KERNEL_DIR),,-a cryptomgr.notests=1 -M curve25519-generic -M ecdh_generic)
vmtest: module selftests $(B)/images
	scripts/vmtest -t $(if $(VSIM_STRESS_SECONDS),$$((300 + 2 * $(VSIM_STRESS_SECONDS))),300) \
		$(VMTEST_CURVES) -m $(VSIM_KO) -- \
		'VSIM_KO=$(VSIM_KO) $(if $(VSIM_STRESS_SECONDS),VSIM_STRESS_SECONDS=$(VSIM_STRESS_SECONDS) )make -s -C selftests run_tests'
# ==== end of vsim.ko section ===============================================

# ==== make check-debug: the VM tests under a debug kernel (#12) ============
# scripts/debug-kernel builds (once, cached in $VSIM_CACHE or ~/.cache/vsim)
# Debian's linux-source-6.1 with KASAN, lockdep, kmemleak, UBSAN,
# DEBUG_ATOMIC_SLEEP and KCOV; vsim.ko is built for it from a copy of the
# module's sources (Kbuild builds in the source directory), and every VM
# test of `make check` runs under it; scripts/vmtest scans kmemleak at the
# end of each run and fails on any report.
DEBUG_MOD := $(B)/debug-mod
.PHONY: check-debug
check-debug: deps
	$(MAKE) all selftests
	@dk=$$(scripts/debug-kernel) || exit 1; \
	rm -rf $(DEBUG_MOD) && mkdir -p $(DEBUG_MOD) && \
	cp -r Kbuild kmod include $(DEBUG_MOD)/ && \
	$(MAKE) -C $$dk/build M=$(CURDIR)/$(DEBUG_MOD) modules && \
	VSIM_VMTEST=1 VSIM_VMTEST_ONLY=1 VMTEST_KERNEL_DIR=$$dk \
	VSIM_KO=$(DEBUG_MOD)/vsim.ko VMTEST_MEM=1G VMTEST_TIMEOUT_SCALE=4 \
		scripts/run-tests
# ==== end of check-debug section ===========================================

# ==== make fuzz: libFuzzer on every parser of untrusted input (#12) =====
# One target per parser (tests/fuzz/fuzz_*.c), ASan + UBSan, linked with
# an instrumented build of the engine and agent/ (build/fuzz/obj). Seeds
# are made here, never committed: C-APDUs of tests/golden/*.trace, the
# examples, and what tests/fuzz/seeds.c writes with the project's own
# encoders. `make fuzz` runs every target FUZZ_SECONDS (default 10) in
# turn through scripts/fuzz-run: a crash names the target and its input
# (build/fuzz/crash-*) and fails; a table of execs ends the run.
# FUZZ_TARGETS= picks some; `make fuzz-build` only builds.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 10
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_FLAGS   := -g -O1 $(FUZZ_SAN) -std=c11 -D_GNU_SOURCE -Wall -Wextra
FUZZ_ALL     := apdu image profile ota_card ota_server smpp cardem vpcd \
		control proactive config catalogue bip http
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_BIN     := $(FUZZ_ALL:%=$(B)/fuzz/fuzz_%)
# not pcsc.c: no fuzz target reaches pcsc-lite
FUZZ_OBJ     := $(patsubst %.c,$(B)/fuzz/obj/%.o,$(ENGINE_SRC) \
		$(filter-out agent/ota-server/pcsc.c,$(AGENT_SRC)) $(TESTLIB_SRC))
FUZZ_LIBS    := -lssl -lcrypto -linih -lsmpp34 -lsqlite3 -ljson-c -lusb-1.0 -lpthread

.PHONY: fuzz-build fuzz-corpus
$(B)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

# Parts share object names (see libvsimhost.a): written anew.
$(B)/fuzz/libfuzzhost.a: $(FUZZ_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(B)/fuzz/libfuzzhost.a
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< \
		$(B)/fuzz/libfuzzhost.a $(FUZZ_LIBS)

# The seed writer is an ordinary program (no libFuzzer main).
$(B)/fuzz/seeds: tests/fuzz/seeds.c $(B)/libvsimhost.a $(B)/libvsimcard.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(LDLIBS) -lsqlite3 -ljson-c

fuzz-build: $(FUZZ_BIN)

# Chunk format (tests/fuzz/fuzz_apdu.c): FF = power cycle, FE e = 254+e
# bytes follow, else the byte is the C-APDU length.
FUZZ_SEED_PL := if (/^>\s*([0-9A-Fa-f\s]+)$$/) { ($$h = $$1) =~ s/\s//g; $$b = pack("H*", $$h); $$n = length $$b; print $$n >= 254 ? pack("CC", 254, $$n - 254) : pack("C", $$n), $$b } elsif (/^reset\s*$$/) { print "\xff" }
fuzz-corpus: $(B)/fuzz/seeds $(B)/images $(wildcard tests/golden/*.trace examples/*)
	@rm -rf $(B)/fuzz/corpus
	@for t in $(FUZZ_ALL); do mkdir -p $(B)/fuzz/corpus/$$t; done
	@for t in $(wildcard tests/golden/*.trace); do \
		perl -ne '$(FUZZ_SEED_PL)' $$t \
			> $(B)/fuzz/corpus/apdu/seed-$$(basename $$t .trace) || exit 1; \
	done
	@for p in $(wildcard examples/*.ini); do cp $$p $(B)/fuzz/corpus/profile/; done
	@cp examples/vsimd.conf $(B)/fuzz/corpus/config/
	@cp examples/ota-catalogue.conf $(B)/fuzz/corpus/catalogue/
	./$(B)/fuzz/seeds $(B)/fuzz/corpus

fuzz: fuzz-build fuzz-corpus $(B)/images
	scripts/fuzz-run $(FUZZ_SECONDS) $(FUZZ_TARGETS)
# ==== end of make fuzz section =============================================

# ==== make bench: the PC/SC path (issue #5) ================================
# bench/pcsc/loop.c is a pcsc-lite client; scripts/bench-pcsc runs it
# through a private pcscd + vpcd against vsimd and vicc, and in-process.
PCSC_CFLAGS := $(shell pkg-config --cflags libpcsclite 2>/dev/null)
$(B)/bench/pcsc/loop.o: CPPFLAGS += $(PCSC_CFLAGS)
$(B)/bench/pcsc/loop: $(B)/bench/pcsc/loop.o $(B)/libvsimhost.a $(B)/libvsimcard.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lpcsclite

# the TCP_NODELAY LD_PRELOAD for pcscd (Debian's vpcd does not set it)
$(B)/bench/pcsc/nodelay.so: bench/pcsc/nodelay.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -shared -o $@ $< -ldl

# the floor: a TCP echo with vsimd's syscalls and no card
$(B)/bench/pcsc/tcpfloor: $(B)/bench/pcsc/tcpfloor.o

.PHONY: bench-pcsc
all: $(B)/bench/pcsc/loop $(B)/bench/pcsc/nodelay.so $(B)/bench/pcsc/tcpfloor
bench: bench-pcsc
bench-pcsc: all
	scripts/bench-pcsc
	bench/pcsc/cards.sh
	bench/remsim.sh
# one application download over SMS and over HTTPS (SCP81 on BIP), #14
bench: bench-ota
.PHONY: bench-ota
bench-ota: all
	bench/ota/download.sh
# vsim-modem's AT round trip over its pty: AT, +CRSM, +CSIM (#13)
bench: bench-modem
.PHONY: bench-modem
bench-modem: all
	bench/modem/at.sh
# ==== end of PC/SC bench section ===========================================

# ==== make bench: the kernel path and the cardem board in the VM (#3, #7) ==
# One VM boot (vsim.ko, and dummy_hcd + libcomposite + usb_f_fs for the
# emulated SIMtrace2 board) runs bench/vm/run.sh: one table of round trips
# through /dev/vsimN (build/bench/vm/bench_dev; it lives below
# build/bench/vm/ so the host loop over $(BENCH_BIN) never runs it), the
# engine in-process, pcscd+vpcd -> vsimd and the board -> USB -> vsimd
# (build/cardem-gadget --scenario bench). Printed, never judged. The
# curve modules (and cryptomgr.notests, see vmtest above) give vsim.ko's
# GET IDENTITY rows their ECIES.
.PHONY: bench-vm
all: $(B)/bench/vm/bench_dev
bench: bench-vm
# VSIM_BENCH_ITERS/_IMAGE/_PROFILE (bench_dev) and VSIM_BENCH_RT_ITERS (the
# PC/SC and board rows) reach the guest only through the command
BENCH_VM_ENV := $(foreach v,VSIM_BENCH_ITERS VSIM_BENCH_IMAGE VSIM_BENCH_PROFILE VSIM_BENCH_RT_ITERS,$(if $($(v)),$(v)=$($(v)) ))
bench-vm: all module
	scripts/vmtest -q -t 900 -m vsim.ko -M 'dummy_hcd is_high_speed=0' \
		-M libcomposite -M usb_f_fs $(VMTEST_CURVES) -- '$(BENCH_VM_ENV)bash bench/vm/run.sh'; \
		rc=$$?; sed -n '/^# bench-vm/,/^vmtest-guest: command status/p' \
		$(B)/vm/last-console | grep -v '^vmtest-guest:'; exit $$rc
# ==== end of VM bench section ==============================================

# ==== checkpatch (issue #3) ================================================
# The kernel's scripts/checkpatch.pl (and the two data files it reads) from
# linux-source-6.1, extracted at build time; tests/checkpatch.sh runs it on
# kmod/ and kmod/card/. `make checkpatch` runs it by hand.
CHECKPATCH := $(B)/ksrc/scripts/checkpatch.pl
KMOD_SRC   := $(wildcard kmod/*.c kmod/*.h kmod/card/*.c kmod/card/*.h)

.PHONY: checkpatch
all: $(CHECKPATCH)
$(CHECKPATCH):
	@test -n "$(LINUX_SRC_TAR)" || { echo "linux-source-6.1 is missing: run scripts/install-deps" >&2; exit 1; }
	@mkdir -p $(B)/ksrc
	tar -xJf $(LINUX_SRC_TAR) -C $(B)/ksrc --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	@touch $@

checkpatch: $(CHECKPATCH)
	$(CHECKPATCH) --no-tree -f -q $(KMOD_SRC)
# ==== end of checkpatch section ============================================

# ==== make install / uninstall (issue #3) ==================================
# `make install` puts vsim.ko into /lib/modules/$(KVER)/extra (Kbuild's
# modules_install, then depmod), the UAPI header, vsimctl, vsimd, the udev
# rules, the systemd unit, docs and a starter config. DESTDIR stages it for
# packaging; PREFIX (default /usr/local) places the userspace parts.
# `make install-user` skips the module, `make install-dkms` stages the
# module's source in /usr/src/vsim-$(VERSION) for dkms (dkms.conf).
#
# The kernel: KVER= and/or KDIR=; neither means the running kernel. The
# module-build default above (Debian's headers) is not used here: installing
# a module for a kernel other than the one asked for is never right.
PREFIX         ?= /usr/local
BINDIR         ?= $(PREFIX)/bin
SBINDIR        ?= $(PREFIX)/sbin
INCLUDEDIR     ?= $(PREFIX)/include
DOCDIR         ?= $(PREFIX)/share/doc/vsim
SYSCONFDIR     ?= /etc
# udev and systemd do not look under /usr/local: local installs go to
# /etc; packages set /lib/udev/rules.d and /lib/systemd/system.
UDEVRULESDIR   ?= /etc/udev/rules.d
SYSTEMDUNITDIR ?= /etc/systemd/system
DKMS_SRCDIR    ?= /usr/src/vsim-$(VERSION)
INSTALL        ?= install
DEPMOD         ?= depmod

KDIR_GIVEN := $(filter command environment,$(firstword $(origin KDIR)))
# A headers tree's own version is UTS_RELEASE (what vermagic says), not
# include/config/kernel.release: Debian's headers put the upstream version
# (6.1.x) in the latter, so modules_install would pick the wrong directory.
KDIR_UTS    = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' \
		$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
INST_KVER  := $(or $(KVER),$(if $(KDIR_GIVEN),$(KDIR_UTS)),$(shell uname -r))
INST_KDIR  := $(if $(KDIR_GIVEN),$(KDIR),/lib/modules/$(INST_KVER)/build)
MODDEST     = $(DESTDIR)/lib/modules/$(INST_KVER)/extra

DOCS        := README.md $(wildcard docs/*.md)
MANPAGES    := $(wildcard docs/man/*.[1-8])
# Installed only when absent, removed only when unchanged: an admin's edits win.
ETC_FILES   := examples/vsimd.conf:0644 examples/test-usim.ini:0600

.PHONY: install uninstall install-module install-user install-dkms \
	uninstall-module uninstall-user uninstall-dkms
install: install-module install-user

install-module:
	@test -n "$(INST_KVER)" || { echo "install: cannot tell the kernel version of KDIR=$(KDIR): set KVER=" >&2; exit 1; }
	@test -f "$(INST_KDIR)/Makefile" || { echo "install: no kernel build tree at $(INST_KDIR): install linux-headers-$(INST_KVER), or set KDIR=/path/to/headers KVER=version" >&2; exit 1; }
	$(MAKE) -C $(INST_KDIR) M=$(CURDIR) modules
	@vm=$$(modinfo -F vermagic vsim.ko | cut -d' ' -f1); \
	test "$$vm" = "$(INST_KVER)" || { echo "install: vsim.ko is for $$vm, not $(INST_KVER): KDIR and KVER disagree" >&2; exit 1; }
	@# Kbuild signs the module when KDIR has the key (CONFIG_MODULE_SIG_ALL);
	@# distribution headers do not: sign-file complains, the copy stays.
	$(MAKE) -C $(INST_KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=extra KERNELRELEASE=$(INST_KVER) modules_install
	@test -f $(MODDEST)/vsim.ko || { echo "install: modules_install did not produce $(MODDEST)/vsim.ko" >&2; exit 1; }
	chmod 0644 $(MODDEST)/vsim.ko
ifeq ($(DESTDIR),)
	$(DEPMOD) -a $(INST_KVER)
else
	@echo "install: DESTDIR is set: not running depmod on a staged tree; run 'depmod -a $(INST_KVER)' on the target"
endif

install-user: $(B)/vsimctl $(B)/vsimd $(B)/vsim-modem
	$(INSTALL) -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(INCLUDEDIR)/linux $(DESTDIR)$(UDEVRULESDIR) \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(DOCDIR)/examples \
		$(DESTDIR)$(SYSCONFDIR)/vsim
	$(INSTALL) -m 0755 $(B)/vsimctl $(DESTDIR)$(BINDIR)/vsimctl
	$(INSTALL) -m 0755 $(B)/vsim-modem $(DESTDIR)$(BINDIR)/vsim-modem
	$(INSTALL) -m 0755 $(B)/vsimd $(DESTDIR)$(SBINDIR)/vsimd
	$(INSTALL) -m 0644 include/uapi/linux/vsim.h $(DESTDIR)$(INCLUDEDIR)/linux/vsim.h
	$(INSTALL) -m 0644 udev/60-vsim.rules udev/61-vsim-cardem.rules $(DESTDIR)$(UDEVRULESDIR)/
	@# the unit names vsimd, its config and docs by path: follow PREFIX
	sed -e 's|/usr/sbin/vsimd|$(SBINDIR)/vsimd|' \
	    -e 's|/etc/vsim/|$(SYSCONFDIR)/vsim/|' \
	    -e 's|/usr/share/doc/vsim/|$(DOCDIR)/|' \
		udev/vsimd.service > $(DESTDIR)$(SYSTEMDUNITDIR)/vsimd.service.tmp
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/vsimd.service.tmp
	mv -f $(DESTDIR)$(SYSTEMDUNITDIR)/vsimd.service.tmp $(DESTDIR)$(SYSTEMDUNITDIR)/vsimd.service
	sed -e 's|/usr/bin/vsim-modem|$(BINDIR)/vsim-modem|' \
	    -e 's|/usr/share/doc/vsim/|$(DOCDIR)/|' \
		udev/vsim-modem.service > $(DESTDIR)$(SYSTEMDUNITDIR)/vsim-modem.service.tmp
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/vsim-modem.service.tmp
	mv -f $(DESTDIR)$(SYSTEMDUNITDIR)/vsim-modem.service.tmp $(DESTDIR)$(SYSTEMDUNITDIR)/vsim-modem.service
	sed -e 's|/usr/bin/vsimctl|$(BINDIR)/vsimctl|' \
	    -e 's|/usr/share/doc/vsim/|$(DOCDIR)/|' \
		udev/vsim-pcscd@.service > '$(DESTDIR)$(SYSTEMDUNITDIR)/vsim-pcscd@.service.tmp'
	chmod 0644 '$(DESTDIR)$(SYSTEMDUNITDIR)/vsim-pcscd@.service.tmp'
	mv -f '$(DESTDIR)$(SYSTEMDUNITDIR)/vsim-pcscd@.service.tmp' '$(DESTDIR)$(SYSTEMDUNITDIR)/vsim-pcscd@.service'
	$(INSTALL) -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 0644 $(wildcard examples/*) $(DESTDIR)$(DOCDIR)/examples/
	$(if $(MANPAGES),for m in $(MANPAGES); do s=$${m##*.}; \
		$(INSTALL) -D -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/$${m##*/} || exit 1; done)
	@for e in $(ETC_FILES); do f=$${e%%:*}; m=$${e##*:}; \
		d=$(DESTDIR)$(SYSCONFDIR)/vsim/$${f##*/}; \
		if [ -e $$d ]; then echo "install: keeping $$d"; \
		else echo "$(INSTALL) -m $$m $$f $$d"; $(INSTALL) -m $$m $$f $$d || exit 1; fi; \
	done
ifeq ($(DESTDIR),)
	@# the rules give /dev/vsimN to group vsim: udev ignores unknown groups;
	@# vsim-admin may also add and remove cards (docs/vsimd.md "Permissions")
	getent group vsim > /dev/null || groupadd --system vsim
	getent group vsim-admin > /dev/null || groupadd --system vsim-admin
	-udevadm control --reload 2> /dev/null
	-systemctl daemon-reload 2> /dev/null
endif

# dkms builds from a copy of this: Kbuild, the module's sources, the UAPI.
install-dkms:
	$(INSTALL) -d -m 0755 $(DESTDIR)$(DKMS_SRCDIR)/kmod/card \
		$(DESTDIR)$(DKMS_SRCDIR)/include/uapi/linux
	$(INSTALL) -m 0644 dkms.conf Kbuild $(DESTDIR)$(DKMS_SRCDIR)/
	$(INSTALL) -m 0644 $(wildcard kmod/*.c kmod/*.h) $(DESTDIR)$(DKMS_SRCDIR)/kmod/
	$(INSTALL) -m 0644 $(wildcard kmod/card/*.c kmod/card/*.h) $(DESTDIR)$(DKMS_SRCDIR)/kmod/card/
	$(INSTALL) -m 0644 include/uapi/linux/vsim.h $(DESTDIR)$(DKMS_SRCDIR)/include/uapi/linux/

uninstall: uninstall-module uninstall-user

uninstall-module:
	rm -f $(MODDEST)/vsim.ko $(MODDEST)/vsim.ko.gz $(MODDEST)/vsim.ko.xz $(MODDEST)/vsim.ko.zst
	rmdir $(MODDEST) 2> /dev/null || true
ifeq ($(DESTDIR),)
	if [ -d /lib/modules/$(INST_KVER)/kernel ]; then $(DEPMOD) -a $(INST_KVER); fi
endif

uninstall-user:
	rm -f $(DESTDIR)$(BINDIR)/vsimctl $(DESTDIR)$(BINDIR)/vsim-modem \
		$(DESTDIR)$(SBINDIR)/vsimd $(DESTDIR)$(INCLUDEDIR)/linux/vsim.h \
		$(DESTDIR)$(UDEVRULESDIR)/60-vsim.rules \
		$(DESTDIR)$(UDEVRULESDIR)/61-vsim-cardem.rules \
		$(DESTDIR)$(SYSTEMDUNITDIR)/vsimd.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/vsim-modem.service \
		'$(DESTDIR)$(SYSTEMDUNITDIR)/vsim-pcscd@.service'
	rm -rf $(DESTDIR)$(DOCDIR)
	$(if $(MANPAGES),rm -f $(foreach m,$(MANPAGES),$(DESTDIR)$(PREFIX)/share/man/man$(subst .,,$(suffix $(m)))/$(notdir $(m))))
	@for e in $(ETC_FILES); do f=$${e%%:*}; d=$(DESTDIR)$(SYSCONFDIR)/vsim/$${f##*/}; \
		if [ ! -e $$d ]; then :; elif cmp -s $$f $$d; then rm -f $$d; \
		else echo "uninstall: keeping $$d (changed since install)"; fi; \
	done
	rmdir $(DESTDIR)$(SYSCONFDIR)/vsim 2> /dev/null || true
	@echo "uninstall: groups vsim and vsim-admin are left in place (files may still belong to them)"

uninstall-dkms:
	rm -rf $(DESTDIR)$(DKMS_SRCDIR)
# ==== end of install section ===============================================

# ==== make deb: the Debian packages (issue #16) ============================
# debian/: vsim (programs, udev, systemd unit, man pages, examples),
# vsim-dkms (vsim.ko's source; DKMS builds it on the target) and
# libvsim-dev (the UAPI header). dpkg-buildpackage writes to the parent
# directory; the packages and their .changes/.buildinfo move to $(B)/deb.
# Build dependencies: `apt-get build-dep .` or `mk-build-deps -ir`
# (scripts/install-deps has them); tests/deb.sh checks them with lintian.
DEB_ARCH  := $(shell dpkg --print-architecture 2>/dev/null)
DEB_FILES := vsim_$(VERSION)_$(DEB_ARCH).deb vsim-dbgsym_$(VERSION)_$(DEB_ARCH).deb \
	vsim-dkms_$(VERSION)_all.deb libvsim-dev_$(VERSION)_all.deb \
	vsim_$(VERSION)_$(DEB_ARCH).buildinfo vsim_$(VERSION)_$(DEB_ARCH).changes
.PHONY: deb
deb:
	@v=$$(dpkg-parsechangelog -S Version); test "$$v" = "$(VERSION)" || \
		{ echo "deb: debian/changelog says $$v, the Makefile's VERSION is $(VERSION): add a changelog entry (dch -v $(VERSION))" >&2; exit 1; }
	dpkg-buildpackage -us -uc -b
	@mkdir -p $(B)/deb
	@for f in $(DEB_FILES); do \
		if [ -e ../$$f ]; then mv -f ../$$f $(B)/deb/; fi; done
	@ls -1 $(B)/deb
# ==== end of make deb section ==============================================
