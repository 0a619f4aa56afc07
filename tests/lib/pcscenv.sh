# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the PC/SC integration tests, the demo and the PC/SC bench:
# a private pcscd with Debian's vsmartcard-vpcd driver, and vsimd.
#
# Isolation: pcscd 1.9.9 ignores PCSCLITE_CSOCK_NAME (only libpcsclite
# reads it) and always serves /run/pcscd/pcscd.comm, and vpcd listens on
# 0.0.0.0:35963-35964. So the caller re-executes itself in its own mount
# and network namespace (pcscenv_enter): a tmpfs on /run/pcscd gives this
# pcscd a private socket and pid file, and the new network namespace gives
# vpcd private ports. A pcscd already running on the machine is never seen
# and never disturbed; everything started here dies with the namespace.
#
# Waits below poll for a condition with a generous cap (they are readiness
# checks, not timing assertions: a slow machine only waits longer).

VSIM_ROOT=${VSIM_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# the tree's programs; VSIMD= and VSIMCTL= name installed ones
# (tests/vm/deb_install.sh runs the demo on the Debian packages')
VSIMD=${VSIMD:-$VSIM_ROOT/build/vsimd}
VSIMCTL=${VSIMCTL:-$VSIM_ROOT/build/vsimctl}
# Debian's python3 (python3-pyscard lives there), not one first in PATH
PY=/usr/bin/python3

# pcscenv_enter "$0" "$@": re-run the calling script in fresh namespaces.
pcscenv_enter() {
	if [ -n "${VSIM_PCSC_NS:-}" ]; then
		return 0
	fi
	export VSIM_PCSC_NS=1
	exec unshare --mount --net --propagation private -- bash "$@"
}

# Inside the namespaces: loopback up, private /run/pcscd, work dir.
pcscenv_setup() {
	ip link set lo up || return 1
	mkdir -p /run/pcscd
	mount -t tmpfs -o mode=0755 tmpfs /run/pcscd || return 1
	PCSC_TMP=$(mktemp -d /tmp/vsim-pcsc.XXXXXX)
	export VSIM_SOCKET=$PCSC_TMP/vsimd.sock
	PCSCD_PID=
	VSIMD_PID=
}

# wait_until TRIES CMD...: run CMD every 0.1 s until it succeeds.
wait_until() {
	local tries=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge "$tries" ] && return 1
		sleep 0.1
	done
	return 0
}

pcscd_start() {
	pcscd -f -a >>"$PCSC_TMP/pcscd.log" 2>&1 &
	PCSCD_PID=$!
	wait_until 200 test -S /run/pcscd/pcscd.comm
}

pcscd_stop() {
	if [ -n "$PCSCD_PID" ]; then
		kill "$PCSCD_PID" 2>/dev/null
		wait "$PCSCD_PID" 2>/dev/null
	fi
	PCSCD_PID=
	rm -f /run/pcscd/pcscd.comm /run/pcscd/pcscd.pid
}

# vsimd_start ARGS...: vsimd with the private socket and state dir
# $PCSC_TMP/state, ready once `vsimctl list` answers.
# VSIMD_WRAPPER="valgrind --error-exitcode=99 --leak-check=full" runs
# vsimd under a checker (vsimd_stop then reports the exit status).
vsimd_start() {
	${VSIMD_WRAPPER:-} "$VSIMD" --backend embedded --state "$PCSC_TMP/state" \
		--socket "$VSIM_SOCKET" "$@" >>"$PCSC_TMP/vsimd.log" 2>&1 &
	VSIMD_PID=$!
	wait_until 200 "$VSIMCTL" list
}

vsimd_stop() {
	local rc=0
	if [ -n "$VSIMD_PID" ]; then
		kill "$VSIMD_PID" 2>/dev/null
		wait "$VSIMD_PID" 2>/dev/null
		rc=$?
	fi
	VSIMD_PID=
	return $rc
}

# card_present READER: pcscd sees a card in READER (pyscard).
card_present() {
	"$PY" - "$1" <<'PY'
import sys
from smartcard.scard import *
hr, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
if hr: sys.exit(2)
hr, st = SCardGetStatusChange(ctx, 0, [(sys.argv[1], SCARD_STATE_UNAWARE)])
SCardReleaseContext(ctx)
sys.exit(0 if hr == 0 and st[0][1] & SCARD_STATE_PRESENT else 1)
PY
}

card_absent() {
	! card_present "$1"
}

pcscenv_teardown() {
	vsimd_stop
	pcscd_stop
	umount /run/pcscd 2>/dev/null
	[ -n "${PCSC_TMP:-}" ] && rm -rf "$PCSC_TMP"
}

READER0="Virtual PCD 00 00"
READER1="Virtual PCD 00 01"
