#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# More than 16 cards through PC/SC (docs/vsimd.md "More than 16 cards"):
# 20 vsimd cards, each with its own ICCID, behind two pcscd groups
# started with `vsimctl pcscd run 0` and `run 1` (real pcscd + vpcd, each
# group in its own mount namespace). Every card answers with its ICCID
# through the pcscd socket and reader `vsimctl list --json` names, which
# follow the layout (card N: group N/16, line N%16/2, slot N%2), and
# opensc-tool reads card 17 there too; a
# group-1 card is not reachable through group 0's socket and the other
# way round; bankd's slot CSV names exactly the group's readers; SIGHUP
# with pcscd_groups = no gives Debian's one-pcscd names back; a missing
# driver is refused; a group's pcscd killed with SIGKILL runs again over
# its stale socket and gets its cards back; the groups stop with nothing
# left. Runs in its own mount + network namespace
# (tests/lib/pcscenv.sh), with a tmpfs on /run/vsim-pcscd.
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
. tests/lib/pcscgroups.sh
trap groups_teardown EXIT
groups_setup || { echo "not ok 1 tmpfs on $GROUP_DIR"; exit 1; }
G=$GROUP_DIR
V=$VSIMCTL
N=20

# in_group G CMD...: CMD as a client of group G's pcscd
in_group() {
	local g=$1
	shift
	PCSCLITE_CSOCK_NAME=$G/$g/pcscd.comm "$@"
}

ok_if "vsimctl pcscd run 0 and 1: each group's pcscd serves its socket" \
	groups_start 0 1
check "pcscd in the groups: the processes vsimctl became" "pcscd,pcscd" \
	"$(ps -o comm= -p "${GPIDS[0]}"),$(ps -o comm= -p "${GPIDS[1]}")"
out=$("$V" pcscd run 1 2>&1); rc=$?
check "a second group 1 is refused while one runs" \
	"1:vsimctl pcscd run: group 1: its pcscd already runs (pid ${GPIDS[1]})" "$rc:$out"
check "the default socket stays free" "" "$(ls /run/pcscd)"

printf '[vsimd]\npcscd_groups = yes\n' >"$PCSC_TMP/vsimd.conf"
group_cards $N
ok_if "vsimd starts with $N cards" vsimd_start --config "$PCSC_TMP/vsimd.conf" "${CARD_ARGS[@]}"

list0=$(in_group 0 "$PY" tests/pcsc/iccids.py --list)
list1=$(in_group 1 "$PY" tests/pcsc/iccids.py --list)
check "group 0 shows 16 readers" 16 "$(grep -c . <<<"$list0")"
check "group 1 shows 16 readers" 16 "$(grep -c . <<<"$list1")"
check "... named vsim group G line L 00 0S" "vsim group 0 line 7 00 01|vsim group 1 line 0 00 00" \
	"$(grep -x 'vsim group 0 line 7 00 01' <<<"$list0")|$(grep -x 'vsim group 1 line 0 00 00' <<<"$list1")"

