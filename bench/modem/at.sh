#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench: vsim-modem's AT round trip over its pty (issue #13), per
# command, BENCH_MODEM_N times each (default 200; median and 90th
# percentile in microseconds): AT (the interpreter alone), +CRSM READ
# BINARY of EF_ICCID (SELECT by the file map, then READ BINARY: two APDUs)
# and +CSIM STATUS (one APDU), with the card in vsim-modem's process
# (--profile) and behind pcscd + vpcd + vsimd (--reader; in private
# namespaces, tests/lib/pcscenv.sh). Numbers only describe this machine;
# nothing here passes or fails on time.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/pcscenv.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "bench-modem: namespace setup failed"; exit 1; }
N=${BENCH_MODEM_N:-200}
MODEM=$VSIM_ROOT/build/vsim-modem
P=examples/test-usim.ini
mpid=
trap '[ -n "$mpid" ] && kill $mpid 2>/dev/null; pcscenv_teardown' EXIT
CMDS=(AT AT+CRSM=176,12258,0,0,10 'AT+CSIM=10,"80F2000000"')

# row SLOT ARGS...: one vsim-modem, the commands timed
row() {
	local slot=$1
	shift
	rm -f "$PCSC_TMP/tty"
	"$MODEM" --pty --link "$PCSC_TMP/tty" "$@" >/dev/null 2>&1 &
	mpid=$!
	wait_until 100 test -L "$PCSC_TMP/tty" || { echo "bench-modem: no pty"; exit 1; }
	/usr/bin/python3 bench/modem/rtt.py "$PCSC_TMP/tty" "$N" "${CMDS[@]}" |
	while read -r cmd med p90; do
		printf '| %-22s | %-26s | %9s | %9s |\n' "$slot" "$cmd" "$med" "$p90"
	done
	kill $mpid 2>/dev/null
	wait $mpid 2>/dev/null
	mpid=
}

{
	echo "# bench-modem: vsim-modem AT round trip over its pty ($N each, microseconds)"
	printf '| %-22s | %-26s | %9s | %9s |\n' "SIM slot" command median p90
	printf '|%s|%s|%s|%s|\n' ------------------------ ---------------------------- ----------: ----------:
	row "in-process (--profile)" --profile $P
	pcscd_start && vsimd_start --card usim=$P && wait_until 200 card_present "$READER0" ||
		{ echo "bench-modem: pcscd/vsimd did not start"; exit 1; }
	row "pcscd+vpcd+vsimd" --reader "$READER0"
	# ModemManager's probe needs the VM: the figure of the last
	# tests/vm/modem_mm.sh run (make check), shown, never judged
	f=build/modem-mm-logs/probe-to-locked
	if [ -s "$f" ]; then
		echo "# ModemManager 1.20, gadget bound to 'lock: sim-pin' (VM under TCG, last modem_mm run, $(date -r "$f" +%F)): $(cat "$f") s"
	else
		echo "# ModemManager probe to 'lock: sim-pin': no figure yet (tests/vm/modem_mm.sh writes $f)"
	fi
}
