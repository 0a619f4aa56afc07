#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# OTA from the command line (docs/ota.md): a secured ENVELOPE scripted with
# vsimctl ota wrap + vsimctl exec and its PoR read back; the application
# download flow (domain missing, created, data; then found, data only);
# refusals by exit code; and kill -9 at random points of downloads: the
# domain is never half there and its data never partial.
set -u
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
V=build/vsimctl
P=examples/test-usim-ota.ini
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# -- a secured packet scripted through vsimctl exec
env=$($V ota wrap --profile $P --keyset 3 --tar B00010 00A4000C022FE2 00B000000A)
check "one SMS: one ENVELOPE" 1 "$(echo "$env" | wc -l)"
out=$($V exec --profile $P $env)
check "the ENVELOPE answers 61xx (PoR waiting)" 61 "${out:0:2}"
por=$($V exec --profile $P $env "00C00000${out:2:2}")
por=$(echo "$por" | tail -1)
check "GET RESPONSE gives the PoR and 9000" 9000 "${por: -4}"
dec=$($V ota por --profile $P --keyset 3 "${por:0:${#por}-4}")
ok_if "the PoR opens with the server's keys" contains "$dec" "status 00 ok"
ok_if "2 commands, 9000, the ICCID" contains "$dec" "commands 2 sw 9000 data 988812010000000010F1"
# long script: concatenated SMS, all parts through exec
big=$(for i in $(seq 40); do printf '00B0000011 '; done)
env=$($V ota wrap --profile $P --keyset 2 --tar B00011 --expanded 00A4000C026F46 $big)
check "a long script: 3 concatenated SMS" 3 "$(echo "$env" | wc -l)"
out=$($V exec --profile $P $env | tr '\n' ' ')
check "parts 1-2 acknowledged, part 3 has the PoR" "9000 9000 61" "${out:0:12}"

# -- the download flow with the server's loopback
head -c 1000 /dev/urandom > "$tmp/app.bin"
cat > "$tmp/cat.ini" <<CAT
[app demo]
aid = A00000055910100101
tar = B20100
data = $tmp/app.bin
quota = 4096
CAT
mkdir "$tmp/card"
dl() { exec $V ota download --profile $P --state "$1" --server "$2" --catalogue "$tmp/cat.ini" demo; }
out=$(dl "$tmp/card" "$tmp/srv"); rc=$?
check "first download: exit 0" 0 "$rc"
ok_if "first download: domain created, KCVs reported" contains "$out" "domain created, 1000 bytes in 4 messages, KVN+KCVs 01"
out=$(dl "$tmp/card" "$tmp/srv")
ok_if "second download: domain found, data only" contains "$out" "domain found, 1000 bytes in 3 messages"
out=$($V ota show --state "$tmp/card")
check "the card holds the domain, its 3 keys and the data" \
	"A00000055910100101 tar B20100 lifecycle 07 privileges 800000 keys 3 data 1000/4096" "$out"
