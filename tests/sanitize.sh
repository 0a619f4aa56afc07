#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Unit tests rebuilt with AddressSanitizer and UndefinedBehaviorSanitizer,
# any report fatal (-fno-sanitize-recover=all): undefined behaviour the
# plain build lets pass, e.g. memcpy(dst, NULL, 0) for a PoR without data
# (C11 §7.24.1, issue #12). Each test names the sources it needs; and
# vsim-modem as a whole, driven over its pty.
set -u
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s build/include/kselftest_harness.h >/dev/null 2>&1

san() {	# san TEST SOURCES...: build tests/TEST.c with SOURCES, run it
	local t=$1
	shift
	if ! cc -Ikmod/card -Iinclude/uapi -Iagent -Itests/lib -Ibuild/include \
		-std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
		-Wno-unused-parameter -fsanitize=address,undefined \
		-fno-sanitize-recover=all -o "$tmp/$t" "tests/$t.c" "$@" \
		-lcrypto -lsmpp34 >"$tmp/$t.log" 2>&1; then
		check "$t builds with ASan+UBSan" "" "$(head -5 "$tmp/$t.log")"
		return
	fi
	"$tmp/$t" >"$tmp/$t.log" 2>&1
	check "$t under ASan+UBSan" "0:" \
		"$?:$(grep -E 'runtime error|ERROR: (Address|Leak)Sanitizer|SUMMARY|not ok' "$tmp/$t.log" | head -3)"
}

