#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# OTA through vsim-modem (issue #13): the whole chain of the seed design
# with no part played by the test. vsimd hosts examples/test-usim-ota.ini
# behind a private pcscd + vpcd (tests/lib/pcscenv.sh); vsim-modem --pty
# is its handset, its network side bound as an SMPP ESME to an SMSC the
# project did not write (Net::SMPP, tests/smpp/relay.pl); `vsimctl ota
# serve --smpp` is the application server on the same SMSC. The user
# picks "demo" from the card's SET UP MENU (+STGI/+STGR on the pty): the
# card's request leaves by SEND SHORT MESSAGE -> vsim-modem -> SMSC ->
# server; the server's secured SMS (PID 7F, DCS F6) come back through the
# SMSC to vsim-modem, which hands them to the card as ENVELOPE (SMS-PP
# download); the card's PoRs go back by SEND SHORT MESSAGE. Then: the
# domain holds the data (read over the same chain), a second request finds
# the domain, and plain SMS both ways (+CMTI/+CMGR, +CMGS -> SMSC).
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
. tests/lib/modempty.sh
P=examples/test-usim-ota.ini
CTL=$PCSC_TMP/smsc.ctl
SMSC_LOG=$PCSC_TMP/smsc.log
MODEM_PID= SMSC_PID=
stop() {
	local pid
	for pid in $MODEM_PID $SMSC_PID; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	MODEM_PID= SMSC_PID=
}
trap 'stop; pcscenv_teardown' EXIT
port=$((20000 + RANDOM % 20000))
SMPP=127.0.0.1:$port
serve() {
	"$VSIMCTL" ota serve --profile $P --smpp $SMPP --server "$PCSC_TMP/srv" \
		--catalogue examples/ota-catalogue.conf --requests 1
}
# bound NAME: the SMSC's log shows NAME's bind (counting all so far)
bound() { test "$(grep -c "^bind $1 " "$SMSC_LOG")" -ge "$2"; }

ok_if "pcscd with vpcd starts in a private namespace" pcscd_start
ok_if "vsimd starts the OTA card" vsimd_start --card ota=$P
ok_if "card present" wait_until 200 card_present "$READER0"
ok_if "the Net::SMPP SMSC listens" smsc_start $port "$CTL" "$SMSC_LOG"
"$MODEM" --pty --link "$TTY" --hss $P --smsc $SMPP --log "$PCSC_TMP/modem.log" \
	--control "$PCSC_TMP/ctl" >"$PCSC_TMP/modem.out" 2>&1 &
MODEM_PID=$!
ok_if "vsim-modem --smsc starts" wait_until 100 test -L "$TTY"
ok_if "its network side bound to the SMSC for the card's MSISDN" \
	grep -q "^bind vsim-modem range=15550100001$" "$SMSC_LOG"
ok_if "the start-up fetched the card's SET UP MENU" \
	grep -q 'SET UP MENU "vsim applications", 1 items' "$PCSC_TMP/modem.log"
check "+STGI=25: the card's menu" '+STGI: "vsim applications",1|+STGI: 1,"demo"|OK' \
	"$(at1 AT+STGI=25)"
check "+STGR before registration: OK (the card takes the choice)" OK "$(at1 AT+STGR=25,1,1)"
ok_if "... but its SEND SHORT MESSAGE is refused: not registered" \
	grep -q "SEND SHORT MESSAGE: not registered" "$PCSC_TMP/modem.log"
check "... and nothing reached the SMSC" 0 "$(grep -c '^submit ' "$SMSC_LOG")"
out=$(at 'AT+CPIN="1234"' 'AT+CEREG?')
ok_if "PIN, then registered after AKA with the profile's keys" \
	contains "$out" "AT+CEREG? => +CEREG: 0,1|OK"

# the download flow of the seed design, through the modem
serve >"$PCSC_TMP/serve.out" 2>&1 &
spid=$!
ok_if "vsimctl ota serve --smpp bound to the same SMSC" wait_until 100 bound vsim-ota 1
check "+STGR=25,1,1: the user picks demo" OK "$(at1 AT+STGR=25,1,1)"
wait $spid
rc=$?
check "serve: the card's request via the modem, answered with the download" \
	$'0:request from +15550100001 (ICCID 8988211000000000011): demo\ndownload demo: domain created, 22 bytes in 3 messages' \
	"$rc:$(cat "$PCSC_TMP/serve.out")"
sed 's/^/# /' "$SMSC_LOG"
ok_if "the request: SEND SHORT MESSAGE -> submit_sm from the modem to the server's address, UDH 02 70 00" \
	grep -q "^submit from=vsim-modem src=15550100001 dst=4900000001 esm=40 pid=7f dcs=f6 ud=027000" "$SMSC_LOG"
ok_if "... relayed to the server as deliver_sm" \
	grep -q "^deliver to=vsim-ota src=15550100001 dst=4900000001 pid=7f dcs=f6 ud=027000" "$SMSC_LOG"
n=$(grep -c "^deliver to=vsim-modem src=4900000001 dst=15550100001 pid=7f dcs=f6 ud=" "$SMSC_LOG")
check "the server's 3 secured SMS reached the modem as deliver_sm (PID 7F, DCS F6)" 3 "$n"
check "... each handed to the card as ENVELOPE (SMS-PP download)" 3 \
	"$(grep -c '^network: SMS-PP data download from +4900000001: the card answered 9000' "$PCSC_TMP/modem.log")"
