#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# BER-TLV objects (TS 102 221 §11.3) through vsimd, a real pcscd and
# vsmartcard-vpcd: SET DATA on the complete profile's EF_VSIM_TLV (an
# object created, one in two blocks, one deleted), then vsimd killed
# with -9 and restarted on its store: RETRIEVE DATA gives back what was
# acknowledged, the deleted object stays deleted. Private namespace and
# pcscd socket (tests/lib/pcscenv.sh).
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
trap pcscenv_teardown EXIT

printf '[vsimd]\nlog_level = info\n\n[card tlv]\nprofile = examples/usim-complete.ini\nslot = 0\n' \
	>"$PCSC_TMP/vsimd.conf"
ok_if "pcscd with vpcd starts in a private namespace" pcscd_start
ok_if "vsimd starts with the complete card" vsimd_start --config "$PCSC_TMP/vsimd.conf"
ok_if "card present" wait_until 200 card_present "$READER0"

# PIN1, EF_VSIM_TLV, 83 "hello", 9F20 of 4 bytes in two blocks, 80 deleted
cat >"$PCSC_TMP/set.scr" <<'SCR'
002000010831323334FFFFFFFF
00A4000C02A001
80DB008007830568656C6C6F
80DB0080059F20040102
80DB0000020B0C
80DB00800180
80CB0080015C00
SCR
out=$(timeout 20 scriptor -r "$READER0" "$PCSC_TMP/set.scr" 2>&1)
ok_if "SET DATA: the first block of 9F20 asks for more (63F1)" contains "$out" "< 63 F1"
ok_if "SET DATA: objects 81 A2 83 9F20, 80 gone" contains "$out" "< 5C 05 81 A2 83 9F 20 90 00"

kill -9 "$VSIMD_PID"
wait "$VSIMD_PID" 2>/dev/null
VSIMD_PID=
ok_if "pcscd notices the card is gone" wait_until 300 card_absent "$READER0"
ok_if "vsimd restarts on the same store" vsimd_start --config "$PCSC_TMP/vsimd.conf"
ok_if "card present again" wait_until 200 card_present "$READER0"

cat >"$PCSC_TMP/get.scr" <<'SCR'
002000010831323334FFFFFFFF
00A4000C02A001
80CB0080015C00
80CB0080018300
80CB0080029F2000
80CB0080018000
SCR
out=$(timeout 20 scriptor -r "$READER0" "$PCSC_TMP/get.scr" 2>&1)
ok_if "after kill -9: the same tags" contains "$out" "< 5C 05 81 A2 83 9F 20 90 00"
ok_if "after kill -9: 83 is \"hello\"" contains "$out" "< 83 05 68 65 6C 6C 6F 90 00"
ok_if "after kill -9: 9F20 has both blocks" contains "$out" "< 9F 20 04 01 02 0B 0C 90 00"
ok_if "after kill -9: 80 stays deleted (6A88)" contains "$out" "< 6A 88"
tap_done
