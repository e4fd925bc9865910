"""The network's QEMU cases (docs/network.md): the system booted with a virtio-net card on
QEMU's user network (DHCP, the gateway 10.0.2.2 is the host's loopback, a forwarded host port
on 127.0.0.1 reaches the guest's httpd), or two systems joined by a dgram netdev on 127.0.0.1.
Every transfer is bounded in size and time; nothing leaves the host."""
import hashlib
import http.server
import os
import random
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

from qemu import ROOT, INITRD, Console, archive_with_manifest, fresh_disk

PROMPT = r"\nnsh> "
BIG_MIB = 64


def free_port():
    """A TCP/UDP port on 127.0.0.1 nobody uses now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nic(netdev="user,id=n0", mac="52:54:00:12:34:56"):
    return ["-netdev", netdev, "-device", f"virtio-net-device,netdev=n0,mac={mac}"]


def user_nic(http_port=None):
    """QEMU's user network, with host 127.0.0.1:http_port forwarded to the guest's port 80."""
    fwd = f",hostfwd=tcp:127.0.0.1:{http_port}-:80" if http_port else ""
    return nic("user,id=n0,restrict=off" + fwd)


def manifest_with(name, edit):
    """The system manifest with edit(text) applied, as a file for archive_with_manifest."""
    with open(os.path.join(ROOT, "user", "init", "manifest.txt")) as f:
        text = edit(f.read())
    path = os.path.join(ROOT, "build", "tests", "manifest-" + name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def static_address(addr):
    """A system whose stack takes addr ("10.0.3.1/24") instead of asking DHCP."""
    def edit(text):
        return re.sub(r"^(service net .*)$", rf"\1 -- addr={addr}", text, flags=re.M)
    return archive_with_manifest(manifest_with("net-" + addr.split("/")[0], edit))


def www_tree(name, big_mib=0):
    """build/tests/NAME: /www with index.html (and big.bin: big_mib MiB of seeded random
    bytes), and /data for what the guest writes."""
    tree = os.path.join(ROOT, "build", "tests", name)
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(os.path.join(tree, "www", "sub"))
    os.makedirs(os.path.join(tree, "data"))
    with open(os.path.join(tree, "www", "index.html"), "w") as f:
        f.write("<html><body><h1>hello from nexus</h1></body></html>\n")
    with open(os.path.join(tree, "www", "sub", "note.txt"), "w") as f:
        f.write("a note in a subdirectory\n" * 100)
    with open(os.path.join(tree, "secret.txt"), "w") as f:
        f.write("outside /www: never served\n")
    if big_mib:
        with open(os.path.join(tree, "www", "big.bin"), "wb") as f:
            f.write(random.Random(14).randbytes(big_mib << 20))
    return tree


def file_sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def debugfs_dump(image, path, out):
    subprocess.run(["debugfs", "-R", f"dump {path} {out}", image], capture_output=True)
    return os.path.exists(out)


def wait_text(con, regex, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        m = re.search(regex, con.text())
        if m:
            return m
        time.sleep(0.2)
    return None


def shell(con, keys, expect, timeout=30, until=PROMPT):
    """Type keys into the console's shell; the problems with what came back before the next
    prompt (expect: regexes that must be in it)."""
    con.send(keys)
    reply = con.expect(until, timeout)
    if reply is None:
        return [f"after {keys.strip()!r}: no prompt within {timeout} s"], ""
    reply = re.sub(r"\r+\n", "\n", reply)
    return [f"after {keys.strip()!r}: no {e!r}" for e in expect if not re.search(e, reply)], reply


def http_get(port, path, timeout=60):
    """(status, body) of GET path from the guest's httpd through the forwarded port."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError as e:
        return None, str(e).encode()


def http_get_to_file(port, path, out, timeout=240):
    """Stream GET path into out; (status, bytes, seconds)."""
    start = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r, \
            open(out, "wb") as f:
        n = 0
        for chunk in iter(lambda: r.read(1 << 20), b""):
            f.write(chunk)
            n += len(chunk)
        return r.status, n, time.monotonic() - start


def unexpected(out, extra=()):
    return ["unexpected: " + p for p in (r"PANIC", r"killed: ", r"E net:", r"E netdev:") + tuple(extra)
            if re.search(p, out)]
