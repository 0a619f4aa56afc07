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
LOGS=build/modem-mm-logs
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
wait_for() {	# wait_for TENTHS CMD...
	local n=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge "$n" ] && return 1
		sleep 0.1
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
/usr/lib/polkit-1/polkitd --no-debug >"$T/polkit.log" 2>&1 &
PIDS+=($!)
ModemManager --debug --log-file="$T/mm.log" &
PIDS+=($!)
ok_if "ModemManager is on the system bus" wait_for 600 \
	dbus-send --system --print-reply --dest=org.freedesktop.ModemManager1 \
	/org/freedesktop/ModemManager1 org.freedesktop.DBus.Peer.Ping
build/vsim-modem --gadget --profile examples/test-usim.ini --state "$T/st" \
	--hss examples/test-usim.ini --log "$T/modem.log" \
	--sms-out "$T/sms-out.log" >"$T/modem.out" 2>&1 &
PIDS+=($!)
ok_if "vsim-modem --gadget is bound" wait_for 300 grep -q gadget "$T/modem.out"
udevadm settle -t 30
ok_if "mmcli -L lists the modem" wait_for 1800 bash -c 'mmcli -L | grep -q "vsim-modem"'
mmcli -L | tee "$T/mmcli-L.out" | sed 's/^/# /'
mmcli -m 0 | tee "$T/mmcli-m.out" | sed 's/^/# /'
out=$(cat "$T/mmcli-m.out")
ok_if "mmcli -m 0: lock sim-pin" contains "$out" "lock: sim-pin"
ok_if "mmcli -m 0: the card's retries (sim-pin 3, sim-puk 10)" contains "$out" "sim-pin (3), sim-puk (10)"
ok_if "mmcli -m 0: the IMEI" contains "$out" "490154203237518"
mmcli -i 0 | tee "$T/mmcli-i.out" | sed 's/^/# /'
ok_if "mmcli -i 0: the ICCID" grep -q 8988211000000000011 "$T/mmcli-i.out"
out=$(mmcli -i 0 --pin=1234 2>&1)
ok_if "mmcli --pin=1234 unlocks" contains "$out" "successfully sent PIN code to the SIM"
wait_for 600 bash -c 'mmcli -i 0 | grep -q 001010123456789'
mmcli -i 0 | tee "$T/mmcli-i2.out" | sed 's/^/# /'
ok_if "after the PIN: the IMSI" grep -q 001010123456789 "$T/mmcli-i2.out"
ok_if "after the PIN: the operator name (EF_SPN)" grep -q "vsim test" "$T/mmcli-i2.out"
out=$(mmcli -m 0 -e 2>&1)
echo "$out" | sed 's/^/# /'
ok_if "mmcli -m 0 -e enables" contains "$out" "successfully enabled the modem"
ok_if "state: registered" wait_for 600 bash -c 'mmcli -m 0 | grep -Eq "state: .*(registered|connected)"'
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

# --change-pin and --disable-pin change the card: checked after the modem
# is gone, by vsimctl exec on the same card state (a fresh power cycle).
out=$(mmcli -i 0 --pin=1234 --change-pin=4321 2>&1)
ok_if "mmcli --change-pin" contains "$out" "successfully changed PIN code in the SIM"
out=$(mmcli -i 0 --pin=4321 --disable-pin 2>&1)
ok_if "mmcli --disable-pin" contains "$out" "successfully disabled PIN code request in the SIM"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}"
ok_if "the modem leaves ModemManager" wait_for 300 bash -c '! mmcli -L | grep -q vsim-modem'
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
	--hss examples/test-usim.ini --log "$T/modem2.log" >"$T/modem2.out" 2>&1 &
PIDS+=($!)
ok_if "mmcli -L lists the modem with the bound card" wait_for 1800 bash -c 'mmcli -L | grep -q "vsim-modem"'
M=$(mmcli -L | sed -n 's|.*/Modem/\([0-9]*\) .*|\1|p' | head -1)
S=$(mmcli -m "$M" | sed -n 's|.*primary sim path: .*/SIM/\([0-9]*\).*|\1|p')
out=$(mmcli -i "$S" --pin=1234 2>&1)
ok_if "bound card: the PIN is accepted" contains "$out" "successfully sent PIN code"
mmcli -m "$M" -e >"$T/enable2.out" 2>&1
ok_if "bound card, another IMEI: registration denied" wait_for 600 bash -c \
	"mmcli -m $M | grep -q 'registration: denied'"
mmcli -m "$M" | tee "$T/mmcli-m3.out" | sed 's/^/# /'
ok_if "bound card: vsim-modem's log says why" grep -q "the card withholds its IMSI" "$T/modem2.log"
tap_done
