#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Walk a card's whole file tree through PC/SC: the USIM's AID from EF_DIR,
# then every DF and EF of the list `vsimctl compile --profile P --list`
# prints, selected by path from the MF (7FFF for the USIM's files). Each
# FCP must agree with the list (DF or EF structure, size, record length
# and count, SFI); every EF is read whole (every record, the body in
# pieces) and must answer what the access rule of its FCP (tag 8B: the
# EF_ARR record, looked up from the EF's DF upwards, TS 102 221 §9.2.5)
# says for READ: 9000 when allowed, 6982 when not. A BER-TLV EF (TS 102
# 221 §11.3) is read with RETRIEVE DATA: its tag list (tag 5C), then
# every object, in blocks while the card says 62F1. Two passes: before
# and after VERIFY PIN1.
# usage: walk.py READER LISTFILE PIN1
# prints one line per unexpected answer and a summary; exit 0 when none.
import sys

from pcsc_link import Link

reader, listfile, pin1 = sys.argv[1], sys.argv[2], sys.argv[3]
link = Link(reader)
problems = []
stats = {"DF": 0, "EF": 0, "records": 0, "bytes": 0, "apdus": 0}


def cmd(apdu):
    """One command; 6Cxx (wrong Le) is sent again with Le = xx."""
    stats["apdus"] += 1
    r = link.command(bytes(apdu))
    if len(r) == 2 and r[0] == 0x6C and len(apdu) == 5:
        stats["apdus"] += 1
        r = link.command(bytes(apdu[:4]) + r[1:2])
    return r[:-2], (r[-2] << 8) | r[-1]


def select_path(fids, fcp=True):
    """SELECT by path from the MF (P1 08): FCP (or b'') and SW."""
    data = b"".join(f.to_bytes(2, "big") for f in fids)
    return cmd([0x00, 0xA4, 0x08, 0x04 if fcp else 0x0C, len(data)] + list(data))


def tlvs(b):
    """The data objects of a simple-TLV string, as (tag, value) pairs."""
    i, out = 0, []
    while i + 2 <= len(b):
        t, n = b[i], b[i + 1]
        out.append((t, b[i + 2:i + 2 + n]))
        i += 2 + n
    return out


def fcp_items(fcp):
    if len(fcp) < 2 or fcp[0] != 0x62:
        return {}
    return dict(tlvs(fcp[2:2 + fcp[1]]))


# -- the applications: their AIDs from EF_DIR, one per record (TS 102 221
# §13.1), in the order the file list has the ADFs
d, sw = cmd([0x00, 0xA4, 0x00, 0x04, 0x02, 0x2F, 0x00])
fd = fcp_items(d).get(0x82, b"")
aids = []
for rec in range(1, (fd[4] if len(fd) >= 5 else 0) + 1):
    d, sw = cmd([0x00, 0xB2, rec, 0x04, fd[3]])
    if sw == 0x9000 and d[:1] == b"\x61":
        aids.append(dict(tlvs(d[2:2 + d[1]])).get(0x4F))
if not aids or not aids[0]:
    sys.exit("EF_DIR names no application")

entries = []
with open(listfile) as f:
    for line in f:
        path, name, kind, size, rl, nrec, sfi, arr, arr_rec, _clause = line.split(" ", 9)
        fids = [int(x, 16) for x in path.split("/")]
        entries.append(dict(fids=fids, name=name, kind=kind, size=int(size),
                            rl=int(rl), nrec=int(nrec),
                            sfi=None if sfi == "-" else int(sfi, 16)))
adf_fids = [e["fids"][-1] for e in entries if e["kind"] == "ADF"]
if len(aids) < len(adf_fids):
    sys.exit("EF_DIR lists %d applications for %d ADFs" % (len(aids), len(adf_fids)))
adf_aid = dict(zip(adf_fids, aids))


def card_path(fids):
    """The path as the card takes it: an ADF's files through 7FFF."""
    out = list(fids[1:])
    if out and out[0] in adf_aid:
        out[0] = 0x7FFF
    return out


def aid_of(fids):
    """The AID of the ADF a path runs through (the first one otherwise)."""
    return adf_aid.get(fids[1] if len(fids) > 1 else None, aids[0])


def select_adf(fids):
    aid = aid_of(fids)
    return cmd([0x00, 0xA4, 0x04, 0x0C, len(aid)] + list(aid))


arr_cache = {}


def read_rule(fids, arr_fid, rec):
    """READ's security condition from EF_ARR: 'always', 'never' or a key reference."""
    key = (tuple(fids[:-1]), arr_fid, rec)
    if key in arr_cache:
        return arr_cache[key]
    rule = "never"
    for depth in range(len(fids) - 1, 0, -1):	# the EF's DF, then its parents
        _, sw = select_path(card_path(fids[:depth]) + [arr_fid], fcp=False)
        if sw != 0x9000:
            continue
        d, sw = cmd([0x00, 0xB2, rec, 0x04, 0x00])
        if sw != 0x9000:
            break
        objs = tlvs(d)
        for i in range(0, len(objs) - 1, 2):
            (am_tag, am), (sc_tag, sc) = objs[i], objs[i + 1]
            if am_tag == 0x80 and am and am[0] & 0x01:
                if sc_tag == 0x90:
                    rule = "always"
                elif sc_tag == 0xA4:
                    rule = dict(tlvs(sc)).get(0x83, b"\xff")[0]
                break
        break
    arr_cache[key] = rule
    return rule


def problem(e, what):
    problems.append("%s %s: %s" % ("/".join("%04X" % f for f in e["fids"]), e["name"], what))


