"""The desktop's QEMU case (docs/desktop.md): the desktop started directly by init with the
grants a session has (manifest tests/qemu/manifests/desktop), driven through QMP: its bar
drawn across the top, the launcher opened by the Meta key, filtered by typing, Terminal
started with Enter (its window shows nsh's greeting) and then listed as running, the bar
naming it, and an app asking for a capability the session lacks refused, the refusal shown;
then by the pointer: the launcher opened with the Apps button, Hello started with a click and
seen to end; the power menu's Lock unavailable without a session manager, and Log out ending
the Terminal and the desktop."""
import os
import re
import shutil
import tempfile
import time

import gui_login_tests
from qemu import ROOT, SYSTEM_INITRD, Console, archive_with_manifest
from qmp import (QMP, gui_login, is_login_screen, png_rgb, qmp_button, qmp_pointer_to, qmp_tap,
                 qmp_type, region_matches, screen_shot, wait_for_login_screen)

GPU_INPUT = ["-device", "virtio-gpu-device,xres=1280,yres=800",
             "-device", "virtio-keyboard-device", "-device", "virtio-tablet-device"]
# The desktop's dark theme (nx_theme_dark) and the compositor's background.
THEME_BG, SCREEN_BG = (36, 38, 44), (0x20, 0x30, 0x40)
BAR_H = 28
# The Terminal's first window asks for its content at (40, 40); the compositor keeps its
# title bar below the desktop's bar: 28 + 24 down.
TERMINAL_AT = (40, 28 + 24)
# What the launcher lists, by name: the system's apps and the suite's two (tests/qemu/apps).
LISTED = r"Console Hog, Control centre, Files, Hello, System monitor, Terminal, Text editor"
LISTED_RUNNING = r"Console Hog, Control centre, Files, Hello, System monitor, Terminal \[running\], Text editor"
# Generous: the machine running the suite may be loaded.
SLOW = 90


def pixel(screen, x, y):
    width, _, rgb = screen
    i = (y * width + x) * 3
    return tuple(rgb[i:i + 3])


def wait_console(con, regex, timeout=SLOW):
    """Whether regex shows anywhere in the console's text within timeout seconds."""
    end = time.monotonic() + timeout
    while not re.search(regex, con.text()) and time.monotonic() < end:
        time.sleep(0.2)
    return re.search(regex, con.text()) is not None


def wait_pixels(qmp, ppm, checks, timeout=SLOW):
    """The checks [(x, y, rgb, what)] that still fail after timeout seconds (none: all hold)."""
    end = time.monotonic() + timeout
    while True:
        screen = screen_shot(qmp, ppm)
        failed = [f"{what}: {pixel(screen, x, y)} at ({x}, {y}), want {rgb}"
                  for x, y, rgb, what in checks if pixel(screen, x, y) != rgb]
        if not failed or time.monotonic() > end:
            return failed
        time.sleep(0.5)


def text_drawn(screen, rect, bg):
    """Whether something other than bg is drawn in rect (x, y, w, h)."""
    x0, y0, w, h = rect
    return any(pixel(screen, x, y) != bg for y in range(y0, y0 + h) for x in range(x0, x0 + w))


def wait_terminal(qmp, ppm, golden, at, timeout=SLOW):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if region_matches(screen_shot(qmp, ppm), golden, *at):
            return True
        time.sleep(0.5)
    return False


def launcher_steps(con, qmp, ppm):
    """The launcher opened, filtered, Terminal started and shown running; the problems."""
    problems = []
    qmp_tap(qmp, "meta_l")
    if not wait_console(con, r'launcher: "": ' + LISTED + r'\r?\n'):
        return ["Meta did not open the launcher listing every app"]
    problems += wait_pixels(qmp, ppm, [(4, 200, THEME_BG, "the launcher's panel"),
                                       (200, 500, SCREEN_BG, "the background below it")])
    qmp_type(qmp, "ter")
    if not wait_console(con, r'launcher: "ter": Terminal\r?\n'):
        return problems + ["typing 'ter' did not filter the launcher to Terminal"]
    qmp_tap(qmp, "ret")
    if not wait_console(con, r"started Terminal \(terminal\)"):
        return problems + ["Enter did not start Terminal"]
    golden = png_rgb(os.path.join(ROOT, "tests/host/data/golden/terminal_boot.png"))
    if not wait_terminal(qmp, ppm, golden, TERMINAL_AT):
        problems.append(f"no Terminal window showing nsh's greeting at {TERMINAL_AT}")
    if not wait_console(con, r'active: "Terminal"'):
        problems.append("the bar did not name the Terminal as the active window")
    problems += wait_pixels(qmp, ppm, [(10, 200, SCREEN_BG, "the launcher closed after the start"),
                                       (640, 14, THEME_BG, "the bar still over everything")])
    qmp_tap(qmp, "meta_l")
    if not wait_console(con, r'launcher: "": ' + LISTED_RUNNING + r'\r?\n'):
        problems.append("the launcher opened again does not show Terminal running")
    return problems


