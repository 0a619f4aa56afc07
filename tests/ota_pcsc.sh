#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# OTA through a real PC/SC stack: pcscd + vsmartcard-vpcd + vsimd
# (embedded backend; OTA_BACKEND=kernel: the card in vsim.ko, run by
# tests/vm/ota_kernel.sh) hosting examples/test-usim-ota.ini. A PC/SC client
# (pyscard) sends the ENVELOPEs `vsimctl ota wrap` builds; the PoRs come
# back through pcscd and open with the server's keys. The patent flow:
# domain missing, created (KCVs), data stored, read back; then kill -9 of
# vsimd and a restart: the domain, its data and the counters are still
# there (a replayed packet is refused); then the download flow and kill -9
# of vsimd at random points of OTA_VSIMD_KILL_RUNS (50) downloads. Private
# namespace and pcscd socket (tests/lib/pcscenv.sh).
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
trap pcscenv_teardown EXIT
V=$VSIMCTL
P=examples/test-usim-ota.ini
# vsimd_start passes its arguments after --backend embedded: the last wins
B=(--backend "${OTA_BACKEND:-embedded}")
SD=A00000055910100101
INSTALL=80E60C003607A000000559101007A000000559101109A000000559101001010380000016C900EF12C8020400CA0C010001000000000003B201000000
DATA=0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F

# ota KEYSET TAR COUNTER APDU...: send through PC/SC, print the opened PoR
ota() {
	local ks=$1 tar=$2 ctr=$3 out por
	shift 3
	out=$("$PY" tests/pcsc/apdus.py "$READER0" \
		$($V ota wrap --profile $P --keyset "$ks" --tar "$tar" --counter "$ctr" "$@")) || return 1
	por=$(echo "$out" | tail -1)
	$V ota por --profile $P --keyset "$ks" "${por:0:${#por}-4}"
}

ok_if "pcscd with vpcd starts in a private namespace" pcscd_start
ok_if "vsimd starts the OTA card (${B[*]})" vsimd_start "${B[@]}" --card ota=$P
ok_if "card present" wait_until 200 card_present "$READER0"
ok_if "vsimd serves its OTA" grep -q "card ota: OTA served by the agent" "$PCSC_TMP/vsimd.log"

# a handset's toolkit: the profile declares SET UP MENU, the card offers
# its applications, the user picks demo, the card's request leaves by SMS
out=$("$PY" tests/pcsc/send_sms.py "$READER0" --menu demo)
echo "$out" | sed 's/^/# /'
check "the card offers its catalogue with SET UP MENU after the profile" "demo" "$(sed -n 's/^menu //p' <<<"$out")"
ud=$(sed -n 's/^ud //p' <<<"$out")
ok_if "MENU SELECTION of demo: the request leaves as SEND SHORT MESSAGE (UDH 02 70 00)" \
	test "${ud:0:6}" = 027000 -a "$(sed -n 's/^tr //p' <<<"$out")" = 9000
# the same choice for scripts: vsimctl app request CARD APP through vsimd
out=$("$PY" tests/pcsc/send_sms.py "$READER0" --exec "$V app request ota demo" 00A4000C023F00)
echo "$out" | sed 's/^/# /'
ok_if "vsimctl app request ota demo: chosen in vsimd" \
	contains "$out" "exec card ota: demo chosen; its request SMS waits for the terminal"
ud=$(sed -n 's/^ud //p' <<<"$out")
ok_if "... the terminal's next command gets 91xx and FETCHes the request (UDH 02 70 00)" \
	test "${ud:0:6}" = 027000 -a "$(sed -n 's/^tr //p' <<<"$out")" = 9000
out=$($V app request ota nosuch 2>&1); rc=$?
check "app request of an application not on the menu: exit 1, named" \
	"1:vsimctl: nosuch is not on the card's menu" "$rc:$out"
out=$($V app request nocard demo 2>&1); rc=$?
check "app request to an unknown card: exit 1, named" "1:vsimctl: no card named 'nocard'" "$rc:$out"
out=$($V app request ota 2>&1); rc=$?
check "app request without APP: usage, exit 2" "2:vsimctl app request: needs CARD and APP" "$rc:$out"
$V add examples/test-usim.ini --name plain --slot 2 >/dev/null
out=$($V app request plain demo 2>&1); rc=$?
check "app request to a card without OTA: exit 1, named" "1:vsimctl: the card has no OTA menu ([ota] menu)" "$rc:$out"
$V remove plain >/dev/null

out=$(ota 3 B00010 1 00A4000C022FE2 00B000000A)
ok_if "RFM through pcscd: PoR ok with the ICCID" contains "$out" "commands 2 sw 9000 data 988812010000000010F1"
out=$(ota 3 000000 2 80F24002024F0000)
ok_if "GET STATUS: the domain is missing" contains "$out" "commands 1 sw 6A88"
out=$(ota 3 000000 3 $INSTALL)
ok_if "INSTALL: created, KVN 01 and KCVs" contains "$out" "commands 1 sw 9000 data 01"
out=$(ota 2 B20100 1 80E280001F$DATA)
ok_if "STORE DATA at the domain's TAR" contains "$out" "commands 1 sw 9000"
out=$(ota 2 B20100 2 80CADF7A00)
ok_if "the data reads back" contains "$out" "commands 1 sw 9000 data $DATA"

