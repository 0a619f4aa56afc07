#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vsimd's GSMTAP traces, captured on loopback and decoded by Wireshark's own
# dissectors (tshark): every exchange a PC/SC client makes arrives as a
# GSM SIM APDU, the ATR with its own sub-type, and no PIN crosses the wire.
# Private namespace and pcscd socket (tests/lib/pcscenv.sh).
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
trap 'kill $TSHARK 2>/dev/null; pcscenv_teardown' EXIT
CAP=$PCSC_TMP/gsmtap.pcapng

ok_if "pcscd with vpcd starts in a private namespace" pcscd_start
tshark -i lo -f "udp port 4729" -w "$CAP" -q 2>"$PCSC_TMP/tshark.err" &
TSHARK=$!
ok_if "tshark captures loopback" wait_until 200 grep -q Capturing "$PCSC_TMP/tshark.err"
ok_if "vsimd starts with --gsmtap" vsimd_start --card usim=examples/test-usim.ini \
	--gsmtap 127.0.0.1
ok_if "card present" wait_until 200 card_present "$READER0"
printf '00A4000C022FE2\n00B000000A\n00A4040C07A0000000871002\n002000010831323334FFFFFFFF\n' \
	>"$PCSC_TMP/s.scr"
ok_if "scriptor runs four APDUs" bash -c 'timeout 20 scriptor -r "$1" "$2" >/dev/null 2>&1' _ \
	"$READER0" "$PCSC_TMP/s.scr"
# the last datagram is on its way: let tshark write it, then stop it
wait_until 50 bash -c '[ "$(tshark -r "$1" 2>/dev/null | wc -l)" -ge 5 ]' _ "$CAP"
kill -INT "$TSHARK"
wait "$TSHARK"

summary=$(tshark -r "$CAP" 2>/dev/null)
ok_if "Wireshark decodes SELECT EF_ICCID" contains "$summary" "SELECT File EF.ICCID"
ok_if "Wireshark decodes READ BINARY" contains "$summary" "READ BINARY Offset=0"
ok_if "Wireshark decodes SELECT of the USIM" contains "$summary" "SELECT Application a0000000871002"
ok_if "Wireshark decodes VERIFY" contains "$summary" "VERIFY CHV CHV=1"
# pcscd may power the card more than once before the client's first APDU
# (insertion, then the connect's reset, as its polling falls): one ATR
# packet per power-on, so back-to-back repeats are folded.
payloads=$(tshark -r "$CAP" -T fields -e udp.payload 2>/dev/null | uniq)
check "GSMTAP packets: the ATR (sub-type 01), then C-APDU + R-APDU (sub-type 00)" \
	"020404000000000000000000010000003b8a801fc78031e073fe211b82900026
0204040000000000000000000000000000a4000c022fe29000
0204040000000000000000000000000000b000000a988812010000000010f19000
0204040000000000000000000000000000a4040c07a00000008710029000
02040400000000000000000000000000002000010800000000000000009000" "$payloads"
ok_if "the PIN never crosses the wire" bash -c '! grep -qi 31323334 <<<"$1"' _ "$payloads"

out=$("$VSIMD" --gsmtap "no such host:x" --state "$PCSC_TMP/s2" --socket "$PCSC_TMP/s2.sock" 2>&1); rc=$?
check "a bad --gsmtap address: clear error" "1:vsimd: error: gsmtap 'no such host:x': use HOST or HOST:PORT" \
	"$rc:$(tail -n 1 <<<"$out")"
tap_done
