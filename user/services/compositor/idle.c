// Idle watches (comp.h, NX_WM_IDLE_WATCH): a client asks to be told once no input has come
// for a while (the login screen, to lock the session). One timer serves every watch, set for
// the earliest with generous slack. Input does not touch it: it only moves C.last_input, which
// the timer's handler compares with, so a busy screen costs one wake-up per watch period and
// an idle one a single wake-up.
#include <nx/log.h>
#include <nx/nx.h>
#include "comp.h"

static nx_handle_t idle_timer;

void idle_start(void)
{
    long t = nx_timer_create(C.notif, (long)BIT_IDLE);
    if (t < 0)
        nx_log(NX_LOG_WARN, "no idle watches: no timer (%ld)", t);
    idle_timer = t < 0 ? NX_HANDLE_INVALID : (nx_handle_t)t;
}

void idle_input(uint64_t time_ns)
{
    if (time_ns > C.last_input)
        C.last_input = time_ns;
}

// When client c's watch runs out, as things stand.
static uint64_t due(const struct client *c)
{
    return (C.last_input > c->idle_from ? C.last_input : c->idle_from) + c->idle_ns;
}

void idle_arm(void)
{
    uint64_t next = NX_DEADLINE_NEVER;
    for (unsigned i = 0; i < NX_WM_MAX_CLIENTS; i++) {
        const struct client *c = &C.clients[i];
        if (c->used && c->idle_ns && due(c) < next)
            next = due(c);
    }
    long err = idle_timer ? nx_timer_set(idle_timer, (long)next, (long)NX_WM_IDLE_SLACK_NS)
                          : NX_OK;
    if (err)
        nx_log(NX_LOG_WARN, "idle watches: the timer refused (%ld)", err);
}

void idle_fired(void)
{
    uint64_t now = (uint64_t)nx_clock_get();
    for (unsigned i = 0; i < NX_WM_MAX_CLIENTS; i++) {
        struct client *c = &C.clients[i];
        if (!c->used || !c->idle_ns || due(c) > now)
            continue;
        struct nx_wm_event ev = { .type = NX_WM_EV_IDLE };
        ev.value = (uint32_t)(c->idle_ns / 1000000000ull);
        c->idle_ns = 0;   // told once: the client asks again
        client_event(i, &ev);
    }
    idle_arm();
}

void idle_watch(unsigned slot, uint64_t ns)
{
    C.clients[slot].idle_ns = ns;
    C.clients[slot].idle_from = (uint64_t)nx_clock_get();
    idle_arm();
}
