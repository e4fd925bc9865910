// Starting programs and keeping track of them as jobs (see jobs.h).
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nx/console.h>
#include <nx/file.h>
#include <nx/loader.h>
#include <nx/nx.h>
#include <nx/net.h>
#include <nx/pipe.h>
#include <nx/settings.h>
#include <nx/startup.h>
#include <nx/stdio.h>
#include "jobs.h"
#include "nsh.h"
#include "tty.h"

#define KEY_POLL_NS 20000000ull   // how often a waiting shell looks at the keyboard
#define CTRL_C 3
#define CTRL_D 4

struct job {
    bool used;
    int id;
    int n;                              // processes
    nx_handle_t procs[NSH_STAGES_MAX];
    uint64_t ended;                     // bit i: procs[i] ended
    nx_handle_t notif;                  // every process watched by it, bit i for procs[i]
    struct nx_pipe tty;                 // the first command's stdin: typed keys
    bool has_tty;
    struct nx_pipe out;                 // in a Terminal: the last command's stdout, relayed
    bool has_out;
    char text[64];                      // the command line, for jobs
};

static struct job jobs[NSH_JOBS_MAX];
static int next_id = 1;

// The ELF file of a program: /boot/NAME, or the path itself when it has a '/'.
static int program_open(const char *name, const void **elf, uint64_t *size)
{
    char path[NX_FS_PATH_MAX];
    snprintf(path, sizeof path, strchr(name, '/') ? "%s" : "/boot/%s", name);
    int fd = open(path, O_RDONLY);
    if (fd >= 0 && nx_file_map(fd, elf, size) != NX_OK) {
        close(fd);
        fd = -1;
    }
    return fd;
}

// One end of a pipe as the standard handle fd (0: stdin, 1: stdout): three named handles.
static size_t grant_pipe(struct nx_named_handle *h, int fd, const struct nx_pipe_handles *end)
{
    static const char *const names[2][3] = {
        { "stdin", "stdin:wait", "stdin:signal" },
        { "stdout", "stdout:wait", "stdout:signal" },
    };
    h[0] = (struct nx_named_handle){ names[fd][0], end->vmo };
    h[1] = (struct nx_named_handle){ names[fd][1], end->wait };
    h[2] = (struct nx_named_handle){ names[fd][2], end->signal };
    return 3;
}

static void close_end(struct nx_pipe_handles *e)
{
    nx_handle_t hs[] = { e->vmo, e->wait, e->signal };
    for (int i = 0; i < 3; i++)
        if (hs[i] > 0)
            nx_handle_close(hs[i]);
    *e = (struct nx_pipe_handles){ 0 };
}

// Environment: PWD, and the files of the redirections.
static int environment(const struct nsh_run *c, char env[4][NX_FS_PATH_MAX + 20],
                       const char *envp[4])
{
    int n = 0;
    snprintf(env[n++], sizeof env[0], "PWD=%s", nx_fs_getcwd());
    if (c->in)
        snprintf(env[n++], sizeof env[0], "NX_STDIN_FILE=%s", c->in);
    if (c->out)
        snprintf(env[n++], sizeof env[0], "NX_STDOUT_FILE=%s", c->out);
    if (c->err)
        snprintf(env[n++], sizeof env[0], "NX_STDERR_FILE=%s", c->err);
    for (int i = 0; i < n; i++)
        envp[i] = env[i];
    return n;
}

