#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# BIP through a real PC/SC stack and vsimd (docs/ota.md "Over BIP"): pcscd +
# vpcd + vsimd (embedded backend; OTA_BACKEND=kernel: the card in vsim.ko,
# tests/vm/ota_kernel.sh runs it so) hosting a card whose profile names a
# bip_server, and tests/pcsc/bip_terminal.py as the handset: a second BIP
# terminal, written apart from vsimctl term's. The user picks demo; the
# card opens the channel to tests/bip/tcpserver.py, sends its request, runs
# the remote file read the server sends and returns the PoR, and closes the
# channel when the server hangs up. Private namespaces (tests/lib/pcscenv.sh).
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
trap pcscenv_teardown EXIT
V=$VSIMCTL
P=examples/test-usim-ota.ini
B=(--backend "${OTA_BACKEND:-embedded}")
T=$PCSC_TMP

rfm=$($V ota wrap --profile $P --keyset 3 --tar B00010 --counter 1 --packet 00A4000C022FE2 00B000000A)
"$PY" tests/bip/tcpserver.py --timeout 600 "$T/got" "$rfm" > "$T/port" &
spid=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
port=$(cat "$T/port")
sed "s/^server = .*/&\nbip_server = 127.0.0.1:$port/" $P > "$T/bip.ini"

ok_if "pcscd with vpcd starts in a private namespace" pcscd_start
ok_if "vsimd starts the card (${B[*]})" vsimd_start "${B[@]}" --card bip="$T/bip.ini"
ok_if "card present" wait_until 200 card_present "$READER0"
out=$("$PY" tests/pcsc/bip_terminal.py "$READER0" demo 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
check "the handset's BIP session: exit 0" 0 "$rc"
check "the card's menu" "demo" "$(sed -n 's/^menu //p' <<<"$out")"
check "OPEN CHANNEL, byte for byte" \
	"D01C810302400182028182B50103B9020578BC0302$(printf '%04X' "$port")BE05217F000001" \
	"$(sed -n 's/^open //p' <<<"$out" | sed 's/^\(D01C8103\)../\102/')"
ok_if "the card closed the channel" contains "$out" "closed"
wait $spid
check "the server saw the request and one PoR" 2 "$(wc -l < "$T/got")"
dec=$($V ota por --profile $P --keyset 3 "027100$(sed -n 2p "$T/got")" 2>&1)
ok_if "the PoR over the channel: RFM ok with the ICCID" \
	contains "$dec" "commands 2 sw 9000 data 988812010000000010F1"
tap_done
