#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# A TCP relay for tests/scp81_term.sh that damages one TLS record: it
# listens on PORT, takes one connection (the card's BIP channel, through
# vsimctl term) and relays it to TARGET, passing every TLS record whole
# (RFC 5246 §6.2: type, version, 2-byte length, fragment) except the
# server's first application data record (type 23) after the handshake,
# whose last byte it flips: the card's TLS must refuse it (bad_record_mac)
# and end the session with an alert. Prints "flipped" when it did.
import argparse
import select
import socket

ap = argparse.ArgumentParser()
ap.add_argument('port', type=int)
ap.add_argument('target', type=int)
ap.add_argument('--timeout', type=float, default=20.0)
a = ap.parse_args()

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', a.port))
srv.listen(1)
print('listening', flush=True)
srv.settimeout(a.timeout)
card, _ = srv.accept()
server = socket.create_connection(('127.0.0.1', a.target), timeout=a.timeout)
pending = b''		# server -> card bytes not yet a whole record
flipped = False


def relay_once():
    """One step of the relay; False once either side has gone."""
    global pending, flipped
    r, _, _ = select.select([card, server], [], [], a.timeout)
    if not r:
        return False
    if card in r:
        d = card.recv(4096)
        if not d:
            return False
        server.sendall(d)
    if server in r:
        d = server.recv(4096)
        if not d:
            return False
        pending += d
        while len(pending) >= 5:
            n = 5 + int.from_bytes(pending[3:5], 'big')
            if len(pending) < n:
                break
            rec = bytearray(pending[:n])
            pending = pending[n:]
            if rec[0] == 23 and not flipped:
                rec[-1] ^= 0x01
                flipped = True
                print('flipped', flush=True)
            card.sendall(bytes(rec))
    return True


# the card resets the link after its alert: an end, not an error
try:
    while relay_once():
        pass
except (ConnectionResetError, BrokenPipeError):
    pass
card.close()
server.close()
