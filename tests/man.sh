#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The manual pages in docs/man: each one formats through man-db without a
# single groff warning, lexgrog (what mandb indexes with) finds its NAME
# line and the name matches the file, and .TH names the file's section.
# vsimctl.1, vsimd.8 and vsim-modem.1 must name every command and option
# the programs' own usage texts name (build/vsimctl, build/vsimd,
# build/vsim-modem; skipped when not built; VSIMCTL=, VSIMD= and
# VSIM_MODEM= point elsewhere). TAP on stdout.
set -u
cd "$(dirname "$0")/.."
. tests/lib/tap.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
VSIMCTL=${VSIMCTL:-build/vsimctl}
VSIMD=${VSIMD:-build/vsimd}
VSIM_MODEM=${VSIM_MODEM:-build/vsim-modem}
# the five pages vsim ships, and any other page docs/man gains later
PAGES=$(printf '%s\n' docs/man/vsimctl.1 docs/man/vsim.4 docs/man/vsim-profile.5 \
	docs/man/vsimd.8 docs/man/vsim-modem.1 docs/man/*.[1-8] | sort -u)

bin_of() {	# bin_of PROG: the binary
	case $1 in
	vsimd) echo "$VSIMD" ;;
	vsim-modem) echo "$VSIM_MODEM" ;;
	*) echo "$VSIMCTL" ;;
	esac
}
page_of() {	# page_of PROG: its manual page
	case $1 in
	vsimd) echo docs/man/vsimd.8 ;;
	*) echo "docs/man/$1.1" ;;
	esac
}

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N $1"; }
not_ok() {	# not_ok NAME [FILE]: FILE's head as diagnostics
	TAP_N=$((TAP_N + 1)); echo "not ok $TAP_N $1"; TAP_FAILED=1
	[ $# -gt 1 ] && [ -s "$2" ] && head -n 15 "$2" | sed 's/^/#   /'
}
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N $1 # SKIP $2"; }

# man-db formats with groff; --warnings turns on groff's -w warnings.
format() {	# format PAGE WIDTH: text on stdout, warnings on stderr
	LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=$2 man --warnings -E UTF-8 -l "$1"
}

for tool in man lexgrog; do
	if command -v $tool > /dev/null; then
		ok "$tool is installed"
	else
		not_ok "$tool is installed (package man-db: scripts/install-deps)"
	fi
done

for p in $PAGES; do
	name=${p##*/}
	sect=${name##*.}
	name=${name%.*}
	if [ ! -f "$p" ]; then
		not_ok "$p exists"
		continue
	fi

	format "$p" 80 > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc = 0 ] && [ ! -s "$tmp/err" ] && [ -s "$tmp/out" ]; then
		ok "$p: man --warnings formats it without a warning"
	else
		not_ok "$p: man --warnings formats it without a warning (exit $rc)" "$tmp/err"
	fi

	lexgrog "$p" > "$tmp/lex" 2>&1
	rc=$?
	if [ $rc = 0 ] && grep -q "^$p: \"$name - ..*\"\$" "$tmp/lex"; then
		ok "$p: lexgrog parses its NAME section ($name - ...)"
	else
		not_ok "$p: lexgrog parses its NAME section ($name - ...) (exit $rc)" "$tmp/lex"
	fi

	th=$(sed -n 's/^\.TH  *[^ ]*  *\([0-9]\).*/\1/p' "$p" | head -n 1)
	check "$p: .TH names section $sect" "$sect" "$th"
done

# covered TEXT PHRASE: the formatted page (one line per paragraph, blanks
# folded) holds PHRASE as whole words, literally: a list in a synopsis
# ("vsimctl ota wrap|por|...") does not count, each command needs its own
# heading.
covered() {
	local re
	re=$(printf '%s' "$2" | sed 's/[.|]/\\&/g')
	grep -qE "(^|[^a-z-])$re([^a-z|-]|\$)" "$1"
}

# usage_text PROG ARGS...: what PROG prints for each ARGS (a word list),
# stdout and stderr, into $tmp/usage.PROG
usage_text() {
	local prog=$1 bin a
	shift
	bin=$(bin_of "$prog")
	: > "$tmp/usage.$prog"
	for a in "$@"; do
		# shellcheck disable=SC2086
		"$bin" $a >> "$tmp/usage.$prog" 2>&1
	done
	format "$(page_of "$prog")" 1000 \
		2> /dev/null | tr -s ' \t' '  ' > "$tmp/text.$prog"
}

