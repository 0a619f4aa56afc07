#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The complete profile (examples/usim-complete.ini) through vsimd, vpcd
# and a real pcscd: pyscard walks the whole tree (tests/pcsc/walk.py:
# every DF and EF, every record, each FCP against `vsimctl compile
# --list`, each READ answered as the EF's access rule says) before and
# after VERIFY PIN1 with no unexpected status word; scriptor reads the
# ICCID and the SUCI the card calculates (de-concealed by
# build/tests/sidf-decrypt); gnokii (class A0, GSM 11.11) identifies the same card with PIN1
# disabled; eapol_test's PC/SC self-test (IMSI, GSM and UMTS AUTHENTICATE)
# passes on the complete tree with hostap's keys (examples/test-usim-eapol.ini).
# Private namespace and pcscd socket (tests/lib/pcscenv.sh).
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
trap pcscenv_teardown EXIT
V=$VSIMCTL
P=examples/usim-complete.ini

ok_if "the file list of $P" bash -c '"$1" compile --profile "$2" --list >"$3"' _ \
	"$V" "$P" "$PCSC_TMP/files"
n=$(wc -l <"$PCSC_TMP/files")
ok_if "it lists more than 100 files ($n)" test "$n" -gt 100
ok_if "pcscd with vpcd starts in a private namespace" pcscd_start
ok_if "vsimd starts with the complete card" vsimd_start --card full=$P
ok_if "card present" wait_until 200 card_present "$READER0"

out=$(cd tests/pcsc && timeout 600 "$PY" walk.py "$READER0" "$PCSC_TMP/files" 1234 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
check "walk.py: every file, every record, exit 0" 0 "$rc"
ok_if "walk.py: no unexpected status word" contains "$out" "unexpected status words: 0"
ndf=$(grep -cE ' (MF|DF|ADF) ' "$PCSC_TMP/files")
nef=$((n - ndf))
ok_if "walk.py: all $ndf DFs and $nef EFs" contains "$out" "walked $ndf DFs, $nef EFs"

printf '00A4000C023F00\n00A4000C022FE2\n00B000000A\n' >"$PCSC_TMP/iccid.scr"
out=$(timeout 20 scriptor -r "$READER0" "$PCSC_TMP/iccid.scr" 2>&1)
ok_if "scriptor: ICCID 8988211000000000045" \
	contains "$out" "< 98 88 12 01 00 00 00 00 40 F5 90 00"

# SUCI calculated by the card (GET IDENTITY, TS 31.102 §7.5) through the
# whole PC/SC stack, de-concealed by the SIDF with the TS 33.501 Annex
# C.4.3 private key of the profile's [suci] key.
printf '00A4040C07A0000000871002\n002000010831323334FFFFFFFF\n8078008100\n' \
	>"$PCSC_TMP/suci.scr"
out=$(timeout 20 scriptor -r "$READER0" "$PCSC_TMP/suci.scr" 2>&1)
echo "$out" | sed 's/^/# /'
# scriptor wraps an answer every 16 bytes; " : " ends it
suci=$(echo "$out" | awk '/^< A1/ { on = 1 } on { l = $0; sub(/^< /, "", l);
	e = sub(/ : .*$/, "", l); gsub(/ /, "", l); printf "%s", l; if (e) exit }')
ok_if "scriptor: GET IDENTITY answers A1 35 01 00F110 F0FF 01 01 ... 9000" \
	contains "$suci" "A1350100F110F0FF0101"
out=$(build/tests/sidf-decrypt \
	c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d "$suci" 2>&1)
check "the SIDF reads the card's SUPI from its SUCI" "imsi-001010000000123" "$out"

# gnokii reads without a PIN dialogue: the same profile with PIN1 off.
$V remove full >/dev/null
ok_if "card removed" wait_until 200 card_absent "$READER0"
sed 's/^pin1_enabled = true/pin1_enabled = false/' $P >"$PCSC_TMP/nopin.ini"
ok_if "the complete card without PIN1 in slot 0" \
	bash -c '"$1" add "$2" --name nopin --slot 0 >/dev/null' _ "$V" "$PCSC_TMP/nopin.ini"
ok_if "card present" wait_until 200 card_present "$READER0"
printf '[global]\nmodel = pcsc\nport = 0\nconnection = pcsc\n[logging]\ndebug = on\n' \
	>"$PCSC_TMP/gnokiirc"
out=$(timeout 60 gnokii --config "$PCSC_TMP/gnokiirc" --identify 2>&1); rc=$?
check "gnokii --identify exits 0" 0 "$rc"
ok_if "gnokii selects DF_GSM in class A0" contains "$out" "a0 a4 00 00 02 7f 20"
ok_if "gnokii: a phase 2+ SIM" contains "$out" "Revision     : Phase 2+ SIM"
ok_if "gnokii: the IMSI" contains "$out" "001010000000123"

# eapol_test (wpa_supplicant's PC/SC self-test) on the complete tree, in
# slot 1 beside it: hostap's IMSI and keys (test-usim-eapol.ini), no PIN1.
awk -F' = ' 'FNR == NR { if ($1 ~ /^(imsi|k|opc|amf|sqn_ind_bits|sqn_delta|sqn_limit)$/) v[$1] = $2; next }
	$1 in v { print $1 " = " v[$1]; delete v[$1]; next }
	/^pin1_enabled = / { print "pin1_enabled = false"; next }
	/^\[pin\]/ { for (k in v) if (k ~ /^sqn_/) { print k " = " v[k]; delete v[k] } }
	{ print }' examples/test-usim-eapol.ini $P >"$PCSC_TMP/eapol.ini"
ok_if "the complete card with hostap's keys in slot 1" \
	bash -c '"$1" add "$2" --name eap --slot 1 >/dev/null' _ "$V" "$PCSC_TMP/eapol.ini"
ok_if "card present in slot 1" wait_until 200 card_present "$READER1"
out=$(timeout 60 eapol_test -R "$READER1" scard 2>&1); rc=$?
check "eapol_test scard exits 0 on the complete card" 0 "$rc"
ok_if "eapol_test: USIM AKA succeeds" contains "$out" "UMTS auth completed successfully"
ok_if "eapol_test: RES 4ca1ca9753c97554" \
	contains "$out" "RES - hexdump(len=8): 4c a1 ca 97 53 c9 75 54"
ok_if "eapol_test: reads the IMSI" contains "$out" "001010000000042"
tap_done
