# The desktop (user/apps/desktop, docs/desktop.md): its bar and panels are drawn with
# libnxgfx; the app manifests it reads are packed by the Makefile (APP_MANIFESTS).
build/bin/desktop: build/libnxgfx.a
