#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The include rules of layers.conf (scripts/check-layers): the tree obeys
# them, and a copy of the tree with one forbidden include per case fails,
# naming the file, the line and the arrow.
set -u
cd "$(dirname "$0")/.."
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }

echo "1..7"
if out=$(scripts/check-layers 2>&1); then
	ok "the tree follows layers.conf ($(echo "$out" | tail -1))"
else
	no "the tree follows layers.conf"; echo "$out" | sed 's/^/# /'
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# $1 description, $2 file, $3 line to add, $4 text the report must carry
must_fail() {
	rm -rf "$tmp/t" && mkdir -p "$tmp/t/scripts"
	cp -r kmod include agent layers.conf "$tmp/t/"
	cp scripts/check-layers "$tmp/t/scripts/"
	sed -i "0,/^#include/s||$3\n#include|" "$tmp/t/$2"
	if out=$("$tmp/t/scripts/check-layers" 2>&1); then
		no "$1: not caught"
	elif grep -qF -- "$4" <<<"$out"; then
		ok "$1"
	else
		no "$1: the report does not say '$4'"; echo "$out" | sed 's/^/# /'
	fi
}

must_fail "OTA card side including the server's header" agent/ota/card.c \
	'#include "ota-server/server.h"' \
	'part ota may not use part ota-server'
must_fail "the engine including a libc header" kmod/card/fs.c \
	'#include <stdio.h>' \
	'part engine may not include system headers'
must_fail "shared code including the daemon's header" agent/common/hex.c \
	'#include "vsimd/vsimd.h"' \
	'part common may not use part vsimd-core'
must_fail "a bridge calling the control socket" agent/vsimd/bridge.c \
	'#include "vsimd/control.h"' \
	'part bridges may not use part control'
must_fail "the cardem bridge calling the card set" agent/cardem/cardem.c \
	'#include "vsimd/cards.h"' \
	'part cardem may not use part cards'
must_fail "the CLI including the daemon" agent/vsimctl/vsimctl.c \
	'#include "vsimd/store.h"' \
	'part vsimctl may not use part vsimd-core'
[ "$fails" -eq 0 ]
