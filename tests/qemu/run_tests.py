#!/usr/bin/env python3
"""QEMU end-to-end tests: boot the real image (OpenSBI + NEURON + boot archive) headless and
check, in order, the markers the system prints, at NEXUS_SMP harts (default 1; cases that need
a number of their own boot with it). Ends with 'N passed, N failed (-smp N)'."""
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib

import apps_tests
import control_tests
import desktop_tests
import golden_tests
import gui_login_tests
import login_tests
import settings_tests
import theme_tests
import net_tests

import powercut

from qmp import (QMP, SCREEN_H, SCREEN_W, TERMINAL_AT, gui_login, png_rgb, qmp_abs, qmp_button,
                 qmp_chord, qmp_drag, qmp_key, qmp_move_window, qmp_point, qmp_pointer_to, qmp_tap,
                 qmp_title_bar, qmp_type, read_ppm, region_matches, screen_shot, wait_for_terminal)
from qemu import INITRD, ROOT, SMP, SYSTEM_INITRD, Console, archive_with_manifest, boot, fresh_disk

POWER_OFF = r"NEURON: no processes left, powering off"
POWER_OFF_SBI = r"NEURON: power off requested by process 1 \(init\)"
BANNER = r"NEURON microkernel \(Nexus OS\) on hart \d+"

# What `ps` shows in its HARTS column for a process whose threads have all run: the hart each
# last ran on, one digit per thread.
RAN_ON = r"[0-%d]+" % (SMP - 1)

# Marks an expected regex that may appear anywhere (output of two processes can interleave).
ANY = "(?#any)"

# name, boot arguments, regexes that must appear in this order (or anywhere, with ANY),
# regexes that must not appear, whether QEMU must end by itself (power-off through SBI system
# reset), and optionally a test manifest (tests/qemu/manifests/) to boot instead of the
# default one (None: the default) and a timeout in seconds (default 30).
CASES = [
    ("boot_banner_and_memory_map", "",
     [BANNER, r"RAM +0000000080000000-0000000090000000 \(256 MiB\)", r"kernel +0000000080200000-",
      r"initrd +[0-9a-f]{16}-[0-9a-f]{16}", r"uart +0000000010000000 irq 10",
      r"rtc +0000000000101000 irq 11", r"plic +000000000c000000", r"virtio +8 slots", r"timebase +10000000 Hz",
      r"NEURON: \d+ of 65536 pages free"], [r"PANIC"], False),
    ("first_user_program_and_power_off", "init=hello",
     [r"started process 1 \(hello\)", r"Hello from user space! clock \d+ ns",
      r"process 1 \(hello\) exited with status 0", POWER_OFF], [r"PANIC", r"killed"], True),
    ("init_starts_every_service", "",
     [r"started process 1 \(init\)",
      # The test disks have no /www: the web server is not started, and only it.
      r"init: httpd: cannot grant dir:/www: -11",
      r"init: up: log policy svcmgr blk rtc fs settings users console gpu rng netdev net nsh input input2 wm greeter \(18 of 19 services; 0 manifest errors\)"],
     [r"PANIC", r"killed", r"exited", r"cannot (?!grant dir:/www)"], False),
    ("restartable_service_comes_back", "",
     [ANY + r"(?s)I sleeper: sleeper up.*W init: svctest kills sleeper \(pid \d+\)"
      r".*W init: sleeper \(pid \d+\) died with status -1000: restarting in 10 ms"
      r".*W init: restarting sleeper \(restart 1\).*I sleeper: sleeper up",
      r"svctest: the service is in the process list ok", r"svctest: kill it ok",
      r"svctest: restarted once ok", r"svctest: running again ok", r"svctest: under a new pid ok",
      r"svctest: sleeper came back as pid \d+", r"svctest: the log shows the restart ok",
      r"svctest: lookup of a granted service ok",
      r"svctest: lookup of a service not granted ok", r"svctest: the log shows the denial ok",
      ANY + r"W policy: denied svctest -> sleeper",
      r"svctest: lookup of an unknown name ok", r"svctest: exec hello gives a pid ok",
      ANY + r"Hello from user space!", r"svctest: exec of a missing program ok",
      r"svctest: exec of a program named like a service ok",
      r"svctest: kill of a pid init did not start ok",
      r"svctest: proc through the exec handle ok", r"svctest: register a taken name ok",
      r"svctest: register a new name ok", r"svctest: the list has the new name ok",
      r"svctest: identify to the log \(init only\) ok",
      r"svctest: connect a VMO that is no ring ok", r"svctest: flood of 2000: \d+ stored, \d+ dropped",
      r"svctest: every flooded record stored or counted ok", r"svctest: 0 failures", POWER_OFF_SBI],
     [r"WRONG", r"PANIC"], True, "restart"),
    ("crashing_service_backs_off_then_is_given_up", "",
     [r"W init: crasher \(pid \d+\) died with status 3: restarting in %d ms" % ms
      for ms in (10, 20, 40, 80, 160, 320, 640, 1000)] +
     [r"E init: crasher died 9 times in a row within 1000 ms of starting: giving up"],
     [r"PANIC", r"restart 9\)"], False, "crashloop"),
    ("log_service_restarts_and_clients_reconnect", "",
     [r"logtest: the log has the first record ok", r"logtest: kill it ok",
      ANY + r"! init: restarting log \(restart 1\)", r"logtest: restarted once ok",
      r"logtest: the new log starts empty of it ok", r"logtest: the new log has the next record ok",
      r"logtest: init logs to the new log too ok", r"logtest: 0 failures", POWER_OFF_SBI],
     [r"WRONG", r"PANIC"], True, "logrestart"),
    ("policy_and_svcmgr_restart_and_are_taught_again", "",
     [r"restarttest: at first:", r"restarttest: lookup of a granted service ok",
      r"restarttest: lookup of a service not granted ok", r"restarttest: policy came back as pid \d+",
      r"restarttest: after a restart of policy:", r"restarttest: lookup of a granted service ok",
      r"restarttest: lookup of a service not granted ok", r"restarttest: svcmgr came back as pid \d+",
      r"restarttest: after a restart of svcmgr:", r"restarttest: lookup of a granted service ok",
      r"restarttest: lookup of a service not granted ok", r"restarttest: 0 failures", POWER_OFF_SBI],
     [r"WRONG", r"PANIC"], True, "sysrestart"),
    ("policy_denies_what_was_not_granted", "",
     [r"nolog: arguments from the manifest ok", r"nolog: named handles ok",
      r"nolog: serve is an endpoint ok", r"nolog: svcmgr is an endpoint ok",
      r"nolog: mmio:uart is a VMO ok", r"nolog: irq:10 is an IRQ ok",
      r"nolog: irq:10:notif is a notification ok", r"nolog: no log handle ok",
      r"nolog: lookup of log ok", ANY + r"W policy: denied nolog -> log",
      r"nolog: handles in the table: the granted ones and its own process ok",
      r"nolog: handles that reach the log ok", r"nolog: 0 failures"],
     [r"WRONG", r"PANIC"], False, "deny"),
    ("malformed_manifest_lines_are_skipped", "",
     [r"init: manifest:4: bad priority", r"init: manifest:6: unknown directive",
      r"init: manifest:7: grant names no service", r"I init: started svcmgr",
      r"init: up: log policy svcmgr idle \(4 of 4 services; 3 manifest errors\)"],
     [r"PANIC", r"started broken", r"started sleeper \("], False, "malformed"),
    # The entropy driver (virtio:rng) and a client finding it through svcmgr (manifest rng,
    # program rngtest); without the device: tests/qemu/manifests/rng.none, check_rng_absent.
    ("entropy_service_gives_random_bytes", "",
     [r"init: rng: virtio:rng is slot \d \(line \d\)", ANY + r"virtio-rng: pool of 4096 bytes, 4096 filled",
      ANY + r"rngtest: a read of 64 bytes ok", r"rngtest: no read all zero ok",
      r"rngtest: no two reads alike ok", r"rngtest: a read of NX_RNG_MAX bytes ok",
      r"rngtest: its bytes are not all zero ok", r"rngtest: a read of 0 bytes ok",
      r"rngtest: a read of NX_RNG_MAX \+ 1 bytes ok", r"rngtest: a request of the wrong size ok",
      r"rngtest: 0 failures", POWER_OFF_SBI],
     [r"WRONG", r"PANIC", r"init: rng \(pid"], True, "rng"),
    # nsh on a Terminal's pipes, driven through the Terminal's own code without a compositor
    # (manifest term, program termtest: docs/terminal.md).
    ("nsh_runs_on_a_terminals_pipes", "",
     [r"termtest: nsh started on pipes ok", r"termtest: prompt shown ok",
      r"termtest: a built-in's output shown ok", r"termtest: an edited line ran ok",
      r"termtest: ls /boot lists the archive ok", r"termtest: a program's output relayed by nsh ok",
      r"termtest: the end of nsh's output ok", r"termtest: nsh ended ok",
      r"termtest: nsh exited with 0 ok", r"termtest: 0 failures"],
     [r"WRONG", r"PANIC"], False, "term"),
    ("files_mapped_and_namespaced", "",
     [ANY + r"fstest: open /boot/manifest ok", ANY + r"fstest: mapped read copies 0 bytes ok",
      ANY + r"fstest: fopen \+ fread ok", ANY + r"fstest: open for writing in /boot refused ok",
      ANY + r"fstest: 0 failures",
      ANY + r"fstest: stat / refused ok", ANY + r"fstest: raw \.\. refused ok",
      ANY + r"fstest: raw ../boot/hello refused ok", ANY + r"fstest: raw absolute /boot/hello refused ok",
      ANY + r"fstest: jail: 0 failures"],
     [r"WRONG", r"PANIC"], False, "files"),
    ("console_protocol", "",
     [r"contest: hello through the console", r"contest: write ok", r"contest: read times out ok",
      r"contest: read of 0 bytes ok", r"contest: read of 1025 bytes ok",
      r"contest: unknown operation ok", r"contest: a newer read waits for its own deadline ok",
      r"contest: the older read was superseded ok", r"contest: lookup with TRANSFER ok",
      r"contest: kill the waiting reader ok", r"contest: the next read is not locked out ok",
      r"contest: stats ok", r"contest: stats count the write ok", r"contest: 0 failures"],
     [r"WRONG", r"PANIC"], False, "console"),
    ("bad_syscall_arguments_return_errors", "init=badptr",
     [r"badptr: null pointer -> -3 ok", r"badptr: kernel address -> -3 ok",
      r"badptr: unmapped user address -> -3 ok", r"badptr: range wrapping around -> -13 ok",
      r"badptr: too long -> -13 ok", r"badptr: crossing into unmapped -> -3 ok",
      r"badptr: notify_signal, handle bit 40 -> -5 ok", r"badptr: notify_poll, handle bit 40 -> -5 ok",
      r"badptr: notify_wait, handle bit 40 -> -5 ok", r"badptr: vmo_size, handle bit 40 -> -5 ok",
      r"badptr: notify_signal, the handle itself -> 0 ok",
      r"badptr: unknown syscall -> -1 ok", r"badptr: survived",
      r"process 1 \(badptr\) exited with status 3", POWER_OFF], [r"WRONG", r"PANIC"], True),
    ("store_to_kernel_kills_only_that_process", "init=store_kernel,hello",
     [r"process 1 \(store_kernel\) killed: store page fault at pc [0-9a-f]+, address ffffffff80200000",
      POWER_OFF], [r"STILL ALIVE", r"PANIC"], True),
    ("illegal_instruction_kills_only_that_process", "init=illegal,hello",
     [r"process 1 \(illegal\) killed: illegal instruction at pc [0-9a-f]+", POWER_OFF],
     [r"STILL ALIVE", r"PANIC"], True),
    ("other_process_survives_a_killed_one", "init=illegal,store_kernel,hello",
     [r"Hello from user space!", r"process 3 \(hello\) exited with status 0", POWER_OFF],
     [r"PANIC"], True),
    ("malformed_elf_is_rejected", "init=badelf,hello",
     [r"NEURON: badelf: bad ELF: ", r"cannot start badelf", r"Hello from user space!", POWER_OFF],
     [r"PANIC"], True),
    ("missing_program_is_reported", "init=nosuchprogram,hello",
     [r"cannot start nosuchprogram: not in the boot archive", r"Hello from user space!", POWER_OFF],
     [r"PANIC"], True),
    # Four processes of two threads each, sharing the CPU by time slice, each thread holding
    # its own values in every FP register (fpu.c).
    ("floating_point_registers_are_per_thread", "init=fpu,fpu,fpu,fpu",
     [r"fpu: registers zero at first use ok"] * 4 +
     [r"fpu: registers kept across switches \(main thread\) ok"] +
     [r"fpu: registers kept across switches \(second thread\) ok"] +
     [r"fpu: sum of sqrt\(i\*i\), i <= 20000 ok", r"fpu: single-precision sum ok",
      r"fpu: 0 failures"] + [ANY + r"(?s)(fpu: 0 failures.*){4}", POWER_OFF],
     [r"PANIC", r"WRONG", r"killed"], True),
    ("time_slice_preempts_cpu_bound_processes", "init=spin,spin",
     [r"spin: start", r"spin: start", r"spin: end", r"spin: end", POWER_OFF], [r"PANIC"], True),
    ("ipc_between_threads", "init=ipc",
     [r"ipc: server sees the badge ok", r"ipc: kernel counted the copies ok",
      r"ipc: moved handle left the sender ok", r"ipc: copied handle stayed ok",
      r"ipc: reply to nobody ok", r"ipc: unanswered call times out ok",
      r"ipc: server dying mid-call ok", r"ipc: closing the endpoint wakes its receiver ok",
      r"ipc: recv returns pending bits ok", r"ipc: no page leaked ok", r"ipc: no handle leaked ok",
      r"ipc: 0 failures", r"process 1 \(ipc\) exited with status 0", POWER_OFF],
     [r"WRONG", r"PANIC", r"killed"], True),
    ("ipc_between_processes", "init=ipcproc",
     [r"ipcproc: call to another process ok", r"ipcproc: badge of client b ok",
      r"ipcproc: arrived intact ok", r"ipcproc: the moved handle left this process ok",
      r"ipcproc: and the server's signal on it is here ok", r"ipcproc: copying needs DUPLICATE ok",
      r"ipcproc: a late reply times the call out ok",
      r"ipcproc: the server is told its caller is gone ok",
      r"ipcproc: its bits reached the server's recv ok",
      r"process 3 \(doomed\) killed by process 1 \(ipcproc\)",
      r"ipcproc: killing the server ends it with PEER_CLOSED ok", r"ipcproc: no page leaked ok",
      r"ipcproc: no handle leaked ok", r"ipcproc: no object leaked ok", r"ipcproc: 0 failures",
      r"process 1 \(ipcproc\) exited with status 0", POWER_OFF], [r"WRONG", r"PANIC"], True),
    ("process_lifecycle_deep_chain_unstarted_and_own_image", "init=lifecycle",
     [r"lifecycle: chain of [1-9]\d{2,} processes", r"lifecycle: the chain is deep ok",
      r"lifecycle: the tree lists the chain ok", r"lifecycle: root first ok",
      r"lifecycle: a bad array ok", r"lifecycle: the deepest link is reached ok",
      r"lifecycle: with only the rights asked ok", r"lifecycle: rights only shrink ok",
      r"lifecycle: kill a link through its handle ok", r"lifecycle: the tree ends above it ok",
      r"lifecycle: every link ended ok", r"lifecycle: the root is dead, killed ok",
      r"lifecycle: budget back ok", r"lifecycle: no page leaked ok",
      r"lifecycle: no handle leaked ok", r"lifecycle: no object leaked ok",
      r"lifecycle: create and close, round after round ok", r"lifecycle: none left alive ok",
      r"lifecycle: their budgets back ok", r"lifecycle: no page leaked ok",
      r"lifecycle: no handle leaked ok", r"lifecycle: no object leaked ok",
      r"lifecycle: its end reaches the parent's watch ok", r"lifecycle: and its own ok",
      r"lifecycle: budget back ok", r"lifecycle: no object leaked ok",
      r"lifecycle: one more is refused ok",
      r"lifecycle: a watch again by the same notification changes its bits ok",
      r"lifecycle: a closed watcher's slot is taken over ok",
      r"lifecycle: every watch is signalled with its bits ok",
      r"lifecycle: the changed one with its new bits ok", r"lifecycle: watches: budget back ok",
      r"lifecycle: no page leaked ok", r"lifecycle: no object leaked ok",
      r"lifecycle: waits time out, however many ok", r"lifecycle: no object leaked ok",
      r"lifecycle: unmap a page of the image ok", r"lifecycle: its page goes back to the budget ok",
      r"lifecycle: a VMO maps where it was ok", r"lifecycle: and is what is read there ok",
      r"lifecycle: 0 failures",
      r"process 1 \(lifecycle\) exited with status 0", POWER_OFF], [r"WRONG", r"PANIC"], True),
    ("handles_notifications_threads_processes", "init=objects",
     [r"objects: revoke closes what was derived ok", r"objects: wait times out at its deadline ok",
      r"objects: the hart's halted time is counted ok",
      r"objects: signal wakes a thread blocked in wait ok",
      r"process 2 \(empty\) killed: instruction page fault", r"objects: exit wakes the watcher ok",
      r"process 3 \(victim\) killed by process 1 \(objects\)",
      r"objects: 126 notifications take 2 pages ok", r"objects: and give them back ok",
      r"objects: no page leaked ok",
      r"objects: no handle leaked ok", r"objects: 0 failures",
      r"process 1 \(objects\) exited with status 0", POWER_OFF], [r"WRONG", r"PANIC"], True),
    ("pager_backed_vmos", "init=pager",
     [r"pager: a fault is served with the exact bytes ok", r"pager: one request for it ok",
      r"pager: a second read asks nothing ok", r"pager: one page dirty ok", r"pager: it is page 2 ok",
      r"pager: asked again: clean ok", r"pager: written again: dirty again ok",
      r"pager: a dirty page is not decommitted ok", r"pager: decommit clean pages ok",
      r"pager: read again: the pager's bytes ok", r"pager: after a new request ok",
      r"pager: vmo_read through a client handle ok", r"pager: gets the exact bytes ok",
      r"pager: its touches get the error ok", r"pager: and the page is asked for again ok",
      r"pager: a page still pinned is not decommitted ok", r"pager: a release of no pin refused ok",
      r"pager: released pages are decommitted ok",
      r"pager: accessed: nothing touched since asked ok", r"pager: accessed: two pages touched ok",
      r"pager: accessed: through the mapping and vmo_read ok",
      r"pager: accessed: cleared after asking ok", r"pager: accessed: the mapping touched again ok",
      r"pager: another process reads it through a mapping ok",
      r"pager: give the VMO up ok", r"pager: its pages are freed ok",
      r"pager: a syscall touch then fails at once ok",
      r"process \d+ \(toucher3\) killed: page fault: the pager is gone or gave the page up",
      r"pager: a page nobody supplies: the syscall times out ok", r"pager: after about 5 s ok",
      r"process \d+ \(toucher\) killed: page fault: the pager did not supply the page in time",
      r"pager: a fault nobody answers ends the toucher ok",
      r"pager: killing the pager fails the wait ok", r"pager: and every later touch at once ok",
      r"process \d+ \(toucher2\) killed: page fault: the pager is gone",
      r"pager: a fault then ends the toucher ok",
      r"pager: no page leaked ok", r"pager: no handle leaked ok", r"pager: no object leaked ok",
      r"pager: 0 failures", r"process 1 \(pager\) exited with status 0", POWER_OFF],
     [r"WRONG", r"STILL ALIVE", r"PANIC"], True),
    ("vmos_and_mappings", "init=vmo",
     [r"vmo: kernel copies are counted ok", r"vmo: commit copies nothing ok",
      r"vmo: heap growth copies nothing ok", r"vmo: a touch commits one page",
      r"vmo: vmo_read into a fresh mapping ok",
      r"process \d+ \(unmapped\) killed: store page fault", r"touching after unmap kills the toucher ok",
      r"vmo: reading a protected page gives 1",
      r"process \d+ \(protected\) killed: store page fault", r"writing after protect kills the writer ok",
      r"vmo: split by a partial unmap ok", r"vmo: seal ok", r"vmo: the parent did not ok",
      r"vmo: child reads \"pa\" from the parent", r"vmo: parent sees the child's write ok",
      r"vmo: straight to the UART", r"vmo: a new VMO has DMA ok", r"vmo: dma of 4 pages ok",
      r"vmo: addresses are RAM pages ok", r"vmo: the same pages again ok", r"vmo: page 2 ok",
      r"vmo: dma: unaligned ok", r"vmo: dma: outside ok", r"vmo: dma: unknown flag ok", r"vmo: dma: both flags ok",
      r"vmo: dma: release on a plain VMO changes nothing ok",
      r"vmo: dma: bad pointer ok", r"vmo: dma: seal refused while a device may write ok",
      r"vmo: dma: over NX_VMO_DMA_MAX ok", r"vmo: dma: without DMA ok",
      r"vmo: dma: device writes need WRITE ok", r"vmo: dma: device registers never ok",
      r"vmo: a 64 GiB VMO is made whatever the budget ok", r"vmo: writes beyond the budget fail ok",
      r"vmo: a huge VMO's page and page-array nodes are over budget too ok",
      r"vmo: everything else still works ok",
      r"process \d+ \(greedy\) killed: out of memory for a page",
      r"vmo: no page leaked ok", r"vmo: no object leaked ok", r"vmo: 0 failures",
      r"process 1 \(vmo\) exited with status 0", POWER_OFF],
     [r"WRONG", r"STILL ALIVE", r"PANIC"], True),
    ("hostile_process_harms_only_itself", "init=hostile",
     [r"hostile: \d+ hostile processes made [1-9]\d{4,} calls, worker did [1-9]\d* rounds, 0 wrong",
      r"hostile: free pages before (\d+) after \1 ok", r"hostile: live handles before (\d+) after \1 ok",
      r"hostile: live objects before (\d+) after \1 ok", r"hostile: live processes before 1 after 1 ok",
      r"process 1 \(hostile\) exited with status 0", POWER_OFF], [r"LEAK", r"UNDOCUMENTED", r"PANIC"], True),
    ("syscall_storm_leaves_no_trace", "init=storm",
     [r"storm: seed 0x[0-9a-f]+: [1-9]\d{6,} calls by \d+ children \(\d+ ended early\)",
      r"storm: 0 of the children's ends did not reach the supervisor's watch ok",
      r"storm: \d+ of \d+ syscalls succeeded at least once",
      r"storm: [1-9]\d* messages received with [1-9]\d* handles",
      r"storm: free pages before (\d+) after \1 ok", r"storm: live handles before (\d+) after \1 ok",
      r"storm: live objects before (\d+) after \1 ok", r"storm: live processes before 1 after 1 ok",
      r"process 1 \(storm\) exited with status 0", POWER_OFF], [r"LEAK", r"PANIC", r"WRONG"], True,
     None, 200),
    # At 8 harts whatever NEXUS_SMP says (a case booting its own hart count: see main).
    ("smp_stress_leaves_no_trace", "init=smpstress",
     [r"smpstress: [1-9]\d* children started, [1-9]\d* killed, \d+ exited by themselves",
      r"smpstress: the killed children's threads ran on [2-8] of 8 harts",
      r"smpstress: IPIs sent meanwhile: some",
      r"smpstress: free pages before (\d+) after \1 ok",
      r"smpstress: live handles before (\d+) after \1 ok",
      r"smpstress: live objects before (\d+) after \1 ok",
      r"smpstress: live processes before 1 after 1 ok",
      r"process 1 \(smpstress\) exited with status 0", POWER_OFF],
     [r"LEAK", r"PANIC", r"WRONG"], True, None, 240, 8),
    ("timer_objects_fire_in_window_cancel_and_coalesce", "init=timer",
     [r"timer: created ok", r"timer: idle takes only the wake-up asked for ok",
      r"timer: nothing before the deadline -> -9 ok",
      r"timer: deadline \d+ slack 2000000 woke \d+ \(\+\d+ ns\)", r"timer: inside its window ok",
      r"timer: deadline \d+ slack 0 woke \d+", r"timer: inside its window ok",
      r"timer: cancelled timer stays quiet -> -9 ok", r"timer: the first setting is gone -> -9 ok",
      r"timer: the second fires -> 0 ok", r"timer: 8 overlapping windows took 1 timer interrupt",
      r"timer: one interrupt for all ok", r"timer: set with slack over 1 s -> -2 ok",
      r"timer: it never fires -> -9 ok", r"timer: closing a timer gives its page back ok",
      r"timer: done, 0 wrong", r"process 1 \(timer\) exited with status 0", POWER_OFF],
     [r"WRONG", r"PANIC"], True),
    ("irq_objects_own_lines_and_route_the_uart", "init=irq",
     [r"irq: got the device resource ok", r"irq: line past the PLIC's sources ok",
      r"irq: resource without MANAGE ok", r"irq: notification without SIGNAL ok",
      r"irq: create on the UART's line ok", r"irq: a second owner for the line ok",
      r"irq: ack with no interrupt taken ok", r"irq: ack without WRITE ok",
      r"irq: the UART's interrupt arrives on the bit ok", r"irq: no second one before the ack ok",
      r"irq: the line, still raised, interrupts again ok", r"irq: then quiet ok",
      r"irq: UART interrupt routed to user space",
      r"irq: its page is back ok", r"irq: closing freed the line for a new owner ok",
      r"process 2 \(irqholder\) killed", r"irq: its end freed the line ok", r"irq: no page leaked ok",
      r"irq: 0 failures", r"process 1 \(irq\) exited with status 0", POWER_OFF],
     [r"WRONG", r"PANIC"], True),
    ("loader_starts_programs_with_args_and_handles", "init=exectest",
     [r"execchild: argc 3", r'execchild: argv\[0\] = "execchild"', r'execchild: argv\[1\] = "alpha"',
      r'execchild: argv\[2\] = "two words"', r'execchild: handle "done" type 5',
      r'execchild: handle "ep" type 4', r"execchild: unknown name gives 0",
      r"execchild: malloc 100 KiB ok", r"execchild: malloc beyond the heap gives NULL",
      r"execchild: malloc beyond the budget gives NULL", r"execchild: malloc after that ok",
      r"execchild: rpc add -> 0, sum 42", r"execchild: rpc add with 1 byte -> -2",
      r"execchild: rpc unknown op -> -2", r"execchild: ring map 0, wrote \d+, dropped [1-9]",
      r"execchild: stdin gave first line", r"execchild: stdin gave second",
      r"execchild: stdin at end 1", r"\[sink\]   execchild: through my own sink",
      r"execchild: running at priority 16", r"execchild: exit 42",
      r"process 2 \(execchild\) exited with status 42", r"exectest: wait ok",
      r"exectest: exit status ok", r"exectest: the granted handle works ok",
      r"exectest: ring records in order ok", r"exectest: every record read or counted ok",
      r"exectest: exec nosuchprogram refused: not in the boot archive",
      r"execchild: running at priority 8", r"process 3 \(execchild\) exited with status 42",
      r"exectest: exec badelf refused: file truncated", r"exectest: its handle consumed ok",
      r"exectest: exec execchild refused: cannot start the process",
      r"exectest: exec with a repeated name refused: the program refused its startup message",
      r"exectest: its handles consumed ok", r"exectest: the child is gone ok",
      r"exectest: exec with a bad handle refused: cannot send a startup message",
      r"exectest: its handles consumed ok", r"exectest: the child is gone ok",
      r"exectest: load mute: the program did not answer its startup message after \d+ ms",
      r"exectest: a mute child times out ok", r"exectest: at its deadline, not the default 2 s ok",
      r"exectest: and is gone ok", ANY + r"execchild: overflowing the stack",
      ANY + r"process \d+ \(execchild\) killed: store page fault",
      r"exectest: exec to overflow ok", r"exectest: the overflow killed it ok",
      r"exectest: no page leaked ok",
      r"exectest: no object leaked ok", r"exectest: no handle leaked ok",
      r"exectest: no process left ok", r"exectest: 0 failures",
      r"process 1 \(exectest\) exited with status 0", POWER_OFF],
     [r"WRONG", r"PANIC", r"\((?!execchild)\w+\) killed:"], True),
    ("kernel_fault_dumps_and_halts", "test=kernel-fault",
     [r"NEURON PANIC: kernel trap: store page fault",
      r"scause 000000000000000f +sepc ffffffff[0-9a-f]{8} +stval ffffffff00000000",
      r"ra [0-9a-f]{16}", r"t6 [0-9a-f]{16}", r"NEURON: halted"],
     [r"started process"], True),
]


