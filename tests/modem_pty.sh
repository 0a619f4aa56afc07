#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vsim-modem over a pty (issue #13): its SIM slot is vsimd's card behind a
# private pcscd + vsmartcard-vpcd (tests/lib/pcscenv.sh), its host side a
# pty driven by a small AT client (tests/modem/atclient.py). Checks
# ModemManager's generic probe, PIN/PUK with the card's real counters,
# +CIMI/+CCID/+CRSM from the card, +CLCK/+CPWD changing the card (seen by a
# fresh session), registration granted only after AKA (and AUTS resync),
# denied for a card bound to another IMEI, SMS in PDU mode, and the
# status on the control socket (--control, --status, --json).
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
. tests/lib/modempty.sh
trap 'modem_stop; pcscenv_teardown' EXIT
modem_hss
# pty_modem ARGS...: on the first vpcd reader, SMS through files
pty_modem() {
	modem_start --sms-in "$PCSC_TMP/sms-in" --sms-out "$PCSC_TMP/mo" "$@"
}

ok_if "pcscd with vpcd starts in a private namespace" pcscd_start
ok_if "vsimd starts with examples/test-usim.ini" vsimd_start \
	--card usim=examples/test-usim.ini
ok_if "card present in $READER0" wait_until 200 card_present "$READER0"
ok_if "vsim-modem --pty starts on the vpcd reader" pty_modem
ok_if "vsim-modem prints its pty" grep -q '^vsim-modem: pty /dev/pts/[0-9]*$' "$PCSC_TMP/modem.out"

# ModemManager 1.20's generic probe and SIM init, in its order (#13).
out=$(at AT AT+CGMI 'AT%IPSYS?' 'AT%IPSYS?' 'AT%IPSYS?' AT+CGMM 'ATE0 V1' \
	AT+CMEE=1 'ATX4 &C1' AT+GCAP AT+WS46=? AT+CSCS=? 'AT+CSCS="UCS2"' \
	AT+CSCS? AT+CGMR AT+CGSN ATI 'AT*CNTI=2' AT+CGDCONT=? AT+CFUN? \
	AT+CPIN? 'AT+CSIM=10,"0020000100"' 'AT+CSIM=10,"0020008100"' \
	'AT+CSIM=10,"002C000100"' 'AT+CSIM=10,"002C008100"' \
	AT+CRSM=176,12258,0,0,10 AT+CRSM=176,28589,0,0,4 \
	AT+CRSM=176,28486,0,0,17 AT+CRSM=176,28599,0,0,3 \
	AT+CRSM=176,28478,0,0,1 AT+CRSM=176,28479,0,0,1 AT+CIMI AT+CPLS? \
	AT+CPOL? AT+CNUM 'AT+CLCK="SC",2' 2>&1); rc=$?
check "MM probe: every command answered" 0 "$rc"
for want in 'AT => OK' 'AT+CGMI => vsim|OK' 'AT%IPSYS? => +CME ERROR: 4' \
	'AT+CGMM => vsim-modem|OK' 'ATE0 V1 => OK' 'AT+CMEE=1 => OK' \
	'ATX4 &C1 => OK' 'AT+GCAP => +GCAP: +CGSM|OK' 'AT+WS46=? => +WS46: (28)|OK' \
	'AT+CSCS? => +CSCS: "UCS2"|OK' 'AT+CGSN => 490154203237518|OK' \
	'ATI => vsim vsim-modem' 'AT*CNTI=2 => +CME ERROR: 4' \
	'AT+CGDCONT=? => +CGDCONT: (1-11),"IP"' 'AT+CFUN? => +CFUN: 1|OK' \
	'AT+CPIN? => +CPIN: SIM PIN|OK' \
	'AT+CSIM=10,"0020000100" => +CSIM: 4,"63C3"|OK' \
	'AT+CSIM=10,"0020008100" => +CSIM: 4,"63C3"|OK' \
	'AT+CSIM=10,"002C000100" => +CSIM: 4,"63CA"|OK' \
	'AT+CSIM=10,"002C008100" => +CSIM: 4,"63CA"|OK' \
	'AT+CRSM=176,12258,0,0,10 => +CRSM: 144,0,"988812010000000010F1"|OK' \
	'AT+CRSM=176,28486,0,0,17 => +CRSM: 144,0,"007673696D2074657374FFFFFFFFFFFFFF"|OK' \
	'AT+CIMI => +CME ERROR: 11' 'AT+CNUM => +CME ERROR: 11' \
	'AT+CLCK="SC",2 => +CLCK: 1|OK'; do
	ok_if "MM probe: $want" contains "$out" "$want"