# what vsimctl list --json says, one "SLOT SOCKET|READER" a line
json=$("$V" list --json)
said=$("$PY" -c '
import json, sys
for c in sorted(json.loads(sys.argv[1])["cards"], key=lambda c: c["slot"]):
    print("%d %s|%s" % (c["slot"], c["pcscd"], c["reader"]))' "$json")
want=$(for n in $(seq 0 $((N - 1))); do
	k=$((n % 16))
	echo "$n $G/$((n / 16))/pcscd.comm|vsim group $((n / 16)) line $((k / 2)) 00 0$((k % 2))"
done)
check "vsimctl list --json: each card's socket and reader by the layout" "$want" "$said"

# each card through the socket and reader the list names
bad=0
while read -r n rest; do
	sock=${rest%%|*}
	reader=${rest#*|}
	got=$(PCSCLITE_CSOCK_NAME=$sock "$PY" tests/pcsc/iccids.py "$reader")
	if [ "$got" != "$reader=$(iccid_of "$n")" ]; then
		echo "# card c$n via $sock '$reader': $got"
		bad=$((bad + 1))
	fi
done <<<"$said"
check "all $N cards answer with their own ICCID where the list says" 0 "$bad"

out=$(in_group 1 timeout 30 opensc-tool -r "vsim group 1 line 0 00 01" \
	-s 00A4000C022FE2 -s 00B000000A 2>&1)
ok_if "opensc-tool through group 1's socket: card c17's EF_ICCID" \
	contains "$out" "98 88 12 01 00 00 00 00 71 F7"
out=$(in_group 0 "$PY" tests/pcsc/iccids.py "vsim group 1 line 0 00 01")
check "card c17 (group 1) is not in group 0's pcscd" "vsim group 1 line 0 00 01=no-such-reader" "$out"
out=$(in_group 1 "$PY" tests/pcsc/iccids.py "vsim group 0 line 0 00 01")
check "card c1 (group 0) is not in group 1's pcscd" "vsim group 0 line 0 00 01=no-such-reader" "$out"
# every card has shown up by now: an empty reader need not be waited for
out=$(ICCIDS_WAIT=1 in_group 1 "$PY" tests/pcsc/iccids.py "vsim group 1 line 2 00 00")
check "group 1's line 2 (no card 20) stays empty" "vsim group 1 line 2 00 00=absent" "$out"

ok_if "vsimctl list shows c17's socket and reader" \
	grep -Eq "^c17 .* $G/1/pcscd.comm +vsim group 1 line 0 00 01\$" <<<"$("$V" list)"
out=$("$V" status c3)
ok_if "vsimctl status shows them too" \
	contains "$out" "pcscd, reader    $G/0/pcscd.comm, vsim group 0 line 1 00 01"

# bankd's slot CSV for group 1: each slot's pattern names one reader, its own
csv=$("$V" pcscd bankd-slots 1)
bad=0
while IFS=, read -r bank slot re; do
	re=${re//\"/}
	m=$(grep -E -c "$re" <<<"$list1")
	[ "$bank$m" = '"2"1' ] || { echo "# $bank,$slot,$re: $m readers"; bad=$((bad + 1)); }
done <<<"$csv"
check "bankd-slots 1: 16 slots of bank 2, each matching one reader" "16:0" \
	"$(grep -c . <<<"$csv"):$bad"
check "slot 1 is card 17's reader" '"2","1","^vsim group 1 line 0 00 01$"' \
	"$(sed -n 2p <<<"$csv")"

# without pcscd_groups the list names Debian's one pcscd ("Virtual PCD")
printf '[vsimd]\npcscd_groups = no\n' >"$PCSC_TMP/vsimd.conf"
kill -HUP "$VSIMD_PID"
plain() {
	"$V" list --json | "$PY" -c '
import json, sys
c = {c["slot"]: c for c in json.load(sys.stdin)["cards"]}
print(c[1]["pcscd"], c[1]["reader"], c[2]["pcscd"], c[2]["reader"])'
}
ok_if "SIGHUP, pcscd_groups = no: slot 1 is Debian's 'Virtual PCD 00 01', slot 2 none" \
	wait_until 100 test "$(plain)" = "/run/pcscd/pcscd.comm Virtual PCD 00 01 None None"
out=$("$V" list)
ok_if "... and vsimctl list prints them, '-' where none" bash -c '
grep -Eq "^c1 .* /run/pcscd/pcscd.comm +Virtual PCD 00 01\$" <<<"$1" &&
grep -Eq "^c2 .* - +-\$" <<<"$1"' _ "$out"
printf '[vsimd]\npcscd_groups = maybe\n' >"$PCSC_TMP/vsimd.conf"
out=$("$VSIMD" --config "$PCSC_TMP/vsimd.conf" --state "$PCSC_TMP/other" 2>&1); rc=$?
check "pcscd_groups = maybe is refused" \
	"2:vsimd: $PCSC_TMP/vsimd.conf:2: pcscd_groups 'maybe': use yes or no" "$rc:$out"

out=$("$V" pcscd run 2 --driver "$PCSC_TMP/none" 2>&1); rc=$?
check "a missing driver: exit 1, named, no pcscd for group 2" \
	"1:vsimctl pcscd run: $PCSC_TMP/none: No such file or directory:" \
	"$rc:$out:$(ls "$G/2" 2>/dev/null | grep pcscd)"

# group 0's pcscd killed: its socket and pid file stay behind; a new run
# clears them, and the cards come back into the group by themselves
kill -9 "${GPIDS[0]}"
wait "${GPIDS[0]}" 2>/dev/null
check "kill -9 leaves group 0's socket behind" yes "$(test -S "$G/0/pcscd.comm" && echo yes)"
"$V" pcscd run 0 >>"$PCSC_TMP/pcscd-0.log" 2>&1 &
GPIDS[0]=$!
back() { [ "$(in_group 0 "$PY" tests/pcsc/iccids.py "vsim group 0 line 1 00 01")" = "vsim group 0 line 1 00 01=$(iccid_of 3)" ]; }
ok_if "vsimctl pcscd run 0 again: card c3 answers in it" wait_until 100 back

# stop the groups: pcscd leaves with its socket, nothing else stays
kill "${GPIDS[@]}"
gone=0
for p in "${GPIDS[@]}"; do
	wait "$p"
	kill -0 "$p" 2>/dev/null || gone=$((gone + 1))
done
check "both groups' pcscd stopped" 2 "$gone"
check "and their sockets are gone" "" "$(ls "$G"/*/pcscd.comm "$G"/*/pcscd.pid 2>/dev/null)"
GPIDS=()
out=$(in_group 1 "$PY" tests/pcsc/iccids.py --list 2>&1)
ok_if "a client of group 1 now finds no pcscd" contains "$out" "no pcscd"
tap_done
