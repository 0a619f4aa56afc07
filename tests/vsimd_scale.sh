#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A lab's cards in one vsimd (issue #15): 1,000 cards from --card
# (embedded; VSIMD_BACKEND=kernel in the VM: tests/vm/vsimd_scale_kernel.sh),
# listed and queried through the control socket (vsimctl); the
# two in vpcd's slots answer APDUs through a real pcscd; a card is added
# and removed beside them; kill -9 and a restart from the store bring all
# 1,000 back with their state. More --card than vsimd holds is refused
# with a message that says so. Prints vsimd's resident memory per card
# and fails above 48 KiB with the embedded backend (docs/vsimd.md "Many
# cards"); with the kernel backend every card is in /sys/class/vsim and
# gone from it while vsimd is dead. Runs in its own
# mount + network namespace (tests/lib/pcscenv.sh).
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
trap pcscenv_teardown EXIT
V=$VSIMCTL
N=${VSIM_SCALE_CARDS:-1000}
B=${VSIMD_BACKEND:-embedded}
P=examples/test-usim.ini
ICCID_READ="988812010000000010F19000"
# readiness caps (0.1 s each): a loaded 2-core box needs ~30 s for 1,000
LONG=3000

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# vsimd_wait ARGS...: vsimd_start with room for a thousand cards' start.
vsimd_wait() {
	"$VSIMD" --backend "$B" --state "$PCSC_TMP/state" \
		--socket "$VSIM_SOCKET" "$@" >>"$PCSC_TMP/vsimd.log" 2>&1 &
	VSIMD_PID=$!
	wait_until $LONG "$V" list
}

kernel_cards() {
	ls /sys/class/vsim 2>/dev/null | grep -c '^vsim'
}

count_cards() {
	"$V" list --json | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["cards"]))'
}

# One card first: the baseline for memory per card.
"$VSIMD" --backend "$B" --state "$PCSC_TMP/one" --socket "$PCSC_TMP/one.sock" \
	--card c0=$P >"$PCSC_TMP/one.log" 2>&1 &
one=$!
ok_if "vsimd with one card starts" wait_until $LONG env VSIM_SOCKET="$PCSC_TMP/one.sock" "$V" list
rss1=$(rss_kb $one)
kill $one; wait $one 2>/dev/null

# Too many --card: refused before anything starts, and said so.
args=()
for i in $(seq 0 4096); do args+=(--card "x$i=$P"); done
"$VSIMD" --backend embedded --state "$PCSC_TMP/many" --socket "$PCSC_TMP/many.sock" \
	"${args[@]}" >/dev/null 2>"$PCSC_TMP/many.err"; rc=$?
check "4,097 --card: exit 2 with the limit named" \
	"2:vsimd: --card x4096=$P: too many cards (at most 4096)" \
	"$rc:$(cat "$PCSC_TMP/many.err")"
ok_if "... and nothing was stored" test ! -e "$PCSC_TMP/many/vsim.db"

ok_if "pcscd with vpcd starts" pcscd_start
args=()
for i in $(seq 0 $((N - 1))); do args+=(--card "c$i=$P"); done
ok_if "vsimd starts with $N $B cards" vsimd_wait "${args[@]}"
check "vsimctl list shows $N cards" "$N" "$(count_cards)"
rssn=$(rss_kb "$VSIMD_PID")
per=$(( (rssn - rss1) * 1024 / (N - 1) ))
echo "# vsimd RSS ($B): $rss1 kB with 1 card, $rssn kB with $N: $per bytes per card"
if [ "$B" = kernel ]; then
	check "all $N cards are in vsim.ko" "$N" "$(kernel_cards)"
else
	ok_if "resident memory per card ($per bytes) at most 48 KiB" test "$per" -le $((48 * 1024))
fi

# The cards in vpcd's two slots answer through pcscd; the rest wait.
ok_if "card c0 present in $READER0" wait_until $LONG card_present "$READER0"
ok_if "card c1 present in $READER1" wait_until $LONG card_present "$READER1"
out=$("$PY" tests/pcsc/apdus.py "$READER0" 00A4000C022FE2 00B000000A 2>&1)
check "c0 reads its ICCID through pcscd" $'9000\n'"$ICCID_READ" "$out"
out=$("$PY" tests/pcsc/apdus.py "$READER1" 00A4040C07A0000000871002 \
	002000010830303030FFFFFFFF 2>&1)
check "c1: a wrong PIN costs a try" $'9000\n63C2' "$out"
st=$("$V" status c0 --json)
ok_if "status c0: connected, APDUs counted" "$PY" -c '
import json, sys
c = json.loads(sys.argv[1])["card"]
sys.exit(not (c["connected"] and c["apdus"] > 0 and c["slot"] == 0))' "$st"
last=c$((N - 1))
st=$("$V" status "$last" --json)
ok_if "status $last: slot $((N - 1)), no reader" "$PY" -c '
import json, sys
c = json.loads(sys.argv[1])["card"]
sys.exit(not (not c["connected"] and c["slot"] == int(sys.argv[2])))' "$st" $((N - 1))

# One more beside them, in the next free slot, then gone again.
out=$("$V" add $P --name extra --json 2>&1)
ok_if "vsimctl add: card $((N + 1)) takes slot $N" "$PY" -c '
import json, sys
sys.exit(json.loads(sys.argv[1])["card"]["slot"] != int(sys.argv[2]))' "$out" "$N"
check "list shows $((N + 1))" "$((N + 1))" "$(count_cards)"
ok_if "vsimctl remove" bash -c '"$1" remove extra >/dev/null' _ "$V"
check "list shows $N again" "$N" "$(count_cards)"

# kill -9, restart from the store alone: every card back, state kept.
kill -9 "$VSIMD_PID"
wait "$VSIMD_PID" 2>/dev/null
VSIMD_PID=
ok_if "pcscd notices c0 is gone" wait_until $LONG card_absent "$READER0"
[ "$B" = kernel ] && check "vsim.ko dropped every card with vsimd" 0 "$(kernel_cards)"
ok_if "vsimd restarts from the store" vsimd_wait
check "all $N cards are back" "$N" "$(count_cards)"
[ "$B" = kernel ] && check "all $N are in vsim.ko again" "$N" "$(kernel_cards)"
echo "# after the restart: $(( ($(rss_kb "$VSIMD_PID") - rss1) * 1024 / (N - 1) )) bytes per card"
ok_if "c1 present again" wait_until $LONG card_present "$READER1"
out=$("$PY" tests/pcsc/apdus.py "$READER1" 00A4040C07A0000000871002 0020000100 2>&1)
check "c1 kept its PIN counter across kill -9" $'9000\n63C2' "$out"

kill -TERM "$VSIMD_PID"
wait "$VSIMD_PID"; rc=$?
VSIMD_PID=
check "SIGTERM: exit status 0" 0 "$rc"
ok_if "vsimd logged no error" bash -c '! grep "vsimd: error: " "$1"' _ "$PCSC_TMP/vsimd.log"
tap_done
