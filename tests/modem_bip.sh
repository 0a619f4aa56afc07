#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# BIP through vsim-modem (issue #14): the SCP81 download over HTTPS with
# vsim-modem as the card's terminal. vsimd hosts a card whose profile
# names a bip_server and an SCP81 PSK (as tests/scp81_term.sh's) behind a
# private pcscd + vpcd; vsim-modem --pty is its handset, bound to the
# Net::SMPP SMSC (tests/smpp/relay.pl); `vsimctl ota serve --https` is the
# admin server. The user picks demo over the pty (+STGR): the card opens
# its channel through vsim-modem (a TCP connection from this host), runs
# TLS and the HTTP POSTs over it, the modem relays both ways with Data
# available / Channel status events, and the download completes (domain
# created, its data read back over SMS). Then the server's push: an
# SMS-PP trigger through the SMSC and the modem opens the second session
# (domain found). Bad cases: the server down (the OPEN CHANNEL fails, the
# card ends its session), a server that never answers (the modem drops
# the link after 10 s of silence and tells the card, which closes), and
# the modem answers AT meanwhile; --no-bip declares none of it.
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
. tests/lib/modempty.sh
T=$PCSC_TMP
P=examples/test-usim-ota.ini
PSK=000102030405060708090a0b0c0d0e0f
CAT=examples/ota-catalogue.conf
CTL=$T/smsc.ctl
SMSC_LOG=$T/smsc.log
SMSC_PID= SILENT_PID=
stop() {
	local pid
	modem_stop
	for pid in $SMSC_PID $SILENT_PID; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	SMSC_PID= SILENT_PID=
}
trap 'stop; pcscenv_teardown' EXIT
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
hport=$(free_port)
sport=$(free_port)
SMPP=127.0.0.1:$sport
sed "s/^server = .*/&\nbip_server = 127.0.0.1:$hport\nscp81_identity = vsim-test-card\nscp81_psk = $PSK\nscp81_uri = \/admin/" \
	$P > "$T/p.ini"
https() {	# https ARGS...: the admin server on $hport, in the background
	"$VSIMCTL" ota serve --https 127.0.0.1:$hport --profile "$T/p.ini" \
		--catalogue $CAT "$@" > "$T/serve.out" 2>&1 &
	spid=$!
	wait_until 100 grep -qs listening "$T/serve.out"
}
log_count() { grep -c "$1" "$T/modem.log"; }

ok_if "pcscd with vpcd starts in a private namespace" pcscd_start
ok_if "vsimd starts the SCP81 card" vsimd_start --card scp81="$T/p.ini"
ok_if "card present" wait_until 200 card_present "$READER0"
ok_if "the Net::SMPP SMSC listens" smsc_start $sport "$CTL" "$SMSC_LOG"
ok_if "vsim-modem --smsc starts" modem_start --hss "$T/p.ini" --smsc $SMPP \
	--control "$T/ctl"
# TS 102 223 §5.2: vsim-modem's own (SMS-PP download, MENU SELECTION, SEND
# SHORT MESSAGE, SET UP MENU ...) and byte 1 b6 TIMER EXPIRATION, byte 5
# b1 SET UP EVENT LIST, byte 6 b3-b4 Data available / Channel status,
# byte 8 b1-b2 TIMER MANAGEMENT, byte 12 b1-b5 OPEN .. GET CHANNEL STATUS,
# byte 13 one channel, byte 17 b1 TCP client
check "TERMINAL PROFILE declares BIP and the timers" 1 \
	"$(log_count '^  > 80100000122B008162010C00030000001F200000000140$')"
out=$(at 'AT+CPIN="1234"' 'AT+CEREG?' AT+STGI=25)
ok_if "PIN, registered, the card's menu" \
	contains "$out" 'AT+CEREG? => +CEREG: 0,1|OK'
ok_if "... with demo" contains "$out" '+STGI: 1,"demo"'

# -- the user's request over HTTPS
https --requests 1
check "+STGR=25,1,1: the user picks demo" OK "$(at1 AT+STGR=25,1,1)"
ok_if "the download completes" wait_until 300 bash -c "! kill -0 $spid 2>/dev/null"
wait $spid
check "... the server ends after one session" 0 "$?"
sed 's/^/# /' "$T/serve.out"
ok_if "the server: the card's POST named demo" contains "$(cat "$T/serve.out")" \
	"https request from ICCID 8988211000000000011 (vsim-test-card): demo"
