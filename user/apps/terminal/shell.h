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
    struct nx_pipe out;        // what nsh prints (we read; woken on `wait` like the rest)
    struct nx_pipe_handles nsh_in, nsh_out;  // nsh's ends until it is started
};

// The pipes: the reading end of nsh's stdout signals NX_PIPE_BIT_IO and NX_PIPE_BIT_GONE on
// the notification whose WAIT handle *wait gets; *signal gets a SIGNAL handle of it for the
// caller's other sources (made here; DUPLICATE and TRANSFER too).
long shell_prepare(struct shell *sh, nx_handle_t *wait, nx_handle_t *signal);
// Starts /boot/nsh on the pipes, with the grants this process has that nsh needs; signal
// gets exit_bit when nsh ends. On failure the caller gives up (shell_stop).
long shell_start(struct shell *sh, nx_handle_t signal, uint64_t exit_bit);
// Kills nsh (if still running) and closes the pipes.
void shell_stop(struct shell *sh);
// Starts another Terminal with this one's grants (its budget out of ours; at most
// TERMINAL_CHILDREN_MAX: NX_ERR_NO_SPACE), a process of its own, its window at place (0-9).
long terminal_open_another(int place);
