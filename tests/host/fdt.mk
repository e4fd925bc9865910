# Device tree reader tests: QEMU's own DTB plus hand-written trees in tests/host/data/fdt_*.dts.
HOST_TESTS += fdt
fdt_SRCS := kernel/lib/fdt.c
FDT_DTS := $(wildcard tests/host/data/fdt_*.dts)
fdt_DEPS := build/test-data/virt.dtb $(patsubst tests/host/data/%.dts,build/test-data/%.dtb,$(FDT_DTS))

# So `make build/host/test_fdt && ./build/host/test_fdt` has its inputs too.
build/host/test_fdt: | $(fdt_DEPS)

# The real thing: the tree QEMU virt hands to firmware (-smp 2 -m 256M are asserted on).
build/test-data/virt.dtb:
	@mkdir -p $(@D)
	qemu-system-riscv64 -machine virt,dumpdtb=$@ -smp 2 -m 256M -nographic 2>/dev/null

# fdt_initrd32.dts relies on the default cell sizes on purpose.
$(filter-out build/test-data/virt.dtb,$(fdt_DEPS)): build/test-data/%.dtb: tests/host/data/%.dts
	@mkdir -p $(@D)
	dtc -W no-avoid_default_addr_size -I dts -O dtb -o $@ $<