ok_if "... domain missing: created with the card's keys, the data" \
	contains "$(cat "$T/serve.out")" "download demo: domain created, 22 bytes over HTTPS, KVN+KCVs 01"
ok_if "the modem: OPEN CHANNEL to the card's bip_server" \
	grep -q "^  OPEN CHANNEL 127.0.0.1:$hport, buffer" "$T/modem.log"
ok_if "... Data available events brought the server's records" \
	test "$(log_count '^EVENT data available')" -ge 2
ok_if "... RECEIVE DATA and SEND DATA both ways" \
	bash -c "grep -q '^  RECEIVE DATA' '$T/modem.log' && grep -q '^  SEND DATA' '$T/modem.log'"
ok_if "... the card closed the channel" grep -q "^  CLOSE CHANNEL" "$T/modem.log"
ok_if "... and nothing unexpected" bash -c "! grep -q '^unexpected' '$T/modem.log'"
"$VSIMCTL" ota send --profile "$T/p.ini" --smpp $SMPP --msisdn +15550100001 \
	--server "$T/srv" --keyset 2 --tar B20100 80CADF7A00 > "$T/send.out" 2>&1
check "the domain holds the data: GET DATA at its TAR over SMS, through SMSC and modem" \
	"commands 1 sw 9000 data 7673696D2064656D6F206170706C69636174696F6E0A" \
	"$(grep -o 'commands.*' "$T/send.out")"

# -- the server's push: the trigger by SMS through the SMSC and the modem
https --push demo --server "$T/srv" --smpp $SMPP --msisdn +15550100001 --requests 1
ok_if "serve --https --push: the trigger went to the SMSC" \
	wait_until 100 grep -qs "administration session trigger sent over SMPP" "$T/serve.out"
ok_if "the session the push opened completes" wait_until 300 bash -c "! kill -0 $spid 2>/dev/null"
wait $spid
check "... the server ends after it" 0 "$?"
sed 's/^/# /' "$T/serve.out"
ok_if "... the modem handed the trigger to the card as SMS-PP download" \
	grep -q "^network: SMS-PP data download from +4900000001: the card answered 9000" "$T/modem.log"
ok_if "... the first POST named the application (the trigger's URI)" \
	contains "$(cat "$T/serve.out")" "https request from ICCID 8988211000000000011 (vsim-test-card): demo"
ok_if "... domain found: the data only" contains "$(cat "$T/serve.out")" \
	"download demo: domain found, 22 bytes over HTTPS"
check "two channels opened and closed" "2 2" \
	"$(log_count '^  OPEN CHANNEL 127.0.0.1:'"$hport"', buffer') $(log_count '^  CLOSE CHANNEL')"

# -- bad cases: the server down
check "the server down: +STGR still OK" OK "$(at1 AT+STGR=25,1,1)"
ok_if "... the OPEN CHANNEL failed: refused" \
	grep -q "^  OPEN CHANNEL: no connection (Connection refused)" "$T/modem.log"
after=$(sed -n '/^  OPEN CHANNEL: no connection/,/^stk: MENU SELECTION/p' "$T/modem.log" | grep -v '^  [<>]')
echo "$after" | sed 's/^/# /'
ok_if "... the card ends its session there: no SEND DATA, no second OPEN CHANNEL" \
	bash -c "! grep -qE '^  (SEND DATA|OPEN CHANNEL [0-9])' <<<'$after'"
ok_if "... the menu selection answered 9000" contains "$after" "stk: MENU SELECTION of 1 (demo): 9000"
ok_if "... and the modem answers AT" \
	test "$(at1 AT)" = OK
# a server that takes the connection and never says a word
"$PY" -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
print("listening", flush=True); c, _ = s.accept(); time.sleep(60)' $hport > "$T/silent.out" &
SILENT_PID=$!
wait_until 100 grep -qs listening "$T/silent.out"
check "a silent server: +STGR OK" OK "$(at1 AT+STGR=25,1,1)"
ok_if "... the channel is open" \
	test "$(log_count "^  OPEN CHANNEL 127.0.0.1:$hport, buffer")" = 4
