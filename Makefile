# Nexus OS: `make run` boots NEURON in QEMU, `make test` runs every test, `make bench`
# reports instruction counts. Each first installs what it needs (tools/setup-deps).
.SECONDEXPANSION:
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.PRECIOUS: build/user/%.c.o build/tests/qemu/progs/%.c.o build/bin/% build/bench/progs/%.c.o

CROSS   := riscv64-unknown-elf-
CC_RV   := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
SIZE    := $(CROSS)size
QEMU    := qemu-system-riscv64
OPENSBI := /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
BOOTARGS ?=
# The disk of `make run`: an ext3 image of user/disk/, made on the first run and kept after
# (what the user saves stays saved), attached as a modern virtio-mmio block device; after it an
# entropy device (virtio-rng, the service rng) and a network card on QEMU's user network
# (virtio-net, the service netdev; the host's 127.0.0.1:8080 forwarded to the guest's port 80).
# Drivers find their devices by ID, not slot.
DISK      := build/disk.img
DISK_MIB  := 64
# Harts QEMU gives the machine (make run SMP=N). NEURON starts them all; it schedules on the
# boot hart and parks the others for now (kernel/arch/riscv/harts.h).
SMP       ?= 4
QEMU_OPTS = -machine virt -cpu rv64 -smp $(SMP) -m 256M -nographic -no-reboot \
            -bios $(OPENSBI) -kernel build/neuron.bin -initrd build/initrd.cpio \
            -drive file=$(DISK),if=none,format=raw,id=d0 -device virtio-blk-device,drive=d0 \
            -global virtio-mmio.force-legacy=false -device virtio-rng-device \
            -netdev user,id=n0,hostfwd=tcp:127.0.0.1:8080-:80 -device virtio-net-device,netdev=n0 \
            $(if $(BOOTARGS),-append "$(BOOTARGS)")

# The display (docs/graphics.md): a virtio GPU of 1280x800, after the disk on the command
# line. make gui and make screenshot boot the same image as make run with it, the serial
# console staying on the terminal (make screenshot's on a pipe, with no window at all).
# Input (docs/input.md): a virtio keyboard and tablet (the tablet makes QEMU's pointer absolute).
GPU_DEVICE      := -device virtio-gpu-device,xres=1280,yres=800 \
                   -device virtio-keyboard-device -device virtio-tablet-device
QEMU_GUI_OPTS    = $(subst -nographic,-serial mon:stdio,$(QEMU_OPTS)) $(GPU_DEVICE)
QEMU_SHOT_OPTS   = $(subst -nographic,-display none -serial stdio,$(QEMU_OPTS)) $(GPU_DEVICE)
# make gui without a display ($$DISPLAY empty): QEMU's VNC server on this address.
GUI_VNC         := 127.0.0.1:0

COMMON_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -fno-common -MMD -MP \
                 -mcmodel=medany -Iinclude
# The kernel never touches floating point, so it can switch threads without FP state.
# No frame pointer: the IPC and syscall paths are counted in instructions, and GDB unwinds
# from the DWARF info (-g) anyway; a panic prints registers, not a backtrace.
KERNEL_CFLAGS := $(COMMON_CFLAGS) -fomit-frame-pointer -ffreestanding -fno-stack-protector -nostdlib \
                 -ffunction-sections -fdata-sections \
                 -march=rv64imac_zicsr_zifencei -mabi=lp64 -Ikernel
# User ABI: RV64GC (IMAFDC), LP64D: hardware floating point, switched lazily by the kernel
# (kernel/arch/riscv/fpu.h); see docs/abi.md.
# Programs are hosted C on picolibc (its headers; TLS variables local-exec, see user.ld), in
# the build Debian ships for speed (release: word-wide memcpy and memset) rather than its
# default one for size (byte loops); the specs pick headers, libc and crt0 of that build.
# Why: docs/design-decisions.md, "picolibc".
PICOLIBC      := --specs=picolibc.specs --picolibc-buildtype=release
USER_CFLAGS   := $(COMMON_CFLAGS) -fno-omit-frame-pointer $(PICOLIBC) \
                 -march=rv64imafdc_zicsr -mabi=lp64d -ffunction-sections -fdata-sections \
                 -Iuser/lib/include