done
# MM waits ~8 s per slow %IPSYS? ERROR (an Icera check): ours are fast
start=$(date +%s%N)
at 'AT%IPSYS?' 'AT%IPSYS?' 'AT%IPSYS?' >/dev/null
ms=$((($(date +%s%N) - start) / 1000000))
ok_if "three %IPSYS? answered ERROR within 2 s (${ms} ms)" test "$ms" -lt 2000

# PIN: the card's retry counters, a wrong PIN costs one, the right one unlocks.
check "+CPINR: the card's counters" \
	'+CPINR: SIM PIN,3,|+CPINR: SIM PUK,10,|OK' "$(at1 'AT+CPINR="SIM P*"' | sed 's/|+CPINR: SIM P[IU][NK]2,[0-9]*,//g')"
check "wrong PIN: +CME ERROR: 16" "+CME ERROR: 16" "$(at1 'AT+CPIN="1111"')"
check "wrong PIN: the card's counter is 2" '+CSIM: 4,"63C2"|OK' "$(at1 'AT+CSIM=10,"0020000100"')"
check "+CPIN? still SIM PIN" "+CPIN: SIM PIN|OK" "$(at1 'AT+CPIN?')"
check "+CEREG? before the PIN: not registered" "+CEREG: 0,0|OK" "$(at1 'AT+CEREG?')"
out=$(at 'AT+CEREG=2' 'AT+CPIN="1234"' WAIT WAIT)
ok_if "right PIN: OK" contains "$out" 'AT+CPIN="1234" => OK'
ok_if "registration URCs: +CEREG: 2 (searching), then 1 with TAC/CI" \
	contains "$out" $'WAIT => +CEREG: 2\nWAIT => +CEREG: 1,"0001","00000001",7'
check "+CPIN? READY" "+CPIN: READY|OK" "$(at1 'AT+CPIN?')"
check "+CEREG? registered (home) after AKA" '+CEREG: 2,1,"0001","00000001",7|OK' "$(at1 'AT+CEREG?')"
ok_if "the network side ran AKA: RES matched" grep -q "registration accepted: AKA succeeded" "$PCSC_TMP/modem.log"
ok_if "no resynchronisation with the HSS's fresh SQN" bash -c '! grep -q resynchronisation "$1"' _ "$PCSC_TMP/modem.log"
check "+CIMI is the profile's IMSI" "001010123456789|OK" "$(at1 AT+CIMI)"
check "+CCID is the profile's ICCID" "+CCID: 8988211000000000011|OK" "$(at1 AT+CCID)"
check "+CNUM: EF_MSISDN" '+CNUM: ,"+15550100001",145|OK' "$(at1 AT+CNUM)"
check "+CRSM EF_AD: MNC length 2" '+CRSM: 144,0,"00000002"|OK' "$(at1 AT+CRSM=176,28589,0,0,4)"
check "+CRSM EF_SPN with a path 3F007FFF" \
	'+CRSM: 144,0,"007673696D2074657374FFFFFFFFFFFFFF"|OK' "$(at1 'AT+CRSM=176,28486,0,0,17,,"3F007FFF"')"
