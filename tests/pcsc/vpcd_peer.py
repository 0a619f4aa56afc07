#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# A scripted vpcd peer for the protocol cases a real vpcd never produces:
# it listens where vpcd would, accepts vsimd's connection and checks how
# vsimd answers each frame, including malformed ones. Prints TAP lines
# starting at the number given. Used by tests/vsimd_vpcd.sh.
#
# usage: vpcd_peer.py PORT FIRST_TAP_NUMBER
import socket
import struct
import sys

port, n = int(sys.argv[1]), int(sys.argv[2]) - 1
failed = False
ATR = bytes.fromhex("3B8A801FC78031E073FE211B82900026")  # docs/profile.md

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(1)
srv.settimeout(30)


def accept():
    c, _ = srv.accept()
    c.settimeout(30)
    return c


def recv_exact(c, k):
    b = b""
    while len(b) < k:
        chunk = c.recv(k - len(b))
        if not chunk:
            return None
        b += chunk
    return b


def frame(c, payload):
    c.sendall(struct.pack(">H", len(payload)) + payload)


def reply(c):
    h = recv_exact(c, 2)
    if h is None:
        return None
    return recv_exact(c, struct.unpack(">H", h)[0])


def check(name, cond, detail=""):
    global n, failed
    n += 1
    print("%s %d %s" % ("ok" if cond else "not ok", n, name))
    if not cond:
        print("#   %s" % detail)
        failed = True


c = accept()
frame(c, b"\x04")
r = reply(c)
check("get ATR answers the profile's ATR", r == ATR, r and r.hex())
frame(c, b"\x00")     # power off: no answer
frame(c, bytes.fromhex("00A4000C023F00"))
r = reply(c)
check("an APDU to a powered-off card: 6F00", r == b"\x6f\x00", r and r.hex())
frame(c, b"\x04")
r = reply(c)
check("get ATR does not power the card on", r == ATR, r and r.hex())
frame(c, bytes.fromhex("00A4000C023F00"))
r = reply(c)
check("... it still answers 6F00 after get ATR", r == b"\x6f\x00", r and r.hex())
frame(c, b"\x01")     # power on: no answer
frame(c, bytes.fromhex("00A4000C023F00"))
r = reply(c)
check("power on, then SELECT MF: 9000", r == b"\x90\x00", r and r.hex())
frame(c, b"\x07")     # unknown control code: ignored
frame(c, bytes.fromhex("00A4000C023F00"))
r = reply(c)
check("an unknown control code is ignored, the card carries on", r == b"\x90\x00",
      r and r.hex())
# a frame split into pieces, length bytes apart
c.sendall(b"\x00")
c.sendall(b"\x07\x00\xA4\x00")
c.sendall(bytes.fromhex("0C023F00"))
r = reply(c)
check("a frame arriving in pieces is reassembled", r == b"\x90\x00", r and r.hex())
# two frames in one segment
c.sendall(b"\x00\x07" + bytes.fromhex("00A4000C023F00") + b"\x00\x05" +
          bytes.fromhex("00B0000001"))
r1, r2 = reply(c), reply(c)
check("two frames in one segment get two answers in order",
      r1 == b"\x90\x00" and r2 == b"\x69\x86", "%s %s" % (r1, r2))
frame(c, bytes(300))
r = reply(c)
check("a 300-byte C-APDU (longer than short APDUs allow): 6700",
      r == b"\x67\x00", r and r.hex())
frame(c, b"")
r = reply(c)
check("an empty frame is a protocol error: vsimd drops the connection",
      r is None, r and r.hex())
c.close()
c = accept()
frame(c, b"\x04")
r = reply(c)
check("vsimd reconnects after the protocol error", r == ATR, r and r.hex())
c.close()
sys.exit(1 if failed else 0)
