# The Text editor (docs/apps.md): started from here it has no file (untitled: open files
# from Files, which starts the editor on them). Its pages: the 1 MiB text, the window, glyphs.
name Text editor
icon Ed
program editor
pages 1536
caps log svcmgr dir:/ dir:/boot
