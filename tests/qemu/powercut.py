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

With big=True (manifest powercutbig): every other file is 5-8 MiB and the file system's
cache 4 MiB, so cuts fall in evictions and write-backs of files larger than the cache; the
cuts come 0-3 s after the workload started.

Usage: powercut.py [CUTS [SEED [big]]]  (default 50 cuts, seed 1)."""
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
AFTER_CLEAR_MAX_BIG_S = 3.0  # the same with files larger than the cache
EARLY_S = (0.05, 0.2)     # or, one time in five, this long after QEMU started: the kernel,
                          # the services, the mount and its journal replay run then


SEVENS = bytes(i * 7 & 0xff for i in range(256 + 509))
PLUS = [bytes((b + c) & 0xff for b in range(256)) for c in range(256)]


def cut_bytes(seed, size):
    """What cutload.c's cut_byte writes: (seed * 31 + i * 7 + i // 509) & 0xff, made 509
    bytes at a time (i // 509 is constant there; i * 7 & 0xff repeats every 256 bytes)."""
    return b"".join(SEVENS[i % 256:i % 256 + 509].translate(PLUS[(seed * 31 + i // 509) & 0xff])
                    for i in range(0, size, 509))[:size]


def boot_and_cut(initrd, image, rng, after_clear_max_s):
    """Boot and kill QEMU at a random moment; returns what it printed."""
    if rng.random() < 0.2:
        out, _ = boot(initrd=initrd, disk=image, timeout=rng.uniform(*EARLY_S))
        return out
    delay, start = rng.uniform(0.0, after_clear_max_s), []

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


def run(cuts=50, seed=1, big=False):
    """Returns (problems, summary line)."""
    rng = random.Random(seed)
    initrd = archive_with_manifest("powercutbig" if big else "powercut")
    image = fresh_disk("powercutbig" if big else "powercut", 96 if big else 16,
                       os.path.join(ROOT, "tests", "qemu", "disk"))
    problems, files, during_work, biggest, began = [], 0, 0, 0, time.monotonic()
    for n in range(1, cuts + 1):
        out = boot_and_cut(initrd, image, rng, AFTER_CLEAR_MAX_BIG_S if big else AFTER_CLEAR_MAX_S)
        synced = [(m[0], int(m[1]), int(m[2])) for m in SYNCED.findall(out)]
        during_work += "cutload: cleared" in out
        files += len(synced)
        biggest = max([biggest] + [size for _, size, _ in synced])
        problems += [f"cut {n}: {p}" for p in check_image(image, synced)]
        problems += [f"cut {n}: {p}" for p in ("PANIC", "cutload: .*error") if re.search(p, out)]
        if problems:
            break
    summary = (f"power cuts: {n}, {n - during_work} before the workload started; e2fsck clean after "
               f"{n - bool(problems)}; fsynced files checked: {files} ({biggest >> 20} MiB the largest), "
               f"all intact: {'no' if problems else 'yes'} ({time.monotonic() - began:.0f} s, seed {seed})")
    return problems, summary


if __name__ == "__main__":
    problems, summary = run(*(int(a) for a in sys.argv[1:3]), big="big" in sys.argv[3:])
    print("\n".join(problems + [summary]))
    sys.exit(1 if problems else 0)
