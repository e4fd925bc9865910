"""Boot the Nexus OS image in QEMU headless and collect what it prints (shared by tests and bench)."""
import subprocess

import os
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"


def qemu_command(bootargs="", icount=False, extra=()):
    cmd = ["qemu-system-riscv64", "-machine", "virt", "-cpu", "rv64", "-smp", "1", "-m", "256M",
           "-nographic", "-no-reboot", "-bios", OPENSBI,
           "-kernel", ROOT + "/build/neuron.bin", "-initrd", ROOT + "/build/initrd.cpio"]
    if bootargs:
        cmd += ["-append", bootargs]
    if icount:
        cmd += ["-icount", "shift=0"]
    return cmd + list(extra)


def boot(bootargs="", timeout=30, icount=False):
    """Run until the machine powers off or the timeout hits. Returns (output, exit code or None)."""
    proc = subprocess.Popen(qemu_command(bootargs, icount), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return out.decode(errors="replace"), proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        return out.decode(errors="replace"), None
