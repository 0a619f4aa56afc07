# SPDX-License-Identifier: GPL-2.0-only
# TAP helpers for the shell tests: `check NAME EXPECTED ACTUAL`,
# `ok_if NAME CMD...`, and a summary exit status in tap_done.
TAP_N=0
TAP_FAILED=0

check() {	# check NAME EXPECTED ACTUAL
	TAP_N=$((TAP_N + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $TAP_N $1"
	else
		echo "not ok $TAP_N $1"
		echo "#   expected: $(printf '%q' "$2")"
		echo "#   actual:   $(printf '%q' "$3")"
		TAP_FAILED=1
	fi
}

ok_if() {	# ok_if NAME CMD...: the command must succeed
	local name=$1
	shift
	TAP_N=$((TAP_N + 1))
	if "$@"; then
		echo "ok $TAP_N $name"
	else
		echo "not ok $TAP_N $name"
		echo "#   failed: $*"
		TAP_FAILED=1
	fi
}

contains() {	# contains HAYSTACK NEEDLE
	case "$1" in *"$2"*) return 0 ;; esac
	echo "#   '$2' not in: $(printf '%q' "$1" | head -c 600)"
	return 1
}

tap_done() {
	echo "1..$TAP_N"
	exit "$TAP_FAILED"
}