# Shell sessions over the serial console of the default system (init's manifest: the UART
# driver serves the console, nsh runs on it): name, steps, whether the session ends with QEMU
# powering off[, a disk tree[, the boot archive: the test archive unless given]]. A step is
# (keys to type, regexes that must appear in this order in what comes back before the next
# prompt[, a regex to wait for instead of the prompt]). Keys go out as typed: "\r" is Enter,
# "\x1b[A" the Up arrow, "\x7f" Backspace, "\x03" Ctrl-C.
PROMPT = r"\nnsh> "  # a redrawn line starts with "\r"; a new prompt follows a newline
# `run` answers once the program has started, not ended, and hello prints through the kernel
# console, not the shell's: its line may come before "started hello" or, with several harts,
# after the next prompt. The step ends once both are there, in either order.
HELLO_LINE = r"Hello from user space! clock \d+ ns"
RUN_HELLO = ("run hello\r", [r"started hello as process \d+", ANY + HELLO_LINE],
             r"(?s)started hello as process \d+.*%s|%s.*started hello as process \d+"
             % (HELLO_LINE, HELLO_LINE))
# Matches at the start of a reply that has no line naming a test or bench program.
NO_TEST_PROGRAM = r"(?sm)\A(?!.*^(?:%s)$)" % "|".join(
    [f[:-2] for f in os.listdir(os.path.join(ROOT, "tests", "qemu", "progs")) if f.endswith(".c")] +
    os.listdir(os.path.join(ROOT, "bench", "progs")) + ["badelf"])
SHELL_CASES = [
    ("shell_builtin_commands",
     [("help\r", [r"help", r"echo", r"uptime", r"mem", r"ps", r"kill", r"run", r"log", r"svc",
                  r"stats", r"bench", r"poweroff", r"keys:"]),
      ("echo hello   world \"a  b\"\r", [r"\nhello world a  b\n"]),
      ("uptime\r", [r"up \d+\.\d{3} s"]),
      ("frobnicate now\r", [r"nsh: frobnicate: unknown command \(help lists them\)"]),
      ("uptime 3\r", [r"usage: uptime"]),
      ("kill x\r", [r"usage: kill PID"]),
      ("kill 99999999999999999999999\r", [r"usage: kill PID"]),
      ("echo \"open\r", [r"nsh: column 6: a quote is not closed"]),
      ("echo " + "w " * 20 + "\r", [r"nsh: column 36: too many words in a command \(at most 16\)"]),
      ("\r", []),
      ("echo still here\r", [r"\nstill here\n"])], False),
    ("shell_line_editing",
     [("ech\x7fho ab\x1b[Dc\r", [r"\nacb\n"]),
      ("echo second\r", [r"\nsecond\n"]),
      ("\x1b[A\x1b[A\r", [r"\nacb\n"]),                  # history: two back
      ("\x1b[A\x1b[A\x1b[B\x7f\x7f\x7fthird\r", [r"\nthird\n"]),
      ("\x1b[Hxx\x1b[F!\x1b[D\x1b[3~\x15echo fresh\r", [r"\nfresh\n"]),
      ("x" * 230 + "\r", [r"nsh: line longer than 200 characters: not run"]),
      ("\x80\xff\x02\x1b[99;99Recho garbage ignored\r", [r"\ngarbage ignored\n"]),
      ("abc\x03", [r"\^C"]),
      ("echo after ctrl-c\r", [r"\nafter ctrl-c\n"])], False),
    ("shell_services_and_poweroff",
     # The compositor finds no display (no GPU here) and exits 3 s after it starts: wait for
     # it, so that the live processes below are the boot's for good.
     [("", [], r"compositor: no display"),
      ("ps\r", [r"PID STATE +PRIO +PAGES/BUDGET RESTARTS HARTS +NAME",
                r"\d+ running +16 +\d+/128 +0 +%s +log" % RAN_ON,
                r"\d+ running +16 +\d+/128 +0 +%s +console" % RAN_ON,
                # nsh starts after the network stack it is granted, so after rng
                r"\d+ running +16 +\d+/64 +0 +%s +rng" % RAN_ON,
                r"\d+ running +16 +\d+/3072 +0 +%s +nsh" % RAN_ON]),
      ("svc\r", [r"log", r"policy", r"svcmgr", r"rtc", r"console", r"rng", r"nsh"]),
      ("mem\r", [r"pages: 65536 total, \d+ used, \d+ free", r"console +\d+ of +128 pages"]),
      ("log\r", [r"\[ *\d+\.\d{6}\] I log: log service up"]),
      ("stats\r", [r"live processes +12", r"live handles +\d+", r"harts +%d\n" % SMP,
                   r"IPIs sent +\d+\n", r"hart +busy ms +idle ms +IPIs sent +IPIs taken +timer irqs +hand-offs +shared maps"]
                  + [r"(?m)^ +%d( +\d+){7}\r?$" % i for i in range(SMP)]
                  + [r"console bytes +\d+ in \(0 dropped\), \d+ out"]),
      ("kill 12345\r", [r"nsh: kill: no process 12345 among this shell.s and those init started"]),
      ("run nosuchprogram\r", [r"nsh: run: no program nosuchprogram in the boot archive"]),
      ("run nsh\r", [r"nsh: run: nsh is a service's name"]),
      ("bench\r", [r"BENCH prompt_instret \d+",
                   r"call/reply between two threads: \d+ instructions, \d+ ns per round trip",
                   r"call/reply between two processes: \d+ instructions"]),
      ("poweroff\r", [r"powering off"], r"NEURON: power off requested by process 1 \(init\)")],
     True),
    # init grants the disk's slot and line by device ID (virtio:blk); the block driver killed
    # and restarted gets the same slot again (the old instance's line freed with its handles).
    ("virtio_device_kept_across_a_driver_restart",
     [("ps\r", [r"(\d+) running [^\n]*blk\n"]),
      # init says it restarts the driver (10 ms after its death, later on a loaded host)
      # before ps may look: the restart, not the host's speed, is what is tested.
      ("kill $1\r", [], r"W init: restarting blk \(restart 1\)"),
      ("uptime\r", [r"up \d+\.\d{3} s"]),
      ("ps\r", [r"\d+ running +\d+ +\S+ +1 [^\n]*blk\n"]),
      ("log\r", [r"I init: blk: virtio:blk is slot (\d) \(line (\d)\)[\s\S]*"
                 r"W init: restarting blk \(restart 1\)[\s\S]*"
                 r"I init: blk: virtio:blk is slot \1 \(line \2\)"]),
      ("log\r", [r"I init: gpu: virtio:gpu: no device"])], False),
    # No GPU (the tests' usual machine): the driver says so in the log and ends, status 0.
    ("gpu_absent_the_driver_says_so_and_exits",
     [("log\r", [r"I gpu: no display: no device"]),
      ("ps\r", [r"\d+ exited .* gpu \(last status 0\)"])], False),
    ("shell_file_commands",
     [("ls\r", [r"boot/"]),
      # (in the archive's directory order, which the set of files decides)
      ("ls /boot\r", [ANY + r"\nhello\n", ANY + r"\nmanifest\n"]),
      ("ls -l /boot\r", [r"-r.xr.xr.x +1 +\d+ hello"]),
      ("cat /boot/manifest\r", [r"# The services init starts", r"service nsh"]),
      ("stat /boot/hello\r", [r"/boot/hello: inode \d+, -r.x.*, 1 links, \d+ bytes"]),
      ("stat /boot/nothing\r", [r"nsh: stat: /boot/nothing: .*\(-11\)"]),
      ("write /boot/x hello\r", [r"nsh: write: /boot/x: cannot create"]),
      ("rm /boot/hello\r", [r"nsh: rm: /boot/hello: .*\(-7\)"]),
      ("cat /boot\r", [r"\ncat: /boot: \w"]),
      ("df\r", [r"open files 0; bytes copied: \d+ by the file system, 0 by the driver"])], False),
    ("shell_file_commands_on_the_disk",
     [("ls -l /\r", [r"dr.xr.xr.x +\d+ +\d+ boot", r"drwx.* data"]),
      ("cat /data/app/hello.txt\r", [r"hello from the app directory"]),
      ("mkdir /notes\r", []),
      ("write /notes/a.txt first words\r", []),
      ("cat /notes/a.txt\r", [r"\nfirst words\n"]),
      ("cp /notes/a.txt /notes/b.txt\r", []),
      ("mv /notes/b.txt /notes/c.txt\r", []),
      ("ls /notes\r", [ANY + r"\na\.txt\n", ANY + r"\nc\.txt\n"]),  # in the directory's order
      ("stat /notes/c.txt\r", [r"/notes/c\.txt: inode \d+, -rw-r--r-- \(644\), 1 links, 12 bytes"]),
      ("cat /notes/b.txt\r", [r"\ncat: /notes/b\.txt: No such file or directory"]),
      ("rm /notes/a.txt\r", []),
      ("rm /notes\r", [r"nsh: rm: /notes: .*\(-12\)"]),
      ("sync\r", []),
      # (the file system copies the programs it loads out of the boot archive: cat)
      ("df\r", [r"blocks of 1024 bytes: 16384 total, \d+ free; inodes: 4096 total, \d+ free",
                 r"open files 0; bytes copied: \d+ by the file system, 0 by the driver"]),
      ("write /boot/x no\r", [r"nsh: write: /boot/x: cannot create"])], False, "disk"),
    ("shell_survives_crashes_and_a_driver_restart",
     [RUN_HELLO,  # printed on the shell's console
      ("run illegal\r", [r"started illegal as process \d+"]),
      ("echo alive\r", [r"\nalive\n"]),
      ("ps\r", [r"(\d+) running +16 +\d+/128 +0 +%s +console" % RAN_ON]),
      ("kill $1\r", [r"killed process \d+"]),
      ("echo typed to the new driver\r", [r"\ntyped to the new driver\n"]),
      ("ps\r", [r"running +16 +\d+/128 +1 +%s +console" % RAN_ON])], False),
    # What `make run` boots: the system archive, every service up, the login on the console
    # (the first-boot account), no test or bench program in /boot (tools/check_image.py
    # checks the archive itself, at build time).
    ("system_image_boots_and_runs_apps",
     [("ps\r", [r"\d+ running .* log\n", r"\d+ running .* blk\n", r"\d+ running .* fs\n",
                r"\d+ running .* users\n", r"\d+ running .* console\n",
                r"\d+ running .* login\n"]),   # the shell is the login's child, not init's
      ("ls /boot\r", [NO_TEST_PROGRAM] + [ANY + r"(?m)^%s$" % f for f in ("hello", "manifest", "nsh")]),
      RUN_HELLO], False, "disk", SYSTEM_INITRD),
]


