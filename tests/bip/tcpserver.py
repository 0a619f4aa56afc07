#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# A small TCP server for tests/bip_term.sh: it plays the application
# management server at the far end of a card's BIP channel. It prints its
# port, takes one connection, reads the card's request (a TS 102 225
# command packet: CPL then CPL bytes), then for each hex packet on the
# command line sends it (in pieces of --chunk bytes, --gap seconds apart)
# and reads the card's response packet (RPL then RPL bytes), and closes.
# What it read goes to OUT, one hex line per packet.
import argparse
import socket
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument('out')
ap.add_argument('packets', nargs='*')
ap.add_argument('--chunk', type=int, default=0)
ap.add_argument('--gap', type=float, default=0.0)
ap.add_argument('--timeout', type=float, default=20.0)
a = ap.parse_intermixed_args()

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 0))
srv.listen(1)
print(srv.getsockname()[1], flush=True)
srv.settimeout(a.timeout)
conn, _ = srv.accept()
conn.settimeout(a.timeout)


def read_packet():
    buf = b''
    while len(buf) < 2 or len(buf) < 2 + (buf[0] << 8 | buf[1]):
        got = conn.recv(4096)
        if not got:
            sys.exit('eof after %d bytes' % len(buf))
        buf += got
    return buf


with open(a.out, 'w') as out:
    out.write(read_packet().hex().upper() + '\n')
    out.flush()
    for p in a.packets:
        data = bytes.fromhex(p)
        step = a.chunk or len(data)
        for i in range(0, len(data), step):
            conn.sendall(data[i:i + step])
            time.sleep(a.gap)
        out.write(read_packet().hex().upper() + '\n')
        out.flush()
conn.close()
