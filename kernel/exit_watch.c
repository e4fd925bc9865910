// Exit watches: a fixed array in one slab slot, so a watch costs no allocation of its own and
// a full set is refused rather than grown.
#include <nexus/errors.h>
#include "exit_watch.h"
#include "notification.h"
#include "slab.h"

struct exit_watches {
    struct {
        struct notification *notif;  // a reference; NULL: a free slot
        uint64_t bits;
    } slot[NX_PROCESS_MAX_WATCHES];
};
_Static_assert(sizeof(struct exit_watches) <= 512, "the exit watches take a 512-byte slab slot");

struct exit_watches *exit_watches_alloc(struct page_budget *payer)
{
    return slab_alloc(payer, sizeof(struct exit_watches));
}

// The slot for a watch by n: its own, else a free one, else one whose notification nobody can
// observe any more (its holder closed it: nx_process_wait that timed out), which is dropped.
// -1 if every slot holds a live watch.
static int slot_for(struct exit_watches *w, struct notification *n)
{
    int free_slot = -1, stale = -1;
    for (int i = 0; i < NX_PROCESS_MAX_WATCHES; i++) {
        struct notification *m = w->slot[i].notif;
        if (m == n)
            return i;
        if (!m && free_slot < 0)
            free_slot = i;
        if (m && stale < 0 && !notification_observable(m))
            stale = i;
    }
    if (free_slot < 0 && stale >= 0) {
        kobject_unref(&w->slot[stale].notif->obj);
        w->slot[stale].notif = NULL;
        free_slot = stale;
    }
    return free_slot;
}

int exit_watches_add(struct exit_watches *w, struct notification *n, uint64_t bits)
{
    int i = slot_for(w, n);
    if (i < 0)
        return NX_ERR_NO_SPACE;
    if (w->slot[i].notif != n) {
        kobject_ref(&n->obj);
        w->slot[i].notif = n;
    }
    w->slot[i].bits = bits;
    return NX_OK;
}

void exit_watches_end(struct exit_watches *w, struct page_budget *payer)
{
    for (int i = 0; i < NX_PROCESS_MAX_WATCHES; i++) {
        struct notification *n = w->slot[i].notif;
        if (!n)
            continue;
        notification_signal(n, w->slot[i].bits);
        kobject_unref(&n->obj);
    }
    slab_free(payer, w, sizeof(*w));
}
