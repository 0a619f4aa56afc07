#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Open N idle connections to vsimd's control socket (tests/vsimd_guard.sh).
# Writes OUT.ready once each is either held or refused, with the refusal
# messages; then waits until vsimd closes the held ones for idleness and
# writes OUT.done. A connect() that blocks (the listen backlog full: the
# old hang) counts as "hung".
#
# usage: ctl_flood.py SOCKET N OUT
import json
import os
import signal
import socket
import sys
import time

path, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def first_error(data):
    if not data:
        return "EOF"
    try:
        return json.loads(data.split(b"\n")[0].decode("utf-8"))["error"]
    except (ValueError, KeyError):
        return "BAD %r" % data


def on_alarm(signum, frame):
    raise TimeoutError()


signal.signal(signal.SIGALRM, on_alarm)
conns, hung = [], 0
for _ in range(n):
    s = socket.socket(socket.AF_UNIX)
    signal.alarm(3)     # a blocking connect waits while the backlog is full
    try:
        s.connect(path)
        conns.append(s)
    except (OSError, TimeoutError):
        hung += 1
    signal.alarm(0)
time.sleep(1)
held, refused = [], []
for s in conns:
    s.setblocking(False)
    try:
        data = s.recv(4096)
    except BlockingIOError:
        held.append(s)
        continue
    refused.append(first_error(data))
with open(out + ".tmp", "w") as f:
    f.write("held %d refused %d hung %d\n" % (len(held), len(refused), hung))
    for m in sorted(set(refused)):
        f.write(m + "\n")
os.rename(out + ".tmp", out + ".ready")

t0, msgs = time.time(), []
for s in held:
    s.setblocking(True)
    s.settimeout(max(0.1, 30 - (time.time() - t0)))
    data = b""
    try:
        while True:
            c = s.recv(4096)
            if not c:
                break
            data += c
        msgs.append(first_error(data))
    except OSError:
        msgs.append("still open")
with open(out + ".tmp", "w") as f:
    f.write("closed %d of %d after %.0f s\n" %
            (len([m for m in msgs if m != "still open"]), len(held),
             time.time() - t0))
    for m in sorted(set(msgs)):
        f.write(m + "\n")
os.rename(out + ".tmp", out + ".done")
