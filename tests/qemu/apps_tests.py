"""The desktop apps' QEMU cases (docs/apps.md): each app started by a test manifest with the
compositor and the drivers, driven through QMP (keys, clicks, screendumps)."""
import os
import re
import shutil
import tempfile
import time

from qmp import QMP, qmp_chord, qmp_tap, qmp_type, read_ppm
from qemu import ROOT, Console, archive_with_manifest, fresh_disk
from login_tests import disk_file

DEVICES = ["-device", "virtio-gpu-device,xres=1280,yres=800",
           "-device", "virtio-keyboard-device", "-device", "virtio-tablet-device"]
SYSMON_AT, SYSMON_SIZE = (80, 60), (560, 460)     # the window's content (sysmon/main.c)


def start(manifest, disk=None):
    """QEMU on the test archive with manifest, make gui's devices and a QMP socket."""
    qmp_dir = tempfile.mkdtemp(prefix="nexus-qmp-")
    sock = os.path.join(qmp_dir, "qmp.sock")
    con = Console(initrd=archive_with_manifest(manifest), disk=disk,
                  extra=["-qmp", f"unix:{sock},server=on,wait=off"] + DEVICES)
    return con, qmp_dir, sock


def stop(con, qmp, qmp_dir):
    if qmp:
        qmp.close()
    con.close(timeout=0)
    shutil.rmtree(qmp_dir, ignore_errors=True)


def expect_all(con, lines, timeout=60):
    """The lines (regexes, in order) that did not show on the console within timeout."""
    return [f"no '{line}'" for line in lines if con.expect(line, timeout=timeout) is None]


def window_pixels(qmp, name, at, size):
    """The RGB bytes of the rectangle at (x, y) of size (w, h) on the screen now."""
    ppm = os.path.join(ROOT, "build", "tests", name + ".ppm")
    os.makedirs(os.path.dirname(ppm), exist_ok=True)
    qmp.command("screendump", filename=ppm)
    width, _, rgb = read_ppm(ppm)
    (x, y), (w, h) = at, size
    return b"".join(rgb[3 * ((y + r) * width + x):3 * ((y + r) * width + x + w)] for r in range(h))


