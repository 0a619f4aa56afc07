#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vsimd --backend kernel, inside the QEMU guest with vsim.ko loaded
# (scripts/vmtest -m vsim.ko -- 'bash tests/vm/vsimd_kernel.sh'): the card
# lives in the module, vsimd bridges /dev/vsimN to a private pcscd + vpcd
# and acks the module's persist records after committing them. Checks the
# golden transcripts through PC/SC, eapol_test's AKA, and that after
# kill -9 mid-burst every acknowledged write and PIN attempt is there when
# vsimd restarts the card in vsim.ko from its store (and, reading the same
# store, in the embedded backend).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
trap pcscenv_teardown EXIT
V=$VSIMCTL

ok_if "/dev/vsimx exists (vsim.ko loaded)" test -c /dev/vsimx
ok_if "pcscd with vpcd starts" pcscd_start
ok_if "vsimd --backend kernel starts" vsimd_start --backend kernel
for t in tests/golden/*.trace; do
	name=$(basename "$t" .trace)
	image=$(sed -n 's/^image //p' "$t")	# the transcript's card (transcript.h)
	$V add "examples/${image:-test-usim}.ini" --name "k-$name" >/dev/null
	wait_until 300 card_present "$READER0"
	out=$("$PY" tests/pcsc/replay.py "$READER0" "$t" 2>&1); rc=$?
	check "kernel card: pyscard replays $name.trace: $out" 0 "$rc"
	$V remove "k-$name" >/dev/null
	wait_until 300 card_absent "$READER0"
done
out=$($V add examples/test-usim-eapol.ini --name eap --json)
ok_if "the card is hosted by vsim.ko" contains "$out" '"backend":"kernel"'
wait_until 300 card_present "$READER0"
out=$(timeout 120 eapol_test -R "$READER0" scard 2>&1)
ok_if "kernel card: eapol_test USIM AKA" contains "$out" "UMTS auth completed successfully"
$V remove eap >/dev/null
wait_until 300 card_absent "$READER0"

sed 's/^pin2_enabled = true/pin2_enabled = true\npin2_max_tries = 15/' \
	examples/test-usim.ini >"$PCSC_TMP/burst.ini"
$V add "$PCSC_TMP/burst.ini" --name burst >/dev/null
wait_until 300 card_present "$READER0"
"$PY" tests/pcsc/burst.py "$READER0" "$PCSC_TMP/burst.log" 2>"$PCSC_TMP/burst.err" &
bpid=$!
ok_if "burst: 40 commands acknowledged before the kill" \
	wait_until 1200 bash -c '[ "$(grep -c ^ack "$1")" -ge 40 ]' _ "$PCSC_TMP/burst.log"
kill -9 "$VSIMD_PID"
wait "$VSIMD_PID" 2>/dev/null
VSIMD_PID=
wait "$bpid"
ok_if "the card left the reader with vsimd" wait_until 300 card_absent "$READER0"
ok_if "the module removed /dev/vsim0 with the card fd" wait_until 100 test ! -e /dev/vsim0
ok_if "vsimd restarts the stored card in vsim.ko" vsimd_start --backend kernel
ok_if "card present" wait_until 300 card_present "$READER0"
out=$("$PY" tests/pcsc/verify_crash.py "$READER0" "$PCSC_TMP/burst.log" 2>&1); rc=$?
check "kill -9 of a kernel-backed vsimd lost no acknowledged write or PIN attempt ($out)" 0 "$rc"
vsimd_stop
wait_until 300 card_absent "$READER0"
ok_if "the embedded backend serves the same stored card" vsimd_start
ok_if "card present" wait_until 300 card_present "$READER0"
out=$("$PY" tests/pcsc/verify_crash.py "$READER0" "$PCSC_TMP/burst.log" 2>&1); rc=$?
check "... with the same writes and PIN counter ($out)" 0 "$rc"
tap_done
