# The graphics library (user/lib/gfx, docs/graphics-lib.md): surfaces and damage (test_gfx),
# text (test_gfx_text), the shared glyph atlas (test_gfx_atlas), widgets
# (test_gfx_widget), and scenes rendered and compared with the golden images of
# tests/host/data/golden/ (test_gfx_golden; `make golden-update` rewrites them), the
# Terminal's screen among them (user/apps/terminal/render.c). The text
# tests read the DejaVu fonts of Debian's fonts-dejavu-core (tools/setup-deps).
# GFX_SRCS and GFX_CFLAGS: mk/gfx.mk.
build/host/obj/test_gfx%.o: HOST_CFLAGS += $(GFX_CFLAGS)

HOST_TESTS += gfx gfx_text gfx_golden gfx_atlas gfx_widget
gfx_SRCS := user/lib/gfx/rect.c user/lib/gfx/surface.c user/lib/gfx/damage.c
gfx_text_SRCS := $(GFX_SRCS) tests/host/support/gfx_files.c
# The Terminal's screen as the host draws it (support/term_screen.c): the golden test's and
# termshot's.
TERM_SCREEN_SRCS := $(GFX_SRCS) tests/host/support/gfx_files.c tests/host/support/term_screen.c \
                    $(TERMINAL_VT_SRCS) user/apps/terminal/render.c
gfx_golden_SRCS := $(TERM_SCREEN_SRCS)
gfx_atlas_SRCS := $(GFX_SRCS) tests/host/support/gfx_files.c
gfx_widget_SRCS := $(GFX_SRCS) tests/host/support/gfx_files.c
build/host/test_gfx_text build/host/test_gfx_golden build/host/test_gfx_atlas build/host/test_gfx_widget: \
    HOST_LDLIBS += -lm

.PHONY: golden-update
golden-update: build/host/test_gfx_golden
	@mkdir -p tests/host/data/golden
	NX_GOLDEN_UPDATE=1 build/host/test_gfx_golden

# termshot (tests/host/termshot.c): the Terminal's screen after the bytes of its standard
# input, as a PPM: the QEMU case terminal_shows_its_shell compares the screen with it where
# what is expected (a listing of the boot archive) is known only at run time.
build/host/obj/termshot/%.o: HOST_CFLAGS += $(GFX_CFLAGS)
build/host/termshot: $$(call bin_objs,$$@,tests/host/termshot.c $(TERM_SCREEN_SRCS))
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $^ -lm
