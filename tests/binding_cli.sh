#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vsimctl term and vsimctl binding against a card bound to its first
# terminal (examples/test-usim-bound.ini): a modem's start-up as a script
# sees it, refusals with their exit code, and local administration.
set -u
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
V=build/vsimctl
P=examples/test-usim-bound.ini
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

term() {	# term ARGS...: the verdict line and the exit code
	local out rc
	out=$($V term --profile $P --state "$tmp" "$@" 2>&1); rc=$?
	printf '%s|%s' "$(printf '%s\n' "$out" | tail -n 1)" "$rc"
}

check "first terminal binds and attaches" \
	"attach: allowed IMSI=001010123456789|0" "$(term --imei 490154203237518)"
check "a second terminal is refused (exit 3)" \
	"attach: refused (terminal does not match the binding)|3" "$(term --imei 356938035643809)"
check "the refused terminal was told why" "1" \
	"$($V term --profile $P --state "$tmp" --imei 356938035643809 | grep -c 'DISPLAY TEXT "This SIM is locked to another device"')"
check "the bound terminal again" \
	"attach: allowed IMSI=001010123456789|0" "$(term --imei 490154203237518)"
check "the same IMEI as raw digits" \
	"attach: allowed IMSI=001010123456789|0" "$(term --imei 490154203237518 --raw-imei)"
check "a terminal without CAT is denied" \
	"attach: refused (terminal cannot tell its IMEI)|3" "$(term --no-cat)"

out=$($V binding show --profile $P --state "$tmp")
check "binding show without ADM hides the IMEI" \
	$'mode: first-terminal\ncompare: imei\nunsupported_terminal: deny\nbound: yes' "$out"
out=$($V binding show --profile $P --state "$tmp" --adm 88888888 | tail -n 1)
check "binding show with ADM names the IMEI (14 digits)" "imei: 49015420323751" "$out"

$V binding reset --profile $P --state "$tmp" >/dev/null 2>"$tmp/err"; rc=$?
check "reset without --adm: usage error" "2" "$rc"
$V binding reset --profile $P --state "$tmp" --adm 11111111 >/dev/null 2>"$tmp/err"; rc=$?
check "reset with a wrong ADM1 key is refused" \
	"1:vsimctl binding: ADM1 refused (9 attempts left)" "$rc:$(cat "$tmp/err")"
check "still bound after the refused reset" \
	"attach: refused (terminal does not match the binding)|3" "$(term --imei 356938035643809)"
out=$($V binding reset --profile $P --state "$tmp" --adm 88888888)
check "reset with ADM1" "binding reset: done" "$out"
check "after reset the next terminal binds" \
	"attach: allowed IMSI=001010123456789|0" "$(term --imei 356938035643809)"
check "and the old one is refused" \
	"attach: refused (terminal does not match the binding)|3" "$(term --imei 490154203237518)"

out=$($V binding set --profile $P --state "$tmp" --adm 88888888 --mode pattern --pattern 4901542x)
check "set a TAC pattern" "binding set: done" "$out"
check "a terminal of that model attaches" \
	"attach: allowed IMSI=001010123456789|0" "$(term --imei 490154209999995)"
check "another model does not" \
	"attach: refused (terminal does not match the binding)|3" "$(term --imei 356938035643809)"

$V binding set --profile $P --state "$tmp" --adm 88888888 --mode imei 2>"$tmp/err"; rc=$?
check "set with a mode missing its list: clear error" \
	"2:vsimctl: vsimctl binding set:2: field 'imei': mode imei needs a list of IMEIs" \
	"$rc:$(cat "$tmp/err")"
$V term --profile $P --state "$tmp" --imei 12ab 2>"$tmp/err"; rc=$?
check "term refuses a malformed IMEI" \
	"2:vsimctl term: --imei 12ab: expected 14 or 15 digits (IMEI) or 16 (IMEISV)" \
	"$rc:$(cat "$tmp/err")"

tap_done
