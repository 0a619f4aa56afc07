#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# The ICCID of the card in each reader of one pcscd (the one
# PCSCLITE_CSOCK_NAME names), read from EF_ICCID with pyscard:
# "READER=ICCID" per line, or "READER=absent" when no card came within
# ICCIDS_WAIT seconds (default 30), "READER=no-such-reader" when this pcscd has no such reader.
# usage: iccids.py READER...  |  iccids.py --list  (the readers, one a line)
import os
import sys
from smartcard.scard import (SCardEstablishContext, SCardListReaders,
                             SCardGetStatusChange, SCardConnect,
                             SCardTransmit, SCardDisconnect,
                             SCardReleaseContext, SCARD_SCOPE_USER,
                             SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0,
                             SCARD_PROTOCOL_T1, SCARD_LEAVE_CARD,
                             SCARD_PCI_T0, SCARD_PCI_T1,
                             SCARD_STATE_UNAWARE, SCARD_STATE_PRESENT)

hr, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
if hr:
    sys.exit("no pcscd")
hr, known = SCardListReaders(ctx, [])
known = known if hr == 0 else []


def present(reader):
    state = SCARD_STATE_UNAWARE
    # a readiness wait: cards connect to vpcd with a backoff
    for _ in range(2 * int(os.environ.get("ICCIDS_WAIT", "30"))):
        hr, st = SCardGetStatusChange(ctx, 500, [(reader, state)])
        if hr == 0 and st[0][1] & SCARD_STATE_PRESENT:
            return True
        if hr == 0:
            state = st[0][1] & ~0x2	# all but SCARD_STATE_CHANGED
    return False


def iccid(reader):
    hr, card, proto = SCardConnect(ctx, reader, SCARD_SHARE_SHARED,
                                   SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
    if hr:
        return "connect-failed"
    pci = SCARD_PCI_T0 if proto == SCARD_PROTOCOL_T0 else SCARD_PCI_T1
    out = "read-failed"
    hr, r = SCardTransmit(card, pci, list(bytes.fromhex("00A4000C022FE2")))
    if hr == 0 and r == [0x90, 0x00]:
        hr, r = SCardTransmit(card, pci, list(bytes.fromhex("00B000000A")))
        if hr == 0 and r[-2:] == [0x90, 0x00]:
            # TS 102 221 §13.2: BCD, nibbles swapped, F-padded
            out = "".join("%X%X" % (b & 15, b >> 4) for b in r[:-2]).rstrip("F")
    SCardDisconnect(card, SCARD_LEAVE_CARD)
    return out


if sys.argv[1:] == ["--list"]:
    print("\n".join(known))
    sys.argv[1:] = []
for reader in sys.argv[1:]:
    if reader not in known:
        print(reader + "=no-such-reader")
    elif not present(reader):
        print(reader + "=absent")
    else:
        print(reader + "=" + iccid(reader))
SCardReleaseContext(ctx)