def tag_len(b):
    """Length of the TS 102 221 §11.3.0 tag at the start of b."""
    if b[0] & 0x1F != 0x1F:
        return 1
    return 3 if b[1] & 0x80 else 2


def retrieve(tag):
    """RETRIEVE DATA of one tag on the current EF, next blocks while 62F1."""
    d, sw = cmd([0x80, 0xCB, 0x00, 0x80, len(tag)] + list(tag) + [0x00])
    out = d
    while sw == 0x62F1:
        d, sw = cmd([0x80, 0xCB, 0x00, 0x00, 0x00])
        out += d
    return out, sw


def retrieve_all(e, want, pin_verified):
    lst, sw = retrieve(b"\x5C")
    if sw != want:
        problem(e, "RETRIEVE DATA 5C: %04X, expected %04X" % (sw, want))
        return
    if sw != 0x9000:
        return
    i = 3 if lst[1:2] == b"\x81" else 2
    while i < len(lst):
        tag = lst[i:i + tag_len(lst[i:])]
        obj, sw = retrieve(tag)
        if sw != 0x9000 or not obj.startswith(tag):
            problem(e, "RETRIEVE DATA %s: %04X" % (tag.hex(), sw))
            return
        stats["bytes"] += len(obj) * pin_verified
        i += len(tag)


def walk(pin_verified):
    for e in entries:
        if e["kind"] == "MF":
            d, sw = cmd([0x00, 0xA4, 0x00, 0x04, 0x02, 0x3F, 0x00])
        else:
            _, sw = select_adf(e["fids"])
            if sw != 0x9000:
                problem(e, "SELECT AID: %04X" % sw)
                continue
            if e["kind"] == "ADF":
                aid = aid_of(e["fids"])
                d, sw = cmd([0x00, 0xA4, 0x04, 0x04, len(aid)] + list(aid))
            else:
                d, sw = select_path(card_path(e["fids"]))
        if sw != 0x9000:
            problem(e, "SELECT: %04X" % sw)
            continue
        items = fcp_items(d)
        desc = items.get(0x82, b"")
        if e["kind"] in ("MF", "DF", "ADF"):
            if desc[:1] != b"\x78":
                problem(e, "FCP descriptor %s, expected a DF" % desc.hex())
            stats["DF"] += not pin_verified
            continue
        want_desc = {"TR": 0x41, "LF": 0x42, "CY": 0x46, "BT": 0x79}[e["kind"]]
        size = int.from_bytes(items.get(0x80, b""), "big")
        sfi = items.get(0x88)
        if desc[:1] != bytes([want_desc]) or size != e["size"]:
            problem(e, "FCP descriptor %s size %d, list says %02X size %d"
                    % (desc.hex(), size, want_desc, e["size"]))
            continue
        if (sfi[0] >> 3 if sfi else None) != e["sfi"]:
            problem(e, "FCP SFI %s, list says %s" % (sfi.hex() if sfi is not None else "-", e["sfi"]))
        if e["kind"] == "BT" and int.from_bytes(items.get(0x81, b""), "big") != size:
            problem(e, "FCP of a BER-TLV EF without total file size 81")
        if e["kind"] in ("LF", "CY"):
            rl, nrec = int.from_bytes(desc[2:4], "big"), desc[4] if len(desc) > 4 else 0
            if (rl, nrec) != (e["rl"], e["nrec"]):
                problem(e, "FCP records %d x %d, list %d x %d" % (nrec, rl, e["nrec"], e["rl"]))
                continue
        arr = items.get(0x8B, b"")
        rule = read_rule(e["fids"], int.from_bytes(arr[:2], "big"), arr[2]) if len(arr) == 3 else "never"
        allowed = rule == "always" or (rule == 0x01 and pin_verified)
        want = 0x9000 if allowed else 0x6982
        # the EF again (read_rule may have selected EF_ARR)
        _, sw = select_adf(e["fids"])
        _, sw = select_path(card_path(e["fids"]), fcp=False)
        if e["kind"] == "BT":
            retrieve_all(e, want, pin_verified)
        elif e["kind"] == "TR":
            off = 0
            while off < size:
                n = min(255, size - off)
                d, sw = cmd([0x00, 0xB0, off >> 8, off & 0xFF, n])
                if sw != want or (sw == 0x9000 and len(d) != n):
                    problem(e, "READ BINARY at %d: %04X, expected %04X" % (off, sw, want))
                    break
                if sw != 0x9000:
                    break
                stats["bytes"] += n * pin_verified
                off += n
        else:
            for r in range(1, nrec + 1):
                d, sw = cmd([0x00, 0xB2, r, 0x04, rl])
                if sw != want or (sw == 0x9000 and len(d) != rl):
                    problem(e, "READ RECORD %d: %04X, expected %04X" % (r, sw, want))
                    break
                if sw != 0x9000:
                    break
                stats["records"] += pin_verified
                stats["bytes"] += rl * pin_verified
        stats["EF"] += not pin_verified


walk(False)
d, sw = cmd([0x00, 0x20, 0x00, 0x01, 0x08] + list(pin1.encode()) + [0xFF] * (8 - len(pin1)))
if sw != 0x9000:
    problems.append("VERIFY PIN1: %04X" % sw)
walk(True)
link.close()
for p in problems:
    print("unexpected: " + p)
stats["unexpected"] = len(problems)
print("walked %(DF)d DFs, %(EF)d EFs, %(records)d records, %(bytes)d bytes in %(apdus)d APDUs;"
      " unexpected status words: %(unexpected)d" % stats)
sys.exit(1 if problems else 0)
