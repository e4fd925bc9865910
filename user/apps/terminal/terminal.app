# The Terminal (docs/terminal.md): nsh in a window. Its nsh gets the session's home and
# /boot, the log, the service manager, exec, proc, the network and the users service (for
# passwd). Its pages: its own (~2048: the window, the scrollback, glyphs) and its nsh's 1024,
# with room for what nsh runs: a session has 6400 in all (docs/login.md).
name Terminal
icon >_
program terminal
pages 4096
caps log svcmgr exec proc net users dir:/ dir:/boot
