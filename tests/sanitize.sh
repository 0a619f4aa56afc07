#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Unit tests rebuilt with AddressSanitizer and UndefinedBehaviorSanitizer,
# any report fatal (-fno-sanitize-recover=all): undefined behaviour the
# plain build lets pass, e.g. memcpy(dst, NULL, 0) for a PoR without data
# (C11 §7.24.1, issue #12). Each test names the sources it needs.
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
san test_ota_smpp agent/ota-server/smpp.c agent/ota/sms.c
# GET IDENTITY: the engine, the profile compiler, OpenSSL's ECIES, the SIDF
san test_suci kmod/card/*.c agent/common/profile.c agent/common/fs_template.c \
	agent/common/fs_complete.c agent/common/host_crypto.c \
	agent/common/host_ecies.c tests/lib/sidf.c -linih
tap_done
