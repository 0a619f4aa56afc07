#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench: one application download (examples/test-usim-ota.ini, a
# 1000-byte application, domain missing) over SMS and over HTTPS, N times
# each (BENCH_OTA_RUNS, default 10), as a table: milliseconds per download
# (median), and what one download exchanges. SMS: vsimctl ota download
# (loopback: the server plays the terminal). HTTPS: vsimctl ota serve
# --https and vsimctl term --request demo --bip (attach, BIP channel,
# TLS-PSK, Amendment B); its time includes the terminal's attach.
# Numbers only describe this machine; nothing here passes or fails on time.
set -u
cd "$(dirname "$0")/../.."
V=build/vsimctl
P=examples/test-usim-ota.ini
N=${BENCH_OTA_RUNS:-10}
tmp=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill $spid 2>/dev/null; rm -rf "$tmp"' EXIT

head -c 1000 /dev/urandom > "$tmp/app.bin"
printf '[app demo]\naid = A00000055910100101\ntar = B20100\ndata = %s\nquota = 4096\n' \
	"$tmp/app.bin" > "$tmp/cat.ini"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed "s/^server = .*/&\nbip_server = 127.0.0.1:$port\nscp81_identity = bench\nscp81_psk = 000102030405060708090a0b0c0d0e0f\nscp81_uri = \/admin/" \
	$P > "$tmp/p.ini"

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# SMS
for i in $(seq "$N"); do
	mkdir "$tmp/s$i"
	t=$(date +%s%N)
	out=$($V ota download --profile $P --state "$tmp/s$i" --server "$tmp/srv$i" \
		--catalogue "$tmp/cat.ini" demo) || { echo "bench: SMS download failed: $out"; exit 1; }
	ms "$t" >> "$tmp/sms.ms"
done
msgs=$(sed -n 's/.* in \([0-9]*\) messages.*/\1/p' <<<"$out")

# HTTPS
$V ota serve --https 127.0.0.1:$port --profile "$tmp/p.ini" --catalogue "$tmp/cat.ini" \
	> "$tmp/serve.out" 2>&1 &
spid=$!
for _ in $(seq 50); do grep -qs listening "$tmp/serve.out" && break; sleep 0.1; done
for i in $(seq "$N"); do
	mkdir "$tmp/h$i"
	t=$(date +%s%N)
	$V term --profile "$tmp/p.ini" --state "$tmp/h$i" --imei 123456789012345 \
		--request demo --bip > "$tmp/out" 2>&1 || { echo "bench: HTTPS download failed"; tail -3 "$tmp/out"; exit 1; }
	ms "$t" >> "$tmp/https.ms"
done
apdus=$(sed -n '/^attach:/,$p' "$tmp/out" | grep -c '^  > ')
posts=$(sed -n 's/^SCP81: TLS established, \([0-9]*\) POSTs.*/\1/p' "$tmp/out")
bytes=$(sed -n 's/^request demo over BIP: \([0-9]*\) bytes sent, \([0-9]*\) received.*/\1 out, \2 in/p' "$tmp/out")

echo "# bench-ota: one 1000-byte application download, domain missing ($N runs each, median)"
printf '| %-6s | %10s | %s |\n' path "ms" "one download"
printf '|--------|-----------:|---|\n'
printf '| %-6s | %10s | %s secured SMS messages (GET STATUS, INSTALL, data) |\n' SMS \
	"$(median < "$tmp/sms.ms")" "$msgs"
printf '| %-6s | %10s | %s HTTP POSTs over TLS-PSK; %s terminal APDUs after the attach; %s bytes on the channel |\n' HTTPS \
	"$(median < "$tmp/https.ms")" "$posts" "$apdus" "$bytes"
