#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# OTA through vsim.ko, inside the QEMU guest (scripts/vmtest -m vsim.ko --
# 'bash tests/vm/ota_kernel.sh'): the card lives in the module, which hands
# ENVELOPE SMS-PP download and MENU SELECTION to vsimd as VSIM_EV_SLOW_APDU
# records; vsimd runs the OTA side (VSIM_IOC_EXEC, VSIM_IOC_QUEUE_PROACTIVE),
# commits the changes, then answers (VSIM_IOC_SLOW_ANSWER). First what only
# this path has: the card really in vsim.ko, a PoR by SEND SHORT MESSAGE
# and the card's download request both through the module's proactive
# queue, a remote file write that survives kill -9 of vsimd (committed
# before the PoR); then tests/ota_pcsc.sh with OTA_BACKEND=kernel (RFM,
# domains, kill -9 of vsimd in OTA_VSIMD_KILL_RUNS (15) downloads), and
# tests/bip_pcsc.sh (the request over a BIP channel) the same way.
set -u
shopt -s lastpipe
cd "$(dirname "$0")/../.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
trap pcscenv_teardown EXIT
V=$VSIMCTL
P=examples/test-usim-ota.ini

# apdus READER APDU...: the R-APDUs, hex, the last one's line only
apdus() {
	"$PY" tests/pcsc/apdus.py "$@" | tail -1
}

# field NAME OUTPUT: a "NAME VALUE" line of tests/pcsc/send_sms.py
field() {
	sed -n "s/^$1 //p" <<<"$2"
}

ok_if "/dev/vsimx exists (vsim.ko loaded)" test -c /dev/vsimx
ok_if "pcscd with vpcd starts" pcscd_start
ok_if "vsimd --backend kernel starts" vsimd_start --backend kernel
out=$($V add $P --name ota --json)
ok_if "the OTA card is hosted by vsim.ko" contains "$out" '"backend":"kernel"'
ok_if "its terminal side /dev/vsim0 exists" test -c /dev/vsim0
ok_if "card present" wait_until 300 card_present "$READER0"
ok_if "vsimd serves its OTA through the module's slow path" \
	grep -q "card ota: OTA served by the agent" "$PCSC_TMP/vsimd.log"

# PoR by SMS-SUBMIT (SPI2 b6): the ENVELOPE answers 91xx, the PoR leaves
# as SEND SHORT MESSAGE queued in the module by VSIM_IOC_QUEUE_PROACTIVE
out=$("$PY" tests/pcsc/send_sms.py "$READER0" $($V ota wrap --profile $P \
	--keyset 3 --tar B00010 --counter 1 --spi 1639 00A4000C022FE2 00B000000A))
echo "$out" | sed 's/^/# /'
ok_if "SMS-PP download through vsim.ko, PoR by SMS: 91xx, FETCH, TERMINAL RESPONSE" \
	bash -c '[[ $1 == "91"??" 9000" ]]' _ "$(field sw "$out") $(field tr "$out")"
por=$($V ota por --profile $P --keyset 3 --spi 1639 "$(field ud "$out")" 2>&1)
ok_if "... the SEND SHORT MESSAGE carries the PoR: RFM ok with the ICCID" \
	contains "$por" "commands 2 sw 9000 data 988812010000000010F1"

# the card's download request: MENU SELECTION of item 1 ("demo")
out=$("$PY" tests/pcsc/send_sms.py "$READER0" 80C2000009D30782020181900101)
echo "$out" | sed 's/^/# /'
ok_if "MENU SELECTION through vsim.ko: 91xx, FETCH, TERMINAL RESPONSE" \
	bash -c '[[ $1 == "91"??" 9000" ]]' _ "$(field sw "$out") $(field tr "$out")"
ud=$(field ud "$out")
ok_if "... a SEND SHORT MESSAGE with a command packet (UDH 02 70 00)" \
	contains "${ud:0:6}" "027000"

# a remote write (VSIM_IOC_EXEC's change records) is in the store before
# the PoR: kill -9 of vsimd right after it, the card rebuilt from the store
out=$("$PY" tests/pcsc/apdus.py "$READER0" $($V ota wrap --profile $P \
	--keyset 3 --tar B00011 --counter 2 00A4000C026F46 00D6000003025858))
out=$($V ota por --profile $P --keyset 3 "${out:0:${#out}-4}" 2>&1)
ok_if "RFM UPDATE BINARY of EF_SPN through vsim.ko" contains "$out" "commands 2 sw 9000"
kill -9 "$VSIMD_PID"; wait "$VSIMD_PID" 2>/dev/null; VSIMD_PID=
ok_if "the card left with vsimd" wait_until 300 card_absent "$READER0"
ok_if "vsimd restarts the card in vsim.ko from its store" vsimd_start --backend kernel
ok_if "card present" wait_until 300 card_present "$READER0"
for _ in 1 2 3 4 5 6 7 8 9 10; do	# pcscd may still rescan the reader
	out=$(apdus "$READER0" 00A4040C07A0000000871002 00A4000C026F46 00B0000004) &&
		[ -n "$out" ] && break
	sleep 0.5
done
check "after kill -9: EF_SPN has the remote write" "025858699000" "$out"
$V remove ota >/dev/null
vsimd_stop

# the whole PC/SC flow of the embedded backend, through vsim.ko (its own
# namespaces), numbered on from here
env -u VSIM_PCSC_NS OTA_BACKEND=kernel OTA_KILL_WINDOW_MS=auto \
	OTA_VSIMD_KILL_RUNS="${OTA_VSIMD_KILL_RUNS:-15}" bash tests/ota_pcsc.sh 2>&1 |
while IFS= read -r line; do
	if [[ $line =~ ^(not ok|ok)\ [0-9]+(.*)$ ]]; then
		TAP_N=$((TAP_N + 1))
		echo "${BASH_REMATCH[1]} $TAP_N ota_pcsc:${BASH_REMATCH[2]}"
		[ "${BASH_REMATCH[1]}" = ok ] || TAP_FAILED=1
	elif [[ ! $line =~ ^1\.\.[0-9]+$ ]]; then
		echo "$line"
	fi
done
rc=${PIPESTATUS[0]}
check "tests/ota_pcsc.sh with the kernel backend exits 0" 0 "$rc"

# BIP through vsim.ko: the TERMINAL RESPONSEs and channel events reach
# vsimd as slow-path records (VSIM_PROACTIVE_F_RESPONSE)
env -u VSIM_PCSC_NS OTA_BACKEND=kernel \
	SCP81_VSIMD_KILL_RUNS="${SCP81_VSIMD_KILL_RUNS:-0}" bash tests/bip_pcsc.sh 2>&1 |
while IFS= read -r line; do
	if [[ $line =~ ^(not ok|ok)\ [0-9]+(.*)$ ]]; then
		TAP_N=$((TAP_N + 1))
		echo "${BASH_REMATCH[1]} $TAP_N bip_pcsc:${BASH_REMATCH[2]}"
		[ "${BASH_REMATCH[1]}" = ok ] || TAP_FAILED=1
	elif [[ ! $line =~ ^1\.\.[0-9]+$ ]]; then
		echo "$line"
	fi
done
rc=${PIPESTATUS[0]}
check "tests/bip_pcsc.sh with the kernel backend exits 0" 0 "$rc"
tap_done
