# SPDX-License-Identifier: GPL-2.0-only
# Sourced after tests/lib/pcscenv.sh (and pcscenv_setup) by the tests of
# pcscd groups (docs/vsimd.md "More than 16 cards"): a private tmpfs on
# /run/vsim-pcscd in the test's mount namespace, groups started with
# `vsimctl pcscd run`, and cards that each have their own ICCID.
GROUP_DIR=/run/vsim-pcscd
GPIDS=()

groups_setup() {
	mkdir -p "$GROUP_DIR" && mount -t tmpfs -o mode=0755 tmpfs "$GROUP_DIR"
}

# groups_start G...: one pcscd per group; its pid (pcscd's: vsimctl
# execs it) in GPIDS; ready once every group's socket is there
groups_start() {
	local g
	for g in "$@"; do
		"$VSIMCTL" pcscd run "$g" >>"$PCSC_TMP/pcscd-$g.log" 2>&1 &
		GPIDS+=($!)
	done
	for g in "$@"; do
		wait_until 200 test -S "$GROUP_DIR/$g/pcscd.comm" || return 1
	done
}

groups_stop() {
	local p
	for p in "${GPIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	GPIDS=()
}

groups_teardown() {
	groups_stop
	pcscenv_teardown
	umount "$GROUP_DIR" 2>/dev/null
}

# iccid_of N: card N's ICCID, 19 digits, the last the Luhn check digit
# (ITU-T E.118)
iccid_of() {
	"$PY" -c '
import sys
d = "89882110000000%04d" % int(sys.argv[1])
s = sum(int(c) if i % 2 else sum(divmod(2 * int(c), 10))
        for i, c in enumerate(reversed(d)))
print(d + str((10 - s % 10) % 10))' "$1"
}

# group_cards N: CARD_ARGS, --card options for cards c0..cN-1 in slots
# 0..N-1, card n with ICCID iccid_of n (test-usim.ini otherwise)
group_cards() {
	local n
	CARD_ARGS=()
	for n in $(seq 0 $(($1 - 1))); do
		sed "s/^iccid = .*/iccid = $(iccid_of "$n")/" examples/test-usim.ini \
			>"$PCSC_TMP/c$n.ini"
		CARD_ARGS+=(--card "c$n=$PCSC_TMP/c$n.ini")
	done
}
