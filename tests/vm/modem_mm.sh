#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# ModemManager (Debian 12's 1.20) on vsim-modem's USB gadget, inside the
# QEMU guest (dummy_hcd, libcomposite, usb_f_acm, cdc_acm): systemd-udevd
# with a rule tagging the gadget ID_MM_DEVICE_PROCESS (MM's STRICT filter
# refuses a lone ttyACM otherwise), a system D-Bus, polkitd with a rule
# allowing ModemManager's actions, ModemManager --debug. The SIM is a card
# in vsim-modem's process. Skipped (exit 0, "# SKIP") without ModemManager.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
T=$(mktemp -d /tmp/modem-mm.XXXXXX)
PIDS=()
# the logs go straight to the repository (they survive a guest killed by
# vmtest's timeout); the .out files are copied at the end
LOGS=build/modem-mm-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	mkdir -p "$LOGS"
	cp "$T"/*.log "$T"/*.out "$LOGS"/ 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
if ! command -v ModemManager >/dev/null; then
	echo "ok 1 # SKIP ModemManager is not installed (apt-get install modemmanager)"
	tap_done
fi
# SMS-DELIVER from +15551000001, GSM 7-bit "hello" (TS 23.040 §9.2.2.1)
MT_PDU=07915155001000F0040B915155010000F100006220111100000005E8329BFD06
wait_for() {	# wait_for SECONDS CMD...: by the clock (one mmcli call
	local end=$((SECONDS + $1))	# takes a second or more under TCG)
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}

mkdir -p /run/dbus /run/udev/rules.d "$T/polkit" "$T/st" "$T/sb"
cat >/run/udev/rules.d/77-vsim-modem.rules <<'RULE'
# vsim-modem's gadget (1d6b:0104): let ModemManager probe its lone ttyACM
ACTION=="add|change|move|bind", SUBSYSTEMS=="usb", ATTRS{idVendor}=="1d6b", ATTRS{idProduct}=="0104", ENV{ID_MM_DEVICE_PROCESS}="1"
RULE
cat >"$T/polkit/50-vsim-mm.rules" <<'RULE'
polkit.addRule(function(action, subject) {
	if (action.id.indexOf("org.freedesktop.ModemManager1.") == 0)
		return polkit.Result.YES;
});
RULE
mount --bind "$T/polkit" /etc/polkit-1/rules.d
/lib/systemd/systemd-udevd --daemon
dbus-daemon --system --fork
/usr/lib/polkit-1/polkitd --no-debug >"$LOGS/polkit.log" 2>&1 &
PIDS+=($!)
ModemManager --debug --log-file="$LOGS/mm.log" &
PIDS+=($!)
ok_if "ModemManager is on the system bus" wait_for 60 \
	dbus-send --system --print-reply --dest=org.freedesktop.ModemManager1 \
	/org/freedesktop/ModemManager1 org.freedesktop.DBus.Peer.Ping
build/vsim-modem --gadget --profile examples/test-usim.ini --state "$T/st" \
	--hss examples/test-usim.ini --log "$LOGS/modem.log" \
	--sms-in "$T/sms-in" --sms-out "$T/sms-out.log" --control "$T/ctl" \
	>"$T/modem.out" 2>&1 &
PIDS+=($!)
ok_if "vsim-modem --gadget is bound" wait_for 30 grep -q gadget "$T/modem.out"
bound=$(date +%s.%N)
udevadm settle -t 30
ok_if "mmcli -L lists the modem" wait_for 180 bash -c 'mmcli -L | grep -q "vsim-modem"'
mmcli -L | tee "$T/mmcli-L.out" | sed 's/^/# /'
mmcli -m 0 | tee "$T/mmcli-m.out" | sed 's/^/# /'
# a figure for `make bench-modem`, never judged: from the gadget's bind to
# ModemManager showing the locked SIM (mmcli polled; one call takes about
# a second under TCG, so this is an upper bound)
awk -v a="$bound" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }' \
	>"$LOGS/probe-to-locked"
echo "# figure: gadget bound to 'lock: sim-pin' in $(cat "$LOGS/probe-to-locked") s"
out=$(cat "$T/mmcli-m.out")
ok_if "mmcli -m 0: lock sim-pin" contains "$out" "lock: sim-pin"
ok_if "mmcli -m 0: the card's retries (sim-pin 3, sim-puk 10)" contains "$out" "sim-pin (3), sim-puk (10)"
ok_if "mmcli -m 0: the IMEI" contains "$out" "490154203237518"
mmcli -i 0 | tee "$T/mmcli-i.out" | sed 's/^/# /'
ok_if "mmcli -i 0: the ICCID" grep -q 8988211000000000011 "$T/mmcli-i.out"
# A wrong PIN costs one try on the card; three block PIN1 (sim-puk) and
# the PUK with a new PIN recovers (the counters are the card's: VERIFY
# and UNBLOCK PIN without data, TS 102 221 §11.1.9 and §11.1.13).
out=$(mmcli -i 0 --pin=0000 2>&1)
ok_if "a wrong PIN is refused" contains "$out" "couldn't send PIN code"
ok_if "the card counted it: sim-pin (2)" wait_for 30 bash -c 'mmcli -m 0 | grep -q "sim-pin (2)"'
mmcli -i 0 --pin=0000 >"$T/wrongpin2.out" 2>&1
mmcli -i 0 --pin=0000 >"$T/wrongpin3.out" 2>&1
ok_if "three wrong PINs: lock sim-puk" wait_for 120 bash -c 'mmcli -m 0 | grep -q "lock: sim-puk"'
mmcli -m 0 | grep -E 'lock:|retries' | sed 's/^/# /'
out=$(mmcli -i 0 --puk=12345678 --pin=1234 2>&1)
ok_if "mmcli --puk with a new PIN unblocks" contains "$out" "successfully sent PUK code to the SIM"
wait_for 180 bash -c 'mmcli -i 0 | grep -q 001010123456789'
mmcli -i 0 | tee "$T/mmcli-i2.out" | sed 's/^/# /'
ok_if "after the PIN: the IMSI" grep -q 001010123456789 "$T/mmcli-i2.out"
ok_if "after the PIN: the operator name (EF_SPN)" grep -q "vsim test" "$T/mmcli-i2.out"
# Unlocking re-runs MM's initialisation: enabling before it is over is
# refused ("modem in initializing state"), so wait for "disabled".
ok_if "after the PUK: state disabled" wait_for 180 bash -c 'mmcli -m 0 | grep -q "state: disabled"'
out=$(mmcli -m 0 -e 2>&1)
echo "$out" | sed 's/^/# /'
ok_if "mmcli -m 0 -e enables" contains "$out" "successfully enabled the modem"
ok_if "state: registered" wait_for 120 bash -c 'mmcli -m 0 | grep -Eq "state: .*(registered|connected)"'
mmcli -m 0 | tee "$T/mmcli-m2.out" | sed 's/^/# /'
ok_if "registration: home" grep -q "registration: home" "$T/mmcli-m2.out"

# An SMS through ModemManager (+CMGS in PDU mode) reaches the network side.
out=$(timeout 60 mmcli -m 0 --messaging-create-sms="text='hello vsim',number='+15551000001'" 2>&1)
echo "$out" | sed 's/^/# /'
sms=$(sed -n 's|.*/SMS/\([0-9]*\).*|\1|p' <<<"$out" | head -1)
out=$(timeout 90 mmcli -s "${sms:-0}" --send 2>&1)
echo "$out" | sed 's/^/# /'
ok_if "mmcli --send: the SMS is sent" contains "$out" "successfully sent the SMS"
ok_if "the MO SMS reached vsim-modem's network side" grep -q "^MO " "$T/sms-out.log"
sed 's/^/# /' "$T/sms-out.log"

