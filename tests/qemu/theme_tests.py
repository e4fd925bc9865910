"""Settings applied live (docs/settings.md, "Who applies what"): the test archive with the
desktop as the login screen's session, make gui's devices and an RTC fixed at 23:30 UTC on
Sunday 1 March 2026, driven through the console's shell (`settings set`) and QMP. The login
screen and then the desktop change theme when the setting does (their pixels read back); their
clocks show the time zone's local time (+2 h: already Monday 2 March), at start and after a
change; apps started after a change (Files, then the Terminal beside it) open in the new
theme; the compositor's key map follows keyboard_layout (the key that is y on us types z in
the launcher once the layout is de)."""
import re
import time

from apps_tests import stop
from gui_login_tests import boot_gui
from net_tests import manifest_with, shell
from qemu import archive_with_manifest
from qmp import gui_login, pixel, qmp_tap, qmp_type, region, screen_shot

RTC_BASE = "2026-03-01T23:30:00"           # UTC; +2 h is the next day
RTC_BASE_MIN = 23 * 60 + 30
# The two themes' backgrounds: the login screen's own (screen.c) and the widgets' (the bar's:
# nx_theme_dark, nx_theme_light).
LOGIN_BG = {"dark": (28, 34, 48), "light": (214, 222, 234)}
BAR_BG = {"dark": (36, 38, 44), "light": (240, 240, 236)}
LOGIN_PROBE, BAR_PROBE, LAUNCHER_PROBE = (8, 8), (640, 14), (4, 200)
GREETER_CLOCK = (340, 120, 600, 150)        # the login screen's clock and date (screen.c)
BAR_CLOCK = (1280 - 156, 2, 64, 24)         # the bar's clock label (desktop/main.c)
FILES_WINDOW = (120, 140, 600, 440)        # the window's content (files/main.c)
TERMINAL_WINDOW = (40, 52, 800, 475)       # the Terminal's cells, 80 x 25 (terminal/main.c)
STEP_S = 60


def desktop_archive(name):
    """The test archive with the desktop as the greeter's session."""
    def edit(text):
        return re.sub(r"session=terminal$", "session=desktop", text, flags=re.M)
    return archive_with_manifest(manifest_with(name, edit))


def wait_pixel(qmp, ppm, at, rgb, timeout=STEP_S):
    """The problem, or None once the pixel at `at` is rgb."""
    end = time.monotonic() + timeout
    while True:
        got = pixel(screen_shot(qmp, ppm), *at)
        if got == rgb:
            return None
        if time.monotonic() > end:
            return f"{got} at {at}, want {rgb}"
        time.sleep(0.3)


def wait_region_changed(qmp, ppm, rect, before, timeout=STEP_S):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if region(screen_shot(qmp, ppm), rect) != before:
            return True
        time.sleep(0.3)
    return False


def logged(con, word, regex, timeout=STEP_S):
    """The last match of regex in the log's lines holding word (nsh's `log`), or None. (A
    session's programs log under the greeter's name: theirs is the handle it passed on.)"""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        _, out = shell(con, f"log | grep {word}\r", [])
        found = re.findall(regex, out)
        if found:
            return found[-1]
        time.sleep(1)
    return None


def set_setting(con, key, value, problems, stored=None):
    """`settings set`; the tool prints the value as stored (stored, or value itself)."""
    want = re.escape(stored or value)
    problems += shell(con, f"settings set {key} {value}\r", [rf"\n{key}={want}\n"])[0]


def told_at_least(con, theme, least, who, problems):
    """The settings service's log of the last change to theme: at least `least` watchers."""
    told = logged(con, "watcher", rf"theme set to {theme} \((\d+) watcher")
    if told is None or int(told) < least:
        problems.append(f"theme {theme}: {told} watcher(s) told, not {who}")


