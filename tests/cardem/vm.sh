#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vsimd's SIMtrace2 cardem bridge end to end, inside the QEMU guest
# (scripts/run-tests boots it with dummy_hcd, libcomposite, usb_f_fs and
# vsim.ko): the emulated board (build/cardem-gadget, FunctionFS over
# dummy_hcd: the fake part, a real board cannot reach the VM) plays a
# modem's start-up through real USB, libusb and vsimd to the card, with
# the embedded and the kernel backend; reset and unplug in the middle of
# a command; replug; two boards at once; garbage from a board while the
# other works; the IMEI binding over USB. Every verdict is the modem's
# check of the card's answers or vsimd's log; no timing is asserted.
#
# VSIM_CARDEM_VALGRIND=1 (opt-in: `VSIM_CARDEM_VALGRIND=1 make check`, or
# scripts/run-tests with VSIM_VMTEST=1) runs every vsimd under valgrind's
# memcheck, as VSIMD_WRAPPER does for the PC/SC tests (tests/lib/pcscenv.sh):
# an error or a definite leak makes vsimd's exit status 99, which the
# "stops cleanly" checks see; the reports are kept in build/cardem-vm-logs/.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh

G=build/cardem-gadget
V=build/vsimctl
T=$(mktemp -d /tmp/cardem.XXXXXX)
P=examples/test-usim.ini
PB=examples/test-usim-bound.ini
IMEI_A=490154203237518
IMEI_B=356938035643809
VSIMD=
LOGS=build/cardem-vm-logs	# kept for a post-mortem
GUARD=30			# hang guard of the gadget's waits, never a verdict
VSIMD_WRAPPER=
if [ -n "${VSIM_CARDEM_VALGRIND:-}" ]; then
	VSIMD_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full
		--errors-for-leak-kinds=definite --show-leak-kinds=definite
		--track-fds=no --log-file=$T/valgrind-%p.log"
	GUARD=120	# the emulated CPU runs valgrind's emulated CPU: slow
fi
rm -rf "$LOGS"
trap '[ -n "$VSIMD" ] && kill "$VSIMD" 2>/dev/null; mkdir -p "$LOGS"; cp "$T"/*.log "$T"/*.out "$LOGS"/ 2>/dev/null; rm -rf "$T"' EXIT

# libusb hotplug listens to udevd's events: run udevd as a real box does
/lib/systemd/systemd-udevd --daemon >/dev/null 2>&1

