// Text editor: one file (the argument; none: an untitled buffer that cannot be saved) in a
// gap buffer of at most EDITOR_MAX_BYTES (textbuf.h), drawn in DejaVu Sans Mono; Ctrl+S
// saves (save.c); closing with unsaved changes asks Save / Discard / Cancel (docs/apps.md).
// No timer: it wakes only for the compositor's events (the cursor does not blink).
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nx/keycodes.h>
#include <nx/nx.h>
#include "appwin.h"
#include "save.h"
#include "textbuf.h"

#define WIN_W 640
#define WIN_H 480
#define STATUS_H 26
#define MARGIN 6
#define LINE_DRAW_MAX 512           // bytes of a line drawn (the rest is past the window)
#define STATUS_BYTES 200
#define TAB_SPACES "    "

struct editor {
    struct appwin win;
    struct textbuf tb;
    const char *path;               // NULL: untitled
    bool modified, refused;         // refused: the file could not be loaded (never saved over)
    bool quit_after_save;
    struct nx_scroll view;
    struct nx_label status;
    char status_text[STATUS_BYTES];
    char message[STATUS_BYTES];     // the last message (cleared by the next edit)
    int32_t line_h;
};

static struct editor ed;

// ---- the status line ----

static void show_status(void)
{
    size_t pos = textbuf_cursor(&ed.tb);
    const char *name = ed.path ? ed.path : "untitled";
    if (ed.message[0])
        snprintf(ed.status_text, sizeof ed.status_text, "%s", ed.message);
    else
        snprintf(ed.status_text, sizeof ed.status_text, "%s%s   Ln %zu, Col %zu", name,
                 ed.modified ? " (modified)" : "", textbuf_line_of(&ed.tb, pos) + 1,
                 textbuf_col_of(&ed.tb, pos) + 1);
    nx_label_set(&ed.status, ed.status_text, strlen(ed.status_text));
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ed.message, sizeof ed.message, fmt, ap);
    va_end(ap);
    show_status();
}

// ---- drawing ----

// Lines [first, ...) of the text from the top of the view; the cursor as a bar.
static void draw_text(void *ctx, struct nx_gfx_surface *view, const struct nx_theme *t,
                      int32_t offset)
{
    (void)ctx;
    nx_gfx_fill(view, nx_gfx_surface_rect(view), t->field_bg);
    size_t first = (size_t)(offset / ed.line_h), len = textbuf_len(&ed.tb);
    size_t cursor = textbuf_cursor(&ed.tb), pos = textbuf_line_at(&ed.tb, first);
    int32_t y = (int32_t)first * ed.line_h - offset;
    for (; y < view->height; y += ed.line_h) {
        size_t end = textbuf_line_end(&ed.tb, pos), n = 0;
        char line[LINE_DRAW_MAX];
        int32_t cursor_x = -1;
        for (size_t p = pos; p < end && n < sizeof line; p++) {
            if (p == cursor)
                cursor_x = nx_text_width(&ed.win.mono_face, line, n);
            line[n++] = textbuf_at(&ed.tb, p);
        }
        if (cursor >= pos && cursor <= end && cursor_x < 0)
            cursor_x = nx_text_width(&ed.win.mono_face, line, n);
        int32_t base = y + ed.win.mono_face.ascent;
        nx_text_draw_from(view, &ed.win.mono_glyphs, &ed.win.mono_face, MARGIN, base, line, n,
                          t->fg, NULL);
        if (cursor_x >= 0)
            nx_gfx_fill(view, (struct nx_gfx_rect){ MARGIN + cursor_x, y, 2, ed.line_h }, t->focus);
        if (end == len)
            break;
        pos = end + 1;
    }
}

