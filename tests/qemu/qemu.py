"""Boot the Nexus OS image in QEMU headless and collect what it prints (shared by tests and bench)."""
import os
import selectors
import shutil
import subprocess
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
INITRD = ROOT + "/build/initrd.cpio"


def qemu_command(bootargs="", icount=False, extra=(), initrd=INITRD):
    cmd = ["qemu-system-riscv64", "-machine", "virt", "-cpu", "rv64", "-smp", "1", "-m", "256M",
           "-nographic", "-no-reboot", "-bios", OPENSBI,
           "-kernel", ROOT + "/build/neuron.bin", "-initrd", initrd]
    if bootargs:
        cmd += ["-append", bootargs]
    if icount:
        cmd += ["-icount", "shift=0"]
    return cmd + list(extra)


def archive_with_manifest(manifest):
    """The boot archive with its manifest replaced by tests/qemu/manifests/<manifest> (or by
    the file at that path)."""
    tree = os.path.join(ROOT, "build", "tests", "initrd-" + os.path.basename(manifest))
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "build", "initrd"), tree)
    shutil.copy(os.path.join(ROOT, "tests", "qemu", "manifests", manifest),
                os.path.join(tree, "manifest"))
    names = "\n".join(sorted(os.listdir(tree))) + "\n"
    subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "--reproducible", "-O", tree + ".cpio"],
                   cwd=tree, input=names.encode(), check=True)
    return tree + ".cpio"


def boot(bootargs="", timeout=30, icount=False, initrd=INITRD, until=None):
    """Run until the machine powers off, the timeout hits, or (if given) until(output) is
    true. Returns (output, exit code or None if QEMU was stopped)."""
    proc = subprocess.Popen(qemu_command(bootargs, icount, initrd=initrd),
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
