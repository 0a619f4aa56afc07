#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The OTA server as an SMPP 3.4 ESME (libsmpp34) against an SMSC the
# project did not write: Net::SMPP (libnet-smpp-perl) in tests/smpp/smsc.pl,
# which relays each submit_sm to the card (vsimctl ota terminal) and the
# card's SEND SHORT MESSAGE back as deliver_sm. Checks the PDUs' fields,
# a remote file read, and the download flow (create, data, found).
set -u
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
V=build/vsimctl
P=examples/test-usim-ota.ini
tmp=$(mktemp -d)
smsc_pid=
trap '[ -n "$smsc_pid" ] && kill $smsc_pid 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir "$tmp/card"

# smsc PORT: start the SMSC with the card behind it; wait until it listens
smsc() {
	perl tests/smpp/smsc.pl "$1" 15550100001 \
		$V ota terminal --profile $P --state "${CARD:-$tmp/card}" >"$tmp/smsc.$1" 2>&1 &
	smsc_pid=$!
	for _ in $(seq 100); do
		grep -q listening "$tmp/smsc.$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
smsc_done() {
	wait "$smsc_pid" 2>/dev/null
	smsc_pid=
}
port=$((20000 + RANDOM % 20000))
esme() { echo "--smpp 127.0.0.1:$port --msisdn +15550100001 --server $tmp/srv"; }

ok_if "Net::SMPP SMSC listens" smsc $port
out=$($V ota send --profile $P $(esme) --keyset 3 --tar B00010 00A4000C022FE2 00B000000A); rc=$?
smsc_done
check "send over SMPP: exit 0" 0 "$rc"
ok_if "the PoR came back as deliver_sm: ICCID read" contains "$out" "commands 2 sw 9000 data 988812010000000010F1"
log=$(cat "$tmp/smsc.$port")
ok_if "submit_sm: UDHI, PID 7F, DCS F6, to the card's number, UDH 02 70 00" \
	contains "$log" "submit esm=40 pid=7f dcs=f6 to=15550100001 ud=027000"
ok_if "the card answered by SMS-SUBMIT (UDH 02 71 00) to the server" contains "$log" "card mo +4900000001 027100"
ok_if "the session ended with unbind" contains "$log" "done"

head -c 700 /dev/urandom > "$tmp/app.bin"
printf '[app demo]\naid = A00000055910100101\ntar = B20100\ndata = %s\nquota = 4096\n' "$tmp/app.bin" > "$tmp/cat.ini"
port=$((port + 1))
ok_if "SMSC again" smsc $port
out=$($V ota download --profile $P $(esme) --catalogue "$tmp/cat.ini" demo); rc=$?
smsc_done
check "download over SMPP: domain created" "0:download demo: domain created, 700 bytes in 3 messages" "$rc:${out%%, KVN*}"
n=$(grep -c "^submit " "$tmp/smsc.$port")
check "GET STATUS 1 SMS, INSTALL 1, data 4 blocks in 6 concatenated SMS" 8 "$n"
check "the card holds it" "A00000055910100101 tar B20100 lifecycle 07 privileges 800000 keys 3 data 700/4096" \
	"$($V ota show --state "$tmp/card")"
port=$((port + 1))
ok_if "SMSC once more" smsc $port
out=$($V ota download --profile $P $(esme) --catalogue "$tmp/cat.ini" demo)
smsc_done
check "second download over SMPP: found, data only" "download demo: domain found, 700 bytes in 2 messages" "$out"
# -- the card-initiated request through the SMSC: vsimctl ota serve waits
# for it, checks it, and answers with the download to the card's number
mkdir "$tmp/card2"
port=$((port + 1))
SMSC_MENU=demo CARD="$tmp/card2" smsc $port
ok_if "SMSC with a user about to choose demo from the card's menu" test -n "$smsc_pid"
serve() { $V ota serve --profile $P --smpp 127.0.0.1:$port --server "$tmp/srv" --catalogue examples/ota-catalogue.conf "$@"; }
out=$(serve --requests 1); rc=$?
smsc_done
check "serve: the card's request through the SMSC, answered with the download" \
	$'0:request from +15550100001 (ICCID 8988211000000000011): demo\ndownload demo: domain created, 22 bytes in 3 messages' "$rc:$out"
ok_if "the request left the card as SMS-SUBMIT to the server's address (UDH 02 70 00)" \
	grep -q "^card mo +4900000001 027000" "$tmp/smsc.$port"
check "... and the card holds the application" "A00000055910100101 tar B20100 lifecycle 07 privileges 800000 keys 3 data 22/4096" \
	"$($V ota show --state "$tmp/card2")"
port=$((port + 1))
SMSC_MENU=demo CARD="$tmp/card2" smsc $port
out=$(serve --requests 1)
smsc_done
check "serve, second request: found, data only" \
	$'request from +15550100001 (ICCID 8988211000000000011): demo\ndownload demo: domain found, 22 bytes in 2 messages' "$out"
# a server for several cards: the key set that opens the request names the card
sed 's/^iccid = .*/iccid = 8988211000000000029/; s/^\(ki[cd] = \)\([0-9]\)/\1f/' $P >"$tmp/other.ini"
mkdir "$tmp/card3"
port=$((port + 1))
SMSC_MENU=demo CARD="$tmp/card3" smsc $port
out=$($V ota serve --profile "$tmp/other.ini" --profile $P --smpp 127.0.0.1:$port --server "$tmp/srv" --catalogue examples/ota-catalogue.conf --requests 1)
smsc_done
check "serve with two cards' keys: the request opens with the second's" \
	$'request from +15550100001 (ICCID 8988211000000000011): demo\ndownload demo: domain created, 22 bytes in 3 messages' "$out"
port=$((port + 1))
SMSC_MENU=demo CARD="$tmp/card3" smsc $port
out=$($V ota serve --profile "$tmp/other.ini" --smpp 127.0.0.1:$port --server "$tmp/srv" --catalogue examples/ota-catalogue.conf --requests 1); rc=$?
smsc_done
check "a request no key set of the server opens: refused, said, nothing sent" \
	"0:request from +15550100001: refused: request: status 01 (RC/CC/DS failed) or no DF71 name" "$rc:$out"
check "... the SMSC got no submit_sm" 0 "$(grep -c '^submit ' "$tmp/smsc.$port")"
# an SMSC that ends the session before the requests came: exit 1, said
port=$((port + 1))
smsc $port
out=$(serve --requests 2 2>&1 >/dev/null &
	sleep 0.3; kill "$smsc_pid"; wait); rc=$?
smsc_done
ok_if "serve: the SMSC gone before N requests: named" contains "$out" "the SMSC ended the session after 0 of 2 requests"
out=$($V ota serve --profile $P --server "$tmp/srv" --catalogue examples/ota-catalogue.conf 2>&1); rc=$?
check "serve without --smpp: usage, exit 2" 2 "$rc"
# the SCP81 push over SMPP: vsimctl ota serve --https --push sends the
# administration session trigger as a submit_sm once it listens
hport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed "s/^server = .*/&\nbip_server = 127.0.0.1:$hport\nscp81_identity = vsim-test-card\nscp81_psk = 000102030405060708090a0b0c0d0e0f/" \
	$P > "$tmp/p81.ini"
port=$((port + 1))
smsc $port
$V ota serve --https 127.0.0.1:$hport --profile "$tmp/p81.ini" --catalogue "$tmp/cat.ini" --push demo \
	--server "$tmp/srv" --smpp 127.0.0.1:$port --msisdn +15550100001 > "$tmp/push.out" 2>&1 &
ppid=$!
for _ in $(seq 100); do grep -qs "trigger sent" "$tmp/push.out" && break; sleep 0.05; done
kill $ppid 2>/dev/null
wait $ppid 2>/dev/null
smsc_done
ok_if "serve --https --push over SMPP: said" contains "$(cat "$tmp/push.out")" \
	"push demo to ICCID 8988211000000000011: administration session trigger sent over SMPP"
ok_if "... one submit_sm: a secured packet to the ISD (TAR 000000), no PoR asked" \
	grep -Eq "^submit esm=40 pid=7f dcs=f6 to=15550100001 ud=027000[0-9a-f]{4}151600[0-9a-f]{4}000000" "$tmp/smsc.$port"
check "... and nothing else" 1 "$(grep -c '^submit ' "$tmp/smsc.$port")"
# no SMSC: a defined failure, not a hang
$V ota send --profile $P --smpp 127.0.0.1:1 --msisdn +1 --server "$tmp/srv" --keyset 3 --tar B00010 00A4000C023F00 2>"$tmp/err"; rc=$?
check "no SMSC: exit 1 with a message" "1" "$rc"
ok_if "... naming the address" grep -q "127.0.0.1:1" "$tmp/err"
tap_done
