#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# oFono (Debian 12's 1.31) on vsim-modem's USB gadget, inside the QEMU
# guest (dummy_hcd, libcomposite, usb_f_acm, cdc_acm). oFono has no
# generic driver for a USB modem: its udevng plugin matches USB modems by
# VID:PID or an OFONO_DRIVER property on the USB device, and then wants
# that vendor's port layout. A lone ttyACM is taken as a "serial" modem
# instead: a udev rule gives the tty OFONO_DRIVER=tc65 (oFono's
# "cinterion" driver: plain TS 27.007 atoms, no vendor commands, SIM
# always inserted) and clears the ID_BUS=usb that 60-serial.rules set, so
# udevng takes the serial path with Device=/dev/ttyACMn. Then D-Bus only,
# with busctl: Powered, the SIM with its PIN, the IMSI, Online,
# registration. Skipped (exit 0, "# SKIP") without ofonod.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
T=$(mktemp -d /tmp/modem-ofono.XXXXXX)
PIDS=()
# the logs go straight to the repository: they survive a guest that is
# killed by vmtest's timeout
LOGS=build/modem-ofono-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
if ! command -v ofonod >/dev/null; then
	echo "ok 1 # SKIP oFono is not installed (apt-get install ofono)"
	tap_done
fi
wait_for() {	# wait_for SECONDS CMD...: by the clock (busctl and python
	local end=$((SECONDS + $1))	# take seconds each under TCG)
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}
call() {	# call PATH IFACE METHOD [SIGNATURE ARGS...]: busctl, JSON out
	busctl --system --timeout=20 --json=short call org.ofono "$@"
}
props() {	# props PATH IFACE: GetProperties as {"name": value, ...}
	call "$1" "$2" GetProperties | python3 -c '
import json, sys
d = json.load(sys.stdin)["data"][0]
print(json.dumps({k: v["data"] for k, v in d.items()}, sort_keys=True))'
}
has() {	# has PATH IFACE JSON-FRAGMENT
	props "$1" "$2" | grep -qF "$3"
}

mkdir -p /run/dbus /run/udev/rules.d "$T/st" "$T/lib"
cp udev/78-vsim-modem-ofono.rules /run/udev/rules.d/
# oFono keeps per-IMSI settings under /var/lib/ofono (read-only here)
mount --bind "$T/lib" /var/lib/ofono
/lib/systemd/systemd-udevd --daemon
dbus-daemon --system --fork
build/vsim-modem --gadget --profile examples/test-usim.ini --state "$T/st" \
	--hss examples/test-usim.ini --log "$LOGS/modem.log" --control "$T/ctl" \
	--sms-out "$LOGS/sms-out.log" \
	>"$LOGS/modem.out" 2>&1 &
PIDS+=($!)
ok_if "vsim-modem --gadget is bound" wait_for 30 grep -q gadget "$LOGS/modem.out"
udevadm settle -t 30
ok_if "the udev rule gives the ttyACM OFONO_DRIVER=tc65" wait_for 30 bash -c \
	'udevadm info /dev/ttyACM0 | grep -q "OFONO_DRIVER=tc65"'
udevadm info /dev/ttyACM0 | grep -E 'OFONO|ID_BUS|DEVNAME' | sed 's/^/# /'
OFONO_AT_DEBUG=1 ofonod -n -d >"$LOGS/ofono.log" 2>&1 &
PIDS+=($!)
ok_if "oFono lists a modem" wait_for 60 bash -c \
	"busctl --system call org.ofono / org.ofono.Manager GetModems | grep -q '\"/'"
busctl --system call org.ofono / org.ofono.Manager GetModems | tee "$LOGS/modems.out" | sed 's/^/# /'
M=$(grep -o '"/[^"]*"' "$LOGS/modems.out" | head -1 | tr -d '"')
if [ -z "$M" ]; then
	echo "# no modem in oFono: see $LOGS/ofono.log"
	tap_done
fi
out=$(props "$M" org.ofono.Modem)
echo "# $out"
ok_if "the modem is vsim-modem's ttyACM" contains "$out" '"SystemPath": "/sys/devices/platform/dummy_hcd'

