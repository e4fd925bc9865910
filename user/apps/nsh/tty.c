// The interactive shell's terminal (see tty.h).
#include <nx/console.h>
#include <nx/nx.h>
#include <nx/pipe.h>
#include <nx/startup.h>
#include <nx/stdio.h>
#include "nsh.h"
#include "tty.h"

static struct nx_pipe *keys;  // stdin's pipe, in a Terminal

bool nsh_tty_open(void)
{
    nsh_console = nx_startup_handle("console");
    if (nsh_console) {
        nx_console_take_stdio(nsh_console);
        return true;
    }
    keys = nx_stdio_pipe(0);
    return keys && nx_stdio_pipe(1);
}

bool nsh_tty_piped(void)
{
    return keys != NULL;
}

long nsh_tty_read(char *buf, size_t n, uint64_t deadline)
{
    if (keys)
        return nx_pipe_read(keys, buf, n, deadline);
    if (!nsh_console)
        return NX_ERR_NOT_FOUND;  // a script's shell: no terminal
    return nx_console_read(nsh_console, buf, n, deadline);
}

void nsh_tty_write(const char *s, size_t len)
{
    if (keys)
        nx_stdio_fd_write(1, s, len);
    else
        nx_console_write(nsh_console, s, len);
}
