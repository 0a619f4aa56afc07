#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vsimd's side of the vpcd protocol against a scripted peer
# (tests/pcsc/vpcd_peer.py) for what a real vpcd never sends: frames in
# pieces, two per segment, unknown control codes, oversized and empty
# frames; and get-ATR without side effects. Runs in its own network
# namespace; the real pcscd + vpcd paths are in pcsc_clients.sh.
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
trap 'kill ${PEER:-} 2>/dev/null; pcscenv_teardown' EXIT

"$PY" tests/pcsc/vpcd_peer.py 35963 1 >"$PCSC_TMP/peer.tap" 2>&1 &
PEER=$!
wait_until 100 bash -c 'ss -ltn | grep -q :35963'
vsimd_start --card peer=examples/test-usim.ini
wait "$PEER"
cat "$PCSC_TMP/peer.tap"
TAP_N=$(grep -cE '^(not )?ok ' "$PCSC_TMP/peer.tap")
grep -q '^not ok' "$PCSC_TMP/peer.tap" && TAP_FAILED=1
ok_if "vsimd logged the empty frame as a protocol error" \
	grep -q "vpcd sent an empty frame: protocol error" "$PCSC_TMP/vsimd.log"
ok_if "vsimd logged the unknown control code" \
	grep -q "unknown control code 0x07 (ignored)" "$PCSC_TMP/vsimd.log"
ok_if "vsimd logged the oversized APDU" \
	grep -q "300-byte C-APDU is longer than 261: 6700" "$PCSC_TMP/vsimd.log"
tap_done
