// Running a command line (see parse.h): the separators' rules, expanding $? and wildcards,
// built-in commands with their redirections, programs as jobs (jobs.c); and scripts.
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nexus/ipc.h>
#include <nx/file.h>
#include <nx/nx.h>
#include <nx/pipe.h>
#include <nx/stdio.h>
#include <nx/tool.h>
#include "jobs.h"
#include "nsh.h"

#define EXPAND_MAX 64              // words of a command after expansion
#define ARENA_BYTES 8192           // their text, for a whole pipeline

static struct nsh_parsed parsed;
static char where[NX_FS_PATH_MAX + 32] = "nsh: ";

const char *nsh_where(void)
{
    return where;
}

// A pipeline's expanded words.
struct expansion {
    char arena[ARENA_BYTES];
    size_t used;
    char *argv[NSH_STAGES_MAX][EXPAND_MAX + 1];
    const char *error;
};

static char *add(struct expansion *x, const char *s, size_t len)
{
    char *dst = nsh_keep(x->arena, sizeof(x->arena), &x->used, s, len);
    if (!dst)
        x->error = "the expanded words are too long";
    return dst;
}

// s with every $? replaced by the status.
static char *with_status(struct expansion *x, const char *s)
{
    char out[NSH_LINE_MAX * 2 + 16];
    size_t n = 0;
    for (; *s && n + 12 < sizeof out; s++)
        if (*s == NSH_STATUS_CHAR)
            n += (size_t)snprintf(out + n, sizeof out - n, "%d", nsh_status);
        else
            out[n++] = *s;
    return add(x, out, n);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// The names in the pattern's directory that match its last component, sorted, appended to
// argv from *argc on. Wildcards are matched in the last component only; the directory part
// is taken as written (its escapes removed).
static void glob(struct expansion *x, const char *pattern, char **argv, int *argc)
{
    const char *slash = strrchr(pattern, '/');
    char dir[NX_FS_PATH_MAX] = ".", prefix[NX_FS_PATH_MAX] = "";
    if (slash) {
        size_t n = 0;
        for (const char *s = pattern; s < slash && n + 1 < sizeof dir; s++)
            if (*s != '\\' || s[1] == '\\')
                dir[n++] = *s;
        dir[n] = '\0';
        snprintf(prefix, sizeof prefix, "%s/", dir);
        if (n == 0)
            strcpy(dir, "/");
    }
    const char *name_pattern = slash ? slash + 1 : pattern;
    int first = *argc;
    uint8_t buf[NX_MSG_BYTES_MAX];
    for (uint32_t index = 0;;) {
        long n = nx_fs_readdir(dir, index, buf, sizeof buf);
        if (n <= 0)
            break;
        const uint8_t *p = buf;
        for (long i = 0; i < n; i++, index++, p += ((const struct nx_fs_dirent *)p)->reclen) {
            const char *name = ((const struct nx_fs_dirent *)p)->name;
            if (fnmatch(name_pattern, name, FNM_PERIOD) || !strcmp(name, ".") ||
                !strcmp(name, ".."))
                continue;
            if (*argc == EXPAND_MAX) {
                x->error = "a wildcard matches too many names";
                return;
            }
            char path[NX_FS_PATH_MAX];
            int len = snprintf(path, sizeof path, "%s%s", prefix, name);
            if (!(argv[(*argc)++] = add(x, path, (size_t)len)))
                return;
        }
    }
    qsort(argv + first, (size_t)(*argc - first), sizeof(char *), by_name);
}

static bool expand(struct expansion *x, const struct nsh_cmd *c, char **argv, int *argc)
{
    *argc = 0;
    for (int i = 0; i < c->argc && !x->error; i++) {
        int before = *argc;
        if (c->argv[i].pattern)
            glob(x, c->argv[i].pattern, argv, argc);
        if (*argc == before && !x->error) {  // no wildcard, or nothing matched: as written
            if (*argc == EXPAND_MAX)
                x->error = "too many words";
            else
                argv[(*argc)++] = with_status(x, c->argv[i].text);
        }
    }
    argv[*argc] = NULL;
    return !x->error;
}

// A redirection's file: $? expanded.
static const char *redirect_path(struct expansion *x, const char *path)
{
    return path ? with_status(x, path) : NULL;
}

static bool redirections_ok(const struct nsh_run *r)
{
    return (!r->in || nsh_redirect_ok(r->in, false, false)) &&
           (!r->out || nsh_redirect_ok(r->out, true, r->append)) &&
           (!r->err || nsh_redirect_ok(r->err, true, false));
}

// A built-in command, its output (and errors) going where its redirections say.
static int builtin(const struct command *c, const struct nsh_run *r)
{
    if (!command_args_ok(c, r->argc))
        return nsh_usage(r->argv[0]);
    const char *paths[3] = { NULL, r->out, r->err };
    int fds[3] = { -1, -1, -1 };
    struct nx_stdio_sink saved[3];
    for (int k = 1; k <= 2; k++)
        if (paths[k] && (fds[k] = open(paths[k], O_WRONLY | O_APPEND)) >= 0) {
            saved[k] = (struct nx_stdio_sink){ nx_stdio_file_sink, &fds[k], false };
            nx_stdio_swap_sink(k, &saved[k]);
        }
    int status = c->run(r->argc, r->argv);
    for (int k = 1; k <= 2; k++)
        if (fds[k] >= 0) {
            nx_stdio_swap_sink(k, &saved[k]);
            close(fds[k]);
        }
    return status;
}

static long pipe_sink(void *ctx, const char *buf, size_t len)
{
    return nx_pipe_write(ctx, buf, len, NX_DEADLINE_NEVER);
}

// A built-in command at the head of a pipeline, writing into the pipe to the next command.
struct feeder {
    const struct command *c;
    const struct nsh_run *r;
    int status;
};

static void feed(void *ctx, struct nx_pipe *out)
{
    struct feeder *f = ctx;
    struct nx_stdio_sink s = { pipe_sink, out, false };
    nx_stdio_swap_sink(1, &s);
    f->status = f->c->run(f->r->argc, f->r->argv);
    nx_stdio_swap_sink(1, &s);
}

// The pipeline as the jobs list shows it.
static void describe(const struct nsh_run *runs, int n, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        for (int w = 0; w < runs[i].argc && len < cap; w++)
            len += (size_t)snprintf(out + len, cap - len, "%s%s", i && !w ? " | " : w ? " " : "",
                                    runs[i].argv[w]);
}

static int run_pipeline(const struct nsh_pipeline *pl)
{
    static struct expansion x;
    struct nsh_run runs[NSH_STAGES_MAX];
    x.used = 0;
    x.error = NULL;
    for (int i = 0; i < pl->ncmds; i++) {
        const struct nsh_cmd *c = &pl->cmds[i];
        struct nsh_run *r = &runs[i];
        if (!expand(&x, c, x.argv[i], &r->argc)) {
            printf("%s%s\n", nsh_where(), x.error);
            return 1;
        }
        r->argv = x.argv[i];
        r->in = redirect_path(&x, c->in);
        r->out = redirect_path(&x, c->out);
        r->err = redirect_path(&x, c->err);
        r->append = c->append;
        if (x.error || !redirections_ok(r))
            return 1;
    }
    const struct command *head = command_find(nsh_commands, nsh_ncommands, runs[0].argv[0]);
    for (int i = 1; i < pl->ncmds; i++) {
        const struct command *b = command_find(nsh_commands, nsh_ncommands, runs[i].argv[0]);
        if (b || (head && (runs[0].out || runs[i].in))) {
            printf("%s%s: a built-in command can only start a pipeline, writing into it\n",
                   nsh_where(), b ? b->name : head->name);
            return 1;
        }
    }
    if (head && pl->ncmds == 1)
        return builtin(head, &runs[0]);
    char text[64];
    describe(runs, pl->ncmds, text, sizeof text);
    if (!head)
        return nsh_job_run(runs, pl->ncmds, pl->sep == NSH_SEP_BG, text);
    if (!command_args_ok(head, runs[0].argc))
        return nsh_usage(runs[0].argv[0]);
    struct feeder f = { head, &runs[0], 0 };
    return nsh_job_run_fed(runs + 1, pl->ncmds - 1, feed, &f, text);
}

void nsh_run_line(const char *line)
{
    struct nsh_error e;
    if (!nsh_parse(line, &parsed, &e)) {
        printf("%scolumn %d: %s\n", nsh_where(), e.pos + 1, e.what);
        nsh_status = 2;
        return;
    }
    bool skip = false;
    for (int i = 0; i < parsed.n; i++) {
        const struct nsh_pipeline *pl = &parsed.p[i];
        if (!skip)
            nsh_status = run_pipeline(pl);
        skip = pl->sep == NSH_SEP_AND && nsh_status != 0;
    }
}

int nsh_run_script(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("nsh: %s: cannot open\n", path);
        return 127;
    }
    char saved[sizeof where];
    strcpy(saved, where);
    char *line = NULL;
    size_t cap = 0;
    long n;
    for (int lineno = 1; (n = nx_tool_getline(f, &line, &cap)) > 0; lineno++) {
        snprintf(where, sizeof where, "%s:%d: ", path, lineno);
        if (line[n - 1] == '\n')
            line[n - 1] = '\0';
        nsh_run_line(line);
        nx_stdio_flush();
    }
    strcpy(where, saved);
    if (n < 0)
        printf("nsh: %s: read error\n", path);
    free(line);
    fclose(f);
    return nsh_status;
}