# Linking names the plain ISA so GCC picks the rv64imafdc/lp64d multilib (its default) of
# libgcc and picolibc.
LINK_MARCH    := -march=rv64imafdc -mabi=lp64d
USER_LDFLAGS  := $(LINK_MARCH) -nostartfiles -static -T user/lib/user.ld \
                 -Wl,--gc-sections
# libnx whole: its definitions of what picolibc leaves to the system (sbrk, _exit, stdout,
# the lock functions...) must win over picolibc's defaults whether or not the program's own
# code names them; --gc-sections then drops what nothing uses.
LINK_LIBNX    := -Wl,--whole-archive build/libnx.a -Wl,--no-whole-archive

KERNEL_SRCS := $(wildcard kernel/*.c kernel/lib/*.c kernel/arch/riscv/*.c kernel/arch/riscv/*.S)
KERNEL_OBJS := $(patsubst %,build/%.o,$(KERNEL_SRCS))
# user/lib/fs/: the ext2/ext3 file-system library (nx/ext2.h), host-tested unchanged;
# user/lib/virtio/: the virtio transport every virtio driver shares (nx/virtio.h, nx/virtq.h).
LIBNX_SRCS  := $(wildcard user/lib/*.c user/lib/*.S user/lib/fs/*.c user/lib/virtio/*.c)
# The kernel's validated ELF and cpio parsers, compiled into libnx unchanged (the loader and
# the boot archive reader use them), and its memcpy: it takes the place of picolibc's in
# every program (fewer instructions per word, docs/perf-vm.md).
LIBNX_KLIB  := kernel/lib/elf.c kernel/lib/cpio.c kernel/lib/memcpy.c
LIBNX_OBJS  := $(patsubst %,build/%.o,$(LIBNX_SRCS)) \
               $(patsubst kernel/lib/%,build/user/klib/%.o,$(LIBNX_KLIB))
# The programs, linked into build/bin/: the system's, each a directory
# user/{apps,services,drivers}/<name>/ (its .c files) or user/init/ (the program "init"); the
# QEMU tests', each one file tests/qemu/progs/<name>.c; make bench's, each a directory
# bench/progs/<name>/.
PROGRAM_DIRS := $(wildcard user/apps/* user/services/* user/drivers/*)
APPS         := $(notdir $(PROGRAM_DIRS))
TEST_PROGS   := $(basename $(notdir $(wildcard tests/qemu/progs/*.c)))
BENCH_DIRS   := $(wildcard bench/progs/*)
BENCH_PROGS  := $(notdir $(BENCH_DIRS))
# Three boot archives (docs/testing.md, "Boot archives"): the system that `make run` boots,
# with nothing a user does not run; the QEMU suite's, the system plus the test programs (and
# badelf, a truncated executable); make bench's, the system plus the bench programs.
# The fonts (Debian's fonts-dejavu-core) travel in the archive: it is sealed, and programs
# take fonts from nowhere else (stb_truetype does not defend against hostile font files).
FONTS        := DejaVuSans.ttf DejaVuSans-Bold.ttf DejaVuSansMono.ttf DejaVuSansMono-Bold.ttf
# App manifests (docs/desktop.md): user/apps/<name>/<name>.app beside each installed app,
# /boot/<name>.app for the desktop's launcher; the QEMU suite's own in tests/qemu/apps/.
# Session manifests (docs/login.md) the same way: /boot/<name>.session, what a login starts.
APP_MANIFESTS := $(notdir $(wildcard user/apps/*/*.app user/apps/*/*.session))
TEST_APP_MANIFESTS := $(notdir $(wildcard tests/qemu/apps/*.app tests/qemu/apps/*.session))
SYSTEM_FILES := init manifest $(APPS) $(FONTS) $(APP_MANIFESTS)
TEST_FILES   := $(SYSTEM_FILES) $(TEST_PROGS) badelf $(TEST_APP_MANIFESTS)
BENCH_FILES  := $(SYSTEM_FILES) $(BENCH_PROGS)
ARCHIVES     := build/initrd.cpio build/initrd-test.cpio build/initrd-bench.cpio

.PHONY: FORCE all deps run gui screenshot test test-all abi-check image-check model-check qemu-test golden-screens bench debug clean
all: build/neuron.bin $(ARCHIVES)

deps:
	@tools/setup-deps

# ---- kernel ----
build/kernel/%.c.o: kernel/%.c
	@mkdir -p $(@D)
	$(CC_RV) $(KERNEL_CFLAGS) -c -o $@ $<
# Constants the assembly takes from C headers (.equ, e.g. the NX_ERR_* codes) stay out of the
# symbol table, where they would name small addresses in GDB and objdump.
build/kernel/%.S.o: kernel/%.S
	@mkdir -p $(@D)
	$(CC_RV) $(KERNEL_CFLAGS) -Wa,--strip-local-absolute -c -o $@ $<
# Linked with the plain ISA's name so GCC picks the rv64imac/lp64 (soft-float) libgcc.
build/neuron.elf: $(KERNEL_OBJS) kernel/arch/riscv/kernel.ld
	$(CC_RV) $(KERNEL_CFLAGS) -march=rv64imac -mabi=lp64 -T kernel/arch/riscv/kernel.ld -Wl,--gc-sections \
	    -o $@ $(KERNEL_OBJS) -lgcc
build/neuron.bin: build/neuron.elf
	$(OBJCOPY) -O binary $< $@

# ---- user space ----
# User objects and programs remember the flags they were built with: a change of USER_CFLAGS
# or USER_LDFLAGS (another picolibc build, say) rebuilds user space without a `make clean`.
# (Taken here, before any target adds to them: a target's own flags reach its prerequisites.)
USER_FLAGS      := build/user-flags
USER_FLAGS_TEXT := $(USER_CFLAGS) $(USER_LDFLAGS)
$(USER_FLAGS): FORCE
	@mkdir -p $(@D)
	@echo '$(USER_FLAGS_TEXT)' | cmp -s - $@ || echo '$(USER_FLAGS_TEXT)' > $@
FORCE:
# C of user space: libnx and the programs (user/), the test and the bench programs.
define user_c_rule
build/$(1)/%.c.o: $(1)/%.c $$(USER_FLAGS)
	@mkdir -p $$(@D)
	$$(CC_RV) $$(USER_CFLAGS) -c -o $$@ $$<
endef
$(foreach d,user tests/qemu/progs bench/progs,$(eval $(call user_c_rule,$(d))))
# libnx reaches the kernel's parser headers as "lib/elf.h", "lib/cpio.h".
build/user/lib/%.c.o: USER_CFLAGS += -iquote kernel
# The file system service reads the boot archive with the same parser.
build/user/services/fs/%.c.o: USER_CFLAGS += -iquote kernel
build/user/lib/%.S.o: user/lib/%.S $(USER_FLAGS)
	@mkdir -p $(@D)
	$(CC_RV) $(USER_CFLAGS) -c -o $@ $<
# memcpy as the kernel has it: a leaf without a stack frame (programs keep frame pointers
# for their backtraces; a copy is never where one stops).
build/user/klib/memcpy.c.o: USER_CFLAGS += -fomit-frame-pointer
build/user/klib/%.c.o: kernel/lib/%.c $(USER_FLAGS)
	@mkdir -p $(@D)
	$(CC_RV) $(USER_CFLAGS) -iquote kernel -c -o $@ $<
build/libnx.a: $(LIBNX_OBJS)
	rm -f $@ && $(CROSS)ar rcs $@ $^
app_srcs = $(if $(filter init,$(1)),$(wildcard user/init/*.c),\
             $(foreach d,$(filter %/$(1),$(PROGRAM_DIRS) $(BENCH_DIRS)),$(wildcard $(d)/*.c)) \
             $(wildcard tests/qemu/progs/$(1).c))
app_objs = $(patsubst %,build/%.o,$(call app_srcs,$(1)))
build/bin/%: $$(call app_objs,$$*) build/libnx.a user/lib/user.ld $(USER_FLAGS)
	@mkdir -p $(@D)
	$(CC_RV) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $(filter %.o,$^) \
	    $(filter-out build/libnx.a,$(filter %.a,$^)) $(LINK_LIBNX)
# Data files of the boot archive: init's manifest (docs/userspace.md, "Manifest").
build/bin/manifest: user/init/manifest.txt
	@mkdir -p $(@D)
	cp $< $@
# A program that skips the runtime, so the loader's startup deadline can be tested (_start
# stays linked in, so the image has the usual segments).
build/bin/mute: USER_LDFLAGS += -Wl,--entry=mute_entry -Wl,--undefined=_start
# A truncated executable, so the tests can check that the loader refuses it.
build/bin/badelf: build/bin/hello
	head -c 200 $< > $@
# The archives carry programs without their debug info (a quarter of the bytes to load);
# GDB reads the symbols from build/bin/.
NOT_ELF := manifest badelf
build/packed/%.ttf: /usr/share/fonts/truetype/dejavu/%.ttf
	@mkdir -p $(@D)
	cp $< $@
vpath %.app $(PROGRAM_DIRS) tests/qemu/apps
vpath %.session $(PROGRAM_DIRS) tests/qemu/apps
build/packed/%.app: %.app
	@mkdir -p $(@D)
	cp $< $@
build/packed/%.session: %.session
	@mkdir -p $(@D)
	cp $< $@
build/packed/%: build/bin/%
	@mkdir -p $(@D)
	$(if $(filter $(NOT_ELF),$*),cp $< $@,$(CROSS)strip --strip-debug -o $@ $<)
build/initrd.cpio: $(addprefix build/packed/,$(SYSTEM_FILES))
build/initrd-bench.cpio: $(addprefix build/packed/,$(BENCH_FILES))
build/initrd.cpio build/initrd-bench.cpio:
	cd build/packed && printf '%s\n' $(sort $(notdir $^)) | \
	    cpio --quiet -o -H newc --reproducible > ../$(@F)
# The QEMU suite's archive differs from the system's in two lines more: its serial console
# runs nsh at once instead of the login, with the grants the login hands a shell and the
# whole disk (the file, shell and service cases test those, each without an account), and
# its login screen starts a Terminal as the session instead of the desktop (the Terminal's
# cases log in and test the Terminal). The console login is tested on the system's archive
# (tests/qemu/login_tests.py), the desktop with a manifest of its own (desktop_tests.py). Copies, not
# hard links: cpio moves hard-linked files to the end of the archive.
CONSOLE_SHELL := service nsh prio=16 pages=3072 grant=console,log,svcmgr,exec,proc,fs,net restart
build/packed-test/manifest: user/init/manifest.txt Makefile
	@mkdir -p $(@D)
	sed -e 's/^service login .*/$(CONSOLE_SHELL)/' -e 's/^net login /net nsh /' \
	    -e 's|^\(service greeter .*\)$$|\1 -- session=terminal|' $< > $@
	grep -q '^service nsh ' $@ && grep -q 'session=terminal$$' $@
build/initrd-test.cpio: $(addprefix build/packed/,$(filter-out manifest,$(TEST_FILES))) build/packed-test/manifest
	cd build/packed-test && cp $(addprefix ../packed/,$(filter-out manifest,$(TEST_FILES))) . && \
	    printf '%s\n' $(sort $(TEST_FILES)) | cpio --quiet -o -H newc --reproducible > ../$(@F)

# ---- running ----
# Made only if missing: no prerequisites, so a change in user/disk/ never replaces it.
$(DISK):
	@mkdir -p $(@D)
	mke2fs -q -t ext3 -d user/disk $@ $(DISK_MIB)M

run: deps
	@$(MAKE) --no-print-directory all $(DISK)
	$(QEMU) $(QEMU_OPTS)

# A QEMU window: GTK (Debian's qemu-system-gui, installed by tools/setup-deps gui) when there
# is a display, else VNC on 127.0.0.1 (display :0, port 5900). The shell stays on the terminal.
gui: deps
	@$(MAKE) --no-print-directory all $(DISK)
	@if [ -n "$$DISPLAY" ]; then \
	    tools/setup-deps gui && echo "$(QEMU) $(QEMU_GUI_OPTS) -display gtk" && \
	    $(QEMU) $(QEMU_GUI_OPTS) -display gtk; \
	else \
	    echo "make gui: no \$$DISPLAY: the screen is on VNC at $(GUI_VNC) (port 5900)"; \
	    $(QEMU) $(QEMU_GUI_OPTS) -display vnc=$(GUI_VNC); \
	fi

# Boot headless, wait for the GPU driver's "scanout ready", save build/screenshots/boot.png
# (QMP screendump), power off.
screenshot: deps
	@$(MAKE) --no-print-directory all $(DISK)
	python3 tools/screenshot.py $(QEMU) $(QEMU_SHOT_OPTS)

debug: deps
	@$(MAKE) --no-print-directory all $(DISK)
	@echo "QEMU waits for GDB on :1234; in another shell: gdb-multiarch -x tools/gdbinit"
	$(QEMU) $(QEMU_OPTS) -S -s

# ---- tests ----
test: deps
	@$(MAKE) --no-print-directory test-all

test-all: abi-check image-check host-test fuzz-quick model-check qemu-test

# The syscall table (NX_SYSCALLS): docs/abi.md is generated from it and must be up to date, and
# a handler whose signature disagrees with it must not compile (tests/abi/handler_signature.c,
# checked both ways so that the refusal is for that reason).
ABI_CHECK_CFLAGS := $(filter-out -MMD -MP,$(KERNEL_CFLAGS)) -fsyntax-only
abi-check:
	python3 tools/abi_doc.py --check
	$(CC_RV) $(ABI_CHECK_CFLAGS) -DAGREES tests/abi/handler_signature.c
	@if $(CC_RV) $(ABI_CHECK_CFLAGS) tests/abi/handler_signature.c 2>/dev/null; then \
	    echo "tests/abi/handler_signature.c: a handler disagreeing with NX_SYSCALLS compiled"; \
	    exit 1; \
	fi
	@echo "a handler disagreeing with NX_SYSCALLS does not compile"

# The SMP protocols as Promela models, checked exhaustively by SPIN, and broken variants of them
# that must fail (tests/model/, docs/testing.md "SMP protocol models").
model-check:
	tests/model/check.sh build/model

# The system archive holds no test or bench program, and every program its manifest starts.
image-check: build/initrd.cpio
	python3 tools/check_image.py build/initrd.cpio

# The QEMU suite once per hart count of QEMU_TEST_SMP (tests/qemu/qemu.py reads NEXUS_SMP); each
# pass ends with its own summary line, every pass runs, and any failed pass fails the target.
QEMU_TEST_SMP ?= 1 4
qemu-test: all build/host/termshot
	@status=0; for n in $(QEMU_TEST_SMP); do \
	    echo "== QEMU suite at -smp $$n"; \
	    (cd tests/qemu && NEXUS_SMP=$$n python3 run_tests.py) || status=1; \
	done; exit $$status

# The login screen's and the desktop's pixel goldens (tests/qemu/golden/, docs/testing.md
# "Screen goldens") taken again from the running system: look at them before committing.
golden-screens: all
	cd tests/qemu && NX_GOLDEN_UPDATE=1 python3 run_tests.py login_and_desktop_match_their_goldens

bench: deps
	@$(MAKE) --no-print-directory all
	python3 bench/run_bench.py $(BENCH_ONLY)

clean:
	rm -rf build

include mk/gfx.mk
include mk/terminal.mk
include mk/apps.mk
include mk/desktop.mk
include mk/lwip.mk
include mk/argon2.mk
include mk/host.mk
-include $(shell find build -path build/src -prune -o -name '*.d' -type f -print 2>/dev/null)