san test_ota_packet agent/ota/packet.c agent/ota/crypto.c tests/lib/otatest.c
san test_ota_crypto agent/ota/crypto.c tests/lib/otatest.c
san test_ota_smpp agent/ota-server/smpp.c agent/common/smpp.c agent/ota/sms.c
san test_modem_smsc agent/modem/smsc.c agent/common/hex.c
# GET IDENTITY: the engine, the profile compiler, OpenSSL's ECIES, the SIDF
san test_suci kmod/card/*.c agent/common/profile.c agent/common/fs_template.c \
	agent/common/fs_complete.c agent/common/host_crypto.c \
	agent/common/host_ecies.c tests/lib/sidf.c -linih

# BER-TLV EFs: the engine, the profile compiler, the in-process host,
# vsimd's SQLite store (RETRIEVE/SET DATA, TS 102 221 §11.3)
san test_bertlv kmod/card/*.c agent/common/profile.c agent/common/fs_template.c \
	agent/common/fs_complete.c agent/common/host_crypto.c \
	agent/common/host_ecies.c agent/common/card_host.c tests/lib/testcard.c \
	agent/vsimd/store.c -linih -lsqlite3

# vsim-modem (agent/modem/) under ASan+UBSan with an in-process card: AT
# commands over its pty (PIN, +CNMI, +CLCK, an MT SMS from --sms-in) and
# its status served on --control and printed by --status, then SIGTERM
# (LeakSanitizer runs at exit). The libraries stay unsanitised.
modem_san() {
	local m=$tmp/vsim-modem d=$tmp/modem pid out rc
	make -s build/libvsimhost.a build/libvsimcard.a >/dev/null 2>&1
	# shellcheck disable=SC2046
	if ! cc -Ikmod/card -Iinclude/uapi -Iagent -Ibuild/include \
		-DVSIM_VERSION='"san"' -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra \
		-Werror -fsanitize=address,undefined -fno-sanitize-recover=all \
		$(pkg-config --cflags libpcsclite) -o "$m" agent/modem/*.c \
		build/libvsimhost.a build/libvsimcard.a -lcrypto -linih -lsmpp34 \
		-lsqlite3 -ljson-c -lpcsclite >"$tmp/modem.log" 2>&1; then
		check "vsim-modem builds with ASan+UBSan" "" "$(head -5 "$tmp/modem.log")"
		return
	fi
	mkdir -p "$d/st"
	"$m" --pty --profile examples/test-usim.ini --state "$d/st" \
		--hss examples/test-usim.ini --link "$d/tty" --control "$d/ctl" \
		--sms-in "$d/in" >"$d/out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -S "$d/ctl" ] && break; sleep 0.1; done
	python3 tests/modem/atclient.py "$d/tty" --timeout 20 'AT+CPIN="1234"' \
		AT+CNMI=2,1,2,1,0 'AT+CLCK="SC",0,"1234"' AT+CIMI >"$d/at" 2>&1
	echo 07915155001000F0040B915155010000F100006220111100000005E8329BFD06 >"$d/in"
	python3 tests/modem/atclient.py "$d/tty" --timeout 20 AT+CMGL=4 >>"$d/at" 2>&1
	out=$("$m" --status "$d/ctl" --json 2>&1)
	"$m" --status "$d/ctl" >>"$d/at" 2>&1
	kill "$pid"
	wait "$pid"
	rc=$?
	check "vsim-modem under ASan+UBSan: status after PIN, +CLCK and an MT SMS" \
		'"state":"READY","iccid":"8988211000000000011","imsi":"001010123456789","pin1_enabled":false},"network":{"cfun":1,"hss":true,"registration":"home","why":"AKA succeeded for IMSI 001010123456789","smsc":false},"stk":{"refreshes":0},"sms":{"stored":1,"mo":0,"mt":1,"data_downloads":0},"bip":{"declared":true,"channel":"none","opened":0,"closed":0,"sent":0,"received":0,"timers":0,"expirations":0}}' \
		"${out#*\"slot\":\"profile examples/test-usim.ini\",}"
	check "vsim-modem under ASan+UBSan: no report, exit 0 on SIGTERM" "0:" \
		"$rc:$(grep -E 'runtime error|ERROR: (Address|Leak)Sanitizer|SUMMARY' "$d/out" | head -3)"
}
modem_san

# The same vsim-modem on an SMSC (tests/smpp/relay.pl, Net::SMPP): an SMS
# from the SMSC to the handset, one (PID 7F, class 2) to the card as
# ENVELOPE, +CMGS out as submit_sm, then SIGTERM (unbind, LeakSanitizer).
modem_smsc_san() {
	local m=$tmp/vsim-modem d=$tmp/smsc port=$((20000 + RANDOM % 20000)) spid pid rc
	[ -x "$m" ] || return
	mkdir -p "$d/st"
	perl tests/smpp/relay.pl $port "$d/ctl" 4900000001 >"$d/smsc.log" 2>&1 &
	spid=$!
	for _ in $(seq 100); do grep -qs listening "$d/smsc.log" && break; sleep 0.1; done
	"$m" --pty --profile examples/test-usim.ini --state "$d/st" \
		--hss examples/test-usim.ini --link "$d/tty" --smsc 127.0.0.1:$port \
		--log "$d/log" >"$d/out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -L "$d/tty" ] && break; sleep 0.1; done
	python3 tests/modem/atclient.py "$d/tty" --timeout 20 'AT+CPIN="1234"' \
		AT+CMGF=0 AT+CNMI=2,1,0,0,0 \
		"INJECT:$d/ctl:mt 15551230000 15550100001 00 48656c6c6f" \
		'AT+CMGS=16>0001000B915155010000F100000341E110' AT+CMGR=0 >"$d/at" 2>&1
	echo "mt 4900000001 15550100001 f6 027000 7f 40" >"$d/ctl"
	for _ in $(seq 100); do grep -qs "SMS-PP data download" "$d/log" && break; sleep 0.1; done
	kill "$pid"
	wait "$pid"
	rc=$?
	kill "$spid"
	wait "$spid" 2>/dev/null
	check "vsim-modem --smsc under ASan+UBSan: +CMTI, +CMGS out, an ENVELOPE, unbound on exit" \
		"1:1:1:1" "$(grep -c '+CMTI: "ME",0' "$d/at"):$(grep -c '^submit from=vsim-modem .* ud=414243$' "$d/smsc.log"):$(grep -c '^network: SMS-PP data download from +4900000001' "$d/log"):$(grep -c '^unbind vsim-modem' "$d/smsc.log")"
	check "vsim-modem --smsc under ASan+UBSan: no report, exit 0 on SIGTERM" "0:" \
		"$rc:$(grep -E 'runtime error|ERROR: (Address|Leak)Sanitizer|SUMMARY' "$d/out" | head -3)"
}
modem_smsc_san
tap_done
