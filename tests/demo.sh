#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make demo`'s script on this host, where it must not load vsim.ko: when
# the running kernel has no headers the demo finds that itself and says
# so; otherwise VSIM_DEMO_MODULE=0 keeps the module out of the host's
# kernel. Either way it names the reason and runs the PC/SC part on the
# embedded backend. The module path is tests/vm/demo_module.sh's (in the
# VM). Needs root (the PC/SC part's namespaces). TAP on stdout.
set -u
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 scripts/demo # SKIP needs root (its PC/SC part runs pcscd in namespaces)"
	tap_done
fi
if [ -e /dev/vsimx ]; then
	echo "ok 1 scripts/demo # SKIP vsim.ko is loaded on this host: the demo would use it"
	tap_done
fi
kver=$(uname -r)
env=()
if [ -f "/lib/modules/$kver/build/Makefile" ]; then
	env=(VSIM_DEMO_MODULE=0)
	why="VSIM_DEMO_MODULE=0"
else
	why="no headers for the running kernel $kver (/lib/modules/$kver/build missing: apt install linux-headers-$kver)"
fi
env "${env[@]}" bash scripts/demo > "$tmp/out" 2>&1
rc=$?
check "scripts/demo exits 0" 0 "$rc"
[ $rc = 0 ] || tail -n 30 "$tmp/out" | sed 's/^/#   /'
out=$(cat "$tmp/out")
ok_if "in-process: AUTHENTICATE answers RES (DB 08 A54211D5E3BA50BF)" contains "$out" "DB08A54211D5E3BA50BF"
ok_if "the demo says why it runs embedded: $why" contains "$out" \
	"backend: embedded (the engine in vsimd), because: $why"
ok_if "vsimd ran on the embedded backend" contains "$out" "Start vsimd --backend embedded"
ok_if "PC/SC: RES of TS 35.208 test set 1" contains "$out" "RES   a54211d5e3ba50bf"
ok_if "no module was loaded" test ! -e /dev/vsimx
tap_done
