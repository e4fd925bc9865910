"""QEMU's machine protocol (QMP) on a unix socket, keys and the pointer and screenshots through
it: the display tests and `make screenshot` (tools/screenshot.py) share it. Python's standard library only."""
import json
import os
import socket
import struct
import tempfile
import time
import zlib


class QMP:
    """A QMP client on the socket QEMU listens on (-qmp unix:PATH,server=on,wait=off)."""

    def __init__(self, path, timeout=10):
        end = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.settimeout(timeout)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > end:
                    raise
                time.sleep(0.1)
        self.file = self.sock.makefile("rw")
        self.greeting = self._reply()
        self.command("qmp_capabilities")

    def _reply(self):
        """The next line that is not an asynchronous event."""
        while True:
            line = self.file.readline()
            if not line:
                raise ConnectionError("QEMU closed the QMP socket")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def command(self, name, **arguments):
        """Run a command: its "return" value, or RuntimeError with QEMU's error text."""
        self.file.write(json.dumps({"execute": name, "arguments": arguments}) + "\n")
        self.file.flush()
        reply = self._reply()
        if "error" in reply:
            raise RuntimeError(reply["error"].get("desc", str(reply["error"])))
        return reply.get("return")

    def close(self):
        self.file.close()
        self.sock.close()


# Input through QMP input-send-event, on make gui's devices: a virtio keyboard, and a virtio
# tablet on a screen of make gui's mode (GPU_DEVICE in the Makefile).
SCREEN_W, SCREEN_H = 1280, 800
# qcodes of the characters qmp_type types beyond letters and digits (the us key map).
QCODES = {" ": "spc", "/": "slash", ".": "dot", "-": "minus", "\r": "ret"}
# ... and those typed with Shift held.
SHIFTED = {">": "dot", "<": "comma", "|": "backslash", "&": "7", "_": "minus"}
# make gui's devices: the GPU in the mode above, the keyboard and the tablet.
GUI_DEVICES = ["-device", f"virtio-gpu-device,xres={SCREEN_W},yres={SCREEN_H}",
               "-device", "virtio-keyboard-device", "-device", "virtio-tablet-device"]


# The goldfish RTC fixed (QEMU's -rtc: the time of day the guest reads at boot, then following
# the virtual clock): the login screen's and the desktop's date are then known (the time of
# day moves on with the virtual clock, which without -icount follows the host's load).
FIXED_RTC = ["-rtc", "base=2026-01-01T12:00:00,clock=vm"]


def qmp_key(qcode, down):
    return {"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": qcode}}}


def qmp_abs(axis, value):
    return {"type": "abs", "data": {"axis": axis, "value": value}}


def qmp_tap(qmp, qcode):
    for down in (True, False):
        qmp.command("input-send-event", events=[qmp_key(qcode, down)])


def qmp_type(qmp, text):
    """Each character of text (lower-case letters, digits and those of QCODES and SHIFTED)
    tapped."""
    for c in text:
        if c in SHIFTED:
            qmp_chord(qmp, ["shift", SHIFTED[c]])
        else:
            qmp_tap(qmp, QCODES.get(c, c))


def qmp_chord(qmp, qcodes):
    """Keys pressed in order, released in reverse order."""
    for qcode in qcodes:
        qmp.command("input-send-event", events=[qmp_key(qcode, True)])
    for qcode in reversed(qcodes):
        qmp.command("input-send-event", events=[qmp_key(qcode, False)])


