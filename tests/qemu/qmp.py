"""QEMU's machine protocol (QMP) on a unix socket, and screenshots through it: the display
tests and `make screenshot` (tools/screenshot.py) share it. Python's standard library only."""
import json
import os
import socket
import struct
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
