#!/usr/bin/env python3
"""make bench: boot the bench program under `qemu -icount shift=0` (1 instruction = 1 ns, so
instret is exact and repeatable), collect its figures and the kernel's section sizes, print a
table and write build/bench.json. Reports figures; asserts nothing (see docs/bench.md)."""
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
# Everything boots the bench archive (the system plus bench/progs), except the shell's
# figures: they measure the system archive itself, what `make run` boots.
from qemu import (BENCH_INITRD, SYSTEM_INITRD, Console, archive_with_manifest, boot,  # noqa: E402
                  fresh_disk)
from qmp import FIXED_RTC, QMP  # noqa: E402

# name: (unit, budget or None, what it measures)
FIGURES = {
    "boot_to_user_instr": ("instructions", None, "kernel entry to first user instruction"),
    "null_syscall_instr": ("instructions", 80, "null syscall round trip (avg of 10,000)"),
    "notify_wake_instr": ("instructions", None, "signal -> wake of a thread waiting in another process, incl. its wait call (avg of 20,000)"),
    "yield_switch_instr": ("instructions", None, "thread switch through yield, same priority (avg of 20,000)"),
    "fp_switch_instr": ("instructions", None, "the same, both threads using FP between switches: each switch hands the FP registers over lazily (a trap, a save, a load)"),
    "vmo_map_unmap_4k_instr": ("instructions", None, "vm_map + vm_unmap of a 4 KiB VMO (avg of 10,000)"),
    "vmo_map_unmap_2m_instr": ("instructions", None, "vm_map + vm_unmap of a 2 MiB VMO (avg of 10,000)"),
    "pager_fault_instr": ("instructions", 3700, "fault on an absent page of a paged VMO whose pager thread supplies it at once (page already written), to the toucher running again (avg of 1,024)"),
    "bulk_vmo_instr_per_mib": ("instructions", None, "16 MiB between two processes through a shared VMO ring, per MiB (each slot copied by GCC's inline expansion of a 64 KiB memcpy; floor of two copies: 524,288, docs/perf-vm.md)"),
    "bulk_vmo_memcpy_instr_per_mib": ("instructions", 575000, "  the same, each slot copied by a call of libnx's memcpy"),
    "bulk_vmo_kernel_bytes_copied": ("bytes", 0, "payload bytes the kernel copied during that transfer"),
    "ipc_roundtrip_instr": ("instructions", 360, "IPC call + reply between two processes, fast path, registers only (avg of 10,000)"),
    "ipc_roundtrip_4handles_instr": ("instructions", 1190, "the same with 4 handles moved each way (avg of 10,000)"),
    "ipc_roundtrip_maxpayload_instr": ("instructions", 1080, "the same with 1024 bytes each way (avg of 10,000)"),
    "bulk_ipc_instr_per_mib": ("instructions", None, "16 MiB between two processes through 1024-byte IPC messages, per MiB"),
    "pipe_roundtrip_instr": ("instructions", None, "1 byte each way between two processes through two pipes (nx/pipe.h), both sides sleeping and woken each time (avg of 2,000)"),
    "pipe_instr_per_mib": ("instructions", 580000, "16 MiB through a pipe (64 KiB ring) from one process to another in 64 KiB writes, per MiB"),
    "pipe_kernel_bytes_copied": ("bytes", 0, "payload bytes the kernel copied during that transfer"),
    "bulk_ipc_kernel_bytes_copied": ("bytes", None, "payload bytes the kernel copied during that transfer"),
    "idle_timer_irqs_per_s": ("interrupts/s", 0, "idle: timer interrupts beyond the one wake-up asked for"),
    "idle_timer_irqs_per_s_performance": ("interrupts/s", None, "power mode performance: an idle desktop's timers (the clock, 1 s, and apps' of 100, 250, 330, 700 ms; no slack asked, each re-armed when it fires) for 5 s"),
    "idle_timer_irqs_per_s_balanced": ("interrupts/s", None, "  the same in balanced (1 ms least slack)"),
    "idle_timer_irqs_per_s_saver": ("interrupts/s", None, "  the same in saver (50 ms least slack)"),
    "timer_coalesce_irqs": ("interrupts", 1, "100 timer objects, all windows overlapping"),
    "timer_spread_irqs": ("interrupts", 17, "100 timers 1 ms apart, 5 ms slack (17 is the fewest)"),
    "present_bytes_copied_windowed": ("bytes", None, "a present of a whole 640x400 window: its damage copied once into the scanout buffer"),
    "present_bytes_copied_fullscreen": ("bytes", 0, "a present of a whole fullscreen surface: scanned out straight from its VMO"),
    "compose_fullframe_instr": ("instructions", None, "the compositor composing the whole 1280x800 screen (a window, its frame, the background; the flush not included)"),
    "key_to_pixel_instr": ("instructions", None, "a key typed into the Terminal (QMP, make gui's machine) to the GPU driver's reply to the flush of its echo: input driver, compositor, Terminal, its nsh, composition, TRANSFER + FLUSH; the hart's halted time left out (avg of 20)"),
    "key_to_pixel_wait_ns": ("ns", None, "  virtual time the hart sat halted meanwhile, waiting for QEMU's devices, per key"),
    "key_to_pixel_compose_instr": ("instructions", None, "  of which the composition of the last key's last frame (copies and fills)"),
    "key_to_pixel_flush_instr": ("instructions", None, "  of which that frame's flush call to the GPU driver, halted time left out"),
    "gui_idle_wakeups_per_s": ("wake-ups/s", 0, "graphical session idle 10 s (compositor, Terminal + nsh at its prompt, GPU, keyboard, tablet): timer interrupts beyond the bench's own"),
    "gui_idle_busy_instr_per_s": ("instructions", None, "  instructions retired meanwhile outside the halted hart (device wake-ups would show here), per second"),
    "desktop_idle_wakeups_per_s": ("wake-ups/s", 0, "the desktop's session idle 10 s (its bar with the clock, the compositor, GPU, keyboard, tablet; no Terminal): timer interrupts beyond the bench's own (the clock's minute timer may fall in the span)"),
    "desktop_idle_busy_instr_per_s": ("instructions", None, "  instructions retired meanwhile outside the halted hart, per second"),
    "launch_app_instr": ("instructions", None, "Enter in the desktop's launcher (QMP) to the GPU driver's reply to the last flush it caused: the launcher closed, Terminal loaded with its nsh, its window with nsh's greeting; the hart's halted time left out"),
    "launch_app_wait_ns": ("ns", None, "  virtual time the hart sat halted meanwhile"),
    "login_to_desktop_instr": ("instructions", None, "Enter on the password in the login screen (QMP; nexus, first boot's disk) to the GPU driver's reply to the last flush it caused: the users service's check (argon2id m=7168 KiB, t=5, p=1: NX_ARGON2_DEFAULT), the session and the desktop started, its bar's first frame; the hart's halted time left out"),
    "login_to_desktop_wait_ns": ("ns", None, "  virtual time the hart sat halted meanwhile"),
    "login_hash_instr": ("instructions", None, "  the hash alone: one nx_users_login of nexus by guibench afterwards (the users service's argon2id check and the call), halted time left out"),
    "login_hash_share_pct": ("%", None, "  the hash's share of login_to_desktop_instr"),
    "console_write_instr_per_byte": ("instructions", 60, "nx_debug_write of 64-byte lines to the serial console, per byte (the kernel writes the port itself; OpenSBI 1.1's putchar took 378)"),
    "log_record_instr": ("instructions", None, "one log record through the ring: writer + log service (wake-ups not included)"),
    "log_record_writer_instr": ("instructions", None, "  writer: nx_log_write's record pushed into a ring (avg of 1,600)"),
    "log_record_service_instr": ("instructions", None, "  log service: pop, stamp, store (avg of 1,600)"),
    "log_records_dropped": ("records", 0, "records dropped during that run"),
    "idle_memory_kib": ("KiB", None, "kernel + all processes, idle after boot (pages in use x 4)"),
    "idle_process_kib": ("KiB", None, "  of which taken after the kernel's boot: processes and kernel objects"),
    "boot_to_prompt_instr": ("instructions", None, "kernel entry to the first nsh> prompt (uart driver and shell running)"),
    "shell_ipc_thread_instr": ("instructions", None, "nsh `bench`: call/reply between two threads of the shell (avg of 2,000)"),
    "shell_ipc_process_instr": ("instructions", None, "nsh `bench`: call/reply between the shell and a spawned process (avg of 2,000)"),
    "exec_wait_instr": ("instructions", 120000, "nx_exec of hello from the boot archive (ELF check, VMOs, startup protocol), its run and exit, and the wait (avg of 20)"),
    "malloc_free_instr": ("instructions", None, "malloc(64) + free, warm heap (avg of 10,000)"),
    "seq_write_instr_per_mib": ("instructions", 1350000, "16 MiB written with write() in 64 KiB pieces + fsync (whole system: client, fs, driver, kernel), per MiB; the hart's halted time left out"),
    "seq_write_wait_per_mib": ("ns", None, "  virtual time the hart sat halted meanwhile, waiting for QEMU's I/O thread (host time: varies with load), per MiB"),
    "file_read_copy_instr_per_mib": ("instructions", 300000, "that file, cached, read with read() calls into a 64 KiB buffer, per MiB"),
    "file_read_mapped_instr_per_mib": ("instructions", 550000, "that file, cached, read through its filebuffer mapping, per MiB"),
    "file_read_mapped_bytes_copied": ("bytes", 0, "bytes copied by kernel, file system and driver during the mapped read"),
    "file_read_mapped_cold_instr_per_mib": ("instructions", None, "a 16 MiB file made on the host, not in the cache (first read after the boot, nothing evicted), read through its mapping, per MiB; the hart's halted time left out"),
    "file_read_mapped_cold_bytes_copied": ("bytes", 0, "  file bytes the file system and the driver copied during that read and the next (the data comes by DMA into the pages)"),
    "file_read_mapped_cold_kernel_bytes_copied": ("bytes", None, "  bytes the kernel copied meanwhile: messages only (a pager request is 24 bytes), no file data"),
    "cache_evict_instr_per_mib": ("instructions", None, "a file twice the cache (48 MiB) read cold through its mapping: its cost less the cold read's per MiB, per MiB the cache gave back (the file's bytes less the fall of the cache's free bytes)"),
    "small_file_fsync_instr": ("instructions", 170000, "create + write 100 bytes + fsync + close, per file (1,000 files); the hart's halted time left out"),
    "small_file_fsync_wait": ("ns", None, "  virtual time the hart sat halted meanwhile (host I/O time: varies with load), per file"),
    "blk_read_instr_per_mib": ("instructions", None, "16 MiB read from the disk by DMA into an attached VMO, 128 KiB requests, per MiB: client + kernel + virtio-blk driver, and the wait for QEMU's I/O thread (icount time)"),
    "blk_request_instr": ("instructions", None, "  one-block read round trip: call, DMA pinning, virtqueue, interrupt, wake-up, reply (avg of 64)"),
    "blk_read_kernel_bytes_copied": ("bytes", None, "  bytes the kernel copied meanwhile (request and reply messages only; no data)"),
    "blk_read_driver_bytes_copied": ("bytes", 0, "  bytes the driver copied (the data goes by DMA)"),
    "glyph_raster_instr": ("instructions", None, "one glyph rasterised into the glyph cache: DejaVu Sans Mono, 16 px (avg over printable ASCII)"),
    "glyph_instr": ("instructions", None, "one cached glyph drawn: cache lookup + coverage blend (avg of 10,000)"),
    "smp_ipc_pairs_1_instr": ("instructions", None, "smpbench, -smp 8: 1 client/server process pair pinned to the first running hart, call + reply; instructions all harts retired over the run per round trip"),
    "smp_ipc_pairs_2_instr": ("instructions", None, "  2 pairs, pair i on running hart i (goal: within 10% of 1 pair)"),
    "smp_ipc_pairs_4_instr": ("instructions", None, "  4 pairs (goal: within 10% of 1 pair)"),
    "smp_ipc_pairs_8_instr": ("instructions", None, "  8 pairs (goal: within 10% of 1 pair)"),
    "ipc_cross_hart_roundtrip_instr": ("instructions", None, "call + reply, client process pinned to the first running hart, server process to the last"),
    "ipi_wake_instr": ("instructions", None, "signal -> wake of a thread waiting on another hart (IPI), incl. its wait call (compare notify_wake_instr)"),
    "tlb_unmap_local_instr": ("instructions", None, "unmap of a touched 4 KiB page, the process having run on one hart only"),
    "tlb_shootdown_instr": ("instructions", None, "the same after the process ran on 4 harts: remote fences of the 3 others included"),
    "tcp_tx_instr_per_mib": ("instructions", None, "16 MiB from a guest program to the host through the forwarded port (64 KiB sends), whole guest busy (app, stack, driver, kernel; halted time left out), per MiB"),
    "tcp_rx_instr_per_mib": ("instructions", None, "16 MiB from the host to the guest program the same way, per MiB"),
    "tcp_roundtrip_instr": ("instructions", None, "1 byte to the host and 1 back on an open connection, whole guest busy (avg of 1,000)"),
    "net_tx_driver_bytes_copied_per_mib": ("bytes", 0, "  tx: packet bytes the virtio-net driver copied, per MiB (the card reads the slots by DMA)"),
    "net_tx_stack_bytes_copied_per_mib": ("bytes", 1100000, "  tx: payload bytes the stack copied, per MiB (goal: one copy, ring -> tx slot)"),
    "net_tx_kernel_bytes_copied_per_mib": ("bytes", 0, "  tx: bytes the kernel copied, per MiB (messages only; the data moves through shared rings)"),
    "net_rx_driver_bytes_copied_per_mib": ("bytes", 0, "  rx: packet bytes the driver copied, per MiB (the card writes the slots by DMA)"),
    "net_rx_stack_bytes_copied_per_mib": ("bytes", 1100000, "  rx: payload bytes the stack copied, per MiB (goal: one copy, slot -> socket ring)"),
    "net_rx_kernel_bytes_copied_per_mib": ("bytes", 0, "  rx: bytes the kernel copied, per MiB"),
    "tcp_tx_wall_kib_per_s": ("KiB/s", None, "  information: wall-clock rate of the tx transfer under -icount on this host"),
    "tcp_rx_wall_kib_per_s": ("KiB/s", None, "  information: wall-clock rate of the rx transfer"),
    "kernel_text_bytes": ("bytes", None, "kernel .text"),
    "kernel_data_bytes": ("bytes", None, "kernel .data + .rodata"),
    "kernel_bss_bytes": ("bytes", None, "kernel .bss + .stacks (memory the image does not hold)"),
}