check "+CRSM READ RECORD EF_SMSP (record EF)" \
	'+CRSM: 144,0,"FFFFFFFFFFFFFFFFFFFFFFFFE9FFFFFFFFFFFFFFFFFFFFFFFF07915155001000F0"|OK' \
	"$(at1 AT+CRSM=178,28482,1,4,40 | sed 's/F*"|OK$/"|OK/; s/F0FF*"/F0"/')"
check "+CRSM READ BINARY on a record EF: the card's 6981" "+CRSM: 105,129|OK" "$(at1 AT+CRSM=176,28482,0,0,1)"
check "+CRSM of a missing file: 6A82" "+CRSM: 106,130|OK" "$(at1 AT+CRSM=176,28672,0,0,1)"
check "+COPS? with numeric format" '+COPS: 0,2,"00101",7|OK' "$(at 'AT+COPS=3,2' 'AT+COPS?' | tail -1 | sed 's/^.* => //')"
check "+CSQ when registered" "+CSQ: 20,99|OK" "$(at1 AT+CSQ)"
check "unknown command: +CME ERROR: 4" "+CME ERROR: 4" "$(at1 AT+NOSUCH)"
check "bad +CRSM command: +CME ERROR: 50" "+CME ERROR: 50" "$(at1 AT+CRSM=999,28589)"
check "+CSIM with a wrong length: +CME ERROR: 50" "+CME ERROR: 50" "$(at1 'AT+CSIM=3,"00"')"

# SMS, TS 27.005 PDU mode: MO to the network side, MT announced with +CMTI.
MO_TPDU=01000B915155010000F100000341E110	# to +15551000001, "ABC"
MT_PDU=07915155001000F0040B915155010000F1000062201111000000054CB7BB0C02
# ModemManager's +CNMI (cell broadcast and status reports on) is accepted
check "+CNMI=2,1,2,1,0 (ModemManager's) is accepted" \
	"AT+CNMI=2,1,2,1,0 => OK|AT+CNMI? => +CNMI: 2,1,2,1,0|OK" \
	"$(at AT+CNMI=2,1,2,1,0 AT+CNMI? | tr '\n' '|' | sed 's/|$//')"
out=$(at AT+CMGF=0 'AT+CPMS="ME","ME","ME"' AT+CNMI=2,1,0,0,0 "AT+CMGS=16>00$MO_TPDU")
ok_if "+CMGF=0 OK" contains "$out" "AT+CMGF=0 => OK"
ok_if "+CPMS: the in-memory store" contains "$out" "=> +CPMS: 0,16,0,16,0,16|OK"
ok_if "+CMGS accepted with a message reference" contains "$out" "=> +CMGS: 1|OK"
ok_if "the MO SMS reached the network side" grep -qx "MO $MO_TPDU" "$PCSC_TMP/mo"
check "+CMGS with a wrong length: +CMS ERROR: 304" "+CMS ERROR: 304" "$(at1 "AT+CMGS=18>00$MO_TPDU")"
check "MT SMS: +CMTI URC" "+CMTI: \"ME\",0" "$(at1 "INJECT:$PCSC_TMP/sms-in:$MT_PDU")"
check "+CMGR reads it (unread)" "+CMGR: 0,,24|$MT_PDU|OK" "$(at1 AT+CMGR=0)"
check "+CMGL=4 lists it (now read)" "+CMGL: 0,1,,24|$MT_PDU|OK" "$(at1 AT+CMGL=4)"
check "+CMGD deletes it" "OK" "$(at1 AT+CMGD=0)"
check "+CMGR of a free index: +CMS ERROR: 321" "+CMS ERROR: 321" "$(at1 AT+CMGR=0)"

