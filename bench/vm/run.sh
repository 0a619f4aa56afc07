#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench, the VM part (the Makefile's bench-vm boots the guest once
# with vsim.ko, dummy_hcd, libcomposite and usb_f_fs): one table of round
# trips in the same guest, from the cheapest path to the longest:
#   /dev/vsimN of vsim.ko (bench_dev --rows: ioctl floor, TRANSMIT,
#     AUTHENTICATE, write()+read(), GET IDENTITY with ECIES A and B);
#   the card engine in-process (bench/pcsc/loop --engine, no store);
#   pcscd + Debian's vpcd -> vsimd (bench/pcsc/loop --reader);
#   a modem's T=0 command through the emulated SIMtrace2 board:
#     FunctionFS gadget -> dummy_hcd -> libusb -> vsimd
#     (build/cardem-gadget --scenario bench).
# Then a second table (build/bench/bench_cards): 1, 16, 256 and 1,000
# cards in vsim.ko and in-process, start-up and memory per card and the
# cost of an APDU when the exchanges go round the cards.
# The last three reach the same card image with the same case-2 READ
# BINARY (EF_ICCID, 10 bytes) and case-3 UPDATE BINARY (EF_NETPAR, 4
# bytes); the two vsimd paths are two cards of one vsimd (embedded
# backend), each UPDATE committed to its store before the 9000.
# Times are printed, never judged: the exit status says only whether every
# answer was right. Private pcscd in its own namespaces (tests/lib/pcscenv.sh);
# udevd runs inside them too, for libusb's hotplug (as tests/cardem/vm.sh).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/pcscenv.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "bench-vm: namespace set-up failed" >&2; exit 1; }
UDEVD=
trap '[ -n "$UDEVD" ] && kill "$UDEVD" 2>/dev/null; pcscenv_teardown' EXIT

N=${VSIM_BENCH_RT_ITERS:-2000}	# round trips per engine/PC/SC/board row
P=examples/test-usim.ini
IMG=build/images/test-usim.img
L=build/bench/pcsc/loop
R=$PCSC_TMP/rows
rc=0

# the same commands as the gadget's bench (tests/cardem-gadget/main.c)
SEL_ICCID=00A4000C022FE2
READ=00B000000A
SETUP_UPD=(--setup 00A4040C07A0000000871002 --setup 002000010831323334FFFFFFFF
	--setup 00A4000C026FC4)
UPD=00D6000004DEADBEEF

build/bench/vm/bench_dev --rows >"$R.dev" 2>"$PCSC_TMP/notes" || rc=1
# many cards (#15): the same engine in vsim.ko and in-process, 1..1,000 cards
{ build/bench/bench_cards --kernel && build/bench/bench_cards | grep -v '^#\|^host'; } \
	>"$R.cards" 2>>"$PCSC_TMP/notes" || rc=1

/lib/systemd/systemd-udevd >/dev/null 2>&1 &
UDEVD=$!
pcscd_start || { echo "bench-vm: pcscd did not start" >&2; exit 1; }
vsimd_start --card pcsc=$P --card board=$P --cardem board=any ||
	{ echo "bench-vm: vsimd did not start" >&2; exit 1; }
wait_until 300 card_present "$READER0" || { echo "bench-vm: no card in $READER0" >&2; exit 1; }

{
	$L --engine "$IMG" "engine in-process: READ BINARY (case 2)" "$((N * 10))" \
		--setup $SEL_ICCID $READ || rc=1
	$L --engine "$IMG" "engine in-process: UPDATE BINARY (case 3)" "$((N * 10))" \
		"${SETUP_UPD[@]}" $UPD || rc=1
	$L --reader "$READER0" "pcscd+vpcd->vsimd: READ BINARY (case 2)" "$N" \
		--setup $SEL_ICCID $READ || rc=1
	$L --reader "$READER0" "pcscd+vpcd->vsimd: UPDATE BINARY (case 3)" "$N" \
		"${SETUP_UPD[@]}" $UPD || rc=1
} >"$R.pcsc" 2>>"$PCSC_TMP/notes"

build/cardem-gadget --profile $P --imei 490154203237518 --serial vsim-bench \
	--scenario bench --count "$N" --guard 60 >"$PCSC_TMP/gadget.out" 2>&1 || {
	rc=1
	cat "$PCSC_TMP/gadget.out" >>"$PCSC_TMP/notes"
}
grep '^|' "$PCSC_TMP/gadget.out" >"$R.board"

echo "# bench-vm: one QEMU (TCG) guest, $(uname -r), $(nproc) vCPU; all times from the guest's CLOCK_MONOTONIC"
printf '| %-44s | %7s | %13s | %9s | %9s |\n' path iters "round trips/s" "p50 (us)" "p99 (us)"
echo "|----------------------------------------------|---------|---------------|-----------|-----------|"
cat "$R.dev" "$R.pcsc" "$R.board"
echo "# a round trip is one APDU (one ioctl for the floor); the board rows time a"
echo "# modem's whole T=0 command, header to SW2, through dummy_hcd's 1 ms frames."
echo "# vsimd counted $("$VSIMCTL" status board --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["card"]["apdus"])') APDUs from the board,"\
	"$("$VSIMCTL" status pcsc --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["card"]["apdus"])') from PC/SC."
echo
cat "$R.cards"
sed 's/^# //; s/^/# /' "$PCSC_TMP/notes"
exit $rc
