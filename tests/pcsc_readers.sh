#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# How many vsimd cards one pcscd shows (docs/vsimd.md "Many cards"): nine
# vpcd reader lines, each with its own copy of libifdvpcd.so on ports
# 35963 + 2k, and 18 cards in slots 0..17. pcscd 1.9.9 serves 16 readers
# (PCSCLITE_MAX_READERS_CONTEXTS), two per line: the cards of the first
# eight lines answer APDUs through their reader, the ninth line's two
# readers never appear (no word in pcscd's log) and its cards wait
# unconnected. Runs in its own
# mount + network namespace (tests/lib/pcscenv.sh).
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
trap pcscenv_teardown EXIT
V=$VSIMCTL
DRV=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
LINES=9

readers() {
	"$PY" -c 'from smartcard.System import readers
for r in readers(): print(r)' 2>/dev/null
}

# the reader of line k, slot s (its FRIENDLYNAME is "vsim line k")
reader_of() {
	readers | grep "^vsim line $1 .* 0$2\$"
}

mkdir -p "$PCSC_TMP/conf" "$PCSC_TMP/drv"
for k in $(seq 0 $((LINES - 1))); do
	# a copy, not a link: one file is one driver to the dynamic loader
	cp "$DRV" "$PCSC_TMP/drv/libifdvpcd-$k.so"
	port=$((35963 + 2 * k))
	# one file, read in order (files of a reader.conf.d come in
	# directory order: which line is left out would be anyone's guess)
	printf 'FRIENDLYNAME "vsim line %d"\nDEVICENAME /dev/null:0x%04X\nLIBPATH %s\nCHANNELID 0x%04X\n\n' \
		"$k" "$port" "$PCSC_TMP/drv/libifdvpcd-$k.so" "$port" \
		>>"$PCSC_TMP/conf/vpcd"
done
pcscd -f -a -c "$PCSC_TMP/conf" >>"$PCSC_TMP/pcscd.log" 2>&1 &
PCSCD_PID=$!
ok_if "pcscd with $LINES vpcd lines starts" wait_until 200 test -S /run/pcscd/pcscd.comm

args=()
for i in $(seq 0 $((2 * LINES - 1))); do args+=(--card "c$i=examples/test-usim.ini"); done
ok_if "vsimd starts with $((2 * LINES)) cards" vsimd_start "${args[@]}"

sixteen() { [ "$(readers | wc -l)" = 16 ]; }
ok_if "pcscd shows 16 readers" wait_until 600 sixteen
sleep 1
check "and no more" 16 "$(readers | wc -l)"
check "line $((LINES - 1)) has no reader" "" "$(readers | grep "^vsim line $((LINES - 1)) ")"

bad=0
for n in $(seq 0 15); do
	r=$(reader_of $((n / 2)) $((n % 2)))
	if [ -z "$r" ] || ! wait_until 300 card_present "$r"; then
		echo "# card c$n: no card in reader '$r'"
		bad=$((bad + 1))
		continue
	fi
	out=$("$PY" tests/pcsc/apdus.py "$r" 00A4000C022FE2 00B000000A 2>&1)
	[ "$out" = $'9000\n988812010000000010F19000' ] || {
		echo "# card c$n in '$r': $out"
		bad=$((bad + 1))
	}
done
check "cards 0..15 answer through line n/2, slot n mod 2" 0 "$bad"
st=$("$V" list --json)
ok_if "exactly cards 0..15 are connected; 16 and 17 wait" "$PY" -c '
import json, sys
cards = json.loads(sys.argv[1])["cards"]
on = sorted(c["slot"] for c in cards if c["connected"])
print("# connected slots:", on)
sys.exit(on != list(range(16)))' "$st"
tap_done
