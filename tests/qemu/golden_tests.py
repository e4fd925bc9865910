"""Pixel goldens of the login screen and the desktop (docs/testing.md, "Screen goldens"): make
gui's system (the system's archive, a fresh ext3 disk, make gui's devices) with the RTC fixed
(FIXED_RTC: the date is known), driven through QMP; each screen, once it has stopped changing,
is compared with tests/qemu/golden/NAME.png, the clocks' time of day masked (it follows the
virtual clock, which without -icount moves with the host's load). NX_GOLDEN_UPDATE=1 (make
golden-screens) writes the goldens instead of comparing; a mismatch writes what showed and a
diff (red: beyond the tolerance) to build/tests/golden/."""
import os
import tempfile
import time

from desktop_tests import THEME_BG, end_login_session
from login_tests import login_disk
from qemu import ROOT, SYSTEM_INITRD, Console
from qmp import (FIXED_RTC, GUI_DEVICES, QMP, SCREEN_H, SCREEN_W, TERMINAL_TOLERANCE, gui_login,
                 gui_login_refused, is_login_screen, png_bytes, png_rgb, qmp_tap, qmp_type,
                 screen_shot,
                 wait_for_login_screen)

GOLDEN_DIR = os.path.join(ROOT, "tests", "qemu", "golden")
MISMATCH_DIR = os.path.join(ROOT, "build", "tests", "golden")
UPDATE = os.environ.get("NX_GOLDEN_UPDATE") == "1"
# The clocks' time of day (x, y, w, h), blacked out in the screen and in the golden: the login
# screen's clock (user/apps/greeter/screen.c: clock_rect, the time above the date), the
# desktop's bar clock (user/apps/desktop/main.c: its label at the bar's right).
LOGIN_TIME = (SCREEN_W // 2 - 300, SCREEN_H // 2 - 280, 600, 100)
BAR_TIME = (SCREEN_W - 156, 2, 64, 24)
# The Control centre's live lines (user/apps/control/main.c, its window's content at (300, 90)):
# the date and time, and the figures (load, memory, disk use, uptime).
CONTROL_TIME = (460, 275, 540, 22)
CONTROL_FIGURES = (308, 312, 690, 100)
MASKS = {"login": [LOGIN_TIME], "login-error": [LOGIN_TIME], "desktop": [BAR_TIME],
         "launcher": [BAR_TIME], "control": [BAR_TIME, CONTROL_TIME, CONTROL_FIGURES]}
# Where the desktop's theme background (THEME_BG) shows once drawn: its bar, the launcher's panel.
BAR_AT, PANEL_AT = (640, 14), (4, 200)
CONTROL_AT = (650, 480)   # inside the Control centre's window, outside the launcher's panel
STABLE_S = 0.5      # two screendumps this far apart alike: the screen has settled
SLOW = 90


def masked(screen, rects):
    """The screen's RGB bytes with rects filled black."""
    width, height, rgb = screen
    out = bytearray(rgb)
    for x, y, w, h in rects:
        for row in range(y, y + h):
            out[(row * width + x) * 3:(row * width + x + w) * 3] = bytes(w * 3)
    return width, height, bytes(out)


def settled(qmp, ppm, test, rects, timeout=SLOW):
    """The screen once test(screen) holds and two screendumps STABLE_S apart are alike but for
    rects (the masks: what changes by itself), or None at the timeout."""
    end, last = time.monotonic() + timeout, None
    while time.monotonic() < end:
        screen = screen_shot(qmp, ppm)
        if test(screen) and masked(screen, rects) == last:
            return screen
        last = masked(screen, rects)
        time.sleep(STABLE_S)
    return None


def pixel(screen, x, y):
    width, _, rgb = screen
    return tuple(rgb[(y * width + x) * 3:(y * width + x) * 3 + 3])


def differing(got, want):
    """The indices of the pixels whose channels differ by more than the tolerance."""
    (_, _, a), (_, _, b) = got, want
    return [i // 3 for i in range(0, len(a), 3)
            if a[i:i + 3] != b[i:i + 3] and
            any(abs(p - q) > TERMINAL_TOLERANCE for p, q in zip(a[i:i + 3], b[i:i + 3]))]


def write_png(path, screen):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(png_bytes(*screen))


def compare(name, screen, problems):
    """The screen (its masks applied) against tests/qemu/golden/NAME.png, or written there when
    updating. A mismatch is a problem, with the screen and a diff image left for a look."""
    got = masked(screen, MASKS[name])
    path = os.path.join(GOLDEN_DIR, name + ".png")
    if UPDATE:
        write_png(path, got)
        print(f"golden: wrote {os.path.relpath(path, ROOT)}")
        return
    if not os.path.exists(path):
        problems.append(f"no golden {os.path.relpath(path, ROOT)} (make golden-screens)")
        return
    want = png_rgb(path)
    if want[:2] != got[:2]:
        problems.append(f"{name}: the screen is {got[0]}x{got[1]}, the golden {want[0]}x{want[1]}")
        return
    bad = differing(got, want)
    if not bad:
        return
    write_png(os.path.join(MISMATCH_DIR, name + ".png"), got)
    diff = bytearray(b"\x40" * len(got[2]))
    for i in bad:
        diff[i * 3:i * 3 + 3] = b"\xff\x00\x00"
    write_png(os.path.join(MISMATCH_DIR, name + "-diff.png"), (got[0], got[1], bytes(diff)))
    first = bad[0]
    problems.append(f"{name}: {len(bad)} pixels differ from the golden (the first at "
                    f"({first % got[0]}, {first // got[0]})); the screen and a diff are in "
                    f"{os.path.relpath(MISMATCH_DIR, ROOT)}/")


def shows(rgb, at):
    """A test: the pixel at `at` has the colour rgb."""
    return lambda screen: pixel(screen, *at) == rgb


def check_goldens(name):
    """The login screen; after a wrong password (the delay over); the desktop after the right
    one; its launcher (Meta); the Control centre started from it: each against its golden."""
    qmp_dir = tempfile.mkdtemp(prefix="nexus-qmp-")
    sock, ppm = os.path.join(qmp_dir, "qmp.sock"), os.path.join(qmp_dir, "screen.ppm")
    con = Console(disk=login_disk(name), initrd=SYSTEM_INITRD,
                  extra=["-qmp", f"unix:{sock},server=on,wait=off"] + GUI_DEVICES + FIXED_RTC)
    qmp, problems = QMP(sock), []
    steps = [("login", lambda: None, is_login_screen),
             ("login-error", lambda: (gui_login_refused(qmp, ppm, "nexus", "wrong1"),
                                      time.sleep(1.5)), is_login_screen),
             ("desktop", lambda: gui_login(qmp), shows(THEME_BG, BAR_AT)),
             ("launcher", lambda: qmp_tap(qmp, "meta_l"), shows(THEME_BG, PANEL_AT)),
             ("control", lambda: (qmp_type(qmp, "cont"), time.sleep(1), qmp_tap(qmp, "ret")),
              shows(THEME_BG, CONTROL_AT))]
    if wait_for_login_screen(qmp, ppm, SLOW) is None:
        problems.append("no login screen")
        steps = []
    for shot, act, ready in steps:
        act()
        screen = settled(qmp, ppm, ready, MASKS[shot])
        if screen is None:
            problems.append(f"{shot}: the screen did not settle on what it must show")
            break
        compare(shot, screen, problems)
    return end_login_session(con, qmp, qmp_dir, problems)


CASES = [
    ("login_and_desktop_match_their_goldens", check_goldens),
]
