#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vsimd behind a real pcscd with Debian's vsmartcard-vpcd driver, seen by
# unmodified PC/SC clients: pcsc_scan, opensc-tool, scriptor, eapol_test
# (USIM AKA), pyscard replaying the golden transcripts; two cards in two
# slots; vsimctl's control commands and trace; refusals of bad input.
# Runs in its own mount + network namespace with a private pcscd socket
# (tests/lib/pcscenv.sh): a system pcscd is neither used nor disturbed.
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
trap pcscenv_teardown EXIT
V=$VSIMCTL

ok_if "pcscd with vpcd starts in a private namespace" pcscd_start
ok_if "vsimd starts with two cards" vsimd_start \
	--card usim=examples/test-usim.ini --card eap=examples/test-usim-eapol.ini
ok_if "card present in slot 0" wait_until 200 card_present "$READER0"
ok_if "card present in slot 1" wait_until 200 card_present "$READER1"

# pcsc_scan: the reader, "Card inserted" and the profile's default ATR.
ATR="3B 8A 80 1F C7 80 31 E0 73 FE 21 1B 82 90 00 26"
out=$(timeout 20 pcsc_scan -t 2 -n 2>&1)
ok_if "pcsc_scan: card inserted in $READER0 with the profile's ATR" \
	contains "$out" "ATR: $ATR"
ok_if "pcsc_scan: both readers listed" contains "$out" "$READER1"

out=$(timeout 20 opensc-tool -r 0 -a 2>&1)
check "opensc-tool -a prints the ATR" "3b:8a:80:1f:c7:80:31:e0:73:fe:21:1b:82:90:00:26" "$out"

# scriptor: EF_ICCID of each card, one slot each (two cards at once).
printf '00A4000C022FE2\n00B000000A\n' >"$PCSC_TMP/iccid.scr"
out=$(timeout 20 scriptor -r "$READER0" "$PCSC_TMP/iccid.scr" 2>&1)
ok_if "scriptor: slot 0 is ICCID 8988211000000000011" \
	contains "$out" "< 98 88 12 01 00 00 00 00 10 F1 90 00"
out=$(timeout 20 scriptor -r "$READER1" "$PCSC_TMP/iccid.scr" 2>&1)
ok_if "scriptor: slot 1 is ICCID 8988211000000000029" \
	contains "$out" "< 98 88 12 01 00 00 00 00 20 F9 90 00"

# eapol_test's PC/SC self-test: IMSI, GSM and UMTS AUTHENTICATE.
out=$(timeout 60 eapol_test -R "$READER1" scard 2>&1); rc=$?
check "eapol_test scard exits 0" 0 "$rc"
ok_if "eapol_test: USIM AKA succeeds" contains "$out" "UMTS auth completed successfully"
ok_if "eapol_test: RES 4ca1ca9753c97554" \
	contains "$out" "RES - hexdump(len=8): 4c a1 ca 97 53 c9 75 54"
ok_if "eapol_test: reads the IMSI" contains "$out" "001010000000042"

# vsimctl list/status, human and JSON.
out=$($V list)
ok_if "vsimctl list shows both cards connected" \
	bash -c '[ "$(grep -c connected <<<"$1")" = 2 ]' _ "$out"
out=$($V status eap --json)
ok_if "vsimctl status --json: counts eapol_test's AUTHENTICATEs" \
	"$PY" -c 'import json,sys; c=json.loads(sys.argv[1])["card"]; sys.exit(not (c["auth_ok"] >= 1 and c["connected"] and c["slot"] == 1))' "$out"

# vsimctl trace: the exchanges of a scriptor run, PIN data blanked.
$V trace usim --json >"$PCSC_TMP/trace" 2>&1 &
tpid=$!
wait_until 100 grep -q '"ok":true' "$PCSC_TMP/trace"
printf '00A4040C07A0000000871002\n002000010831323334FFFFFFFF\n00B0870009\n' >"$PCSC_TMP/imsi.scr"
out=$(timeout 20 scriptor -r "$READER0" "$PCSC_TMP/imsi.scr" 2>&1)
ok_if "scriptor: PIN1 then EF_IMSI" contains "$out" "< 08 09 10 10 10 32 54 76 98 90 00"
wait_until 100 grep -q '"c":"00B0870009"' "$PCSC_TMP/trace"
kill $tpid 2>/dev/null; wait $tpid 2>/dev/null
tr=$(cat "$PCSC_TMP/trace")
ok_if "trace: READ BINARY and its answer" \
	contains "$tr" '"c":"00B0870009","r":"0809101010325476989000"'
