#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vsim as an osmo-remsim SIM bank for another host (#15): two network
# namespaces joined by a veth pair stand for two machines.
#   bank host   10.77.0.1: pcscd + vpcd, vsimd, osmo-remsim-server,
#                          osmo-remsim-bankd (slot 1:0 = "Virtual PCD 00 00")
#   client host 10.77.0.2: its own pcscd whose only reader is remsim's
#                          ifdhandler (client 2:0), and a shell client 3:0
# Unmodified PC/SC tools on the client host (opensc-tool, pyscard) read
# ICCID and IMSI and run AKA with the TS 35.208 set 1 vector; the slot is
# remapped to the other client and back; the bank's vsimd is killed with
# SIGKILL mid-session and restarted, and the client sees the card return
# with its state intact (the PIN retry counter and the SQN it last took).
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
. tests/lib/remsim.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
SHELLC=
cleanup() {
	exec 3>&- 2>/dev/null
	kill $SHELLC 2>/dev/null
	remsim_hosts_stop
	pcscenv_teardown
}
trap cleanup EXIT
trap "exit 1" TERM INT

remsim_build
ok_if "the client host's namespaces are up" remsim_client_ns
ok_if "a veth pair joins bank $BANK_IP and client $CLIENT_IP" remsim_veth_up

# the bank host
ok_if "bank: pcscd with vpcd starts" pcscd_start
ok_if "bank: vsimd starts with one card" vsimd_start --card bank0=examples/test-usim.ini
ok_if "bank: the card is in $READER0" wait_until 300 card_present "$READER0"
ok_if "bank: osmo-remsim-server answers its REST API" remsim_server_start
ok_if "client: the bank host's REST API is reachable over the veth" in_client curl -sfo /dev/null "$API/banks"
bankd_start
ok_if "bank: bankd registers bank 1 with the server" wait_until 300 bank_up
ok_if "REST: map bank 1:0 to client 2:0" map_to 2
ok_if "client: pcscd with the remsim ifdhandler starts" remsim_client_pcscd
ok_if "client: the vsim card is present in '$RREADER'" wait_until 600 c_present

# opensc-tool, unmodified: EF_ICCID (TS 102 221 §13.2) through remsim
out=$(in_client opensc-tool -r "$RREADER" -s 00A40004022FE2 -s 00B000000A 2>&1)
ok_if "opensc-tool reads EF_ICCID through remsim" contains "$out" \
	"SW1=0x90, SW2=0x00):
98 88 12 01 00 00 00 00 10 F1"

# remsim 1.0.0's ifdhandler waits without a timeout for the answer to a
# C-APDU; if bankd drops the client meanwhile it never comes (docs/remsim.md)
apdus() { in_client timeout 60 "$PY" tests/pcsc/apdus.py "$RREADER" "$@"; }
USIM=00A4040C07A0000000871002
AKA=00880081221023553CBE9637A89D218AE64DAE47BF351055F328B43577B9B94A9FFAC354DFAFB3
out=$(apdus $USIM 002000010831323334FFFFFFFF 00A4000C026F07 00B0000009 2>&1)
check "pyscard: PIN 1234, EF_IMSI" "9000
9000
9000
0809101010325476989000" "$(echo "$out" | cut -c1-999)"
# TS 35.208 set 1 (RAND, AUTN): RES f2 = A54211D5E3BA50BF, then CK, IK
out=$(apdus $USIM 002000010831323334FFFFFFFF "$AKA" 2>&1 | tail -1)
ok_if "AKA with TS 35.208 set 1 through remsim: RES A54211D5E3BA50BF" \
	contains "$out" "DB08A54211D5E3BA50BF10B40BA9A3C58B2A05BBF0D987B21BF8CB"

# remap the slot to the other client on the client host, then back
ok_if "REST: delete the mapping" unmap
ok_if "client: the card leaves '$RREADER'" wait_until 600 bash -c '! "$@"' _ c_present
mkfifo "$PCSC_TMP/shell.in"
in_client "$RS/bin/osmo-remsim-client-shell" -i $BANK_IP -c 3 -n 0 \
	<"$PCSC_TMP/shell.in" >"$PCSC_TMP/shell.log" 2>&1 &
