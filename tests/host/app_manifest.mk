# App manifests (user/lib/app_manifest.c, nx/app.h): the desktop's launcher reads them.
HOST_TESTS += app_manifest
app_manifest_SRCS := user/lib/app_manifest.c
