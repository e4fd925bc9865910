# Nexus OS: `make run` boots NEURON in QEMU, `make test` runs every test, `make bench`
# reports instruction counts. Each first installs what it needs (tools/setup-deps).
.SECONDEXPANSION:
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.PRECIOUS: build/user/%.c.o build/tests/qemu/progs/%.c.o

CROSS   := riscv64-unknown-elf-
CC_RV   := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
SIZE    := $(CROSS)size
QEMU    := qemu-system-riscv64
OPENSBI := /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
BOOTARGS ?=
# The disk of `make run`: an ext3 image of user/disk/, made on the first run and kept after
# (what the user saves stays saved), attached as a modern virtio-mmio block device.
DISK      := build/disk.img
DISK_MIB  := 64
QEMU_OPTS = -machine virt -cpu rv64 -smp 1 -m 256M -nographic -no-reboot \
            -bios $(OPENSBI) -kernel build/neuron.bin -initrd build/initrd.cpio \
            -drive file=$(DISK),if=none,format=raw,id=d0 -device virtio-blk-device,drive=d0 \
            -global virtio-mmio.force-legacy=false \
            $(if $(BOOTARGS),-append "$(BOOTARGS)")

COMMON_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -fno-common -MMD -MP \
                 -mcmodel=medany -Iinclude
# The kernel never touches floating point, so it can switch threads without FP state.
# No frame pointer: the IPC and syscall paths are counted in instructions, and GDB unwinds
# from the DWARF info (-g) anyway; a panic prints registers, not a backtrace.
KERNEL_CFLAGS := $(COMMON_CFLAGS) -fomit-frame-pointer -ffreestanding -fno-stack-protector -nostdlib \
                 -ffunction-sections -fdata-sections \
                 -march=rv64imac_zicsr_zifencei -mabi=lp64 -Ikernel
# User ABI: RV64IMAC, LP64 (soft float) for now; see docs/abi.md.
# Programs are hosted C on picolibc (its headers; TLS variables local-exec, see user.ld).
USER_CFLAGS   := $(COMMON_CFLAGS) -fno-omit-frame-pointer --specs=picolibc.specs \
                 -march=rv64imac_zicsr -mabi=lp64 -ffunction-sections -fdata-sections \
                 -Iuser/lib/include
# Linking names the plain ISA so GCC picks the rv64imac/lp64 multilib of libgcc and picolibc.
LINK_MARCH    := -march=rv64imac -mabi=lp64
USER_LDFLAGS  := $(LINK_MARCH) -nostartfiles -static -T user/lib/user.ld \
                 -Wl,--gc-sections
# libnx whole: its definitions of what picolibc leaves to the system (sbrk, _exit, stdout,
# the lock functions...) must win over picolibc's defaults whether or not the program's own
# code names them; --gc-sections then drops what nothing uses.
LINK_LIBNX    := -Wl,--whole-archive build/libnx.a -Wl,--no-whole-archive

