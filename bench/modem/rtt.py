#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""AT round trips through vsim-modem's pty, for make bench.

rtt.py PTY N CMD...: each CMD sent N times (after 5 unmeasured), the time
from writing the command line to reading its final result code; prints
"CMD median_us p90_us" per command. Exit 1 if a command does not end OK.
"""
import os
import select
import sys
import termios
import time
import tty


def main():
    path, n, cmds = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    termios.tcflush(fd, termios.TCIOFLUSH)

    def once(cmd):
        os.write(fd, cmd.encode() + b"\r")
        buf = b""
        while not (buf.endswith(b"\r\nOK\r\n") or b"ERROR" in buf):
            r, _, _ = select.select([fd], [], [], 10)
            if not r:
                sys.exit("rtt.py: %s: no answer" % cmd)
            buf += os.read(fd, 4096)
        if not buf.endswith(b"\r\nOK\r\n"):
            sys.exit("rtt.py: %s: %r" % (cmd, buf))

    once("ATE0")
    for cmd in cmds:
        for _ in range(5):
            once(cmd)
        us = []
        for _ in range(n):
            t = time.perf_counter_ns()
            once(cmd)
            us.append((time.perf_counter_ns() - t) // 1000)
        us.sort()
        print(cmd, us[len(us) // 2], us[min(len(us) - 1, len(us) * 9 // 10)])


if __name__ == "__main__":
    main()
