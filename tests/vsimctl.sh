#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vsimctl's command line as a script would use it: output format, refusals
# of bad input with a message and an exit code, --script, --state.
set -u
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
V=build/vsimctl
P=examples/test-usim.ini
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$($V exec --profile $P 00A4000C022FE2 "00 B0 00 00 0A")
check "one line per APDU, data then SW" $'9000\n988812010000000010F19000' "$out"

out=$($V exec --profile $P 00A40004023F00)
check "no automatic GET RESPONSE" "6125" "$out"

out=$($V exec --profile $P 00A4 00A4000C043F00)
check "malformed APDUs go to the card as given" $'6700\n6700' "$out"

out=$($V exec --profile $P 00A4000C023F00 00ZZ 2>"$tmp/err"); rc=$?
check "non-hex refused: exit 2" "2" "$rc"
check "non-hex refused: nothing sent" "" "$out"
check "non-hex refused: message names the APDU" \
	"vsimctl: APDU 2: not a hex digit" "$(cat "$tmp/err")"

$V exec --profile $P 00A4000 2>"$tmp/err"; rc=$?
check "odd hex digits refused" "2:vsimctl: APDU 1: odd number of hex digits" \
	"$rc:$(cat "$tmp/err")"

printf '# comment\n00A4000C022FE2  # select\n\n00B000000A\n' >"$tmp/s"
out=$($V exec --profile $P --script "$tmp/s")
check "--script with comments" $'9000\n988812010000000010F19000' "$out"

printf '00A4000C022FE2\nnothex\n' >"$tmp/s"
$V exec --profile $P --script "$tmp/s" >/dev/null 2>"$tmp/err"; rc=$?
check "--script names the bad line" "1:vsimctl: $tmp/s:2: not a hex digit" \
	"$rc:$(cat "$tmp/err")"

mkdir "$tmp/st"
$V exec --profile $P --state "$tmp/st" 002000010830303030FFFFFFFF >/dev/null
out=$($V exec --profile $P --state "$tmp/st" 0020000100 \
	00A4040C07A0000000871002 002000010831323334FFFFFFFF \
	00A4000C026F7E 00D6000002ABCD)
check "--state keeps the PIN counter" $'63C2\n9000\n9000\n9000\n9000' "$out"
out=$($V exec --profile $P --state "$tmp/st" 00A4040C07A0000000871002 \
	002000010831323334FFFFFFFF 00A4000C026F7E 00B0000002)
check "--state keeps file updates" $'9000\n9000\n9000\nABCD9000' "$out"
check "state file is owner-only" "600" "$(stat -c %a "$tmp/st/card.state")"

$V exec --profile $P --state "$tmp/missing" 00 2>"$tmp/err"; rc=$?
check "--state on a missing directory" \
	"1:vsimctl: --state $tmp/missing: not a directory" "$rc:$(cat "$tmp/err")"

printf '[card]\niccid = 8988211000000000012\n' >"$tmp/bad.ini"
$V exec --profile "$tmp/bad.ini" 00 2>"$tmp/err"; rc=$?
check "bad profile: exit 1" "1" "$rc"
grep -q "bad.ini:2: field 'iccid'" "$tmp/err"
check "bad profile: message names line and field" "0" "$?"

$V compile --profile $P -o "$tmp/card.img"
check "compile writes an owner-only image" "600" "$(stat -c %a "$tmp/card.img")"

$V exec --profile $P --device /dev/vsim0 00 2>"$tmp/err"; rc=$?
check "--profile and --device together: usage error" \
	"2:vsimctl exec: give --profile FILE [--state DIR], or --device /dev/vsimN" \
	"$rc:$(cat "$tmp/err")"
$V exec --device "$tmp/no-such-card" 00 2>"$tmp/err"; rc=$?
check "--device that does not exist" \
	"1:vsimctl: $tmp/no-such-card: No such file or directory" "$rc:$(cat "$tmp/err")"

# OTA (#12): a TAR that accepts packets without a checked counter accepts
# replays; compiling such a profile says so (and still compiles)
{ cat examples/test-usim-ota.ini; printf '\n[ota tar B00011]\ncounter = any\n'; } |
	sed 's/^counter = higher$/counter = none/' >"$tmp/replay.ini"
$V compile --profile "$tmp/replay.ini" -o "$tmp/replay.img" 2>"$tmp/err"; rc=$?
check "compile warns of each TAR that accepts replays (and compiles)" \
	"0:vsimctl: warning: $tmp/replay.ini: [ota tar B00010] counter = none: a replayed packet is accepted again (TS 102 225 §5.1.1: use higher or next)
vsimctl: warning: $tmp/replay.ini: [ota tar B00011] counter = any: a replayed packet is accepted again (TS 102 225 §5.1.1: use higher or next)" \
	"$rc:$(grep -v 'tar 000000\|tar 564241' "$tmp/err")"
$V compile --profile examples/test-usim-ota.ini -o "$tmp/ota.img" 2>"$tmp/err"
check "the OTA example compiles without a warning" "" "$(cat "$tmp/err")"

# a vsimd that accepts and never answers: vsimctl gives up and says so
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
c = s.accept()[0]; time.sleep(30)' "$tmp/mute.sock" &
mute=$!
for _ in $(seq 50); do [ -S "$tmp/mute.sock" ] && break; sleep 0.1; done
$V list --socket "$tmp/mute.sock" --timeout 1 >/dev/null 2>"$tmp/err"; rc=$?
kill $mute 2>/dev/null; wait $mute 2>/dev/null
check "a mute vsimd: exit 1 after --timeout, with the reason" \
	"1:vsimctl: no answer from vsimd within 1 s (--timeout)" "$rc:$(cat "$tmp/err")"
$V list --timeout 0 2>"$tmp/err"; rc=$?
check "--timeout 0 refused: exit 2, range named" \
	"2:vsimctl list: --timeout 0: seconds, 1-3600" "$rc:$(cat "$tmp/err")"

# pcscd groups: the refusals come before anything is written
$V pcscd run 256 2>"$tmp/err"; rc=$?
check "pcscd run 256: exit 2, range named" \
	"2:vsimctl pcscd run: group 256: use 0-255, its ports 35963+16*GROUP..+15 below 65536" \
	"$rc:$(cat "$tmp/err")"
$V pcscd run 1 --vpcd-port 65510 2>"$tmp/err"; rc=$?
check "pcscd run 1 with ports past 65535: exit 2" \
	"2:vsimctl pcscd run: group 1: use 0-255, its ports 65510+16*GROUP..+15 below 65536" \
	"$rc:$(cat "$tmp/err")"
$V pcscd bankd-slots 1 -- -x 2>"$tmp/err"; rc=$?
check "pcscd bankd-slots takes no --" "2:vsimctl pcscd bankd-slots: no -- here" \
	"$rc:$(cat "$tmp/err")"
out=$($V pcscd bankd-slots 2 --bank 9)
check "bankd-slots 2 --bank 9: 16 lines, group 2's readers" \
	'16 "9","0","^vsim group 2 line 0 00 00$" "9","15","^vsim group 2 line 7 00 01$"' \
	"$(wc -l <<<"$out") $(head -1 <<<"$out") $(tail -1 <<<"$out")"
$V pcscd frob 2>/dev/null; rc=$?
check "pcscd frob: exit 2" "2" "$rc"

$V frobnicate 2>/dev/null; rc=$?
check "unknown command: exit 2" "2" "$rc"

tap_done
