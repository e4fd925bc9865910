// libFuzzer target for what a user can type at the shell: any bytes go through the line
// editor, and every line it finishes through the shell's parser. Neither may read or write
// out of bounds (ASan), hit undefined behaviour (UBSan) or break its invariants: the cursor
// inside the line, the line NUL-terminated at its length; every word of the parse inside
// the parse's buffer, counts within their limits, an error's column inside the line.
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../user/apps/nsh/parse.h"
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

static bool inside(const struct nsh_parsed *p, const char *s)
{
    return !s || (s >= p->buf && s + strlen(s) < p->buf + p->used + 1);
}

static void parse(struct ledit *e)
{
    static struct nsh_parsed p;
    struct nsh_error err;
    if (!nsh_parse(e->line, &p, &err)) {
        if (err.pos < 0 || (size_t)err.pos > e->len || !err.what)
            abort();
        return;
    }
    if (p.n < 0 || p.n > NSH_PIPELINES_MAX)
        abort();
    for (int i = 0; i < p.n; i++) {
        if (p.p[i].ncmds < 1 || p.p[i].ncmds > NSH_STAGES_MAX)
            abort();
        for (int c = 0; c < p.p[i].ncmds; c++) {
            const struct nsh_cmd *cmd = &p.p[i].cmds[c];
            if (cmd->argc < 1 || cmd->argc > NSH_ARGS_MAX || !inside(&p, cmd->in) ||
                !inside(&p, cmd->out) || !inside(&p, cmd->err))
                abort();
            for (int w = 0; w < cmd->argc; w++)
                if (!cmd->argv[w].text || !inside(&p, cmd->argv[w].text) ||
                    !inside(&p, cmd->argv[w].pattern))
                    abort();
        }
    }
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
            parse(&e);
        if (ev != LEDIT_NONE)
            ledit_start(&e);
    }
    return 0;
}
