#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make demo`'s script in the QEMU guest, where modules load
# (scripts/vmtest -- 'bash tests/vm/demo_module.sh', no -m: the demo loads
# vsim.ko itself): it builds vsim.ko for the running kernel (`make module`
# has built it on the host for the same headers), loads it, runs the
# PC/SC part on the kernel backend, shows the card's sysfs attributes and
# unloads the module. Then, with kernel.modules_disabled = 1 (last: it
# holds until the guest powers off), the demo says why it falls back and
# runs embedded. TAP on stdout.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
[ -n "${VMTEST:-}" ] || { echo "not ok 1 run me in the VM: scripts/vmtest -- 'bash $0'"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok_if "vsim.ko not loaded before the demo" test ! -e /dev/vsimx
bash scripts/demo > "$tmp/demo.out" 2>&1
rc=$?
check "scripts/demo exits 0" 0 "$rc"
[ $rc = 0 ] || tail -n 30 "$tmp/demo.out" | sed 's/^/#   /'
out=$(cat "$tmp/demo.out")
ok_if "the demo loaded vsim.ko with its default parameters" contains "$out" \
	"insmod vsim.ko: loaded (persist_timeout_ms=5000, slow_timeout_ms=10000)"
ok_if "the demo says: backend kernel" contains "$out" "backend: kernel (the card lives in vsim.ko"
ok_if "vsimd ran on the kernel backend" contains "$out" "Start vsimd --backend kernel"
ok_if "sysfs: the card's ICCID" contains "$out" "vsim0/iccid     8988211000000000011"
ok_if "sysfs: its AUTHENTICATE counter" contains "$out" "vsim0/auth_ok   1"
ok_if "PC/SC: RES of TS 35.208 test set 1" contains "$out" "RES   a54211d5e3ba50bf"
ok_if "the demo unloaded the module it loaded" contains "$out" "the demo unloaded the vsim.ko it loaded"
ok_if "... and it is gone" test ! -e /dev/vsimx

# a kernel that takes no more modules: the demo says so and runs embedded
echo 1 > /proc/sys/kernel/modules_disabled
bash scripts/demo > "$tmp/demo2.out" 2>&1
rc=$?
check "modules disabled: scripts/demo exits 0" 0 "$rc"
[ $rc = 0 ] || tail -n 30 "$tmp/demo2.out" | sed 's/^/#   /'
out=$(cat "$tmp/demo2.out")
ok_if "modules disabled: the demo says why it runs embedded" contains "$out" \
	"backend: embedded (the engine in vsimd), because: this kernel refuses new modules (kernel.modules_disabled = 1)"
ok_if "modules disabled: vsimd ran embedded" contains "$out" "Start vsimd --backend embedded"
ok_if "modules disabled: RES through PC/SC all the same" contains "$out" "RES   a54211d5e3ba50bf"
tap_done