# The block driver on one disk image booted twice (manifest blk, program blktest): the second
# boot, with the image read-only, reads what the first wrote and sees the device's error.
BLK_FIRST = [r"blktest: info ok", r"blktest: attach ok", r"blktest: writes from 4 threads ok",
             r"blktest: write at an offset inside a page ok", r"blktest: flush ok",
             r"blktest: read back ok", r"blktest: bytes that differ ok",
             r"blktest: write the header ok", r"blktest: past the end of the disk ok",
             r"blktest: across the end of the disk ok", r"blktest: no blocks ok",
             r"blktest: more than max_blocks ok", r"blktest: offset not a block multiple ok",
             r"blktest: past the end of the VMO ok", r"blktest: unknown VMO id ok",
             r"blktest: wrong request size ok", r"blktest: attach without DMA ok",
             r"blktest: attach read-only ok", r"blktest: read into a read-only VMO ok",
             r"blktest: write out of it ok", r"blktest: detach ok", r"blktest: use after detach ok",
             r"blktest: detach twice ok", r"blktest: attach a notification ok",
             r"blktest: attach nothing ok", r"blktest: disconnect \(init only\) ok",
             r"blktest: the driver still answers ok",
             r"blktest: first boot wrote 1025 blocks",
             r"blktest: \d+ reads, \d+ writes, [1-9]\d* flushes, 0 errors, \d+ bytes by DMA, 0 copied, "
             r"at most [2-9] in flight", r"blktest: kill the driver ok",
             r"blktest: the restarted driver answers ok", r"blktest: under a new pid ok",
             r"blktest: an old id after the restart ok", r"blktest: attach again ok",
             r"blktest: read through the new driver ok",
             r"blktest: bytes that differ after the restart ok",
             r"blktest: 0 failures", POWER_OFF_SBI]
BLK_SECOND = [r"blktest: read back after the reboot ok",
              r"blktest: bytes that differ from the first boot's ok",
              r"blktest: write to a read-only disk ok", r"blktest: a read after the failure ok",
              r"blktest: second boot read what the first wrote",
              r"blktest: \d+ reads, 0 writes, 0 flushes, 1 errors", r"blktest: 0 failures",
              POWER_OFF_SBI]


def check_blk_persists(name):
    initrd = archive_with_manifest("blk")
    image = fresh_disk("blk", 8)
    problems, out = [], ""
    for n, (expect, readonly) in enumerate([(BLK_FIRST, False), (BLK_SECOND, True)], 1):
        disk = image + (",readonly=on" if readonly else "")
        out, code = boot(initrd=initrd, disk=disk)
        problems += [f"boot {n}: " + p for p in missing(out, expect)]
        problems += [f"boot {n}: unexpected " + p for p in (r"WRONG", r"PANIC", r"killed:")
                     if re.search(p, out)]
        if code is None:
            problems.append(f"boot {n}: QEMU did not power off")
        if problems:
            break
    return problems, out


# Files on the disk through the file system service, one image booted twice (manifest disk,
# program fsdisk): the first boot writes, the second reads it back; fsapp, handed only
# dir:/data/app, cannot reach outside it. After each boot the host replays the journal on a
# copy and e2fsck -fn must find the file system clean.
FS_FIRST = [ANY + r"fsdisk: write a big file ok", ANY + r"fsdisk: its handle is revoked ok",
            ANY + r"fsdisk: a writable mapping refused ok",
            ANY + r"fsdisk: growing past the service's budget: pages come when touched ok",
            ANY + r"fsdisk: growing past the disk's free space refused ok",
            ANY + r"fsdisk: growing past the largest file refused ok", ANY + r"fsdisk: rename /data/old to /data/persist/new ok",
            ANY + r"fsdisk: fclose ok", ANY + r"fsdisk: first boot done", ANY + r"fsdisk: 0 failures",
            ANY + r"fsdisk: raw \.\./secret\.txt refused ok", ANY + r"fsdisk: jail: 0 failures",
            ANY + r"fsdisk: write a file and keep it open ok", ANY + POWER_OFF_SBI]
FS_SECOND = [ANY + r"fsdisk: read back /data/persist/a ok", ANY + r"fsdisk: stdio file ok",
             ANY + r"fsdisk: the file held open at the power-off ok",
             ANY + r"fsdisk: appended ok",
             ANY + r"fsdisk: big file bytes ok", ANY + r"fsdisk: mapped read copies no file byte ok",
             ANY + r"fsdisk: copied by the driver ok", ANY + r"fsdisk: second boot read what the first wrote",
             ANY + r"fsdisk: 0 failures", ANY + r"fsdisk: jail: 0 failures"]


def replayed_copy(image):
    """A copy of image with its journal replayed (as a mount would), for e2fsck and debugfs."""
    copy = image + ".check"
    shutil.copy(image, copy)
    subprocess.run(["e2fsck", "-y", "-E", "journal_only", copy], capture_output=True)
    return copy


def fsck_problems(image):
    """What e2fsck -fn finds on a copy of image after replaying its journal."""
    copy = replayed_copy(image)
    fsck = subprocess.run(["e2fsck", "-fn", copy], capture_output=True, text=True)
    os.remove(copy)
    return [] if fsck.returncode == 0 else ["e2fsck -fn: " + fsck.stdout.replace("\n", " | ")]


def check_files_persist(name):
    initrd = archive_with_manifest("disk")
    image = fresh_disk("fsdisk", 16, os.path.join(ROOT, "tests", "qemu", "disk"))
    problems, out = [], ""
    for n, expect in enumerate([FS_FIRST, FS_SECOND], 1):
        out, _ = boot(initrd=initrd, disk=image, until=lambda out: not missing(out, expect))
        problems += [f"boot {n}: " + p for p in missing(out, expect)]
        problems += [f"boot {n}: unexpected " + p for p in (r"WRONG", r"PANIC", r"killed")
                     if re.search(p, out)]
        problems += [f"boot {n}: " + p for p in fsck_problems(image)]
        if problems:
            break
    return problems, out


SHARE = [ANY + r"fsshare: an open for writing has no handle to share ok", ANY + r"fsshare: share it ok",
         ANY + r"fsshare: the shared handle: READ, MAP, TRANSFER only ok",
         ANY + r"fsshare: child: read the file's bytes ok", ANY + r"fsshare: child: the handle has no WRITE ok",
         ANY + r"fsshare: child: a writable mapping refused ok",
         ANY + r"fsshare: child: a duplicate with WRITE refused ok",
         ANY + r"fsshare: child: its handle is revoked by the unlink ok",
         ANY + r"fsshare: child: the mapping made before still reads ok", ANY + r"fsshare: child: 0 failures",
         ANY + r"fsshare: the child's checks passed ok", ANY + r"fsshare: 0 failures"]


# cp in the shell on an ext3 disk made on the host (mke2fs -d) with files of realistic sizes
# and a directory of 2,000 small files. The file system's page cache brings pages in on first
# touch and evicts old ones, so a 16 MiB copy (more than the cache) succeeds, and so does a
# second 4 MiB copy over an existing file; the copies' bytes are compared on the host. No
# temporary is left behind; e2fsck -fn is clean. Then a disk with no room for the copy: the cp
# fails at its fsync with "no space", leaving nothing behind.
CP_FILES = {"f4": 4, "f16": 16}   # name: MiB of random bytes
CP_STEPS = [
    ("write /c7 old words\r", []),
    ("cp /f4 /c4\r", []),
    ("status\r", [r"\nstatus 0\n"]),
    ("cp /f4 /c7\r", []),
    ("status\r", [r"\nstatus 0\n"]),
    ("cp /f16 /c16\r", []),
    ("status\r", [r"\nstatus 0\n"]),
    ("ls /many\r", [r"\nn0\n", r"\nn1999\n"]),
    ("df\r", [r"file cache: [\d.]+ MiB, [\d.]+ MiB free"]),
    ("poweroff\r", [r"powering off"], POWER_OFF_SBI),
]
CP_DISK_FULL_STEPS = [
    ("cp /f4 /c4\r", [r"nsh: cp: /c4: no space left on the disk \(-15\)"]),
    ("status\r", [r"\nstatus 1\n"]),
    # The file system stays writable after a disk-full failure: it once went read-only, so
    # even the rm that frees space failed.
    ("rm /filler\r", [r"rm /filler\r?\nnsh> "]),
    ("cp /f4 /c4\r", [r"cp /f4 /c4\r?\nnsh> "]),
    ("status\r", [r"\nstatus 0\n"]),
    ("poweroff\r", [r"powering off"], POWER_OFF_SBI),
]


def cp_tree(name, files, small=0):
    """build/tests/NAME: files (name: MiB of seeded random bytes) and `small` files in many/."""
    tree = os.path.join(ROOT, "build", "tests", name)
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(os.path.join(tree, "many"))
    rng = random.Random(10)
    for file, mib in files.items():
        with open(os.path.join(tree, file), "wb") as f:
            f.write(rng.randbytes(mib << 20))
    for i in range(small):
        with open(os.path.join(tree, "many", f"n{i}"), "w") as f:
            f.write(f"small file {i}\n")
    return tree


def debugfs(image, request):
    return subprocess.run(["debugfs", "-R", request, image], capture_output=True).stdout


def shell_session(disk, steps, initrd=INITRD, step_timeout=20, extra=()):
    """Type steps (type_steps) into the shell of initrd (the test archive) booted on disk
    (extra: more QEMU arguments); the problems and the output. QEMU must power off."""
    con = Console(disk=disk, initrd=initrd, extra=extra)
    problems = type_steps(con, steps, step_timeout)
    if not con.close(timeout=20):
        problems.append("QEMU did not power off")
    out = con.text()
    problems += ["unexpected: " + p for p in (r"PANIC", r"killed", r"\(-13\)") if re.search(p, out)]
    return problems, out


def leftovers(image, names):
    """Which of names (and any temporary of a copy) the root of image holds."""
    listing = debugfs(image, "ls -l /").decode(errors="replace").split()
    return [n for n in listing if n in names or n.endswith(".nsh-tmp")]


def check_cp_big_files(name):
    tree = cp_tree("cptree", CP_FILES, small=2000)
    image = fresh_disk("cpbig", 64, tree)
    problems, out = shell_session(image, CP_STEPS)
    copy = replayed_copy(image)
    problems += copies_differ(copy, tree, {"c4": "f4", "c7": "f4", "c16": "f16"})
    problems += ["left behind: " + n for n in leftovers(copy, [])]
    os.remove(copy)
    problems += fsck_problems(image)
    # 12 MiB: the journal, the tables, the 4 MiB file and 3 MiB of filler leave less than
    # 4 MiB free; without the filler there is room.
    tree = cp_tree("cpfull", {"f4": 4, "filler": 3})
    image = fresh_disk("cpfull", 12, tree)
    more, out2 = shell_session(image, CP_DISK_FULL_STEPS)
    problems += ["disk full: " + p for p in more]
    copy = replayed_copy(image)
    problems += ["disk full: left behind: " + n for n in leftovers(copy, ["filler"])]
    problems += ["disk full, then room: " + p for p in copies_differ(copy, tree, {"c4": "f4"})]
    os.remove(copy)
    problems += ["disk full: " + p for p in fsck_problems(image)]
    return problems, out + out2


def copies_differ(image, tree, copies):
    """The copies (copy: original in tree) whose bytes on image differ from the original's."""
    problems = []
    for copy, original in copies.items():
        with open(os.path.join(tree, original), "rb") as f:
            want = hashlib.sha256(f.read()).hexdigest()
        dump = os.path.join(ROOT, "build", "tests", "dump-" + copy)
        debugfs(image, f"dump /{copy} {dump}")
        if not os.path.exists(dump):
            problems.append(f"/{copy} is not on the disk")
            continue
        with open(dump, "rb") as f:
            got = hashlib.sha256(f.read()).hexdigest()
        os.remove(dump)
        if got != want:
            problems.append(f"/{copy} on the disk: sha256 {got}, /{original}'s {want}")
    return problems


# Files larger than the file system's cache (tests/qemu/manifests/smallcache: 16 MiB, a
# quarter of the largest file): cp of 4, 16, 40 and 64 MiB files made on the host, the copies
# compared on the host after the journal's replay; e2fsck -fn clean.
BIG_FILES = {"f4": 4, "f16": 16, "f40": 40, "f64": 64}
BIG_STEPS = [step for name in BIG_FILES for step in (
    (f"cp /{name} /c{name[1:]}\r", []), ("status\r", [r"\nstatus 0\n"]))] + [
    ("df\r", [r"file cache: 16\.0 MiB, [\d.]+ MiB free"]),
    ("poweroff\r", [r"powering off"], POWER_OFF_SBI),
]


def check_files_larger_than_the_cache(name):
    tree = cp_tree("bigtree", BIG_FILES)
    image = fresh_disk("bigfiles", 320, tree)
    start = time.time()
    # A 64 MiB copy takes 10-15 s alone, more on a loaded machine.
    problems, out = shell_session(image, BIG_STEPS, archive_with_manifest("smallcache"), 60)
    print(f"     cp of {sum(BIG_FILES.values())} MiB in {time.time() - start:.0f} s (with the boot)")
    copy = replayed_copy(image)
    problems += copies_differ(copy, tree, {"c" + n[1:]: n for n in BIG_FILES})
    os.remove(copy)
    return problems + fsck_problems(image), out


