# The System monitor (docs/apps.md): the session's processes (procs), memory, per-hart load, uptime.
# Its fonts come from /boot; its pages: the window and a glyph cache (~330 in use).
name System monitor
icon %
program sysmon
pages 1024
caps log svcmgr procs dir:/boot