def refusal_steps(con, qmp, ppm):
    """Console Hog (asking for the console) chosen: refused, and the refusal shown."""
    qmp_type(qmp, "hog")
    if not wait_console(con, r'launcher: "hog": Console Hog\r?\n'):
        return ["typing 'hog' did not filter the launcher to Console Hog"]
    before = screen_shot(qmp, ppm)
    qmp_tap(qmp, "ret")
    problems = []
    if not wait_console(con, r'Console Hog refused: needs "console", not granted to this session'):
        problems.append("Console Hog was not refused for the console")
    status = (8, 28 + 360 - 8 - 24, 464, 24)   # the launcher's last line
    end = time.monotonic() + SLOW
    while time.monotonic() < end:
        after = screen_shot(qmp, ppm)
        if any(pixel(after, x, y) != pixel(before, x, y)
               for y in range(status[1], status[1] + status[3]) for x in range(status[0], status[0] + status[2])):
            break
        time.sleep(0.5)
    else:
        problems.append("the refusal did not change the launcher's status line")
    if re.search(r"started Console Hog", con.text()):
        problems.append("Console Hog was started")
    return problems


def click(qmp, x, y):
    qmp_pointer_to(qmp, x, y)
    for down in (True, False):
        qmp_button(qmp, "left", down)


# Where the pointer goes: the bar's buttons, the launcher's first row, the power menu's rows
# (its right edge at the screen's, 180 wide, rows 30 high from 6 below the bar).
APPS_BUTTON, POWER_BUTTON, FIRST_ROW = (40, 14), (1240, 14), (100, 84)
LOCK, LOG_OUT = (1190, BAR_H + 6 + 15), (1190, BAR_H + 6 + 45)


def pointer_steps(con, qmp, ppm):
    """Apps button, Hello clicked and ended; Lock unavailable; Log out; the problems."""
    problems = []
    qmp_tap(qmp, "esc")
    problems += wait_pixels(qmp, ppm, [(10, 200, SCREEN_BG, "the launcher closed by Escape")])
    click(qmp, *APPS_BUTTON)
    if not wait_console(con, r'launcher: "": ' + LISTED_RUNNING + r'\r?\n(?s:.*)'
                             r'launcher: "": ' + LISTED_RUNNING + r'\r?\n'):
        return problems + ["the Apps button did not open the launcher"]
    qmp_type(qmp, "hel")
    if not wait_console(con, r'launcher: "hel": Hello\r?\n'):
        return problems + ["typing 'hel' did not filter the launcher to Hello"]
    click(qmp, *FIRST_ROW)
    if not wait_console(con, r"started Hello \(hello\)"):
        return problems + ["a click on Hello did not start it"]
    if not wait_console(con, r"Hello ended with status 0"):
        problems.append("the desktop did not see Hello end")
    click(qmp, *POWER_BUTTON)
    problems += wait_pixels(qmp, ppm, [(LOCK[0] + 60, LOCK[1] - 15 - 3, THEME_BG, "the power menu")])
    click(qmp, *LOCK)
    if not wait_console(con, r"status: Lock: unavailable \(no session manager\)"):
        problems.append("Lock did not say it is unavailable")
    click(qmp, *POWER_BUTTON)
    problems += wait_pixels(qmp, ppm, [(LOCK[0] + 60, LOCK[1] - 15 - 3, THEME_BG, "the power menu again")])
    click(qmp, *LOG_OUT)
    if not wait_console(con, r"logging out(?s:.*)desktop \(pid \d+\) exited with status 0"):
        problems.append("Log out did not end the desktop")
    if not re.search(r"process \d+ \(terminal\) killed by process \d+ \(desktop\)", con.text()):
        problems.append("Log out did not end the Terminal")
    problems += wait_pixels(qmp, ppm, [(640, 14, SCREEN_BG, "the bar gone"),
                                       (TERMINAL_AT[0] + 400, TERMINAL_AT[1] + 200, SCREEN_BG,
                                        "the Terminal gone")])
    return problems