def section_sizes():
    out = subprocess.run(["riscv64-unknown-elf-size", "-A", os.path.join(ROOT, "build/neuron.elf")],
                         check=True, capture_output=True, text=True).stdout
    sizes = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\.\w+)\s+(\d+)", out, re.M)}
    return {"kernel_text_bytes": sizes.get(".text", 0),
            "kernel_data_bytes": sizes.get(".data", 0) + sizes.get(".rodata", 0),
            "kernel_bss_bytes": sizes.get(".bss", 0) + sizes.get(".stacks", 0)}


# A BENCH line; when the shell's prompt was open, it came after the prompt and an erase of
# the line (the console then draws the prompt again under it: docs/userspace.md, "Console").
BENCH_LINE = re.compile(r"(?:^|\x1b\[K)BENCH (\w+) (\d+)", re.M)


def bench_figures(out):
    return {m.group(1): int(m.group(2)) for m in BENCH_LINE.finditer(out)}


def run_in_qemu():
    out, code = boot("init=bench", timeout=120, icount=True, initrd=BENCH_INITRD, smp=1)
    entry = re.search(r"entry instret (\d+)", out)
    found = bench_figures(out)
    if code is None or not entry or "first_user_instret" not in found:
        sys.exit("bench: the bench program did not run to the end:\n" + out[-2000:])
    found["boot_to_user_instr"] = found.pop("first_user_instret") - int(entry.group(1))
    return found


