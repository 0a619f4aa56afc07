# SPDX-License-Identifier: GPL-2.0-only
# One PC/SC connection with pyscard, for the test scripts that send a
# list of APDUs (apdus.py, send_sms.py): shared mode, T=0 or T=1, and a
# process that exits 1 when the card cannot be reached.
import sys
from smartcard.scard import (SCardEstablishContext, SCardConnect,
                             SCardTransmit, SCardDisconnect,
                             SCardReleaseContext, SCARD_SCOPE_USER,
                             SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0,
                             SCARD_PROTOCOL_T1, SCARD_LEAVE_CARD,
                             SCARD_PCI_T0, SCARD_PCI_T1)


class Link:
    """The card in @reader, held until close()."""

    def __init__(self, reader):
        hr, self.ctx = SCardEstablishContext(SCARD_SCOPE_USER)
        if hr:
            sys.exit(1)
        hr, self.card, proto = SCardConnect(
            self.ctx, reader, SCARD_SHARE_SHARED,
            SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
        if hr:
            sys.exit(1)
        self.pci = SCARD_PCI_T0 if proto == SCARD_PROTOCOL_T0 else SCARD_PCI_T1

    def xfer(self, apdu):
        """One exchange: the R-APDU as bytes."""
        hr, r = SCardTransmit(self.card, self.pci, list(apdu))
        if hr:
            sys.exit(1)
        return bytes(r)

    def command(self, apdu):
        """One command; a 61xx answer is followed by GET RESPONSE."""
        r = self.xfer(apdu)
        if len(r) == 2 and r[0] == 0x61:
            r = self.xfer(bytes([0x00, 0xC0, 0x00, 0x00, r[1]]))
        return r

    def close(self):
        SCardDisconnect(self.card, SCARD_LEAVE_CARD)
        SCardReleaseContext(self.ctx)