def utc_minutes_now(started):
    """The RTC's minute of the day now (QEMU's RTC runs from RTC_BASE at the boot)."""
    return (RTC_BASE_MIN + int((time.monotonic() - started) // 60)) % (24 * 60)


def shows_offset(hhmm, offset_min, started, booted):
    """Whether a clock showing hhmm is the RTC's time moved by offset_min: the RTC read between
    the boot's start and now, give or take the minute it turns in."""
    h, m = map(int, hhmm.split(":"))
    shown = (h * 60 + m - offset_min) % (24 * 60)
    low, high = (RTC_BASE_MIN + int((booted - started) // 60)) % 1440, utc_minutes_now(started)
    return any((low + d) % 1440 == shown for d in range((high - low) % 1440 + 2))


def greeter_steps(con, qmp, ppm, started, problems):
    """The login screen: dark, then light and back; its clock and date at +2 h."""
    booted = time.monotonic()
    if (p := wait_pixel(qmp, ppm, LOGIN_PROBE, LOGIN_BG["dark"], 90)):
        problems.append("no dark login screen at boot: " + p)
        return
    set_setting(con, "theme", "light", problems)
    if (p := wait_pixel(qmp, ppm, LOGIN_PROBE, LOGIN_BG["light"])):
        problems.append("the login screen did not turn light: " + p)
    told_at_least(con, "light", 2, "the compositor and the greeter", problems)
    clock = region(screen_shot(qmp, ppm), GREETER_CLOCK)
    set_setting(con, "time_zone", "UTC+2", problems, "UTC+02:00")
    if not wait_region_changed(qmp, ppm, GREETER_CLOCK, clock):
        problems.append("the login screen's clock did not change with the time zone")
    line = logged(con, "clock", r"clock (\d\d:\d\d), (\w+ \d+ \w+ \d+) \(UTC\+02:00\)")
    if line is None:
        problems.append("the greeter did not log its clock in UTC+02:00")
    else:
        if not shows_offset(line[0], 120, started, booted):
            problems.append(f"the login screen's clock {line[0]} is not the RTC's + 2 h")
        if line[1] != "Monday 2 March 2026":
            problems.append(f"the login screen's date {line[1]!r} is not Monday 2 March 2026")
    set_setting(con, "theme", "dark", problems)
    if (p := wait_pixel(qmp, ppm, LOGIN_PROBE, LOGIN_BG["dark"])):
        problems.append("the login screen did not turn dark again: " + p)


def open_launcher(qmp, ppm, problems):
    """Meta, then wait for the launcher's panel (in the light theme by then): keys typed
    before it is up would go elsewhere."""
    qmp_tap(qmp, "meta_l")
    if (p := wait_pixel(qmp, ppm, LAUNCHER_PROBE, BAR_BG["light"])):
        problems.append("Meta did not open the launcher: " + p)
    return p is None


def app_light(con, qmp, ppm, typed, title, program, window, problems):
    """An app started after `theme light` (from the launcher, `typed` into its filter) opens
    light: most of its window's pixels light (the dark theme's are all dark)."""
    if not open_launcher(qmp, ppm, problems):
        return
    qmp_type(qmp, typed)
    if logged(con, "launcher", rf'launcher: "{typed}": {title}') is None:
        problems.append(f"typing {typed!r} did not filter the launcher to {title}")
        return
    qmp_tap(qmp, "ret")
    if logged(con, "started", rf"started {title} \({program}\)") is None:
        problems.append(f"Enter did not start {title}")
        return
    x0, y0, w, h = window
    points = [(x0 + w * i // 8, y0 + h * j // 8) for i in range(1, 8) for j in range(1, 8)]
    end = time.monotonic() + STEP_S
    while True:
        screen = screen_shot(qmp, ppm)
        light = sum(min(pixel(screen, x, y)) >= 200 for x, y in points)
        if light * 10 >= len(points) * 6:
            return
        if time.monotonic() > end:
            problems.append(f"{title}'s window is not light: {light} of {len(points)} points")
            return
        time.sleep(0.5)


def desktop_steps(con, qmp, ppm, started, problems):
    """The desktop: its clock at +2 h from the start, the bar light then, the clock at -3 h."""
    booted = time.monotonic()
    if not gui_login(qmp, path=ppm):
        problems.append("no login screen to log in on")
        return
    if (p := wait_pixel(qmp, ppm, BAR_PROBE, BAR_BG["dark"], 90)):
        problems.append("no dark bar after the login: " + p)
        return
    line = logged(con, "clock", r"clock (\d\d:\d\d) \(UTC\+02:00\)")
    if line is None or not shows_offset(line, 120, started, booted):
        problems.append(f"the desktop's clock at start ({line}) is not the RTC's + 2 h")
    set_setting(con, "theme", "light", problems)
    if (p := wait_pixel(qmp, ppm, BAR_PROBE, BAR_BG["light"])):
        problems.append("the bar did not turn light: " + p)
    told_at_least(con, "light", 3, "the compositor, the greeter and the desktop", problems)
    # Both at once: the session's pages hold them (docs/login.md).
    app_light(con, qmp, ppm, "files", "Files", "files", FILES_WINDOW, problems)
    app_light(con, qmp, ppm, "term", "Terminal", "terminal", TERMINAL_WINDOW, problems)
    clock = region(screen_shot(qmp, ppm), BAR_CLOCK)
    set_setting(con, "time_zone", "UTC-03:00", problems)
    if not wait_region_changed(qmp, ppm, BAR_CLOCK, clock):
        problems.append("the bar's clock did not change with the time zone")
    line = logged(con, "clock", r"clock (\d\d:\d\d) \(UTC-03:00\)")
    if line is None or not shows_offset(line, -180, started, booted):
        problems.append(f"the desktop's clock in UTC-03:00 ({line}) is not the RTC's - 3 h")


def layout_steps(con, qmp, ppm, problems):
    """The key y typed into the launcher's filter: "y" on us, "z" once the layout is de."""
    if not open_launcher(qmp, ppm, problems):
        return
    qmp_tap(qmp, "y")
    if logged(con, "launcher", r'launcher: "y"') is None:
        problems.append("the key y did not type y into the launcher with the us layout")
    qmp_tap(qmp, "backspace")
    set_setting(con, "keyboard_layout", "de", problems)
    if logged(con, "map", r"wm: key map de") is None:
        problems.append("the compositor did not log the change to the de key map")
    qmp_tap(qmp, "y")
    if logged(con, "launcher", r'launcher: "z"') is None:
        problems.append("the key y did not type z into the launcher with the de layout")


def check_settings_live(name):
    """The login screen, then the desktop, follow theme, time_zone and keyboard_layout."""
    started = time.monotonic()
    con, qmp, qmp_dir, ppm = boot_gui(name, desktop_archive(name),
                                      ["-rtc", f"base={RTC_BASE}"])
    problems = []
    try:
        greeter_steps(con, qmp, ppm, started, problems)
        if not problems:
            desktop_steps(con, qmp, ppm, started, problems)
        if not problems:
            layout_steps(con, qmp, ppm, problems)
    finally:
        stop(con, qmp, qmp_dir)
    out = con.text()
    problems += ["unexpected: " + p for p in (r"PANIC", r"E (greeter|desktop|wm|settings):")
                 if re.search(p, out)]
    return problems, out


CASES = [
    ("settings_apply_live_theme_time_zone_layout", check_settings_live),
]
