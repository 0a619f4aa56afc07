#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vsim-modem's USB host side inside the QEMU guest (scripts/run-tests
# boots it with dummy_hcd, libcomposite, usb_f_acm and cdc_acm): the
# modem builds a configfs CDC ACM gadget on dummy_hcd's UDC, the guest's
# own USB host side enumerates it as /dev/ttyACM0 (cdc_acm), and the AT
# client talks to the modem through real USB. The SIM is a card in the
# modem's process (no pcscd in the guest).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/tap.sh
T=$(mktemp -d /tmp/modem-gadget.XXXXXX)
MODEM_PID=
trap '[ -n "$MODEM_PID" ] && kill "$MODEM_PID" 2>/dev/null; wait 2>/dev/null; cat "$T"/modem.out "$T"/modem.log 2>/dev/null | sed "s/^/# /" | tail -20; rm -rf "$T"' EXIT
mkdir -p "$T/st"
ACM=

acm_ready() {	# the first ttyACM whose product is vsim-modem
	local d
	for d in /sys/class/tty/ttyACM*; do
		[ -e "$d" ] || continue
		grep -qs vsim-modem "$d"/device/../product || continue
		ACM=/dev/$(basename "$d")
		[ -c "$ACM" ] && return 0
	done
	return 1
}
wait_for() {	# wait_for TENTHS CMD...
	local n=$1 i=0
	shift
	while ! "$@"; do
		i=$((i + 1))
		[ "$i" -ge "$n" ] && return 1
		sleep 0.1
	done
}

build/vsim-modem --gadget --profile examples/test-usim.ini --state "$T/st" \
	--hss examples/test-usim.ini --log "$T/modem.log" >"$T/modem.out" 2>&1 &
MODEM_PID=$!
ok_if "vsim-modem --gadget binds to dummy_hcd's UDC" \
	wait_for 300 grep -q '^vsim-modem: gadget /dev/ttyGS[0-9]*$' "$T/modem.out"
ok_if "the host side enumerates it: a ttyACM named vsim-modem" wait_for 300 acm_ready
vidpid=$(cat "$(dirname "$(readlink -f /sys/class/tty/${ACM#/dev/}/device)")"/idVendor 2>/dev/null):$(cat "$(dirname "$(readlink -f /sys/class/tty/${ACM#/dev/}/device)")"/idProduct 2>/dev/null)
check "USB id 1d6b:0104" "1d6b:0104" "$vidpid"
out=$(python3 tests/modem/atclient.py "$ACM" --timeout 20 AT AT+CGMI 'AT+CPIN?' \
	'AT+CPIN="1234"' 'AT+CPIN?' AT+CIMI AT+CCID 'AT+CEREG?' 2>&1)
echo "$out" | sed 's/^/# /'
ok_if "over USB: AT answers OK" contains "$out" "AT => OK"
ok_if "over USB: +CPIN? SIM PIN" contains "$out" "AT+CPIN? => +CPIN: SIM PIN|OK"
ok_if "over USB: the PIN unlocks" contains "$out" 'AT+CPIN="1234" => OK'
ok_if "over USB: +CIMI" contains "$out" "AT+CIMI => 001010123456789|OK"
ok_if "over USB: +CCID" contains "$out" "AT+CCID => +CCID: 8988211000000000011|OK"
ok_if "over USB: registered after AKA" contains "$out" "AT+CEREG? => +CEREG: 0,1|OK"
kill "$MODEM_PID"; wait "$MODEM_PID"; rc=$?
MODEM_PID=
check "vsim-modem stops cleanly on SIGTERM" 0 "$rc"
ok_if "the gadget is gone from configfs" test ! -e /sys/kernel/config/usb_gadget/vsim-modem
tap_done
