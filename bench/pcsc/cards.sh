#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench, PC/SC part 2: vsimd's CPU per APDU as the number of cards
# it holds connected grows, and APDUs/s with several readers busy at once.
# The cards sit behind real pcscd groups (`vsimctl pcscd run G`, 16
# readers each, docs/vsimd.md "More than 16 cards"); one card answers
# SELECTs (bench/pcsc/loop.c) while the others stay connected and idle,
# then one reader per group is busy at once. vsimd's loop waits on one
# epoll set, so the idle cards should cost nothing per APDU (the poll()
# loop it replaced scanned every socket at each wake-up: docs/vsimd.md
# "Cost per APDU"). Printed, never judged. Own namespaces (pcscenv.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/lib/pcscenv.sh
pcscenv_enter "$0" "$@"
pcscenv_setup
. tests/lib/pcscgroups.sh
trap groups_teardown EXIT
groups_setup
L=build/bench/pcsc/loop
SEL_MF=00A4000C023F00
NC=${BENCH_PCSC_CPU_N:-20000}	# APDUs per busy reader
COUNTS=${BENCH_CARDS_CONNECTED:-1 64 256}
BUSY=${BENCH_CARDS_BUSY:-1 4 8}	# readers busy at once (at most one a group)
HZ=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
reader_of() { echo "vsim group $(($1 / 16)) line $((($1 % 16) / 2)) 00 0$(($1 % 2))"; }
sock_of() { echo "$GROUP_DIR/$(($1 / 16))/pcscd.comm"; }
connected() {
	[ "$("$VSIMCTL" list --json | "$PY" -c 'import json,sys
print(sum(c["connected"] for c in json.load(sys.stdin)["cards"]))')" = "$1" ]
}
printf '[vsimd]\npcscd_groups = yes\n' >"$PCSC_TMP/vsimd.conf"

echo
echo "vsimd and many cards: SELECT MF, $NC APDUs per busy reader, utime+stime at $HZ Hz, $(nproc) cores"
echo "| cards connected | pcscd groups | busy readers | APDUs/s (all readers) | vsimd CPU (us/APDU) |"
echo "|-----------------|--------------|--------------|-----------------------|---------------------|"
for n in $COUNTS; do
	ng=$(((n + 15) / 16))
	groups_start $(seq 0 $((ng - 1)))
	CARD_ARGS=()
	for k in $(seq 0 $((n - 1))); do
		CARD_ARGS+=(--card "c$k=examples/test-usim.ini")
	done
	vsimd_start --config "$PCSC_TMP/vsimd.conf" "${CARD_ARGS[@]}"
	wait_until 600 connected "$n"
	for g in $(seq 0 $((ng - 1))); do
		PCSCLITE_CSOCK_NAME=$(sock_of $((g * 16))) wait_until 300 \
			card_present "$(reader_of $((g * 16)))"
	done
	for busy in $BUSY; do
		[ "$busy" -le "$ng" ] || continue
		pids=()
		v0=$(cpu_ticks "$VSIMD_PID")
		t0=$(date +%s%N)
		for g in $(seq 0 $((busy - 1))); do
			PCSCLITE_CSOCK_NAME=$(sock_of $((g * 16))) \
				$L --reader "$(reader_of $((g * 16)))" x "$NC" $SEL_MF >/dev/null &
			pids+=($!)
		done
		wait "${pids[@]}"
		t1=$(date +%s%N)
		v1=$(cpu_ticks "$VSIMD_PID")
		"$PY" -c 'import sys
n, ng, busy, nc, hz, dv, dt = map(int, sys.argv[1:])
tot = busy * nc
print("| %15d | %12d | %12d | %21.0f | %19.1f |" % (n, ng, busy, tot / (dt / 1e9), dv / hz * 1e6 / tot))' \
			"$n" "$ng" "$busy" "$NC" "$HZ" $((v1 - v0)) $((t1 - t0))
	done
	vsimd_stop
	groups_stop
done
echo "Busy readers are in different groups (one pcscd each); the rest of"
echo "the cards are connected and idle. vsimd's CPU includes the loopback"
echo "TCP work of its send() (pcscd's receive path and wake-up)."
