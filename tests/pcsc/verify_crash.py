#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# After burst.py was cut off by kill -9 of vsimd and vsimd restarted: read
# the card back through PC/SC and compare with what burst.py logged.
# "Durable before 9000" means: every acknowledged write is on the card (or
# the one in flight replaced it: committed, answer lost), and the PIN2
# retry counter is exactly what the last acknowledged VERIFY said, or one
# lower if a VERIFY was in flight (its attempt is paid before comparing).
#
# usage: verify_crash.py READER LOGFILE    prints findings; exit 0 or 1
import sys
from smartcard.scard import (SCardEstablishContext, SCardConnect,
                             SCardTransmit, SCARD_SCOPE_USER,
                             SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0,
                             SCARD_PCI_T0, SCARD_S_SUCCESS)


def tx(h, hexapdu):
    hr, r = SCardTransmit(h, SCARD_PCI_T0, list(bytes.fromhex(hexapdu)))
    if hr != SCARD_S_SUCCESS:
        sys.exit("transmit %s failed" % hexapdu)
    return r


def main():
    reader, logpath = sys.argv[1], sys.argv[2]
    acked = {}          # slot -> last acknowledged value
    pin2_left = 15      # the test profile's pin2_max_tries
    inflight = None
    nacks = 0
    for line in open(logpath):
        w = line.split()
        if w[0] == "send":
            inflight = w[1:]
        elif w[0] == "ack":
            inflight = None
            nacks += 1
            if w[1] == "write":
                acked[int(w[2])] = int(w[3])
            else:
                pin2_left = int(w[2])
    hr, ctx = SCardEstablishContext(SCARD_SCOPE_USER)
    hr, h, proto = SCardConnect(ctx, reader, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T0)
    if hr != SCARD_S_SUCCESS:
        sys.exit("connect failed")
    tx(h, "00A4040C07A0000000871002")
    tx(h, "002000010831323334FFFFFFFF")
    tx(h, "00A4000C026FC4")
    body = tx(h, "00B0000020")
    if body[-2:] != [0x90, 0x00]:
        sys.exit("READ BINARY answered %s" % bytes(body).hex())
    ok = True
    for slot, value in sorted(acked.items()):
        got = int.from_bytes(bytes(body[slot * 4:slot * 4 + 4]), "big")
        allowed = {value}
        if inflight and inflight[0] == "write" and int(inflight[1]) == slot:
            allowed.add(int(inflight[2]))
        if got not in allowed:
            print("slot %d holds %d, acknowledged %d (allowed %s)" %
                  (slot, got, value, sorted(allowed)))
            ok = False
    r = tx(h, "0020008100")
    left = r[1] & 0x0F if r[0] == 0x63 else 0
    allowed = {pin2_left}
    if inflight and inflight[0] == "pin2" and pin2_left > 0:
        allowed.add(pin2_left - 1)
    if left not in allowed:
        print("PIN2 has %d tries left, acknowledged %d (allowed %s)" %
              (left, pin2_left, sorted(allowed)))
        ok = False
    print("%d acknowledged commands, %d slots checked, PIN2 %d left, in flight: %s"
          % (nacks, len(acked), left, " ".join(inflight) if inflight else "none"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
