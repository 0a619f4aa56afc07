#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# A handset's Bearer Independent Protocol (TS 102 223 §6.4.27-31, §7.5.10-11)
# for a card in a PC/SC reader, written apart from vsim's own terminal
# (agent/common/bipterm.c) so the card meets a second implementation.
# A power cycle (SCardReconnect, unpower), then the TERMINAL PROFILE
# declaring SET UP MENU and BIP (bytes 4-6, 12, 13, 17),
# the card's SET UP MENU, the user's MENU SELECTION of APP; then every
# proactive command: OPEN CHANNEL connects to the address and port it
# names, SEND DATA writes, the server's bytes are announced by the event
# Data available and read by RECEIVE DATA, the server's close by the event
# Channel status (link dropped), CLOSE CHANNEL closes. TIMER MANAGEMENT
# (§6.4.21) starts a timer; once the channel is done the handset waits for
# it and sends ENVELOPE (TIMER EXPIRATION) (§7.4), then serves the channel
# the card opens for it (an SCP81 push's retry). Prints
#   menu NAME...     the card's menu
#   push SW          what the card answered an SMS the network brought
#   open HEX         the OPEN CHANNEL as fetched
#   timer N started S / expired N SW   a timer of the card's
#   sent N / received N / closed / sms
# With push=HEX instead of APP the handset hands the card that ENVELOPE
# SMS-PP download (e.g. the administration session trigger vsimctl ota
# serve --https --push prints) instead of a menu choice.
# usage: bip_terminal.py READER APP|push=HEX; exit 0 when the card closed a channel
# that carried data both ways, 1 otherwise (10 s without progress too).
import select
import socket
import sys
import time

from smartcard.scard import (SCardReconnect, SCARD_SHARE_SHARED,
                             SCARD_PROTOCOL_T0, SCARD_PROTOCOL_T1,
                             SCARD_UNPOWER_CARD, SCARD_PCI_T0, SCARD_PCI_T1)

from pcsc_link import Link

# byte 1 b6 TIMER EXPIRATION; 4 SET UP MENU b6, SEND SHORT MESSAGE b2;
# 5 b1 SET UP EVENT LIST; 6 b3-b4 Data available, Channel status; 8 b1
# TIMER MANAGEMENT (start, stop); 12 b1-b5 OPEN..GET CHANNEL STATUS; 13 b6
# one channel; 17 b1 TCP, UICC in client mode, remote
PROFILE = bytes([0x20, 0x00, 0x00, 0x22, 0x01, 0x0C, 0, 0x01, 0, 0, 0, 0x1F,
                 0x20, 0, 0, 0, 0x01])
BUFFER = 512

link = Link(sys.argv[1])
# a handset's power-on: the card starts afresh and offers its menu again
hr, proto = SCardReconnect(link.card, SCARD_SHARE_SHARED,
                           SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                           SCARD_UNPOWER_CARD)
if hr:
    sys.exit(1)
link.pci = SCARD_PCI_T0 if proto == SCARD_PROTOCOL_T0 else SCARD_PCI_T1
push = sys.argv[2][5:] if sys.argv[2].startswith('push=') else None
app = sys.argv[2].encode()
sock = None
rx = b''
state = {'events': set(), 'sent': 0, 'received': 0, 'closed': False,
         'announced': False, 'item': None, 'eof': False}
timers = {}     # identifier: (when it expires, its value as started)


def tlvs(b):
    """The COMPREHENSION-TLVs after D0 L: [(tag, value)], CR masked."""
    i = 3 if b[1] == 0x81 else 2
    out = []
    while i + 2 <= len(b):
        tag, n = b[i] & 0x7f, b[i + 1]
        i += 2
        if n == 0x81:
            n, i = b[i], i + 1
        out.append((tag, b[i:i + n]))
        i += n
    return out


def tlv(tag, value):
    n = len(value)
    return bytes([tag]) + (bytes([0x81]) if n > 0x7f else b'') + \
        bytes([n]) + value


def status():
    link_up = sock is not None and not state['eof']
    if sock is None and not state['eof']:
        return tlv(0xB8, b'\x00\x00')
    return tlv(0xB8, bytes([(0x80 if link_up else 0) | 1,
                            0 if link_up else 5]))


