#pragma once
// A small widget toolkit (user/lib/gfx/widget*.c; docs/graphics-lib.md "Widgets"): labels,
// buttons, text fields, lists and a scroll view on one surface, driven by the compositor's
// events (struct nx_wm_event) and themed light or dark. Pure, like the rest of the library:
// the caller owns every widget, string and buffer, no allocation, no system call.
//
// A form (struct nx_ui) holds the widgets of one surface in Tab order. The app feeds it
// events (nx_ui_event), then draws (nx_ui_draw): only widgets whose look changed are
// redrawn, each into its own rectangle (clipped to it), and their rectangles are added to
// the form's damage region, which the app presents (nx_wm_present) and clears.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nx/damage.h>
#include <nx/gfx.h>
#include <nx/glyph_atlas.h>
#include <nx/text.h>
#include <nx/wm.h>

// ---- themes ----
struct nx_theme {
    uint32_t bg, fg, muted;                 // the form; text; secondary text, placeholders
    uint32_t field_bg, border, focus;       // fields and lists; their frame; the focus ring
    uint32_t button_bg, button_hover, button_pressed, button_fg;
    uint32_t select_bg, select_fg;          // selected text and list items
    uint32_t track, thumb;                  // scroll bars
    const struct nx_face *face;
    const struct nx_glyph_source *glyphs;   // the atlas and cache text is drawn from
    int32_t pad;                            // inner padding in pixels
};

void nx_theme_light(struct nx_theme *t, const struct nx_face *face,
                    const struct nx_glyph_source *glyphs);
void nx_theme_dark(struct nx_theme *t, const struct nx_face *face,
                   const struct nx_glyph_source *glyphs);

// ---- widgets ----
struct nx_widget;
struct nx_ui;

// Widget states (nx_widget.state).
#define NX_WIDGET_FOCUSED (1u << 0)
#define NX_WIDGET_HOVER   (1u << 1)
#define NX_WIDGET_PRESSED (1u << 2)
#define NX_WIDGET_DIRTY   (1u << 3)        // drawn at the next nx_ui_draw

// What an event did to a widget (the ops' results).
enum nx_widget_result {
    NX_WIDGET_IGNORED,                     // not the widget's (a key goes on to focus keys)
    NX_WIDGET_HANDLED,
    NX_WIDGET_ACTIVATED,                   // a button pressed, Enter in a field or a list
};

struct nx_widget_ops {
    void (*draw)(struct nx_widget *w, struct nx_ui *ui, struct nx_gfx_surface *view);
    enum nx_widget_result (*key)(struct nx_widget *w, struct nx_ui *ui,
                                 const struct nx_wm_event *ev);
    // Pointer events over the widget, or anywhere while a button pressed on it is held;
    // pressed and released are the buttons that changed with this event.
    enum nx_widget_result (*pointer)(struct nx_widget *w, struct nx_ui *ui,
                                     const struct nx_wm_event *ev, uint32_t pressed,
                                     uint32_t released);
    enum nx_widget_result (*scroll)(struct nx_widget *w, struct nx_ui *ui, int32_t dy);
    bool focusable;
    bool shows_hover;                      // looks different under the pointer (redrawn)
};

struct nx_widget {
    const struct nx_widget_ops *ops;
    struct nx_gfx_rect rect;               // in surface coordinates
    uint32_t state;
};

// Marks w for drawing at the next nx_ui_draw.
void nx_widget_dirty(struct nx_widget *w);

// A line of text (the caller's, not copied: call nx_label_set after changing it).
struct nx_label {
    struct nx_widget base;
    const char *text;
    size_t len;
    bool muted;
};
void nx_label_init(struct nx_label *l, struct nx_gfx_rect r, const char *text, size_t len);
void nx_label_set(struct nx_label *l, const char *text, size_t len);

// A push button: activated by a click (pressed and released over it), or Enter or Space
// while focused.
struct nx_button {
    struct nx_widget base;
    const char *text;
    size_t len;
};
void nx_button_init(struct nx_button *b, struct nx_gfx_rect r, const char *text, size_t len);

