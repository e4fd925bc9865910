# The Control centre (docs/apps.md): the settings (the settings service, found through svcmgr
# like the compositor and the clock), the date and time, per-hart load, memory, disk use
# (the file service's statfs through /boot's handle) and uptime. Its fonts come from /boot;
# its pages: the window and a glyph cache (~330 in use, as the System monitor).
name Control centre
icon *
program control
pages 1024
caps log svcmgr dir:/boot
