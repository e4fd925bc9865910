# The console's line discipline (kernel/console_lines.c): one writer per line, redraws, the
# redraw limit, and a random run checked against a terminal.
HOST_TESTS += console_lines
console_lines_SRCS := kernel/console_lines.c