def boot_default_plus(extra_name, **kw):
    """Boot the default manifest (but the GPU driver) plus tests/qemu/manifests/<extra_name>;
    returns what it printed, the BENCH figures, and QEMU's exit code."""
    # Without the display driver and the compositor: the bench machine has no GPU, and their
    # budgets (the framebuffer's 1,000 pages, the compositor's 3,072) would hold init's pages
    # while they look for one, leaving too few for blkbench.
    with open(os.path.join(ROOT, "user", "init", "manifest.txt")) as f:
        default = "".join(line for line in f
                          if not line.startswith(("service gpu ", "service wm ", "allow * -> wm")))
    with open(os.path.join(ROOT, "tests", "qemu", "manifests", extra_name)) as f:
        extra = f.read()
    manifest = os.path.join(ROOT, "build", "bench-manifest")
    with open(manifest, "w") as f:
        f.write(default + extra)
    out, code = boot(timeout=120, icount=True, initrd=archive_with_manifest(manifest, BENCH_INITRD),
                     smp=1, **kw)
    found = bench_figures(out)
    return out, found, code


def run_services_in_qemu():
    """Boot the default manifest plus tests/qemu/manifests/bench.extra (logbench)."""
    out, found, code = boot_default_plus("bench.extra")
    total = re.search(r"NEURON: (\d+) of (\d+) pages free", out)
    if code is None or not total or "log_record_service_instr" not in found:
        sys.exit("bench: logbench did not run to the end:\n" + out[-2000:])
    free = found.pop("idle_free_pages")
    found["idle_memory_kib"] = (int(total.group(2)) - free) * 4
    found["idle_process_kib"] = (int(total.group(1)) - free) * 4
    return found


