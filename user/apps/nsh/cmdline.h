#pragma once
// Command arguments and finding the command (the line itself: parse.h). Plain C, host-tested
// (tests/host/test_cmdline.c).
#include <stdbool.h>
#include <stddef.h>

// A decimal number with no sign that fits in an unsigned long.
bool cmdline_number(const char *s, unsigned long *out);

struct command {
    const char *name;
    const char *usage;           // the arguments, for help
    const char *help;            // one line
    int min_args, max_args;      // words after the name
    int (*run)(int argc, char **argv);  // called only with an argument count in range
};

// The command called `name` in cmds[0..n), or NULL.
const struct command *command_find(const struct command *cmds, size_t n, const char *name);
// Whether argc words (the name included) suit c.
bool command_args_ok(const struct command *c, int argc);
