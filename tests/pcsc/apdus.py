#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Send C-APDUs (hex arguments) to a PC/SC reader with pyscard and print
# each R-APDU in hex, one line each, like `vsimctl exec`; a 61xx answer is
# followed by GET RESPONSE, whose answer is printed instead (an OTA PoR).
# usage: apdus.py READER APDU...   exit 1 when the card cannot be reached
import sys
from smartcard.scard import (SCardEstablishContext, SCardConnect,
                             SCardTransmit, SCardDisconnect,
                             SCardReleaseContext, SCARD_SCOPE_USER,
                             SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0,
                             SCARD_PROTOCOL_T1, SCARD_LEAVE_CARD,
                             SCARD_PCI_T0, SCARD_PCI_T1)

hr, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
if hr:
    sys.exit(1)
hr, card, proto = SCardConnect(ctx, sys.argv[1], SCARD_SHARE_SHARED,
                               SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
if hr:
    sys.exit(1)
pci = SCARD_PCI_T0 if proto == SCARD_PROTOCOL_T0 else SCARD_PCI_T1
for a in sys.argv[2:]:
    hr, r = SCardTransmit(card, pci, list(bytes.fromhex(a)))
    if hr:
        sys.exit(1)
    if len(r) == 2 and r[0] == 0x61:
        hr, r = SCardTransmit(card, pci, [0x00, 0xC0, 0x00, 0x00, r[1]])
        if hr:
            sys.exit(1)
    print(bytes(r).hex().upper())
SCardDisconnect(card, SCARD_LEAVE_CARD)
SCardReleaseContext(ctx)
