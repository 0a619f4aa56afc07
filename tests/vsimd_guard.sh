#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vsimd guarding its store and its control socket (issue #12): a damaged
# state blob is refused, not reset; one vsimd per state directory; replies
# are valid UTF-8; group vsim reads, root and vsim-admin change; idle
# control connections cannot take every slot; traces and GSMTAP blank
# PINs and keys unless an admin's vsimd reveals them. Own mount + network namespace
# (tests/lib/pcscenv.sh); no pcscd needed.
set -u
cd "$(dirname "$0")/.."
. tests/lib/pcscenv.sh
. tests/lib/tap.sh
pcscenv_enter "$0" "$@"
pcscenv_setup || { echo "not ok 1 namespace setup"; exit 1; }
trap pcscenv_teardown EXIT
V=$VSIMCTL
DB=$PCSC_TMP/state/vsim.db

# --- an empty or missing state blob is damage, never a first start (#12.8) ---
ok_if "vsimd starts with a card" vsimd_start --card lab=examples/test-usim.ini
vsimd_stop
sqlite3 "$DB" "UPDATE cards SET state = X'' WHERE name = 'lab'"
out=$(timeout 5 "$VSIMD" --backend embedded --state "$PCSC_TMP/state" \
	--socket "$VSIM_SOCKET" 2>&1); rc=$?
check "empty state blob: vsimd refuses to start" 1 "$rc"
ok_if "... naming the card and the damage" contains "$out" \
	"store: card 'lab': state empty (damaged store"
check "... and leaves the blob as it was (no reset)" 0 \
	"$(sqlite3 "$DB" "SELECT length(state) FROM cards WHERE name = 'lab'")"
sqlite3 "$DB" "UPDATE cards SET state = NULL WHERE name = 'lab'"
out=$(timeout 5 "$VSIMD" --backend embedded --state "$PCSC_TMP/state" \
	--socket "$VSIM_SOCKET" 2>&1); rc=$?
check "missing state blob: refused too" "1:1" \
	"$rc:$(grep -c "state missing" <<<"$out")"
check "... still missing" "" \
	"$(sqlite3 "$DB" "SELECT state FROM cards WHERE name = 'lab'")"
rm -rf "$PCSC_TMP/state"

# --- one vsimd per state directory (#12.5) ---
ok_if "vsimd starts on a fresh store" vsimd_start --card lab=examples/test-usim.ini
out=$(timeout 5 "$VSIMD" --backend embedded --state "$PCSC_TMP/state" \
	--socket "$PCSC_TMP/other.sock" 2>&1); rc=$?
check "a second vsimd on the same store (another socket) exits 1" 1 "$rc"
check "... naming the holder's pid" \
	"vsimd: error: state directory $PCSC_TMP/state is in use by another vsimd (pid $VSIMD_PID, $PCSC_TMP/state/vsim.lock)" \
	"$out"
check "... and never opened its socket" no "$(test -e "$PCSC_TMP/other.sock" && echo yes || echo no)"
ok_if "the first one still serves" bash -c '"$1" status lab >/dev/null' _ "$V"
kill -9 "$VSIMD_PID"; wait "$VSIMD_PID" 2>/dev/null; VSIMD_PID=
ok_if "after kill -9 of the holder the lock is free" vsimd_start
vsimd_stop
rm -rf "$PCSC_TMP/state"

# --- replies are valid UTF-8 whatever the request held (#12.11) ---
# ctl_raw HEX: send the bytes (one request line) and print the reply
# decoded strictly as UTF-8 JSON, its "error" field; "INVALID" otherwise.
ctl_raw() {
	"$PY" - "$VSIM_SOCKET" "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(bytes.fromhex(sys.argv[2]) + b"\n")
line = b""
while not line.endswith(b"\n"):
    c = s.recv(4096)
    if not c:
        break
    line += c
try:
    print(json.loads(line.decode("utf-8", errors="strict"))["error"])
except Exception as e:
    print("INVALID %r" % line)
PY
}
ok_if "vsimd starts" vsimd_start
req=$(printf '{"cmd":"status","card":"ab\xff\xfe\xc3"}' | od -An -v -tx1 | tr -d ' \n')
check "invalid UTF-8 in a card name: replaced by U+FFFD in the reply" \
	"no card named 'ab"$'\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd'"'" "$(ctl_raw "$req")"
req=$(printf '{"cmd":"%s\xed\xa0\x80"}' "$(printf 'é%.0s' $(seq 40))" | od -An -v -tx1 | tr -d ' \n')
out=$(ctl_raw "$req")
ok_if "a cut after 64 bytes and a surrogate: still valid UTF-8" contains "$out" "unknown cmd 'éé"
vsimd_stop