def run(det, t):
    """One proactive command: (result bytes, further TLVs)."""
    global sock, rx
    kind = det[1]
    v = dict(t)
    if kind == 0x25:
        for tag, val in t:
            if tag == 0x0F and val[1:] == app:
                state['item'] = val[0]
        print('menu', ' '.join(val[1:].decode() for tag, val in t
                               if tag == 0x0F))
        return b'\x00', b''
    if kind == 0x05:
        state['events'] = set(v.get(0x19, b''))
        return b'\x00', b''
    if kind == 0x13:
        print('sms')
        return b'\x00', b''
    if kind == 0x40:
        want = int.from_bytes(v[0x39], 'big')
        tr, addr = v.get(0x3C), v.get(0x3E)
        if not tr or tr[0] != 2 or not addr or addr[0] != 0x21:
            return b'\x3A\x09', tlv(0xB8, b'\x00\x00')
        try:
            sock = socket.create_connection(
                (socket.inet_ntoa(addr[1:5]), int.from_bytes(tr[1:3], 'big')),
                timeout=5)
        except OSError:
            sock = None
            return b'\x3A\x02', tlv(0xB8, b'\x00\x00') + tlv(0xB5, b'\x03') + \
                tlv(0xB9, min(want, BUFFER).to_bytes(2, 'big'))
        granted = min(want, BUFFER)
        state['eof'] = state['announced'] = False
        return (b'\x07' if granted < want else b'\x00'), status() + \
            tlv(0xB5, b'\x03') + tlv(0xB9, granted.to_bytes(2, 'big'))
    if kind == 0x43:
        sock.sendall(v[0x36])
        state['sent'] += len(v[0x36])
        return b'\x00', tlv(0xB7, b'\xFF')
    if kind == 0x42:
        n = v[0x37][0]
        part, rx = rx[:n], rx[n:]
        state['received'] += len(part)
        if not rx:
            state['announced'] = False
        return (b'\x00' if len(part) == n else b'\x02'), \
            tlv(0xB6, part) + tlv(0xB7, bytes([min(len(rx), 255)]))
    if kind == 0x27 and det[2] & 3 == 0:
        tid, val = v.get(0x24), v.get(0x25)
        if not tid or len(tid) != 1 or not 1 <= tid[0] <= 8 or \
                not val or len(val) != 3:
            return b'\x32', b''
        # §8.38: hours, minutes, seconds in BCD, the low nibble first
        h, m, s = ((b & 15) * 10 + (b >> 4) for b in val)
        timers[tid[0]] = (time.monotonic() + h * 3600 + m * 60 + s, val)
        print('timer', tid[0], 'started', h * 3600 + m * 60 + s, flush=True)
        return b'\x00', tlv(0xA4, tid)
    if kind == 0x41:
        if sock:
            sock.close()
        sock = None
        state['closed'] = True
        return b'\x00', b''
    return b'\x30', b''


def transact(apdu):
    """A command, then every proactive command it announces."""
    return proactive(link.command(apdu))


def proactive(r):
    """FETCH and answer while the card says 91xx (after data too: a PoR)."""
    while len(r) >= 2 and r[-2] == 0x91:
        f = link.xfer(bytes([0x80, 0x12, 0x00, 0x00, r[-1]]))
        cmd = f[:-2]
        t = tlvs(cmd)
        det = dict(t)[0x01]
        if det[1] == 0x40:
            print('open', cmd.hex().upper())
        res, more = run(det, t)
        body = tlv(0x81, det) + tlv(0x82, b'\x82\x81') + tlv(0x83, res) + more
        r = link.command(bytes([0x80, 0x14, 0x00, 0x00, len(body)]) + body)
    return r


def event(ev):
    body = tlv(0x99, bytes([ev])) + tlv(0x82, b'\x82\x81') + status()
    if ev == 0x09:
        body += tlv(0xB7, bytes([min(len(rx), 255)]))
    env = b'\xD6' + bytes([len(body)]) + body
    return transact(bytes([0x80, 0xC2, 0x00, 0x00, len(env)]) + env)


transact(b'\x80\x10\x00\x00' + bytes([len(PROFILE)]) + PROFILE)
if push:
    r = link.command(bytes.fromhex(push))
    print('push', r[-2:].hex().upper(), flush=True)
    proactive(r)
else:
    # the card's agent may offer its menu a moment after the profile: poll
    for _ in range(40):
        if state['item'] is not None:
            break
        time.sleep(0.05)
        transact(bytes.fromhex('80F2000C00'))
    if state['item'] is None:
        sys.exit(1)
    transact(bytes.fromhex('80C2000009D307820201819001') +
             bytes([state['item']]))


def relay():
    global rx
    deadline = time.monotonic() + 10
    while sock is not None and time.monotonic() < deadline:
        if rx and not state['announced'] and 0x09 in state['events']:
            state['announced'] = True
            event(0x09)
            continue
        if state['eof'] and not rx:
            event(0x0A)
            break
        if len(rx) >= BUFFER:	# the card must read first
            time.sleep(0.05)
            continue
        ready, _, _ = select.select([sock], [], [], 0.5)
        if ready:
            got = sock.recv(BUFFER - len(rx))
            if not got:
                state['eof'] = True
            rx += got
            deadline = time.monotonic() + 10


relay()
# the card's timers, one by one (at most a minute each), and what follows
while timers:
    tid = min(timers, key=lambda k: timers[k][0])
    due, val = timers.pop(tid)
    if due - time.monotonic() > 60:
        break
    time.sleep(max(0.0, due - time.monotonic()))
    body = tlv(0x82, b'\x82\x81') + tlv(0xA4, bytes([tid])) + tlv(0xA5, val)
    env = b'\xD7' + bytes([len(body)]) + body
    r = link.command(bytes([0x80, 0xC2, 0x00, 0x00, len(env)]) + env)
    print('expired', tid, r[-2:].hex().upper(), flush=True)
    proactive(r)
    relay()
print('sent', state['sent'])
print('received', state['received'])
if state['closed']:
    print('closed')
link.close()
sys.exit(0 if state['closed'] and state['sent'] and state['received'] else 1)