ok_if "trace: VERIFY shown with its PIN blanked" \
	contains "$tr" '"c":"00200001080000000000000000","redacted":true'
ok_if "trace: the PIN never leaves vsimd" bash -c '! grep -q 31323334 "$1"' _ "$PCSC_TMP/trace"

out=$($V add examples/test-usim.ini --name other --slot 0 2>&1); rc=$?
check "add into a used slot is refused" "1:vsimctl: slot 0 is in use" "$rc:$out"

# Golden transcripts through PC/SC, each on a fresh card from the profile
# (PIN counters are durable), added and removed through vsimctl in slot 0.
$V remove usim >/dev/null
wait_until 200 card_absent "$READER0"
for t in tests/golden/*.trace; do
	name=$(basename "$t" .trace)
	image=$(sed -n 's/^image //p' "$t")	# the transcript's card (transcript.h)
	$V add "examples/${image:-test-usim}.ini" --name "golden-$name" >/dev/null
	wait_until 200 card_present "$READER0"
	out=$("$PY" tests/pcsc/replay.py "$READER0" "$t" 2>&1); rc=$?
	check "pyscard replays $name.trace: $out" 0 "$rc"
	$V remove "golden-$name" >/dev/null
	wait_until 200 card_absent "$READER0"
done

# Bad input: clear messages, exit codes, nothing changed.
printf '[card]\niccid = 123\n' >"$PCSC_TMP/bad.ini"
out=$($V add "$PCSC_TMP/bad.ini" 2>&1); rc=$?
check "add of a bad profile: exit 1" 1 "$rc"
ok_if "add of a bad profile: the message names file, line and field" \
	contains "$out" "$PCSC_TMP/bad.ini:2: field 'iccid'"
out=$($V add examples/test-usim.ini --name eap 2>&1); rc=$?
check "add of an existing name is refused" "1:vsimctl: card 'eap' exists already" "$rc:$out"
out=$($V add examples/test-usim.ini --name 'bad name' 2>&1); rc=$?
ok_if "add of a bad name is refused" contains "$rc:$out" "1:vsimctl: card name 'bad name'"
out=$($V status nosuch 2>&1); rc=$?
check "status of an unknown card" "1:vsimctl: no card named 'nosuch'" "$rc:$out"
out=$($V list extra 2>&1); rc=$?
check "list takes no argument (exit 2)" "2:vsimctl list: takes no arguments" "$rc:$out"
out=$($V add examples/test-usim.ini --slot 4096 2>&1); rc=$?
check "add --slot out of range (exit 2)" "2:vsimctl add: --slot 4096: a number 0-4095" "$rc:$out"
out=$(VSIM_SOCKET=$PCSC_TMP/none $V list 2>&1); rc=$?
ok_if "no vsimd: exit 1 and says so" contains "$rc:$out" "(is vsimd running?)"
out=$($V list --json)
ok_if "after all refusals only eap is left" \
	"$PY" -c 'import json,sys; c=json.loads(sys.argv[1])["cards"]; sys.exit(not [x["name"] for x in c] == ["eap"])' "$out"

out=$("$VSIMD" --backend nosuch 2>&1); rc=$?
check "vsimd: bad --backend (exit 2)" "2:vsimd: --backend nosuch: use embedded or kernel" "$rc:$out"
printf '[vsimd]\nstate = %s/s2\nsyncc = full\n' "$PCSC_TMP" >"$PCSC_TMP/bad.conf"
out=$("$VSIMD" --config "$PCSC_TMP/bad.conf" 2>&1); rc=$?
check "vsimd: unknown config key names file and line" \
	"2:vsimd: $PCSC_TMP/bad.conf:3: unknown key 'syncc' in [vsimd]" "$rc:$out"
out=$("$VSIMD" --state "$PCSC_TMP/s3" --socket "$VSIM_SOCKET" 2>&1); rc=$?
check "vsimd: a second vsimd on the same socket is refused" \
	"1:vsimd: error: $VSIM_SOCKET: another vsimd is running" "$rc:$out"

$V remove eap >/dev/null
ok_if "remove: the reader is empty" wait_until 200 card_absent "$READER1"
vsimd_stop
ok_if "vsimd logged no key material" bash -c \
	'! grep -qi -e 90dca4eda45b53cf -e cb9cccc4b9258e6d -e 31323334 "$1"' _ "$PCSC_TMP/vsimd.log"
tap_done
