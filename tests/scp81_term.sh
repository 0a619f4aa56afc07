#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# SCP81 (GlobalPlatform Amendment B) over the card's BIP channel, against
# an independent TLS peer: `openssl s_server` with the card's PSK plays the
# admin server, its answers written by this script into a fifo. vsimctl
# term --bip is the terminal, the card runs on the embedded backend. The
# user picks demo; the card opens the channel, runs the TLS 1.2 PSK
# handshake, POSTs (headers checked byte for byte), runs the C-APDUs of
# each 200 response at the targeted security domain (the seed flow:
# INSTALL of a domain at the ISD, STORE DATA into it), POSTs the R-APDUs
# to X-Admin-Next-URI, and closes at 204 No Content. Then a wrong PSK, a
# response that is not HTTP, and a server gone in the middle of one: the
# session ends, the channel is closed, nothing half done. The push's retry
# policy (TIMER MANAGEMENT, TIMER EXPIRATION), and the server's
# close_notify (tests/bip/tls_close.c, as s_server sends none). Last the server
# side, vsimctl ota serve --https: a hand-written POST from openssl
# s_client, then the card's two requests (domain created, then found),
# and kill -9 at random points of SCP81_KILL_RUNS (30) downloads.
set -u
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
V=${VSIMCTL:-build/vsimctl}
P=examples/test-usim-ota.ini
PSK=000102030405060708090a0b0c0d0e0f
ID=vsim-test-card
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
INSTALL=80E60C003607A000000559101007A000000559101109A000000559101001010380000016C900EF12C8020400CA0C010001000000000003B201000000
DATA=0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F
CT='application/vnd.globalplatform.card-content-mgt;version=1.0'

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed "s/^server = .*/&\nbip_server = 127.0.0.1:$port\nscp81_identity = $ID\nscp81_psk = $PSK\nscp81_uri = \/admin/" \
	$P > "$tmp/p.ini"

