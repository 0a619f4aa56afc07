#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Send C-APDUs (hex arguments) to a PC/SC reader with pyscard in one
# connection and play the terminal for a SEND SHORT MESSAGE the card
# announces after the last one: FETCH (TS 102 221 §11.2.3) on 91xx, the
# SMS-SUBMIT's user data taken out (TS 23.040 §9.2.2.2), TERMINAL RESPONSE
# "command performed" (TS 102 223 §6.8). One connection: pcscd powers a
# card no client holds off after a while (its auto power off), and a
# power-on empties the proactive queue. Prints
#   sw XXXX      the last command's status word (61xx: after GET RESPONSE)
#   fetch HEX    the proactive command (with its SW)
#   ud HEX       the SMS-SUBMIT's user data, UDH first
#   tr XXXX      the TERMINAL RESPONSE's status word
# usage: send_sms.py READER APDU...   exit 1 when the card cannot be reached
# or the command is not a SEND SHORT MESSAGE
import sys
from smartcard.scard import (SCardEstablishContext, SCardConnect,
                             SCardTransmit, SCardDisconnect,
                             SCardReleaseContext, SCARD_SCOPE_USER,
                             SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0,
                             SCARD_PROTOCOL_T1, SCARD_LEAVE_CARD,
                             SCARD_PCI_T0, SCARD_PCI_T1)

TYPE_SEND_SMS = 0x13


def tlvs(b):
    """COMPREHENSION-TLVs of a proactive command: {tag: value}."""
    i = 3 if b[1] == 0x81 else 2
    out = {}
    while i + 2 <= len(b):
        tag, n = b[i] & 0x7f, b[i + 1]
        i += 2
        if n == 0x81:
            n, i = b[i], i + 1
        out.setdefault(tag, b[i:i + n])
        i += n
    return out


def submit_ud(t):
    """SMS-SUBMIT, TP-VPF absent: MTI MR DA(len TOA BCD) PID DCS UDL UD."""
    j = 2 + 2 + (t[2] + 1) // 2 + 2
    return t[j + 1:j + 1 + t[j]]


hr, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
if hr:
    sys.exit(1)
hr, card, proto = SCardConnect(ctx, sys.argv[1], SCARD_SHARE_SHARED,
                               SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
if hr:
    sys.exit(1)
pci = SCARD_PCI_T0 if proto == SCARD_PROTOCOL_T0 else SCARD_PCI_T1


def xfer(apdu):
    hr, r = SCardTransmit(card, pci, list(apdu))
    if hr:
        sys.exit(1)
    return bytes(r)


r = b""
for a in sys.argv[2:]:
    r = xfer(bytes.fromhex(a))
    if len(r) == 2 and r[0] == 0x61:
        r = xfer(bytes([0x00, 0xC0, 0x00, 0x00, r[1]]))
print("sw", r[-2:].hex().upper())
if len(r) != 2 or r[0] != 0x91:
    sys.exit(1)
f = xfer(bytes([0x80, 0x12, 0x00, 0x00, r[1]]))
print("fetch", f.hex().upper())
t = tlvs(f[:-2])
det = t.get(0x01)
if f[-2:] != b"\x90\x00" or not det or det[1] != TYPE_SEND_SMS or 0x0b not in t:
    sys.exit(1)
print("ud", submit_ud(t[0x0b]).hex().upper())
tr = bytes([0x80, 0x14, 0x00, 0x00, 0x0C, 0x81, 0x03]) + det + \
    bytes([0x82, 0x02, 0x82, 0x81, 0x83, 0x01, 0x00])
print("tr", xfer(tr)[-2:].hex().upper())
SCardDisconnect(card, SCARD_LEAVE_CARD)
SCardReleaseContext(ctx)