// Start one command with the pipe ends given (NULL: none); the ends are always consumed.
static long start(const struct nsh_run *c, struct nx_pipe_handles *in,
                  struct nx_pipe_handles *out, nx_handle_t *proc, const char **why)
{
    struct nx_named_handle h[NX_STARTUP_HANDLES_MAX];
    size_t nh = 0;
    nx_handle_t cwd = 0, root = 0;
    const void *elf;
    uint64_t size;
    int fd = program_open(c->argv[0], &elf, &size);
    long err = fd < 0 ? NX_ERR_NOT_FOUND : nx_fs_opendir(nx_fs_getcwd(), &cwd);
    if (!err)
        err = nx_fs_opendir("/", &root);
    *why = fd < 0 ? "no such program" : err ? "cannot open its directory" : "";
    if (err) {
        if (cwd)
            nx_handle_close(cwd);
        if (in)
            close_end(in);
        if (out)
            close_end(out);
        if (fd >= 0)
            close(fd);
        return err;
    }
    h[nh++] = (struct nx_named_handle){ "cwd", cwd };
    h[nh++] = (struct nx_named_handle){ "dir:/", root };
    long net = nx_startup_handle(NX_NET_SERVICE) != NX_HANDLE_INVALID
                   ? nx_handle_duplicate(nx_startup_handle(NX_NET_SERVICE), NX_RIGHTS_SAME) : 0;
    if (net > 0)   // the shell's network grant goes on to what it runs
        h[nh++] = (struct nx_named_handle){ NX_NET_SERVICE, (nx_handle_t)net };
    nx_handle_t settings;   // so does the settings service (`settings`, docs/settings.md)
    long copy = nx_settings_service(&settings) == NX_OK
                    ? nx_handle_duplicate(settings, NX_RIGHTS_SAME) : 0;
    if (copy > 0)
        h[nh++] = (struct nx_named_handle){ NX_SETTINGS_SERVICE, (nx_handle_t)copy };
    if (in)
        nh += grant_pipe(h + nh, 0, in);
    if (out)
        nh += grant_pipe(h + nh, 1, out);
    char env[4][NX_FS_PATH_MAX + 20];
    const char *envp[4];
    const char *base = strrchr(c->argv[0], '/') ? strrchr(c->argv[0], '/') + 1 : c->argv[0];
    bool shell = !strcmp(base, "nsh");
    char name[32];
    snprintf(name, sizeof name, "%s", base);
    struct nx_load_params p = {
        .name = name, .argv = (const char *const *)c->argv, .argc = c->argc, .envp = envp,
        .nenv = environment(c, env, envp), .handles = h, .nhandles = nh,
        .budget_pages = shell ? NSH_SCRIPT_PAGES : NSH_PROGRAM_PAGES,
    };
    err = nx_load(elf, (size_t)size, &p, proc, why);
    if (in)
        *in = (struct nx_pipe_handles){ 0 };  // moved (or closed) by nx_load
    if (out)
        *out = (struct nx_pipe_handles){ 0 };
    close(fd);
    return err;
}

// A copy of a pipe end's SIGNAL handle, for the process watch that stands in for its
// holder's close if it dies.
static nx_handle_t signal_copy(const struct nx_pipe_handles *e)
{
    long h = nx_handle_duplicate(e->signal, NX_RIGHT_SIGNAL);
    return h > 0 ? (nx_handle_t)h : 0;
}

static void watch(nx_handle_t proc, nx_handle_t *sig)
{
    if (*sig) {
        nx_pipe_watch(proc, *sig);
        nx_handle_close(*sig);
        *sig = 0;
    }
}

static struct job *job_new(const char *text)
{
    for (int i = 0; i < NSH_JOBS_MAX; i++)
        if (!jobs[i].used) {
            struct job *j = &jobs[i];
            long n = nx_notification_create();
            if (n < 0)
                return NULL;
            *j = (struct job){ .used = true, .id = next_id++, .notif = (nx_handle_t)n };
            snprintf(j->text, sizeof j->text, "%s", text);
            return j;
        }
    return NULL;
}

static void job_free(struct job *j)
{
    for (int i = 0; i < j->n; i++)
        nx_handle_close(j->procs[i]);
    if (j->has_tty)
        nx_pipe_close(&j->tty);
    if (j->has_out)
        nx_pipe_close(&j->out);
    nx_handle_close(j->notif);
    j->used = false;
}

static void job_kill(struct job *j)
{
    for (int i = 0; i < j->n; i++)
        if (!(j->ended & (1ull << i)))
            nx_process_kill(j->procs[i]);
}

// The foreground job's first command reads what is typed: a pipe the shell writes keys to.
static long tty_pipe(struct job *j, struct nx_pipe_handles *rd)
{
    struct nx_pipe_handles wr;
    long err = nx_pipe_create(rd, &wr);
    if (!err)
        err = nx_pipe_open(&wr, NX_RING_WRITER, &j->tty);
    if (err) {
        close_end(rd);
        close_end(&wr);
        return err;
    }
    j->has_tty = true;
    return NX_OK;
}

