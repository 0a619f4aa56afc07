#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The IMEI lock seen by a real PC/SC client that never sends TERMINAL
# PROFILE: eapol_test (Debian eapoltest) through pcscd + vsmartcard-vpcd +
# vsimd. A bound card under the "deny" policy withholds the subscription
# from it; under "allow" its USIM AKA succeeds. Private namespace and
# pcscd socket (tests/lib/pcscenv.sh).
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
trap pcscenv_teardown EXIT

for policy in deny allow; do
	{ cat examples/test-usim-eapol.ini
	  printf '\n[binding]\nmode = first-terminal\nunsupported_terminal = %s\n' "$policy"
	} >"$PCSC_TMP/$policy.ini"
done

ok_if "pcscd with vpcd starts in a private namespace" pcscd_start
ok_if "vsimd starts a deny card and an allow card" vsimd_start \
	--card deny="$PCSC_TMP/deny.ini" --card allow="$PCSC_TMP/allow.ini"
ok_if "card present in slot 0" wait_until 200 card_present "$READER0"
ok_if "card present in slot 1" wait_until 200 card_present "$READER1"

out=$(timeout 60 eapol_test -R "$READER0" scard 2>&1)
# eapol_test's scard self-test exits 0 either way: judge what the card said.
ok_if "deny: eapol_test reached the card" contains "$out" "USIM is supported"
ok_if "deny: AUTHENTICATE refused with 6982" contains "$out" "resp=69 82"
ok_if "deny: no USIM AKA" bash -c '! grep -q "UMTS auth completed successfully" <<<"$1"' _ "$out"
ok_if "deny: no IMSI read" bash -c '! grep -q 001010000000042 <<<"$1"' _ "$out"

out=$(timeout 60 eapol_test -R "$READER1" scard 2>&1); rc=$?
check "allow: eapol_test exits 0" 0 "$rc"
ok_if "allow: USIM AKA succeeds" contains "$out" "UMTS auth completed successfully"
ok_if "allow: reads the IMSI" contains "$out" "001010000000042"

tap_done
