#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Send C-APDUs (hex arguments) to a PC/SC reader with pyscard and print
# each R-APDU in hex, one line each, like `vsimctl exec`; a 61xx answer is
# followed by GET RESPONSE, whose answer is printed instead (an OTA PoR).
# usage: apdus.py READER APDU...   exit 1 when the card cannot be reached
import sys

from pcsc_link import Link

link = Link(sys.argv[1])
for a in sys.argv[2:]:
    print(link.command(bytes.fromhex(a)).hex().upper())
link.close()
