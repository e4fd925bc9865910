// The power menu (desktop.h): Lock, Log out, Power off, under the bar's power button.
// Lock asks the session manager (the handle "session", nx/session.h) and is unavailable
// without it; Log out ends every app this desktop started, then asks the session manager to
// end the session (without one the desktop ends, and the session with it);
// Power off asks init (the handle "proc").
#include <string.h>
#include <nexus/errors.h>
#include <nx/keycodes.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/session.h>
#include <nx/startup.h>
#include "desktop.h"

#define W 180
#define ITEM_H 30
#define PAD 6
#define CALL_NS 2000000000ull

enum { LOCK, LOGOUT, POWEROFF, ITEMS };
static const char *const labels[ITEMS] = { "Lock", "Log out", "Power off" };

static struct {
    struct panel p;
    struct nx_button item[ITEMS];
} M;

// One call on the session handle (nx/session.h): NX_OK, or why not.
static long session_call(uint32_t op)
{
    nx_handle_t session = nx_startup_handle(NX_SESSION_SERVICE);
    if (!session)
        return NX_ERR_NOT_FOUND;
    struct nx_rpc_call c = { .op = op, .deadline = (uint64_t)nx_clock_get() + CALL_NS };
    return nx_rpc(session, &c);
}

static void lock(void)
{
    long err = session_call(NX_SESSION_LOCK);
    if (err == NX_ERR_NOT_FOUND)
        desktop_status("Lock: unavailable (no session manager)");
    else if (err)
        desktop_status("Lock refused (%ld)", err);
}

// The apps this desktop started end first; then the session manager ends the session (the
// desktop with it), or, without one, the desktop ends itself.
static void log_out(void)
{
    for (size_t i = 0; i < desktop_apps.n; i++)
        if (desktop_apps.app[i].proc)
            nx_process_kill(desktop_apps.app[i].proc);
    nx_log(NX_LOG_INFO, "logging out");
    if (session_call(NX_SESSION_LOGOUT))
        desktop_quit = true;
}

static void power_off(void)
{
    nx_handle_t proc = nx_startup_handle("proc");
    if (!proc) {
        desktop_status("Power off: not granted to this session");
        return;
    }
    nx_log(NX_LOG_INFO, "powering off");
    struct nx_rpc_call c = { .op = NX_PROC_POWEROFF,
                             .deadline = (uint64_t)nx_clock_get() + CALL_NS };
    long err = nx_rpc(proc, &c);
    if (err)
        desktop_status("Power off refused (%ld)", err);
}

void menu_toggle(int32_t right)
{
    if (M.p.up) {
        menu_close();
        return;
    }
    struct nx_gfx_rect r = { right - W, BAR_H, W, ITEMS * ITEM_H + 2 * PAD };
    if (panel_open(&M.p, r, "Power"))
        return;
    for (int i = 0; i < ITEMS; i++) {
        nx_button_init(&M.item[i], (struct nx_gfx_rect){ PAD, PAD + i * ITEM_H, W - 2 * PAD,
                                                         ITEM_H - 2 }, labels[i],
                       strlen(labels[i]));
        nx_ui_add(&M.p.ui, &M.item[i].base);
    }
    panel_present(&M.p);
}

void menu_close(void)
{
    panel_close(&M.p);
}

bool menu_event(const struct nx_wm_event *ev)
{
    if (!panel_owns(&M.p, ev))
        return false;
    if (ev->type == NX_WM_EV_FRAME_DONE) {
        panel_frame_done(&M.p);
        return true;
    }
    if (ev->type == NX_WM_EV_KEY && ev->key.code == NX_KEY_ESC) {
        menu_close();
        return true;
    }
    struct nx_widget *hit = nx_ui_event(&M.p.ui, ev);
    void (*const actions[ITEMS])(void) = { lock, log_out, power_off };
    for (int i = 0; i < ITEMS; i++)
        if (hit == &M.item[i].base) {
            menu_close();
            actions[i]();
            return true;
        }
    panel_present(&M.p);
    return true;
}
