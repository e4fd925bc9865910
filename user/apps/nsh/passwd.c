// passwd and useradd: change a password, add a user, through the users service (nx/users.h,
// docs/login.md). Builtins, because the shell echoes what it passes to a program's stdin:
// here the passwords are read straight from the terminal and never shown.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nexus/errors.h>
#include <nx/nx.h>
#include <nx/users.h>
#include "nsh.h"
#include "tty.h"

static long tty_in(void *ctx, char *buf, size_t n)
{
    (void)ctx;
    return nsh_tty_read(buf, n, NX_DEADLINE_NEVER);
}

static long ask(const char *prompt, char *buf, size_t cap)
{
    nsh_tty_write(prompt, strlen(prompt));
    long n = nx_users_read_line(tty_in, NULL, NULL, buf, cap);
    nsh_tty_write("\r\n", 2);
    return n;
}

static const char *refusal(long err)
{
    switch (err) {
    case NX_ERR_ACCESS: return "wrong password";
    case NX_ERR_TIMED_OUT: return "too soon after a wrong password: wait and try again";
    case NX_ERR_BAD_STATE: return "the user database is damaged";
    case NX_ERR_TOO_BIG: return "too long";
    case NX_ERR_INVALID: return "not a valid name or password, or a name taken (passwords: UTF-8 text)";
    case NX_ERR_NO_SPACE: return "the user database is full";
    case NX_ERR_IO: return "no random salt, or the user database could not be written";
    case NX_ERR_PEER_CLOSED: return "abandoned";
    default: return nsh_error(err);
    }
}

static char typed[3][NX_PASSWORD_MAX + 1];   // the current (or recovery's) and the new twice

static void forget(void)
{
    memset(typed, 0, sizeof(typed));
}

// Ask first, then the new password twice: NX_OK, a read's error, or NX_ERR_INVALID (*differ)
// when the two new ones differ.
static long ask_three(const char *first, bool *differ)
{
    long err = ask(first, typed[0], sizeof(typed[0]));
    if (err >= 0)
        err = ask("New password: ", typed[1], sizeof(typed[1]));
    if (err >= 0)
        err = ask("Retype new password: ", typed[2], sizeof(typed[2]));
    *differ = err >= 0 && strcmp(typed[1], typed[2]);
    return err < 0 ? err : *differ ? NX_ERR_INVALID : NX_OK;
}

// The passwords forgotten, a failure told; the command's exit status.
static int refused_if(const char *cmd, const char *name, long err, bool differ)
{
    forget();
    if (differ)
        printf("%s%s: the new passwords differ; nothing changed\n", nsh_where(), cmd);
    else if (err)
        printf("%s%s: %s: %s (%ld)\n", nsh_where(), cmd, name, refusal(err), err);
    return err ? 1 : 0;
}

int cmd_passwd(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : getenv("USER");
    if (!name)
        return nsh_usage(argv[0]);
    bool differ;
    long err = ask_three("Current password: ", &differ);
    if (!err)
        err = nx_users_passwd(name, typed[0], typed[1], NULL);
    if (!err)
        printf("passwd: password of %s changed\n", name);
    return refused_if("passwd", name, err, differ);
}

// useradd NAME: a new account, authorised by the recovery account's password (docs/login.md).
int cmd_useradd(int argc, char **argv)
{
    (void)argc;
    bool differ;
    long err = ask_three("Password of " NX_USERS_RECOVERY ": ", &differ);
    struct nx_users_login_rep rep;
    if (!err)
        err = nx_users_useradd(typed[0], argv[1], typed[1], &rep);
    if (!err)
        printf("useradd: %s added: uid %u, home %s\n", argv[1], rep.uid, rep.home);
    return refused_if("useradd", argv[1], err, differ);
}
