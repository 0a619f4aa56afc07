#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The Bearer Independent Protocol end to end (docs/ota.md "Over BIP"): a
# card on the embedded backend, vsimctl term as its terminal (TERMINAL
# PROFILE declaring BIP), a small TCP server (tests/bip/tcpserver.py) as
# the application management server. The user picks the menu entry; the
# card opens a TCP channel, sends its download request, runs the command
# packets the server sends over the channel and sends their PoRs back,
# and closes the channel when the server hangs up. The proactive commands
# are checked byte for byte; without BIP in the profile, or with nobody
# listening, the request goes by SMS.
set -u
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
V=${VSIMCTL:-build/vsimctl}
P=examples/test-usim-ota.ini
IMEI=123456789012345
tmp=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill $spid 2>/dev/null; rm -rf "$tmp"' EXIT

# start the server; its port is the first line it prints
serve() {
	rm -f "$tmp/port" "$tmp/got"
	python3 tests/bip/tcpserver.py "$tmp/got" "$@" > "$tmp/port" &
	spid=$!
	for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
	port=$(cat "$tmp/port")
	sed "s/^server = .*/&\nbip_server = 127.0.0.1:$port/" $P > "$tmp/p.ini"
}
# every FETCHed proactive command of one type (hex), with its 9000
fetched() {	# fetched TYPE-HEX
	grep -o "< D0[0-9A-F]*9000" "$tmp/out" | sed 's/^< //' |
		awk -v t="$1" '{ h = substr($0, 3, 2) == "81" ? 2 : 0 }
			substr($0, 5 + h, 4) == "8103" && substr($0, 11 + h, 2) == t'
}

# -- one RFM command packet over the channel
rfm=$($V ota wrap --profile $P --keyset 3 --tar B00010 --counter 1 --packet 00A4000C022FE2 00B000000A)
serve "$rfm"
$V term --profile "$tmp/p.ini" --imei $IMEI --request demo --bip > "$tmp/out" 2>&1
rc=$?; wait $spid; srv=$?; spid=
check "vsimctl term --bip: exit 0" 0 "$rc"
check "the server saw request and PoR" "0:2" "$srv:$(wc -l < "$tmp/got")"
porthex=$(printf '%04X' "$port")
# TS 102 223 §6.6.27: default bearer (03), buffer 1400, TCP client remote, 127.0.0.1
check "OPEN CHANNEL, byte for byte" \
	"D01C810302400182028182B50103B9020578BC0302${porthex}BE05217F0000019000" \
	"$(fetched 40)"
tr=$(grep -A1 "^TERMINAL RESPONSE" "$tmp/out" | grep -m1 "> 801400001781030240")
check "the terminal grants 1024 bytes: result 07, channel 1 up, buffer 0400" \
	"  > 8014000017810302400182028281830107B8028100B50103B9020400" "$tr"
check "SET UP EVENT LIST: Data available, Channel status" \
	"D00D8103030500820281829902090A9000" "$(fetched 05)"
req=$(sed -n 1p "$tmp/got")
send=$(fetched 43 | head -1)
check "SEND DATA to channel 1 (21), now (01), carries the request" \
	"D0$(printf '%02X' $(( ${#req} / 2 + 11 )))810304430182028121B6$(printf '%02X' $(( ${#req} / 2 )))${req}9000" \
	"$send"
check "the request is a whole command packet (CPL)" \
	"$(( ${#req} / 2 - 2 ))" "$((16#${req:0:4}))"
ok_if "Data available came, RECEIVE DATA took the packet" \
	contains "$(cat "$tmp/out")" "EVENT data available"
recv=$(fetched 42 | head -1)
check "RECEIVE DATA from channel 1, up to what is there" \
	"D00C810305420082028121B701$(printf '%02X' $(( ${#rfm} / 2 )))9000" "$recv"
por=$(sed -n 2p "$tmp/got")
dec=$($V ota por --profile $P --keyset 3 "027100$por")
ok_if "the PoR over the channel opens with the server's keys" contains "$dec" "status 00 ok"
ok_if "2 commands, 9000, the ICCID" contains "$dec" "commands 2 sw 9000 data 988812010000000010F1"
ok_if "the server's close is reported: Channel status, link dropped (05)" \
	contains "$(cat "$tmp/out")" "80C200000DD60B99010A82028281B8020105"
close=$(fetched 41)
check "CLOSE CHANNEL of channel 1" "D0098103074100820281219000" "$close"
ok_if "the terminal's summary: request and PoR out, the packet in" \
	contains "$(cat "$tmp/out")" \
	"request demo over BIP: $(( ${#req} / 2 + ${#por} / 2 )) bytes sent, $(( ${#rfm} / 2 )) received, 1 packets run by the card"

# -- a packet longer than one RECEIVE DATA, arriving in pieces
big=$(for i in $(seq 30); do printf '00B0000002 '; done)
long=$($V ota wrap --profile $P --keyset 2 --tar B00011 --counter 1 --expanded --packet 00A4000C026F07 $big)
serve --chunk 100 --gap 0.05 "$long"
$V term --profile "$tmp/p.ini" --imei $IMEI --request demo --bip > "$tmp/out" 2>&1
rc=$?; wait $spid; srv=$?; spid=
check "a ${#long}-hex-digit packet in 100-byte pieces: exit 0" "0:0" "$rc:$srv"
n=$(fetched 42 | wc -l)
ok_if "it took several RECEIVE DATA ($n)" test "$n" -ge 2
dec=$($V ota por --profile $P --keyset 2 "027100$(sed -n 2p "$tmp/got")")
ok_if "the PoR is valid" contains "$dec" "status 00 ok"
ok_if "its 31 commands ran (expanded: 80 01 1F)" contains "$dec" "response AB81BB80011F2302900023040809"

# -- nobody listening: OPEN CHANNEL fails, the request goes by SMS
serve
kill $spid; wait $spid 2>/dev/null; spid=
$V term --profile "$tmp/p.ini" --imei $IMEI --request demo --bip > "$tmp/out" 2>&1
rc=$?
check "no server: exit 3" 3 "$rc"
ok_if "OPEN CHANNEL answered BIP error, channel closed (3A 02)" \
	contains "$(cat "$tmp/out")" "8302""3A02B8020000"
ok_if "the card sent its request by SMS instead" \
	contains "$(cat "$tmp/out")" "the card sent it by SMS (no BIP)"

# -- a terminal without BIP: the download runs over SMS as before
printf '[app demo]\naid = A00000055910100101\ntar = B20100\nhex = 0102030405\n' > "$tmp/cat.ini"
out=$($V term --profile "$tmp/p.ini" --imei $IMEI --request demo --server "$tmp/srv" --catalogue "$tmp/cat.ini" 2>&1)
rc=$?
check "no BIP in the TERMINAL PROFILE: exit 0" 0 "$rc"
ok_if "the request went by SMS and the download ran" contains "$out" "download demo: domain created"
ok_if "no OPEN CHANNEL was sent" test -z "$(echo "$out" | grep -o 'D0..8103..40')"

tap_done
