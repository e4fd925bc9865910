#!/usr/bin/env python3
"""Power-cut test: boot the system with the cutload workload on one ext3 image, kill QEMU at a
random moment (SIGKILL: whatever the virtual disk had not been handed yet is lost), and check
the image on the host after every cut: the journal replayed on a copy (e2fsck -E
journal_only), then `e2fsck -fn` must find the file system clean, and every file whose
fsync had returned (cutload printed "synced NAME SIZE SEED") must hold exactly its bytes.
The next boot uses the image as the cut left it, so the file system service's own journal
recovery runs every time. Four cuts in five come 0-1 s after the workload started; the fifth
0.05-0.2 s after QEMU started, in the boot, the mount, the journal replay or the workload's
first steps.
Seeded: the same seed gives the same cut times (what the guest has done by then varies with
the host's speed).

Usage: powercut.py [CUTS [SEED]]  (default 50 cuts, seed 1)."""
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

from qemu import ROOT, archive_with_manifest, boot, fresh_disk

# Whole lines only: the cut may fall in the middle of one.
SYNCED = re.compile(r"cutload: synced (f\d+) (\d+) (\d+)\r?\n")
AFTER_CLEAR_MAX_S = 1.0   # a cut comes at most this long after the workload started
EARLY_S = (0.05, 0.2)     # or, one time in five, this long after QEMU started: the kernel,
                          # the services, the mount and its journal replay run then


def cut_bytes(seed, size):
    """What cutload.c's cut_byte writes."""
    return bytes((seed * 31 + i * 7 + i // 509) & 0xff for i in range(size))


def boot_and_cut(initrd, image, rng):
    """Boot and kill QEMU at a random moment; returns what it printed."""
    if rng.random() < 0.2:
        out, _ = boot(initrd=initrd, disk=image, timeout=rng.uniform(*EARLY_S))
        return out
    delay, start = rng.uniform(0.0, AFTER_CLEAR_MAX_S), []

    def cut_now(out):
        if not start and "cutload: cleared" in out:
            start.append(time.monotonic())
        return bool(start) and time.monotonic() - start[0] >= delay

    out, _ = boot(initrd=initrd, disk=image, timeout=15, until=cut_now)
    return out


def check_image(image, synced):
    """Problems found in (a replayed copy of) the image: fsck, then each synced file."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "copy.img")
        shutil.copy(image, copy)
        replay = subprocess.run(["e2fsck", "-y", "-E", "journal_only", copy],
                                capture_output=True, text=True)
        if replay.returncode not in (0, 1):
            problems.append("journal replay failed: " + replay.stdout + replay.stderr)
        fsck = subprocess.run(["e2fsck", "-fn", copy], capture_output=True, text=True)
        if fsck.returncode != 0:
            problems.append("e2fsck -fn: " + fsck.stdout.strip().replace("\n", " | "))
        out = os.path.join(tmp, "cut")
        os.mkdir(out)
        subprocess.run(["debugfs", "-R", f"rdump /data/cut {out}", copy], capture_output=True)
        for name, size, seed in synced:
            path = os.path.join(out, "cut", name)
            data = open(path, "rb").read() if os.path.exists(path) else None
            if data != cut_bytes(seed, size):
                problems.append(f"{name}: " + ("missing" if data is None else
                                f"{len(data)} bytes, not the {size} synced"))
    return problems


def run(cuts=50, seed=1):
    """Returns (problems, summary line)."""
    rng = random.Random(seed)
    initrd = archive_with_manifest("powercut")
    image = fresh_disk("powercut", 16, os.path.join(ROOT, "tests", "qemu", "disk"))
    problems, files, during_work, began = [], 0, 0, time.monotonic()
    for n in range(1, cuts + 1):
        out = boot_and_cut(initrd, image, rng)
        synced = [(m[0], int(m[1]), int(m[2])) for m in SYNCED.findall(out)]
        during_work += "cutload: cleared" in out
        files += len(synced)
        problems += [f"cut {n}: {p}" for p in check_image(image, synced)]
        problems += [f"cut {n}: {p}" for p in ("PANIC", "cutload: .*error") if re.search(p, out)]
        if problems:
            break
    summary = (f"power cuts: {n}, {n - during_work} before the workload started; e2fsck clean after "
               f"{n - bool(problems)}; fsynced files checked: {files}, "
               f"all intact: {'no' if problems else 'yes'} ({time.monotonic() - began:.0f} s, seed {seed})")
    return problems, summary


if __name__ == "__main__":
    problems, summary = run(*(int(a) for a in sys.argv[1:3]))
    print("\n".join(problems + [summary]))
    sys.exit(1 if problems else 0)
