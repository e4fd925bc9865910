# Host test for the ELF validator (kernel/lib/elf.c).
# The inputs are REAL executables linked by the RISC-V cross toolchain from
# tests/host/data/elf_hello.c; test_elf.c mutates copies of them in memory.
HOST_TESTS += elf
elf_SRCS := kernel/lib/elf.c

ELF_TESTDATA := build/test-data/elf
elf_DEPS := $(ELF_TESTDATA)/hello.elf $(ELF_TESTDATA)/low.elf $(ELF_TESTDATA)/rwx.elf

ELF_TEST_CC     := riscv64-unknown-elf-gcc
ELF_TEST_CFLAGS := -nostdlib -static -march=rv64gc -mabi=lp64d -O2 -Wl,--build-id

# Valid: text (R+X, with the ELF headers) at exactly USER_VA_MIN, data+bss
# (R+W) on the next pages, plus PT_NOTE and PT_RISCV_ATTRIBUTES to be ignored.
# -Ttext-segment (not -Ttext) puts the headers' page at 0x10000 too.
$(ELF_TESTDATA)/hello.elf: tests/host/data/elf_hello.c tests/host/elf.mk
	@mkdir -p $(@D)
	$(ELF_TEST_CC) $(ELF_TEST_CFLAGS) -Wl,-Ttext-segment=0x10000 -o $@ $<

# Plain -Ttext=0x10000: ld maps the headers in the page below, at 0xf000,
# which is under USER_VA_MIN, so this one must fail with ELF_E_RANGE.
$(ELF_TESTDATA)/low.elf: tests/host/data/elf_hello.c tests/host/elf.mk
	@mkdir -p $(@D)
	$(ELF_TEST_CC) $(ELF_TEST_CFLAGS) -Ttext=0x10000 -o $@ $<

# One page-congruent R+W+X PT_LOAD: must fail with ELF_E_WX.
$(ELF_TESTDATA)/rwx.elf: tests/host/data/elf_hello.c tests/host/data/elf_rwx.ld tests/host/elf.mk
	@mkdir -p $(@D)
	$(ELF_TEST_CC) $(ELF_TEST_CFLAGS) -T tests/host/data/elf_rwx.ld \
	    -Wl,--no-warn-rwx-segments -o $@ $<
