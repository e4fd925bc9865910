#!/usr/bin/env python3
"""make screenshot: boot the system headless with make gui's devices (the QEMU command line is
the arguments), wait until the driver and the compositor say the screen is up and the Terminal
shows nsh's greeting, then save what is on the screen through QMP into build/screenshots/:
  boot.png           the Terminal of the boot;
  terminal.png       the same after `ls /boot` typed into it;
  two-terminals.png  a second Terminal (Ctrl+Shift+N) moved by its title bar beside the first,
                     after `date` typed into it;
then power the machine off from the shell."""
import os
import re
import selectors
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
from qmp import (QMP, TERMINAL_AT, png_rgb, qmp_chord, qmp_move_window, qmp_type,  # noqa: E402
                 screendump_png, screen_shot, wait_for_terminal)

READY = re.compile(rb"virtio-gpu: (\d+)x(\d+) scanout ready")
# The compositor has the screen (docs/compositor.md): the desktop it composed is what shows.
DESKTOP = re.compile(rb"compositor: \d+x\d+ display taken")
PROMPT = b"nsh> "
BOOT_TIMEOUT_S = 60
STEP_TIMEOUT_S = 30
# nsh's greeting as the Terminal draws it (the golden image of test_gfx_golden).
GREETING = os.path.join(ROOT, "tests", "host", "data", "golden", "terminal_boot.png")
# Where the second Terminal's window is dragged: its content's top-left corner (800 x 475
# cells' pixels; the first's is at (40, 40)), within the 1280 x 800 screen with its border.
SECOND_TO = (440, 300)
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


def typed(qmp, ppm, text):
    """text typed into the focused Terminal, then screendumps until the screen has changed and
    two half a second apart are the same (what was typed has been answered and drawn); False
    at the timeout."""
    before = screen_shot(qmp, ppm)
    qmp_type(qmp, text)
    end, last = time.monotonic() + STEP_TIMEOUT_S, None
    while time.monotonic() < end:
        time.sleep(0.5)
        screen = screen_shot(qmp, ppm)
        if screen == last and screen != before:
            return True
        last = screen
    return False


def take_shots(qmp, shots, sock):
    """The three screenshots; False, with a message, if the screen never shows what it must."""
    ppm = sock + ".ppm"
    greeting = png_rgb(GREETING)
    at = wait_for_terminal(qmp, ppm, greeting, TERMINAL_AT, BOOT_TIMEOUT_S)
    if at is None:
        print("\nmake screenshot: no Terminal showing nsh's greeting", file=sys.stderr)
        return False
    steps = [("boot.png", lambda: True),
             ("terminal.png", lambda: typed(qmp, ppm, "ls /boot\r")),
             ("two-terminals.png", lambda: second_terminal(qmp, ppm, at + 32, greeting))]
    for name, step in steps:
        if not step():
            print(f"\nmake screenshot: the screen for {name} never settled", file=sys.stderr)
            return False
        path = os.path.join(shots, name)
        screendump_png(qmp, path)
        print(f"\nmake screenshot: {path}")
    return True


def second_terminal(qmp, ppm, at, greeting):
    """Ctrl+Shift+N; the new Terminal (content at (at, at)) dragged by its title bar to
    SECOND_TO, `date` typed into it."""
    qmp_chord(qmp, ["ctrl", "shift", "n"])
    if wait_for_terminal(qmp, ppm, greeting, [at], STEP_TIMEOUT_S) is None:
        return False
    qmp_move_window(qmp, (at, at), SECOND_TO)
    return typed(qmp, ppm, "date\r")


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
        if not take_shots(qmp, shots, sock):
            return 1
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
        for path in (sock, sock + ".ppm"):
            if os.path.exists(path):
                os.remove(path)
        os.rmdir(os.path.dirname(sock))
    return status


if __name__ == "__main__":
    sys.exit(main())
