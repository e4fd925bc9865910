# libFuzzer target for the terminal emulator (user/apps/terminal/vt*.c): program output
# interleaved with resizes, scrolling, selections and keys.
FUZZ_TARGETS += vt
vt_FUZZ_SRCS := $(TERMINAL_VT_SRCS) user/lib/gfx/utf8.c
# Seeds: nsh's prompt and editing, colours, a scrolling region and a status report.
build/fuzz/fuzz_vt: | build/fuzz/corpus_vt/.seeded
build/fuzz/corpus_vt/.seeded: tests/fuzz/vt.mk
	mkdir -p $(@D)
	printf '\120\030\007\100nsh> ls /boot\r\n\033[K\033[3D\033[C\033[1;31mred\033[0m\033[2;5r\033[6n' > $(@D)/nsh
	printf '\012\004\007\060\033[38;5;200m\303\244\342\202\254\033[2J\033[H\033[?25l\033[s\033[u\002\001\001\003\003\003\004\100' > $(@D)/select
	touch $@
