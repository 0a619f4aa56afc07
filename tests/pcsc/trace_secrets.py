#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# The pieces of tests/vsimd_guard.sh's trace test (issue #12):
#   vpcd PORT GO        play vpcd: accept vsimd, wait for file GO, run a
#                       USIM AKA under T=0 (tests/golden/usim_auth.trace),
#                       print each R-APDU in hex
#   sub SOCKET CARD OUT subscribe to CARD's trace; write "subscribed", then
#                       each trace line, to OUT; stop after 10 APDUs or 20 s
#   udp PORT OUT        write each GSMTAP datagram's payload in hex to OUT
#                       until 10 came or 20 s passed
import json
import socket
import struct
import sys
import time

AKA = [
    "00A4040C07A0000000871002",
    "002000010831323334FFFFFFFF",
    # RAND, AUTN of TS 35.208 test set 1: 61 35, then RES CK IK Kc
    "00880081221023553CBE9637A89D218AE64DAE47BF351055F328B43577B9B94A9FFAC354DFAFB3",
    "00C0000035",
    # the same again: synchronisation failure, AUTS
    "00880081221023553CBE9637A89D218AE64DAE47BF351055F328B43577B9B94A9FFAC354DFAFB3",
    "00C0000010",
    # GSM context: SRES, Kc
    "00880080111023553CBE9637A89D218AE64DAE47BF35",
    "00C000000E",
    # a SELECT's FCP by GET RESPONSE stays readable
    "00A40004023F00",
    "00C0000025",
]


def vpcd(port, go):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    srv.settimeout(30)
    c, _ = srv.accept()
    c.settimeout(10)
    t0 = time.time()
    while time.time() - t0 < 30:
        try:
            open(go).close()
            break
        except OSError:
            time.sleep(0.05)
    for a in AKA:
        p = bytes.fromhex(a)
        c.sendall(struct.pack(">H", len(p)) + p)
        n = struct.unpack(">H", recv_exact(c, 2))[0]
        print(recv_exact(c, n).hex().upper(), flush=True)


def recv_exact(c, k):
    b = b""
    while len(b) < k:
        chunk = c.recv(k - len(b))
        if not chunk:
            raise EOFError
        b += chunk
    return b


def sub(path, card, out):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(20)
    s.connect(path)
    s.sendall(json.dumps({"cmd": "trace", "card": card}).encode() + b"\n")
    f = open(out, "w")
    buf, apdus, t0 = b"", 0, time.time()
    while apdus < len(AKA) and time.time() - t0 < 20:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            o = json.loads(line)
            if o.get("ok"):
                f.write("subscribed\n")
            elif "trace" in o and o["trace"]["event"] == "apdu":
                apdus += 1
                f.write(line.decode() + "\n")
            f.flush()


def udp(port, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    s.settimeout(20)
    f = open(out, "w")
    f.write("listening\n")
    f.flush()
    n = 0
    while n < len(AKA):
        try:
            d = s.recv(2048)
        except socket.timeout:
            break
        if d[12] == 0:          # sub-type APDU
            n += 1
            f.write(d[16:].hex().upper() + "\n")
            f.flush()


if sys.argv[1] == "vpcd":
    vpcd(int(sys.argv[2]), sys.argv[3])
elif sys.argv[1] == "sub":
    sub(sys.argv[2], sys.argv[3], sys.argv[4])
else:
    udp(int(sys.argv[2]), sys.argv[3])
