#!/usr/bin/env python3
"""make screenshot: boot the system headless with the virtio GPU (the QEMU command line is the
arguments), wait until the driver and the compositor say the screen is up, save what is on it as
build/screenshots/boot.png through QMP, then power the machine off from the shell."""
import os
import re
import selectors
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
from qmp import QMP, screendump_png  # noqa: E402

READY = re.compile(rb"virtio-gpu: (\d+)x(\d+) scanout ready")
# The compositor has the screen (docs/compositor.md): the desktop it composed is what shows.
DESKTOP = re.compile(rb"compositor: \d+x\d+ display taken")
PROMPT = b"nsh> "
BOOT_TIMEOUT_S = 60
OFF_TIMEOUT_S = 20


def wait_for(proc, sel, out, done, timeout):
    """Read QEMU's console into out (a bytearray) until done(out) or the timeout."""
    end = time.monotonic() + timeout
    while not done(out) and time.monotonic() < end:
        if sel.select(timeout=max(0.0, end - time.monotonic())):
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                return False
            sys.stdout.write(chunk.decode(errors="replace"))
            out += chunk
    return done(out)


def main():
    shots = os.path.join(ROOT, "build", "screenshots")
    os.makedirs(shots, exist_ok=True)
    sock = os.path.join(tempfile.mkdtemp(prefix="nexus-qmp-"), "qmp.sock")
    cmd = sys.argv[1:] + ["-qmp", f"unix:{sock},server=on,wait=off"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    out = bytearray()
    status = 1
    try:
        if not wait_for(proc, sel, out, lambda o: READY.search(o) and DESKTOP.search(o) and PROMPT in o,
                        BOOT_TIMEOUT_S):
            print("\nmake screenshot: the GPU driver or the compositor never said the screen was up",
                  file=sys.stderr)
            return 1
        qmp = QMP(sock)
        path = os.path.join(shots, "boot.png")
        screendump_png(qmp, path)
        print(f"\nmake screenshot: {path}")
        proc.stdin.write(b"poweroff\r")
        proc.stdin.flush()
        status = 0
        try:
            proc.wait(timeout=OFF_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            print("make screenshot: no power-off from the shell: quitting QEMU", file=sys.stderr)
            qmp.command("quit")
        sys.stdout.write(proc.stdout.read().decode(errors="replace"))
        qmp.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if os.path.exists(sock):
            os.remove(sock)
        os.rmdir(os.path.dirname(sock))
    return status


if __name__ == "__main__":
    sys.exit(main())