want=$(head -c 200 "$tmp/app.bin" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
out=$($V ota send --profile $P --state "$tmp/card" --server "$tmp/srv" --keyset 2 --tar B20100 80CBDF7A020000)
ok_if "the data reads back over OTA" contains "$out" "commands 1 sw 9000 data $want"
out=$($V ota send --profile $P --state "$tmp/card" --server "$tmp/srv" --keyset 2 --tar B2FFFF 80CA00E000); rc=$?
check "unknown TAR: exit 3, status 09" "3:status 09 TAR unknown (unsecured)" "$rc:$out"
# a server that lost its counters: the card refuses the replay
rm -rf "$tmp/srv2"
out=$($V ota send --profile $P --state "$tmp/card" --server "$tmp/srv2" --keyset 3 --tar 000000 80F24002024F0000); rc=$?
check "replayed counter: exit 3, status 02" "3:status 02 counter low" "$rc:$out"
$V ota download --profile $P --server "$tmp/srv" --catalogue "$tmp/cat.ini" nosuch 2>"$tmp/err"; rc=$?
check "unknown application: exit 2" "2:vsimctl ota: no [app nosuch] in $tmp/cat.ini" "$rc:$(cat "$tmp/err")"

# -- the card-initiated request: SET UP MENU, MENU SELECTION, request SMS
mkdir "$tmp/r"
req() { $V app request --profile $P --state "$tmp/r" --server "$tmp/rs" --catalogue examples/ota-catalogue.conf "$@"; }
out=$(req demo); rc=$?
check "app request: the card asks, the server creates and downloads" \
	$'0:request from the card: demo\ndownload demo: domain created, 22 bytes in 3 messages' "$rc:$out"
out=$(req demo)
check "app request again: domain found, data only" \
	$'request from the card: demo\ndownload demo: domain found, 22 bytes in 2 messages' "$out"
out=$($V ota send --profile $P --state "$tmp/r" --server "$tmp/rs" --keyset 2 --tar B20100 80CADF7A00)
ok_if "the application's data, from its domain" contains "$out" "data 7673696D2064656D6F206170706C69636174696F6E0A"
out=$(req other 2>&1); rc=$?
check "an application not on the menu: exit 3" "3:vsimctl app: other is not on the card's menu" "$rc:$out"
# -- vsimctl term relays: the modem attaches, then the same request
mkdir "$tmp/t"
term() { $V term --profile "$1" --state "$tmp/t" --imei 490154203237518 --server "$tmp/ts" --catalogue examples/ota-catalogue.conf --request demo; }
out=$(term $P); rc=$?
check "term --request: attached, the card's SEND SHORT MESSAGE relayed, the download back" \
	$'0:attach: allowed IMSI=001010123456789\nrequest from the card: demo\ndownload demo: domain created, 22 bytes in 3 messages' \
	"$rc:$(echo "$out" | tail -3)"
out=$(term $P | tail -1)
check "term --request again: domain found" "download demo: domain found, 22 bytes in 2 messages" "$out"
out=$($V term --profile $P --device /dev/vsim0 --imei 490154203237518 --server "$tmp/ts" --catalogue examples/ota-catalogue.conf --request demo 2>&1); rc=$?
ok_if "term --request refuses a card in vsim.ko (its OTA is vsimd's)" test "$rc:${out%%(*}" = "2:vsimctl term: --request needs the card in this process "
out=$($V term --profile $P --imei 490154203237518 --request demo 2>&1); rc=$?
ok_if "term --request without --server and --catalogue: usage, exit 2" test "$rc" = 2 -a -n "$(echo "$out" | grep -- '--request APP --server DIR --catalogue FILE')"
mkdir "$tmp/t2"
out=$($V term --profile examples/test-usim.ini --state "$tmp/t2" --imei 490154203237518 --server "$tmp/ts" --catalogue examples/ota-catalogue.conf --request demo 2>&1 >/dev/null); rc=$?
check "term --request on a card without OTA: exit 2, named" "2:vsimctl term: examples/test-usim.ini has no [ota] sections: nothing to request" "$rc:$out"
out=$($V exec --profile $P 80C2000009D30782020181900109 80C2000005D303820201)
check "MENU SELECTION of an unknown item, without an item: 6A80" $'6A80\n6A80' "$out"

# -- kill -9 at random points of a download, 50 times (dl execs vsimctl, so
# $! is the process that holds card and server; a 4000-byte download:
# INSTALL, then 20 STORE DATA blocks in 5 messages, about 30 ms here)
head -c 4000 /dev/urandom > "$tmp/app.bin"
bad=0 absent=0 empty=0 whole=0
runs=${OTA_KILL_RUNS:-50}
for i in $(seq "$runs"); do
	c="$tmp/k$i"; s="$tmp/s$i"
	mkdir "$c"
	dl "$c" "$s" >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$((RANDOM % 4))$((RANDOM % 10))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	st=$($V ota show --state "$c" 2>&1)
	case "$st" in
	"") absent=$((absent + 1)) ;;
	*"keys 3 data 0/4096") empty=$((empty + 1)) ;;
	*"keys 3 data 4000/4096") whole=$((whole + 1)) ;;
	*) bad=$((bad + 1)); echo "# run $i: $st" ;;
	esac
	# the server recovers: the next download ends with the whole data
	out=$(dl "$c" "$s" 2>&1)
	st=$($V ota show --state "$c")
	[ "$st" = "A00000055910100101 tar B20100 lifecycle 07 privileges 800000 keys 3 data 4000/4096" ] ||
		{ bad=$((bad + 1)); echo "# run $i after recovery: $st / $out"; }
	rm -rf "$c" "$s"
done
echo "# after kill -9: $absent without the domain, $empty domain without data yet, $whole complete"
check "kill -9 in $runs downloads: domain whole or absent, data whole or none; recovery completes" 0 "$bad"
tap_done