def run_blk_in_qemu():
    """Boot the default manifest plus bench.blk (blkbench) on a fresh 32 MiB disk."""
    out, found, code = boot_default_plus("bench.blk", disk=fresh_disk("bench", 32))
    if code is None or "blk_read_instr_per_mib" not in found:
        sys.exit("bench: blkbench did not run to the end:\n" + out[-2000:])
    return found


def run_gfx_in_qemu():
    """Boot the default manifest plus bench.gfx (gfxbench: the text figures)."""
    out, found, code = boot_default_plus("bench.gfx")
    if code is None or "glyph_instr" not in found:
        sys.exit("bench: gfxbench did not run to the end:\n" + out[-2000:])
    return found


# The graphical figures (wmbench, guibench) are of a Terminal that init starts on the screen, as
# before the login screen: the greeter's line becomes that Terminal (docs/testing.md).
BENCH_TERMINAL = "service terminal prio=16 pages=6144 grant=log,svcmgr,exec,proc,fs,net"


def default_manifest_plus(extra_name):
    """build/bench-manifest-<extra>: the default manifest, a Terminal in the login screen's
    place, plus tests/qemu/manifests/<extra>."""
    with open(os.path.join(ROOT, "user", "init", "manifest.txt")) as f:
        default = re.sub(r"^service greeter .*$", BENCH_TERMINAL, f.read(), flags=re.M)
        default = re.sub(r"^net greeter ", "net terminal ", default, flags=re.M)
    with open(os.path.join(ROOT, "tests", "qemu", "manifests", extra_name)) as f:
        extra = f.read()
    manifest = os.path.join(ROOT, "build", "bench-manifest-" + extra_name.split(".")[-1])
    with open(manifest, "w") as f:
        f.write(default + extra)
    return manifest


