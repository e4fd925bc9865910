// System monitor: a window of processes (the session's own, through the kernel, and init's,
// through its proc service), memory, each hart's load and the uptime, refreshed every
// REFRESH_NS; Delete (or Kill) on a selected process asks, then kills it the way it was listed
// (docs/apps.md).
//
// It wakes for the compositor's events and for one timer, set REFRESH_NS ahead with
// REFRESH_SLACK_NS of slack so the kernel can fire it together with other timers. A refresh
// reads the counters and the process list; only the lines whose text changed are drawn and
// presented (the uptime changes every time, so every refresh presents at least that line).
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <nx/keycodes.h>
#include <nx/loader.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#include "appwin.h"
#include "figures.h"
#include "model.h"
#include "tree.h"

#define BIT_TIMER APPWIN_BIT_APP
#define REFRESH_NS 2000000000ull
#define REFRESH_SLACK_NS 250000000ull
#define PROC_CALL_NS 1000000000ull
#define PROCS_MAX 64                  // rows shown (init's table is smaller)
#define LINE_BYTES 160
#define WIN_W 560
#define WIN_H 460
#define MARGIN 8
#define ROW_H 22

struct monitor {
    struct appwin win;
    nx_handle_t proc, tree, timer;    // init's proc service; the session's process tree
    struct fig_harts harts;
    struct nx_proc_entry procs[PROCS_MAX];
    size_t nprocs;
    size_t nowned;                    // procs[0, nowned) are the session's (from procs)
    char rows[PROCS_MAX][SYSMON_ROW_BYTES];
    const char *items[PROCS_MAX];
    char mem_text[LINE_BYTES], load_text[LINE_BYTES], up_text[LINE_BYTES], status_text[LINE_BYTES];
    struct nx_label mem, load, up, header, status;
    struct nx_list list;
    struct nx_button kill, cancel;
    uint32_t confirm_pid;             // asking whether to kill it (0: not asking)
    bool confirm_owned;               // ... through the tree, not through proc
    char confirm_name[NX_SVC_NAME_MAX + 1];
};

static struct monitor m;

// ---- reading the system ----

// The session's processes first (marked as the user's), then init's.
static long list_processes(void)
{
    struct nx_proc_entry batch[NX_MSG_BYTES_MAX / sizeof(struct nx_proc_entry)];
    long owned = m.tree ? tree_list(m.tree, m.procs, PROCS_MAX) : 0;
    m.nprocs = m.nowned = owned > 0 ? (size_t)owned : 0;
    if (owned < 0 || !m.proc)
        return owned < 0 ? owned : NX_OK;
    for (uint32_t index = 0; m.nprocs < PROCS_MAX;) {
        struct nx_proc_list_req req = { index };
        struct nx_rpc_call c = {
            .op = NX_PROC_LIST, .req = &req, .req_len = sizeof req, .rep = batch,
            .rep_cap = sizeof batch, .deadline = (uint64_t)nx_clock_get() + PROC_CALL_NS,
        };
        long n = nx_rpc(m.proc, &c);
        if (n <= 0)
            return n;
        for (size_t i = 0; i < (size_t)n && i < c.rep_len / sizeof batch[0] && m.nprocs < PROCS_MAX; i++)
            m.procs[m.nprocs++] = batch[i];
        index += (uint32_t)n;
    }
    return NX_OK;
}

static void set_label(struct nx_label *l, char *text, const char *now)
{
    appwin_set_label(l, text, LINE_BYTES, now);
}

__attribute__((format(printf, 1, 2))) static void set_status(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    appwin_vset_label(&m.status, m.status_text, LINE_BYTES, fmt, ap);
    va_end(ap);
}

static void refresh_counters(void)
{
    char line[LINE_BYTES];
    fig_memory_line(line, sizeof line);
    set_label(&m.mem, m.mem_text, line);
    fig_harts_line(&m.harts, line, sizeof line);
    set_label(&m.load, m.load_text, line);
    fig_uptime_line(line, sizeof line);
    set_label(&m.up, m.up_text, line);
}

