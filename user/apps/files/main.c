// Files: the directories this program can name (its file namespace: in a session the
// user's home at / and the read-only /boot), one at a time, directories first; Enter or a
// click on the selected entry opens a directory, or a file in the editor (/boot/editor,
// given this program's file handles); Backspace goes up (docs/apps.md). No timer: a
// directory is read when it is entered (F5 reads it again).
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <nx/file.h>
#include <nx/keycodes.h>
#include <nx/loader.h>
#include <nx/startup.h>
#include <nx/nx.h>
#include <nx/session.h>
#include "appwin.h"
#include "listing.h"

#define WIN_W 600
#define WIN_H 440
#define MARGIN 8
#define ROW_H 22
#define LINE_BYTES 300
#define EDITORS_MAX 2                 // editors open at once (each one's pages are ours)
#define EDITOR_PAGES 1536
#define BIT_EDITOR(i) (APPWIN_BIT_APP << (i))

// The handles an editor gets: copies of these (directories opened again: nx/session.h).
static const char *const passed_on[] = { "log", "svcmgr", "fs", NX_SESSION_ROOT, NX_SESSION_BOOT };
#define NPASSED (sizeof passed_on / sizeof passed_on[0])

struct files {
    struct appwin win;
    char path[NX_FS_PATH_MAX];
    struct listing l;
    char rows[LISTING_MAX][LISTING_ROW_BYTES];
    const char *items[LISTING_MAX];
    char where_text[LINE_BYTES], status_text[LINE_BYTES];
    struct nx_label where, status;
    struct nx_list list;
    nx_handle_t editors[EDITORS_MAX];
};

static struct files f;

__attribute__((format(printf, 1, 2))) static void status(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f.status_text, sizeof f.status_text, fmt, ap);
    va_end(ap);
    nx_label_set(&f.status, f.status_text, strlen(f.status_text));
}

// ---- reading a directory ----

// Whether the listing has an entry of that name.
static bool listed(const char *name)
{
    for (size_t i = 0; i < f.l.n; i++)
        if (!strcmp(f.l.e[i].name, name))
            return true;
    return false;
}

static long read_entries(const char *dir)
{
    uint8_t buf[NX_MSG_BYTES_MAX];
    listing_clear(&f.l);
    for (uint32_t index = 0;;) {
        long n = nx_fs_readdir(dir, index, buf, sizeof buf);
        // A session's /boot is a handle of its own beside the home at /: shown in / too.
        if (n == 0 && !strcmp(dir, "/") && nx_startup_handle("dir:/" NX_FS_BOOT) &&
            !listed(NX_FS_BOOT))
            listing_add(&f.l, NX_FS_BOOT, strlen(NX_FS_BOOT), true, 0);
        if (n <= 0)
            return n;
        const uint8_t *p = buf;
        for (long i = 0; i < n; i++, index++, p += ((const struct nx_fs_dirent *)p)->reclen) {
            const struct nx_fs_dirent *d = (const void *)p;
            char full[NX_FS_PATH_MAX];
            struct nx_fs_stat st = { 0 };
            if (d->type != NX_FS_DT_DIR && !listing_join(dir, d->name, full))
                nx_fs_stat(full, &st);  // no size shown (0) if it fails
            if (!listing_add(&f.l, d->name, d->namelen, d->type == NX_FS_DT_DIR, st.size))
                return NX_OK;
        }
    }
}

// Shows dir (a path this program can name); on failure the old listing stays.
static long show(const char *dir)
{
    long err = read_entries(dir);
    if (err < 0) {
        status("Cannot read %s: %s", dir, appwin_error(err));
        return err;
    }
    listing_sort(&f.l);
    for (size_t i = 0; i < f.l.n; i++) {
        listing_row(&f.l.e[i], f.rows[i]);
        f.items[i] = f.rows[i];
    }
    if (dir != f.path)
        snprintf(f.path, sizeof f.path, "%s", dir);
    nx_list_set_items(&f.list, f.items, f.l.n);
    nx_list_select(&f.list, f.l.n ? 0 : -1);
    snprintf(f.where_text, sizeof f.where_text, "%s", f.path);
    nx_label_set(&f.where, f.where_text, strlen(f.where_text));
    status(f.l.truncated ? "%zu entries shown (more left out)" : "%zu entries", f.l.n);
    printf("files: %s: %zu entries\n", f.path, f.l.n);
    return NX_OK;
}

// ---- opening ----