# server KEY: openssl s_server on $port, stdin from the fifo $tmp/in
server() {
	rm -f "$tmp/in" "$tmp/srv.out"
	mkfifo "$tmp/in"
	exec 3<>"$tmp/in"
	openssl s_server -accept "127.0.0.1:$port" -nocert -psk "$1" \
		-psk_identity $ID -tls1_2 -cipher PSK-AES128-GCM-SHA256 \
		-naccept 1 -quiet <&3 > "$tmp/srv.out" 2> "$tmp/srv.err" &
	pids+=($!)
	for _ in $(seq 50); do
		ss -ltn 2>/dev/null | grep -q ":$port " && break
		sleep 0.1
	done
}
# term: the terminal, in the background
term() {
	$V term --profile "$tmp/p.ini" --state "$tmp/card" --imei 123456789012345 \
		--request demo --bip > "$tmp/out" 2>&1 &
	tpid=$!
	pids+=($tpid)
}
posts() { grep -ao 'POST /admin' "$tmp/srv.out" 2>/dev/null | wc -l; }
wait_posts() {	# wait_posts N: until the server has read N POSTs (5 s)
	for _ in $(seq 100); do
		[ "$(posts)" -ge "$1" ] && sleep 0.2 && return 0
		sleep 0.05
	done
	return 1
}
# respond HEXBODY [TARGET]: 200 with an expanded script, next URI /admin/next
respond() {
	local b=$1
	{
		printf 'HTTP/1.1 200 OK\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\n'
		printf 'X-Admin-Next-URI: /admin/next\r\n'
		[ -n "${2:-}" ] && printf 'X-Admin-Targeted-Application: %s\r\n' "$2"
		printf 'Content-Type: %s\r\nContent-Length: %d\r\n\r\n' "$CT" $(( ${#b} / 2 ))
		echo -n "$b" | xxd -r -p
	} >&3
}
script() {	# script APDU...: AE 80 {22 L APDU}... 00 00
	local s=AE80 a
	for a in "$@"; do s+=$(printf '22%02X%s' $(( ${#a} / 2 )) "$a"); done
	echo "${s}0000"
}

# -- the seed flow over HTTPS: create the domain, store its data
mkdir "$tmp/card"
server $PSK
term
ok_if "the card's first POST arrives over TLS-PSK" wait_posts 1
first=$(head -c 400 "$tmp/srv.out" | od -An -c | tr -d ' \n')
want=$(printf 'POST /admin?app=demo HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\nX-Admin-From: //se-id/iccid/8988211000000000011\r\nContent-Type: application/vnd.globalplatform.card-content-mgt-response;version=1.0\r\nContent-Length: 0\r\n\r\n' $port |
	od -An -c | tr -d ' \n')
check "first POST, byte for byte (no body)" "$want" "$first"
respond "$(script $INSTALL)"
ok_if "the R-APDUs come back in a second POST" wait_posts 2
second=$(tr -d '\0' < "$tmp/srv.out" | awk 'f; /POST \/admin\/next/ {f=1}' | head -c 300)
ok_if "... to X-Admin-Next-URI" grep -aq 'POST /admin/next HTTP/1.1' "$tmp/srv.out"
ok_if "... with X-Admin-Script-Status: ok" contains "$second" "X-Admin-Script-Status: ok"
rbody=$(awk 'BEGIN { RS = "\r\n\r\n" } NR == 3' "$tmp/srv.out" | xxd -p | tr -d '\n' | tr a-f A-F)
ok_if "INSTALL answered 9000 with KVN and KCVs (AF 80 23 .. 9000 00 00)" \
	bash -c '[[ $1 == AF8023??01*9000*0000* ]]' _ "$rbody"
respond "$(script 80E28000$(printf '%02X' $(( ${#DATA} / 2 )))$DATA)" //aid/A000000559/10100101
ok_if "the STORE DATA's R-APDU comes back" wait_posts 3
printf 'HTTP/1.1 204 No Content\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\n\r\n' >&3
wait $tpid; rc=$?
exec 3>&-
cat "$tmp/out" | tail -3 | sed 's/^/# /'
check "vsimctl term: exit 0" 0 "$rc"
ok_if "the session: 3 POSTs, 2 scripts, 2 commands, ended by 204" contains "$(cat "$tmp/out")" \
	"SCP81: TLS established, 3 POSTs, 2 scripts, 2 commands, ended by 204 No Content"
ok_if "then CLOSE CHANNEL" grep -q "^  CLOSE CHANNEL" "$tmp/out"
check "the card holds the domain with its keys and the data" \
	"A00000055910100101 tar B20100 lifecycle 07 privileges 800000 keys 3 data 31/1024" \
	"$($V ota show --state "$tmp/card")"

# -- the PSK is a key of the ISD: PUT KEY over the SMS path replaces it
# (type 85, ciphered with keyset 2's DEK by openssl, no KCV)
NEWPSK=a0a1a2a3a4a5a6a7a8a9aaabacadaeaf
DEK=202102030405060708090a0b0c0d0e0f
ekey() { echo -n "$1" | xxd -r -p | openssl enc -aes-128-ecb -nopad -K $DEK | xxd -p | tr -d '\n'; }
isd() { $V ota send --profile "$tmp/p.ini" --state "$tmp/card" --server "$tmp/srv" --keyset "$1" --tar 000000 "$2"; }
ok_if "GET DATA E0 at the ISD: the profile's PSK, key 01 version 40, type 85, 16 bytes" \
	contains "$(isd 2 80CA00E000)" "commands 1 sw 9000 data E006C00401408510"
ok_if "PUT KEY under keyset 3 (no DEK): 6985" contains "$(isd 3 80D8400114418510$(ekey $NEWPSK)00)" "sw 6985"
ok_if "PUT KEY of an AES key (88) at the ISD: 6A80" contains "$(isd 2 80D8400114418810$(ekey $NEWPSK)00)" "sw 6A80"
ok_if "PUT KEY with a KCV (a PSK has none): 6A80" contains "$(isd 2 80D8400117418510$(ekey $NEWPSK)03000000)" "sw 6A80"
ok_if "... nothing changed: still version 40" contains "$(isd 2 80CA00E000)" "data E006C00401408510"
ok_if "PUT KEY replacing version 40 by 41 (the new PSK): 9000, KVN 41" \
	contains "$(isd 2 80D8400114418510$(ekey $NEWPSK)00)" "commands 1 sw 9000 data 41"
ok_if "GET DATA E0: version 41 now" contains "$(isd 2 80CA00E000)" "data E006C00401418510"
server $NEWPSK
term
ok_if "the new PSK: the first POST arrives over TLS" wait_posts 1
printf 'HTTP/1.1 204 No Content\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\n\r\n' >&3
wait $tpid; rc=$?
exec 3>&-
check "... vsimctl term: exit 0" 0 "$rc"
ok_if "... 1 POST, ended by 204" contains "$(cat "$tmp/out")" "SCP81: TLS established, 1 POSTs, 0 scripts, 0 commands, ended by 204 No Content"
server $PSK
term
wait $tpid; rc=$?
exec 3>&-
check "the old PSK: exit 3" 3 "$rc"
ok_if "... the handshake fails, nothing posted" contains "$(cat "$tmp/out")" \
	"SCP81: TLS not established, 0 POSTs, 0 scripts, 0 commands, TLS handshake failed"
ok_if "... and the card closed the channel" grep -q "^  CLOSE CHANNEL" "$tmp/out"
check "... the card's domains as they were" \
	"A00000055910100101 tar B20100 lifecycle 07 privileges 800000 keys 3 data 31/1024" \
	"$($V ota show --state "$tmp/card")"
ok_if "... and its PSK still version 41" contains "$(isd 2 80CA00E000)" "data E006C00401418510"
ok_if "PUT KEY of the first PSK again as version 42 (for what follows)" \
	contains "$(isd 2 80D8410114428510$(ekey $PSK)00)" "commands 1 sw 9000 data 42"

# -- a wrong PSK: no session, the channel closed
server 0f0e0d0c0b0a09080706050403020100
term
wait $tpid; rc=$?
exec 3>&-
check "wrong PSK: exit 3" 3 "$rc"
ok_if "... TLS not established, nothing posted" contains "$(cat "$tmp/out")" \
	"SCP81: TLS not established, 0 POSTs, 0 scripts, 0 commands, TLS handshake failed"
ok_if "... and the card closed the channel" grep -q "^  CLOSE CHANNEL" "$tmp/out"

# -- a chunked response (RFC 9112 §7.1: every HTTP/1.1 recipient parses
# it): the script of GET DATA E0 in two chunks, one with an extension
server $PSK
term
ok_if "chunked: first POST" wait_posts 1
b=$(script 80CA00E000)
{
	printf 'HTTP/1.1 200 OK\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\n'
	printf 'X-Admin-Next-URI: /admin/next\r\nContent-Type: %s\r\n' "$CT"
	printf 'Transfer-Encoding: chunked\r\n\r\n4;part=1\r\n'
	echo -n "${b:0:8}" | xxd -r -p
	printf '\r\n%x\r\n' $(( ${#b} / 2 - 4 ))
	echo -n "${b:8}" | xxd -r -p
	printf '\r\n0\r\n\r\n'
} >&3
ok_if "... the R-APDU comes back in a second POST" wait_posts 2
rbody=$(awk 'BEGIN { RS = "\r\n\r\n" } NR == 3' "$tmp/srv.out" | xxd -p | tr -d '\n' | tr a-f A-F)
ok_if "... GET DATA E0 ran: the PSK's key information and 9000 ($rbody)" \
	bash -c '[[ $1 == AF80230AE006C00401??851090000000* ]]' _ "$rbody"
printf 'HTTP/1.1 204 No Content\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\n\r\n' >&3
wait $tpid; rc=$?
exec 3>&-
check "... vsimctl term: exit 0" 0 "$rc"
ok_if "... 2 POSTs, 1 script, 1 command, ended by 204" contains "$(cat "$tmp/out")" \
	"SCP81: TLS established, 2 POSTs, 1 scripts, 1 commands, ended by 204 No Content"

# -- a response that is not HTTP
server $PSK
term
ok_if "first POST" wait_posts 1
printf 'HTTP/1.1 200 OK\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\n\r\n' >&3
wait $tpid; rc=$?
exec 3>&-
check "a 200 without Content-Length: exit 3" 3 "$rc"
ok_if "... malformed HTTP response, the channel closed" contains "$(cat "$tmp/out")" \
	"commands, malformed HTTP response"
# -- a truncated response, then the server goes: the channel drops
server $PSK
spid=${pids[-1]}
term
ok_if "first POST" wait_posts 1
printf 'HTTP/1.1 200 OK\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\nContent-Length: 40\r\n\r\nAE80' >&3
sleep 0.5
kill $spid
wait $tpid; rc=$?
exec 3>&-
check "the server gone mid-response: exit 3" 3 "$rc"
ok_if "... Channel status (link dropped) reached the card, which closed the channel" \
	contains "$(cat "$tmp/out")" "commands, the channel closed"
ok_if "... nothing of the script ran" contains "$(cat "$tmp/out")" "1 POSTs, 0 scripts, 0 commands"

# -- a C-APDU list broken after its first command (STORE DATA block 0 of
# new data, then a TLV whose length runs past the script): the first ran
# and was staged, the rest is "bad format" (90 01 01); the session goes
# on, and as no last block came the domain's data stays what it was
server $PSK
term
ok_if "first POST" wait_posts 1
respond "AE8022$(printf '%02X' $(( 5 + 4 )))80E2000004CAFEBABE22FF80E20000" //aid/A000000559/10100101
ok_if "the card answers the broken list" wait_posts 2
rbody=$(awk 'BEGIN { RS = "\r\n\r\n" } NR == 3' "$tmp/srv.out" | xxd -p | tr -d '\n' | tr a-f A-F)
check "... AF 80 {23 02 9000} {90 01 01} 00 00: one ran, then bad format" "AF802302900090010100" "${rbody:0:20}"
# -- a body that is not an expanded script: nothing runs
respond 80E2800004CAFEBABE //aid/A000000559/10100101
ok_if "the card answers a compact body" wait_posts 3
rbody=$(awk 'BEGIN { RS = "\r\n\r\n" } NR == 4' "$tmp/srv.out" | xxd -p | tr -d '\n' | tr a-f A-F)
check "... AF 80 90 01 01 00 00: bad format, nothing ran" "AF8090010100" "${rbody:0:12}"
printf 'HTTP/1.1 204 No Content\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\n\r\n' >&3
wait $tpid; rc=$?
exec 3>&-
check "... the session ends at 204: exit 0" 0 "$rc"
check "... the domain's data as it was (the staged block dropped)" \
	"A00000055910100101 tar B20100 lifecycle 07 privileges 800000 keys 3 data 31/1024" \
	"$($V ota show --state "$tmp/card")"
# -- a TLS record damaged in the middle of the session (tests/bip/tlsflip.py
# relays to s_server and flips a bit of the server's first data record)
port2=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sport=$port
port=$port2 server $PSK
port=$sport
python3 tests/bip/tlsflip.py $port $port2 > "$tmp/flip.out" &
pids+=($!)
for _ in $(seq 50); do grep -qs listening "$tmp/flip.out" && break; sleep 0.1; done
term
ok_if "first POST through the relay" wait_posts 1
respond "$(script 80E2800004CAFEBABE)" //aid/A000000559/10100101
wait $tpid; rc=$?
exec 3>&-
check "a damaged record: exit 3" 3 "$rc"
ok_if "... the relay damaged the server's response" grep -q flipped "$tmp/flip.out"
ok_if "... the card's TLS refused it (its alert) and closed the channel, nothing ran" \
	contains "$(cat "$tmp/out")" "1 POSTs, 0 scripts, 0 commands, TLS error (an alert)"
ok_if "... CLOSE CHANNEL" grep -q "^  CLOSE CHANNEL" "$tmp/out"
ok_if "... s_server got the card's alert" grep -q "bad record mac" "$tmp/srv.err"
# -- a server that takes the POST and never answers: the terminal drops the
# link after 10 s of silence, the card ends its session and closes
server $PSK
term
ok_if "first POST" wait_posts 1
wait $tpid; rc=$?
exec 3>&-
check "a server that never answers: exit 3" 3 "$rc"
ok_if "... the terminal dropped the link after 10 s" grep -q "nothing moved on the channel for 10000 ms: the link dropped" "$tmp/out"
ok_if "... the card closed the channel, its session ended" \
	contains "$(cat "$tmp/out")" "1 POSTs, 0 scripts, 0 commands, the channel closed"
check "... and the card's domains are as they were" \
	"A00000055910100101 tar B20100 lifecycle 07 privileges 800000 keys 3 data 31/1024" \
	"$($V ota show --state "$tmp/card")"

# -- vsimctl ota serve --https: the server side, the seed flow end to end
head -c 1000 /dev/urandom > "$tmp/app.bin"
printf '[app demo]\naid = A00000055910100101\ntar = B20100\ndata = %s\nquota = 4096\n' \
	"$tmp/app.bin" > "$tmp/cat.ini"
rm -rf "$tmp/card2"
mkdir "$tmp/card2"
$V ota serve --https 127.0.0.1:$port --profile "$tmp/p.ini" --catalogue "$tmp/cat.ini" \
	--requests 4 > "$tmp/serve.out" 2>&1 &
spid=$!
pids+=($spid)
for _ in $(seq 50); do grep -qs listening "$tmp/serve.out" && break; sleep 0.1; done
# an independent client first: a hand-written Amendment B POST by s_client
out=$( (printf 'POST /admin?app=demo HTTP/1.1\r\nHost: x\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\nX-Admin-From: //se-id/iccid/1\r\nContent-Length: 0\r\n\r\n'; sleep 1) |
	timeout 10 openssl s_client -connect 127.0.0.1:$port -psk $PSK -psk_identity $ID \
		-tls1_2 -quiet -no_ign_eof 2>/dev/null | tr -d '\0')
hdrs=$(printf 'HTTP/1.1 200 OK\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\nX-Admin-Next-URI: /vsim/step1\r\nContent-Type: application/vnd.globalplatform.card-content-mgt;version=1.0\r\nContent-Length: 21\r\n\r\n' | xxd -p | tr -d '\n')
check "s_client's POST: the response's headers byte for byte (200, X-Admin-Protocol, Next-URI, Content-Type, 21 bytes)" \
	"$hdrs" "$(printf '%s' "$out" | head -c 196 | xxd -p | tr -d '\n')"
ok_if "... its body: GET STATUS of the domain at the ISD (AA 13 22 11 80F24002 0B 4F09 AID 00)" \
	contains "$( (printf 'POST /admin?app=demo HTTP/1.1\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\nContent-Length: 0\r\n\r\n'; sleep 1) |
		timeout 10 openssl s_client -connect 127.0.0.1:$port -psk $PSK -psk_identity $ID \
			-tls1_2 -quiet -no_ign_eof 2>/dev/null | xxd -p | tr -d '\n')" \
	"aa13221180f240020b4f09a0000005591010010100"
$V term --profile "$tmp/p.ini" --state "$tmp/card2" --imei 123456789012345 \
	--request demo --bip > "$tmp/out" 2>&1
check "the card's request over HTTPS: exit 0" 0 "$?"
ok_if "... the server: domain missing, created with the card's keys, the data" \
	contains "$(cat "$tmp/serve.out")" "download demo: domain created, 1000 bytes over HTTPS, KVN+KCVs 01"
check "... the card holds the domain, its keys and the whole data" \
	"A00000055910100101 tar B20100 lifecycle 07 privileges 800000 keys 3 data 1000/4096" \
	"$($V ota show --state "$tmp/card2")"
$V term --profile "$tmp/p.ini" --state "$tmp/card2" --imei 123456789012345 \
	--request demo --bip > "$tmp/out" 2>&1
check "the second request: exit 0" 0 "$?"
ok_if "... domain found: the data only" contains "$(cat "$tmp/serve.out")" \
	"download demo: domain found, 1000 bytes over HTTPS"
wait $spid
check "the server ends after 4 sessions" 0 "$?"

# -- the server's push (GP Amendment B administration session trigger):
# vsimctl ota serve --https --push sends the SMS-PP to the ISD (here the
# loopback's: printed for the terminal), vsimctl term hands it to the
# card, the card opens the session to the address the trigger names (the
# profile's bip_server points nowhere)
sed 's/^bip_server = .*/bip_server = 127.0.0.1:9/' "$tmp/p.ini" > "$tmp/p9.ini"
mkdir "$tmp/card3"
$V ota serve --https 127.0.0.1:$port --profile "$tmp/p9.ini" --catalogue "$tmp/cat.ini" \
	--push demo --server "$tmp/psrv" --requests 1 > "$tmp/serve.out" 2>&1 &
spid=$!
pids+=($spid)
for _ in $(seq 50); do grep -qs "trigger sent" "$tmp/serve.out" && break; sleep 0.1; done
ok_if "serve --push: the trigger is one SMS, sent once the server listens" \
	test "$(grep -c '^push ENVELOPE 80C20000' "$tmp/serve.out")" = 1
pushenv=$(sed -n 's/^push ENVELOPE //p' "$tmp/serve.out")
ok_if "... a secured packet to the ISD (TAR 000000), ciphered, CC, counter higher, no PoR" \
	bash -c '[[ $1 =~ 027000[0-9A-F]{4}151600[0-9A-F]{4}000000 ]]' _ "$pushenv"
$V term --profile "$tmp/p9.ini" --state "$tmp/card3" --imei 123456789012345 --bip \
	--push "$pushenv" > "$tmp/out" 2>&1
check "the pushed card: vsimctl term exit 0" 0 "$?"
ok_if "... the SMS-PP download answered 9000, then OPEN CHANNEL to the trigger's address" \
	contains "$(cat "$tmp/out")" "push: the card answered 9000"
ok_if "... OPEN CHANNEL: TCP to 127.0.0.1:$port" grep -q "^  OPEN CHANNEL .*127.0.0.1:$port" "$tmp/out"
wait $spid
check "... the server ends after its session" 0 "$?"
ok_if "... the first POST named the application (the trigger's URI)" \
	contains "$(cat "$tmp/serve.out")" "https request from ICCID 8988211000000000011 (vsim-test-card): demo"
ok_if "... domain created and the data" contains "$(cat "$tmp/serve.out")" \
	"download demo: domain created, 1000 bytes over HTTPS"
check "... the card holds it" \
	"A00000055910100101 tar B20100 lifecycle 07 privileges 800000 keys 3 data 1000/4096" \
	"$($V ota show --state "$tmp/card3")"
$V term --profile "$tmp/p9.ini" --state "$tmp/card3" --imei 123456789012345 --bip \
	--push "$pushenv" > "$tmp/out" 2>&1
check "the same trigger replayed: exit 3" 3 "$?"
ok_if "... the counter refuses it: no channel" contains "$(cat "$tmp/out")" "the card opened no channel"
trig() { $V ota send --profile "$tmp/p9.ini" --state "$tmp/card3" --server "$tmp/psrv" --keyset 3 --tar 000000 "$1"; }
ok_if "a trigger that does not parse (84 twice): 6A80" \
	contains "$(trig 81088306840084008900)" "commands 1 sw 6A80"
ok_if "a trigger naming a PSK version the ISD lacks (55): 6A88" \
	contains "$(trig 810783058503000155)" "commands 1 sw 6A88"
ok_if "a good trigger to a terminal without BIP: 6985" contains "$(trig 81028300)" "commands 1 sw 6985"

# -- the push's retry policy (GP Amendment B §4.7, tag 86): a session that
# fails on its way to the server is opened again when the timer the card
# asked its terminal for (TIMER MANAGEMENT) expires (TIMER EXPIRATION),
# while the counter lasts. rtrig COUNTER SECONDS: to 127.0.0.1:$rport,
# the first POST to /vsim/push?app=demo
rport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rtrig() {
	printf '8130832E840C3C0302%04X3E05217F000001' "$rport"
	printf '8607%04X25030000%X0' "$1" "$2"
	printf '89158C13%s' "$(printf /vsim/push?app=demo | xxd -p | tr -d '\n')"
}
rpush() {	# rpush DIR COUNTER SECONDS [term options]: the card in DIR pushed, in the background
	local d=$1 n=$2 sec=$3 env
	shift 3
	mkdir -p "$d"
	env=$($V ota wrap --profile "$tmp/p9.ini" --keyset 3 --tar 000000 "$(rtrig "$n" "$sec")")
	$V term --profile "$tmp/p9.ini" --state "$d" --imei 123456789012345 --bip \
		--push "$env" "$@" > "$tmp/out" 2>&1 &
	tpid=$!
	pids+=($tpid)
}
# a server that takes each connection and closes it at once, counting them
counter() {
	python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
print("listening", flush=True)
while True:
    c, _ = s.accept()
    print("accepted", flush=True)
    c.close()
' "$rport" > "$tmp/count.out" &
	cpid=$!
	pids+=($cpid)
	for _ in $(seq 50); do grep -qs listening "$tmp/count.out" && break; sleep 0.1; done
}
rpush "$tmp/card4" 2 3
for _ in $(seq 200); do grep -qs "^waiting for timer 1" "$tmp/out" && break; sleep 0.05; done
ok_if "retry counter 2, delay 3 s: the first OPEN CHANNEL finds the server down" \
	grep -q "OPEN CHANNEL: no connection (Connection refused)" "$tmp/out"
ok_if "... the card asks its terminal for timer 1, 3 s (TIMER MANAGEMENT)" \
	grep -q "^  TIMER MANAGEMENT: timer 1 started, 3 s" "$tmp/out"
$V ota serve --https 127.0.0.1:$rport --profile "$tmp/p9.ini" --catalogue "$tmp/cat.ini" \
	--requests 1 > "$tmp/serve.out" 2>&1 &
spid=$!
pids+=($spid)
wait $tpid
check "... the server up for the retry: vsimctl term exit 0" 0 "$?"
ok_if "... TIMER EXPIRATION, the second attempt, no timer after it" contains "$(cat "$tmp/out")" \
	"SCP81 retry policy: 2 attempts (2 OPEN CHANNEL), 1 timer expirations, no further attempt"
ok_if "... the session ended by 204" contains "$(cat "$tmp/out")" \
	"SCP81: TLS established, 4 POSTs, 3 scripts, 7 commands, ended by 204 No Content"
wait $spid
check "... the server ends after its one session" 0 "$?"
ok_if "... domain created and the data" contains "$(cat "$tmp/serve.out")" \
	"download demo: domain created, 1000 bytes over HTTPS"
check "... the card holds it" \
	"A00000055910100101 tar B20100 lifecycle 07 privileges 800000 keys 3 data 1000/4096" \
	"$($V ota show --state "$tmp/card4")"
# counter exhausted: a server that drops every connection sees 3 (the
# first and 2 retries), the card stops
counter
rpush "$tmp/card5" 2 1
wait $tpid
check "retry counter 2 against a server that drops the link: exit 3" 3 "$?"
check "... the server saw 3 connections" 3 "$(grep -c accepted "$tmp/count.out")"
ok_if "... the terminal: 3 OPEN CHANNEL, 2 timer expirations, retries exhausted" contains "$(cat "$tmp/out")" \
	"SCP81 retry policy: 3 attempts (3 OPEN CHANNEL), 2 timer expirations, retries exhausted"
ok_if "... each ended as the channel closed" contains "$(cat "$tmp/out")" \
	"SCP81: TLS not established, 0 POSTs, 0 scripts, 0 commands, the channel closed"
check "... 3 CLOSE CHANNEL, 2 TIMER MANAGEMENT" "3 2" \
	"$(grep -c '^  CLOSE CHANNEL' "$tmp/out") $(grep -c '^  TIMER MANAGEMENT: timer 1 started, 1 s' "$tmp/out")"
# a terminal whose profile declares no timers: one attempt
kill $cpid 2>/dev/null
wait $cpid 2>/dev/null
counter
rpush "$tmp/card6" 2 1 --no-timers
wait $tpid
check "the same push, a terminal without TIMER MANAGEMENT: exit 3" 3 "$?"
check "... one connection" 1 "$(grep -c accepted "$tmp/count.out")"
ok_if "... the card does not retry" contains "$(cat "$tmp/out")" \
	"SCP81 retry policy: 1 attempts (1 OPEN CHANNEL), 0 timer expirations, the terminal declares no timers: not retried"
ok_if "... and sent no TIMER MANAGEMENT" bash -c '! grep -q "TIMER MANAGEMENT" "$1"' _ "$tmp/out"
kill $cpid 2>/dev/null

# -- the server's close_notify mid-session. openssl s_server cannot send
# one (its Q and q commands close the socket before SSL_shutdown), so
# tests/bip/tls_close.c does: TLS 1.2 PSK, the first request answered
# with a STORE DATA script, the second with close_notify.
TLSCLOSE=${TLSCLOSE:-build/tests/tls-close}
tlsclose() {	# tlsclose PORT N [FILE]: in the background, output in $tmp/close.out
	$TLSCLOSE "$1" $PSK $ID "$2" ${3:+"$3"} > "$tmp/close.out" 2>&1 &
	spid=$!
	pids+=($spid)
	for _ in $(seq 50); do grep -qs listening "$tmp/close.out" && break; sleep 0.1; done
}
b=$(script 80E2800004CAFEBABE)
{
	printf 'HTTP/1.1 200 OK\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\n'
	printf 'X-Admin-Next-URI: /admin/next\r\nX-Admin-Targeted-Application: //aid/A000000559/10100101\r\n'
	printf 'Content-Type: %s\r\nContent-Length: %d\r\n\r\n' "$CT" $(( ${#b} / 2 ))
	echo -n "$b" | xxd -r -p
} > "$tmp/resp"
tlsclose $port 2 "$tmp/resp"
term
wait $tpid; rc=$?
wait $spid
check "the server's close_notify mid-session: exit 3" 3 "$rc"
check "... the server: the first POST answered, close_notify after the second, the card's back" \
	"$(printf 'listening\nrequest 1: POST /admin?app=demo HTTP/1.1\nrequest 2: POST /admin/next HTTP/1.1\nclose_notify sent\nclose_notify received')" \
	"$(cat "$tmp/close.out")"
ok_if "... the card: the server closed the TLS session" contains "$(cat "$tmp/out")" \
	"SCP81: TLS established, 2 POSTs, 1 scripts, 1 commands, the server closed the TLS session"
ok_if "... then CLOSE CHANNEL" grep -q "^  CLOSE CHANNEL" "$tmp/out"
ok_if "... the card's own close_notify went out before it (SEND DATA after the last RECEIVE DATA)" \
	bash -c 'sed -n "/RECEIVE DATA/h; /SEND DATA/h; /^  CLOSE CHANNEL/{x;p;q}" "$1" | grep -q "SEND DATA 31 bytes"' _ "$tmp/out"
check "... what the script committed stays: the domain's data is the new 4 bytes" \
	"A00000055910100101 tar B20100 lifecycle 07 privileges 800000 keys 3 data 4/1024" \
	"$($V ota show --state "$tmp/card")"
# the same from a push with a retry policy: the server's word is not retried
tlsclose $rport 1
rpush "$tmp/card7" 2 1
wait $tpid; rc=$?
wait $spid
check "a push with retry counter 2 ended by close_notify: exit 3" 3 "$rc"
ok_if "... the server closed the TLS session" contains "$(cat "$tmp/out")" \
	"1 POSTs, 0 scripts, 0 commands, the server closed the TLS session"
ok_if "... not retried: one attempt, no timer" contains "$(cat "$tmp/out")" \
	"SCP81 retry policy: 1 attempts (1 OPEN CHANNEL), 0 timer expirations, the server ended it: not retried"
ok_if "... no TIMER MANAGEMENT" bash -c '! grep -q "TIMER MANAGEMENT" "$1"' _ "$tmp/out"
ok_if "... the server saw one request" grep -q "^request 1: POST /vsim/push?app=demo HTTP/1.1" "$tmp/close.out"

# -- kill -9 of the process holding the card at random points of HTTPS
# downloads (about 0.25 s each here, attach included): the domain whole or
# absent, its data whole or none, and the next download completes
$V ota serve --https 127.0.0.1:$port --profile "$tmp/p.ini" --catalogue "$tmp/cat.ini" \
	> "$tmp/serve.out" 2>&1 &
spid=$!
pids+=($spid)
for _ in $(seq 50); do grep -qs listening "$tmp/serve.out" && break; sleep 0.1; done
dl() {	# dl DIR: the card's request over HTTPS (exec: $! is vsimctl)
	exec $V term --profile "$tmp/p.ini" --state "$1" --imei 123456789012345 \
		--request demo --bip
}
bad=0 absent=0 empty=0 whole=0
runs=${SCP81_KILL_RUNS:-30}
for i in $(seq "$runs"); do
	c="$tmp/k$i"
	mkdir "$c"
	dl "$c" >/dev/null 2>&1 &
	pid=$!
	sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	st=$($V ota show --state "$c" 2>&1)
	case "$st" in
	"") absent=$((absent + 1)) ;;
	*"keys 3 data 0/4096") empty=$((empty + 1)) ;;
	*"keys 3 data 1000/4096") whole=$((whole + 1)) ;;
	*) bad=$((bad + 1)); echo "# run $i: $st" ;;
	esac
	out=$(dl "$c" 2>&1)
	st=$($V ota show --state "$c")
	[ "$st" = "A00000055910100101 tar B20100 lifecycle 07 privileges 800000 keys 3 data 1000/4096" ] ||
		{ bad=$((bad + 1)); echo "# run $i after recovery: $st / $(echo "$out" | tail -2)"; }
	rm -rf "$c"
done
kill $spid 2>/dev/null
echo "# after kill -9: $absent without the domain, $empty domain without data yet, $whole complete"
check "kill -9 in $runs HTTPS downloads: domain whole or absent, data whole or none; recovery completes" 0 "$bad"
tap_done
