#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A 2G client: gnokii (model pcsc, class A0 commands of GSM 11.11) through
# pcscd + vsmartcard-vpcd + vsimd identifies the card as a phase 2+ SIM.
# Private namespace and pcscd socket (tests/lib/pcscenv.sh).
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
trap pcscenv_teardown EXIT

ok_if "pcscd with vpcd starts in a private namespace" pcscd_start
ok_if "vsimd starts (PIN1 disabled card)" vsimd_start \
	--card eap=examples/test-usim-eapol.ini
ok_if "card present" wait_until 200 card_present "$READER0"
printf '[global]\nmodel = pcsc\nport = 0\nconnection = pcsc\n[logging]\ndebug = on\n' \
	>"$PCSC_TMP/gnokiirc"
out=$(timeout 60 gnokii --config "$PCSC_TMP/gnokiirc" --identify 2>&1); rc=$?
check "gnokii --identify exits 0" 0 "$rc"
ok_if "it selects DF_GSM in class A0 (9Fxx answer)" \
	contains "$out" "a0 a4 00 00 02 7f 20"
ok_if "the 2G SELECT response waits behind 9F16" contains "$out" "9f 16"
ok_if "EF_Phase reads 03 (phase 2+)" contains "$out" "03 90 00"
ok_if "gnokii: a phase 2+ SIM" contains "$out" "Revision     : Phase 2+ SIM"
tap_done