def run_wm_in_qemu():
    """Boot the whole default system (the GPU driver and the compositor included) with a GPU,
    plus bench.wm (wmbench: the compositor's figures)."""
    manifest = default_manifest_plus("bench.wm")
    out, code = boot(timeout=120, icount=True, initrd=archive_with_manifest(manifest, BENCH_INITRD),
                     smp=1, extra=["-device", "virtio-gpu-device,xres=1280,yres=800"])
    found = bench_figures(out)
    if code is None or "compose_fullframe_instr" not in found:
        sys.exit("bench: wmbench did not run to the end:\n" + out[-2000:])
    return found


# The graphical session's figures (guibench, manifest bench.gui): make gui's machine under
# -icount, keys typed into the Terminal through QMP, one command each (press and release: one
# frame, one interrupt), far enough apart that each key's echo is flushed before the next.
GUI_DEVICES = ["-device", "virtio-gpu-device,xres=1280,yres=800",
               "-device", "virtio-keyboard-device", "-device", "virtio-tablet-device"]
GUI_KEYS = "thequickbrownfoxjump"  # guibench's KEYS of them
GUI_KEY_GAP_S = 0.5


def type_keys(sock):
    qmp = QMP(sock)
    for c in GUI_KEYS:
        qmp.command("input-send-event", events=[
            {"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": c}}}
            for down in (True, False)])
        time.sleep(GUI_KEY_GAP_S)
    qmp.close()


def run_gui_in_qemu():
    """Boot the default system with make gui's devices plus bench.gui (guibench): it measures
    the idle session, then the harness types GUI_KEYS into the Terminal."""
    qmp_dir = tempfile.mkdtemp(prefix="nexus-qmp-")
    sock = os.path.join(qmp_dir, "qmp.sock")
    initrd = archive_with_manifest(default_manifest_plus("bench.gui"), BENCH_INITRD)
    con = Console(icount=True, initrd=initrd,
                  extra=["-qmp", f"unix:{sock},server=on,wait=off"] + GUI_DEVICES)
    ok = con.expect(r"guibench: type \d+ keys", timeout=240) is not None
    if ok:
        type_keys(sock)
        ok = con.expect(r"BENCH key_to_pixel_flush_instr \d+\r?\n|guibench: .*failed",
                        timeout=120) is not None
    con.close(timeout=10)
    shutil.rmtree(qmp_dir, ignore_errors=True)
    out = con.text()
    found = bench_figures(out)
    if not ok or "key_to_pixel_flush_instr" not in found:
        sys.exit("bench: guibench did not run to the end:\n" + out[-2000:])
    return found


