#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A small AT client for the vsim-modem tests (no python3-serial needed).

atclient.py PTY [--timeout S] STEP...
Each STEP is sent and its answer printed on one line as
"STEP => line|line|...|FINAL", the final result code last:
  AT...                a command line (terminated with CR)
  AT+CMGS=N>PDU        +CMGS: wait for the "> " prompt, send PDU and ^Z
  INJECT:FIFO:PDU      write PDU to the modem's --sms-in FIFO, then wait
                       for one URC line
  WAIT                 wait for one URC line
Lines that arrive with no command pending are printed as "URC: line".
Exit status 1 when a step times out.
"""
import os
import select
import sys
import termios
import time
import tty

FINALS = ("OK", "ERROR", "NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE")


def is_final(line):
    return line in FINALS or line.startswith("+CME ERROR") or line.startswith("+CMS ERROR")


class Port:
    def __init__(self, path, timeout):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        termios.tcflush(self.fd, termios.TCIOFLUSH)
        self.buf = b""
        self.timeout = timeout

    def read_more(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.fd], [], [], left)
        if not r:
            return False
        self.buf += os.read(self.fd, 4096)
        return True

    def line(self, deadline, prompt=False):
        """The next non-empty line (or the "> " prompt), None on timeout."""
        while True:
            self.buf = self.buf.lstrip(b"\r\n")
            if prompt and self.buf.startswith(b"> "):
                self.buf = self.buf[2:]
                return ">"
            ends = [i for i in (self.buf.find(b"\r"), self.buf.find(b"\n")) if i >= 0]
            if ends:
                i = min(ends)
                ln, self.buf = self.buf[:i], self.buf[i + 1:]
                return ln.decode(errors="replace")
            if not self.read_more(deadline):
                return None

    def command(self, text, prompt_data=None):
        deadline = time.monotonic() + self.timeout
        os.write(self.fd, text.encode() + b"\r")
        got = []
        while True:
            ln = self.line(deadline, prompt=prompt_data is not None)
            if ln is None:
                got.append("TIMEOUT")
                return got, False
            if ln == text:      # the echo (E1)
                continue
            if ln == ">" and prompt_data is not None:
                os.write(self.fd, prompt_data.encode() + b"\x1a")
                prompt_data = None
                continue
            if prompt_data is None and ln.startswith(("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F")) and text.startswith("AT+CMGS"):
                continue        # the echoed PDU
            got.append(ln)
            if is_final(ln):
                return got, True

    def urc(self):
        ln = self.line(time.monotonic() + self.timeout)
        return ([ln], True) if ln is not None else (["TIMEOUT"], False)


def main():
    args = sys.argv[1:]
    timeout = 10.0
    if len(args) >= 2 and args[1] == "--timeout":
        timeout = float(args[2])
        del args[1:3]
    port = Port(args[0], timeout)
    ok = True
    for step in args[1:]:
        if step == "WAIT":
            got, good = port.urc()
        elif step.startswith("INJECT:"):
            _, fifo, pdu = step.split(":", 2)
            with open(fifo, "w") as f:
                f.write(pdu + "\n")
            got, good = port.urc()
        elif step.upper().startswith("AT+CMGS=") and ">" in step:
            cmd, pdu = step.split(">", 1)
            got, good = port.command(cmd, pdu)
        else:
            got, good = port.command(step)
        print("%s => %s" % (step, "|".join(got)), flush=True)
        ok = ok and good
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
