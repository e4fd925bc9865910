# Fuzz the device tree reader.
FUZZ_TARGETS += fdt
fdt_FUZZ_SRCS := kernel/lib/fdt.c

# Seed build/fuzz/corpus_fdt (the corpus `make fuzz` already passes) at build time rather
# than committing binary seeds. dtc re-emits QEMU's dump without its 1 MiB of padding.
FDT_SEEDS := build/fuzz/corpus_fdt/virt.dtb build/fuzz/corpus_fdt/fdt_chosen.dtb
build/fuzz/fuzz_fdt: | $(FDT_SEEDS)
build/fuzz/corpus_fdt/virt.dtb: build/test-data/virt.dtb
	@mkdir -p $(@D)
	dtc -q -I dtb -O dtb -o $@ $<
build/fuzz/corpus_fdt/fdt_chosen.dtb: build/test-data/fdt_chosen.dtb
	@mkdir -p $(@D)
	cp $< $@