def run_keyed_session(manifest, steps, last, what, disk=None, extra=()):
    """Boot the bench archive with manifest and make gui's devices under -icount; for each
    (pattern, keys) of steps, wait for the pattern, then tap the keys (qcodes) through QMP,
    GUI_KEY_GAP_S apart. The BENCH figures, once the one named last has come."""
    qmp_dir = tempfile.mkdtemp(prefix="nexus-qmp-")
    sock = os.path.join(qmp_dir, "qmp.sock")
    con = Console(icount=True, initrd=archive_with_manifest(manifest, BENCH_INITRD), disk=disk,
                  extra=["-qmp", f"unix:{sock},server=on,wait=off"] + GUI_DEVICES + list(extra))
    ok = True
    for wait, keys in steps:
        ok = ok and con.expect(wait, timeout=240) is not None
        if ok:
            qmp = QMP(sock)
            for key in keys:
                qmp.command("input-send-event", events=[
                    {"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": key}}}
                    for down in (True, False)])
                time.sleep(GUI_KEY_GAP_S)
            qmp.close()
    ok = ok and con.expect(rf"BENCH {last} \d+\r?\n|guibench: .*failed", timeout=240) is not None
    con.close(timeout=10)
    shutil.rmtree(qmp_dir, ignore_errors=True)
    out = con.text()
    found = bench_figures(out)
    if not ok or last not in found:
        sys.exit(f"bench: {what} did not come:\n" + out[-2000:])
    return found


# The desktop's figures (guibench -- desktop, manifests desktop + bench.desktop): make gui's
# machine under -icount; the launcher opened with Meta, "ter" typed, then Enter, each key one
# QMP command (press and release), far enough apart to be drawn before the next.
DESKTOP_KEYS = ["meta_l", "t", "e", "r"]


def run_desktop_in_qemu():
    manifest = os.path.join(ROOT, "build", "bench-manifest-desktop")
    with open(manifest, "w") as f:
        for name in ("desktop", "bench.desktop"):
            with open(os.path.join(ROOT, "tests", "qemu", "manifests", name)) as part:
                f.write(part.read())
    return run_keyed_session(manifest, [(r"deskbench: open the launcher and type ter", DESKTOP_KEYS),
                                        (r"deskbench: press Enter", ["ret"])],
                             "launch_app_wait_ns", "the desktop's figures")


# The login's figures (guibench -- login): the default manifest as make gui boots it (its
# login screen, which starts the desktop) plus bench.login, on a fresh ext3 disk (the first
# boot makes the account nexus), the RTC fixed (FIXED_RTC) so that the clocks' minute does
# not turn during the measurement. The name, Tab and the password typed (guibench's
# LOGIN_KEYS presses), then Enter.
LOGIN_KEYS = list("nexus") + ["tab"] + list("nexus")


def run_login_in_qemu():
    manifest = os.path.join(ROOT, "build", "bench-manifest-login")
    with open(manifest, "w") as f:
        for path in (os.path.join(ROOT, "user", "init", "manifest.txt"),
                     os.path.join(ROOT, "tests", "qemu", "manifests", "bench.login")):
            with open(path) as part:
                f.write(part.read())
    with tempfile.TemporaryDirectory() as tree:
        disk = fresh_disk("bench-login", 16, tree)
    found = run_keyed_session(manifest, [(r"loginbench: type the name and the password", LOGIN_KEYS),
                                         (r"loginbench: press Enter", ["ret"])],
                              "login_hash_instr", "the login's figures", disk=disk, extra=FIXED_RTC)
    found["login_hash_share_pct"] = round(100 * found["login_hash_instr"] /
                                          found["login_to_desktop_instr"])
    return found


def run_shell_in_qemu():
    """Boot the default system to the shell prompt and type `bench`: the shell reports the
    instret of its first prompt and its in-place IPC figures."""
    # The system with nsh on the console, as the QEMU suite has it (Makefile, CONSOLE_SHELL):
    # the figure is the boot to a shell, not to a login prompt.
    console_shell = os.path.join(ROOT, "build", "packed-test", "manifest")
    con = Console(icount=True, initrd=archive_with_manifest(console_shell, SYSTEM_INITRD))
    ok = con.expect(r"\nnsh> ", timeout=120) is not None
    if ok:
        con.send("bench\r")
        # To the end of the line: the number may arrive in pieces.
        ok = con.expect(r"BENCH shell_ipc_process_instr \d+\r?\n|bench: .*(failed|cannot)",
                        timeout=120) is not None
    con.close(timeout=0)
    out = con.text()
    entry = re.search(r"entry instret (\d+)", out)
    found = bench_figures(out)
    if not ok or not entry or "prompt_instret" not in found:
        sys.exit("bench: the shell did not reach its prompt or run bench:\n" + out[-2000:])
    found["boot_to_prompt_instr"] = found.pop("prompt_instret") - int(entry.group(1))
    return found