// The view's height and scroll position follow the text and keep the cursor in sight.
static void text_changed(void)
{
    size_t lines = textbuf_line_of(&ed.tb, textbuf_len(&ed.tb)) + 1;
    nx_scroll_set_content(&ed.view, (int32_t)lines * ed.line_h);
    int32_t top = (int32_t)textbuf_line_of(&ed.tb, textbuf_cursor(&ed.tb)) * ed.line_h;
    int32_t h = ed.view.base.rect.h;
    if (top < ed.view.bar.pos)
        nx_scroll_to(&ed.view, top);
    else if (top + ed.line_h > ed.view.bar.pos + h)
        nx_scroll_to(&ed.view, top + ed.line_h - h);
    nx_widget_dirty(&ed.view.base);
    show_status();
}

// ---- the file ----

static void load(void)
{
    long err = editor_load(ed.path, &ed.tb);
    if (err == NX_ERR_NOT_FOUND) {
        say("%s: a new file", ed.path);
    } else if (err == NX_ERR_TOO_BIG) {
        ed.refused = true;
        say("%s is larger than the editor's 1 MiB: not opened", ed.path);
        printf("editor: %s is larger than 1 MiB: not opened\n", ed.path);
    } else if (err) {
        ed.refused = true;
        say("%s: cannot open it: %s", ed.path, appwin_error(err));
        printf("editor: cannot open %s (%ld)\n", ed.path, err);
    } else {
        printf("editor: opened %s (%zu bytes)\n", ed.path, textbuf_len(&ed.tb));
    }
}

static bool save(void)
{
    if (!ed.path || ed.refused) {
        say("%s", ed.path ? "Not saved: the file was not opened whole"
                        : "Not saved: no file name (start the editor with one)");
        return false;
    }
    long err = editor_save(ed.path, &ed.tb);
    if (err) {
        say("Not saved (the file is as it was): %s", appwin_error(err));
        printf("editor: cannot save %s (%ld)\n", ed.path, err);
        return false;
    }
    ed.modified = false;
    say("Saved %s", ed.path);
    printf("editor: saved %s (%zu bytes)\n", ed.path, textbuf_len(&ed.tb));
    return true;
}

// ---- closing ----

static const char *const choices[] = { "Save", "Discard", "Cancel" };

static void ask_close(void)
{
    if (!ed.modified) {
        ed.win.quit = true;
        return;
    }
    if (ed.win.dialog.open)
        return;
    char text[APPWIN_DIALOG_TEXT];
    snprintf(text, sizeof text, "Save the changes to %s?", ed.path ? ed.path : "untitled");
    long err = appwin_dialog_open(&ed.win, "Unsaved changes", text, choices, 3);
    if (err)
        say("Cannot ask about the changes (%s): not closed", appwin_error(err));
    else
        printf("editor: asking about unsaved changes\n");
}

static void answer(int choice)
{
    if (choice == 0 && save())
        ed.win.quit = true;
    else if (choice == 1)
        ed.win.quit = true;
}

// ---- keys ----

static void insert(const char *bytes, size_t n)
{
    if (ed.refused)
        return;
    if (textbuf_insert(&ed.tb, bytes, n)) {
        say("The text is full (the editor holds 1 MiB)");
        return;
    }
    ed.modified = true;
    ed.message[0] = '\0';
}

static bool edit_key(unsigned code)
{
    bool changed = true;
    switch (code) {
    case NX_KEY_BACKSPACE: changed = !ed.refused && textbuf_backspace(&ed.tb); break;
    case NX_KEY_DELETE: changed = !ed.refused && textbuf_delete(&ed.tb); break;
    case NX_KEY_ENTER: insert("\n", 1); return true;
    case NX_KEY_TAB: insert(TAB_SPACES, sizeof TAB_SPACES - 1); return true;
    default: return false;
    }
    if (changed) {
        ed.modified = true;
        ed.message[0] = '\0';
    }
    return true;
}

