#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Send C-APDUs (hex arguments) to a PC/SC reader with pyscard in one
# connection and play the terminal for a SEND SHORT MESSAGE the card
# announces after the last one: FETCH (TS 102 221 §11.2.3) on 91xx, the
# SMS-SUBMIT's user data taken out (TS 23.040 §9.2.2.2), TERMINAL RESPONSE
# "command performed" (TS 102 223 §6.8). One connection: pcscd powers a
# card no client holds off after a while (its auto power off), and a
# power-on empties the proactive queue. With --menu APP first, the APDUs
# are preceded by a handset's start of the toolkit: TERMINAL PROFILE
# declaring SET UP MENU and SEND SHORT MESSAGE (TS 102 223 §5.2), the
# card's SET UP MENU fetched and acknowledged, and the user's MENU
# SELECTION of APP (§7.2) as the last command. With --exec CMD first, the
# shell command CMD runs once the connection holds the card (it stays
# powered) and before the APDUs. Prints
#   exec LINE    CMD's output (--exec), each line; exit 1 when CMD fails
#   menu NAME... the items of the card's SET UP MENU (--menu)
#   sw XXXX      the last command's status word (61xx: after GET RESPONSE)
#   fetch HEX    the proactive command (with its SW)
#   ud HEX       the SMS-SUBMIT's user data, UDH first
#   tr XXXX      the TERMINAL RESPONSE's status word
# usage: send_sms.py READER [--menu APP | --exec CMD] APDU...   exit 1 when the card
# cannot be reached, offers no menu with APP, or the command is not a SEND
# SHORT MESSAGE
import subprocess
import sys
import time

from pcsc_link import Link

TYPE_SEND_SMS = 0x13
TYPE_SET_UP_MENU = 0x25


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


link = Link(sys.argv[1])
xfer = link.xfer


def terminal_response(det):
    """TS 102 223 §6.8: command performed successfully."""
    return bytes([0x80, 0x14, 0x00, 0x00, 0x0C, 0x81, 0x03]) + det + \
        bytes([0x82, 0x02, 0x82, 0x81, 0x83, 0x01, 0x00])


def menu_selection(app):
    """Profile, SET UP MENU fetched, the ENVELOPE choosing @app."""
    # byte 4: SEND SHORT MESSAGE (b2), SET UP MENU (b6)
    r = xfer(bytes.fromhex("801000000401000022"))
    # the card's agent may offer its menu a moment after the power-on:
    # poll with STATUS, as a handset does
    for _ in range(40):
        if r[0] == 0x91:
            break
        time.sleep(0.05)
        r = xfer(bytes.fromhex("80F2000C00"))
    if r[0] != 0x91:
        sys.exit(1)
    f = xfer(bytes([0x80, 0x12, 0x00, 0x00, r[1]]))
    t = tlvs(f[:-2])
    det = t.get(0x01)
    if f[-2:] != b"\x90\x00" or not det or det[1] != TYPE_SET_UP_MENU:
        sys.exit(1)
    items, i = {}, 3 if f[1] == 0x81 else 2
    while i + 2 <= len(f) - 2:
        tag, n = f[i] & 0x7f, f[i + 1]
        if tag == 0x0f and n:
            items[f[i + 3:i + 2 + n].decode()] = f[i + 2]
        i += 2 + n
    print("menu", " ".join(items))
    xfer(terminal_response(det))
    if app not in items:
        sys.exit(1)
    return "80C2000009D30782020181900101"[:-2] + "%02X" % items[app]


args = sys.argv[2:]
if args[:1] == ["--menu"] and len(args) >= 2:
    args = args[2:] + [menu_selection(args[1])]
elif args[:1] == ["--exec"] and len(args) >= 2:
    run = subprocess.run(args[1], shell=True, capture_output=True, text=True)
    for line in (run.stdout + run.stderr).splitlines():
        print("exec", line)
    if run.returncode:
        sys.exit(1)
    args = args[2:]
r = b""
for a in args:
    r = link.command(bytes.fromhex(a))
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
print("tr", xfer(terminal_response(det))[-2:].hex().upper())
link.close()