# Files larger than the cache through tests/qemu/progs/fsbig.c, one boot each on an ext3 disk
# made on the host: the program prints a CRC-32 of every file it wrote ("fsbig: wrote PATH
# SIZE CRC", once the file is fsynced and closed) or read, and the host checks each against
# the disk (debugfs) or the file it made; e2fsck -fn clean after.
FSBIG_WROTE = re.compile(r"fsbig: wrote (\S+) (\d+) ([0-9a-f]{8})\r?\n")
FSBIG_END = r"fsbig: \d+ failures"


def crc_of_file(path, chunk=0):
    """zlib's CRC-32 of the file, or (chunk) the CRC-32 of its chunks' CRC-32s (little-endian)."""
    with open(path, "rb") as f:
        data = f.read()
    if not chunk:
        return zlib.crc32(data)
    return zlib.crc32(b"".join(zlib.crc32(data[i:i + chunk]).to_bytes(4, "little")
                               for i in range(0, len(data), chunk)))


def written_differ(image, out):
    """The files fsbig wrote whose bytes on image (journal replayed) are not what it wrote."""
    copy, problems = replayed_copy(image), []
    dump = os.path.join(ROOT, "build", "tests", "dump-fsbig")
    for path, size, crc in FSBIG_WROTE.findall(out):
        if os.path.exists(dump):
            os.remove(dump)
        debugfs(copy, f"dump {path} {dump}")
        if not os.path.exists(dump):
            problems.append(f"{path} is not on the disk")
        elif os.path.getsize(dump) != int(size) or crc_of_file(dump) != int(crc, 16):
            problems.append(f"{path} on the disk: {os.path.getsize(dump)} bytes, crc "
                            f"{crc_of_file(dump):08x}; written: {size} bytes, crc {crc}")
    os.remove(copy)
    return problems


def crcs_differ(out, pattern, want):
    """The CRCs (hex) pattern's first group finds in out that are not want, or its absence."""
    got = re.findall(pattern, out)
    if not got:
        return ["missing: " + pattern]
    return [f"{pattern}: {g}, the host's {want:08x}" for g in got if int(g, 16) != want]


def check_fsbig(name, manifest, files, disk_mib, expect, timeout=90, smp=None):
    """Boot manifest (fsbig in it) on a fresh disk holding files (name: MiB, as cp_tree);
    the problems, the output, the image and the tree."""
    tree = cp_tree(name, files)
    image = fresh_disk(name, disk_mib, tree)
    start = time.time()
    out, _ = boot(initrd=archive_with_manifest(manifest), disk=image, timeout=timeout,
                  until=lambda out: re.search(FSBIG_END, out), smp=smp)
    print(f"     {name}: {time.time() - start:.0f} s in QEMU")
    for figure in re.findall(r"fsbig: (?:the page cache|the file system used|\d+ files).*", out):
        print("     " + figure.strip())
    problems = missing(out, expect + [ANY + r"fsbig: 0 failures"])
    problems += ["unexpected " + p for p in (r"WRONG", r"PANIC", r"STILL ALIVE", r"fsbig: .*error")
                 if re.search(p, out)]
    return problems + written_differ(image, out) + fsck_problems(image), out, tree


def check_files_ten_times_the_cache(name):
    problems, out, _ = check_fsbig("fsmany", "manycache", {}, 96, [
        ANY + r"fsbig: the page cache: 4096 KiB",
        ANY + r"fsbig: ten times the cache written, fsynced and closed ok",
        ANY + r"fsbig: more files written after that ok",
        ANY + r"fsbig: the first files read back with their bytes ok"])
    return problems, out


def check_mapped_file_read_by_two(name):
    problems, out, tree = check_fsbig("fsshared", "sharedmap", {"big": 64}, 128, [
        ANY + r"fsbig: the file is larger than the cache ok",
        ANY + r"fsbig: the readers read it whole ok",
        ANY + r"fsbig: the writer's files written meanwhile ok",
        ANY + r"fsbig: the cache stayed within its budget ok"])
    big = os.path.join(tree, "big")
    problems += crcs_differ(out, r"fsbig: reader 1: crc ([0-9a-f]{8})", crc_of_file(big))
    problems += crcs_differ(out, r"fsbig: reader 2: crc of the MiBs' crcs ([0-9a-f]{8})",
                            crc_of_file(big, 1 << 20))
    return problems, out


def check_pager_killed_under_a_fault(name):
    """At one hart: the file system must not run while fsbig keeps the hart (it is how the
    fault is still waiting when the pager dies); with more, it would answer the fault first."""
    problems, out, tree = check_fsbig("fskill", "fskill", {"big": 64}, 96, [
        ANY + r"fsbig: kill it ok",
        ANY + r"process \d+ \(toucher\) killed: page fault: the pager is gone",
        ANY + r"fsbig: restarted once ok", ANY + r"fsbig: the faulting process ends ok",
        ANY + r"fsbig: killed ok", ANY + r"fsbig: the vmo_read returns ok",
        ANY + r"fsbig: with the pager's end ok", ANY + r"fsbig: the file reads again ok"],
        smp=1)
    problems += crcs_differ(out, r"fsbig: after the restart: crc ([0-9a-f]{8})",
                            crc_of_file(os.path.join(tree, "big")))
    return problems, out


def check_file_shared(name):
    image = fresh_disk("fsshare", 16, os.path.join(ROOT, "tests", "qemu", "disk"))
    out, _ = boot(initrd=archive_with_manifest("share"), disk=image,
                  until=lambda out: re.search(r"fsshare: \d+ failures", out))
    problems = missing(out, SHARE)
    problems += ["unexpected " + p for p in (r"WRONG", r"PANIC", r"killed") if re.search(p, out)]
    return problems + fsck_problems(image), out


# The shell's language and the programs of user/apps on a disk of the shell tree plus
# /etc/profile: pipelines (counts computed here), 16 MiB through two pipes, redirections
# checked on the disk with debugfs, cd and relative paths, a background job, a script with an
# error, ^C, and bad input; then nothing is left running (the live process count is the
# boot's).
# The test archive's manifest (the system's with nsh on the console: Makefile, CONSOLE_SHELL).
TEST_MANIFEST = os.path.join(ROOT, "build", "packed-test", "manifest")
SERVICE_LINES = sum(1 for line in open(TEST_MANIFEST) if "service" in line)
PIPE_BYTES = 16 * 1024 * 1024 + 17
SORTED_MANIFEST = b"".join(sorted(open(TEST_MANIFEST, "rb").readlines()))
PIPE_STEPS = [
    ("pwd\r", [r"\n/data\n"]),  # /etc/profile's cd
    ("cat /boot/manifest | grep service | wc -l\r", [r"\n +%d\n" % SERVICE_LINES]),
    ("grep -c service < /boot/manifest\r", [r"\n%d\n" % SERVICE_LINES]),
    ("yes | head -c %d | wc -c\r" % PIPE_BYTES, [r"\n *%d\n" % PIPE_BYTES]),
    # 16 MiB of random bytes through three pipes into a file: its checksum is the host's.
    ("cat /big16 | cat | cat > /p16; status\r", [r"\nstatus 0\n"]),
    ("echo first > /r.txt; echo second >> /r.txt && cat /r.txt\r", [r"\nfirst\nsecond\n"]),
    ("echo one two three | wc -w; help | grep -c '^  pwd '\r", [r"\n +3\n", r"(?m)^1\n"]),
    ("echo a | echo b\r", [r"nsh: echo: a built-in command can only start a pipeline"]),
    ("echo gone > /t.txt; echo kept > /t.txt\r", []),
    ("cat /boot/manifest | sort | tee /sorted.txt | tail -n 1\r", [r"\nservice"]),
    ("cd app\r", []),
    ("pwd; cat hello.txt ../secret.txt | wc -l\r", [r"\n/data/app\n", r"(?m)^ +2\n"]),
    ("echo *.txt ../s*\r", [r"\nhello\.txt \.\./secret\.txt\n"]),
    ("echo x*y '*' \\*\r", [r"\nx\*y \* \*\n"]),
    ("cd /nowhere\r", [r"nsh: cd: /nowhere: "]),
    ("cd ..; pwd\r", [r"\n/data\n"]),
    ("hexdump app/hello.txt | head -n 1\r", [r"\n00000000  68 65 6c 6c 6f 20"]),
    ("sort /boot/manifest > /bg.txt & jobs; wait\r",
     [r"\[(\d+)\] \d+ sort /boot/manifest\n", r"\[\d+\] (running|done) +sort", r"\[\d+\] done 0\n"]),
    ("grep -c . /bg.txt > /n.txt & fg; echo fg gave $?\r",
     [r"\[\d+\] \d+ grep -c \. /bg\.txt", r"\ngrep -c \. /bg\.txt\n", r"(?m)^fg gave 0\n"]),
    ("false_program; echo $?\r", [r"unknown command", r"\n127\n"]),
    ("grep nothing-like-this /boot/manifest; echo $?\r", [r"\n1\n"]),
    ("echo echo one > /s.nsh; echo frob >> /s.nsh; echo 'echo \"three\"' >> /s.nsh\r", []),
    ("nsh /s.nsh\r", [r"\none\n", r"/s\.nsh:2: frob: unknown command", r"\nthree\n"]),
    ("echo 'echo \"unclosed' > /bad.nsh; nsh /bad.nsh\r", [r"/bad\.nsh:1: column 6: a quote is not closed"]),
    ("yes | cat\r", [r"y\ny\n"], r"y\r*\ny\r*\n"),
    ("\x03", [r"\^C"]),
    ("echo alive\r", [r"\nalive\n"]),
    # A writer that never stops into a reader that never reads: the writer blocks on the full
    # ring (64 KiB) while the reader floods the console; ^C ends both.
    ("yes | yes\r", [r"y\ny\n"], r"y\r*\ny\r*\n"),
    ("\x03", [r"\^C"]),
    ("echo alive again\r", [r"\nalive again\n"]),
    ("yes" + "|cat" * 31 + "\r", [r"column 33: too many commands in a pipeline \(at most 8\)"]),
    ("echo x > /data\r", [r"nsh: /data: cannot create"]),
    ("echo x > /boot/x\r", [r"nsh: /boot/x: cannot create"]),
    ("cat < /nothing\r", [r"nsh: /nothing: cannot open"]),
    ("echo 'unclosed\r", [r"column 6: a quote is not closed"]),
] + [("; ".join("mkdir /dirs%d" % d for d in range(k, k + 8)) + "\r", [])
      for k in range(0, 72, 8)] + [
    # More directories visited than the service has slots (64): a slot nobody holds a
    # handle of any more is reused (the kernel's NX_HANDLE_INFO_DERIVED), so cd goes on.
] + [("; ".join("cd /dirs%d" % d for d in range(k, k + 8)) + "\r", [])
      for k in range(0, 72, 8)] + [
    ("pwd; cd /; ls | grep -c dirs\r", [r"\n/dirs71\n", r"(?m)^72\n"]),
    ("stats\r", [r"live processes +12\n"]),  # the boot's: nothing left running
    # Pipelines of programs already run (their files cached) leave nothing behind.
    ("cat /boot/manifest | grep service | wc -l; yes | head -c 100000 | wc -c\r", [r"\n *100000\n"]),
    ("sort /boot/manifest | tee /sorted.txt | tail -n 1 && echo x > /t.txt; stats; mem\r",
     [r"live processes +12\n", r"\n +nsh +\d+ of"]),
    ("cat /boot/manifest | grep service | wc -l; yes | head -c 100000 | wc -c\r", [r"\n *100000\n"]),
    ("sort /boot/manifest | tee /sorted.txt | tail -n 1 && echo kept > /t.txt; stats; mem\r",
     [r"live processes +12\n", r"\n +nsh +\d+ of"]),
    ("poweroff\r", [r"powering off"], POWER_OFF_SBI),
]


def check_shell_pipes(name):
    tree = os.path.join(ROOT, "build", "tests", "pipetree")
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "tests", "qemu", "disk"), tree)
    os.makedirs(os.path.join(tree, "etc"))
    with open(os.path.join(tree, "etc", "profile"), "w") as f:
        f.write("# run by the shell at start\necho profile ran\ncd /data\n")
    with open(os.path.join(tree, "big16"), "wb") as f:
        f.write(random.Random(16).randbytes(16 << 20))
    image = fresh_disk("pipes", 80, tree)
    con = Console(disk=image)
    problems = type_steps(con, PIPE_STEPS, step_timeout=60)
    if not con.close(timeout=20):
        problems.append("QEMU did not power off")
    out = con.text()
    problems += missing(out, [r"profile ran\r*\n"])
    for what in (r"live kernel objects +(\d+)", r"live handles +(\d+)", r"pages: \d+ total, (\d+) used"):
        seen = re.findall(what, out)
        if len(seen) < 2 or seen[-1] != seen[-2]:
            problems.append(f"a leak? {what}: {seen[-2:]} after the same pipelines")
    problems += ["unexpected: " + p for p in (r"PANIC", r"process [1-9] \(nsh\) (killed|exited)")
                 if re.search(p, out)]
    copy = replayed_copy(image)
    want = {"/r.txt": b"first\nsecond\n", "/t.txt": b"kept\n", "/sorted.txt": SORTED_MANIFEST,
            "/bg.txt": SORTED_MANIFEST, "/n.txt": b"%d\n" % len(SORTED_MANIFEST.splitlines())}
    for path, data in want.items():
        got = debugfs(copy, "cat " + path)
        if got != data:
            problems.append(f"{path} on the disk: {got[:60]!r}, not {data[:60]!r}")
    problems += copies_differ(copy, tree, {"p16": "big16"})
    os.remove(copy)
    return problems + fsck_problems(image), out


TRUNC = [ANY + r"fstrunc: write /data/trunc.bin ok", ANY + r"fstrunc: child: read it ok",
         ANY + r"fstrunc: truncate it to a page and a bit ok",
         ANY + r"fstrunc: child: the pages before the end read right ok",
         ANY + r"fstrunc: child: the rest of the last page reads zeros ok",
         ANY + r"fstrunc: child: touching page 2\s+NEURON: process \d+ \(fstrunc-child\) killed: "
               r"page fault: past the end of the file",
         ANY + r"fstrunc: the pages past the old end read as zeros ok",
         ANY + r"fstrunc: the pages before it read right ok",
         ANY + r"fstrunc: a second writer opens it ok", ANY + r"fstrunc: remove it ok",
         ANY + r"fstrunc: child: touching page 3\s+NEURON: process \d+ \(fstrunc-child\) killed: "
               r"page fault: the pager is gone or gave the page up",
         ANY + r"fstrunc: at once, not at the pager's 5 s deadline ok",
         ANY + r"fstrunc: the appends are more than the cache ok",
         ANY + r"fstrunc: append 12 MiB, 1 MiB an open ok", ANY + r"fstrunc: its bytes ok",
         ANY + r"fstrunc: 0 failures"]


# A file truncated under a child's mapping (tests/qemu/progs/fstrunc.c): the child's pages
# before the end read right, its touch past the end kills it with that reason; a removed
# file's pages not in memory fail at once; appends grow a file past the cache.
def check_file_truncated(name):
    image = fresh_disk("fstrunc", 32, os.path.join(ROOT, "tests", "qemu", "disk"))
    out, _ = boot(initrd=archive_with_manifest("trunc"), disk=image,
                  until=lambda out: re.search(r"fstrunc: \d+ failures", out))
    problems = missing(out, TRUNC)
    problems += ["unexpected " + p for p in (r"WRONG", r"PANIC") if re.search(p, out)]
    return problems + fsck_problems(image), out


def check_power_cuts(name, big=False):
    problems, summary = powercut.run(cuts=10 if big else 50, seed=1, big=big)
    print("     " + summary)
    return problems, summary


def missing(out, expect):
    """The expected patterns out lacks: the ordered ones stop at the first one missing."""
    pos, lacking = 0, []
    for pattern in expect:
        if pattern.startswith(ANY):
            if not re.search(pattern, out):
                lacking.append("missing: " + pattern[len(ANY):])
            continue
        m = re.compile(pattern).search(out, pos)
        if not m:
            return lacking + ["missing (in order): " + pattern]
        pos = m.end()
    return lacking


def check(name, bootargs, expect, forbid, must_exit, manifest=None, timeout=30, smp=None):
    """A case that must not exit ends as soon as every expected pattern has appeared; smp:
    the harts it boots with, whatever NEXUS_SMP says."""
    initrd = archive_with_manifest(manifest) if manifest else INITRD
    until = None if must_exit else (lambda out: not missing(out, expect))
    out, code = boot(bootargs, timeout=timeout, initrd=initrd, until=until, smp=smp)
    problems = missing(out, expect)
    problems += ["unexpected: " + p for p in forbid if re.search(p, out)]
    if must_exit and code is None:
        problems.append("QEMU did not power off before the timeout")
    return problems, out


def shell_reply(con, expect, until, timeout=20):
    """What the console shows up to the prompt (or until) that follows everything expected;
    None if none came. A prompt may come more than once: when another writer's line arrives
    while the shell's line is open, the console draws that line again below it. Line ends
    come as CR LF (the console's), and as CR CR LF after the line editor's own CR LF."""
    reply = None
    while True:
        part = con.expect(until, timeout)
        if part is None:
            return reply
        reply = re.sub(r"\r+\n", "\n", (reply or "") + part)
        if not missing(reply, expect):
            return reply


def type_steps(con, steps, step_timeout=20):
    """After the first prompt, type each step's keys (a step: keys, the regexes the reply must
    hold, and optionally the regex that ends the reply instead of the prompt) and check what
    comes back; the problems. "$1" in keys stands for what the previous step's first regex
    captured in its first group. A step's reply may take step_timeout seconds."""
    if con.expect(PROMPT, timeout=30) is None:
        return ["no prompt"]
    problems, captured = [], ""
    for keys, expect, *until in steps:
        keys = keys.replace("$1", captured)
        con.send(keys)
        reply = shell_reply(con, expect, until[0] if until else PROMPT, step_timeout)
        if reply is None:
            return problems + [f"no prompt after {keys[:40]!r}"]
        problems += [f"after {keys[:40]!r}: {p}" for p in missing(reply, expect)]
        m = re.search(expect[0], reply) if expect else None
        captured = m.group(1) if m and m.groups() else ""
    return problems