# An MT SMS from the network side (vsim-modem's --sms-in FIFO): +CMTI,
# ModemManager reads it with +CMGR and lists it.
echo "$MT_PDU" >"$T/sms-in"
ok_if "the MT SMS is listed (received)" wait_for 120 bash -c \
	'mmcli -m 0 --messaging-list-sms | grep -q "(received)"'
mmcli -m 0 --messaging-list-sms | tee "$T/sms-list.out" | sed 's/^/# /'
sms=$(sed -n 's|.*/SMS/\([0-9]*\) (received).*|\1|p' "$T/sms-list.out" | head -1)
if [ -n "$sms" ]; then
	mmcli -s "$sms" | tee "$T/sms-mt.out" | sed 's/^/# /'
else
	: >"$T/sms-mt.out"
fi
ok_if "the MT SMS: its sender" grep -Eq "number: \+15551000001$" "$T/sms-mt.out"
ok_if "the MT SMS: its text" grep -Eq "text: hello$" "$T/sms-mt.out"
ok_if "the MT SMS: received" grep -Eq "state: received$" "$T/sms-mt.out"

# --change-pin, --disable-pin and --enable-pin change the card: the card's
# PS_DO through vsim-modem's status after each (ModemManager does not
# reload its "enabled locks" after them), and the card itself after the
# modem is gone, by vsimctl exec on the same state.
pin1_enabled() {	# pin1_enabled true|false: the card says so now
	build/vsim-modem --status "$T/ctl" --json | grep -q "\"pin1_enabled\":$1"
}
out=$(mmcli -i 0 --pin=1234 --change-pin=4321 2>&1)
ok_if "mmcli --change-pin" contains "$out" "successfully changed PIN code in the SIM"
out=$(mmcli -i 0 --pin=4321 --disable-pin 2>&1)
ok_if "mmcli --disable-pin" contains "$out" "successfully disabled PIN code request in the SIM"
ok_if "the card: PIN1 disabled" pin1_enabled false
out=$(mmcli -i 0 --pin=4321 --enable-pin 2>&1)
ok_if "mmcli --enable-pin" contains "$out" "successfully enabled PIN code request in the SIM"
ok_if "the card: PIN1 enabled again" pin1_enabled true
out=$(mmcli -i 0 --pin=4321 --disable-pin 2>&1)
ok_if "mmcli --disable-pin again" contains "$out" "successfully disabled PIN code request in the SIM"
ok_if "the card: PIN1 disabled again" pin1_enabled false
kill "${PIDS[-1]}"; wait "${PIDS[-1]}"
ok_if "the modem leaves ModemManager" wait_for 60 bash -c '! mmcli -L | grep -q vsim-modem'
out=$(build/vsimctl exec --profile examples/test-usim.ini --state "$T/st" \
	00A40004023F00 "0020000108 34333231FFFFFFFF" 2>&1)
