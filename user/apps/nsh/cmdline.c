// Numbers and command lookup (see cmdline.h).
#include <limits.h>
#include <string.h>
#include "cmdline.h"

bool cmdline_number(const char *s, unsigned long *out)
{
    unsigned long v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (d > 9 || v > (ULONG_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

const struct command *command_find(const struct command *cmds, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(cmds[i].name, name) == 0)
            return &cmds[i];
    return NULL;
}

bool command_args_ok(const struct command *c, int argc)
{
    return argc - 1 >= c->min_args && argc - 1 <= c->max_args;
}
