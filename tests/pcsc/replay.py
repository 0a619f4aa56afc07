#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Replay golden APDU transcripts (format: tests/lib/transcript.h) through
# PC/SC with pyscard: the same exchanges the engine tests check in-process,
# now through pcscd, vsmartcard's vpcd and vsimd.
#
# Differences that belong to the transport, not to the card, and are
# checked as such instead of being skipped silently:
#  * A 1-byte C-APDU cannot cross vpcd: its protocol reads a 1-byte frame
#    as a control code (a lone 00 would power the card off, and vpcd would
#    then wait for an answer that never comes). Such exchanges are not
#    sent and are counted as skipped; 2- and 3-byte ones pass pcsc-lite and
#    vpcd unchanged and are checked like any other.
#  * "reset" is SCardReconnect(SCARD_UNPOWER_CARD): vpcd sends power off
#    and power on, the card does a cold reset; the ATR comes from
#    SCardStatus.
# pcscd passes 61xx/6Cxx through unchanged for this reader (vpcd is an
# APDU-level driver and pyscard's transmit() adds no GET RESPONSE), so
# every other exchange must match byte for byte.
#
# Each transcript assumes a card fresh from its profile (PIN counters are
# durable): the calling test gives every transcript a new card.
#
# usage: replay.py READER TRACE   prints what it checked; exit 0 or 1
import sys
from smartcard.scard import (SCardEstablishContext, SCardConnect,
                             SCardReconnect, SCardStatus, SCardTransmit,
                             SCardDisconnect, SCardReleaseContext,
                             SCardGetErrorMessage, SCARD_SCOPE_USER,
                             SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0,
                             SCARD_PROTOCOL_T1, SCARD_UNPOWER_CARD,
                             SCARD_LEAVE_CARD, SCARD_PCI_T0, SCARD_PCI_T1,
                             SCARD_S_SUCCESS)


def hexbytes(s):
    return list(bytes.fromhex("".join(s.split())))


def matches(expected, actual):
    """expected: hex with '..' wildcards; actual: list of ints"""
    e = "".join(expected.split()).upper()
    a = "".join("%02X" % b for b in actual)
    if len(e) != len(a):
        return False
    return all(e[i:i + 2] == ".." or e[i:i + 2] == a[i:i + 2]
               for i in range(0, len(e), 2))


class Card:
    def __init__(self, reader):
        hr, self.ctx = SCardEstablishContext(SCARD_SCOPE_USER)
        self.check(hr, "SCardEstablishContext")
        hr, self.h, self.proto = SCardConnect(
            self.ctx, reader, SCARD_SHARE_SHARED,
            SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1)
        self.check(hr, "SCardConnect")
        self.pci = SCARD_PCI_T0 if self.proto == SCARD_PROTOCOL_T0 else SCARD_PCI_T1

    @staticmethod
    def check(hr, what):
        if hr != SCARD_S_SUCCESS:
            raise RuntimeError("%s: %s" % (what, SCardGetErrorMessage(hr)))

    def reset(self):
        hr, self.proto = SCardReconnect(self.h, SCARD_SHARE_SHARED,
                                        SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                                        SCARD_UNPOWER_CARD)
        self.check(hr, "SCardReconnect")
        hr, _, _, _, atr = SCardStatus(self.h)
        self.check(hr, "SCardStatus")
        return atr

    def transmit(self, capdu):
        return SCardTransmit(self.h, self.pci, capdu)

    def close(self):
        SCardDisconnect(self.h, SCARD_LEAVE_CARD)
        SCardReleaseContext(self.ctx)


def replay(card, path):
    """returns (exchanges checked, 1-byte APDUs skipped) or raises"""
    checked = skipped = 0
    capdu = None
    card.reset()        # every transcript starts from a cold reset
    for lineno, line in enumerate(open(path), 1):
        line = line.strip()
        where = "%s:%d" % (path, lineno)
        if not line or line.startswith("#") or line.startswith("image"):
            continue
        if line.startswith("reset"):
            atr = card.reset()
            want = line[5:].strip()
            if want and not matches(want, atr):
                raise AssertionError("%s: ATR %s, expected %s" % (
                    where, bytes(atr).hex().upper(), want))
        elif line.startswith(">"):
            capdu = hexbytes(line[1:])
        elif line.startswith("<"):
            want = line[1:].strip()
            if len(capdu) == 1:
                skipped += 1
                continue
            hr, rapdu = card.transmit(capdu)
            card.check(hr, "%s: SCardTransmit" % where)
            if not matches(want, rapdu):
                raise AssertionError("%s: got %s, expected %s" % (
                    where, bytes(rapdu).hex().upper(), want))
            checked += 1
    return checked, skipped


def main():
    reader, trace = sys.argv[1], sys.argv[2]
    card = Card(reader)
    try:
        checked, skipped = replay(card, trace)
        print("%d exchanges%s" % (checked, " (%d 1-byte APDUs not sendable "
                                  "through vpcd)" % skipped if skipped else ""))
        rc = 0
    except (AssertionError, RuntimeError) as e:
        print(e)
        rc = 1
    card.close()
    sys.exit(rc)


if __name__ == "__main__":
    main()
