# SPDX-License-Identifier: GPL-2.0-only
# vsim-modem on a pty for the modem tests (tests/modem_pty.sh,
# tests/vm/modem_device.sh): start and stop it, talk AT to it with
# tests/modem/atclient.py, and the network's subscriber file (the HSS).
# Needs tests/lib/pcscenv.sh (PCSC_TMP, PY, VSIM_ROOT, wait_until).
# MODEM_WAIT: tenths of a second to wait for the pty (default 100);
# AT_TIMEOUT: seconds for one AT answer (atclient.py's default if unset).
# VSIM_MODEM: the vsim-modem to run (default build/vsim-modem).

MODEM=${VSIM_MODEM:-$VSIM_ROOT/build/vsim-modem}
TTY=$PCSC_TMP/tty
MODEM_PID=

modem_stop() {
	if [ -n "$MODEM_PID" ]; then
		kill "$MODEM_PID" 2>/dev/null
		wait "$MODEM_PID" 2>/dev/null
	fi
	MODEM_PID=
}

# modem_start ARGS...: vsim-modem --pty with the HSS, ready once its pty
# link exists
modem_start() {
	rm -f "$TTY"
	"$MODEM" --pty --link "$TTY" --hss "$PCSC_TMP/hss.ini" \
		--log "$PCSC_TMP/modem.log" "$@" >"$PCSC_TMP/modem.out" 2>&1 &
	MODEM_PID=$!
	wait_until "${MODEM_WAIT:-100}" test -L "$TTY"
}

# at STEP...: the answers, one line per step ("STEP => a|b|OK")
at() {
	"$PY" tests/modem/atclient.py "$TTY" ${AT_TIMEOUT:+--timeout "$AT_TIMEOUT"} "$@"
}

# at1 CMD: the answer to one command, without the "CMD => " prefix
at1() {
	local out
	out=$(at "$1")
	printf '%s\n' "${out#"$1 => "}"
}

# the network's subscriber: test-usim.ini's keys (TS 35.208 test set 1)
modem_hss() {
	cat >"$PCSC_TMP/hss.ini" <<'INI'
[hss]
imsi = 001010123456789
k = 465b5ce8b199b49faa5f0a2ee238a6bc
opc = cd63cb71954a9f4e48a5994e37a02baf
amf = 8000
sqn = 32
ind_bits = 5
INI
}

# smsc_start PORT CTL LOG: the Net::SMPP SMSC (tests/smpp/relay.pl) on
# PORT, its control FIFO CTL, routing 4900000001 to the application
# server; ready once it listens. SMSC_PID is its process.
smsc_start() {
	perl tests/smpp/relay.pl "$1" "$2" 4900000001 >"$3" 2>&1 &
	SMSC_PID=$!
	wait_until 100 grep -q listening "$3"
}
