# The graphics library (user/lib/gfx, docs/graphics-lib.md): build/libnxgfx.a, linked by the
# programs that draw (a program's own rule names it: `build/bin/NAME: build/libnxgfx.a`).
# stb_truetype's header comes from Debian's libstb-dev: only its directory is added, so
# picolibc's headers stay the only C library a target object sees. No contraction of
# floating-point expressions into fused multiply-adds: a glyph rasterises to the same pixels
# on RISC-V as on the host, where the golden images are made.
GFX_CFLAGS := -isystem /usr/include/stb -ffp-contract=off
# GFX_SRCS: the pure part, host-tested and fuzzed too; font_file.c opens files through libnx.
GFX_SRCS   := $(filter-out user/lib/gfx/font_file.c,$(wildcard user/lib/gfx/*.c))
GFX_OBJS   := $(patsubst %,build/%.o,$(GFX_SRCS) user/lib/gfx/font_file.c)

build/user/lib/gfx/%.c.o: USER_CFLAGS += $(GFX_CFLAGS)
build/libnxgfx.a: $(GFX_OBJS)
	rm -f $@ && $(CROSS)ar rcs $@ $^

# The QEMU test of the library on the target (tests/qemu/progs/gfx.c).
build/bin/gfx: build/libnxgfx.a
# make bench's text figures (bench/progs/gfxbench).
build/bin/gfxbench: build/libnxgfx.a
# The compositor draws its window frames and their titles and builds the glyph atlas; its
# QEMU test attaches the atlas.
build/bin/compositor build/bin/wmtest build/bin/locktest: build/libnxgfx.a
