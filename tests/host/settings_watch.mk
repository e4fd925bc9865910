# The settings service's watch table (user/services/settingsd/watchers.c; docs/settings.md):
# full at NX_SETTINGS_WATCHERS, watchers whose signal fails or whose process ended dropped
# with their handles closed.
HOST_TESTS += settings_watch
settings_watch_SRCS := user/services/settingsd/watchers.c