# kill -9 and restart: everything is still there
kill -9 "$VSIMD_PID"; wait "$VSIMD_PID" 2>/dev/null; VSIMD_PID=
ok_if "pcscd sees the card go" wait_until 200 card_absent "$READER0"
ok_if "vsimd restarts from its store" vsimd_start "${B[@]}"
ok_if "card present again" wait_until 200 card_present "$READER0"
# the first exchange may race pcscd's reader rescan: try until it answers
for i in 1 2 3 4 5 6 7 8 9 10; do
	out=$(ota 3 000000 4 80F24002024F0000) && [ -n "$out" ] && break
	sleep 0.2
done
ok_if "after kill -9: GET STATUS finds the domain" contains "$out" "commands 1 sw 9000 data E3144F09$SD"
out=$(ota 2 B20100 3 80CADF7A00)
ok_if "after kill -9: its data" contains "$out" "data $DATA"
out=$(ota 3 000000 4 80F24002024F0000)
ok_if "after kill -9: the counter too (a replay is refused)" contains "$out" "status 02 counter low"
# -- the server's download flow through PC/SC, and kill -9 of vsimd at
# random points of it (the server keeps running and sees its reader fail)
head -c 1500 /dev/urandom > "$PCSC_TMP/app.bin"
printf '[app demo]\naid = %s\ntar = B20100\ndata = %s\nquota = 4096\n' "$SD" "$PCSC_TMP/app.bin" > "$PCSC_TMP/cat.ini"
$V add $P --name dl --slot 1 >/dev/null
ok_if "a second OTA card in slot 1" wait_until 200 card_present "$READER1"
id=$(sqlite3 "$PCSC_TMP/state/vsim.db" "select id from cards where name = 'dl'")
dl() { exec $V ota download --pcsc "$READER1" --profile $P --server "$PCSC_TMP/srv" --catalogue "$PCSC_TMP/cat.ini" demo; }
state() {	# the domain as the card's store has it: "" or "KEYS DATALEN"
	sqlite3 "$PCSC_TMP/state/vsim.db" "select (select count(*) from ota_key k where k.card = d.card and k.aid = d.aid), length(data) from ota_domain d where card = $id" | tr '|' ' '
}
out=$(dl); rc=$?
check "download through pcscd: domain created" "0:download demo: domain created, 1500 bytes in 4 messages" "$rc:${out%%, KVN*}"
check "the card's store: 3 keys, 1500 bytes" "3 1500" "$(state)"
t0=$(date +%s%N)
out=$(dl)
ms=$((($(date +%s%N) - t0) / 1000000))
check "again through pcscd: found, data only" "download demo: domain found, 1500 bytes in 3 messages" "$out"
# kill within a download's first OTA_KILL_WINDOW_MS: 30 on a host (the
# card's part of a download takes about 20 ms there); "auto" (a slow VM):
# as long as the whole download above took
win=${OTA_KILL_WINDOW_MS:-30}
[ "$win" = auto ] && win=$((ms > 30 ? ms : 30))
echo "# a download took $ms ms: kills within the first $win ms"
bad=0 absent=0 empty=0 whole=0
runs=${OTA_VSIMD_KILL_RUNS:-50}
for i in $(seq "$runs"); do
	$V ota send --pcsc "$READER1" --profile $P --server "$PCSC_TMP/srv" --keyset 3 --tar 000000 80E400000B4F09$SD >/dev/null 2>&1
	dl >/dev/null 2>&1 &
	srv=$!
	r=$((RANDOM % win))
	sleep "$((r / 1000)).$(printf %03d $((r % 1000)))"
	kill -9 "$VSIMD_PID"; wait "$VSIMD_PID" 2>/dev/null; VSIMD_PID=
	wait "$srv" 2>/dev/null
	st=$(state)
	case "$st" in
	"") absent=$((absent + 1)) ;;
	"3 0") empty=$((empty + 1)) ;;
	"3 1500") whole=$((whole + 1)) ;;
	*) bad=$((bad + 1)); echo "# run $i: '$st'" ;;
	esac
	vsimd_start "${B[@]}" >/dev/null || { bad=$((bad + 1)); echo "# run $i: vsimd did not restart"; }
	wait_until 200 card_present "$READER1" || { bad=$((bad + 1)); echo "# run $i: no card"; }
	for _ in 1 2 3 4 5; do (dl) >/dev/null 2>&1 && break; sleep 0.2; done
	[ "$(state)" = "3 1500" ] || { bad=$((bad + 1)); echo "# run $i after recovery: '$(state)'"; }
done
echo "# after kill -9 of vsimd: $absent without the domain, $empty domain without data yet, $whole complete"
check "kill -9 of vsimd in $runs downloads: never a partial domain or data; the next download completes" 0 "$bad"

# removing the card removes its OTA state
$V remove ota >/dev/null
$V remove dl >/dev/null
out=$(sqlite3 "$PCSC_TMP/state/vsim.db" "select count(*) from ota_domain; select count(*) from ota_counter; select count(*) from ota_config" | tr '\n' ' ')
check "vsimctl remove deletes the card's OTA rows" "0 0 0 " "$out"
tap_done
