#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vsim as an osmo-remsim SIM bank, first step (#15): osmo-remsim 1.0.0,
# built unmodified from ../shared/third_party into build/remsim
# (scripts/build-remsim, cached), serves a vsimd card to a remsim client
# on the same host. Bank side: pcscd + vpcd + vsimd, osmo-remsim-server,
# osmo-remsim-bankd with the CSV slot map "1","0","Virtual PCD 00 00";
# a slot mapping bank 1:0 -> client 2:0 POSTed to the server's REST API;
# osmo-remsim-client-shell then reads EF_ICCID through bankd. Runs in its
# own mount + network namespace (tests/lib/pcscenv.sh); remsim's ports
# (9997 REST, 9998 RSPRO, 9999 bankd) are private to it.
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
. tests/lib/remsim.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
SERVER= BANKD= CLIENT=
trap 'exec 3>&- 2>/dev/null; kill $SERVER $BANKD $CLIENT 2>/dev/null; pcscenv_teardown' EXIT
API=http://127.0.0.1:9997/api/backend/v1

remsim_build

ok_if "pcscd with vpcd starts" pcscd_start
ok_if "vsimd starts with one card" vsimd_start --card bank0=examples/test-usim.ini
ok_if "the card is in $READER0" wait_until 300 card_present "$READER0"

"$RS/bin/osmo-remsim-server" >"$PCSC_TMP/server.log" 2>&1 &
SERVER=$!
ok_if "osmo-remsim-server answers its REST API" wait_until 300 curl -sf "$API/banks"

mkdir "$PCSC_TMP/bankd"
printf '"1","0","%s"\n' "$READER0" >"$PCSC_TMP/bankd/bankd_pcsc_slots.csv"
(cd "$PCSC_TMP/bankd" && exec "$RS/bin/osmo-remsim-bankd" -i 127.0.0.1 -n 1 \
	>"$PCSC_TMP/bankd.log" 2>&1) &
BANKD=$!
bank_up() { curl -sf "$API/banks" | grep -q '"bankId":1'; }
ok_if "bankd registers bank 1 with the server" wait_until 300 bank_up

out=$(curl -sf -X POST -H 'Content-Type: application/json' \
	-d '{"bank":{"bankId":1,"slotNr":0},"client":{"clientId":2,"slotNr":0}}' \
	"$API/slotmaps" 2>&1); rc=$?
check "POST slotmaps: bank 1:0 -> client 2:0" 0 "$rc"
ok_if "the server lists the mapping" bash -c 'curl -sf "$1/slotmaps" | grep -q "\"clientId\":2"' _ "$API"

mkfifo "$PCSC_TMP/shell.in"
"$RS/bin/osmo-remsim-client-shell" -i 127.0.0.1 -c 2 -n 0 \
	<"$PCSC_TMP/shell.in" >"$PCSC_TMP/client.log" 2>&1 &
CLIENT=$!
exec 3>"$PCSC_TMP/shell.in"
# the client is connected once bankd has opened the card for it and sent
# its ATR (test-usim.ini's; the shell prints a placeholder 3B 00 first)
mapped() { grep -qi "SET_ATR: 3b 8a 80 1f c7 80 31 e0 73 fe 21 1b 82 90 00 26" "$PCSC_TMP/client.log"; }
ok_if "the client gets the card's ATR through bankd" wait_until 300 mapped
echo 00A4000C022FE2 >&3
ok_if "SELECT EF_ICCID through remsim: 90 00" wait_until 300 \
	grep -qi "R-APDU: 90 00" "$PCSC_TMP/client.log"
echo 00B000000A >&3
ok_if "READ BINARY through remsim: the ICCID" wait_until 300 \
	grep -qi "R-APDU: 98 88 12 01 00 00 00 00 10 f1 90 00" "$PCSC_TMP/client.log"
out=$("$VSIMCTL" status bank0 --json)
ok_if "vsimd counted the APDUs" "$PY" -c '
import json, sys
sys.exit(json.loads(sys.argv[1])["card"]["apdus"] < 2)' "$out"
grep -ai "atr\|R-APDU" "$PCSC_TMP/client.log" | head -5 | sed 's/^/# client: /'
[ "$TAP_FAILED" = 0 ] || for f in server bankd client; do
	tail -15 "$PCSC_TMP/$f.log" | sed "s/^/# $f: /"
done
tap_done
