// libFuzzer target for what a user can type at the shell: any bytes go through the line
// editor, and every line it finishes through the command-line splitter. Neither may read or
// write out of bounds (ASan), hit undefined behaviour (UBSan) or break its invariants: the
// cursor inside the line, the line NUL-terminated at its length, argv inside the line.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../user/apps/nsh/cmdline.h"
#include "../../user/apps/nsh/lineedit.h"

// The terminal: touch both ends of what the editor writes, so ASan checks its output too.
static void discard(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    if (len) {
        volatile char sink = s[0] ^ s[len - 1];
        (void)sink;
    }
}

static void split(struct ledit *e)
{
    char *argv[CMDLINE_ARGS_MAX + 1];
    int argc = cmdline_split(e->line, argv, CMDLINE_ARGS_MAX);
    for (int i = 0; i < argc; i++)
        if (argv[i] < e->line || argv[i] + strlen(argv[i]) > e->line + LEDIT_LINE_MAX)
            abort();
    if (argc >= 0 && argv[argc] != NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ledit e;
    ledit_init(&e, "nsh> ", discard, NULL);
    ledit_start(&e);
    for (size_t i = 0; i < size; i++) {
        enum ledit_event ev = ledit_key(&e, data[i]);
        if (e.cursor > e.len || e.len > LEDIT_LINE_MAX || e.line[e.len] != '\0')
            abort();
        if (ev == LEDIT_LINE)
            split(&e);
        if (ev != LEDIT_NONE)
            ledit_start(&e);
    }
    return 0;
}