def qmp_point(x, y):
    """The tablet's absolute values that land on screen pixel (x, y) (the compositor scales
    0..32767 to 0..width - 1, rounding down)."""
    return [qmp_abs("x", -(-x * 32767 // (SCREEN_W - 1))), qmp_abs("y", -(-y * 32767 // (SCREEN_H - 1)))]


def qmp_pointer_to(qmp, x, y):
    """The tablet to screen pixel (x, y)."""
    qmp.command("input-send-event", events=qmp_point(x, y))


def qmp_button(qmp, button, down):
    qmp.command("input-send-event", events=[{"type": "btn", "data": {"down": down, "button": button}}])


def qmp_drag(qmp, start, end):
    """The left button pressed at screen pixel start, the pointer to end, released there."""
    qmp_pointer_to(qmp, *start)
    qmp_button(qmp, "left", True)
    qmp_pointer_to(qmp, *end)
    qmp_button(qmp, "left", False)


# A point of a window's title bar from its content's top-left corner: the compositor's
# 24-pixel bar is above the content (docs/compositor.md), the title at its left, the close
# button at its right.
TITLE_BAR_AT = (400, -12)


def qmp_title_bar(at):
    """The point of TITLE_BAR_AT of the window whose content's corner is at (x, y)."""
    return (at[0] + TITLE_BAR_AT[0], at[1] + TITLE_BAR_AT[1])


def qmp_move_window(qmp, at, to):
    """The window whose content's corner is at (x, y) dragged by its title bar so that the
    corner goes to to (x, y)."""
    grab = qmp_title_bar(at)
    qmp_drag(qmp, grab, (grab[0] + to[0] - at[0], grab[1] + to[1] - at[1]))


def read_ppm(path):
    """A binary PPM (P6, maxval 255) as (width, height, RGB bytes); ValueError if malformed."""
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError(f"{path}: not a P6 PPM of maxval 255")
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:]
    if len(pixels) != width * height * 3:
        raise ValueError(f"{path}: {len(pixels)} pixel bytes for {width}x{height}")
    return width, height, pixels


def png_rgb(path):
    """Width, height and RGB bytes of an 8-bit RGB PNG without interlacing (as the golden
    images of tests/host/data/golden/ are written)."""
    data, pos, idat = open(path, "rb").read(), 8, b""
    while pos < len(data):
        size, kind = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + size]
        if kind == b"IHDR":
            w, h = int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
            assert body[8:13] == bytes([8, 2, 0, 0, 0]), "not 8-bit RGB"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + size
    raw, row, out = zlib.decompress(idat), w * 3, bytearray()
    prev = bytearray(row)
    for y in range(h):
        kind, line = raw[y * (row + 1)], bytearray(raw[y * (row + 1) + 1:(y + 1) * (row + 1)])
        for i in range(row):
            a, b = line[i - 3] if i >= 3 else 0, prev[i]
            c = prev[i - 3] if i >= 3 else 0
            if kind == 4:   # Paeth
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
            else:
                pred = (0, a, b, (a + b) // 2)[kind]
            line[i] = (line[i] + pred) & 0xff
        out += line
        prev = line
    return w, h, bytes(out)


def png_bytes(width, height, rgb):
    """A PNG (8-bit RGB, no filter) of the RGB bytes."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + \
            struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff)
    rows = b"".join(b"\0" + rgb[y * width * 3:(y + 1) * width * 3] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def screendump_png(qmp, path):
    """The screen into the PNG file path: QEMU writes it if it knows the format argument
    (QEMU 7.1 on), else a PPM that is converted here."""
    try:
        qmp.command("screendump", filename=path, format="png")
        return
    except RuntimeError as e:  # an older QEMU, or one built without libpng
        if "format" not in str(e).lower() and "png" not in str(e).lower():
            raise
    ppm = path + ".ppm"
    qmp.command("screendump", filename=ppm)
    width, height, rgb = read_ppm(ppm)
    os.remove(ppm)
    with open(path, "wb") as f:
        f.write(png_bytes(width, height, rgb))


# The Terminal of the boot (docs/terminal.md): its content at (at, at) for an at of TERMINAL_AT
# (windows cascade), compared with an image of what it must show, each channel within the
# tolerance.
TERMINAL_AT = [40 + 32 * k for k in range(5)]  # the window's content: (at, at), cascaded
TERMINAL_TOLERANCE = 2


def screen_shot(qmp, path):
    qmp.command("screendump", filename=path)
    return read_ppm(path)


def region_matches(screen, golden, x0, y0):
    """The golden image lies at (x0, y0) of the screen, each channel within the tolerance."""
    (sw, sh, srgb), (gw, gh, grgb) = screen, golden
    if x0 + gw > sw or y0 + gh > sh:
        return False
    for y in range(gh):
        start = ((y0 + y) * sw + x0) * 3
        got, want = srgb[start:start + gw * 3], grgb[y * gw * 3:(y + 1) * gw * 3]
        if got != want and any(abs(a - b) > TERMINAL_TOLERANCE for a, b in zip(got, want)):
            return False
    return True


def wait_for_terminal(qmp, path, golden, places, timeout):
    """The first place of places where the golden shows within timeout seconds, or None."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        screen = screen_shot(qmp, path)
        for at in places:
            if region_matches(screen, golden, at, at):
                return at
        time.sleep(0.5)
    return None


# The login screen (user/apps/greeter, docs/login.md): a screen of its own background colour,
# the user name field focused. The first-boot account (docs/login.md): nexus / nexus.
LOGIN_BG = (28, 34, 48)
LOGIN_PROBES = [(8, 8), (SCREEN_W - 9, 8), (8, SCREEN_H - 9), (SCREEN_W - 9, SCREEN_H - 9)]
# The message line under the form (wrong password, delays) and the password field.
LOGIN_MESSAGE = (SCREEN_W // 2 - 300, SCREEN_H // 2 + 140, 600, 32)
LOGIN_PASSWORD = (SCREEN_W // 2 - 180, SCREEN_H // 2 + 36, 360, 34)
LOGIN_NAME = (SCREEN_W // 2 - 180, SCREEN_H // 2 - 34, 360, 34)
FIRST_USER, FIRST_PASSWORD = "nexus", "nexus"
LOGIN_FOCUS = (90, 160, 240)   # a focused field's frame (the dark theme's focus colour)


def pixel(screen, x, y):
    w, _, rgb = screen
    return tuple(rgb[(y * w + x) * 3:(y * w + x) * 3 + 3])


def region(screen, rect):
    """The RGB bytes of rect (x, y, w, h) of a screen."""
    w, _, rgb = screen
    x, y, rw, rh = rect
    return b"".join(rgb[((y + j) * w + x) * 3:((y + j) * w + x + rw) * 3] for j in range(rh))


def is_login_screen(screen):
    return all(pixel(screen, x, y) == LOGIN_BG for x, y in LOGIN_PROBES)


def wait_for_login_screen(qmp, path, timeout):
    """The screen once the login screen shows (within timeout seconds), or None."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        screen = screen_shot(qmp, path)
        if is_login_screen(screen):
            return screen
        time.sleep(0.5)
    return None


def gui_login(qmp, user=FIRST_USER, password=FIRST_PASSWORD, path=None, timeout=90):
    """Log in on the login screen: wait for it (when path, a scratch screendump file, is
    given), then the name, Tab, the password and Enter typed (user None: the lock screen,
    whose password field has the focus: the password only). False if it never showed or
    the name field never took the focus."""
    if path and wait_for_login_screen(qmp, path, timeout) is None:
        return False
    if user is not None:
        # A click in the name field, then (once its focus ring shows: the tablet's events and
        # the keyboard's reach the compositor on rings of their own, in no set order) Ctrl+A:
        # what is typed replaces what a try left.
        qmp_pointer_to(qmp, LOGIN_NAME[0] + 20, LOGIN_NAME[1] + 17)
        qmp_button(qmp, "left", True)
        qmp_button(qmp, "left", False)
        scratch = path or os.path.join(tempfile.gettempdir(), f"nexus-login-{os.getpid()}.ppm")
        end = time.monotonic() + timeout
        while pixel(screen_shot(qmp, scratch), LOGIN_NAME[0], LOGIN_NAME[1] + 17) != LOGIN_FOCUS:
            if time.monotonic() > end:
                return False
            time.sleep(0.1)
        qmp_chord(qmp, ["ctrl", "a"])
        qmp_type(qmp, user)
        qmp_tap(qmp, "tab")
    qmp_type(qmp, password + "\r")
    return True


def shows_error(rgb):
    """Whether RGB bytes hold the login screen's error colour (its message in red: "Checking"
    is drawn muted). Anti-aliased text has the colour whole at the strokes' cores."""
    return any(rgb[i] >= 200 and rgb[i + 1] <= 130 and rgb[i + 2] <= 120
               for i in range(0, len(rgb) - 2, 3))


def gui_login_refused(qmp, path, user, password, timeout=30):
    """A try that must fail, on the login screen: the message line's pixels once a new
    refusal shows (in the error colour, unlike what the line showed before) and has settled,
    or None at the timeout."""
    before = region(screen_shot(qmp, path), LOGIN_MESSAGE)
    gui_login(qmp, user, password)
    end, last = time.monotonic() + timeout, None
    while time.monotonic() < end:
        got = region(screen_shot(qmp, path), LOGIN_MESSAGE)
        if shows_error(got) and got == last and got != before:
            return got
        last = got
        time.sleep(0.3)
    return None