def run_fsbench(manifest, image, last):
    """Boot tests/qemu/manifests/<manifest> (bench/progs/fsbench) on image; its figures,
    the last of them named last."""
    out, code = boot(timeout=300, icount=True, initrd=archive_with_manifest(manifest, BENCH_INITRD),
                     disk=image, smp=1)
    found = bench_figures(out)
    if code is None or last not in found:
        sys.exit(f"bench: fsbench ({manifest}) did not run to the end:\n" + out[-2000:])
    return found


def run_files_in_qemu():
    """fsbench on a fresh 64 MiB ext3 disk of tests/qemu/disk."""
    image = fresh_disk("fsbench", 64, os.path.join(ROOT, "tests", "qemu", "disk"))
    return run_fsbench("fsbench", image, "small_file_fsync_instr")


# The files of fsbench's cold figures, made on the host: 16 MiB (less than the cache) and
# twice the cache of manifest fsbench.cold (6,144 pages less the 64 the service keeps:
# 23.75 MiB).
COLD_FILES = {"cold": 16, "cold2x": 48}


def cold_tree():
    """build/bench/coldtree: COLD_FILES of seeded random bytes."""
    tree = os.path.join(ROOT, "build", "bench", "coldtree")
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    rng = random.Random(10)
    for name, mib in COLD_FILES.items():
        with open(os.path.join(tree, name), "wb") as f:
            f.write(rng.randbytes(mib << 20))
    return tree


# Boots of fsbench cold: its figures depend on when QEMU's I/O thread completes the reads
# (the paths the file system and the driver take while they wait), a few per cent from run
# to run, and cache_evict_instr_per_mib is a difference of two such figures: each is the
# median of the boots'.
COLD_BOOTS = 3


