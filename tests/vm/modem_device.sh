#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vsim-modem on a card in vsim.ko, inside the QEMU guest (scripts/vmtest
# -m vsim.ko -- 'bash tests/vm/modem_device.sh'; issue #13): vsimd
# --backend kernel hosts the card with `--terminal NAME=external`, so it
# keeps the card fd (persist acks, the slow path) but leaves /dev/vsimN to
# vsim-modem --device, whose host side is a pty driven by
# tests/modem/atclient.py. Checks the AT session on the module's card
# (PIN, +CIMI, +CRSM, registration after AKA with the card's Milenage),
# that vsimd committed the card's changes, a second opener refused
# clearly, a +CPWD that survives kill -9 of vsimd, and the refusals of
# terminal = external where it cannot work. No pcscd, no USB.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
# the guest's /dev has no devpts (scripts/vmtest): one for the modem's
# pty, in this test's own mount namespace
if ! mountpoint -q /dev/pts; then
	mkdir -p /dev/pts
	mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts ||
		{ echo "not ok 1 devpts for the modem's pty"; exit 1; }
fi
V=$VSIMCTL
. tests/lib/modempty.sh
MODEM_WAIT=300 AT_TIMEOUT=30	# TCG
trap 'modem_stop; tail -5 "$PCSC_TMP/vsimd.log" | sed "s/^/# /"; pcscenv_teardown' EXIT
# dev_modem DEVICE: vsim-modem on the card's terminal
dev_modem() {
	modem_start --device "$1"
}
# field KEY [CARD]: card CARD's (default m) KEY in `vsimctl list --json`
field() {
	"$V" list --json | "$PY" -c 'import json, sys
c = [c for c in json.load(sys.stdin)["cards"] if c["name"] == sys.argv[2]][0]
print(c.get(sys.argv[1], ""))' "$1" "${2:-m}"
}
# holds PID PATH: process PID has PATH open
holds() {
	local f
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f")" = "$2" ] && return 0
	done
	return 1
}
not_held() { ! holds "$@"; }

modem_hss

# Refusals first: they need no module and start nothing.
out=$("$VSIMD" --state "$PCSC_TMP/no" --socket "$PCSC_TMP/no.sock" \
	--card m=examples/test-usim.ini --terminal m=external 2>&1); rc=$?
check "terminal = external with the embedded backend: exit 2 and why" \
	"2:vsimd: card m: terminal = external needs the kernel backend (an embedded card has no /dev/vsimN)" "$rc:$out"
out=$("$VSIMD" --backend kernel --state "$PCSC_TMP/no" --socket "$PCSC_TMP/no.sock" \
	--card m=examples/test-usim.ini --terminal m=external --cardem m=any 2>&1); rc=$?
check "terminal = external with cardem: exit 2 and why" \
	"2:vsimd: card m: terminal = external and cardem exclude each other (cardem is vsimd's own terminal)" "$rc:$out"
out=$("$VSIMD" --terminal m=modem 2>&1); rc=$?
check "--terminal with an unknown value: exit 2" \
	"2:vsimd: --terminal m=modem: use NAME=external or NAME=vsimd" "$rc:$out"
ok_if "nothing was created by the refusals" test ! -e "$PCSC_TMP/no"

ok_if "/dev/vsimx exists (vsim.ko loaded)" test -c /dev/vsimx
ok_if "vsimd --backend kernel starts card m with --terminal m=external" \
	vsimd_start --backend kernel --card m=examples/test-usim.ini --terminal m=external
check "vsimctl list --json: the terminal is external" external "$(field terminal)"
DEV=$(field device)
ok_if "vsimctl list --json: the card's device ($DEV) exists" test -c "$DEV"
ok_if "vsimd does not hold $DEV" not_held "$VSIMD_PID" "$DEV"
out=$("$V" status m)
echo "$out" | sed 's/^/# /'
ok_if "vsimctl status: device and external terminal" \
	contains "$out" $'  device           '"$DEV"$'\n  terminal         external (vsimd leaves '"$DEV"' to another program)'
ok_if "vsimctl list: the device in the table" contains "$("$V" list)" "$DEV"
ok_if "vsimd logged it" grep -q "card m (ICCID 8988211000000000011): kernel backend, terminal $DEV left to another program" "$PCSC_TMP/vsimd.log"
# the control: a card added by vsimctl is bridged, and vsimd holds its device
"$V" add examples/test-usim.ini --name b >/dev/null
check "a vsimctl-added card: terminal vsimd, its own device" \
	"vsimd /dev/vsim1" "$(field terminal b) $(field device b)"
ok_if "... and vsimd holds /dev/vsim1" holds "$VSIMD_PID" /dev/vsim1
"$V" remove b >/dev/null
ok_if "... until it is removed" wait_until 100 test ! -e /dev/vsim1

ok_if "vsim-modem --device $DEV --pty starts" dev_modem "$DEV"
ok_if "vsim-modem has the SIM" grep -q '^vsim-modem: pty /dev/pts/[0-9]*$' "$PCSC_TMP/modem.out"
ok_if "vsim-modem holds $DEV" holds "$MODEM_PID" "$DEV"
check "AT" "OK" "$(at1 AT)"
check "+CGSN: the modem's IMEI" "490154203237518|OK" "$(at1 AT+CGSN)"
check "+CPIN? SIM PIN (the module's card)" "+CPIN: SIM PIN|OK" "$(at1 'AT+CPIN?')"
check "+CRSM READ BINARY EF_ICCID" '+CRSM: 144,0,"988812010000000010F1"|OK' \
	"$(at1 AT+CRSM=176,12258,0,0,10)"
