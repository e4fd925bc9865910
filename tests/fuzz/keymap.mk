# libFuzzer target for key maps and key repeat (nx/keymap.h): sequences of input events,
# repeat queries, layout and timing changes. KEYMAP_SRCS: tests/host/keymap.mk.
FUZZ_TARGETS += keymap
keymap_FUZZ_SRCS := $(KEYMAP_SRCS)
# Seed: Shift and A pressed, A held through its repeats, released (13-byte operations).
build/fuzz/fuzz_keymap: | build/fuzz/corpus_keymap/.seeded
build/fuzz/corpus_keymap/.seeded: tests/fuzz/keymap.mk
	mkdir -p $(@D)
	printf '\000\001\000\000\000\001\000\052\000\001\000\000\000\000\001\000\000\000\001\000\036\000\001\000\000\000\002\000\000\000\100\000\000\000\000\000\000\000\000\000\001\000\000\000\001\000\036\000\000\000\000\000' > $(@D)/shift_a
	touch $@
