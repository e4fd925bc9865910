"""Boot the Nexus OS image in QEMU headless and collect what it prints (shared by tests and bench)."""
import os
import re
import selectors
import shutil
import subprocess
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
# The boot archives (docs/testing.md, "Boot archives"): the QEMU suite boots the test archive,
# the system plus the test programs; SYSTEM is what `make run` boots; BENCH is make bench's.
INITRD = ROOT + "/build/initrd-test.cpio"
SYSTEM_INITRD = ROOT + "/build/initrd.cpio"
BENCH_INITRD = ROOT + "/build/initrd-bench.cpio"
# Harts of every boot that does not ask for a number: `make test` runs the suite at 1 and 4.
SMP = int(os.environ.get("NEXUS_SMP", "1"))


def fresh_disk(name, mib=8, files=None):
    """A new raw disk image build/tests/NAME.img of mib MiB: zeros, or an ext3 file system
    holding the tree `files` (mke2fs -d) when given."""
    path = os.path.join(ROOT, "build", "tests", name + ".img")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path):
        os.remove(path)
    if files:
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext3", "-d", files, path, f"{mib}M"],
                       check=True)
    else:
        with open(path, "wb") as f:
            f.truncate(mib << 20)
    return path


def disk_args(image):
    """QEMU arguments attaching image (a path, optionally followed by drive options such as
    ",readonly=on") as a modern virtio-mmio block device."""
    return ["-drive", f"file={image},if=none,format=raw,id=d0",
            "-device", "virtio-blk-device,drive=d0", "-global", "virtio-mmio.force-legacy=false"]


# The entropy device of every boot but those asking for none (rng=False), as in make run: last
# on the command line, so it takes the virtio slot after every other device's (QEMU fills the
# slots from the last) and shifts none of them.
RNG_DEVICE = ["-device", "virtio-rng-device"]


def qemu_command(bootargs="", icount=False, extra=(), initrd=INITRD, disk=None, smp=None, mem="256M",
                 first=(), rng=True):
    """Every boot has a disk (the default system runs the block driver): `disk`, or a fresh
    empty scratch image. `first`: arguments before the disk's, e.g. a device that should take
    the virtio slot the disk gets otherwise; `extra`: arguments after it; then the entropy
    device unless rng is false."""
    cmd = ["qemu-system-riscv64", "-machine", "virt", "-cpu", "rv64", "-smp", str(smp or SMP), "-m", mem,
           "-nographic", "-no-reboot", "-bios", OPENSBI,
           "-kernel", ROOT + "/build/neuron.bin", "-initrd", initrd]
    if bootargs:
        cmd += ["-append", bootargs]
    if icount:
        cmd += ["-icount", "shift=0"]
    return (cmd + list(first) + disk_args(disk or fresh_disk("scratch-%d" % os.getpid(), 1)) +
            list(extra) + (RNG_DEVICE if rng else []))


def archive_with_manifest(manifest, base=INITRD):
    """The boot archive base with its manifest replaced by tests/qemu/manifests/<manifest> (or
    by the file at that path)."""
    tree = os.path.join(ROOT, "build", "tests", "initrd-" + os.path.basename(manifest))
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    with open(base, "rb") as f:
        subprocess.run(["cpio", "--quiet", "-i"], cwd=tree, stdin=f, check=True)
    shutil.copy(os.path.join(ROOT, "tests", "qemu", "manifests", manifest),
                os.path.join(tree, "manifest"))
    names = "\n".join(sorted(os.listdir(tree))) + "\n"
    subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "--reproducible", "-O", tree + ".cpio"],
                   cwd=tree, input=names.encode(), check=True)
    return tree + ".cpio"


def boot(bootargs="", timeout=30, icount=False, initrd=INITRD, until=None, disk=None, smp=None,
         mem="256M", extra=(), rng=True):
    """Run until the machine powers off, the timeout hits, or (if given) until(output) is
    true. Returns (output, exit code or None if QEMU was stopped)."""
    proc = subprocess.Popen(qemu_command(bootargs, icount, extra=extra, initrd=initrd, disk=disk,
                                         smp=smp, mem=mem, rng=rng),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    out, chunk, end = b"", b"x", time.monotonic() + timeout
    while time.monotonic() < end:
        if not sel.select(timeout=max(0.0, end - time.monotonic())):
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        out += chunk
        if until and until(out.decode(errors="replace")):
            break
    try:
        code = proc.wait(timeout=5) if not chunk else None
    except subprocess.TimeoutExpired:
        code = None
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    sel.close()
    proc.stdout.close()
    return out.decode(errors="replace"), code


class Console:
    """A booted system driven through its serial console: QEMU's stdin is a pipe (with
    -nographic it feeds the UART), its output is collected by a reader thread.

    Keys go out a few at a time with a pause, like a typist; Ctrl-A (QEMU's escape key on
    stdio) is doubled so the UART receives it instead of QEMU's monitor."""

    def __init__(self, bootargs="", icount=False, initrd=INITRD, disk=None, extra=(), first=()):
        self.proc = subprocess.Popen(qemu_command(bootargs, icount, initrd=initrd, disk=disk,
                                                  extra=extra, first=first),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.out = b""
        self.pos = 0          # where the next expect() starts looking
        self.lock = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            chunk = self.proc.stdout.read1(4096)
            with self.lock:
                if not chunk:
                    self.lock.notify_all()
                    return
                self.out += chunk
                self.lock.notify_all()

    def text(self):
        with self.lock:
            return self.out.decode(errors="replace")

    def send(self, keys, chunk=4, pause=0.01):
        data = keys.encode("latin-1").replace(b"\x01", b"\x01\x01")
        for i in range(0, len(data), chunk):
            self.proc.stdin.write(data[i:i + chunk])
            self.proc.stdin.flush()
            time.sleep(pause)

    def expect(self, pattern, timeout=20):
        """Wait until regex `pattern` appears after the previous match; returns the text
        from there to the end of this match, or None at the timeout or when QEMU ends."""
        regex = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        end = time.monotonic() + timeout
        with self.lock:
            while True:
                m = regex.search(self.out, self.pos)
                if m:
                    seen = self.out[self.pos:m.end()]
                    self.pos = m.end()
                    return seen.decode(errors="replace")
                left = end - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return None
                self.lock.wait(min(left, 0.1))

    def close(self, timeout=10):
        """Wait for QEMU to end by itself (True), or kill it after the timeout (False)."""
        try:
            self.proc.wait(timeout=timeout)
            ended = True
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            ended = False
        self.reader.join(timeout=5)
        return ended
