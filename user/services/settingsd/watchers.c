// The settings service's watches (watchers.h).
#include <nexus/errors.h>
#include "watchers.h"

long watchers_add(struct watchers *t, const struct watcher *w)
{
    if (t->n == NX_SETTINGS_WATCHERS)
        return NX_ERR_NO_SPACE;
    t->w[t->n++] = *w;
    return NX_OK;
}

// Watcher i goes: its handles closed, the last one moved into its place.
static void drop(struct watchers *t, size_t i, const struct watcher_ops *ops)
{
    ops->close(t->w[i].notif);
    ops->close(t->w[i].proc);
    t->w[i] = t->w[--t->n];
}

size_t watchers_signal(struct watchers *t, const struct watcher_ops *ops)
{
    size_t signalled = 0;
    for (size_t i = 0; i < t->n;) {
        if (ops->signal(t->w[i].notif, t->w[i].bits) == NX_OK) {
            signalled++;
            i++;
        } else {
            drop(t, i, ops);
        }
    }
    return signalled;
}

size_t watchers_reap(struct watchers *t, const struct watcher_ops *ops)
{
    size_t dropped = 0;
    for (size_t i = 0; i < t->n;) {
        if (ops->ended(t->w[i].proc)) {
            drop(t, i, ops);
            dropped++;
        } else {
            i++;
        }
    }
    return dropped;
}
