# The desktop's apps (user/apps/sysmon, files, editor, control; docs/apps.md): they share one window
# module (user/lib/app: build/libnxapp.a, outside libnx: only these programs draw widgets)
# and draw with libnxgfx.
APPWIN_OBJS := $(patsubst %,build/%.o,$(wildcard user/lib/app/*.c))
build/libnxapp.a: $(APPWIN_OBJS)
	rm -f $@ && $(CROSS)ar rcs $@ $^
$(foreach app,sysmon files editor control,build/user/apps/$(app)/%.c.o): USER_CFLAGS += -iquote user/lib/app
build/bin/sysmon build/bin/files build/bin/editor build/bin/control: build/libnxapp.a build/libnxgfx.a
# Files gives its editors copies of its grants (nx/session.h, libusers).
build/bin/files: build/libusers.a