# commands_check PROG: every command phrase of the usage texts ("PROG" and
# up to two lower-case words, or "PROG --option"; lists "a|b" expanded,
# "binding show|reset|set" is three commands) is in PROG's page.
commands_check() {
	local prog=$1 missing=$tmp/missing.$1 n
	: > "$missing"
	grep -oE "(^|[^a-z/])$prog( [a-z][a-z|-]*){1,2}|$prog --?[a-z][a-z|-]*" \
		"$tmp/usage.$prog" | sed -E 's/^[^a-z]*//' | sort -u > "$tmp/phrases"
	n=$(wc -l < "$tmp/phrases")
	while read -r _ a b; do
		for x in ${a//|/ }; do
			if [ -z "$b" ]; then
				covered "$tmp/text.$prog" "$prog $x" || echo "$prog $x" >> "$missing"
				continue
			fi
			for y in ${b//|/ }; do
				covered "$tmp/text.$prog" "$prog $x $y" ||
					echo "$prog $x $y" >> "$missing"
			done
		done
	done < "$tmp/phrases"
	if [ "$n" -eq 0 ]; then
		not_ok "$prog's page: the usage texts name no command (usage changed?)" "$tmp/usage.$prog"
	elif [ -s "$missing" ]; then
		sort -u -o "$missing" "$missing"
		not_ok "$prog's page names every command of the usage texts (missing below)" "$missing"
	else
		ok "$prog's page names every command of the usage texts ($n)"
	fi
}

# options_check PROG: every long option of the usage texts is in the page.
options_check() {
	local prog=$1 missing=$tmp/missing.$1 n
	: > "$missing"
	grep -oE -- '--[a-z][a-z-]*' "$tmp/usage.$prog" | sort -u > "$tmp/options"
	n=$(wc -l < "$tmp/options")
	while read -r o; do
		grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" "$tmp/text.$prog" ||
			echo "$o" >> "$missing"
	done < "$tmp/options"
	if [ "$n" -eq 0 ]; then
		not_ok "$prog's page: the usage texts name no option (usage changed?)" "$tmp/usage.$prog"
	elif [ -s "$missing" ]; then
		not_ok "$prog's page names every option of the usage texts (missing below)" "$missing"
	else
		ok "$prog's page names every option of the usage texts ($n)"
	fi
}

# version_check PROG: once PROG has --version, it prints "PROG VERSION"
# with the Makefile's VERSION, and the page documents the option.
version_check() {
	local prog=$1 bin v
	bin=$(bin_of "$prog")
	v=$("$bin" --version 2>/dev/null) || {
		skip "$prog --version prints \"$prog $version\"" "$bin has no --version yet"
		return
	}
	check "$prog --version prints \"$prog $version\"" "$prog $version" "$v"
	check "$prog's page documents --version" 1 \
		"$(grep -cE '(^| )--version( |$)' "$tmp/text.$prog" | sed 's/^[1-9][0-9]*$/1/')"
}

version=$(sed -n 's/^VERSION *:= *//p' Makefile)
for p in $PAGES; do
	check "$p: .TH says vsim $version (the Makefile's VERSION)" "vsim $version" \
		"$(sed -n 's/^\.TH  *[^ ]*  *[0-9]  *[^ ]*  *"\([^"]*\)".*/\1/p' "$p")"
done

if [ -x "$VSIMCTL" ]; then
	# the main usage, and the sub-usages each command group prints
	usage_text vsimctl --help ota binding term
	commands_check vsimctl
	options_check vsimctl
	version_check vsimctl
else
	for c in "names every command of the usage texts" \
		 "names every option of the usage texts" "documents --version"; do
		skip "vsimctl's page $c" "$VSIMCTL is not built (make)"
	done
fi

if [ -x "$VSIMD" ]; then
	usage_text vsimd --help
	options_check vsimd
	version_check vsimd
else
	for c in "names every option of the usage texts" "documents --version"; do
		skip "vsimd's page $c" "$VSIMD is not built (make)"
	done
fi

if [ -x "$VSIM_MODEM" ]; then
	usage_text vsim-modem --help
	options_check vsim-modem
	version_check vsim-modem
else
	for c in "names every option of the usage texts" "documents --version"; do
		skip "vsim-modem's page $c" "$VSIM_MODEM is not built (make)"
	done
fi

tap_done
