"""The Control centre's QEMU case (docs/apps.md): started from the desktop's launcher
(manifest tests/qemu/manifests/control: the desktop with a session's grants, the settings
service on an ext3 disk, a shell on the serial console), driven through QMP: the power mode
set to saver with the keyboard, the theme to light with the pointer (dark: the default), a time zone out of range
refused with the service's reason and nothing changed; the settings tool and the file on the
disk agree; the same disk booted again, the Control centre opens with both kept and light."""
import os
import re
import shutil
import tempfile
import time

from desktop_tests import SLOW, THEME_BG, click, pixel, wait_console, wait_pixels
from login_tests import disk_file, power_off
from net_tests import settle, shell
from qemu import Console, archive_with_manifest
from settings_tests import settings_disk
from qmp import GUI_DEVICES, QMP, qmp_chord, qmp_tap, qmp_type, screen_shot

# The window's content (control/main.c: WIN_X, WIN_Y, WIN_W, WIN_H) and its layout: buttons
# from x 162 in rows 34 high from y 12, 28 high; the time zone's row the fifth.
AT, SIZE = (300, 90), (700, 440)
LIGHT_BG = (240, 240, 236)             # nx_theme_light's background (THEME_BG: the dark one's)
BLANK = (AT[0] + SIZE[0] - 6, AT[1] + 200)   # the right margin: nothing drawn there


def button(row, index, width):
    """The centre of button index (width wide, 6 apart) in settings row row, on the screen."""
    return (AT[0] + 162 + index * (width + 6) + width // 2, AT[1] + 12 + row * 34 + 14)


SAVER, LIGHT = button(0, 2, 140), button(1, 0, 140)
ZONE_FIELD = button(4, 0, 280)
STATUS = (AT[0] + 12, AT[1] + SIZE[1] - 12 - 24, SIZE[0] - 24, 24)   # the reason's line
STARTED = r"control: power_mode=(\w+) theme=(\w+) keyboard_layout=\w+ lock_delay_s=\d+ time_zone=\S+"


def type_keys(qmp, text):
    """text typed on the us layout: upper case and '+' with Shift held."""
    for c in text:
        if c.isupper() or c == "+":
            qmp_chord(qmp, ["shift", "equal" if c == "+" else c.lower()])
        else:
            qmp_type(qmp, c)


def boot(image, qmp_dir):
    sock = os.path.join(qmp_dir, "qmp.sock")
    con = Console(initrd=archive_with_manifest("control"), disk=image,
                  extra=["-qmp", f"unix:{sock},server=on,wait=off"] + GUI_DEVICES)
    problems = [f"no '{line}'" for line in (r"desktop: up, \d+ apps", r"compositor: 2 input devices")
                if not wait_console(con, line)]
    settle(con, quiet=2, timeout=60)
    return con, (None if problems else QMP(sock)), problems


def open_control(con, qmp, ppm, theme_bg):
    """Meta, "cont", Enter: the Control centre started, its window drawn in theme_bg; the
    settings it says it started with (power mode, theme), and the problems."""
    qmp_tap(qmp, "meta_l")
    if not wait_console(con, r'launcher: "": Console Hog, Control centre'):
        return None, ["Meta did not open the launcher listing the Control centre"]
    qmp_type(qmp, "cont")
    if not wait_console(con, r'launcher: "cont": Control centre\r?\n'):
        return None, ["typing 'cont' did not filter the launcher to Control centre"]
    qmp_tap(qmp, "ret")
    if not wait_console(con, r"started Control centre \(control\)") or not wait_console(con, STARTED):
        return None, ["Enter did not start the Control centre"]
    found = re.findall(STARTED, con.text())[-1]
    problems = wait_pixels(qmp, ppm, [(*BLANK, theme_bg, "the Control centre's window")])
    return found, problems


def change_steps(con, qmp, ppm):
    """Saver by keys (Right, Right, Enter from the first button), light by a click, UTC+15
    refused in the field; the problems."""
    problems = []
    click(qmp, *BLANK)                 # the window raised and given the keyboard
    time.sleep(0.5)
    for key in ("right", "right", "ret"):
        qmp_tap(qmp, key)
    if not wait_console(con, r"control: power_mode set to saver"):
        problems.append("Right, Right, Enter did not set the power mode to saver")
    click(qmp, *LIGHT)
    if not wait_console(con, r"control: theme set to light"):
        problems.append("a click on Light did not set the theme")
    problems += wait_pixels(qmp, ppm, [(*BLANK, LIGHT_BG, "the window turned light")])
    before = screen_shot(qmp, ppm)
    click(qmp, *ZONE_FIELD)
    qmp_chord(qmp, ["ctrl", "a"])
    type_keys(qmp, "UTC+15")
    qmp_tap(qmp, "ret")
    if not wait_console(con, r"control: time_zone=UTC\+15 refused: time_zone: 'UTC\+15' is not"):
        problems.append("UTC+15 was not refused with the service's reason")
    end, shown = time.monotonic() + SLOW, False
    x0, y0, w, h = STATUS
    while not shown and time.monotonic() < end:
        after = screen_shot(qmp, ppm)
        shown = any(pixel(after, x, y) != pixel(before, x, y)
                    for y in range(y0, y0 + h) for x in range(x0, x0 + w, 2))
        time.sleep(0.5)
    if not shown:
        problems.append("the refusal did not change the status line")
    return problems


def check_control(name):
    image = settings_disk(name)
    qmp_dir = tempfile.mkdtemp(prefix="nexus-qmp-")
    ppm = os.path.join(qmp_dir, "screen.ppm")
    con, qmp, problems = boot(image, qmp_dir)
    if qmp:
        found, p = open_control(con, qmp, ppm, THEME_BG)
        problems += p
        if found and found != ("balanced", "dark"):
            problems.append(f"a blank disk's Control centre started with {found}")
        if not problems:
            problems += change_steps(con, qmp, ppm)
        for keys, expect in (("settings\r", [r"power_mode=saver\n", r"theme=light\n", r"time_zone=UTC\n"]),
                             ("stats\r", [r"power mode \(0-2: NX_POWER_\*\) +2\n"])):
            problems += shell(con, keys, expect)[0]
        qmp.close()
    power_off(con, problems)
    first = con.text()
    text, fsck = disk_file(image, "/etc/settings")
    if text != b"power_mode=saver\ntheme=light\nkeyboard_layout=us\nlock_delay_s=300\ntime_zone=UTC\n":
        problems.append(f"/etc/settings on the disk: {text!r}")
    if fsck:
        problems.append("e2fsck -fn found problems")
    con, qmp, p = boot(image, qmp_dir)
    problems += p
    if qmp:
        found, p = open_control(con, qmp, ppm, LIGHT_BG)
        problems += p
        if found != ("saver", "light"):
            problems.append(f"after the reboot the Control centre started with {found}")
        problems += shell(con, "settings get power_mode\r", [r"\nsaver\n"])[0]
        qmp.close()
    power_off(con, problems)
    shutil.rmtree(qmp_dir, ignore_errors=True)
    out = first + con.text()
    problems += ["unexpected: " + p for p in (r"PANIC", r"killed: ", r"E (wm|gpu|desktop):",
                                              r"control: (no |cannot start)")
                 if re.search(p, out)]
    return problems, out


CASES = [
    ("control_centre_sets_power_mode_and_theme_they_persist", check_control),
]
