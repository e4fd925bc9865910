// Command-line words and command lookup (see cmdline.h).
#include <limits.h>
#include <string.h>
#include "cmdline.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

// Copy one word starting at *src to dst, removing quotes and escapes; leave *src after it.
// Returns the end of the copy (dst never overtakes *src, so one buffer can be both), or NULL
// for an unclosed quote.
static char *copy_word(char **src, char *dst)
{
    char *s = *src, quote = 0;
    for (; *s && (quote || !is_space(*s)); s++) {
        if (quote && *s == quote)
            quote = 0;
        else if (!quote && (*s == '"' || *s == '\''))
            quote = *s;
        else if (*s == '\\' && quote != '\'' && s[1])
            *dst++ = *++s;
        else
            *dst++ = *s;
    }
    *src = s;
    return quote ? NULL : dst;
}

int cmdline_split(char *line, char *argv[], int max)
{
    char *src = line, *dst = line;
    int argc = 0;
    for (;;) {
        while (is_space(*src))
            src++;
        if (!*src)
            break;
        if (argc == max)
            return CMDLINE_ERR_TOO_MANY;
        argv[argc++] = dst;
        char *end = copy_word(&src, dst);
        if (!end)
            return CMDLINE_ERR_QUOTE;
        if (*src)
            src++;  // past the separator, which the NUL below may overwrite
        *end = '\0';
        dst = end + 1;
    }
    argv[argc] = NULL;
    return argc;
}

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