// Start the pipeline's commands left to right, each reading the pipe the previous one
// writes. On a failure the ones started are killed.
static bool start_all(struct job *j, const struct nsh_run *cmds, int n, bool background)
{
    struct nx_pipe_handles rd = { 0 }, wr, next_rd;
    if (!background && !cmds[0].in && tty_pipe(j, &rd) != NX_OK)
        return false;
    for (int i = 0; i < n; i++) {
        // In a Terminal a foreground job's output comes back through a pipe the shell
        // relays (relay()), as the Terminal's pipe has one writer: the shell.
        bool relayed = i + 1 == n && !background && !cmds[i].out && nsh_tty_piped();
        bool piped_out = i + 1 < n || relayed;
        next_rd = wr = (struct nx_pipe_handles){ 0 };
        long err = piped_out ? nx_pipe_create(&next_rd, &wr) : NX_OK;
        nx_handle_t to_reader = piped_out ? signal_copy(&wr) : 0;
        nx_handle_t to_writer = rd.vmo ? signal_copy(&rd) : 0;
        const char *why = "cannot make a pipe";
        if (!err)
            err = start(&cmds[i], rd.vmo ? &rd : NULL, piped_out ? &wr : NULL, &j->procs[j->n],
                        &why);
        if (err) {
            if (err == NX_ERR_NOT_FOUND)
                printf("%s%s: unknown command (help lists them)\n", nsh_where(), cmds[i].argv[0]);
            else
                printf("%s%s: %s (%s)\n", nsh_where(), cmds[i].argv[0], why, nsh_error(err));
            for (nx_handle_t *h = &to_reader; h <= &to_writer; h++)
                if (*h)
                    nx_handle_close(*h);
            close_end(&next_rd);
            close_end(&rd);  // if start was not reached
            close_end(&wr);
            j->ended = 0;
            job_kill(j);
            return false;
        }
        nx_handle_t proc = j->procs[j->n++];
        nx_process_watch(proc, j->notif, 1ull << i);
        watch(proc, &to_reader);  // it dies: its reader sees end-of-file
        watch(proc, &to_writer);  // it dies: its writer sees a broken pipe
        rd = next_rd;
    }
    if (rd.vmo)  // the relay's reading end
        j->has_out = nx_pipe_open(&rd, NX_RING_READER, &j->out) == NX_OK;
    return true;
}

// What the job printed so far, to the terminal; at its end (done) all of it.
static void relay(struct job *j, bool done)
{
    char buf[512];
    while (j->has_out) {
        long n = nx_pipe_read(&j->out, buf, sizeof buf, 0);
        if (n > 0) {
            nsh_tty_write(buf, (size_t)n);
            continue;
        }
        if (n != NX_ERR_TIMED_OUT || done) {  // end of file, corrupt, or nothing more
            nx_pipe_close(&j->out);
            j->has_out = false;
        }
        return;
    }
}

static bool job_done(struct job *j)
{
    uint64_t bits = 0;
    nx_notify_poll_bits(j->notif, &bits);
    j->ended |= bits;
    uint64_t all = (1ull << j->n) - 1;  // n <= NSH_STAGES_MAX
    return (j->ended & all) == all;
}

static int job_status(const struct job *j)
{
    long status = 0;
    nx_process_status(j->procs[j->n - 1], &status);
    return status == NX_EXIT_KILLED ? NSH_STATUS_INTERRUPTED : (int)status;
}

// Keys typed while a job runs: ^C ends it (kill) or stops the wait; ^D ends its input;
// others are echoed and go to its stdin (CR as LF). Returns true on ^C.
static bool keys(struct job *j, bool kill)
{
    char k[64];
    long n = nsh_tty_read(k, sizeof k, (uint64_t)nx_clock_get());
    for (long i = 0; i < n; i++) {
        if (k[i] == CTRL_C) {
            printf("^C\n");
            if (kill)
                job_kill(j);
            return true;
        }
        if (!j->has_tty)
            continue;
        if (k[i] == CTRL_D) {
            nx_pipe_close(&j->tty);
            j->has_tty = false;
            continue;
        }
        char c = k[i] == '\r' ? '\n' : k[i];
        nsh_tty_write(c == '\n' ? "\r\n" : &c, c == '\n' ? 2 : 1);
        nx_pipe_write(&j->tty, &c, 1, 0);
    }
    return false;
}

// Wait for j to end (kill: ^C kills it; else ^C only stops waiting). Its status, or -1 if
// the wait was given up.
static int job_wait(struct job *j, bool kill)
{
    nx_stdio_flush();
    while (!job_done(j)) {
        uint64_t bits;
        long err = nx_notify_wait_bits(j->notif, (uint64_t)nx_clock_get() + KEY_POLL_NS, &bits);
        if (!err)
            j->ended |= bits;
        relay(j, false);
        if (keys(j, kill) && !kill)
            return -1;
    }
    relay(j, true);
    int status = job_status(j);
    job_free(j);
    return status;
}

