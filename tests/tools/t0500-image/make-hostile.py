#!/usr/bin/env python3
"""Writes the hostile layer tars of t0500: one bad entry each, after a good one."""
import io
import sys
import tarfile

def layer(path, bad):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT, encoding="utf-8", errors="surrogateescape") as t:
        good = tarfile.TarInfo("etc/ok")
        good.size = 3
        t.addfile(good, io.BytesIO(b"ok\n"))
        t.addfile(bad, io.BytesIO(b"x") if bad.type == tarfile.REGTYPE and bad.size else None)

def info(name, kind=tarfile.REGTYPE, link="", size=0):
    i = tarfile.TarInfo(name)
    i.type = kind
    i.linkname = link
    i.size = size
    return i

out = sys.argv[1]
layer(out + "/dotdot.tar", info("etc/../../evil", size=1))
layer(out + "/absolute.tar", info("/etc/evil", size=1))
layer(out + "/hardlink.tar", info("etc/shadow-link", tarfile.LNKTYPE, "../../etc/shadow"))
layer(out + "/symlink.tar", info("usr/lib/escape", tarfile.SYMTYPE, "../../../etc/shadow"))
layer(out + "/device.tar", info("dev/sda", tarfile.BLKTYPE))
layer(out + "/chardev.tar", info("dev/mem", tarfile.CHRTYPE))
# pax with hdrcharset=BINARY keeps the raw bytes of a non-UTF-8 name
layer(out + "/notutf8.tar", info("etc/caf\udce9", size=1))