def run_cold_files_in_qemu():
    """fsbench cold on a 96 MiB ext3 disk made on the host holding cold_tree, COLD_BOOTS
    times; the median of each figure."""
    tree = cold_tree()
    runs = [run_fsbench("fsbench.cold", fresh_disk("fsbench-cold", 96, tree),
                        "cache_evict_instr_per_mib") for _ in range(COLD_BOOTS)]
    return {name: sorted(run[name] for run in runs)[COLD_BOOTS // 2] for name in runs[0]}


# smpbench (bench/progs/smpbench): booted alone on SMP_HARTS harts, once under -icount (its
# *_instr figures) and once on multi-threaded TCG without -icount (its *_per_s figures: round
# trips per second of host time, information only). Each boot is bounded: an SMP figure
# that did not come is reported as missing, with what the kernel said.
SMP_HARTS = 8
SMP_ICOUNT_TIMEOUT = 90
SMP_WALL_TIMEOUT = 60
SMP_ROWS = [name for name in FIGURES if name.startswith(("smp_", "ipc_cross", "ipi_", "tlb_"))]


def smp_trouble(out, code):
    """What went wrong in an smpbench boot: the harts that did not start, a panic, the end."""
    said = [line for line in out.splitlines()
            if "did not start" in line or "PANIC" in line or "a job failed" in line]
    if code is None:
        said.append("no power-off before the timeout (stopped)")
    return said


def run_smp_in_qemu():
    """smpbench under -icount: the instruction figures it printed, and its trouble."""
    out, code = boot("init=smpbench", timeout=SMP_ICOUNT_TIMEOUT, icount=True,
                     initrd=BENCH_INITRD, smp=SMP_HARTS)
    found = {name: value for name, value in bench_figures(out).items() if name in SMP_ROWS}
    return found, smp_trouble(out, code)


def run_smp_wall_clock():
    """smpbench on multi-threaded TCG: round trips per second of host time of the pair runs."""
    out, code = boot("init=smpbench", timeout=SMP_WALL_TIMEOUT, initrd=BENCH_INITRD,
                     smp=SMP_HARTS, extra=["-accel", "tcg,thread=multi"])
    found = {name: value for name, value in bench_figures(out).items()
             if name.startswith("smp_ipc_pairs_") and name.endswith("_per_s")}
    return found, smp_trouble(out, code)


def print_smp_notes(measured, trouble, wall, wall_trouble):
    missing = [name for name in SMP_ROWS if name not in measured]
    if missing:
        print(f"SMP figures not measured: {', '.join(missing)}")
    for line in trouble:
        print(f"  smpbench -icount -smp {SMP_HARTS}: {line.strip()}")
    print(f"wall clock, multi-threaded TCG, -smp {SMP_HARTS}, host cores {os.cpu_count()} "
          "(information only):")
    for name, value in wall.items():
        print(f"  {name.replace('_per_s', '')}: {value:,} round trips/s")
    for line in wall_trouble:
        print(f"  smpbench wall clock: {line.strip()}")


NET_BENCH_PORT = 5001       # bench/progs/netbench listens there
NET_BENCH_TOTAL = 16 << 20
NET_BENCH_ROUNDS = 1000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def net_bench_host_side(port):
    """The host's half of netbench: read its 16 MiB and send the receipt, send 16 MiB, echo
    1,000 bytes. The wall-clock rates of both transfers (KiB/s)."""
    with socket.create_connection(("127.0.0.1", port), timeout=300) as s:
        start, n = time.monotonic(), 0
        while n < NET_BENCH_TOTAL:
            chunk = s.recv(1 << 20)
            if not chunk:
                raise OSError("netbench closed during tx")
            n += len(chunk)
        tx = time.monotonic() - start
        s.sendall(b"k")
        start = time.monotonic()
        s.sendall(bytes(NET_BENCH_TOTAL))
        rx = time.monotonic() - start
        for _ in range(NET_BENCH_ROUNDS):
            byte = s.recv(1)
            if not byte:
                raise OSError("netbench closed during the round trips")
            s.sendall(byte)
    return {"tcp_tx_wall_kib_per_s": int(NET_BENCH_TOTAL / 1024 / tx),
            "tcp_rx_wall_kib_per_s": int(NET_BENCH_TOTAL / 1024 / rx)}


def run_net_in_qemu():
    """Boot the default system plus bench.net (netbench) with a NIC on QEMU's user network,
    the host's free port forwarded to netbench's; drive the host's half."""
    port = free_port()
    initrd = archive_with_manifest(default_manifest_plus("bench.net"), BENCH_INITRD)
    con = Console(icount=True, initrd=initrd, extra=[
        "-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:{NET_BENCH_PORT}",
        "-device", "virtio-net-device,netdev=n0"])
    ok = con.expect(r"netbench: listening", timeout=240) is not None
    wall = {}
    if ok:
        try:
            wall = net_bench_host_side(port)
        except OSError as e:
            print(f"bench: netbench's host side: {e}")
        ok = con.expect(r"BENCH tcp_roundtrip_instr \d+\r?\n|netbench: .*failed",
                        timeout=120) is not None
    con.close(timeout=10)
    out = con.text()
    found = bench_figures(out)
    if not ok or "tcp_roundtrip_instr" not in found:
        sys.exit("bench: netbench did not run to the end:\n" + out[-2000:])
    found.update(wall)
    return found


def run_smp_groups():
    smp, trouble = run_smp_in_qemu()
    wall, wall_trouble = run_smp_wall_clock()
    return smp, lambda: print_smp_notes(smp, trouble, wall, wall_trouble)


# The boots, in the order make bench runs them; `make bench BENCH_ONLY="net desktop"` (or
# `python3 bench/run_bench.py net desktop`) runs only the named ones.
GROUPS = {
    "bench": run_in_qemu, "services": run_services_in_qemu, "blk": run_blk_in_qemu,
    "gfx": run_gfx_in_qemu, "wm": run_wm_in_qemu, "gui": run_gui_in_qemu,
    "desktop": run_desktop_in_qemu, "login": run_login_in_qemu, "shell": run_shell_in_qemu,
    "files": run_files_in_qemu, "cold": run_cold_files_in_qemu, "net": run_net_in_qemu,
}


def chosen_groups(names):
    unknown = [name for name in names if name not in GROUPS and name != "smp"]
    if unknown:
        sys.exit(f"bench: no group {', '.join(unknown)}; the groups: "
                 f"{' '.join(GROUPS)} smp")
    return names or list(GROUPS) + ["smp"]


def main():
    values, notes = {}, []
    for name in chosen_groups(sys.argv[1:]):
        if name == "smp":
            smp, note = run_smp_groups()
            values.update(smp)
            notes.append(note)
        else:
            values.update(GROUPS[name]())
    values.update(section_sizes())
    rows = []
    print(f"{'figure':<28} {'value':>14} {'budget':>10}  unit / what")
    for name, value in values.items():
        unit, budget, what = FIGURES.get(name, ("", None, ""))
        mark = "" if budget is None else ("  OVER BUDGET" if value > budget else "")
        print(f"{name:<28} {value:>14,} {budget if budget is not None else '-':>10}  {unit}: {what}{mark}")
        rows.append({"name": name, "value": value, "unit": unit, "budget": budget})
    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    with open(os.path.join(ROOT, "build", "bench.json"), "w") as f:
        json.dump(rows, f, indent=1)
    for note in notes:
        note()
    print("written build/bench.json")


if __name__ == "__main__":
    main()