// The list again, the selection kept on the same process (by pid) when it is still there.
static void refresh_processes(void)
{
    if (!m.proc && !m.tree)
        return;
    int32_t sel = m.list.selected;
    uint32_t sel_pid = sel >= 0 && (size_t)sel < m.nprocs ? m.procs[sel].pid : 0;
    size_t before = m.nprocs;
    long err = list_processes();
    if (err < 0)
        set_status("The process list failed: %s", appwin_error(err));
    bool changed = m.nprocs != before;
    for (size_t i = 0; i < m.nprocs; i++) {
        char row[SYSMON_ROW_BYTES];
        sysmon_row(&m.procs[i], row);
        if (i < m.nowned)
            row[0] = '*';  // the pid is right-aligned in 5 columns: the first is a blank
        changed |= strcmp(row, m.rows[i]) != 0;
        memcpy(m.rows[i], row, sizeof row);
        m.items[i] = m.rows[i];
    }
    if (!changed)
        return;
    nx_list_set_items(&m.list, m.items, m.nprocs);
    for (size_t i = 0; i < m.nprocs; i++)
        if (sel_pid && m.procs[i].pid == sel_pid)
            nx_list_select(&m.list, (int32_t)i);
}

static void refresh(void)
{
    refresh_counters();
    refresh_processes();
    nx_timer_set(m.timer, (uint64_t)nx_clock_get() + REFRESH_NS, REFRESH_SLACK_NS);
}

// ---- killing ----

static void ask_kill(void)
{
    int32_t sel = m.list.selected;
    if (sel < 0 || (size_t)sel >= m.nprocs) {
        set_status("Select a process first");
        return;
    }
    m.confirm_pid = m.procs[sel].pid;
    m.confirm_owned = (size_t)sel < m.nowned;
    snprintf(m.confirm_name, sizeof m.confirm_name, "%.*s", (int)sizeof m.procs[sel].name,
             m.procs[sel].name);
    set_status("Kill %s (pid %u)? Enter or Kill: yes, Esc or Cancel: no", m.confirm_name,
               m.confirm_pid);
}

static void do_kill(void)
{
    struct nx_proc_kill_req req = { m.confirm_pid };
    long err = m.confirm_owned ? nx_process_kill_descendant(m.tree, m.confirm_pid)
               : m.proc == NX_HANDLE_INVALID
                   ? NX_ERR_BAD_HANDLE
                   : nx_rpc_call(m.proc, NX_PROC_KILL, &req, sizeof req, NULL, 0,
                                 (uint64_t)nx_clock_get() + PROC_CALL_NS);
    if (err) {
        set_status("Cannot kill %s (pid %u): %s", m.confirm_name, m.confirm_pid,
                   sysmon_kill_error(err));
        printf("sysmon: cannot kill %s (pid %u): %s (%ld)\n", m.confirm_name, m.confirm_pid,
               sysmon_kill_error(err), err);
    } else {
        set_status("Killed %s (pid %u)", m.confirm_name, m.confirm_pid);
        printf("sysmon: killed %s (pid %u)\n", m.confirm_name, m.confirm_pid);
    }
    m.confirm_pid = 0;
    refresh_processes();
}

static void cancel_kill(void)
{
    if (!m.confirm_pid)
        return;
    m.confirm_pid = 0;
    set_status("Nothing killed");
}

// Keys the monitor takes before the form: the confirmation's, and Delete.
static bool key(const struct nx_wm_event *ev)
{
    if (ev->key.state != 1)
        return false;
    unsigned code = ev->key.code;
    if (m.confirm_pid && (code == NX_KEY_ENTER || code == NX_KEY_Y)) {
        do_kill();
        return true;
    }
    if (m.confirm_pid && (code == NX_KEY_ESC || code == NX_KEY_N)) {
        cancel_kill();
        return true;
    }
    if (code == NX_KEY_DELETE) {
        ask_kill();
        return true;
    }
    return false;
}

