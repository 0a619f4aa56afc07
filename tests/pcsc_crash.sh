#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vsimd's durability and recovery behind a real pcscd + vsmartcard-vpcd:
# kill -9 in the middle of a burst of UPDATE BINARY and wrong PIN VERIFYs
# loses no acknowledged write and no PIN attempt; a restarted vsimd serves
# the same card; a pcscd restart brings the card back; SIGHUP adds cards
# from the config file; SIGTERM stops cleanly; the store is private.
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

# The example card with 15 PIN2 tries, so a long burst does not block it.
sed 's/^pin2_enabled = true/pin2_enabled = true\npin2_max_tries = 15/' \
	examples/test-usim.ini >"$PCSC_TMP/burst.ini"
printf '[vsimd]\nlog_level = info\n\n[card burst]\nprofile = %s\nslot = 0\n' \
	"$PCSC_TMP/burst.ini" >"$PCSC_TMP/vsimd.conf"

ok_if "pcscd with vpcd starts in a private namespace" pcscd_start
ok_if "vsimd starts from a config file" vsimd_start --config "$PCSC_TMP/vsimd.conf"
ok_if "card present" wait_until 200 card_present "$READER0"
check "state directory is 0700" 700 "$(stat -c %a "$PCSC_TMP/state")"
check "store is 0600" 600 "$(stat -c %a "$PCSC_TMP/state/vsim.db")"
check "store journal is WAL" wal \
	"$(sqlite3 "$PCSC_TMP/state/vsim.db" 'PRAGMA journal_mode' 2>&1)"

# kill -9 in the middle of the burst
"$PY" tests/pcsc/burst.py "$READER0" "$PCSC_TMP/burst.log" 2>"$PCSC_TMP/burst.err" &
bpid=$!
ok_if "burst: 40 commands acknowledged before the kill" \
	wait_until 600 bash -c '[ "$(grep -c ^ack "$1")" -ge 40 ]' _ "$PCSC_TMP/burst.log"
kill -9 "$VSIMD_PID"
wait "$VSIMD_PID" 2>/dev/null
VSIMD_PID=
wait "$bpid"; rc=$?
check "burst client saw the card vanish mid-burst" "0:lost" \
	"$rc:$(tail -1 "$PCSC_TMP/burst.log" | cut -d' ' -f1)"
# let pcscd see the removal first, so the restart is a clean insertion
ok_if "pcscd notices the card is gone" wait_until 300 card_absent "$READER0"

ok_if "vsimd restarts on the same store" vsimd_start --config "$PCSC_TMP/vsimd.conf"
ok_if "card present again" wait_until 200 card_present "$READER0"
out=$("$PY" tests/pcsc/verify_crash.py "$READER0" "$PCSC_TMP/burst.log" 2>&1); rc=$?
check "after kill -9: every acknowledged write and PIN attempt is there ($out)" 0 "$rc"
out=$($V list --json)
ok_if "the store still holds exactly one card" \
	"$PY" -c 'import json,sys; sys.exit(len(json.loads(sys.argv[1])["cards"]) != 1)' "$out"

# pcscd restart while vsimd runs
pcscd_stop
ok_if "pcscd gone: vsimd reports the reader down" wait_until 200 bash -c \
	'"$1" status burst --json | grep -q "\"connected\":false"' _ "$V"
ok_if "pcscd restarts" pcscd_start
ok_if "the card comes back" wait_until 300 card_present "$READER0"
printf '00A4000C022FE2\n00B000000A\n' >"$PCSC_TMP/iccid.scr"
out=$(timeout 20 scriptor -r "$READER0" "$PCSC_TMP/iccid.scr" 2>&1)
ok_if "and answers APDUs" contains "$out" "< 98 88 12 01 00 00 00 00 10 F1 90 00"
out=$($V status burst --json)
ok_if "status counts two vpcd connections" \
	"$PY" -c 'import json,sys; sys.exit(json.loads(sys.argv[1])["card"]["vpcd_connects"] != 2)' "$out"

# SIGHUP: a card added to the config file appears in slot 1
printf '\n[card second]\nprofile = examples/test-usim-eapol.ini\nslot = 1\n' \
	>>"$PCSC_TMP/vsimd.conf"
kill -HUP "$VSIMD_PID"
ok_if "SIGHUP adds the new [card] of the config" wait_until 300 card_present "$READER1"
printf '[vsimd]\nbogus = 1\n' >"$PCSC_TMP/broken.conf"
cp "$PCSC_TMP/broken.conf" "$PCSC_TMP/vsimd.conf"
kill -HUP "$VSIMD_PID"
ok_if "SIGHUP with a broken config keeps running and says why" wait_until 200 \
	grep -q "reload: .*vsimd.conf:2: unknown key 'bogus'" "$PCSC_TMP/vsimd.log"
ok_if "... and keeps its cards" wait_until 50 card_present "$READER1"

# SIGTERM: clean stop
kill -TERM "$VSIMD_PID"
wait "$VSIMD_PID"; rc=$?
VSIMD_PID=
check "SIGTERM: exit status 0" 0 "$rc"
ok_if "SIGTERM: control socket removed" test ! -e "$VSIM_SOCKET"
ok_if "SIGTERM: readers empty" wait_until 200 card_absent "$READER0"
check "SIGTERM: WAL checkpointed into the database" 0 \
	"$(stat -c %s "$PCSC_TMP/state/vsim.db-wal" 2>/dev/null || echo 0)"
tap_done