# +CPWD changes the card's PIN1: a fresh session (new modem, card cold-reset) sees it.
check "+CPWD with a wrong old PIN: 16" "+CME ERROR: 16" "$(at1 'AT+CPWD="SC","9999","4321"')"
check "+CPWD changes PIN1" "OK" "$(at1 'AT+CPWD="SC","1234","4321"')"
modem_stop
ok_if "a fresh vsim-modem session" pty_modem
check "fresh session: SIM PIN again" "+CPIN: SIM PIN|OK" "$(at1 'AT+CPIN?')"
check "fresh session: the old PIN is wrong" "+CME ERROR: 16" "$(at1 'AT+CPIN="1234"')"
check "second wrong PIN" "+CME ERROR: 16" "$(at1 'AT+CPIN="1234"')"
at1 'AT+CPIN="1234"' >/dev/null
check "three wrong PINs: SIM PUK" "+CPIN: SIM PUK|OK" "$(at1 'AT+CPIN?')"
check "PUK retries from the card" '+CPINR: SIM PUK,10,|OK' "$(at1 'AT+CPINR="SIM PUK"')"
check "a wrong PUK: 16" "+CME ERROR: 16" "$(at1 'AT+CPIN="11111111","4321"')"
check "PUK and a new PIN unblock" "OK" "$(at1 'AT+CPIN="12345678","4321"')"
check "READY after the PUK" "+CPIN: READY|OK" "$(at1 'AT+CPIN?')"
check "+CEREG? registered in the fresh session" "+CEREG: 0,1|OK" "$(at1 'AT+CEREG?')"
ok_if "the HSS's stale SQN was resynchronised (AUTS)" grep -q "resynchronisation, the card's SQN is 000000000020" "$PCSC_TMP/modem.log"
check "+CLCK disables PIN1" "OK" "$(at1 'AT+CLCK="SC",0,"4321"')"
modem_stop
ok_if "a third session" pty_modem
check "PIN1 disabled: READY at once" "+CPIN: READY|OK" "$(at1 'AT+CPIN?')"
check "+CLCK=\"SC\",2: 0" "+CLCK: 0|OK" "$(at1 'AT+CLCK="SC",2')"
check "registered without a PIN" "+CEREG: 0,1|OK" "$(at1 'AT+CEREG?')"
check "+CLCK enables PIN1 again" "OK" "$(at1 'AT+CLCK="SC",1,"4321"')"
check "+CLCK=\"SC\",2: 1" "+CLCK: 1|OK" "$(at1 'AT+CLCK="SC",2')"
modem_stop

# The IMEI binding: test-usim-bound.ini binds to its first terminal.
"$VSIMCTL" remove usim >/dev/null
wait_until 200 card_absent "$READER0"
"$VSIMCTL" add examples/test-usim-bound.ini --name bound >/dev/null
ok_if "bound card present" wait_until 200 card_present "$READER0"
ok_if "modem A (IMEI 356938035643809)" pty_modem --imei 356938035643809
out=$(at 'AT+CPIN="1234"' 'AT+CEREG?' AT+CIMI)
ok_if "modem A: registered (the card binds to it)" contains "$out" "AT+CEREG? => +CEREG: 0,1|OK"
ok_if "modem A: the card's REFRESH (EF_IMSI changed) after the binding was acknowledged" \
	bash -c 'grep -A3 -x "  REFRESH (qualifier 01)" "$1" | grep -qx "  < 9000"' _ "$PCSC_TMP/modem.log"
ok_if "... and the attach after the PIN read the card afresh" \
	grep -q "stk: REFRESH (qualifier 01): this attach reads the card afresh" "$PCSC_TMP/modem.log"
modem_stop
ok_if "modem B (IMEI 490154203237518)" pty_modem --imei 490154203237518
out=$(at 'AT+CPIN="1234"' 'AT+CEREG?' AT+CIMI)
ok_if "modem B: registration denied (stat 3)" contains "$out" "AT+CEREG? => +CEREG: 0,3|OK"
ok_if "modem B: +CIMI fails (the IMSI is withheld)" contains "$out" "AT+CIMI => +CME ERROR: 13"
ok_if "modem B: the log says why" grep -q "registration denied: the card withholds its IMSI" "$PCSC_TMP/modem.log"
modem_stop
ok_if "modem A again: registered" pty_modem --imei 356938035643809
check "modem A again: +CEREG 1" "+CEREG: 0,1|OK" "$(at 'AT+CPIN="1234"' 'AT+CEREG?' | tail -1 | sed 's/^.* => //')"
modem_stop

