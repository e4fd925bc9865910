#pragma once
// Command lines: splitting into words and finding the command. Plain C, host-tested
// (tests/host/test_cmdline.c).
#include <stdbool.h>
#include <stddef.h>

#define CMDLINE_ARGS_MAX 16

enum {
    CMDLINE_ERR_QUOTE = -1,     // a quote was not closed
    CMDLINE_ERR_TOO_MANY = -2,  // more than the caller's max words
};

// Split `line` in place into words separated by spaces and tabs. "..." and '...' group words
// with spaces (the quotes go); a backslash outside single quotes takes the next character
// as it is. argv has room for max + 1 pointers: argv[argc] is set to NULL. Returns argc
// (0: a blank line) or a CMDLINE_ERR_*.
int cmdline_split(char *line, char *argv[], int max);

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