def check_shell(name, steps, must_exit, disk_tree=None, initrd=INITRD):
    """Type the steps (type_steps) into a booted shell. disk_tree: boot with a fresh ext3
    disk of that tree (tests/qemu/...), else an empty scratch disk."""
    disk = fresh_disk("shell", 16, os.path.join(ROOT, "tests", "qemu", disk_tree)) if disk_tree else None
    con = Console(disk=disk, initrd=initrd)
    # The system's console asks for a login (the test archive's runs nsh at once).
    problems = login_tests.log_in(con) if initrd == SYSTEM_INITRD else []
    problems += type_steps(con, steps)
    ended = con.close(timeout=10 if must_exit else 0)
    if must_exit and not ended:
        problems.append("QEMU did not power off")
    out = con.text()
    problems += ["unexpected: " + p for p in (r"PANIC", r"\(nsh\) (killed|exited)") if re.search(p, out)]
    return problems, out


# Every line of the serial console whole and from one writer (default system): the boot's
# lines, then shell commands typed while conflood (run from the shell) writes lines through
# the kernel debug console and the kernel reports its children's ends. Each source: a regex
# that finds its text in a line, and the whole line that text must be.
SHELL_LINES = 12
CONSOLE_SOURCES = [
    (r"init: up:",
     r"init: up: log policy svcmgr blk rtc fs settings users console gpu rng netdev net nsh input input2 wm greeter \(18 of 19 services; 0 manifest errors\)"),
    (r"Nexus OS shell", r"Nexus OS shell; help lists the commands\."),
    (r"nsh> ", r"nsh> [ -~]*"),
    (r"shell line", r"(nsh> echo )?shell line \d{3} \.{32}"),
    (r"debug line", r"conflood: debug line \d{3} \.{32}"),
    (r"log line", r"! conflood: log line \d{3} \.{32}"),
    (r"conflood: done", r"conflood: done: \d+ lines, \d+ children"),
    (r"NEURON:", r"NEURON: [ -~]*"),
]
CONFCHILD_END = r"NEURON: process \d+ \(confchild\) exited with status 3"


def screen_line(raw):
    """One line as a terminal shows it: carriage return, backspace, and the line editor's
    ANSI sequences (erase to the end of the line, cursor left and right) applied."""
    cells, col = [], 0
    for m in re.finditer(r"\x1b\[(\d*)([A-Za-z~])|(.)", raw, re.S):
        ch, n = m.group(3), int(m.group(1) or 1)
        if ch == "\r":
            col = 0
        elif ch == "\b":
            col = max(col - 1, 0)
        elif ch is not None and ch >= " ":
            cells[col:col + 1] = [ch] if col < len(cells) else [" "] * (col - len(cells)) + [ch]
            col += 1
        elif m.group(2) == "K":
            del cells[col:]
        elif m.group(2) in "CD":
            col = max(col + (n if m.group(2) == "C" else -n), 0)
    return "".join(cells)


def console_lines(out):
    return [screen_line(line) for line in out.split("\n")]


def type_while_flooded(con):
    """Start conflood, type SHELL_LINES echo commands meanwhile; the problems."""
    con.send("run conflood\r")
    if con.expect(r"started conflood as process \d+") is None:
        return ["conflood did not start"]
    for i in range(SHELL_LINES):
        con.send(f"echo shell line {i:03d} {'.' * 32}\r")
        if con.expect(rf"\nshell line {i:03d} \.{{32}}") is None:
            return [f"no output for shell line {i:03d}"]
    if con.expect(r"conflood: done", timeout=30) is None:
        return ["conflood did not finish"]
    con.expect(r"(?!)", timeout=1)  # what is still on its way
    return []


def check_console_lines(name):
    con = Console()
    problems = type_while_flooded(con) if con.expect(PROMPT, timeout=30) else ["no prompt"]
    con.close(timeout=0)
    out = con.text()
    lines = console_lines(out[out.find("NEURON: started process 1 (init)"):])
    counts = {finder: 0 for finder, _ in CONSOLE_SOURCES}
    for line in lines:
        found = [(f, whole) for f, whole in CONSOLE_SOURCES if re.search(f, line)]
        if len(found) > 1 and [f for f, _ in found] != [r"nsh> ", r"shell line"]:
            problems.append(f"two writers on one line: {line!r}")
        elif found and not re.fullmatch(found[-1][1], line):
            problems.append(f"not whole: {line!r}")
        elif found:
            counts[found[-1][0]] += 1
    done = re.search(r"conflood: done: (\d+) lines, (\d+) children", out)
    flood, children = (int(done.group(1)), int(done.group(2))) if done else (0, 0)
    want = {r"init: up:": 1, r"Nexus OS shell": 1, r"shell line": 2 * SHELL_LINES,
            r"debug line": flood, r"log line": flood}
    problems += [f"{counts[f]} whole lines with {f!r}, want {w}" for f, w in want.items()
                 if counts[f] != w]
    ends = sum(1 for line in lines if re.fullmatch(CONFCHILD_END, line))
    if ends != children or not children:
        problems.append(f"{ends} whole reports of confchild's end, want {children}")
    problems += ["unexpected: " + p for p in (r"PANIC", r"WRONG") if re.search(p, out)]
    return problems, out


def check_harts(name):
    """Every hart QEMU gives is started (up to 8; more are reported) and schedules, with the
    boot hart wherever OpenSBI's lottery put it."""
    problems, outs = [], []
    for smp, mem in ((2, "256M"), (3, "256M"), (8, "64M"), (10, "128M")):
        out, code = boot("init=hello", timeout=30, smp=smp, mem=mem)
        outs.append(out)
        shown = min(smp, 8)
        m = re.search(r"NEURON: harts: ((?:\d+ ?){%d}); %d scheduling(.*)" % (shown, shown), out)
        if not m:
            problems.append(f"-smp {smp} -m {mem}: not every hart reported started")
            continue
        ids = [int(i) for i in m.group(1).split()]
        if len(set(ids)) != shown or max(ids) >= smp:
            problems.append(f"-smp {smp}: harts {ids}, want {shown} of 0..{smp - 1}")
        more = smp - shown
        if (more and f"; {more} more listed, left to the firmware" not in m.group(2)) or \
                (not more and m.group(2).strip()):
            problems.append(f"-smp {smp}: harts past 8 reported as {m.group(2)!r}")
        problems += [f"-smp {smp}: " + p for p in missing(out, [r"Hello from user space!", POWER_OFF])]
        if "PANIC" in out:
            problems.append(f"-smp {smp}: PANIC")
    return problems, "\n".join(outs)


def check_gfx(name):
    """The graphics library on the target (tests/qemu/progs/gfx.c) draws the golden text
    scene text_mono_13 to the same pixels as on the host: the FNV-1a hash of its XRGB8888
    pixels (bytes B, G, R, 0xff) equals the golden's. The shared glyph atlas, sealed in a VMO
    and mapped read-only through a READ|MAP duplicate, draws the same pixels alone."""
    out, code = boot("init=gfx", timeout=60)
    problems = missing(out, [r"gfx: font opens ok", r"gfx: scene drawn ok", r"gfx: cache hits only ok",
                             r"gfx: same pixels ok", r"gfx: sealed atlas refuses writes ok",
                             r"gfx: sealed atlas refuses a writable mapping ok",
                             r"gfx: atlas attached ok", r"gfx: atlas scene same pixels ok",
                             r"gfx: 0 failures", POWER_OFF])
    problems += ["unexpected: " + p for p in (r"WRONG", r"PANIC", r"killed") if re.search(p, out)]
    w, h, rgb = png_rgb(os.path.join(ROOT, "tests/host/data/golden/text_mono_13.png"))
    want = 2166136261
    for i in range(0, len(rgb), 3):
        for byte in (rgb[i + 2], rgb[i + 1], rgb[i], 0xff):
            want = ((want ^ byte) * 16777619) & 0xffffffff
    m = re.search(r"gfx: scene (\d+)x(\d+) hash ([0-9a-f]{8})", out)
    if not m:
        problems.append("no scene hash")
    elif (int(m.group(1)), int(m.group(2)), int(m.group(3), 16)) != (w, h, want):
        problems.append(f"scene {m.group(1)}x{m.group(2)} hash {m.group(3)}; golden {w}x{h} "
                        f"hash {want:08x}")
    return problems, out


# tests/qemu/progs/smp.c at the suite's hart count (NEXUS_SMP) and at another: 4 when the
# suite runs at 1, so that a run at either count exercises several harts; 3 (an odd count,
# fewer harts than FP processes) when it runs at 4.
SMP_OTHER = 4 if SMP != 4 else 3
SMP_EXPECT = [
    r"smp: harts between 1 and 8 ok", r"smp: yields beside idle harts, each followed by a sleep ok",
    r"smp: hammer: threads ready ok", r"smp: hammer: every thread done ok",
    r"smp: hammer: (\d+) threads, \d+ adds each, \d+ ms, at most \d+ at once",
    r"smp: hammer: each thread pinned itself ok", r"smp: hammer: atomic sum exact ok",
    r"smp: hammer: sum under the lock exact ok", r"smp: hammer: threads were inside at once ok",
    r"smp: hammer: each thread ran on its own hart ok",
    r"smp: pairs: every pair done ok", r"smp: pairs: every reply right ok",
    r"smp: pairs: \d+ pairs, \d+ hand-offs under the shared lock of \d+",
    r"smp: pairs: calls and replies went without the exclusive lock ok",
    r"smp: maps: every mapper's maps, unmaps and words right ok",
    r"smp: maps: \d+ processes, \d+ of \d+ maps and unmaps under the shared lock",
    r"smp: maps: maps and unmaps went without the exclusive lock ok",
    r"smp: no page leaked ok", r"smp: no handle leaked ok", r"smp: no object leaked ok",
    r"smp: kill: every spinner came up ok", r"smp: kill: its threads were on the other harts ok",
    r"smp: kill: killed ok", r"smp: kill: dead when the kill returned ok",
    r"smp: no page leaked ok", r"smp: no handle leaked ok", r"smp: no object leaked ok",
    r"smp: unmap: the toucher was touching ok", r"smp: unmap: unmapped under it ok",
    r"smp: unmap: the toucher faulted ok",
    r"smp: unmap: only the old page seen, new VMOs untouched ok",
    r"smp: no page leaked ok", r"smp: no handle leaked ok", r"smp: no object leaked ok",
    r"smp: fp: more FP threads than harts ok",
    r"smp: fp: every process's registers and sums its own and exact ok",
    r"smp: affinity: no bit ok", r"smp: affinity: only harts that do not exist ok",
    r"smp: affinity: the top bit ok", r"smp: affinity: hart 0 and harts that do not exist ok",
    r"smp: affinity: then it runs on hart 0 ok", r"smp: affinity: every hart ok",
    r"smp: affinity: a process handle ok", r"smp: affinity: a notification ok",
    r"smp: affinity: a closed handle ok", r"smp: affinity: a thread handle without MANAGE ok",
    r"smp: affinity: a thread that returned ok", r"smp: affinity: another process's thread ok",
    r"smp: affinity: a thread of a killed process ok",
    r"smp: storm: the work alone is right ok", r"smp: storm: mapping and unmapping on every hart ok",
    r"smp: storm: the work in the storm is right ok", r"smp: storm: the storm went on meanwhile ok",
    r"smp: storm: the work took \d+ ms alone, \d+ ms in the storm",
    r"smp: storm: the work finished in bounded time ok", r"smp: storm: kill the stormer ok",
    r"smp: storm: its pages read what it wrote ok",
    r"smp: no page leaked ok", r"smp: no handle leaked ok", r"smp: no object leaked ok",
    r"smp: 0 failures", r"process 1 \(smp\) exited with status 0", POWER_OFF]
# Every process smp.c ends is one it meant to: spinners, parked and the stormer killed by it,
# touchers by a page fault.
SMP_ENDED = re.compile(r"process \d+ \((\w+)\) killed(.*)")
SMP_ENDS = {"spinner": r" by process 1 \(smp\)", "parked": r" by process 1 \(smp\)",
            "stormer": r" by process 1 \(smp\)", "toucher": r": (?:load|store) page fault at .*"}
TOUCHER_FAULT = re.compile(r"smp: unmap: ([0-9a-f]+)-([0-9a-f]+) of process (\d+)\r?\n"
                           r"(?:(?!smp: unmap:).*\n)*?.*process \3 \(toucher\) killed: "
                           r"(?:load|store) page fault at pc [0-9a-f]+, address ([0-9a-f]+)")


def check_smp(name, smp=None):
    """smp.c at smp harts (None: the suite's); each toucher must fault inside the range
    unmapped under it."""
    harts = smp or SMP
    start = time.time()
    out, code = boot("init=smp", timeout=300, smp=smp)
    print(f"     {harts} harts: {time.time() - start:.0f} s")
    for figure in re.findall(r"smp: (?:hammer: \d+ threads|pairs: \d+ pairs|maps: \d+ proc|storm: the work took).*",
                             out):
        print("     " + figure.strip())
    problems = missing(out, SMP_EXPECT)
    problems += ["unexpected: " + p for p in (r"WRONG", r"PANIC") if re.search(p, out)]
    problems += ["unexpected end: " + m.group(0) for m in SMP_ENDED.finditer(out)
                 if not re.fullmatch(SMP_ENDS.get(m.group(1), "(?!)"), m.group(2).rstrip("\r"))]
    threads = re.search(r"smp: hammer: (\d+) threads", out)
    if threads and int(threads.group(1)) != max(harts, 4 if harts == 1 else 0):
        problems.append(f"hammer: {threads.group(1)} threads at {harts} harts")
    faults = TOUCHER_FAULT.findall(out)
    if len(faults) != len(re.findall(r"smp: unmap: [0-9a-f]+-", out)):
        problems.append(f"{len(faults)} touchers ended by a fault after their unmap")
    problems += [f"toucher {pid} faulted at {addr}, outside {lo}-{hi}"
                 for lo, hi, pid, addr in faults if not int(lo, 16) <= int(addr, 16) < int(hi, 16)]
    if code is None:
        problems.append("QEMU did not power off before the timeout")
    return problems, out


# The display (docs/graphics.md): a virtio GPU, its driver's boot screen read back pixel by
# pixel through QMP screendump and compared with the layout the docs give.
GPU_W, GPU_H = SCREEN_W, SCREEN_H
GPU_READY = r"virtio-gpu: (\d+)x(\d+) scanout ready \((\d+) flushes, (\d+) bytes transferred\)"
# init's record of the slot it picked for a virtio:KIND grant (docs/userspace.md, "Manifest").
VIRTIO_SLOT = r"I init: %s: virtio:%s is slot (\d) \(line (\d)\)"
BOOT_SQUARE_COLORS = [(0xe0, 0x30, 0x30), (0x30, 0xc0, 0x50), (0x30, 0x60, 0xe0), (0xf0, 0xc0, 0x20)]
BOOT_SQUARE, BOOT_GAP = 160, 40
GPU_MAX_DIM = 4096  # the largest width or height the driver takes (gpu_proto.h)


def gpu_device(width=GPU_W, height=GPU_H):
    return ["-device", f"virtio-gpu-device,xres={width},yres={height}"]