static bool move_key(unsigned code)
{
    int32_t page = ed.view.base.rect.h / ed.line_h - 1;
    switch (code) {
    case NX_KEY_LEFT: textbuf_left(&ed.tb); break;
    case NX_KEY_RIGHT: textbuf_right(&ed.tb); break;
    case NX_KEY_UP: textbuf_up(&ed.tb); break;
    case NX_KEY_DOWN: textbuf_down(&ed.tb); break;
    case NX_KEY_HOME: textbuf_home(&ed.tb); break;
    case NX_KEY_END: textbuf_end(&ed.tb); break;
    case NX_KEY_PAGEUP:
        for (int32_t i = 0; i < page; i++)
            textbuf_up(&ed.tb);
        break;
    case NX_KEY_PAGEDOWN:
        for (int32_t i = 0; i < page; i++)
            textbuf_down(&ed.tb);
        break;
    default: return false;
    }
    return true;
}

static void key(const struct nx_wm_event *ev)
{
    if (ev->key.state == 0)
        return;
    unsigned mods = ev->key.mods, code = ev->key.code;
    if (mods & NX_WM_MOD_CTRL) {
        if (code == NX_KEY_S && ev->key.state == 1)
            save();
        else if (code == NX_KEY_Q && ev->key.state == 1)
            ask_close();
        return;
    }
    if (!edit_key(code) && !move_key(code)) {
        uint32_t cp = ev->key.codepoint;
        if (!cp || cp < 0x20 || cp == 0x7f || (mods & (NX_WM_MOD_ALT | NX_WM_MOD_META)))
            return;
        char utf8[4];
        insert(utf8, nx_utf8_encode(cp, utf8));
    }
    text_changed();
}

static void event(const struct nx_wm_event *ev)
{
    if (ed.win.dialog.open && ev->surface == ed.win.dialog.surf.id) {
        int choice = appwin_dialog_event(&ed.win, ev);
        if (choice >= 0)
            answer(choice);
        return;
    }
    if (ed.win.dialog.open && ev->type == NX_WM_EV_KEY)
        return;  // the question first
    if (ev->type == NX_WM_EV_KEY)
        key(ev);
    else
        nx_ui_event(&ed.win.ui, ev);  // the wheel and the scroll bar
}

// ---- start ----

static long start(const char *path)
{
    ed.win.prog = "editor";
    ed.win.ask_close = true;
    ed.path = path;
    char *mem = malloc(EDITOR_MAX_BYTES);
    if (!mem)
        return NX_ERR_NO_MEMORY;
    textbuf_init(&ed.tb, mem, EDITOR_MAX_BYTES);
    char title[NX_WM_TITLE_MAX + 1];
    const char *base = path && strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    snprintf(title, sizeof title, "%s - Editor", base ? base : "untitled");
    long err = appwin_open(&ed.win, title, WIN_W, WIN_H, 160, 100);
    if (err)
        return err;
    ed.line_h = ed.win.mono_face.line_height;
    nx_scroll_init(&ed.view, (struct nx_gfx_rect){ 0, 0, WIN_W, WIN_H - STATUS_H }, ed.line_h,
                   draw_text, NULL);
    nx_label_init(&ed.status, (struct nx_gfx_rect){ MARGIN, WIN_H - STATUS_H + 2, WIN_W - 2 * MARGIN,
                                                    STATUS_H - 4 }, ed.status_text, 0);
    err = nx_ui_add(&ed.win.ui, &ed.view.base);
    if (!err)
        err = nx_ui_add(&ed.win.ui, &ed.status.base);
    nx_ui_focus(&ed.win.ui, &ed.view.base);
    if (path)
        load();
    text_changed();
    return err;
}

int main(int argc, char **argv)
{
    long err = start(argc > 1 ? argv[1] : NULL);
    if (err) {
        fprintf(stderr, "editor: cannot start (%ld)\n", err);
        return 1;
    }
    while (!ed.win.quit) {
        struct nx_wm_event ev;
        while (appwin_next_event(&ed.win, &ev) == NX_OK)
            event(&ev);
        if (ed.win.close_asked) {
            ed.win.close_asked = false;
            ask_close();
        }
        appwin_present(&ed.win);
        if (!ed.win.quit)
            appwin_sleep(&ed.win, NX_DEADLINE_NEVER);
    }
    appwin_close(&ed.win);
    return 0;
}