def check_desktop(name):
    qmp_dir = tempfile.mkdtemp(prefix="nexus-qmp-")
    sock, ppm = os.path.join(qmp_dir, "qmp.sock"), os.path.join(qmp_dir, "screen.ppm")
    con = Console(initrd=archive_with_manifest("desktop"),
                  extra=["-qmp", f"unix:{sock},server=on,wait=off"] + GPU_INPUT)
    problems = []
    for line in (r"desktop: up, 7 apps", r"compositor: 2 input devices"):
        if not wait_console(con, line):
            problems.append(f"no '{line}'")
    if not problems:
        qmp = QMP(sock)
        problems += wait_pixels(qmp, ppm, [(640, 14, THEME_BG, "the bar"),
                                           (640, 100, SCREEN_BG, "the background")])
        screen = screen_shot(qmp, ppm)
        if not text_drawn(screen, (1280 - 156, 2, 64, BAR_H - 4), THEME_BG):
            problems.append("no clock drawn in the bar")
        problems += launcher_steps(con, qmp, ppm)
        if not problems:
            problems += refusal_steps(con, qmp, ppm)
        if not problems:
            problems += pointer_steps(con, qmp, ppm)
        qmp.close()
    con.close(timeout=0)
    shutil.rmtree(qmp_dir, ignore_errors=True)
    out = con.text()
    problems += ["unexpected: " + p for p in (r"PANIC", r"killed(?! by process \d+ \(desktop\))", r"desktop: (?:cannot start|no compositor)", r"E desktop")
                 if re.search(p, out)]
    return problems, out


def wait_screen(qmp, ppm, test, timeout=SLOW):
    """Whether test(screen) holds within timeout seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if test(screen_shot(qmp, ppm)):
            return True
        time.sleep(0.5)
    return False


def check_login_to_desktop(name):
    """make gui's system (the system's archive, an ext3 disk): the login screen; the right
    password starts the desktop (its bar drawn); Meta, "ter", Enter start the Terminal (nsh's
    greeting in its window); the power menu's Lock brings the lock screen, the password takes
    it down with the Terminal still there; Log out ends the session: the login screen again."""
    con, qmp, qmp_dir, ppm = gui_login_tests.boot_gui(name, SYSTEM_INITRD)
    problems = []
    golden = png_rgb(os.path.join(ROOT, "tests/host/data/golden/terminal_boot.png"))
    if not gui_login(qmp, path=ppm):
        problems.append("no login screen")
    else:
        problems += wait_pixels(qmp, ppm, [(640, 14, THEME_BG, "the desktop's bar after the login")])
    if not problems:
        qmp_tap(qmp, "meta_l")
        problems += wait_pixels(qmp, ppm, [(4, 200, THEME_BG, "the launcher's panel")])
        qmp_type(qmp, "ter")
        time.sleep(1)
        qmp_tap(qmp, "ret")
        if not wait_terminal(qmp, ppm, golden, TERMINAL_AT):
            problems.append(f"no Terminal window showing nsh's greeting at {TERMINAL_AT}")
    if not problems:
        click(qmp, *POWER_BUTTON)
        problems += wait_pixels(qmp, ppm, [(LOCK[0] + 60, LOCK[1] - 15 - 3, THEME_BG, "the power menu")])
        click(qmp, *LOCK)
        if wait_for_login_screen(qmp, ppm, SLOW) is None:
            problems.append("Lock did not bring the lock screen")
        else:
            gui_login(qmp, None, "nexus")
            if not wait_screen(qmp, ppm, lambda sc: not is_login_screen(sc) and
                               region_matches(sc, golden, *TERMINAL_AT)):
                problems.append("the password did not take the lock screen down to the Terminal")
    if not problems:
        click(qmp, *POWER_BUTTON)
        problems += wait_pixels(qmp, ppm, [(LOCK[0] + 60, LOCK[1] - 15 - 3, THEME_BG, "the power menu again")])
        click(qmp, *LOG_OUT)
        if wait_for_login_screen(qmp, ppm, SLOW) is None:
            problems.append("Log out did not bring the login screen back")
    return end_login_session(con, qmp, qmp_dir, problems)


def end_login_session(con, qmp, qmp_dir, problems):
    """QEMU stopped; the problems, with a panic or the greeter's end among them, and the
    console's text."""
    qmp.close()
    con.close(timeout=0)
    shutil.rmtree(qmp_dir, ignore_errors=True)
    out = con.text()
    problems += ["unexpected: " + p for p in (r"PANIC", r"\(greeter\) (killed|exited)")
                 if re.search(p, out)]
    return problems, out


CASES = [
    ("desktop_launcher_starts_terminal_and_refuses_ungranted_caps", check_desktop),
    ("login_to_desktop_terminal_lock_and_log_out", check_login_to_desktop),
]
