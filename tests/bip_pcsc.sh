#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# BIP through a real PC/SC stack and vsimd (docs/ota.md "Over BIP"): pcscd +
# vpcd + vsimd (embedded backend; OTA_BACKEND=kernel: the card in vsim.ko,
# tests/vm/ota_kernel.sh runs it so) hosting a card whose profile names a
# bip_server, and tests/pcsc/bip_terminal.py as the handset: a second BIP
# terminal, written apart from vsimctl term's. The user picks demo; the
# card opens the channel to tests/bip/tcpserver.py, sends its request, runs
# the remote file read the server sends and returns the PoR, and closes the
# channel when the server hangs up. Then SCP81 on such a channel, with
# openssl s_server -psk as the admin server: the card's POSTs through
# vsimd, INSTALL of a domain run at the ISD, 204, and the domain there
# afterwards; and the whole seed flow with vsimctl ota serve --https on a
# fresh card, the first download opened by the server's push (the SMS-PP
# administration session trigger the handset hands the card, as the
# network would), the second by the menu (domain created, then found; the
# data read back over SMS); a push whose retry policy brings the session
# back after the handset's timer (TIMER EXPIRATION through vsimd);
# last, on demand (SCP81_VSIMD_KILL_RUNS=50), kill -9 of vsimd at random
# points of HTTPS downloads: the domain whole or absent, its data whole or
# none, the next download completes. Not by default: about one run in 30
# pcscd fails the handset's power cycle (SCardReconnect: "Error resetting
# card") and then keeps the reader unusable for minutes, which fails the
# run for pcscd's sake (tests/scp81_term.sh kills the card's process at
# random points of 30 HTTPS downloads in every make check). Private
# namespaces (tests/lib/pcscenv.sh).
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

# -- SCP81 over the channel (docs/ota.md "SCP81"): openssl s_server with
# the card's PSK is the admin server, this script writes its answers
PSK=000102030405060708090a0b0c0d0e0f
CT='application/vnd.globalplatform.card-content-mgt;version=1.0'
INSTALL=80E60C003607A000000559101007A000000559101109A000000559101001010380000016C900EF12C8020400CA0C010001000000000003B201000000
$V remove bip >/dev/null
ok_if "the card left" wait_until 200 card_absent "$READER0"
port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed "s/^server = .*/&\nbip_server = 127.0.0.1:$port\nscp81_identity = vsim-test-card\nscp81_psk = $PSK\nscp81_uri = \/admin/" \
	$P > "$T/scp81.ini"
mkfifo "$T/in"
exec 3<>"$T/in"
openssl s_server -accept "127.0.0.1:$port" -nocert -psk $PSK \
	-psk_identity vsim-test-card -tls1_2 -cipher PSK-AES128-GCM-SHA256 \
	-naccept 1 -quiet <&3 > "$T/srv.out" 2> "$T/srv.err" &