call "$M" org.ofono.Modem SetProperty sv Powered b true >"$T/power.out" 2>&1
ok_if "Powered" wait_for 60 has "$M" org.ofono.Modem '"Powered": true'
ok_if "the SIM manager appears" wait_for 60 has "$M" org.ofono.Modem '"org.ofono.SimManager"'
ok_if "SimManager: the PIN is required" wait_for 60 has "$M" org.ofono.SimManager '"PinRequired": "pin"'
out=$(props "$M" org.ofono.SimManager)
echo "# $out"
ok_if "SimManager: Present" contains "$out" '"Present": true'
ok_if "SimManager: the card's retries (+CPINR)" contains "$out" '"Retries": {"pin": 3, "pin2": 3, "puk": 10, "puk2": 10}'
ok_if "SimManager: the ICCID (EF_ICCID by +CRSM)" contains "$out" '"CardIdentifier": "8988211000000000011"'
ok_if "SimManager: no IMSI before the PIN" bash -c "! grep -q SubscriberIdentity <<<'$out'"

out=$(call "$M" org.ofono.SimManager EnterPin ss pin 0000 2>&1)
ok_if "EnterPin with a wrong PIN fails" contains "$out" "Operation failed"
ok_if "SimManager: the card counted it (pin 2)" wait_for 30 has "$M" org.ofono.SimManager '"pin": 2'
ok_if "EnterPin 1234" call "$M" org.ofono.SimManager EnterPin ss pin 1234
# oFono 1.31's core then waits for the driver's "SIM initialised" signal,
# which its cinterion driver (vendor 0 atoms) never gives: PinRequired
# stays "pin" (its log: "Waiting for ofono_sim_initialized_notify"). A
# power cycle of the modem in oFono asks +CPIN? again; vsim-modem keeps its
# card session, so the card answers READY and oFono goes on to the IMSI.
ok_if "the card verified the PIN (vsim-modem's status: READY)" bash -c \
	"build/vsim-modem --status '$T/ctl' --json | grep -q '\"state\":\"READY\"'"
call "$M" org.ofono.Modem SetProperty sv Powered b false >"$T/power0.out" 2>&1
ok_if "Powered off" wait_for 60 has "$M" org.ofono.Modem '"Powered": false'
call "$M" org.ofono.Modem SetProperty sv Powered b true >"$T/power1.out" 2>&1
ok_if "Powered on again" wait_for 60 has "$M" org.ofono.Modem '"Powered": true'
ok_if "SimManager: the IMSI read from the card" wait_for 60 has "$M" org.ofono.SimManager \
	'"SubscriberIdentity": "001010123456789"'
out=$(props "$M" org.ofono.SimManager)
echo "# $out"
ok_if "SimManager: PinRequired none" contains "$out" '"PinRequired": "none"'
ok_if "SimManager: the own number (EF_MSISDN)" contains "$out" '"SubscriberNumbers": ["+15550100001"]'
ok_if "SimManager: MCC 001, MNC 01 (EF_AD)" contains "$out" '"MobileCountryCode": "001", "MobileNetworkCode": "01"'

call "$M" org.ofono.Modem SetProperty sv Online b true >"$T/online.out" 2>&1
ok_if "Online" wait_for 60 has "$M" org.ofono.Modem '"Online": true'
ok_if "NetworkRegistration: registered after AKA" wait_for 90 has "$M" \
	org.ofono.NetworkRegistration '"Status": "registered"'
out=$(props "$M" org.ofono.NetworkRegistration)
echo "# $out"
ok_if "NetworkRegistration: MCC 001 MNC 01" contains "$out" '"MobileCountryCode": "001", "MobileNetworkCode": "01"'
ok_if "NetworkRegistration: the home network's name is EF_SPN's" contains "$out" '"Name": "vsim test"'
ok_if "vsim-modem's network side accepted the card after AKA" \
	grep -q "network: registration accepted" "$LOGS/modem.log"

# An SMS through oFono's MessageManager (+CMGS in PDU mode).
ok_if "the MessageManager appears" wait_for 60 has "$M" org.ofono.Modem '"org.ofono.MessageManager"'
out=$(call "$M" org.ofono.MessageManager SendMessage ss +15551000001 "hello ofono" 2>&1)
echo "# $out"
ok_if "SendMessage queues the SMS" contains "$out" '"type":"o"'
ok_if "the MO SMS reached vsim-modem's network side" wait_for 60 grep -q "^MO " "$LOGS/sms-out.log"
sed 's/^/# /' "$LOGS/sms-out.log" 2>/dev/null
props "$M" org.ofono.Modem | sed 's/^/# /'
tap_done
