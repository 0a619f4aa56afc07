#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench, remsim part (#15): one vsim card read straight through the
# bank host's pcscd + vpcd, and from a client host through osmo-remsim
# (client pcscd -> remsim ifdhandler -> RSPRO over a veth pair -> bankd ->
# the bank's pcscd + vpcd -> vsimd), the two hosts being network
# namespaces as in tests/remsim_hosts.sh (tests/lib/remsim.sh). SELECT MF
# round trips (bench/pcsc/loop.c), and the first APDU after a PC/SC
# connect (remsim's session, and its once-a-session stall, stay up:
# docs/remsim.md "Cost and the first-APDU stall"). osmo-remsim 1.0.0 is built from
# ../shared/third_party (cached); without the tarball the part says so
# and exits 0. Printed, never judged.
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
pcscenv_enter "$0" "$@"
pcscenv_setup
trap 'remsim_hosts_stop; pcscenv_teardown' EXIT
. tests/lib/remsim.sh
TAR=${VSIM_REMSIM_TAR:-../shared/third_party/osmo-remsim-1.0.0.tar.gz}
if [ ! -f "$TAR" ]; then
	echo "remsim bench: $TAR not found (set VSIM_REMSIM_TAR): skipped"
	exit 0
fi
RS=$(VSIM_REMSIM_TAR=$TAR scripts/build-remsim 2>"$PCSC_TMP/build.err" | tail -1)
L=build/bench/pcsc/loop
N=${BENCH_REMSIM_N:-2000}
FIRST=${BENCH_REMSIM_FIRST:-5}	# connections whose first APDU is timed
SEL_MF=00A4000C023F00

# the median of FIRST one-APDU runs: each connects, then sends one APDU
first() {
	for _ in $(seq "$FIRST"); do
		"$@" x 1 $SEL_MF | awk -F'|' '{ print $5 + 0 }'
	done | sort -n | awk '{ v[NR] = $1 } END { printf "%.0f", v[int((NR + 1) / 2)] }'
}

remsim_client_ns
remsim_veth_up
pcscd_start
vsimd_start --card bank0=examples/test-usim.ini
wait_until 300 card_present "$READER0"
# straight to the card first: once mapped, bankd holds the reader
direct=$($L --reader "$READER0" "bank: pcscd+vpcd -> vsimd (direct)" "$N" $SEL_MF)
d1=$(first "$L" --reader "$READER0")
remsim_server_start
bankd_start
wait_until 300 bank_up
map_to 2
remsim_client_pcscd
wait_until 600 c_present

echo
echo "remsim: one vsim card, SELECT MF, $N APDUs a row; client host and bank host joined by a veth pair"
echo "| path                                         |   APDUs |       APDUs/s |  p50 (us) |  p99 (us) |"
echo "|----------------------------------------------|---------|---------------|-----------|-----------|"
echo "$direct"
in_client "$L" --reader "$RREADER" "client: pcscd -> remsim -> bankd -> vsimd" "$N" $SEL_MF
r1=$(first in_client "$L" --reader "$RREADER")
echo "first APDU after connecting (median of $FIRST): direct $d1 us, through remsim $r1 us"
echo "(a PC/SC connect reuses the client's RSPRO session: remsim's ~42 ms stall,"
echo "no TCP_NODELAY, comes once a session, after its ATR: docs/remsim.md)"