ok_if "the SCP81 card joins vsimd" bash -c "$V add $T/scp81.ini --name scp81 >/dev/null"
ok_if "card present" wait_until 200 card_present "$READER0"
"$PY" tests/pcsc/bip_terminal.py "$READER0" demo > "$T/term.out" 2>&1 &
tpid=$!
posts() { grep -ao 'POST /admin' "$T/srv.out" 2>/dev/null | wc -l; }
wait_posts() {
	for _ in $(seq 600); do
		[ "$(posts)" -ge "$1" ] && sleep 0.5 && return 0
		sleep 0.1
	done
	return 1
}
ok_if "the card's first POST over TLS-PSK, through vsimd" wait_posts 1
ok_if "... X-Admin-From names the card" grep -aq 'X-Admin-From: //se-id/iccid/8988211000000000011' "$T/srv.out"
body=AE80223B${INSTALL}0000
{
	printf 'HTTP/1.1 200 OK\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\n'
	printf 'X-Admin-Next-URI: /admin/next\r\nContent-Type: %s\r\n' "$CT"
	printf 'Content-Length: %d\r\n\r\n' $(( ${#body} / 2 ))
	echo -n "$body" | xxd -r -p
} >&3
ok_if "INSTALL's R-APDU comes back in the second POST" wait_posts 2
printf 'HTTP/1.1 204 No Content\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\n\r\n' >&3
wait $tpid
rc=$?
sed 's/^/# /' "$T/term.out"
check "the handset's session: exit 0 (the card closed the channel)" 0 "$rc"
por=$("$PY" tests/pcsc/apdus.py "$READER0" \
	$($V ota wrap --profile $P --keyset 3 --tar 000000 --counter 1 80F24002024F00) | tail -1)
ok_if "the domain exists: GET STATUS over SMS-PP finds it" \
	contains "$($V ota por --profile $P --keyset 3 "${por:0:${#por}-4}" 2>&1)" \
	"sw 9000 data E3144F09A000000559101001019F700107C503800000"

# -- the whole seed flow over HTTPS through vsimd: vsimctl ota serve
# --https --push, a fresh card; the server's push opens the first session
# (domain created), the user's menu choice the second (domain found)
$V remove scp81 >/dev/null
ok_if "the card left" wait_until 200 card_absent "$READER0"
head -c 1000 /dev/urandom > "$T/app.bin"
printf '[app demo]\naid = A00000055910100101\ntar = B20100\ndata = %s\nquota = 4096\n' \
	"$T/app.bin" > "$T/cat.ini"
$V ota serve --https 127.0.0.1:$port --profile "$T/scp81.ini" --catalogue "$T/cat.ini" \
	--push demo --server "$T/psrv" --requests 2 > "$T/serve.out" 2>&1 &
spid=$!
ok_if "a fresh SCP81 card joins vsimd" bash -c "$V add $T/scp81.ini --name fresh >/dev/null"
ok_if "card present" wait_until 200 card_present "$READER0"
ok_if "the server's push: one SMS, sent once it listens" wait_until 200 grep -q "trigger sent" "$T/serve.out"
pushenv=$(sed -n 's/^push ENVELOPE //p' "$T/serve.out")
"$PY" tests/pcsc/bip_terminal.py "$READER0" "push=$pushenv" > "$T/term.out" 2>&1
check "the push through vsimd: the handset's session ends well" 0 "$?"
sed 's/^/# /' "$T/term.out"
ok_if "... the card took the trigger and announced OPEN CHANNEL (91xx)" grep -q "^push 91" "$T/term.out"
ok_if "... to the server the trigger names" grep -q "^open D01C8103..400182028182B50103B9020578BC0302$(printf '%04X' "$port")BE05217F000001" "$T/term.out"
ok_if "... the first POST named the application (the trigger's URI)" \
	contains "$(cat "$T/serve.out")" "https request from ICCID 8988211000000000011 (vsim-test-card): demo"
"$PY" tests/pcsc/bip_terminal.py "$READER0" demo > "$T/term.out" 2>&1
check "then the menu's request over HTTPS through vsimd: the handset's session ends well" 0 "$?"
wait $spid
sed 's/^/# /' "$T/serve.out"
ok_if "the server: domain created with the card's keys, 1000 bytes" \
	contains "$(cat "$T/serve.out")" "download demo: domain created, 1000 bytes over HTTPS, KVN+KCVs 01"
ok_if "... then found: the data only" \
	contains "$(cat "$T/serve.out")" "download demo: domain found, 1000 bytes over HTTPS"
want=$(head -c 200 "$T/app.bin" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
por=$("$PY" tests/pcsc/apdus.py "$READER0" \
	$($V ota wrap --profile $P --keyset 2 --tar B20100 --counter 1 80CBDF7A020000) | tail -1)
ok_if "the data reads back from the domain over SMS-PP" \
	contains "$($V ota por --profile $P --keyset 2 "${por:0:${#por}-4}" 2>&1)" "sw 9000 data $want"

# -- a push with a retry policy (counter 1, 2 s: docs/ota.md "Retries")
# while the server is down: the card asks the handset for a timer, and
# its expiry (ENVELOPE TIMER EXPIRATION, through vsimd's slow path, in
# the VM through vsim.ko's) opens the session again, to the server now up
trig=8130832E840C3C0302$(printf '%04X' "$port")3E05217F000001860700012503000020
trig+=89158C13$(printf /vsim/push?app=demo | xxd -p | tr -d '\n')
pushenv=$($V ota wrap --profile "$T/scp81.ini" --keyset 3 --tar 000000 --counter 2 "$trig")
"$PY" -u tests/pcsc/bip_terminal.py "$READER0" "push=$pushenv" > "$T/term.out" 2>&1 &
hpid=$!
ok_if "a push with retry counter 1, the server down: the card starts timer 1, 2 s" \
	wait_until 200 grep -q '^timer 1 started 2$' "$T/term.out"
$V ota serve --https 127.0.0.1:$port --profile "$T/scp81.ini" --catalogue "$T/cat.ini" \
	--requests 1 > "$T/serve.out" 2>&1 &
spid=$!
wait $hpid
check "... the handset's session ends well" 0 "$?"
sed 's/^/# /' "$T/term.out"
ok_if "... its TIMER EXPIRATION made the card open the channel again (91xx)" grep -q '^expired 1 91' "$T/term.out"
check "... two OPEN CHANNEL, one timer" "2 1" "$(grep -c '^open ' "$T/term.out") $(grep -c '^timer ' "$T/term.out")"
# the server serves one session; it gets 10 s to end, the test never hangs
wait_until 100 bash -c "! kill -0 $spid"
kill $spid 2>/dev/null
wait $spid
ok_if "... the retry reached the server: the domain found, the data sent" \
	contains "$(cat "$T/serve.out")" "download demo: domain found, 1000 bytes over HTTPS"

# -- kill -9 of vsimd at random points of HTTPS downloads, as
# tests/ota_pcsc.sh does for SMS: the domain is deleted over SMS-PP, the
# handset starts a download, vsimd dies within the first WINDOW ms;
# afterwards the card's store holds no domain, or the domain with its 3
# keys and no data yet, or the whole data; the next download completes
runs=${SCP81_VSIMD_KILL_RUNS:-0}
[ "$runs" -gt 0 ] || { tap_done; exit; }
$V ota serve --https 127.0.0.1:$port --profile "$T/scp81.ini" --catalogue "$T/cat.ini" \
	> "$T/serve.out" 2>&1 &
spid=$!
id=$(sqlite3 "$PCSC_TMP/state/vsim.db" "select id from cards where name = 'fresh'")
state() {	# the domain as the card's store has it: "" or "KEYS DATALEN"
	sqlite3 "$PCSC_TMP/state/vsim.db" "select (select count(*) from ota_key k where k.card = d.card and k.aid = d.aid), length(data) from ota_domain d where card = $id" | tr '|' ' '
}
cnt=10
del() {	# the domain deleted over SMS-PP (ISD, key set 3, the next counter)
	cnt=$((cnt + 1))
	"$PY" tests/pcsc/apdus.py "$READER0" \
		$($V ota wrap --profile $P --keyset 3 --tar 000000 --counter $cnt 80E400000B4F09A00000055910100101) >/dev/null 2>&1
}
del
check "the domain deleted over SMS-PP" "" "$(state)"
t0=$(date +%s%N)
"$PY" tests/pcsc/bip_terminal.py "$READER0" demo > "$T/term.out" 2>&1
check "a download over HTTPS after the DELETE: exit 0" 0 "$?"
ms=$((($(date +%s%N) - t0) / 1000000))
check "... the domain whole again" "3 1000" "$(state)"
echo "# an HTTPS download through vsimd took $ms ms (the handset's power cycle included): kills within it"
bad=0 absent=0 empty=0 whole=0
for i in $(seq "$runs"); do
	del
	# after the handset's power cycle (the card's menu seen): pcscd keeps
	# a reader whose card vanished in the middle of a reset unusable for
	# minutes, which would test pcscd, not the card
	"$PY" -u tests/pcsc/bip_terminal.py "$READER0" demo > "$T/kill.out" 2>&1 &
	hpid=$!
	wait_until 100 grep -q '^menu' "$T/kill.out"
	r=$((RANDOM % ms))
	sleep "$((r / 1000)).$(printf %03d $((r % 1000)))"
	kill -9 "$VSIMD_PID"; wait "$VSIMD_PID" 2>/dev/null; VSIMD_PID=
	wait "$hpid" 2>/dev/null
	st=$(state)
	case "$st" in
	"") absent=$((absent + 1)) ;;
	"3 0") empty=$((empty + 1)) ;;
	"3 1000") whole=$((whole + 1)) ;;
	*) bad=$((bad + 1)); echo "# run $i: '$st'" ;;
	esac
	vsimd_start "${B[@]}" >/dev/null || { bad=$((bad + 1)); echo "# run $i: vsimd did not restart"; }
	wait_until 200 card_present "$READER0" ||
		{ bad=$((bad + 1)); echo "# run $i: no card"; tail -3 "$PCSC_TMP/pcscd.log" | sed "s/^/#   /"; }
	for _ in 1 2 3; do "$PY" tests/pcsc/bip_terminal.py "$READER0" demo >/dev/null 2>&1 && break; sleep 0.5; done
	[ "$(state)" = "3 1000" ] || { bad=$((bad + 1)); echo "# run $i after recovery: '$(state)'"; }
done
kill -0 $spid 2>/dev/null || { bad=$((bad + 1)); echo "# the server died:"; tail -5 "$T/serve.out" | sed 's/^/#   /'; }
kill $spid 2>/dev/null
wait $spid 2>/dev/null
echo "# after kill -9 of vsimd: $absent without the domain, $empty domain without data yet, $whole complete"
check "kill -9 of vsimd in $runs HTTPS downloads: never a partial domain or data; the next download completes" 0 "$bad"
tap_done
