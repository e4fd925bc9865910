#!/usr/bin/env python3
"""make image-check: the system boot archive (what `make run` boots) holds init, its manifest
and the programs of user/{apps,services,drivers}, among them every program the manifest
starts, the fonts, the app manifests (user/apps/*/*.app), and nothing else: no test program (tests/qemu/progs), no bench program (bench/progs).
The names come from the source tree, not from the Makefile's lists, so a rule that packs the
wrong programs is caught. Prints every problem; exits 1 if there is one.

Usage: tools/check_image.py ARCHIVE"""
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


# The fonts the Makefile packs (Debian's fonts-dejavu-core), data like the manifest.
FONTS = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"}


def subdirs(*parents):
    return {name for p in parents for name in os.listdir(os.path.join(ROOT, p))
            if os.path.isdir(os.path.join(ROOT, p, name))}


def app_manifests():
    """The desktop's app manifests, user/apps/<name>/<name>.app (docs/desktop.md), and the
    session manifests beside them, <name>.session (docs/login.md)."""
    apps = os.path.join(ROOT, "user/apps")
    return {f for d in os.listdir(apps) if os.path.isdir(os.path.join(apps, d))
            for f in os.listdir(os.path.join(apps, d)) if f.endswith((".app", ".session"))}


def archive_names(archive):
    out = subprocess.run(["cpio", "-it", "--quiet"], stdin=open(archive, "rb"),
                         capture_output=True, text=True, check=True).stdout
    return out.split()


def manifest_programs(text):
    """The program of each `service NAME [options] [-- args]` line: bin=X, else NAME."""
    programs = set()
    for line in text.splitlines():
        words = line.split(" -- ")[0].split()
        if len(words) >= 2 and words[0] == "service":
            named = [w[len("bin="):] for w in words[2:] if w.startswith("bin=")]
            programs.add(named[0] if named else words[1])
    return programs


def problems(names, manifest):
    system = subdirs("user/apps", "user/services", "user/drivers") | {"init", "manifest"} | FONTS
    system |= app_manifests()
    tests = {os.path.splitext(f)[0] for f in os.listdir(os.path.join(ROOT, "tests/qemu/progs"))
             if f.endswith(".c")} | {"badelf"}
    bench = subdirs("bench/progs")
    found = []
    for name in names:
        if name in tests:
            found.append(f"test program {name} in the system archive")
        elif name in bench:
            found.append(f"bench program {name} in the system archive")
        elif name not in system:
            found.append(f"{name} in the system archive is no system program")
    found += [f"the manifest starts {p}, missing from the archive"
              for p in sorted(manifest_programs(manifest) - set(names))]
    found += [f"{name} missing from the system archive" for name in sorted(system - set(names))]
    return found


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    names = archive_names(sys.argv[1])
    with open(os.path.join(ROOT, "user/init/manifest.txt")) as f:
        manifest = f.read()
    found = problems(names, manifest)
    for p in found:
        print("image-check: " + p)
    print(f"image-check: {sys.argv[1]}: {len(names)} files, {len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