KERNEL_SRCS := $(wildcard kernel/*.c kernel/lib/*.c kernel/arch/riscv/*.c kernel/arch/riscv/*.S)
KERNEL_OBJS := $(patsubst %,build/%.o,$(KERNEL_SRCS))
# user/lib/fs/: the ext2/ext3 file-system library (nx/ext2.h), host-tested unchanged.
LIBNX_SRCS  := $(wildcard user/lib/*.c user/lib/*.S user/lib/fs/*.c)
# The kernel's validated ELF and cpio parsers, compiled into libnx unchanged (the loader and
# the boot archive reader use them).
LIBNX_KLIB  := kernel/lib/elf.c kernel/lib/cpio.c
LIBNX_OBJS  := $(patsubst %,build/%.o,$(LIBNX_SRCS)) \
               $(patsubst kernel/lib/%,build/user/klib/%.o,$(LIBNX_KLIB))
# Every program in the boot archive: a directory user/{apps,services,drivers}/<name>/ (its
# .c files), user/init/ (the program "init"), or one file tests/qemu/progs/<name>.c.
PROGRAM_DIRS := $(wildcard user/apps/* user/services/* user/drivers/*)
APPS        := $(notdir $(PROGRAM_DIRS))
TEST_PROGS  := $(basename $(notdir $(wildcard tests/qemu/progs/*.c)))
PROGRAMS    := $(APPS) $(TEST_PROGS)

.PHONY: all deps run test test-all abi-doc-check qemu-test bench debug clean
all: build/neuron.bin build/initrd.cpio

deps:
	@tools/setup-deps

# ---- kernel ----
build/kernel/%.c.o: kernel/%.c
	@mkdir -p $(@D)
	$(CC_RV) $(KERNEL_CFLAGS) -c -o $@ $<
build/kernel/%.S.o: kernel/%.S
	@mkdir -p $(@D)
	$(CC_RV) $(KERNEL_CFLAGS) -c -o $@ $<
build/neuron.elf: $(KERNEL_OBJS) kernel/arch/riscv/kernel.ld
	$(CC_RV) $(KERNEL_CFLAGS) $(LINK_MARCH) -T kernel/arch/riscv/kernel.ld -Wl,--gc-sections \
	    -o $@ $(KERNEL_OBJS) -lgcc
build/neuron.bin: build/neuron.elf
	$(OBJCOPY) -O binary $< $@

# ---- user space ----
build/user/%.c.o: user/%.c
	@mkdir -p $(@D)
	$(CC_RV) $(USER_CFLAGS) -c -o $@ $<
# libnx reaches the kernel's parser headers as "lib/elf.h", "lib/cpio.h".
build/user/lib/%.c.o: USER_CFLAGS += -iquote kernel
# The file system service reads the boot archive with the same parser.
build/user/services/fs/%.c.o: USER_CFLAGS += -iquote kernel
build/tests/qemu/progs/%.c.o: tests/qemu/progs/%.c
	@mkdir -p $(@D)
	$(CC_RV) $(USER_CFLAGS) -c -o $@ $<
build/user/lib/%.S.o: user/lib/%.S
	@mkdir -p $(@D)
	$(CC_RV) $(USER_CFLAGS) -c -o $@ $<
build/user/klib/%.c.o: kernel/lib/%.c
	@mkdir -p $(@D)
	$(CC_RV) $(USER_CFLAGS) -iquote kernel -c -o $@ $<
build/libnx.a: $(LIBNX_OBJS)
	rm -f $@ && $(CROSS)ar rcs $@ $^
app_srcs = $(if $(filter init,$(1)),$(wildcard user/init/*.c),\
             $(foreach d,$(filter %/$(1),$(PROGRAM_DIRS)),$(wildcard $(d)/*.c)) \
             $(wildcard tests/qemu/progs/$(1).c))
app_objs = $(patsubst %,build/%.o,$(call app_srcs,$(1)))
build/initrd/%: $$(call app_objs,$$*) build/libnx.a user/lib/user.ld
	@mkdir -p $(@D)
	$(CC_RV) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $(filter %.o,$^) $(LINK_LIBNX)
# Data files of the boot archive: init's manifest (docs/userspace.md, "Manifest").
build/initrd/manifest: user/init/manifest.txt
	@mkdir -p $(@D)
	cp $< $@
# A program that skips the runtime, so the loader's startup deadline can be tested (_start
# stays linked in, so the image has the usual segments).
build/initrd/mute: USER_LDFLAGS += -Wl,--entry=mute_entry -Wl,--undefined=_start
# A truncated executable, so the tests can check that the loader refuses it.
build/initrd/badelf: build/initrd/hello
	head -c 200 $< > $@
build/initrd.cpio: $(addprefix build/initrd/,$(PROGRAMS) init badelf manifest)
	cd build/initrd && ls | cpio --quiet -o -H newc --reproducible > ../initrd.cpio

# ---- running ----
# Made only if missing: no prerequisites, so a change in user/disk/ never replaces it.
$(DISK):
	@mkdir -p $(@D)
	mke2fs -q -t ext3 -d user/disk $@ $(DISK_MIB)M

run: deps
	@$(MAKE) --no-print-directory all $(DISK)
	$(QEMU) $(QEMU_OPTS)

debug: deps
	@$(MAKE) --no-print-directory all $(DISK)
	@echo "QEMU waits for GDB on :1234; in another shell: gdb-multiarch -x tools/gdbinit"
	$(QEMU) $(QEMU_OPTS) -S -s

# ---- tests ----
test: deps
	@$(MAKE) --no-print-directory test-all

test-all: abi-doc-check host-test fuzz-quick qemu-test

abi-doc-check:
	python3 tools/abi_doc.py --check

qemu-test: all
	cd tests/qemu && python3 run_tests.py

bench: deps
	@$(MAKE) --no-print-directory all
	python3 bench/run_bench.py

clean:
	rm -rf build

include mk/host.mk
-include $(shell find build -name '*.d' 2>/dev/null)
