#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# A PC/SC client that writes as fast as it can until its card disappears:
# UPDATE BINARY of a counter into one of 8 slots of EF_NETPAR (6FC4, 32
# bytes), and every 20th command a wrong VERIFY PIN2. Before each command it
# logs "send ..." and after each answer "ack ...", flushed, so whoever
# kills vsimd in the middle knows what the client saw acknowledged and
# what was in flight. Used by tests/pcsc_crash.sh.
#
# When vsimd dies mid-command, Debian's vpcd 3.3 lets SCardTransmit
# succeed with an empty response: that, like a transmit error, means the
# card is gone.
#
# usage: burst.py READER LOGFILE
import sys
from smartcard.scard import (SCardEstablishContext, SCardConnect,
                             SCardTransmit, SCARD_SCOPE_USER,
                             SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0,
                             SCARD_PCI_T0, SCARD_S_SUCCESS)

SELECT_USIM = list(bytes.fromhex("00A4040C07A0000000871002"))
VERIFY_PIN1 = list(bytes.fromhex("002000010831323334FFFFFFFF"))
SELECT_NETPAR = list(bytes.fromhex("00A4000C026FC4"))
WRONG_PIN2 = list(bytes.fromhex("002000810830303030FFFFFFFF"))


def main():
    reader, logpath = sys.argv[1], sys.argv[2]
    log = open(logpath, "w", buffering=1)
    hr, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
    hr, h, proto = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0)
    if hr != SCARD_S_SUCCESS:
        sys.exit("connect failed")
    for apdu in (SELECT_USIM, VERIFY_PIN1, SELECT_NETPAR):
        hr, r = SCardTransmit(h, SCARD_PCI_T0, apdu)
        if hr != SCARD_S_SUCCESS or r[-2:] != [0x90, 0x00]:
            sys.exit("setup failed")
    i = 0
    while True:
        i += 1
        if i % 20 == 0:
            log.write("send pin2\n")
            hr, r = SCardTransmit(h, SCARD_PCI_T0, WRONG_PIN2)
            if hr != SCARD_S_SUCCESS or not r:
                break
            if r[0] == 0x63 and (r[1] & 0xF0) == 0xC0:
                log.write("ack pin2 %d\n" % (r[1] & 0x0F))
            elif r == [0x69, 0x83]:
                log.write("ack pin2 0\n")
            else:
                sys.exit("VERIFY PIN2 answered %s" % bytes(r).hex())
        else:
            slot = i % 8
            log.write("send write %d %d\n" % (slot, i))
            apdu = [0x00, 0xD6, 0x00, slot * 4, 0x04] + list(i.to_bytes(4, "big"))
            hr, r = SCardTransmit(h, SCARD_PCI_T0, apdu)
            if hr != SCARD_S_SUCCESS or not r:
                break
            if r != [0x90, 0x00]:
                sys.exit("UPDATE BINARY answered %s" % bytes(r).hex())
            log.write("ack write %d %d\n" % (slot, i))
    log.write("lost card after %d commands\n" % i)


if __name__ == "__main__":
    main()
