#pragma once
// The Terminal's processes (shell.c): its nsh on a pair of pipes, and other Terminals.
#include <stdbool.h>
#include <nx/pipe.h>

#define TERMINAL_SHELL_PAGES 1024  // the nsh of a Terminal (its programs come out of it too)
#define TERMINAL_CHILD_PAGES 3072  // a Terminal opened by Ctrl+Shift+N (with its own nsh)
#define TERMINAL_CHILDREN_MAX 4    // Terminals one Terminal opens

struct shell {
    nx_handle_t proc;
    struct nx_pipe in;         // what nsh reads: typed keys (we write)
    struct nx_pipe out;        // what nsh prints (we read; woken on `notif` like the rest)
};

// Starts /boot/nsh with its stdin and stdout on new pipes; the reading end of its stdout
// signals NX_PIPE_BIT_IO and NX_PIPE_BIT_GONE on the notification whose SIGNAL handle is
// *signal (made here, for the caller's other sources) and whose WAIT handle is *wait, and
// exit_bit when nsh ends. nsh gets the grants this process has that it needs.
long shell_start(struct shell *sh, uint64_t exit_bit, nx_handle_t *wait, nx_handle_t *signal);
// Kills nsh (if still running) and closes the pipes.
void shell_stop(struct shell *sh);
// Starts another Terminal with this one's grants (its budget out of ours; at most
// TERMINAL_CHILDREN_MAX: NX_ERR_NO_SPACE), a process of its own.
long terminal_open_another(void);