static void open_in_editor(const char *file)
{
    size_t slot = 0;
    while (slot < EDITORS_MAX && f.editors[slot])
        slot++;
    if (slot == EDITORS_MAX) {
        status("Close an editor first (at most %d open from here)", EDITORS_MAX);
        return;
    }
    struct nx_named_handle h[NX_STARTUP_HANDLES_MAX];
    const char *argv[] = { "editor", file };
    size_t n = 0;  // a grant that cannot be copied is left out: the editor says what it lacks
    nx_session_copy_grants(passed_on, NPASSED, h, &n, NX_STARTUP_HANDLES_MAX);
    struct nx_load_params p = { .name = "editor", .argv = argv, .argc = 2, .handles = h,
                                .nhandles = n, .budget_pages = EDITOR_PAGES };
    const char *why = "";
    long err = nx_load_file("/boot/editor", &p, &f.editors[slot], &why);
    if (!err)
        err = nx_process_watch(f.editors[slot], f.win.notif, BIT_EDITOR(slot));
    if (err) {
        status("Cannot start the editor: %s (%s)", why, appwin_error(err));
        if (f.editors[slot])
            nx_handle_close(f.editors[slot]);
        f.editors[slot] = 0;
        return;
    }
    status("Opened %s in the editor", file);
    printf("files: opened %s in the editor\n", file);
}

// Editors that ended: their handles closed (and their pages ours again).
static void reap(uint64_t bits)
{
    for (size_t i = 0; i < EDITORS_MAX; i++)
        if ((bits & BIT_EDITOR(i)) && f.editors[i]) {
            nx_handle_close(f.editors[i]);
            f.editors[i] = 0;
        }
}

static void open_selected(void)
{
    int32_t sel = f.list.selected;
    if (sel < 0 || (size_t)sel >= f.l.n)
        return;
    char full[NX_FS_PATH_MAX];
    if (listing_join(f.path, f.l.e[sel].name, full)) {
        status("The path is too long");
        return;
    }
    if (f.l.e[sel].dir)
        show(full);
    else
        open_in_editor(full);
}

static void go_up(void)
{
    char parent[NX_FS_PATH_MAX];
    snprintf(parent, sizeof parent, "%s", f.path);
    if (listing_parent(parent))
        show(parent);
}

static void event(const struct nx_wm_event *ev)
{
    if (ev->type == NX_WM_EV_KEY && ev->key.state == 1) {
        if (ev->key.code == NX_KEY_BACKSPACE) {
            go_up();
            return;
        }
        if (ev->key.code == NX_KEY_F5) {
            show(f.path);
            return;
        }
    }
    if (nx_ui_event(&f.win.ui, ev) == &f.list.base)
        open_selected();
}

// ---- start ----

static long start(void)
{
    f.win.prog = "files";
    long err = appwin_open(&f.win, "Files", WIN_W, WIN_H, 120, 140);
    if (err)
        return err;
    nx_label_init(&f.where, (struct nx_gfx_rect){ MARGIN, MARGIN, WIN_W - 2 * MARGIN, ROW_H },
                  f.where_text, 0);
    nx_list_init(&f.list, (struct nx_gfx_rect){ MARGIN, MARGIN + ROW_H + 4, WIN_W - 2 * MARGIN,
                                                WIN_H - 2 * MARGIN - 2 * ROW_H - 8 },
                 f.items, 0);
    nx_label_init(&f.status, (struct nx_gfx_rect){ MARGIN, WIN_H - MARGIN - ROW_H, WIN_W - 2 * MARGIN, ROW_H },
                  f.status_text, 0);
    f.status.muted = true;
    err = nx_ui_add(&f.win.ui, &f.list.base);
    if (!err)
        err = nx_ui_add(&f.win.ui, &f.where.base);
    if (!err)
        err = nx_ui_add(&f.win.ui, &f.status.base);
    nx_ui_focus(&f.win.ui, &f.list.base);
    f.win.theme.face = &f.win.mono_face;  // names and sizes in columns
    f.win.theme.glyphs = &f.win.mono_glyphs;
    nx_ui_set_theme(&f.win.ui, &f.win.theme);
    return err;
}

int main(int argc, char **argv)
{
    long err = start();
    if (err) {
        fprintf(stderr, "files: cannot start (%ld)\n", err);
        return 1;
    }
    show(argc > 1 ? argv[1] : "/");
    appwin_run(&f.win, event, reap);
    appwin_close(&f.win);
    return 0;
}