// A one-line text field over the caller's buffer buf[0, cap) (cap 1..NX_FIELD_MAX_BYTES):
// its content is always valid UTF-8 without control characters, at most cap bytes. Keys:
// characters insert (replacing the selection); Left/Right by character, Home/End, with Shift
// extending the selection; Backspace/Delete; Ctrl+A selects all; Enter activates. The
// pointer places the cursor, drags a selection, Shift+click extends it. A password field
// shows a bullet per character.
#define NX_FIELD_MAX_BYTES 4096
struct nx_field {
    struct nx_widget base;
    char *buf;
    size_t cap, len;
    size_t cursor, anchor;                 // byte offsets at character starts; selection between
    int32_t scroll_x;                      // pixels of text left of the visible part
    bool password;
    const char *placeholder;               // shown muted while empty (may be NULL)
};
// NX_ERR_INVALID: buf NULL or cap outside 1..NX_FIELD_MAX_BYTES.
long nx_field_init(struct nx_field *f, struct nx_gfx_rect r, char *buf, size_t cap);
// Replaces the selection with text (a paste or typing): each ill-formed part of it becomes
// U+FFFD, control characters are dropped, and what does not fit in cap is cut at a
// character boundary. Returns the bytes inserted.
size_t nx_field_insert(struct nx_field *f, const char *text, size_t len);
// Replaces the whole content (as nx_field_insert over everything); cursor at its end.
void nx_field_set(struct nx_field *f, const char *text, size_t len);
// The selection: its start and length in bytes (0 when nothing is selected).
size_t nx_field_selection(const struct nx_field *f, size_t *start);

// A list of lines (the caller's strings), one selected (-1: none); Up/Down, Page Up/Down,
// Home/End move the selection and scroll it into view; a click selects; Enter or a second
// click on the selected item activates; the wheel scrolls.
struct nx_scrollbar {
    int32_t content, view, pos;            // content and visible extent, the offset: pixels
    int32_t grab;                          // where the thumb was taken, -1 when not dragged
};
struct nx_list {
    struct nx_widget base;
    const char *const *items;
    size_t count;
    int32_t selected;
    struct nx_scrollbar bar;
};
void nx_list_init(struct nx_list *l, struct nx_gfx_rect r, const char *const *items, size_t count);
// New items (selection cleared if past the end).
void nx_list_set_items(struct nx_list *l, const char *const *items, size_t count);
void nx_list_select(struct nx_list *l, int32_t index);
int32_t nx_list_row_height(const struct nx_theme *t);

// A scroll view: content_h pixels of content the caller draws (draw_content, into a view of
// the visible part, with the content's top at -offset), a vertical scroll bar at its right
// when the content is taller; the wheel, Up/Down/Page Up/Page Down/Home/End when focused, and
// the thumb dragged scroll it.
struct nx_scroll {
    struct nx_widget base;
    void (*draw_content)(void *ctx, struct nx_gfx_surface *view, const struct nx_theme *t,
                         int32_t offset);
    void *ctx;
    struct nx_scrollbar bar;
};
void nx_scroll_init(struct nx_scroll *s, struct nx_gfx_rect r, int32_t content_h,
                    void (*draw_content)(void *, struct nx_gfx_surface *,
                                         const struct nx_theme *, int32_t),
                    void *ctx);
void nx_scroll_set_content(struct nx_scroll *s, int32_t content_h);
void nx_scroll_to(struct nx_scroll *s, int32_t offset);

// ---- the form ----
#define NX_UI_MAX_WIDGETS 64
struct nx_ui {
    struct nx_gfx_surface *surface;
    const struct nx_theme *theme;
    struct nx_widget *widgets[NX_UI_MAX_WIDGETS];   // Tab order
    uint32_t count;
    struct nx_widget *focus, *grab, *hover;         // grab: holds a pressed pointer button
    uint32_t buttons;                               // pointer buttons held, last seen
    bool all_dirty;                                 // background and every widget
    struct nx_gfx_damage damage;                    // drawn since the app last cleared it
};

void nx_ui_init(struct nx_ui *ui, struct nx_gfx_surface *surface, const struct nx_theme *theme);
// Adds w last in Tab order. NX_ERR_NO_SPACE beyond NX_UI_MAX_WIDGETS; NX_ERR_INVALID for a
// widget already added or a NULL one.
long nx_ui_add(struct nx_ui *ui, struct nx_widget *w);
// A new theme (or the same changed): everything is redrawn.
void nx_ui_set_theme(struct nx_ui *ui, const struct nx_theme *theme);
// Gives w the keyboard focus (NULL: nobody); only focusable widgets take it.
void nx_ui_focus(struct nx_ui *ui, struct nx_widget *w);
// Handles one event: keys go to the focused widget, then Tab/Shift+Tab move the focus;
// pointer events go to the widget under the pointer (or the one holding a pressed button),
// a press focusing it; the wheel to the widget under the last pointer position. Returns
// the widget the event activated, or NULL.
struct nx_widget *nx_ui_event(struct nx_ui *ui, const struct nx_wm_event *ev);
// Draws what changed and adds it to ui->damage.
void nx_ui_draw(struct nx_ui *ui);
