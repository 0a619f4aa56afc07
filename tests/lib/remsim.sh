# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the remsim tests after pcscenv_setup and tap.sh: osmo-remsim
# built (or taken from the cache) by scripts/build-remsim, its prefix in
# RS. A checkout without the third-party tarball beside it (a clean clone
# elsewhere) says so as a skipped test and exits: the rest cannot run.
remsim_build() {
	local tar=${VSIM_REMSIM_TAR:-../shared/third_party/osmo-remsim-1.0.0.tar.gz}

	if [ ! -f "$tar" ]; then
		echo "ok 1 osmo-remsim builds # SKIP $tar not found (set VSIM_REMSIM_TAR)"
		echo "1..1"
		exit 0
	fi
	RS=$(VSIM_REMSIM_TAR=$tar scripts/build-remsim 2>"$PCSC_TMP/build.err" | tail -1)
	ok_if "osmo-remsim builds (or is cached) in build/remsim" test -x "$RS/bin/osmo-remsim-bankd"
	[ -x "$RS/bin/osmo-remsim-bankd" ] || { sed 's/^/# /' "$PCSC_TMP/build.err"; tap_done; }
}

# ---- two hosts in namespaces (tests/remsim_hosts.sh, bench/remsim.sh) ----
# The bank host is the caller's namespaces (pcscenv_setup); the client host
# a process holding a network and mount namespace of its own, with a
# private /run/pcscd and a reader.conf.d naming only remsim's ifdhandler
# (so its pcscd has no vpcd reader of its own); a veth pair joins them.
BANK_IP=10.77.0.1 CLIENT_IP=10.77.0.2
API=http://$BANK_IP:9997/api/backend/v1
RREADER="remsim 00 00"
SERVER= BANKD= HOLDER= CPCSCD=

remsim_client_ns() {
	local ifd=$RS/lib/pcsc/drivers/libifd-osmo-remsim-client.bundle/Contents/Linux/libifd_remsim_client.so
	mkdir -p "$PCSC_TMP/client-conf"
	printf 'FRIENDLYNAME "remsim"\nDEVICENAME 2:0:%s:9998\nLIBPATH %s\n' \
		"$BANK_IP" "$ifd" >"$PCSC_TMP/client-conf/remsim"
	unshare --net --mount --propagation private -- bash -c '
		mount -t tmpfs -o mode=0755 tmpfs /run/pcscd &&
		mount --bind "$1" /etc/reader.conf.d && exec sleep infinity' _ "$PCSC_TMP/client-conf" &
	HOLDER=$!
	wait_until 100 client_ready
}
in_client() { nsenter -t "$HOLDER" -n -m --wd="$PWD" -- "$@"; }
client_ready() { in_client test -f /etc/reader.conf.d/remsim; }
remsim_veth_up() {
	ip link add bank0 type veth peer name client0 netns "$HOLDER" &&
		ip addr add $BANK_IP/24 dev bank0 && ip link set bank0 up &&
		in_client ip link set lo up &&
		in_client ip addr add $CLIENT_IP/24 dev client0 &&
		in_client ip link set client0 up
}
remsim_server_start() {
	"$RS/bin/osmo-remsim-server" >"$PCSC_TMP/server.log" 2>&1 &
	SERVER=$!
	wait_until 300 curl -sf "$API/banks"
}
# bankd for slot 1:0 = "Virtual PCD 00 00"; -i: the server's address (the
# server hands clients the address bankd connects from, so it must be the
# one the client host reaches)
bankd_start() {
	mkdir -p "$PCSC_TMP/bankd"
	printf '"1","0","%s"\n' "$READER0" >"$PCSC_TMP/bankd/bankd_pcsc_slots.csv"
	(cd "$PCSC_TMP/bankd" && exec "$RS/bin/osmo-remsim-bankd" -i $BANK_IP -n 1 \
		>>"$PCSC_TMP/bankd.log" 2>&1) &
	BANKD=$!
}
bank_up() { curl -sf "$API/banks" | grep -q '"bankId":1'; }
# map: POST a slot mapping; unmap: DELETE it by its id (bank << 16 | slot)
map_to() {
	curl -sf -X POST -H 'Content-Type: application/json' \
		-d "{\"bank\":{\"bankId\":1,\"slotNr\":0},\"client\":{\"clientId\":$1,\"slotNr\":0}}" \
		"$API/slotmaps" >/dev/null
}
unmap() { curl -sf -X DELETE "$API/slotmaps/65536" >/dev/null; }
remsim_client_pcscd() {
	in_client pcscd -f -a >"$PCSC_TMP/client-pcscd.log" 2>&1 &
	CPCSCD=$!
	wait_until 200 in_client test -S /run/pcscd/pcscd.comm
}
# a reader stuck in remsim's ifdhandler must fail the check, not hang it
c_present() { in_client timeout 10 env VSIM_PCSC_NS=1 bash -c '. tests/lib/pcscenv.sh; card_present "$1"' _ "$RREADER"; }
# nsenter execs its program: these are the programs' own pids
remsim_hosts_stop() {
	kill $SERVER $BANKD $CPCSCD $HOLDER 2>/dev/null
}
