#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A remsim bankd per pcscd group (docs/remsim.md "More than 16 cards"):
# 20 vsimd cards, each with its own ICCID, behind pcscd groups 0 and 1
# (`vsimctl pcscd run`); one osmo-remsim-bankd per group, started by the
# command lines of the shipped unit examples/vsim-bankd@.service: its
# bankd_pcsc_slots.csv from `vsimctl pcscd bankd-slots G`, its PC/SC
# socket from PCSCLITE_CSOCK_NAME, bank ids 1 and 2, each bankd on
# its own address (127.0.0.2, .3: remsim 1.0.0 sends every client to port
# 9999), both registered with one osmo-remsim-server. Bank 2 slot 1 mapped
# to one shell client reads card 17's ICCID, bank 1 slot 3 mapped to
# another reads card 3's. osmo-remsim 1.0.0 as in tests/remsim_bank.sh
# (built into build/remsim, cached; skipped without the tarball). Runs in
# its own mount + network namespace.
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
. tests/lib/remsim.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
. tests/lib/pcscgroups.sh
PIDS=()
cleanup() {
	exec 3>&- 4>&- 2>/dev/null
	kill "${PIDS[@]}" 2>/dev/null
	groups_teardown
}
trap cleanup EXIT
groups_setup || { echo "not ok 1 tmpfs on $GROUP_DIR"; exit 1; }
API=http://127.0.0.1:9997/api/backend/v1

remsim_build

ok_if "pcscd groups 0 and 1 start" groups_start 0 1
printf '[vsimd]\npcscd_groups = yes\n' >"$PCSC_TMP/vsimd.conf"
group_cards 20
ok_if "vsimd starts with 20 cards" vsimd_start --config "$PCSC_TMP/vsimd.conf" "${CARD_ARGS[@]}"

"$RS/bin/osmo-remsim-server" >"$PCSC_TMP/server.log" 2>&1 &
PIDS+=($!)
ok_if "osmo-remsim-server answers its REST API" wait_until 300 curl -sf "$API/banks"

# bankd_for G BANK ADDR: group G's bankd as bank BANK on address ADDR,
# by the command lines of the shipped unit examples/vsim-bankd@.service
# (instance G, its environment as /etc/vsim/bankd-G.env would give it).
# The 1.0.0 server sends clients to port 9999 of the address it sees a
# bankd connect from (rspro_server.c: "bankd_port = 9999; /* TODO:
# configurable */"), so each bankd needs an address of its own: one of
# the host's, on which it listens (-I) and through which it reaches the
# server (-i: a connection to a local address leaves from that address).
UNIT=examples/vsim-bankd@.service
unit_line() {
	sed -n "s/^$1=//p" "$UNIT" | sed "s/%i/$2/g; s|/usr/bin/vsimctl|$VSIMCTL|g"
}
bankd_for() {
	local pre start
	pre=$(unit_line ExecStartPre "$1")
	start=$(unit_line ExecStart "$1")
	ip addr add "$3/32" dev lo || return 1
	mkdir "$PCSC_TMP/bankd$1"
	(cd "$PCSC_TMP/bankd$1" && export BANK=$2 && eval "$pre") || return 1
	(cd "$PCSC_TMP/bankd$1" &&
	 export BANKD=$RS/bin/osmo-remsim-bankd SERVER=$3 ADDR=$3 BANK=$2 \
		PCSCLITE_CSOCK_NAME=$GROUP_DIR/$1/pcscd.comm &&
	 eval "exec $start" >"$PCSC_TMP/bankd$1.log" 2>&1) &
	PIDS+=($!)
}
ok_if "bankd for group 0: bank 1 on 127.0.0.2" bankd_for 0 1 127.0.0.2
ok_if "bankd for group 1: bank 2 on 127.0.0.3" bankd_for 1 2 127.0.0.3
banks_up() { b=$(curl -sf "$API/banks"); contains "$b" '"bankId":1' && contains "$b" '"bankId":2'; }
ok_if "both bankds register (banks 1 and 2)" wait_until 300 banks_up

# map BANK SLOT CLIENT: bank slot -> client slot 0
map() {
	curl -sf -X POST -H 'Content-Type: application/json' \
		-d "{\"bank\":{\"bankId\":$1,\"slotNr\":$2},\"client\":{\"clientId\":$3,\"slotNr\":0}}" \
		"$API/slotmaps" >/dev/null
}
# expected READ BINARY answer of EF_ICCID for card N, as the shell prints it
iccid_rapdu() {
	"$PY" -c '
import sys
d = sys.argv[1] + "F"
b = bytes(int(d[i + 1] + d[i], 16) for i in range(0, 20, 2))
print(" ".join("%02x" % x for x in b + b"\x90\x00"))' "$(iccid_of "$1")"
}

ok_if "map bank 2 slot 1 to client 2" map 2 1 2
ok_if "map bank 1 slot 3 to client 3" map 1 3 3
# client C FD: a shell client on fifo FD, its log client-C.log
for c in 2 3; do
	mkfifo "$PCSC_TMP/shell$c.in"
	"$RS/bin/osmo-remsim-client-shell" -i 127.0.0.1 -c $c -n 0 \
		<"$PCSC_TMP/shell$c.in" >"$PCSC_TMP/client$c.log" 2>&1 &
	PIDS+=($!)
done
exec 3>"$PCSC_TMP/shell2.in" 4>"$PCSC_TMP/shell3.in"
atr() { grep -qi "SET_ATR: 3b 8a 80 1f c7 80 31 e0 73 fe 21 1b 82 90 00 26" "$PCSC_TMP/client$1.log"; }
ok_if "client 2 gets a card through group 1's bankd" wait_until 300 atr 2
ok_if "... which the server named as 127.0.0.3:9999" \
	grep -q "RSPRO link to 127.0.0.3:9999 UP" "$PCSC_TMP/client2.log"
ok_if "client 3 gets a card through group 0's bankd" wait_until 300 atr 3
# one C-APDU at a time: the 1.0.0 shell asserts on two lines in one read()
for c in 2 3; do
	echo 00A4000C022FE2 >&$((c + 1))
	wait_until 300 grep -qi "R-APDU: 90 00" "$PCSC_TMP/client$c.log"
	echo 00B000000A >&$((c + 1))
done
ok_if "client 2 (bank 2 slot 1) reads card 17's ICCID $(iccid_of 17)" wait_until 300 \
	grep -qi "R-APDU: $(iccid_rapdu 17)" "$PCSC_TMP/client2.log"
ok_if "client 3 (bank 1 slot 3) reads card 3's ICCID $(iccid_of 3)" wait_until 300 \
	grep -qi "R-APDU: $(iccid_rapdu 3)" "$PCSC_TMP/client3.log"
out=$("$VSIMCTL" list --json)
ok_if "vsimd counted APDUs on c17 and c3, none on c16" "$PY" -c '
import json, sys
c = {c["name"]: c for c in json.loads(sys.argv[1])["cards"]}
sys.exit(not (c["c17"]["apdus"] >= 2 and c["c3"]["apdus"] >= 2 and c["c16"]["apdus"] == 0))' "$out"
[ "$TAP_FAILED" = 0 ] || for f in server bankd0 bankd1 client2 client3; do
	tail -15 "$PCSC_TMP/$f.log" | sed "s/^/# $f: /"
done
tap_done
