#pragma once
// The settings service's watches (NX_SETTINGS_WATCH, nx/settings.h): a fixed table of at most
// NX_SETTINGS_WATCHERS, each a notification to signal after a change and the process whose
// end ends the watch. Pure: the system calls come in as functions, so the host test drives
// the table at its limit with fakes. Only the service's one thread touches it.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>
#include <nx/settings.h>

struct watcher {
    nx_handle_t notif;     // SIGNAL only
    nx_handle_t proc;      // READ only: the watcher's process
    uint64_t bits;
};

struct watchers {
    struct watcher w[NX_SETTINGS_WATCHERS];
    size_t n;
};

// What the table needs of the system.
struct watcher_ops {
    long (*signal)(nx_handle_t notif, uint64_t bits);   // NX_OK or an error
    bool (*ended)(nx_handle_t proc);                    // the process has ended
    void (*close)(nx_handle_t h);
};

// Adds w: NX_OK (the table owns its handles), or NX_ERR_NO_SPACE when full (the caller
// keeps them).
long watchers_add(struct watchers *t, const struct watcher *w);
// Signals every watcher; one whose signal fails is dropped (its handles closed). Returns
// how many were signalled.
size_t watchers_signal(struct watchers *t, const struct watcher_ops *ops);
// Drops the watchers whose processes have ended: how many.
size_t watchers_reap(struct watchers *t, const struct watcher_ops *ops);