check "a wrong PIN: 16" "+CME ERROR: 16" "$(at1 'AT+CPIN="1111"')"
check "+CPINR: the card's counter is 2" "+CPINR: SIM PIN,2,|OK" "$(at1 'AT+CPINR="SIM PIN"')"
check "+CPIN=\"1234\" unlocks" "OK" "$(at1 'AT+CPIN="1234"')"
check "+CPIN? READY" "+CPIN: READY|OK" "$(at1 'AT+CPIN?')"
check "+CIMI is the profile's IMSI" "001010123456789|OK" "$(at1 AT+CIMI)"
ok_if "+CEREG? registered (home)" wait_until 300 bash -c \
	'[ "$("$@")" = "AT+CEREG? => +CEREG: 0,1|OK" ]' _ "$PY" tests/modem/atclient.py "$TTY" 'AT+CEREG?'
ok_if "the network side ran AKA on the module's card: RES matched" \
	grep -q "registration accepted: AKA succeeded" "$PCSC_TMP/modem.log"
n=$(field persists)
ok_if "vsimd committed the card's changes (PIN counters, SQN): $n commits" test "${n:-0}" -ge 3
check "... none failed" 0 "$(field persist_failures)"
n=$(field apdus)
ok_if "the module counted the modem's APDUs ($n)" test "${n:-0}" -ge 20

# A second opener while the modem holds the card: refused at once.
out=$(timeout 30 "$V" exec --device "$DEV" 00A4000C023F00 2>&1); rc=$?
check "vsimctl exec --device while the modem holds it: exit 1, busy" \
	"1:vsimctl: $DEV: Device or resource busy" "$rc:$out"
rm -f "$PCSC_TMP/tty2"
timeout 60 "$MODEM" --pty --link "$PCSC_TMP/tty2" --device "$DEV" \
	--log "$PCSC_TMP/modem2.log" >"$PCSC_TMP/modem2.out" 2>"$PCSC_TMP/modem2.err" &
m2=$!
ok_if "a second vsim-modem on $DEV starts without the SIM" \
	wait_until 300 grep -q '^vsim-modem: pty /dev/pts/[0-9]* (no SIM)$' "$PCSC_TMP/modem2.out"
check "... and says why" \
	"vsim-modem: no SIM: $DEV: Device or resource busy (another terminal holds the card: vsimd without terminal = external, or another vsim-modem)" \
	"$(cat "$PCSC_TMP/modem2.err")"
check "... its +CPIN?: SIM not inserted" "+CME ERROR: 10" \
	"$("$PY" tests/modem/atclient.py "$PCSC_TMP/tty2" 'AT+CPIN?' | sed 's/^.* => //')"
kill "$m2" 2>/dev/null
wait "$m2" 2>/dev/null
check "the first modem's session goes on" "001010123456789|OK" "$(at1 AT+CIMI)"

# +CPWD changes PIN1 (durable before the modem's OK), then kill -9 vsimd.
check "+CPWD changes PIN1" "OK" "$(at1 'AT+CPWD="SC","1234","4321"')"
kill -9 "$VSIMD_PID"
wait "$VSIMD_PID" 2>/dev/null
VSIMD_PID=
out=$(at1 AT+CIMI)
ok_if "vsimd killed: the card is gone, +CIMI answers an error ($out)" contains "$out" "ERROR"
modem_stop
ok_if "the module removed $DEV" wait_until 100 test ! -e "$DEV"
ok_if "vsimd restarts the stored card" \
	vsimd_start --backend kernel --card m=examples/test-usim.ini --terminal m=external
DEV=$(field device)
ok_if "its device ($DEV) is back, still external" test -c "$DEV" -a "$(field terminal)" = external
ok_if "a fresh vsim-modem on $DEV" dev_modem "$DEV"
check "fresh session: SIM PIN" "+CPIN: SIM PIN|OK" "$(at1 'AT+CPIN?')"
check "the counter is full again (the PIN was right before the kill)" \
	"+CPINR: SIM PIN,3,|OK" "$(at1 'AT+CPINR="SIM PIN"')"
check "the old PIN is wrong: the change survived kill -9" "+CME ERROR: 16" "$(at1 'AT+CPIN="1234"')"
check "the new PIN unlocks" "OK" "$(at1 'AT+CPIN="4321"')"
ok_if "registered after AKA (the card's SQN resynchronised the HSS)" wait_until 300 bash -c \
	'[ "$("$@")" = "AT+CEREG? => +CEREG: 0,1|OK" ]' _ "$PY" tests/modem/atclient.py "$TTY" 'AT+CEREG?'
ok_if "... through AUTS" grep -q "resynchronisation, the card's SQN is" "$PCSC_TMP/modem.log"
modem_stop
ok_if "vsimd stops cleanly (SIGTERM)" vsimd_stop
tap_done