SHELLC=$!
exec 3>"$PCSC_TMP/shell.in"
ok_if "REST: map bank 1:0 to client 3:0" wait_until 100 map_to 3
shell_atr() { grep -qi "SET_ATR: 3b 8a 80 1f" "$PCSC_TMP/shell.log"; }
ok_if "client 3 gets the card's ATR" wait_until 600 shell_atr
# one line per read(): the shell client (1.0.0) asserts when two C-APDU
# lines arrive in one read, so the next goes after the previous answer
echo 00A4000C022FE2 >&3
ok_if "client 3 selects EF_ICCID" wait_until 300 grep -qi "R-APDU: 90 00" "$PCSC_TMP/shell.log"
echo 00B000000A >&3
ok_if "client 3 reads EF_ICCID" wait_until 300 \
	grep -qi "R-APDU: 98 88 12 01 00 00 00 00 10 f1 90 00" "$PCSC_TMP/shell.log"
exec 3>&-
kill "$SHELLC" 2>/dev/null
SHELLC=
ok_if "REST: delete client 3's mapping" unmap
ok_if "REST: map bank 1:0 back to client 2:0" wait_until 100 map_to 2
ok_if "client: the card is back in '$RREADER'" wait_until 600 c_present

# state before the bank fails: one wrong PIN (2 tries left), and the
# card has taken SQN 0x...1 from the AKA above
out=$(apdus $USIM 002000010830303030FFFFFFFF 0020000100 2>&1 | tail -1)
check "a wrong PIN through remsim: 2 tries left" 63C2 "$out"

kill -9 "$VSIMD_PID"
wait "$VSIMD_PID" 2>/dev/null
VSIMD_PID=
ok_if "client: the card is gone when the bank's vsimd dies" \
	wait_until 600 bash -c '! "$@"' _ c_present
ok_if "bank: vsimd restarts on its store" vsimd_start --card bank0=examples/test-usim.ini
# bankd 1.0.0 keeps the PC/SC handle it opened before the card left: its
# next SCardTransmit fails (protocol mismatch), it drops the client, and
# the client's C-APDU in flight is never answered (its ifdhandler waits
# without a timeout). So bankd restarts with vsimd, as a systemd unit with
# BindsTo=vsimd.service does (docs/remsim.md); the client reconnects.
n=$(grep -c 'Rx RSPRO setAtrRes' "$PCSC_TMP/bankd.log")
kill "$BANKD"
wait "$BANKD" 2>/dev/null
bankd_start
ok_if "bank: the new bankd serves client 2 the card" wait_until 900 \
	bash -c '[ "$(grep -c "Rx RSPRO setAtrRes" "$1")" -gt "$2" ]' _ "$PCSC_TMP/bankd.log" "$n"
ok_if "client: the card comes back in '$RREADER'" wait_until 900 c_present
out=$(apdus $USIM 0020000100 2>&1 | tail -1)
check "after the restart: still 2 PIN tries left" 63C2 "$out"
# the same vector again: its SQN is not fresh any more, so the card
# answers synchronisation failure (DC, AUTS; TS 31.102 §7.1.2.1)
out=$(apdus $USIM 002000010831323334FFFFFFFF "$AKA" 2>&1 | tail -1)
ok_if "after the restart: the old vector is a replay (DC + AUTS)" contains "$out" "DC0E"
out=$(apdus 00A4000C023F00 00A4000C022FE2 00B000000A 2>&1 | tail -1)
check "after the restart: EF_ICCID" "988812010000000010F19000" "$out"

[ "$TAP_FAILED" = 0 ] || for f in server bankd client-pcscd shell vsimd; do
	tail -15 "$PCSC_TMP/$f.log" | sed "s/^/# $f: /"
done
tap_done