ok_if "the card: PIN1 is now 4321" contains "$out" $'\n9000'
st=$(build/vsimctl exec --profile examples/test-usim.ini --state "$T/st" \
	00A40004023F00 00C0000025 2>&1 | tail -1)
ok_if "the card: PIN1 verification disabled (PS_DO 60)" contains "$st" "C60C900160"

# The IMEI binding through ModemManager: a card bound to another IMEI.
build/vsimctl term --profile examples/test-usim-bound.ini --state "$T/sb" \
	--imei 356938035643809 >"$T/term.out" 2>&1
ok_if "test-usim-bound.ini bound to 356938035643809 first" grep -q "attach: allowed" "$T/term.out"
build/vsim-modem --gadget --profile examples/test-usim-bound.ini --state "$T/sb" \
	--hss examples/test-usim.ini --log "$LOGS/modem2.log" >"$T/modem2.out" 2>&1 &
PIDS+=($!)
ok_if "mmcli -L lists the modem with the bound card" wait_for 180 bash -c 'mmcli -L | grep -q "vsim-modem"'
M=$(mmcli -L | sed -n 's|.*/Modem/\([0-9]*\) .*|\1|p' | head -1)
S=$(mmcli -m "$M" | sed -n 's|.*primary sim path: .*/SIM/\([0-9]*\).*|\1|p')
out=$(mmcli -i "$S" --pin=1234 2>&1)
ok_if "bound card: the PIN is accepted" contains "$out" "successfully sent PIN code"
ok_if "bound card: state disabled" wait_for 180 bash -c "mmcli -m $M | grep -q 'state: disabled'"
mmcli -m "$M" -e >"$T/enable2.out" 2>&1
ok_if "bound card, another IMEI: registration denied" wait_for 120 bash -c \
	"mmcli -m $M | grep -q 'registration: denied'"
mmcli -m "$M" | tee "$T/mmcli-m3.out" | sed 's/^/# /'
ok_if "bound card: vsim-modem's log says why" grep -q "the card withholds its IMSI" "$LOGS/modem2.log"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}"
ok_if "that modem leaves ModemManager" wait_for 60 bash -c '! mmcli -L | grep -q vsim-modem'

# First-terminal mode through ModemManager: an unbound card binds to this
# modem's IMEI (+CGSN, MM's "equipment id") and registers; the card then
# names that IMEI (binding show with ADM1), and this modem registers again.
bound_modem() {	# bound_modem LOG: vsim-modem on the card of $T/sf
	build/vsim-modem --gadget --profile examples/test-usim-bound.ini --state "$T/sf" \
		--hss examples/test-usim.ini --log "$LOGS/$1" >"$T/$1.out" 2>&1 &
	PIDS+=($!)
	wait_for 180 bash -c 'mmcli -L | grep -q "vsim-modem"' || return 1
	M=$(mmcli -L | sed -n 's|.*/Modem/\([0-9]*\) .*|\1|p' | head -1)
	S=$(mmcli -m "$M" | sed -n 's|.*primary sim path: .*/SIM/\([0-9]*\).*|\1|p')
	mmcli -i "$S" --pin=1234 >/dev/null 2>&1 &&
		wait_for 180 bash -c "mmcli -m $M | grep -q 'state: disabled'" &&
		mmcli -m "$M" -e >/dev/null 2>&1 &&
		wait_for 120 bash -c "mmcli -m $M | grep -q 'registration: home'"
}
mkdir "$T/sf"
ok_if "first-terminal card, fresh: registered through ModemManager" bound_modem modem3.log
imei=$(mmcli -m "$M" | sed -n 's/.*equipment id: \([0-9]*\).*/\1/p')
kill "${PIDS[-1]}"; wait "${PIDS[-1]}"
ok_if "... the modem leaves ModemManager" wait_for 60 bash -c '! mmcli -L | grep -q vsim-modem'
out=$(build/vsimctl binding show --profile examples/test-usim-bound.ini --state "$T/sf" \
	--adm 88888888 | tail -n 1)
check "... the card bound itself to ModemManager's equipment id ($imei)" \
	"imei: ${imei:0:14}" "$out"
ok_if "bound to this modem's IMEI: registered again" bound_modem modem4.log
tap_done
