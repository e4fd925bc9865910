#!/usr/bin/env python3
"""make screenshot: boot the system headless with make gui's devices (the QEMU command line is
the arguments), wait until the driver and the compositor say the screen is up and the login
screen shows, then save what is on the screen through QMP into build/screenshots/:
  login.png          the login screen;
  login-error.png    the same after a wrong password;
then log in with the first-boot account (docs/login.md: nexus / nexus; a disk whose password
was changed cannot be shot) and save
  desktop.png        the session's desktop (docs/desktop.md): its bar;
  launcher.png       the launcher (Meta) filtered by "ter";
  terminal.png       the Terminal it starts (Enter), after `ls /boot` typed into it;
  control.png        the Control centre (docs/apps.md) started the same way ("cont", Enter);
then log in on the serial console and power the machine off from the shell."""
import os
import re
import selectors
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
from desktop_tests import THEME_BG, wait_pixels, wait_terminal  # noqa: E402
from desktop_tests import TERMINAL_AT as DESKTOP_TERMINAL_AT  # noqa: E402
from qmp import (QMP, gui_login, gui_login_refused, png_rgb, qmp_tap,  # noqa: E402
                 qmp_type, screendump_png, screen_shot, wait_for_login_screen)

READY = re.compile(rb"virtio-gpu: (\d+)x(\d+) scanout ready")
# The compositor has the screen (docs/compositor.md): the desktop it composed is what shows.
DESKTOP = re.compile(rb"compositor: \d+x\d+ display taken")
# The serial console's login (docs/login.md) and the shell it starts.
LOGIN_PROMPT = b"login: "
PROMPT = b"nsh> "
BOOT_TIMEOUT_S = 60
STEP_TIMEOUT_S = 30
# nsh's greeting as the Terminal draws it (the golden image of test_gfx_golden).
GREETING = os.path.join(ROOT, "tests", "host", "data", "golden", "terminal_boot.png")
OFF_TIMEOUT_S = 20
LOGIN_DELAY_S = 1.5   # the users service's first delay after a wrong password is 1 s


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


def save(qmp, shots, name):
    path = os.path.join(shots, name)
    screendump_png(qmp, path)
    print(f"\nmake screenshot: {path}")


def login_shots(qmp, shots, ppm):
    """login.png, login-error.png (a wrong password), then the right one typed; False, with a
    message, if the screen never shows what it must."""
    if wait_for_login_screen(qmp, ppm, BOOT_TIMEOUT_S) is None:
        print("\nmake screenshot: no login screen", file=sys.stderr)
        return False
    save(qmp, shots, "login.png")
    if gui_login_refused(qmp, ppm, "nexus", "not the password", STEP_TIMEOUT_S) is None:
        print("\nmake screenshot: no refusal shown after a wrong password", file=sys.stderr)
        return False
    save(qmp, shots, "login-error.png")
    time.sleep(LOGIN_DELAY_S)   # the delay after the wrong password: input is refused till then
    gui_login(qmp)
    return True


def desktop_shots(qmp, ppm, greeting):
    """The steps after the login: (file name, the step that must settle before it)."""
    def bar():
        return not wait_pixels(qmp, ppm, [(640, 14, THEME_BG, "the bar")], BOOT_TIMEOUT_S)

    def launcher():
        qmp_tap(qmp, "meta_l")
        return typed(qmp, ppm, "ter")

    def terminal():
        qmp_tap(qmp, "ret")
        if not wait_terminal(qmp, ppm, greeting, DESKTOP_TERMINAL_AT, BOOT_TIMEOUT_S):
            return False
        return typed(qmp, ppm, "ls /boot\r")

    def control():
        qmp_tap(qmp, "meta_l")
        return typed(qmp, ppm, "cont") and typed(qmp, ppm, "\r")

    return [("desktop.png", bar), ("launcher.png", launcher), ("terminal.png", terminal),
            ("control.png", control)]


def take_shots(qmp, shots, sock):
    """The screenshots; False, with a message, if the screen never shows what it must."""
    ppm = sock + ".ppm"
    greeting = png_rgb(GREETING)
    if not login_shots(qmp, shots, ppm):
        return False
    for name, step in desktop_shots(qmp, ppm, greeting):
        if not step():
            print(f"\nmake screenshot: the screen for {name} never settled", file=sys.stderr)
            return False
        save(qmp, shots, name)
    return True


def console_poweroff(proc, sel, out):
    """Log in on the serial console as nexus and power off from the shell (QEMU is quit
    through QMP if that does not end it)."""
    for typed, then in ((b"nexus\r", b"Password: "), (b"nexus\r", PROMPT), (b"poweroff\r", None)):
        start = len(out)
        proc.stdin.write(typed)
        proc.stdin.flush()
        if then and not wait_for(proc, sel, out, lambda o: then in o[start:], STEP_TIMEOUT_S):
            return


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
        if not wait_for(proc, sel, out,
                        lambda o: READY.search(o) and DESKTOP.search(o) and LOGIN_PROMPT in o,
                        BOOT_TIMEOUT_S):
            print("\nmake screenshot: the GPU driver or the compositor never said the screen was up",
                  file=sys.stderr)
            return 1
        qmp = QMP(sock)
        if not take_shots(qmp, shots, sock):
            return 1
        console_poweroff(proc, sel, out)
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
