#pragma once
// The interactive shell's terminal (tty.c): where typed keys come from and the editor's echo
// goes. Either the console service (the serial shell, a "console" grant) or, in a Terminal,
// the pipes granted as stdin and stdout (nx/stdio.h): keys are read from stdin's pipe and
// the echo joins stdout, in order with what commands print.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Finds the terminal: the console first, else stdin and stdout pipes. False when neither.
bool nsh_tty_open(void);
// In a Terminal (pipes): commands' output has to be relayed through the shell (jobs.c).
bool nsh_tty_piped(void);
// Keys typed, waiting until deadline (NX_DEADLINE_NEVER, or a time past: not at all): how
// many (> 0); none (0 or NX_ERR_TIMED_OUT from the console); on a pipe 0 means the terminal
// is gone (its writer closed); another NX_ERR_* on failure.
long nsh_tty_read(char *buf, size_t n, uint64_t deadline);
// Echo and redraws; stdout's buffered bytes go first.
void nsh_tty_write(const char *s, size_t len);