// A new job of cmds[0..n), started; NULL (reported) if it could not be.
static struct job *job_start(const struct nsh_run *cmds, int n, bool background, const char *text)
{
    struct job *j = job_new(text);
    if (!j) {
        printf("%sat most %d jobs at once\n", nsh_where(), NSH_JOBS_MAX);
        return NULL;
    }
    if (!start_all(j, cmds, n, background)) {
        job_free(j);
        return NULL;
    }
    return j;
}

// "[N] PID... TEXT": a background job's number for fg and wait, its processes' ids for kill.
static void job_announce(const struct job *j)
{
    printf("[%d]", j->id);
    for (int i = 0; i < j->n; i++) {
        struct nx_process_info info;
        if (nx_process_info(j->procs[i], &info) == NX_OK)
            printf(" %u", info.pid);
    }
    printf(" %s\n", j->text);
}

int nsh_job_run(const struct nsh_run *cmds, int n, bool background, const char *text)
{
    struct job *j = job_start(cmds, n, background, text);
    if (!j)
        return 127;
    if (!background)
        return job_wait(j, true);
    job_announce(j);
    return 0;
}

int nsh_job_run_fed(const struct nsh_run *cmds, int n, void (*feed)(void *ctx, struct nx_pipe *),
                    void *ctx, const char *text)
{
    struct job *j = job_start(cmds, n, false, text);
    if (!j)
        return 127;
    if (j->has_tty) {  // the pipe typed keys would go to: the feeder's instead
        feed(ctx, &j->tty);
        nx_pipe_close(&j->tty);
        j->has_tty = false;
    }
    return job_wait(j, true);
}

void nsh_jobs_reap(void)
{
    for (int i = 0; i < NSH_JOBS_MAX; i++)
        if (jobs[i].used && job_done(&jobs[i])) {
            printf("[%d] done %d  %s\n", jobs[i].id, job_status(&jobs[i]), jobs[i].text);
            job_free(&jobs[i]);
        }
}

bool nsh_redirect_ok(const char *path, bool output, bool append)
{
    int flags = output ? O_WRONLY | O_CREAT | (append ? 0 : O_TRUNC) : O_RDONLY;
    int fd = open(path, flags, 0644);
    if (fd < 0) {
        printf("%s%s: cannot %s\n", nsh_where(), path, output ? "create" : "open");
        return false;
    }
    close(fd);
    return true;
}

int cmd_jobs(int argc, char **argv)
{
    (void)argc, (void)argv;
    for (int i = 0; i < NSH_JOBS_MAX; i++)
        if (jobs[i].used)
            printf("[%d] %s  %s\n", jobs[i].id, job_done(&jobs[i]) ? "done" : "running",
                   jobs[i].text);
    return 0;
}

// The job numbered by argv[1] ("%N" or "N"), or the newest; NULL after saying why.
static struct job *job_named(int argc, char **argv)
{
    struct job *best = NULL;
    unsigned long id = 0;
    if (argc > 1 && !cmdline_number(argv[1] + (argv[1][0] == '%'), &id)) {
        nsh_usage(argv[0]);
        return NULL;
    }
    for (int i = 0; i < NSH_JOBS_MAX; i++)
        if (jobs[i].used && (id ? (unsigned long)jobs[i].id == id : !best || jobs[i].id > best->id))
            best = &jobs[i];
    if (!best)
        printf("nsh: %s: no such job\n", argv[0]);
    return best;
}

int cmd_fg(int argc, char **argv)
{
    struct job *j = job_named(argc, argv);
    if (!j)
        return 1;
    printf("%s\n", j->text);
    return job_wait(j, true);
}

int cmd_wait(int argc, char **argv)
{
    int status = 0;
    if (argc > 1) {
        struct job *j = job_named(argc, argv);
        return j ? job_wait(j, false) : 127;
    }
    for (int i = 0; i < NSH_JOBS_MAX; i++)
        if (jobs[i].used) {
            int id = jobs[i].id;
            status = job_wait(&jobs[i], false);
            if (status < 0)
                return NSH_STATUS_INTERRUPTED;
            printf("[%d] done %d\n", id, status);
        }
    return status;
}