def drawn(qmp, name, at, size, timeout=30):
    """Waits until the window's area shows more than one colour (something drawn in it)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        pixels = window_pixels(qmp, name, at, size)
        if len({pixels[i:i + 3] for i in range(0, len(pixels), 3 * 97)}) > 2:
            return pixels
        time.sleep(0.5)
    return None


def unexpected(out, prog):
    return ["unexpected: " + p for p in (r"PANIC", r"killed: ", r"E (wm|gpu):",
                                          r"%s: (no |cannot start|the compositor)" % prog)
            if re.search(p, out)]


def finish_sysmon(con, qmp, qmp_dir, problems, want, why):
    """QEMU stopped; the problems with the count the monitor listed first (want) added."""
    stop(con, qmp, qmp_dir)
    out = con.text()
    listed = re.search(r"sysmon: (\d+) processes listed", out)
    if listed and int(listed.group(1)) != want:
        problems.append(f"{listed.group(1)} processes listed, {why}")
    return problems + unexpected(out, "sysmon"), out


def click(qmp, x, y):
    """A left click at (x, y), then a second for it to arrive: keys typed next come through
    another device (the keyboard's driver, the tablet's is another), and the compositor takes
    events in the order the drivers deliver them; with several harts a key sent right after
    the click can overtake it (it did: the click then moved the selection after End)."""
    import desktop_tests
    desktop_tests.click(qmp, x, y)
    time.sleep(1)


def check_sysmon(name):
    """The monitor's window shows, with init's processes listed; its pixels change at a
    refresh (the uptime, the load); End selects the last process (sleeper), Delete asks,
    Enter kills it through proc; asked again, the kill is refused (not running) and says so."""
    con, qmp_dir, sock = start("sysmon")
    problems = expect_all(con, [r"sysmon: (\d+) processes listed"])
    qmp = None
    if not problems:
        qmp = QMP(sock)
        first = drawn(qmp, name + "-1", SYSMON_AT, SYSMON_SIZE)
        if first is None:
            problems.append("the monitor's window not drawn")
        time.sleep(4.5)   # two refreshes
        if first is not None and window_pixels(qmp, name + "-2", SYSMON_AT, SYSMON_SIZE) == first:
            problems.append("the window's pixels did not change over two refreshes")
        click(qmp, SYSMON_AT[0] + 200, SYSMON_AT[1] + 120)   # the list: focus
        for key in ("end", "delete", "ret"):
            qmp_tap(qmp, key)
        problems += expect_all(con, [r"sysmon: killed sleeper \(pid (\d+)\)"], timeout=30)
        for key in ("delete", "ret"):
            qmp_tap(qmp, key)
        problems += expect_all(con, [r"sysmon: cannot kill sleeper \(pid \d+\): it is not "
                                     r"running \(-\d+\)"], timeout=30)
    return finish_sysmon(con, qmp, qmp_dir, problems, 10, "the manifest starts 10")


def check_sysmon_in_session(name):
    """make gui's system: logged in, the Terminal and then the System monitor started from the
    launcher. The monitor holds the session's process tree ("procs") and no proc: it lists the
    session's processes only (desktop, Terminal, its nsh, itself: 4, none of the system's
    services), and End (the last in the tree: the Terminal's nsh), Delete, Enter kill it
    through the tree; the Terminal's window goes with its shell."""
    import desktop_tests
    import gui_login_tests
    from qemu import SYSTEM_INITRD
    from qmp import gui_login, png_rgb
    con, qmp, qmp_dir, ppm = gui_login_tests.boot_gui(name, SYSTEM_INITRD)
    problems = [] if gui_login(qmp, path=ppm) else ["no login screen"]
    if not problems:
        problems = desktop_tests.wait_pixels(qmp, ppm, [(640, 14, desktop_tests.THEME_BG, "the bar")])
    golden = png_rgb(os.path.join(ROOT, "tests/host/data/golden/terminal_boot.png"))
    for app in ("ter", "sys"):
        if problems:
            break
        qmp_tap(qmp, "meta_l")
        problems = desktop_tests.wait_pixels(qmp, ppm, [(4, 200, desktop_tests.THEME_BG, "the launcher")])
        qmp_type(qmp, app)
        time.sleep(1)
        qmp_tap(qmp, "ret")
        if app == "ter" and not desktop_tests.wait_terminal(qmp, ppm, golden, desktop_tests.TERMINAL_AT):
            problems.append("no Terminal window")
    if not problems:
        problems = expect_all(con, [r"sysmon: (\d+) processes listed"], timeout=desktop_tests.SLOW)
    if not problems and drawn(qmp, name, SYSMON_AT, SYSMON_SIZE) is None:
        problems.append("the monitor's window not drawn")
    if not problems:
        for key in ("end", "delete", "ret"):
            qmp_tap(qmp, key)
        problems += expect_all(con, [r"sysmon: killed nsh \(pid (\d+)\)"], timeout=30)
    return finish_sysmon(con, qmp, qmp_dir, problems, 4, "the session has 4")


CASES = [
    ("sysmon_lists_refreshes_and_kills", check_sysmon),
    ("sysmon_in_a_session_lists_and_kills_only_its_processes", check_sysmon_in_session),
]


README = b"The first line.\nA second, longer line.\n"
FILES_AT = (120, 140)                              # Files' window content (files/main.c)


def apps_disk(name):
    """An ext3 disk with /docs/readme.txt, /docs/sub/a.txt and /big.txt (1.5 MiB)."""
    with tempfile.TemporaryDirectory() as tree:
        os.makedirs(os.path.join(tree, "docs", "sub"))
        with open(os.path.join(tree, "docs", "readme.txt"), "wb") as f:
            f.write(README)
        with open(os.path.join(tree, "docs", "sub", "a.txt"), "wb") as f:
            f.write(b"a\n")
        with open(os.path.join(tree, "big.txt"), "wb") as f:
            f.write(b"x" * (3 << 19))
        return fresh_disk(name, 16, tree)


def check_files_and_editor(name):
    """Files lists /docs/sub, Backspace goes up to /docs; End and Enter open readme.txt in the
    editor it starts; typed text and Ctrl+S change the file on the disk (read on the host);
    Ctrl+Q with unsaved changes asks (Esc: it stays), asked again Enter saves and closes;
    no temporary file is left. An editor asked to open a 1.5 MiB file refuses it."""
    image = apps_disk("apps")
    con, qmp_dir, sock = start("apps", disk=image)
    problems = expect_all(con, [r"files: /docs/sub: 1 entries"])
    qmp = None
    if not problems:
        qmp = QMP(sock)
        time.sleep(1)
        click(qmp, FILES_AT[0] + 10, FILES_AT[1] + 200)   # Files raised and focused
        qmp_tap(qmp, "backspace")
        problems += expect_all(con, [r"files: /docs: 2 entries"], timeout=30)
        for key in ("end", "ret"):
            qmp_tap(qmp, key)
        problems += expect_all(con, [r"files: opened /docs/readme.txt in the editor",
                                     r"editor: opened /docs/readme.txt \(%d bytes\)" % len(README)])
        time.sleep(2)   # its window up and focused
        qmp_type(qmp, "abc")
        qmp_chord(qmp, ["ctrl", "s"])
        problems += expect_all(con, [r"editor: saved /docs/readme.txt \(%d bytes\)" % (len(README) + 3)])
        qmp_type(qmp, "x")
        qmp_chord(qmp, ["ctrl", "q"])
        problems += expect_all(con, [r"editor: asking about unsaved changes"])
        time.sleep(1)
        window_pixels(qmp, name + "-asking", (0, 0), (1, 1))   # kept for a look
        qmp_tap(qmp, "esc")
        time.sleep(1)
        qmp_chord(qmp, ["ctrl", "q"])
        problems += expect_all(con, [r"editor: asking about unsaved changes"])
        time.sleep(1)
        qmp_tap(qmp, "ret")
        problems += expect_all(con, [r"editor: saved /docs/readme.txt \(%d bytes\)" % (len(README) + 4)])
    stop(con, qmp, qmp_dir)
    out = con.text()
    if not re.search(r"editor: /big.txt is larger than 1 MiB: not opened", out):
        problems.append("no 'editor: /big.txt is larger than 1 MiB: not opened'")
    got, fsck = disk_file(image, "/docs/readme.txt")
    if got != b"abcx" + README:
        problems.append(f"/docs/readme.txt on the disk: {got!r}")
    if fsck:
        problems.append(f"e2fsck -fn found problems ({fsck})")
    if disk_file(image, "/docs/.readme.txt.editor-tmp")[0] is not None:
        problems.append("the editor's temporary file left in /docs")
    return problems + unexpected(out, "files") + unexpected(out, "editor"), out


CASES.append(("files_opens_a_file_the_editor_saves_it", check_files_and_editor))