def boot_screen_rows(width, height):
    """The boot screen as docs/graphics.md describes it: one bytes object of RGB per row."""
    row = len(BOOT_SQUARE_COLORS) * BOOT_SQUARE + (len(BOOT_SQUARE_COLORS) - 1) * BOOT_GAP
    x0, y0 = (width - row) // 2, (height - BOOT_SQUARE) // 2
    rows = []
    for y in range(height):
        line = bytearray(bytes((0x10, 0x20 + 0x40 * y // height, 0x40 + 0x80 * y // height)) * width)
        if y0 <= y < y0 + BOOT_SQUARE:
            for i, color in enumerate(BOOT_SQUARE_COLORS):
                x = x0 + i * (BOOT_SQUARE + BOOT_GAP)
                line[3 * x:3 * (x + BOOT_SQUARE)] = bytes(color) * BOOT_SQUARE
        rows.append(bytes(line))
    return rows


def screen_problems(qmp, name):
    """Where QEMU's screen differs from the boot screen (every pixel compared)."""
    ppm = os.path.join(ROOT, "build", "tests", name + ".ppm")
    os.makedirs(os.path.dirname(ppm), exist_ok=True)
    qmp.command("screendump", filename=ppm)
    width, height, rgb = read_ppm(ppm)
    if (width, height) != (GPU_W, GPU_H):
        return [f"the screen is {width}x{height}, want {GPU_W}x{GPU_H}"]
    rows = boot_screen_rows(width, height)
    wrong = [(y, x) for y in range(height) if rgb[3 * y * width:3 * (y + 1) * width] != rows[y]
             for x in range(width)
             if rgb[3 * (y * width + x):3 * (y * width + x + 1)] != rows[y][3 * x:3 * x + 3]]
    if wrong:
        y, x = wrong[0]
        got = rgb[3 * (y * width + x):3 * (y * width + x) + 3].hex()
        return [f"{len(wrong)} pixels differ from the boot screen, the first at ({x}, {y}): {got}"]
    return []


def virtio_slot_problems(out, gpu_first):
    """init gave the disk and the GPU each its own slot, with the slot's line, found by device
    ID wherever QEMU put them (it fills the slots from the last down, in command-line order)."""
    found = {kind: re.search(VIRTIO_SLOT % (kind, kind), out) for kind in ("blk", "gpu")}
    if not all(found.values()):
        return []  # type_steps said so
    (blk, blk_line), (gpu, gpu_line) = ((int(v) for v in found[k].groups()) for k in ("blk", "gpu"))
    want_gpu = blk + 1 if gpu_first else blk - 1
    if (blk_line, gpu_line, gpu) != (blk + 1, gpu + 1, want_gpu):
        return [f"blk in slot {blk} (line {blk_line}), gpu in slot {gpu} (line {gpu_line}): "
                f"want the gpu in slot {want_gpu}, each on line slot + 1"]
    return []


def check_virtio_grants(name):
    """Two disks and a GPU (tests/qemu/manifests/virtio): QEMU fills the slots from the last
    down in command-line order, so the disks are in slots 7 and 6 and the GPU in 5. init gives
    each block driver the first disk in slot order that nobody holds (the third gets none),
    the GPU driver the GPU, each with its own line (the GPU's boot screen needs its
    interrupts). No log service: the records go to the debug console."""
    second = fresh_disk("virtio2", 1)
    expect = [r"init: blk: virtio:blk is slot 6 \(line 7\)",
              r"init: blk2: virtio:blk is slot 7 \(line 8\)",
              r"init: blk3: virtio:blk: no device",
              r"init: gpu: virtio:gpu is slot 5 \(line 6\)", GPU_READY]
    up = r"virtio-blk: \d+ sectors of 512 bytes"
    out, _ = boot(initrd=archive_with_manifest("virtio"), timeout=60,
                  until=lambda out: not missing(out, expect) and len(re.findall(up, out)) == 2,
                  extra=["-drive", f"file={second},if=none,format=raw,id=d1",
                         "-device", "virtio-blk-device,drive=d1"] + gpu_device())
    problems = missing(out, expect) + missing(out, [r"virtio-blk: no device"])  # blk3's
    if len(re.findall(up, out)) != 2:
        problems.append("not two block drivers up")
    problems += ["unexpected: " + p for p in (r"PANIC", r"unclaimed interrupt", r"did not answer")
                 if re.search(p, out)]
    return problems, out


def manifest_without_compositor():
    """The test archive's manifest less the compositor's lines: the boot screen stays (the
    driver keeps it until a client owns the display)."""
    path = os.path.join(ROOT, "build", "tests", "manifest-nowm")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(TEST_MANIFEST) as f:
        lines = [l for l in f if not re.match(r"(service wm |allow \* -> wm$)", l)]
    with open(path, "w") as f:
        f.writelines(lines)
    return path


def check_gpu_boot_screen(name, gpu_first):
    """Boot with the GPU (before the disk on QEMU's command line, so that the disk moves to
    another virtio slot, when gpu_first), wait for the driver's line, compare the screen with
    the boot screen; the disk must still be found and read. No compositor: it would take the
    screen over."""
    qmp_dir = tempfile.mkdtemp(prefix="nexus-qmp-")
    sock = os.path.join(qmp_dir, "qmp.sock")
    qmp_args = ["-qmp", f"unix:{sock},server=on,wait=off"]
    disk = fresh_disk("gpu", 16, os.path.join(ROOT, "tests", "qemu", "disk"))
    con = Console(disk=disk, initrd=archive_with_manifest(manifest_without_compositor()),
                  first=gpu_device() if gpu_first else (),
                  extra=qmp_args + ([] if gpu_first else gpu_device()))
    problems = []
    ready = con.expect(GPU_READY, timeout=60)
    if ready is None:
        problems.append("no 'virtio-gpu: ... scanout ready' line")
    else:
        w, h, flushes, sent = (int(v) for v in re.search(GPU_READY, ready).groups())
        # The whole screen once, then each square alone: damage only.
        want_bytes = 4 * (GPU_W * GPU_H + len(BOOT_SQUARE_COLORS) * BOOT_SQUARE * BOOT_SQUARE)
        if (w, h, flushes, sent) != (GPU_W, GPU_H, 5, want_bytes):
            problems.append(f"{w}x{h}, {flushes} flushes, {sent} bytes: want {GPU_W}x{GPU_H}, 5, "
                            f"{want_bytes}")
        qmp = QMP(sock)
        problems += screen_problems(qmp, name)
        qmp.close()
    problems += type_steps(con, [("cat /data/app/hello.txt\r", [r"hello from the app directory"]),
                                 ("log\r", [VIRTIO_SLOT % ("blk", "blk"), VIRTIO_SLOT % ("gpu", "gpu")]),
                                 ("poweroff\r", [r"powering off"], POWER_OFF_SBI)])
    problems += virtio_slot_problems(con.text(), gpu_first)
    if not con.close(timeout=10):
        problems.append("QEMU did not power off")
    shutil.rmtree(qmp_dir, ignore_errors=True)
    out = con.text()
    problems += ["unexpected: " + p for p in (r"PANIC", r"E (gpu|blk|fs):", r"killed")
                 if re.search(p, out)]
    return problems, out


# The goldfish RTC (service rtc): QEMU's clock set with -rtc base=...; `date` prints it and a
# file written on the disk gets it as its mtime (debugfs on the host after the power-off).
# A clock before 2020 is taken for unset: the driver says so, `date` fails with NX_ERR_IO, and
# the file system falls back to 2026-01-01 + uptime.
RTC_BASE = "2031-05-17T10:00:00"
RTC_BASE_S = 1936778400           # RTC_BASE in seconds since the epoch
FALLBACK_BASE_S = 1767225600      # 2026-01-01T00:00:00Z
WALL_CLOCK_STEPS = [
    ("date\r", [r"\n2031-05-17T10:0\d:\d\dZ\n"]),
    ("write /clock.txt tick\r", []),
    ("sync\r", []),
    ("log\r", [r"I rtc: wall clock 2031-05-17T10:0\d:\d\dZ", r"I fs: timestamps: the wall clock \(rtc\)"]),
    ("poweroff\r", [r"powering off"], POWER_OFF_SBI),
]
UNSET_CLOCK_STEPS = [
    ("date\r", [r"nsh: date: no wall clock: .*\(-14\)"]),
    ("write /clock.txt tick\r", []),
    ("sync\r", []),
    ("log\r", [r"W rtc: the clock reads 2001-01-01T00:0\d:\d\dZ \(\d+ ns\), not between 2020 and 2200",
               r"W fs: timestamps: 2026-01-01 \+ uptime \(no wall clock: -14\)"]),
    ("poweroff\r", [r"powering off"], POWER_OFF_SBI),
]


def mtime_on_disk(image, path):
    """path's mtime (seconds) in image, after the journal's replay; None if it is not there."""
    copy = replayed_copy(image)
    m = re.search(rb"mtime: 0x([0-9a-f]+)", debugfs(copy, "stat " + path))
    os.remove(copy)
    return int(m.group(1), 16) if m else None


def check_wall_clock(name):
    problems, outs = [], []
    for what, base, steps, lo in (("set", RTC_BASE, WALL_CLOCK_STEPS, RTC_BASE_S),
                                  ("unset", "2001-01-01T00:00:00", UNSET_CLOCK_STEPS,
                                   FALLBACK_BASE_S)):
        image = fresh_disk("rtc", 16, os.path.join(ROOT, "tests", "qemu", "disk"))
        more, out = shell_session(image, steps, extra=["-rtc", "base=" + base])
        problems += [f"clock {what}: {p}" for p in more]
        outs.append(out)
        mtime = mtime_on_disk(image, "/clock.txt")
        if mtime is None or not lo <= mtime < lo + 600:  # the boot and the typing: seconds
            problems.append(f"clock {what}: /clock.txt's mtime {mtime}, not within 10 min of {lo}")
        problems += [f"clock {what}: {p}" for p in fsck_problems(image)]
    return problems, "\n".join(outs)


def check_rng_absent(name):
    """No entropy device on the machine (manifest rng.none): init grants the driver nothing, it
    says so and exits with status 0, and the client's reads fail with NX_ERR_TIMED_OUT in
    about the 2 s of nx_random's deadline, not hanging."""
    expect = [r"init: rng: virtio:rng: no device", ANY + r"virtio-rng: no entropy: no device",
              ANY + r"init: rng \(pid \d+\) exited with status 0",
              r"rngtest: a read without the device ok", r"rngtest: it failed after (19|20|21)\d\d ms",
              r"rngtest: a read without the device ok", r"rngtest: it failed after (19|20|21)\d\d ms",
              r"rngtest: 0 failures", POWER_OFF_SBI]
    out, code = boot(initrd=archive_with_manifest("rng.none"), rng=False)
    problems = missing(out, expect)
    problems += ["unexpected: " + p for p in (r"WRONG", r"PANIC") if re.search(p, out)]
    if code is None:
        problems.append("QEMU did not power off before the timeout")
    return problems, out


# A virtio network card on QEMU's user network (guest 10.0.2.15, gateway 10.0.2.2): only the
# network cases boot with one. After the disk, before the entropy device.
NET_DEVICE = ["-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"]
MAC = r"[0-9a-f]{2}(:[0-9a-f]{2}){5}"


def check_net_driver(name, card=True):
    """The network driver alone (manifest net, program nettest playing the stack): an ARP
    request for the gateway out of a tx slot, the reply in an rx slot, hostile records counted
    and dropped, the counters, a second ATTACH on a reset device, the driver killed and
    restarted and attached again. Without the card (manifest
    net.none): the driver says so and exits with status 0, INFO fails in time."""
    if card:
        expect = [r"nettest: INFO before ATTACH ok", r"nettest: MTU, slots ok",
                  r"nettest: the card is " + MAC, r"nettest: ATTACH without a notification ok",
                  r"nettest: ATTACH ok", r"nettest: the same card ok", r"nettest: the first record: LINK up ok",
                  r"nettest: TX_DONE and the ARP reply ok", r"nettest: the gateway 10.0.2.2 is at " + MAC,
                  r"nettest: bad lengths give the slots back ok",
                  r"nettest: TX_DONE and the ARP reply ok",
                  r"nettest: tx_errors: the 6 bad TX and other records ok",
                  r"nettest: rx_errors: the 2 bad RX_FREE ok", r"nettest: bytes_copied ok",
                  r"nettest: interrupts ok", r"nettest: the control VMO's counters ok",
                  r"nettest: rx \d+ packets \d+ bytes, tx 2 packets 84 bytes, \d+ interrupts",
                  r"nettest: ATTACH again \(a restarted stack\) ok", r"nettest: its counters start at zero ok",
                  r"nettest: TX_DONE and the ARP reply ok", r"nettest: one packet sent since ok",
                  r"nettest: the driver logged the card ok", r"nettest: kill it ok",
                  r"nettest: restarted once ok", r"nettest: netdev came back as pid \d+",
                  r"nettest: ATTACH to the restarted driver ok", r"nettest: the first record: LINK up ok",
                  r"nettest: TX_DONE and the ARP reply ok", r"nettest: 0 failures", POWER_OFF_SBI]
    else:
        expect = [r"nettest: INFO without the card ok", r"nettest: the driver said so ok",
                  r"nettest: and exited with status 0 ok", r"nettest: \(init logged it\) ok",
                  r"nettest: 0 failures", POWER_OFF_SBI]
    out, code = boot(initrd=archive_with_manifest("net" if card else "net.none"),
                     extra=NET_DEVICE if card else ())
    problems = missing(out, expect)
    problems += ["unexpected: " + p for p in (r"WRONG", r"PANIC", r"E netdev:") if re.search(p, out)]
    if code is None:
        problems.append("QEMU did not power off before the timeout")
    return problems, out


def check_netstack(name):
    """The TCP/IP stack end to end (manifest netstack, program nstest speaking nx/net.h): the
    DHCP lease from QEMU's user network; the host connects to the guest's echo server on port
    7 through a forwarded loopback port and gets its bytes back (one copy each way in the
    stack, the tx bytes referenced until acknowledged); the guest connects out to a listener
    on the host's loopback (10.0.2.2 from inside); a ping of the gateway, a numeric name
    resolved, a port the policy refuses, a scribbled ring that resets its socket alone."""
    import socket
    import threading
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        fwd = probe.getsockname()[1]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(60)
    host_port = listener.getsockname()[1]
    card = ["-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:7" % fwd,
            "-device", "virtio-net-device,netdev=n0"]
    con = Console(initrd=archive_with_manifest("netstack"), extra=card)
    problems = []
    if con.expect(r"net: address 10\.0\.2\.15/24 gateway 10\.0\.2\.2 dns 10\.0\.2\.3",
                  timeout=60) is None:
        problems.append("no DHCP lease logged")
    if con.expect(r"nstest: listening on 7", timeout=60) is None:
        problems.append("the guest never listened")
    else:
        payload = b"connect %d\n" % host_port + random.Random(7).randbytes(300000)
        echoed = bytearray()
        try:
            with socket.create_connection(("127.0.0.1", fwd), timeout=60) as c:
                def send():
                    c.sendall(payload)
                    c.shutdown(socket.SHUT_WR)
                sender = threading.Thread(target=send, daemon=True)
                sender.start()
                while chunk := c.recv(65536):
                    echoed += chunk
                sender.join(timeout=30)
        except OSError as e:
            problems.append("echo connection: %s" % e)
        if bytes(echoed) != payload:
            problems.append("echo: %d bytes back of %d (or different)" % (len(echoed), len(payload)))
        try:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(30)
                line = b""
                while not line.endswith(b"\n") and (chunk := conn.recv(64)):
                    line += chunk
                if line != b"hello from nexus\n":
                    problems.append("the guest's connection out said %r" % line)
                conn.sendall(b"hello nexus\n")
        except OSError as e:
            problems.append("connection out: %s" % e)
    listener.close()
    con.expect(r"nstest: \d+ failures", timeout=60)
    ended = con.close(timeout=20)
    out = con.text()
    problems += missing(out, [r"nstest: DHCP gave the address ok", r"nstest: ACCEPT ok",
                              r"nstest: echoed 30\d+ bytes",
                              r"nstest: every echoed byte acknowledged ok", r"nstest: one copy each way in the stack ok",
                              r"nstest: none in the driver ok",
                              r"nstest: CONNECTED to the host ok", r"nstest: the host answered ok",
                              r"nstest: echo reply from the gateway ok",
                              r"nstest: a numeric name resolves ok",
                              r"nstest: BIND port 8: the policy refuses ok",
                              r"nstest: a scribbled ring resets its socket ok",
                              r"nstest: the child holds 2 sockets",
                              r"nstest: its sockets closed when it ended ok",
                              r"nstest: port 7 free again ok",
                              r"nstest: 0 failures", POWER_OFF_SBI])
    problems += ["unexpected: " + p for p in (r"WRONG", r"PANIC", r"E net:", r"died")
                 if re.search(p, out)]
    if not ended:
        problems.append("QEMU did not power off")
    return problems, out


def check_netstack_without_a_card(name):
    """No network card: the driver exits, the stack says "net: no network device" and exits
    with status 0 (init does not restart it); the rest of the system runs on."""
    out, code = boot(initrd=archive_with_manifest("netstack.none"), timeout=60)
    problems = missing(out, [r"net: no network device", r"nstest: the stack said there is no device ok",
                             r"nstest: and exited with status 0 ok", r"nstest: 0 failures",
                             POWER_OFF_SBI])
    problems += ["unexpected: " + p for p in (r"WRONG", r"PANIC", r"E net:", r"restarting net")
                 if re.search(p, out)]
    if code is None:
        problems.append("QEMU did not power off before the timeout")
    return problems, out


def check_gpu_bad_mode(name):
    """A device whose mode is past what the driver takes: a clear error; init restarts the
    driver (restart) until it gives up, and the rest of the system runs on."""
    con = Console(extra=gpu_device(GPU_MAX_DIM + 1, GPU_H))
    problems = []
    if con.expect(r"E gpu: the device reports a mode of a bad size", timeout=60) is None:
        problems.append("no error naming the bad mode")
    if con.expect(r"E init: gpu died \d+ times in a row .*: giving up", timeout=30) is None:
        problems.append("init did not give the driver up")
    problems += type_steps(con, [("ps\r", [r"\d+ exited .* gpu \(last status 1\)"]),
                                 ("cat /boot/manifest\r", [r"service gpu"])])
    con.close(timeout=0)
    out = con.text()
    problems += ["unexpected: " + p for p in (r"PANIC", r"scanout ready") if re.search(p, out)]
    return problems, out


# Input (docs/input.md): a virtio keyboard and tablet, each driven by its own instance of the
# input driver, fed through QMP input-send-event; each driver logs every frame at DEBUG.
INPUT_DEVICES = ["-device", "virtio-keyboard-device", "-device", "virtio-tablet-device"]
INPUT_READY = r"virtio-input: QEMU Virtio %s: (\d+) keys, (\d+) relative axes, (\d+) absolute axes"
INPUT_FRAME = r"D (input2?): QEMU Virtio (Keyboard|Tablet):((?: \w+ \d+ -?\d+)+)"
KEY_L, KEY_S, KEY_ENTER, BTN_LEFT = 38, 31, 28, 0x110


def send_input_events(sock):
    """Through QMP: "l", "s", Enter (each down, then up), the pointer to (16384, 8192), a click
    of the left button; each a command of its own, so each a frame (QEMU syncs after each)."""
    qmp = QMP(sock)
    for qcode in ("l", "s", "ret"):
        for down in (True, False):
            qmp.command("input-send-event", events=[qmp_key(qcode, down)])
    qmp.command("input-send-event", events=[qmp_abs("x", 16384), qmp_abs("y", 8192)])
    for down in (True, False):
        qmp.command("input-send-event",
                    events=[{"type": "btn", "data": {"down": down, "button": "left"}}])
    qmp.close()


def check_input_events(name):
    """Boot with the devices of make gui (the GPU, the keyboard, the tablet: every service must
    fit init's budget), type "ls" and Enter, move the pointer and click through QMP; the
    drivers must have seen exactly those events, frame by frame, in order."""
    qmp_dir = tempfile.mkdtemp(prefix="nexus-qmp-")
    sock = os.path.join(qmp_dir, "qmp.sock")
    con = Console(extra=["-qmp", f"unix:{sock},server=on,wait=off"] + gpu_device() + INPUT_DEVICES)
    problems = []
    if con.expect(r"init: up: .* \(18 of 19 services; 0 manifest errors\)", timeout=60) is None:
        problems.append("not every service up")
    end = time.monotonic() + 60
    ready = [re.search(INPUT_READY % kind, con.text()) for kind in ("Keyboard", "Tablet")]
    while not all(ready) and time.monotonic() < end:
        time.sleep(0.2)
        ready = [re.search(INPUT_READY % kind, con.text()) for kind in ("Keyboard", "Tablet")]
    if not all(ready):
        problems.append("not both input drivers ready")
    else:
        # QEMU's keyboard announces the keys it maps, no axes; its tablet two absolute axes,
        # its buttons (and a wheel, in newer versions).
        (kkeys, krel, kabs), (tkeys, _, tabs) = ((int(v) for v in m.groups()) for m in ready)
        if kkeys < 100 or (krel, kabs) != (0, 0) or tabs != 2 or tkeys < 3:
            problems.append(f"keyboard {kkeys}/{krel}/{kabs}, tablet {tkeys}/{tabs}: want "
                            "100+ keys and no axes, 3+ buttons and 2 absolute axes")
        send_input_events(sock)
    want = [("Keyboard", f" key {k} {v}") for k in (KEY_L, KEY_S, KEY_ENTER) for v in (1, 0)] + \
        [("Tablet", " abs 0 16384 abs 1 8192"), ("Tablet", f" key {BTN_LEFT} 1"),
         ("Tablet", f" key {BTN_LEFT} 0")]
    problems += type_steps(con, [("log\r", [r"input2?: QEMU Virtio Tablet: key 272 0"])])
    # In order per device: the two drivers' records reach the log each through its own ring,
    # so one device's may overtake the other's (the compositor reading both rings shifts
    # who runs when).
    got = [(kind, events) for _, kind, events in re.findall(INPUT_FRAME, con.text())]
    for kind in ("Keyboard", "Tablet"):
        mine, theirs = [g for g in got if g[0] == kind], [w for w in want if w[0] == kind]
        if mine != theirs:
            problems.append(f"{kind} frames {mine}, want {theirs}")
    con.close(timeout=0)
    shutil.rmtree(qmp_dir, ignore_errors=True)
    out = con.text()
    problems += ["unexpected: " + p for p in (r"PANIC", r"W input2?:", r"E input2?:", r"killed")
                 if re.search(p, out)]
    return problems, out


INPUT_EVENT = r"inputtest: (input2?) (\d+) (\d+) (-?\d+)(.*)\r?\n"


def check_input_rings(name):
    """A client of both drivers (tests/qemu/progs/inputtest.c, manifest input) connects
    through their endpoints and reads their rings: the keys and the pointer's frames arrive,
    each ended by its SYN, one device's on one driver's ring."""
    qmp_dir = tempfile.mkdtemp(prefix="nexus-qmp-")
    sock = os.path.join(qmp_dir, "qmp.sock")
    con = Console(initrd=archive_with_manifest("input"),
                  extra=["-qmp", f"unix:{sock},server=on,wait=off"] + INPUT_DEVICES)
    problems = []
    for driver in ("input", "input2"):
        if con.expect(r"inputtest: %s: bits 0 refused, connect 0" % driver, timeout=60) is None:
            problems.append(f"inputtest not connected to {driver}")
    keys = [e for k in (KEY_L, KEY_S, KEY_ENTER) for v in (1, 0) for e in ((1, k, v), (0, 0, 0))]
    pointer = [(3, 0, 16384), (3, 1, 8192), (0, 0, 0), (1, BTN_LEFT, 1), (0, 0, 0),
               (1, BTN_LEFT, 0), (0, 0, 0)]
    if not problems:
        send_input_events(sock)
        end = time.monotonic() + 20
        while len(re.findall(INPUT_EVENT, con.text())) < len(keys) + len(pointer) and \
                time.monotonic() < end:
            time.sleep(0.2)
    got = {"input": [], "input2": []}
    for driver, t, c, v, rest in re.findall(INPUT_EVENT, con.text()):
        got[driver].append((int(t), int(c), int(v)))
        if rest.strip():
            problems.append(f"{driver}: event {t} {c} {v}: {rest.strip()}")
    if sorted(got.values()) != sorted([keys, pointer]):
        problems.append(f"rings held {got}, want {keys} on one and {pointer} on the other")
    con.close(timeout=0)
    shutil.rmtree(qmp_dir, ignore_errors=True)
    out = con.text()
    problems += ["unexpected: " + p for p in (r"PANIC", r"WRONG", r"killed") if re.search(p, out)]
    return problems, out


# The Terminal of the boot (docs/terminal.md) in the compositor's window: its screen must be
# the host's rendering of nsh's greeting (golden terminal_boot, test_gfx_golden), and after
# an Enter typed through QMP, the one with a second prompt (terminal_boot_enter). Where its
# window shows and how the screen is compared: TERMINAL_AT and wait_for_terminal in qmp.py.


def terminal_select_and_paste(qmp, at):
    """Drag over cells 0-3 of row 3 (10 x 19 cells from (at, at)), then a middle click."""
    y = at + 3 * 19 + 9
    qmp_pointer_to(qmp, at + 5, y)
    qmp_button(qmp, "left", True)
    qmp_pointer_to(qmp, at + 20, y)
    qmp_pointer_to(qmp, at + 35, y)
    qmp_button(qmp, "left", False)
    qmp_button(qmp, "middle", True)
    qmp_button(qmp, "middle", False)


def terminal_enter_and_paste(qmp, ppm, at, enter, paste):
    """Enter typed, then "nsh>" selected and pasted (terminal_select_and_paste), into the
    Terminal at (at, at): the problems if its goldens do not show."""
    problems = []
    qmp_chord(qmp, ["ret"])
    if wait_for_terminal(qmp, ppm, enter, [at], 20) is None:
        problems.append("no second prompt after Enter (golden terminal_boot_enter)")
    terminal_select_and_paste(qmp, at)
    if wait_for_terminal(qmp, ppm, paste, [at], 20) is None:
        problems.append("no pasted selection (golden terminal_boot_paste)")
    return problems


# What a Terminal's nsh writes: its greeting (test_gfx_golden's terminal_boot) and nsh's `ls`
# of /boot: the regular files at the top of the archive, in its order, one a line (cmd_ls in
# user/apps/nsh/files.c over boot_readdir in user/services/fs/bootmnt.c). Its line editor
# echoes what is typed at the end of the line, and Enter as CR LF.
NSH_GREETING = "\nNexus OS shell; help lists the commands.\nnsh> "
TERMINAL_COLS, TERMINAL_ROWS = 80, 25
TERMSHOT = os.path.join(ROOT, "build", "host", "termshot")


def boot_listing(archive):
    """nsh's `ls /boot` of a system booted from archive."""
    with open(archive, "rb") as f:
        table = subprocess.run(["cpio", "--quiet", "-itv"], stdin=f, capture_output=True,
                               check=True, text=True).stdout
    names = []
    for fields in (line.split(None, 8) for line in table.splitlines()):
        name = re.sub(r"^(\./)*/*", "", fields[8])
        if fields[0].startswith("-") and "/" not in name:
            names.append(name)
    return "".join(n + "\n" for n in names)


def terminal_expected(text, name, build=True):
    """The boot Terminal's screen after nsh wrote text, as the host draws it (tests/host/
    termshot.c, made first unless build is False), kept as build/tests/NAME.ppm."""
    if build:
        subprocess.run(["make", "-s", "-C", ROOT, "build/host/termshot"], check=True,
                       stdout=subprocess.DEVNULL)
    path = os.path.join(ROOT, "build", "tests", name + ".ppm")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    subprocess.run([TERMSHOT, str(TERMINAL_COLS), str(TERMINAL_ROWS), path], input=text.encode(),
                   check=True)
    return read_ppm(path)


def type_into_terminal(qmp, ppm, at, name):
    """`ls /boot` and `echo hi` typed (through the keyboard, the compositor's key map, the
    Terminal and its nsh) into the focused Terminal, whose content is at (at, at) and shows
    nsh's greeting: after each, the screen must show what nsh wrote. On a mismatch the screen
    is kept as build/tests/NAME-LINE-screen.ppm beside the expected NAME-LINE.ppm. The
    problems, and the image of what the Terminal shows last."""
    shell, problems = NSH_GREETING, []
    for line, output in (("ls /boot", boot_listing(INITRD)), ("echo hi", "hi\n")):
        qmp_type(qmp, line + "\r")
        shell += line + "\r\n" + output + "nsh> "
        shot = f"{name}-{line.split()[0]}"
        want = terminal_expected(shell, shot)
        if wait_for_terminal(qmp, ppm, want, [at], 30) is None:
            shutil.copy(ppm, os.path.join(ROOT, "build", "tests", shot + "-screen.ppm"))
            problems.append(f"`{line}` and its output not on the screen (build/tests/{shot}.ppm)")
    if problems:
        return problems, want
    return held_key_repeats(qmp, ppm, at, shell, name)


# A key held this long (host time) repeats: the compositor's key map repeats after 500 ms,
# then every 33 ms (nx/keymap.h), through a timer of its own.
KEY_HOLD_S = 1.5


def held_key_repeats(qmp, ppm, at, shell, name):
    """`a` pressed once and held KEY_HOLD_S: the Terminal shows it repeated, that is the
    prompt line with some number n >= 2 of a's (n depends on timing: each n is tried). The
    problems, and the image of what the Terminal shows."""
    qmp.command("input-send-event", events=[qmp_key("a", True)])
    time.sleep(KEY_HOLD_S)
    qmp.command("input-send-event", events=[qmp_key("a", False)])
    time.sleep(0.5)
    screen = screen_shot(qmp, ppm)
    for n in range(2, 120):
        want = terminal_expected(shell + "a" * n, f"{name}-repeat", build=False)
        if region_matches(screen, want, at, at):
            return [], want
    shutil.copy(ppm, os.path.join(ROOT, "build", "tests", f"{name}-repeat-screen.ppm"))
    return [f"a held {KEY_HOLD_S} s not repeated on the screen (2 to 119 a's expected)"], want


# Where terminal_shows_its_shell drags the second Terminal (its content's corner).
TERMINAL_MOVED_TO = 300


def move_and_focus_by_the_pointer(qmp, ppm, first, second, second_shows, first_shows, name):
    """The second Terminal (content at (second, second), showing second_shows, focused, over
    the first at (first, first) showing first_shows) dragged by its title bar to
    TERMINAL_MOVED_TO: it shows there whole; then a click on the first's title bar focuses and
    raises the first: it shows whole, its title bar in the focus colour, the second's not."""
    qmp_move_window(qmp, (second, second), (TERMINAL_MOVED_TO, TERMINAL_MOVED_TO))
    if wait_for_terminal(qmp, ppm, second_shows, [TERMINAL_MOVED_TO], 20) is None:
        return ["the second Terminal not shown whole where its title bar was dragged"]
    click = qmp_title_bar((first, first))
    qmp_drag(qmp, click, click)
    if wait_for_terminal(qmp, ppm, first_shows, [first], 20) is None:
        return ["the first Terminal not raised whole by a click on its title bar"]
    moved = qmp_title_bar((TERMINAL_MOVED_TO + 200, TERMINAL_MOVED_TO))
    return wm_pixels(qmp, name + "-focus", [(*click, WM_FOCUSED, "the first's title bar"),
                                            (*moved, WM_IDLE, "the moved second's title bar")]) \
        or terminal_resized_by_its_corner(qmp, name)


TERMINAL_W, TERMINAL_H = 800, 475   # 80 x 25 cells of 10 x 19
TERMINAL_BG = (0x1e, 0x1e, 0x1e)    # the dark palette's background (render.c)


def terminal_resized_by_its_corner(qmp, name):
    """The moved second Terminal's bottom-right frame corner dragged up and left by
    (200, 100): the compositor asks it for 600 x 375, and it draws a window of that size
    (its new right border where its content was, its background inside, the desktop where
    its lower right part was)."""
    at = TERMINAL_MOVED_TO
    corner = (at + TERMINAL_W + 2, at + TERMINAL_H + 2)   # inside the 4-pixel border
    qmp_drag(qmp, corner, (corner[0] - 200, corner[1] - 100))
    right, bottom = at + TERMINAL_W - 200, at + TERMINAL_H - 100
    return wm_pixels(qmp, name + "-resized", [
        (right - 5, bottom - 25, TERMINAL_BG, "the resized Terminal's background by its new corner"),
        (right + 1, at + 200, WM_FOCUSED, "its right border where its content was"),
        (right + 100, bottom + 50, WM_BG, "the desktop where its lower right part was")], timeout=20)


def check_terminal(name):
    """Boot with make gui's devices: the Terminal shows nsh's greeting, pixel for pixel as the
    host draws it; an Enter typed through QMP reaches its nsh, which draws a second prompt;
    "nsh>" selected with the pointer and pasted with the middle button reaches nsh too;
    Ctrl+Shift+N opens a second Terminal, with its own nsh, at the next place; and `ls /boot`
    and `echo hi` typed into it show as termshot draws nsh's output (the listing made from
    the archive booted); dragged by its title bar, it shows whole where it was dragged; a
    click on the first's title bar gives the first the focus and raises it."""
    qmp_dir = tempfile.mkdtemp(prefix="nexus-qmp-")
    sock, ppm = os.path.join(qmp_dir, "qmp.sock"), os.path.join(qmp_dir, "screen.ppm")
    con = Console(disk=login_tests.login_disk(name),
                  extra=["-qmp", f"unix:{sock},server=on,wait=off"] + gpu_device() + INPUT_DEVICES)
    problems = []
    if con.expect(r"init: up: .*\bgreeter\b.*; 0 manifest errors\)", timeout=60) is None:
        problems.append("init did not start the login screen")
    boot, enter, paste = [png_rgb(os.path.join(ROOT, f"tests/host/data/golden/{g}.png"))
                          for g in ("terminal_boot", "terminal_boot_enter", "terminal_boot_paste")]
    qmp = QMP(sock)
    if not gui_login(qmp, path=ppm):
        problems.append("no login screen")
    at = wait_for_terminal(qmp, ppm, boot, TERMINAL_AT, 60)
    if at is None:
        problems.append("no Terminal showing nsh's greeting (golden terminal_boot)")
    else:
        problems += terminal_enter_and_paste(qmp, ppm, at, enter, paste)
        qmp_chord(qmp, ["ctrl", "shift", "n"])
        if wait_for_terminal(qmp, ppm, boot, [at + 32], 30) is None:
            problems.append("no second Terminal after Ctrl+Shift+N (golden terminal_boot)")
        else:
            typed, shown = type_into_terminal(qmp, ppm, at + 32, name)
            problems += typed or move_and_focus_by_the_pointer(qmp, ppm, at, at + 32, shown,
                                                               paste, name)
    qmp.close()
    con.close(timeout=0)
    shutil.rmtree(qmp_dir, ignore_errors=True)
    out = con.text()
    problems += ["unexpected: " + p for p in (r"PANIC", r"killed", r"terminal: ") if re.search(p, out)]
    return problems, out


def wait_for_console(con, regex, timeout):
    """Whether regex shows anywhere in the console's text within timeout seconds (also if it
    came while something else was being waited for)."""
    end = time.monotonic() + timeout
    while not re.search(regex, con.text()) and time.monotonic() < end:
        time.sleep(0.2)
    return re.search(regex, con.text()) is not None


def check_driver_restarts(name):
    """Boot with make gui's devices; with the Terminal up, the GPU driver is killed through
    the serial console's nsh: init restarts it (its boot screen again), the compositor, which
    watches it, takes the display again and redraws the Terminal. Then both input drivers are
    killed: each takes its device again and the compositor connects to the new instances; an
    Enter (the keyboard) and a selection pasted with the pointer (the tablet) reach the
    Terminal's nsh, which draws them (the goldens of terminal_shows_its_shell)."""
    qmp_dir = tempfile.mkdtemp(prefix="nexus-qmp-")
    sock, ppm = os.path.join(qmp_dir, "qmp.sock"), os.path.join(qmp_dir, "screen.ppm")
    con = Console(disk=login_tests.login_disk(name),
                  extra=["-qmp", f"unix:{sock},server=on,wait=off"] + gpu_device() + INPUT_DEVICES)
    problems = []
    boot, enter, paste = [png_rgb(os.path.join(ROOT, f"tests/host/data/golden/{g}.png"))
                          for g in ("terminal_boot", "terminal_boot_enter", "terminal_boot_paste")]
    qmp = QMP(sock)
    kill = lambda svc: [("ps\r", [r"(\d+) running [^\n]* %s\n" % svc]),
                        ("kill $1\r", [r"killed process \d+"])]
    if not gui_login(qmp, path=ppm):
        problems.append("no login screen")
    at = wait_for_terminal(qmp, ppm, boot, TERMINAL_AT, 60)
    if at is None:
        problems.append("no Terminal showing nsh's greeting (golden terminal_boot)")
    else:
        problems += type_steps(con, kill("gpu"))
        if not wait_for_console(con, r"compositor: display taken again \(0\)", 30):
            problems.append("the compositor did not take the restarted GPU's display")
        if wait_for_terminal(qmp, ppm, boot, [at], 20) is None:
            problems.append("the Terminal not redrawn after the GPU's restart (golden terminal_boot)")
        problems += type_steps(con, kill("input") + kill("input2"))
        for svc in ("input", "input2"):
            if not wait_for_console(con, r"compositor: %s connected again \(0\)" % svc, 30):
                seen = re.findall(r"[^\n]*\b(?:wm|%s)\b[^\n]*" % svc, con.text())
                problems.append(f"the compositor did not connect to the restarted {svc}: {seen}")
        problems += terminal_enter_and_paste(qmp, ppm, at, enter, paste)
    qmp.close()
    con.close(timeout=0)
    shutil.rmtree(qmp_dir, ignore_errors=True)
    out = con.text()
    problems += missing(out, [r"init: %s \(pid \d+\) died with status -1000: restarting" % svc
                              for svc in ("gpu", "input", "input2")])
    taken = [(INPUT_READY % kind, kind) for kind in ("Keyboard", "Tablet")] + \
        [(r"virtio-gpu: \d+x\d+ scanout ready", "GPU")]
    problems += [f"the {what} was not taken twice (at boot, after the restart)"
                 for regex, what in taken if len(re.findall(regex, out)) != 2]
    problems += ["unexpected: " + p for p in (r"PANIC", r"E (wm|gpu|input2?):", r"terminal: ")
                 if re.search(p, out)]
    return problems, out


def check_input_absent(name):
    """No input device: both driver instances say so and exit with status 0."""
    con = Console()
    up = con.expect(r"init: up: .* input input2 wm greeter \(", timeout=60)
    problems = [] if up else ["init did not start both input drivers"]
    problems += type_steps(con, [("log\r", [ANY + r"I input: no input: no device",
                                           ANY + r"I input2: no input: no device"]),
                                ("ps\r", [ANY + r"exited .* input \(last status 0\)",
                                          ANY + r"exited .* input2 \(last status 0\)"])])
    con.close(timeout=0)
    out = con.text()
    problems += ["unexpected: " + p for p in (r"PANIC", r"virtio-input: ") if re.search(p, out)]
    return problems, out


# The compositor (docs/compositor.md): wmtest (manifest wm) puts windows up; the screen is read
# back through QMP screendump at known points while QMP clicks, drags and keys drive it.
WM_BG, WM_FOCUSED, WM_IDLE = (0x20, 0x30, 0x40), (0x30, 0x70, 0xc0), (0x68, 0x70, 0x78)
WM_RED, WM_GREEN, WM_BLUE = (0xd0, 0x20, 0x20), (0x20, 0xb0, 0x40), (0x20, 0x40, 0xd0)
WM_YELLOW, WM_WHITE = (0xf0, 0xc0, 0x20), (0xff, 0xff, 0xff)


def wm_pixels(qmp, name, want, timeout=10):
    """Screendumps until every (x, y, colour, what) of want holds (composition runs after the
    events that cause it): the differences left at the timeout."""
    ppm = os.path.join(ROOT, "build", "tests", name + ".ppm")
    os.makedirs(os.path.dirname(ppm), exist_ok=True)
    end = time.monotonic() + timeout
    while True:
        qmp.command("screendump", filename=ppm)
        width, _, rgb = read_ppm(ppm)
        wrong = []
        for x, y, color, what in want:
            got = bytes(rgb[3 * (y * width + x):3 * (y * width + x) + 3])
            if got != bytes(color):
                wrong.append(f"{name}: {what} at ({x}, {y}) is {got.hex()}, want {bytes(color).hex()}")
        if not wrong or time.monotonic() > end:
            return wrong
        time.sleep(0.3)


def check_wm_windows(name):
    """Windows of wmtest and its child on the screen where and as they should be; a click
    focuses and raises, a title-bar drag moves, a corner drag resizes (the client answering
    the compositor's configure), a killed client's window vanishes, a
    fullscreen surface is scanned out with no byte copied, the compositor killed comes back
    and its client reconnects."""
    qmp_dir = tempfile.mkdtemp(prefix="nexus-qmp-")
    sock = os.path.join(qmp_dir, "qmp.sock")
    con = Console(initrd=archive_with_manifest("wm"),
                  extra=["-qmp", f"unix:{sock},server=on,wait=off"] + gpu_device() + INPUT_DEVICES)
    problems = []
    for line in (r"wmtest: windows up", r"wmtest: child window up \(0\)",
                 r"compositor: 2 input devices"):
        end = time.monotonic() + 60
        while not re.search(line, con.text()) and time.monotonic() < end:
            time.sleep(0.2)
        if not re.search(line, con.text()):
            problems.append(f"no '{line}'")
    if problems:
        con.close(timeout=0)
        return problems, con.text()
    qmp = QMP(sock)
    red_title, green_title, blue_title = (250, 77), (400, 157), (800, 377)
    problems += wm_pixels(qmp, name + "-1", [
        (110, 110, WM_RED, "red"), (400, 300, WM_GREEN, "green"), (260, 200, WM_GREEN, "green over red"),
        (750, 450, WM_BLUE, "the child's blue"), (1000, 100, WM_BG, "background"),
        (50, 50, WM_BG, "background"), (*blue_title, WM_FOCUSED, "blue's title bar (focused)"),
        (*red_title, WM_IDLE, "red's title bar"), (*green_title, WM_IDLE, "green's title bar")])
    # The child never reads its ring: 300 motions over its window fill it (204 events), the
    # rest are dropped, and nobody else notices.
    for i in range(300):
        qmp.command("input-send-event", events=qmp_point(720 + i % 100, 420 + i % 60))
    qmp.command("input-send-event", events=qmp_point(150, 150))
    for down in (True, False):
        qmp_button(qmp, "left", down)
    if con.expect(r"wmtest: red focused", timeout=20) is None:
        problems.append("the click did not focus red")
    problems += wm_pixels(qmp, name + "-2", [
        (260, 200, WM_RED, "red raised over green"), (*red_title, WM_FOCUSED, "red's title bar (focused)"),
        (*green_title, WM_IDLE, "green's title bar"), (*blue_title, WM_IDLE, "blue's title bar")])
    qmp.command("input-send-event", events=qmp_point(200, 88))
    qmp_button(qmp, "left", True)
    for x, y in ((350, 238), (500, 388)):
        qmp.command("input-send-event", events=qmp_point(x, y))
    qmp_button(qmp, "left", False)
    problems += wm_pixels(qmp, name + "-3", [
        (410, 410, WM_RED, "red moved"), (110, 110, WM_BG, "where red was"),
        (260, 200, WM_GREEN, "green uncovered"), (550, 377, WM_FOCUSED, "red's title bar moved"),
        (451, 200, WM_IDLE, "green's right border"), (861, 450, WM_IDLE, "blue's right border")])
    # Red's bottom-right corner (its frame ends at (603, 553)) dragged by (50, 50): the client
    # is asked for 250x200 and draws it.
    qmp.command("input-send-event", events=qmp_point(602, 552))
    qmp_button(qmp, "left", True)
    qmp.command("input-send-event", events=qmp_point(652, 602))
    qmp_button(qmp, "left", False)
    if con.expect(r"wmtest: red resized to 250x200", timeout=20) is None:
        problems.append("no 'wmtest: red resized to 250x200'")
    problems += wm_pixels(qmp, name + "-resized", [
        (640, 590, WM_RED, "red's new corner"), (651, 500, WM_FOCUSED, "red's right border moved"),
        (620, 580, WM_RED, "red's new content")])
    # The compositor runs the de key map (the manifest's keymap=de): QEMU's y and z keys
    # (evdev 21 and 44) give z and y.
    for qcode, line in (("y", r"wmtest: key 21 \(U\+007a\) to red"), ("z", r"wmtest: key 44 \(U\+0079\) to red")):
        qmp_tap(qmp, qcode)
        if con.expect(line, timeout=20) is None:
            problems.append(f"no '{line}' (the de key map)")
    qmp_tap(qmp, "k")
    if con.expect(r"wmtest: child killed", timeout=20) is None:
        problems.append("no 'wmtest: child killed'")
    problems += wm_pixels(qmp, name + "-4", [(750, 450, WM_BG, "where the killed child's window was"),
                                             (410, 410, WM_RED, "red")])
    qmp_tap(qmp, "f")
    if con.expect(r"wmtest: fullscreen up", timeout=20) is None:
        problems.append("no 'wmtest: fullscreen up'")
    problems += wm_pixels(qmp, name + "-5", [(x, y, WM_YELLOW, "fullscreen")
                                             for x, y in ((0, 0), (640, 400), (1279, 799))])
    qmp_tap(qmp, "q")
    if con.expect(r"wmtest: reconnected", timeout=30) is None:
        problems.append("no 'wmtest: reconnected'")
    problems += wm_pixels(qmp, name + "-6", [(510, 310, WM_WHITE, "the window after the restart"),
                                             (410, 410, WM_BG, "the old compositor's windows gone"),
                                             (260, 200, WM_BG, "the old compositor's windows gone")])
    qmp_tap(qmp, "q")
    if con.expect(r"wmtest: 0 failures", timeout=30) is None:
        problems.append("no 'wmtest: 0 failures'")
    qmp.close()
    con.close(timeout=0)
    shutil.rmtree(qmp_dir, ignore_errors=True)
    out = con.text()
    problems += missing(out, [r"wmtest: the glyph atlas ok", r"wmtest: its rights: READ and MAP only ok",
                              r"wmtest: it attaches ok", r"wmtest: the atlas has 4 faces",
                              r"wmtest: a flush by a stranger refused ok",
                              r"wmtest: windowed present of 50x40 copied 8000 bytes",
                              r"wmtest: the child.s full ring dropped events ok",
                              r"wmtest: key presses timed to the flushes after them ok",
                              r"wmtest: fullscreen present of 100x100 copied 0 bytes",
                              r"wmtest: gpu came back as pid \d+",
                              r"compositor: display taken again \(0\)",
                              r"wmtest: after the GPU's restart, a fullscreen present copied 0 bytes",
                              r"init: wm \(pid \d+\) died with status -1000: restarting"])
    problems += ["unexpected: " + p for p in (r"PANIC", r"WRONG", r"E (wm|gpu):", r"killed: ")
                 if re.search(p, out)]
    return problems, out


def main():
    only = sys.argv[1:]
    passed = failed = 0
    cases = [(c[0], check, c) for c in CASES] + [(c[0], check_shell, c) for c in SHELL_CASES]
    cases.append(("block_driver_writes_persist_and_reports_errors", check_blk_persists,
                  ("block_driver_writes_persist_and_reports_errors",)))
    cases.append(("console_lines_stay_whole", check_console_lines, ("console_lines_stay_whole",)))
    cases.append(("files_persist_across_boots", check_files_persist, ("files_persist_across_boots",)))
    cases.append(("cp_of_big_files_whole_or_not_at_all", check_cp_big_files,
                  ("cp_of_big_files_whole_or_not_at_all",)))
    cases.append(("files_larger_than_the_cache", check_files_larger_than_the_cache,
                  ("files_larger_than_the_cache",)))
    cases.append(("files_ten_times_the_cache", check_files_ten_times_the_cache,
                  ("files_ten_times_the_cache",)))
    cases.append(("a_mapped_file_four_times_the_cache_read_by_two", check_mapped_file_read_by_two,
                  ("a_mapped_file_four_times_the_cache_read_by_two",)))
    cases.append(("the_pager_killed_under_a_fault", check_pager_killed_under_a_fault,
                  ("the_pager_killed_under_a_fault",)))
    cases.append(("a_read_only_file_passes_to_a_child", check_file_shared,
                  ("a_read_only_file_passes_to_a_child",)))
    cases.append(("a_file_truncated_under_a_mapping", check_file_truncated,
                  ("a_file_truncated_under_a_mapping",)))
    cases.append(("power_cuts_keep_fsynced_files", check_power_cuts,
                  ("power_cuts_keep_fsynced_files",)))
    cases.append(("power_cuts_with_files_larger_than_the_cache", check_power_cuts,
                  ("power_cuts_with_files_larger_than_the_cache", True)))
    cases.append(("gpu_boot_screen_on_the_display", check_gpu_boot_screen,
                  ("gpu_boot_screen_on_the_display", False)))
    cases.append(("gpu_before_the_disk_both_found_by_id", check_gpu_boot_screen,
                  ("gpu_before_the_disk_both_found_by_id", True)))
    cases.append(("virtio_grants_one_device_each_by_id", check_virtio_grants,
                  ("virtio_grants_one_device_each_by_id",)))
    cases.append(("wall_clock_from_the_rtc_in_date_and_file_times", check_wall_clock,
                  ("wall_clock_from_the_rtc_in_date_and_file_times",)))
    cases.append(("entropy_service_without_the_device", check_rng_absent,
                  ("entropy_service_without_the_device",)))
    cases.append(("net_driver_sends_arp_and_receives_the_reply", check_net_driver,
                  ("net_driver_sends_arp_and_receives_the_reply",)))
    cases.append(("net_driver_without_a_card_exits", check_net_driver,
                  ("net_driver_without_a_card_exits", False)))
    cases.append(("netstack_dhcp_tcp_echo_and_connect_out", check_netstack,
                  ("netstack_dhcp_tcp_echo_and_connect_out",)))
    cases.append(("netstack_without_a_card_exits", check_netstack_without_a_card,
                  ("netstack_without_a_card_exits",)))
    cases.append(("gpu_mode_too_large_is_refused", check_gpu_bad_mode,
                  ("gpu_mode_too_large_is_refused",)))
    cases.append(("input_keys_and_pointer_reach_the_driver", check_input_events,
                  ("input_keys_and_pointer_reach_the_driver",)))
    cases.append(("input_events_on_a_clients_ring", check_input_rings,
                  ("input_events_on_a_clients_ring",)))
    cases.append(("input_driver_without_a_device_exits", check_input_absent,
                  ("input_driver_without_a_device_exits",)))
    cases.append(("display_and_input_drivers_restart_under_the_terminal", check_driver_restarts,
                  ("display_and_input_drivers_restart_under_the_terminal",)))
    cases.append(("compositor_windows_focus_move_crash_fullscreen_restart", check_wm_windows,
                  ("compositor_windows_focus_move_crash_fullscreen_restart",)))
    cases.append(("every_hart_started_and_parked", check_harts, ("every_hart_started_and_parked",)))
    cases.append(("terminal_shows_its_shell", check_terminal, ("terminal_shows_its_shell",)))
    cases.append(("graphics_library_draws_the_golden_pixels", check_gfx,
                  ("graphics_library_draws_the_golden_pixels",)))
    cases.append(("shell_pipes_redirections_jobs_scripts", check_shell_pipes,
                  ("shell_pipes_redirections_jobs_scripts",)))
    cases.append(("smp_threads_kill_unmap_fp_affinity_storm", check_smp,
                  ("smp_threads_kill_unmap_fp_affinity_storm",)))
    cases.append(("smp_threads_kill_unmap_fp_affinity_storm_at_%d_harts" % SMP_OTHER, check_smp,
                  ("smp_threads_kill_unmap_fp_affinity_storm_at_%d_harts" % SMP_OTHER, SMP_OTHER)))
    # The network's cases (tests/qemu/net_tests.py).
    cases += [(n, f, (n,)) for n, f in net_tests.CASES]
    # The console login's (tests/qemu/login_tests.py).
    cases += [(n, f, (n,)) for n, f in login_tests.CASES]
    # The login screen's (tests/qemu/gui_login_tests.py).
    cases += [(n, f, (n,)) for n, f in gui_login_tests.CASES]
    # The desktop's (tests/qemu/desktop_tests.py).
    cases += [(n, f, (n,)) for n, f in desktop_tests.CASES]
    # The login screen's and the desktop's pixel goldens (tests/qemu/golden_tests.py).
    cases += [(n, f, (n,)) for n, f in golden_tests.CASES]
    # The settings service's (tests/qemu/settings_tests.py).
    cases += [(n, f, (n,)) for n, f in settings_tests.CASES]
    # Settings applied live by the login screen, the desktop and the compositor.
    cases += [(n, f, (n,)) for n, f in theme_tests.CASES]
    # The desktop apps' (tests/qemu/apps_tests.py).
    cases += [(n, f, (n,)) for n, f in apps_tests.CASES]
    # The Control centre's (tests/qemu/control_tests.py).
    cases += [(n, f, (n,)) for n, f in control_tests.CASES]
    # Cases booting a hart count of their own give the same result in every pass of make test
    # (one per NEXUS_SMP): unless named, they run in the -smp 1 pass only.
    own_harts = {"every_hart_started_and_parked", "the_pager_killed_under_a_fault"} | \
        {c[0] for c in CASES if len(c) > 7}
    for name, checker, case in cases:
        if only and name not in only:
            continue
        if not only and SMP != 1 and name in own_harts:
            print(f"SKIP {name} (boots its own hart count; runs in the -smp 1 pass)")
            continue
        problems, out = checker(*case)
        if problems:
            failed += 1
            print(f"FAIL {name}")
            for p in problems:
                print("     " + p)
            print("     --- output ---\n" + "\n".join("     | " + l for l in out.splitlines()[-int(os.environ.get("NEXUS_TAIL", "40")):]))
        else:
            passed += 1
            print(f"PASS {name}")
    print(f"{passed} passed, {failed} failed (-smp {SMP})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