# --- control socket: private groups vsim and vsim-admin for nobody (#12.7, #12.10) ---
# Private groups in this mount namespace: a copy of /etc/group with vsim
# and vsim-admin at free gids, bound over the real one.
gid_free() { local g=$1; while getent group "$g" >/dev/null; do g=$((g + 1)); done; echo "$g"; }
GU=$(gid_free 64100)
GA=$(gid_free $((GU + 1)))
grep -v '^vsim:\|^vsim-admin:' /etc/group >"$PCSC_TMP/group"
printf 'vsim:x:%s:\nvsim-admin:x:%s:\n' "$GU" "$GA" >>"$PCSC_TMP/group"
mount --bind "$PCSC_TMP/group" /etc/group
chmod 755 "$PCSC_TMP"
cp examples/test-usim.ini "$PCSC_TMP/p.ini"
chmod 644 "$PCSC_TMP/p.ini"
# nobody runs copies: the checkout may sit where only root can enter (CI's
# clone in a mktemp -d)
NV=$PCSC_TMP/vsimctl
cp "$V" "$NV" && cp tests/pcsc/ctl_flood.py tests/pcsc/trace_secrets.py "$PCSC_TMP/"
chmod 755 "$NV" && chmod 644 "$PCSC_TMP"/*.py
# as GROUPS CMD...: run as nobody with these supplementary groups ("" none)
as() {
	local g=--clear-groups
	[ -n "$1" ] && g=--groups=$1
	shift
	setpriv --reuid=nobody --regid=nogroup "$g" \
		env VSIM_SOCKET="$VSIM_SOCKET" "$@"
}
ok_if "vsimd starts (socket group vsim)" vsimd_start --card lab=examples/test-usim.ini
check "socket is 0660 root:vsim" "660 root:vsim" "$(stat -c '%a %U:%G' "$VSIM_SOCKET")"

# --- idle connections cannot take every slot (#12.7) ---
"$PY" tests/pcsc/ctl_flood.py "$VSIM_SOCKET" 70 "$PCSC_TMP/root" &
FLOOD=$!
wait_until 100 test -e "$PCSC_TMP/root.ready"
check "70 idle connections: 64 held, 6 refused with a line, none hangs" \
	"held 64 refused 6 hung 0
vsimd is busy: 64 connections held (idle ones close after 10 s)" "$(cat "$PCSC_TMP/root.ready")"
out=$(timeout 10 "$V" list 2>&1); rc=$?
check "vsimctl meanwhile: a clear refusal, no hang" \
	"1:vsimctl: vsimd is busy: 64 connections held (idle ones close after 10 s)" "$rc:$out"
wait "$FLOOD"
check "idle connections are closed with a line" \
	"closed 64 of 64
idle: closing (send a request on connecting)" "$(sed '1s/ after.*//' "$PCSC_TMP/root.done")"
ok_if "then vsimctl works again" bash -c '"$1" list >/dev/null' _ "$V"
mkdir "$PCSC_TMP/u" && chown nobody "$PCSC_TMP/u"
as "$GU" "$PY" "$PCSC_TMP/ctl_flood.py" "$VSIM_SOCKET" 12 "$PCSC_TMP/u/user" &
FLOOD=$!
wait_until 100 test -e "$PCSC_TMP/u/user.ready"
check "one uid's 12 idle connections: 8 held, 4 refused" \
	"held 8 refused 4 hung 0
too many connections from uid 65534 (8 held; idle ones close after 10 s)" "$(cat "$PCSC_TMP/u/user.ready")"
out=$(as "$GU" timeout 10 "$NV" list 2>&1); rc=$?
check "that uid's vsimctl: refused with the reason" \
	"1:vsimctl: too many connections from uid 65534 (8 held; idle ones close after 10 s)" "$rc:$out"
ok_if "root's vsimctl meanwhile: served" bash -c 'timeout 10 "$1" list >/dev/null' _ "$V"
wait "$FLOOD"
# --- who may do what: group vsim reads, vsim-admin (or root) changes (#12.10) ---
out=$(as "$GU" "$NV" list 2>&1); rc=$?
check "group vsim: list" "0:1" "$rc:$(grep -c '^lab ' <<<"$out")"
out=$(as "$GU" "$NV" status lab --json 2>&1); rc=$?
ok_if "group vsim: status" contains "$rc:$out" '0:{"ok":true'
out=$(as "$GU" "$NV" remove lab 2>&1); rc=$?
check "group vsim: remove refused" \
	"1:vsimctl: remove: permission denied (root or group vsim-admin only)" "$rc:$out"
out=$(as "$GU" "$NV" add "$PCSC_TMP/p.ini" --name two 2>&1); rc=$?
check "group vsim: add refused" \
	"1:vsimctl: add: permission denied (root or group vsim-admin only)" "$rc:$out"
out=$(as "$GU" "$NV" app request lab demo 2>&1); rc=$?
check "group vsim: app request refused" \
	"1:vsimctl: app-request: permission denied (root or group vsim-admin only)" "$rc:$out"
check "... and the card is still there" 1 "$("$V" list | grep -c '^lab')"
out=$(as "" "$NV" list 2>&1); rc=$?
ok_if "no group: the socket's mode keeps nobody out" contains "$rc:$out" \
	"1:vsimctl: $VSIM_SOCKET: Permission denied"