# The status (--control SOCKET, --status SOCKET [--json]): the SIM part is
# asked of the card at the time, the network part is the modem's own.
CTL=$PCSC_TMP/ctl
ok_if "modem A with --control and --json" pty_modem --imei 356938035643809 --control "$CTL" --json
check "--json: the start-up line is an object" 1 \
	"$(grep -c '^{"host":"pty","port":"/dev/pts/[0-9]*","sim":true}$' "$PCSC_TMP/modem.out")"
st=$("$MODEM" --status "$CTL" --json)
echo "# $st"
ok_if "status: SIM PIN with the card's 3 tries" contains "$st" '"state":"SIM PIN","tries":3,'
ok_if "status: the ICCID" contains "$st" '"iccid":"8988211000000000011"'
ok_if "status: PIN1 enabled (the card's PS_DO)" contains "$st" '"pin1_enabled":true'
ok_if "status: no IMSI before the PIN" bash -c "! grep -q imsi <<<'$st'"
ok_if "status: not registered" contains "$st" '"registration":"not registered"'
at 'AT+CPIN="1234"' >/dev/null
st=$("$MODEM" --status "$CTL" --json)
ok_if "status after the PIN: READY, the IMSI" contains "$st" '"state":"READY","iccid":"8988211000000000011","imsi":"001010123456789"'
ok_if "status after the PIN: registered (home) after AKA" contains "$st" '"registration":"home","why":"AKA succeeded'
st=$("$MODEM" --status "$CTL")
echo "$st" | sed 's/^/# /'
ok_if "status as text: indented key: value lines" contains "$st" $'sim:\n  present: true'
modem_stop
ok_if "the control socket is removed on exit" test ! -e "$CTL"
ok_if "modem B with --control" pty_modem --imei 490154203237518 --control "$CTL"
at 'AT+CPIN="1234"' >/dev/null
st=$("$MODEM" --status "$CTL" --json)
echo "# $st"
ok_if "status of modem B: denied, and why" contains "$st" '"registration":"denied","why":"the card withholds its IMSI'
modem_stop
out=$("$MODEM" --status "$CTL" 2>&1); rc=$?
check "--status without a running modem: exit 1 and why" \
	"1:vsim-modem: --status $CTL: No such file or directory (is a vsim-modem --control $CTL running?)" "$rc:$out"
out=$("$MODEM" --pty --status "$CTL" 2>&1); rc=$?
check "--status with --pty is refused" \
	"2:vsim-modem: --status asks a running modem: no --pty, --gadget or --control with it" "$rc:$out"

# Bad input: clear messages and exit status 2.
out=$("$MODEM" --pty --imei 12 2>&1); rc=$?
check "--imei 12 is refused" "2:vsim-modem: --imei 12: 14 or 15 digits" "$rc:$out"
out=$("$MODEM" --pty --hss "$PCSC_TMP/none.ini" 2>&1); rc=$?
check "--hss of a missing file" "2:vsim-modem: --hss $PCSC_TMP/none.ini: No such file or directory" "$rc:$out"
printf '[hss]\nimsi = 0010\n' >"$PCSC_TMP/bad.ini"
out=$("$MODEM" --pty --hss "$PCSC_TMP/bad.ini" 2>&1); rc=$?
check "--hss with a bad IMSI names file and line" "2:vsim-modem: --hss $PCSC_TMP/bad.ini:2: bad value for 'imsi'" "$rc:$out"
out=$("$MODEM" 2>&1); rc=$?
check "no host side: exit 2" "2:vsim-modem: say where the host is: --pty or --gadget" "$rc:$out"
tap_done