out=$(at AT AT+CSQ AT+CEREG?)
ok_if "... while it waits, the modem answers AT" \
	contains "$out" "AT => OK"
ok_if "... and +CEREG?" contains "$out" "AT+CEREG? => +CEREG: 0,1|OK"
check "... before the 10 s are up, no drop yet" 0 "$(log_count '^unexpected: nothing moved')"
ok_if "after 10 s of silence the modem drops the link" \
	wait_until 200 grep -q "^unexpected: nothing moved on the channel for 10000 ms: the link dropped" "$T/modem.log"
ok_if "... tells the card (Channel status) and the card closes" \
	wait_until 50 bash -c "[ \$(grep -c '^  CLOSE CHANNEL' '$T/modem.log') = 3 ]"
ok_if "... the event: Channel status, channel 1 link dropped (B8 02 01 05)" \
	grep -q '^  > 80C200000DD60B99010A82028281B8020105$' "$T/modem.log"
ok_if "... and AT still answers" test "$(at1 AT)" = OK
kill $SILENT_PID 2>/dev/null
wait $SILENT_PID 2>/dev/null
SILENT_PID=

# -- a push with a retry policy (counter 1, 2 s: docs/ota.md "Retries"),
# handed over as +CUSATE, while the server is down: the card asks the
# modem for a timer, the modem's loop sends its TIMER EXPIRATION, and
# the card's second OPEN CHANNEL reaches the server, up by then
trig=8130832E840C3C0302$(printf '%04X' "$hport")3E05217F000001860700012503000020
trig+=89158C13$(printf /vsim/push?app=demo | xxd -p | tr -d '\n')
pushenv=$("$VSIMCTL" ota wrap --profile "$T/p.ini" --keyset 3 --tar 000000 --counter 10 "$trig")
check "a push with retry counter 1 while the server is down: +CUSATE, the card answers 9000" \
	'+CUSATE: ""|+CUSATE2: 144,0|OK' "$(at1 "AT+CUSATE=\"${pushenv:10}\"")"
ok_if "... its OPEN CHANNEL refused, the card starts timer 1 for 2 s" \
	wait_until 100 grep -q "^  TIMER MANAGEMENT: timer 1 started, 2 s" "$T/modem.log"
check "... and the modem answers AT while it runs" 0 \
	"$(at1 AT >/dev/null; log_count '^TIMER EXPIRATION')"
https --requests 1
ok_if "... the modem sends TIMER EXPIRATION when it is due" \
	wait_until 100 grep -q "^TIMER EXPIRATION timer 1" "$T/modem.log"
ok_if "... the retry's session completes" wait_until 300 bash -c "! kill -0 $spid 2>/dev/null"
wait $spid
check "... the server ends after it" 0 "$?"
ok_if "... the retry reached the server: the domain found, the data sent" \
	contains "$(cat "$T/serve.out")" "download demo: domain found, 22 bytes over HTTPS"
ok_if "... the expiry as TS 102 223 §7.4.2 has it: D7 {82 02 82 81} {A4 01 01} {A5 03 000020}" \
	grep -q '^  > 80C200000ED70C82028281A40101A503000020$' "$T/modem.log"

st=$("$MODEM" --status "$T/ctl" --json)
echo "# $st"
ok_if "status: BIP declared, no channel now; 4 opened (menu, push, silent server, retry) and 4 closed, 1 expiry" \
	bash -c "[[ \$1 =~ '\"bip\":{\"declared\":true,\"channel\":\"none\",\"opened\":4,\"closed\":4,\"sent\":'[1-9][0-9]*',\"received\":'[1-9][0-9]*',\"timers\":0,\"expirations\":1}' ]]" _ "$st"

# --no-bip: none of it declared
stop
SMSC_LOG=$T/smsc2.log
ok_if "the SMSC again" smsc_start $sport "$CTL" "$SMSC_LOG"
: > "$T/modem.log"
ok_if "vsim-modem --no-bip starts" modem_start --hss "$T/p.ini" --no-bip
check "its TERMINAL PROFILE: vsim-modem's without BIP or timers" 1 \
	"$(log_count '^  > 80100000120B0081620000000000000000000000000040$')"
tap_done
