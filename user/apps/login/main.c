// login: the serial console's door (docs/login.md). It asks for a name and a password, has
// the users service check them (which also imposes the delay after wrong ones), and runs
// the user's shell confined to the user's home (seen as "/") and the boot archive (/boot,
// read-only), with the console and the services below. When the shell ends (logout), it
// asks again. It never shows, logs or keeps a password: the buffer is wiped after the check.
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <nexus/errors.h>
#include <nx/console.h>
#include <nx/file.h>
#include <nx/nx.h>
#include <nx/session.h>
#include <nx/startup.h>
#include <nx/users.h>

#define SESSION "console"  // its session manifest: /boot/console.session (nx/session.h)

static nx_handle_t con;

static long console_in(void *ctx, char *buf, size_t n)
{
    (void)ctx;
    return nx_console_read(con, buf, n, NX_DEADLINE_NEVER);
}

static void say(const char *s, size_t n)
{
    nx_console_write(con, s, n);
}

static void puts_con(const char *s)
{
    say(s, strlen(s));
}

static void sayf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sayf(const char *fmt, ...)
{
    char line[160];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    say(line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void pause_ms(uint32_t ms)
{
    static long notif;
    if (!notif)
        notif = nx_notification_create();
    uint64_t bits;
    if (notif > 0)
        nx_notify_wait_bits((nx_handle_t)notif, (uint64_t)nx_clock_get() + ms * 1000000ull,
                            &bits);
}

static void wipe(void *p, size_t n)
{
    volatile char *v = p;
    while (n--)
        *v++ = 0;
}

// The session: what its manifest names (the shell) with the user's namespace; waits for it
// to end.
static long session(const char *name, const struct nx_users_login_rep *rep)
{
    static struct nx_session_manifest m;
    struct nx_session_spec spec = { .user = name, .home = rep->home };
    struct nx_app_error why;
    long err = nx_session_manifest_read(SESSION, &m, &spec, &why);
    if (err) {
        sayf("The session manifest /boot/" SESSION NX_SESSION_SUFFIX " line %u: %s.\r\n",
             why.line, why.why);
        return err;
    }
    nx_handle_t proc;
    err = nx_session_start(&spec, &proc);
    if (err)
        return err;
    long status;
    err = nx_process_wait(proc, NX_DEADLINE_NEVER, &status);
    nx_handle_close(proc);
    return err;
}

// What to tell the person after a refusal.
static void refused(long err, const struct nx_users_login_rep *rep)
{
    switch (err) {
    case NX_ERR_ACCESS:
        sayf("Login incorrect. Next try in %u s.\r\n", (rep->retry_ms + 999) / 1000);
        pause_ms(rep->retry_ms);
        break;
    case NX_ERR_TIMED_OUT:
        sayf("Too soon after a wrong password: wait %u s.\r\n", (rep->retry_ms + 999) / 1000);
        pause_ms(rep->retry_ms);
        break;
    case NX_ERR_BAD_STATE:
        sayf("The user database is damaged: only '%s' can log in.\r\n", NX_USERS_RECOVERY);
        pause_ms(rep->retry_ms);
        break;
    case NX_ERR_TOO_BIG:
        sayf("Too long: names have at most %d bytes, passwords %d.\r\n", NX_USER_NAME_MAX,
             NX_PASSWORD_MAX);
        break;
    case NX_ERR_INVALID:
        sayf("Not a valid name or password (names: a-z 0-9 _ -; passwords: UTF-8 text).\r\n");
        break;
    default:
        sayf("login: the users service failed (%ld).\r\n", err);
        pause_ms(1000);
    }
}

// One attempt: prompts, the check, and the session if it passes.
static void attempt(void)
{
    char name[NX_USER_NAME_MAX + 1], pw[NX_PASSWORD_MAX + 1];
    struct nx_users_login_rep rep = { 0 };
    puts_con("\r\nNexus OS login: ");
    long err = nx_users_read_line(console_in, NULL, say, name, sizeof(name));
    if (err == 0 || err == NX_ERR_PEER_CLOSED)
        return;
    // The password is asked whatever the name was: the answer comes after both.
    puts_con("Password: ");
    long perr = nx_users_read_line(console_in, NULL, NULL, pw, sizeof(pw));
    puts_con("\r\n");
    if (err >= 0)
        err = perr < 0 ? perr : nx_users_login(name, pw, &rep);
    wipe(pw, sizeof(pw));
    if (err == NX_ERR_PEER_CLOSED)
        return;
    if (err) {
        refused(err, &rep);
        return;
    }
    sayf("Welcome, %s.\r\n", name);
    err = session(name, &rep);
    if (err)
        sayf("login: cannot start the session (%ld).\r\n", err);
    else
        puts_con("Logged out.\r\n");
}

int main(void)
{
    con = nx_startup_handle("console");
    if (!con) {
        nx_printf("login: needs the handle \"console\"\n");
        return 1;
    }
    for (;;)
        attempt();
}
