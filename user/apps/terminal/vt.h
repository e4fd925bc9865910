#pragma once
// The terminal emulator's core (docs/terminal.md): a grid of cells with bounded scrollback,
// the VT100/xterm subset nsh uses, keys to bytes, a linear selection, and damage by cell
// (a span of columns per row).
// Pure C: no system calls, so the same code runs in the Terminal and in host tests and the
// fuzzer. Everything it is fed is untrusted: malformed or overlong sequences are dropped.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nx/keycodes.h>  // the evdev codes vt_key takes

#define VT_MAX_COLS 500
#define VT_MAX_ROWS 200
#define VT_SCROLLBACK 1000      // lines kept above the screen
#define VT_MAX_PARAMS 16        // CSI parameters; a sequence with more is dropped
#define VT_PARAM_CAP 9999       // larger parameter values are clamped
#define VT_TAB 8

// Colours: the default, one of the 256 indexed ones, or 24-bit RGB.
#define VT_COLOR_DEFAULT 0u
#define VT_COLOR_INDEXED(i) (0x01000000u | (uint8_t)(i))
#define VT_COLOR_RGB(r, g, b) (0x02000000u | (uint32_t)(r) << 16 | (uint32_t)(g) << 8 | (b))
#define VT_COLOR_KIND(c) ((c) >> 24)

// Cell attributes.
#define VT_ATTR_BOLD      (1u << 0)
#define VT_ATTR_UNDERLINE (1u << 1)
#define VT_ATTR_REVERSE   (1u << 2)

struct vt_cell {
    uint32_t cp;                // code point; ' ' when blank
    uint32_t fg, bg;            // VT_COLOR_*
    uint8_t attr;
};

// What the emulator says back: the answer to a device status report (to the program's
// input) and the bell.
struct vt_callbacks {
    void (*reply)(void *ctx, const char *bytes, size_t len);
    void (*bell)(void *ctx);
    void *ctx;
};

enum vt_state { VT_GROUND, VT_ESC, VT_ESC_SKIP, VT_CSI, VT_STRING, VT_STRING_ESC };

struct vt_cursor {
    int x, y;
    bool wrap_pending;          // printed in the last column: the next character wraps
    struct vt_cell pen;         // colours and attributes of new characters
};

// Columns from..to-1 of a row; empty when from >= to.
struct vt_span {
    int from, to;
};

struct vt_pos {
    int64_t line;               // absolute line (vt_line_abs)
    int col;
};

struct vt {
    int cols, rows;
    // The lines: a ring of cap = rows + VT_SCROLLBACK lines of cols cells. Screen row r is
    // ring line (top + r) % cap; the sb lines before it are the scrollback.
    struct vt_cell *cells;
    bool *wrapped;              // per ring line: it continues on the next
    int cap, top, sb;
    int64_t scrolled;           // lines that ever left the screen's top: screen row 0's number
    struct vt_cursor cur, saved;
    int margin_top, margin_bottom;  // the scrolling region, rows inclusive
    bool autowrap, cursor_visible, app_cursor_keys;
    // Line feed also returns the carriage (LNM, CSI 20 h): a Terminal sets it, as a tty's
    // output processing would turn "\n" into "\r\n" (programs here print bare "\n").
    bool newline_crlf;
    int view;                   // lines scrolled back (0: the live screen)
    // Damage: per row of the view, the one span of cells to redraw (the cells that changed,
    // the cursor's old and new cell, and whatever lies between them on that row).
    struct vt_span *dirty;
    bool all_dirty;
    // Selection: anchor and head in absolute lines; none when !selecting && !has_selection.
    bool has_selection;
    struct vt_pos sel_anchor, sel_head;
    // The parser.
    enum vt_state state;
    unsigned params[VT_MAX_PARAMS];
    int nparams;
    bool param_overflow, private_mode, intermediate;
    uint8_t utf8[4];
    int utf8_len, utf8_need;
    struct vt_callbacks cb;
    uint64_t bells;
};

// A terminal of cols x rows (each clamped to 1..VT_MAX_*): 0, or -1 when memory ran out
// (vt then holds nothing).
int vt_init(struct vt *vt, int cols, int rows, const struct vt_callbacks *cb);
void vt_free(struct vt *vt);
// New size (clamped): lines keep their text (cut or padded, not reflowed); the cursor's line
// stays on screen, lines pushed off the top go to the scrollback. 0, or -1 when memory ran
// out (vt unchanged).
int vt_resize(struct vt *vt, int cols, int rows);
// Feed the program's output.
void vt_write(struct vt *vt, const void *bytes, size_t len);
void vt_reset(struct vt *vt);

// ---- reading the screen ----
// The cell at row, col of what is shown (the view: the live screen or scrollback).
const struct vt_cell *vt_view_cell(const struct vt *vt, int row, int col);
// The absolute line number of a row of the view.
int64_t vt_view_line(const struct vt *vt, int row);
// Scroll the view by lines (> 0: back into history); clamped. Marks everything dirty.
void vt_scroll_view(struct vt *vt, int lines);
// The cursor's row in the view, or -1 when it is hidden or scrolled out of view.
int vt_cursor_row(const struct vt *vt);

// ---- damage ----
// The cells of row of the view to redraw since the last vt_damage_clear: empty when none,
// all of them when everything is dirty (vt_damage_all).
struct vt_span vt_row_damage(const struct vt *vt, int row);
void vt_damage_clear(struct vt *vt);
void vt_damage_all(struct vt *vt);

// ---- keys ----
#define VT_MOD_SHIFT (1u << 0)  // the same bits as NX_WM_MOD_*
#define VT_MOD_CTRL  (1u << 1)
#define VT_MOD_ALT   (1u << 2)
#define VT_KEY_BYTES_MAX 16
// The bytes a key press sends to the program (at most VT_KEY_BYTES_MAX): its length, 0 for
// a key that sends nothing.
size_t vt_key(const struct vt *vt, unsigned code, uint32_t codepoint, unsigned mods,
              char out[VT_KEY_BYTES_MAX]);

// ---- selection (linear, from one cell to another, across lines and the scrollback) ----
void vt_select_start(struct vt *vt, int row, int col);   // view coordinates
void vt_select_extend(struct vt *vt, int row, int col);
void vt_select_clear(struct vt *vt);
bool vt_selected(const struct vt *vt, int row, int col);
// The selected text as UTF-8 (trailing blanks of each line dropped, lines joined by '\n'
// unless one wrapped into the next), NUL-terminated, cut at cap - 1 bytes: its length.
size_t vt_selection_text(const struct vt *vt, char *out, size_t cap);