wait_for() {	# wait_for CMD...: a hang guard ($GUARD s), never a verdict on time
	local i
	for i in $(seq $((GUARD * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

in_log() { grep -q -- "$1" "$T/vsimd.log"; }
count_log() { grep -c -- "$1" "$T/vsimd.log"; }

start_vsimd() {	# start_vsimd STATE ARGS...
	local st=$1
	shift
	# shellcheck disable=SC2086 # the wrapper is words
	$VSIMD_WRAPPER build/vsimd --state "$T/$st" --socket "$T/sock" --log-level debug "$@" \
		>"$T/vsimd-$st.log" 2>&1 &
	VSIMD=$!
	ln -sf "vsimd-$st.log" "$T/vsimd.log"
	wait_for test -S "$T/sock"
}

stop_vsimd() {
	kill "$VSIMD" && wait "$VSIMD"
	local rc=$?
	VSIMD=
	return $rc
}

gadget() {	# gadget NAME UDC SERIAL PROFILE IMEI [ARGS...]: the modem's verdict
	local name=$1 udc=$2 serial=$3 prof=$4 imei=$5
	shift 5
	$G --name "$name" --udc "$udc" --serial "$serial" --profile "$prof" \
		--imei "$imei" --guard "$GUARD" "$@" >"$T/$name.out" 2>&1
	local rc=$?
	cat "$T/$name.out" >> "$T/gadgets.log"
	[ $rc = 0 ] || sed 's/^/#   /' "$T/$name.out" | tail -15
	return $rc
}

# --- embedded backend -------------------------------------------------
ok_if "vsimd starts with three cards in boards" start_vsimd emb \
	--card lab=$P --cardem lab=serial=vsim-a \
	--card lab2=$P --cardem lab2=serial=vsim-b,slot=0 \
	--card bound=$PB --cardem bound=serial=vsim-bind

ok_if "start-up through the board: ATR, MF, TERMINAL PROFILE, USIM, IMSI, AD, AKA" \
	gadget g0 dummy_udc.0 vsim-a $P $IMEI_A
ok_if "vsimd found the endpoints in the descriptors (not 04/85/86)" \
	in_log "card lab: in board vsim-a (1-1) slot 0 (1d50:60e3, interface 0, EPs 02/81/85)"
ok_if "the board's power lines powered the card" in_log "card lab: modem powered the card"
ok_if "the modem's power-off reached the card" in_log "card lab: power off"
ok_if "unknown instruction answered 6D00 at once" grep -q "unknown INS: 6D00" "$T/g0.out"
ok_if "vsimd counted the modem's APDUs" test "$(VSIM_SOCKET=$T/sock $V status lab --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["card"]["apdus"] > 10)')" = True

# vsimctl status names the board and slot while the card is in it
mkfifo "$T/hold"
$G --name g0 --udc dummy_udc.0 --serial vsim-a --profile $P --imei $IMEI_A \
	--guard "$GUARD" --scenario hold <"$T/hold" >"$T/hold.out" 2>&1 & H=$!
exec 8>"$T/hold"
# timeout: a vsimd that stops answering fails wait_for instead of hanging
status_has() { VSIM_SOCKET=$T/sock timeout 10 $V status lab | grep -q -- "$1"; }
ok_if "vsimctl status: the card's board and slot" \
	wait_for status_has "reader *SIMtrace2 board vsim-a at 1-1 (1d50:60e3), slot 0 (interface 0)"
ok_if "vsimctl status --json: cardem.in_board, serial, path, slot" test "$(VSIM_SOCKET=$T/sock \
	$V status lab --json | python3 -c 'import json,sys; b=json.load(sys.stdin)["card"]["cardem"];
print(b["in_board"], b["serial"], b["path"], b["slot"], b["interface"], b["pid"])')" = "True vsim-a 1-1 0 0 60e3"
exec 8>&-
wait $H
check "the held board's modem powered off cleanly" 0 $?
ok_if "vsimctl status: waiting for a board once it is unplugged" \
	wait_for status_has "reader *SIMtrace2 board (waiting for one)"

ok_if "reset in the middle of a command (after PB_AND_RX), then a clean start-up" \
	gadget g0 dummy_udc.0 vsim-a $P $IMEI_A --scenario reset-mid
ok_if "unplug in the middle of a command" \
	gadget g0 dummy_udc.0 vsim-a $P $IMEI_A --scenario unplug-mid
ok_if "vsimd released the card of the unplugged board" \
	wait_for in_log "card lab: released; waiting for its board"
ok_if "replug: the card is taken again and the start-up works" \
	gadget g0 dummy_udc.0 vsim-a $P $IMEI_A

# two boards at once, each on its own dummy_hcd bus
gadget g0 dummy_udc.0 vsim-a $P $IMEI_A & A=$!
gadget g1 dummy_udc.1 vsim-b $P $IMEI_A & B=$!
wait $A; ra=$?
wait $B; rb=$?
check "two boards at once: both modems attach" "0 0" "$ra $rb"
ok_if "two boards at once: each card in its own board" \
	in_log "card lab2: in board vsim-b (2-1) slot 0"

before=$(count_log "refused from the board")
gadget g1 dummy_udc.1 vsim-b $P $IMEI_A --scenario garbage & B=$!
gadget g0 dummy_udc.0 vsim-a $P $IMEI_A & A=$!
wait $A; ra=$?
wait $B; rb=$?
check "garbage from one board: the other board's modem attaches" 0 "$ra"
check "garbage from one board: that board's modem attaches afterwards" 0 "$rb"
after=$(count_log "refused from the board")
check "each of the 10 bad messages was logged and refused" 10 "$((after - before))"
for why in "unknown message class 85 type 1" "unknown message class 1 type 63" \
	"truncated" "shorter than a message header" "smaller than the header" \
	"data_len does not match" "not 5 bytes" "data with no command waiting" \
	"STATUS payload is not 13 bytes"; do
	ok_if "refused: $why" in_log "$why"
done
ok_if "vsimd survived the garbage" kill -0 "$VSIMD"

# the binding story over USB: first terminal binds, another is refused
ok_if "binding: modem A binds the first-terminal card and reads the IMSI" \
	gadget g0 dummy_udc.0 vsim-bind $PB $IMEI_A --expect allowed
ok_if "binding: modem B in the same card is refused" \
	gadget g0 dummy_udc.0 vsim-bind $PB $IMEI_B --expect refused
ok_if "binding: modem A again is allowed" \
	gadget g0 dummy_udc.0 vsim-bind $PB $IMEI_A --expect allowed
ok_if "vsimd stops cleanly (SIGTERM)" stop_vsimd
# an unplug may fail the transfers in flight a few times before libusb
# reports the device gone (logged and retried, by design): any other
# warning is a fault
check "no warning beyond the garbage and unplugs' USB errors" "" \
	"$(grep 'warning' "$T/vsimd.log" | grep -v 'refused from the board\|IN transfer status')"

# --- kernel backend: the card lives in vsim.ko ------------------------------
if [ -c /dev/vsimx ]; then
	ok_if "vsimd --backend kernel starts with a card in a board" start_vsimd kern \
		--backend kernel --card k=$P --cardem k=any
	ok_if "kernel backend: start-up through the board" \
		gadget g0 dummy_udc.0 vsim-k $P $IMEI_A
	ok_if "kernel backend: reset in the middle of a command" \
		gadget g0 dummy_udc.0 vsim-k $P $IMEI_A --scenario reset-mid
	ok_if "kernel backend: vsimd stops cleanly after the start-ups" stop_vsimd
	ok_if "kernel backend: bound card, first terminal binds" start_vsimd kbind \
		--backend kernel --card kb=$PB --cardem kb=any
	ok_if "kernel backend: modem A allowed" gadget g0 dummy_udc.0 vsim-k $PB $IMEI_A
	ok_if "kernel backend: modem B refused" gadget g0 dummy_udc.0 vsim-k $PB $IMEI_B --expect refused
	ok_if "kernel backend: modem A again allowed" gadget g0 dummy_udc.0 vsim-k $PB $IMEI_A
	ok_if "kernel backend: vsimd stops cleanly" stop_vsimd
else
	ok_if "vsim.ko is loaded (/dev/vsimx)" false
fi
if [ -n "$VSIMD_WRAPPER" ]; then
	# -q: a report holds something only when valgrind found something,
	# apart from its note that VSIM_IOC_POWER_OFF (0xb911, _IO: no
	# argument at all) has no size hint
	for f in "$T"/valgrind-*.log; do
		check "valgrind: nothing in $(basename "$f")" "" \
			"$(grep -v 'unhandled ioctl 0xb911\|could cause spurious\|README_MISSING_SYSCALL' "$f" |
				grep -v '^==[0-9]*== *$')"
	done
fi
tap_done
