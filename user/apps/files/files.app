# Files (docs/apps.md): the home and /boot; text files open in the editor, whose 1536 pages
# come out of these while it runs (one editor at a time within this budget).
name Files
icon []
program files
pages 3584
caps log svcmgr dir:/ dir:/boot