chmod 666 "$VSIM_SOCKET"
out=$(as "" "$NV" list 2>&1); rc=$?
check "no group, socket opened up: vsimd refuses by credentials" \
	"1:vsimctl: permission denied: uid 65534 is not root nor in group vsim or vsim-admin" "$rc:$out"
chmod 660 "$VSIM_SOCKET"
out=$(as "$GU,$GA" "$NV" add "$PCSC_TMP/p.ini" --name two 2>&1); rc=$?
ok_if "group vsim-admin: add" contains "$rc:$out" "0:added card two"
out=$(as "$GU,$GA" "$NV" remove two 2>&1); rc=$?
check "group vsim-admin: remove" "0:removed card two" "$rc:$out"


# --- traces blank secrets, following the card's session (#12.6) ---
# trace_run TAG VSIMD-ARGS...: a fresh store, vsimd with GSMTAP, a USIM
# AKA under T=0 from a scripted vpcd, traced by root and by group vsim.
trace_run() {
	local tag=$1 udp peer s1 s2
	shift
	vsimd_stop
	rm -rf "$PCSC_TMP/state" "$PCSC_TMP/go"
	"$PY" tests/pcsc/trace_secrets.py udp 4729 "$PCSC_TMP/$tag.udp" &
	udp=$!
	"$PY" tests/pcsc/trace_secrets.py vpcd 35963 "$PCSC_TMP/go" >"$PCSC_TMP/$tag.vpcd" &
	peer=$!
	wait_until 100 grep -q listening "$PCSC_TMP/$tag.udp"
	vsimd_start --card auth=examples/test-usim.ini --gsmtap 127.0.0.1 "$@"
	"$PY" tests/pcsc/trace_secrets.py sub "$VSIM_SOCKET" auth "$PCSC_TMP/$tag.admin" &
	s1=$!
	as "$GU" "$PY" "$PCSC_TMP/trace_secrets.py" sub "$VSIM_SOCKET" auth "$PCSC_TMP/u/$tag.user" &
	s2=$!
	wait_until 100 grep -q subscribed "$PCSC_TMP/$tag.admin"
	wait_until 100 grep -q subscribed "$PCSC_TMP/u/$tag.user"
	touch "$PCSC_TMP/go"
	wait "$peer" "$s1" "$s2" "$udp"
}
# RES, CK, IK, Kc, AUTS, SRES of TS 35.208 test set 1, and the PIN
SECRETS='A54211D5E3BA50BF|B40BA9A3C58B2A05BBF0D987B21BF8CB|F769BCD751044604127672711C6D3441|EAE4BE823AF9A08B|BA853F3C123CCF44E93596E355C6|46F8416A|31323334'
secrets() { grep -ciE "$SECRETS" "$1"; }
trace_run blank
check "the card did answer RES, CK, IK, Kc, AUTS, SRES (on the vpcd side)" 3 "$(secrets "$PCSC_TMP/blank.vpcd")"
check "trace (root): 10 APDUs, no secret in any" "10:0" \
	"$(grep -c '"apdu"' "$PCSC_TMP/blank.admin"):$(secrets "$PCSC_TMP/blank.admin")"
check "... VERIFY, 3 AUTHENTICATEs and their 3 GET RESPONSEs marked redacted" 7 \
	"$(grep -c '"redacted":true' "$PCSC_TMP/blank.admin")"
ok_if "... a SELECT's FCP by GET RESPONSE still shown" grep -q '"r":"62238202' "$PCSC_TMP/blank.admin"
check "trace (group vsim): no secret" "10:0" \
	"$(grep -c '"apdu"' "$PCSC_TMP/u/blank.user"):$(secrets "$PCSC_TMP/u/blank.user")"
check "GSMTAP: 10 packets, no secret" "10:0" \
	"$(grep -c . "$PCSC_TMP/blank.udp" | awk '{print $1 - 1}'):$(secrets "$PCSC_TMP/blank.udp")"
trace_run reveal --reveal-keys
ok_if "--reveal-keys: said in the log" grep -q "reveal_keys: traces to admins and GSMTAP show PINs and keys" "$PCSC_TMP/vsimd.log"
check "--reveal-keys: root's trace shows them (PIN and 3 answers)" 4 "$(secrets "$PCSC_TMP/reveal.admin")"
check "--reveal-keys: group vsim's trace still does not" 0 "$(secrets "$PCSC_TMP/u/reveal.user")"
check "--reveal-keys: GSMTAP shows them" 4 "$(secrets "$PCSC_TMP/reveal.udp")"
printf '[vsimd]\nreveal_keys = maybe\n' >"$PCSC_TMP/rk.conf"
out=$("$VSIMD" --config "$PCSC_TMP/rk.conf" 2>&1); rc=$?
check "reveal_keys takes yes or no only" "2:vsimd: $PCSC_TMP/rk.conf:2: reveal_keys 'maybe': use yes or no" "$rc:$out"

vsimd_stop
umount /etc/group

tap_done