check "... as D1: network to UICC, the SC's address, the TPDU (TS 31.111 §7.1.1)" 3 \
	"$(grep -cE '^  > 80C20000[0-9A-F]{2}D1(81)?[0-9A-F]{2}820283818607915155001000F08B' "$PCSC_TMP/modem.log")"
n=$(grep -c "^submit from=vsim-modem src=15550100001 dst=4900000001 esm=40 pid=7f dcs=f6 ud=027100" "$SMSC_LOG")
check "the card's 3 PoRs (UDH 02 71 00) went back through the SMSC, one per message" 3 "$n"
ok_if "no message the SMSC could not route" bash -c "! grep -q '^nowhere' '$SMSC_LOG'"

# the domain holds the application data: read it over the same chain
"$VSIMCTL" ota send --profile $P --smpp $SMPP --msisdn +15550100001 \
	--server "$PCSC_TMP/srv" --keyset 2 --tar B20100 80CADF7A00 >"$PCSC_TMP/send.out" 2>&1
check "GET DATA at the new domain's TAR through SMSC and modem: the data" \
	"commands 1 sw 9000 data 7673696D2064656D6F206170706C69636174696F6E0A" \
	"$(grep -o 'commands.*' "$PCSC_TMP/send.out")"
serve >"$PCSC_TMP/serve.out" 2>&1 &
spid=$!
ok_if "serve again" wait_until 100 bound vsim-ota 3
check "+CUSATE with the MENU SELECTION of item 1 (TS 27.007 §12.2.5)" \
	'+CUSATE: ""|+CUSATE2: 144,0|OK' "$(at1 'AT+CUSATE="D30782020181900101"')"
wait $spid
check "second request: the domain is found, data only" \
	$'request from +15550100001 (ICCID 8988211000000000011): demo\ndownload demo: domain found, 22 bytes in 2 messages' \
	"$(cat "$PCSC_TMP/serve.out")"

st=$("$MODEM" --status "$PCSC_TMP/ctl" --json)
echo "# $st"
ok_if "status: bound to the SMSC" contains "$st" '"smsc":true}'
ok_if "status: the card's menu" contains "$st" '"stk":{"menu":"vsim applications","items":["demo"],"refreshes":0}'
ok_if "status: 6 SMS-PP downloads to the card (3 + 1 + 2), none for the handset, the card's 8 SMS out (2 requests, 6 PoRs)" \
	contains "$st" '"mo":8,"mt":0,"data_downloads":6}'

# plain SMS: from the network to the handset, and from the handset out
out=$(at AT+CMGF=0 AT+CNMI=2,1,0,0,0)
check "an SMS from the SMSC (PID 00, DCS 00): +CMTI" '+CMTI: "ME",0' \
	"$(at1 "INJECT:$CTL:mt 15551230000 15550100001 00 48656c6c6f")"
pdu=$(at1 AT+CMGR=0 | cut -d'|' -f2)
echo "# $pdu"
check "+CMGR: SCA, SMS-DELIVER from +15551230000, PID 00 DCS 00, \"Hello\" in 5 septets" \
	"07915155001000F0040B915155210300F00000|05C8329BFD06" \
	"${pdu:0:38}|${pdu:52}"
ok_if "... the SMSC logged its deliver_sm" \
	grep -q "^deliver to=vsim-modem src=15551230000 dst=15550100001 pid=00 dcs=00 ud=48656c6c6f" "$SMSC_LOG"
check "+CMGS (\"ABC\" to +15551000001)" "+CMGS: 1|OK" "$(at1 'AT+CMGS=16>0001000B915155010000F100000341E110')"
ok_if "... reached the SMSC as submit_sm with the text unpacked" \
	wait_until 50 grep -q "^submit from=vsim-modem src=15550100001 dst=15551000001 esm=00 pid=00 dcs=00 ud=414243$" "$SMSC_LOG"
ok_if "... which has no ESME for that number, and says so" grep -q "^nowhere dst=15551000001" "$SMSC_LOG"
echo "mt 15551230000 15550100001 00 $(printf 'x%.0s' $(seq 200) | xxd -p | tr -d '\n')" >"$CTL"
wait_until 50 grep -q "deliver_sm from 15551230000 dropped" "$PCSC_TMP/modem.log"
ok_if "a deliver_sm too long for one SMS: dropped, named in the log" \
	grep -q "deliver_sm from 15551230000 dropped: short_message too long for one SMS" "$PCSC_TMP/modem.log"
check "... and the store holds only the first" "+CMGL: 0,1,,24" "$(at1 AT+CMGL=4 | cut -d'|' -f1)"

# bad input
check "+STGR of an item not on the menu: +CME ERROR: 50" "+CME ERROR: 50" "$(at1 AT+STGR=25,1,9)"
check "+STGI of another command type: +CME ERROR: 50" "+CME ERROR: 50" "$(at1 AT+STGI=21)"
check "+CUSATE with odd hex: +CME ERROR: 50" "+CME ERROR: 50" "$(at1 'AT+CUSATE="D3070"')"
stop
out=$("$MODEM" --pty --smsc $SMPP 2>&1); rc=$?
check "--smsc without an HSS msisdn: exit 2, why" \
	"2:vsim-modem: --smsc needs the subscriber's number: msisdn in the --hss file" "$rc:$out"
out=$("$MODEM" --pty --hss $P --smsc 127.0.0.1:1 2>&1); rc=$?
check "--smsc with no SMSC there: exit 1, the address named" \
	"1:vsim-modem: --smsc 127.0.0.1:1: Connection refused" "$rc:$out"
tap_done