static void event(const struct nx_wm_event *ev)
{
    if (ev->type == NX_WM_EV_KEY && key(ev))
        return;
    struct nx_widget *hit = nx_ui_event(&m.win.ui, ev);
    if (hit == &m.kill.base)
        m.confirm_pid ? do_kill() : ask_kill();
    else if (hit == &m.cancel.base)
        cancel_kill();
}

static void woken(uint64_t bits)
{
    if (bits & BIT_TIMER)
        refresh();
}

// ---- start ----

static struct nx_gfx_rect line_at(int32_t row)
{
    return (struct nx_gfx_rect){ MARGIN, MARGIN + row * ROW_H, WIN_W - 2 * MARGIN, ROW_H };
}

static long layout(void)
{
    struct nx_ui *ui = &m.win.ui;
    int32_t list_top = MARGIN + 4 * ROW_H, list_h = WIN_H - list_top - 3 * ROW_H - MARGIN;
    nx_label_init(&m.mem, line_at(0), m.mem_text, 0);
    nx_label_init(&m.load, line_at(1), m.load_text, 0);
    nx_label_init(&m.up, line_at(2), m.up_text, 0);
    static const char header[] = "  PID  STATE    PAGES/BUDGET  RESTARTS  NAME";
    nx_label_init(&m.header, line_at(3), header, sizeof header - 1);
    m.header.muted = true;
    nx_list_init(&m.list, (struct nx_gfx_rect){ MARGIN, list_top, WIN_W - 2 * MARGIN, list_h },
                 m.items, 0);
    int32_t bottom = WIN_H - MARGIN - ROW_H - 4;
    nx_label_init(&m.status, (struct nx_gfx_rect){ MARGIN, list_top + list_h + 4, WIN_W - 2 * MARGIN, ROW_H },
                  m.status_text, 0);
    nx_button_init(&m.kill, (struct nx_gfx_rect){ WIN_W - MARGIN - 200, bottom, 96, ROW_H + 4 }, "Kill", 4);
    nx_button_init(&m.cancel, (struct nx_gfx_rect){ WIN_W - MARGIN - 96, bottom, 96, ROW_H + 4 }, "Cancel", 6);
    struct nx_widget *all[] = { &m.list.base, &m.kill.base, &m.cancel.base, &m.mem.base,
                                &m.load.base, &m.up.base, &m.header.base, &m.status.base };
    long err = NX_OK;
    for (size_t i = 0; i < sizeof all / sizeof all[0] && !err; i++)
        err = nx_ui_add(ui, all[i]);
    nx_ui_focus(ui, &m.list.base);
    return err;
}

static long start(void)
{
    m.win.prog = "sysmon";
    long err = appwin_open(&m.win, "System monitor", WIN_W, WIN_H, 80, 60);
    if (err)
        return err;
    m.win.theme.face = &m.win.mono_face;  // columns line up
    m.win.theme.glyphs = &m.win.mono_glyphs;
    nx_ui_set_theme(&m.win.ui, &m.win.theme);
    long t = nx_timer_create(m.win.notif, (long)BIT_TIMER);
    if (t < 0)
        return t;
    m.timer = (nx_handle_t)t;
    fig_harts_start(&m.harts);
    m.proc = nx_startup_handle("proc");
    m.tree = nx_startup_handle("procs");
    err = layout();
    if (!err && !m.proc && !m.tree)
        set_status("No proc or procs handle: processes are not listed");
    else if (!err && m.tree)
        set_status("* marks your session's processes");
    return err;
}

int main(void)
{
    long err = start();
    if (err) {
        fprintf(stderr, "sysmon: cannot start (%ld)\n", err);
        return 1;
    }
    refresh();
    printf("sysmon: %zu processes listed\n", m.nprocs);
    appwin_run(&m.win, event, woken);
    appwin_close(&m.win);
    return 0;
}
