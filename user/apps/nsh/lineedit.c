// The shell's line editor (see lineedit.h). The terminal is assumed to understand the usual
// ANSI sequences: anything beyond appending or erasing at the end of the line is shown by
// redrawing the whole line, which is short, so there is one drawing path to get right.
#include <stdio.h>
#include <string.h>
#include "lineedit.h"

#define CTRL(c) ((c) & 0x1f)
#define ESC 0x1b
#define DEL 0x7f
#define PARAM_CAP 1000  // larger escape parameters mean nothing to us: stop counting

static void out(struct ledit *e, const char *s, size_t len)
{
    e->write(e->ctx, s, len);
}

static void outs(struct ledit *e, const char *s)
{
    out(e, s, strlen(s));
}

// Draw prompt and line from column 0, clear what an older, longer line left, and put the
// cursor back where it belongs.
static void redraw(struct ledit *e)
{
    char back[16];
    outs(e, "\r");
    outs(e, e->prompt);
    out(e, e->line, e->len);
    outs(e, "\x1b[K");
    if (e->cursor < e->len)
        out(e, back, (size_t)snprintf(back, sizeof back, "\x1b[%zuD", e->len - e->cursor));
}

void ledit_init(struct ledit *e, const char *prompt, ledit_write_fn *write, void *ctx)
{
    memset(e, 0, sizeof *e);
    e->prompt = prompt;
    e->write = write;
    e->ctx = ctx;
    e->browse = -1;
}

void ledit_start(struct ledit *e)
{
    e->len = e->cursor = 0;
    e->line[0] = '\0';
    e->truncated = false;
    e->browse = -1;
    outs(e, e->prompt);
}

// ---- editing ----

static void insert(struct ledit *e, char c)
{
    if (e->len == LEDIT_LINE_MAX) {
        e->truncated = true;
        outs(e, "\a");
        return;
    }
    memmove(e->line + e->cursor + 1, e->line + e->cursor, e->len - e->cursor + 1);
    e->line[e->cursor++] = c;
    e->len++;
    if (e->cursor == e->len)
        out(e, &c, 1);
    else
        redraw(e);
}

// Remove the character at index `at` (< len), leaving the cursor at `at`.
static void erase_at(struct ledit *e, size_t at)
{
    bool at_end = at + 1 == e->len && e->cursor == e->len;
    memmove(e->line + at, e->line + at + 1, e->len - at);
    e->len--;
    e->cursor = at;
    if (at_end)
        outs(e, "\b \b");
    else
        redraw(e);
}

// One column either way is an arrow to the terminal; a longer jump redraws.
static void move_to(struct ledit *e, size_t cursor)
{
    size_t from = e->cursor;
    e->cursor = cursor;
    if (cursor + 1 == from)
        outs(e, "\x1b[D");
    else if (cursor == from + 1)
        outs(e, "\x1b[C");
    else if (cursor != from)
        redraw(e);
}

static void set_line(struct ledit *e, const char *s)
{
    e->len = e->cursor = strlen(s);
    memcpy(e->line, s, e->len + 1);
    redraw(e);
}

// ---- history ----

const char *ledit_history(const struct ledit *e, unsigned back)
{
    if (back >= e->hist_count)
        return NULL;
    return e->hist[(e->hist_next + LEDIT_HISTORY - 1 - back) % LEDIT_HISTORY];
}

static void remember(struct ledit *e)
{
    const char *newest = ledit_history(e, 0);
    if (e->len == 0 || (newest && strcmp(newest, e->line) == 0))
        return;
    memcpy(e->hist[e->hist_next], e->line, e->len + 1);
    e->hist_next = (e->hist_next + 1) % LEDIT_HISTORY;
    if (e->hist_count < LEDIT_HISTORY)
        e->hist_count++;
}

// Show the history entry `delta` steps older (1) or newer (-1) than the one shown.
static void browse(struct ledit *e, int delta)
{
    int to = e->browse + delta;
    if (to < -1 || to >= (int)e->hist_count)
        return;
    if (e->browse == -1)
        memcpy(e->draft, e->line, e->len + 1);
    e->browse = to;
    set_line(e, to == -1 ? e->draft : ledit_history(e, (unsigned)to));
}

// ---- input ----

static enum ledit_event enter(struct ledit *e)
{
    outs(e, "\r\n");
    remember(e);
    return LEDIT_LINE;
}

// The final byte of ESC [ ... or ESC O ...: act on the keys we know.
static void escape_final(struct ledit *e, unsigned char c)
{
    switch (c) {
    case 'A': browse(e, 1); break;
    case 'B': browse(e, -1); break;
    case 'C': if (e->cursor < e->len) move_to(e, e->cursor + 1); break;
    case 'D': if (e->cursor > 0) move_to(e, e->cursor - 1); break;
    case 'H': move_to(e, 0); break;
    case 'F': move_to(e, e->len); break;
    case '~':  // ESC [ n ~: 1 or 7 Home, 4 or 8 End, 3 Delete
        if (e->param == 1 || e->param == 7)
            move_to(e, 0);
        else if (e->param == 4 || e->param == 8)
            move_to(e, e->len);
        else if (e->param == 3 && e->cursor < e->len)
            erase_at(e, e->cursor);
        break;
    }
}

// A byte inside ESC [ ...: parameters and intermediates (0x20-0x3f) continue the sequence,
// a final byte (0x40-0x7e) ends it, anything else abandons it.
static void csi_byte(struct ledit *e, unsigned char c)
{
    if (c >= '0' && c <= '9') {
        if (e->param < PARAM_CAP)
            e->param = e->param * 10 + (c - '0');
    } else if (c >= 0x40 && c <= 0x7e) {
        escape_final(e, c);
        e->state = LEDIT_TEXT;
    } else if (c < 0x20 || c > 0x3f) {
        e->state = LEDIT_TEXT;
    }
}

static enum ledit_event control(struct ledit *e, unsigned char c)
{
    switch (c) {
    case '\r':
    case '\n':
        return enter(e);
    case DEL:
    case CTRL('H'):
        if (e->cursor > 0)
            erase_at(e, e->cursor - 1);
        break;
    case CTRL('C'):
        outs(e, "^C\r\n");
        return LEDIT_CANCEL;
    case CTRL('U'):
        e->len = e->cursor = 0;
        e->line[0] = '\0';
        redraw(e);
        break;
    case CTRL('E'):
        move_to(e, e->len);
        break;
    case CTRL('L'):  // on a fresh line: other processes' output may have run into this one
        outs(e, "\r\n");
        redraw(e);
        break;
    case ESC:
        e->state = LEDIT_ESC;
        e->param = 0;
        break;
    }
    return LEDIT_NONE;
}

enum ledit_event ledit_key(struct ledit *e, unsigned char c)
{
    bool lf_of_crlf = c == '\n' && e->after_cr;
    e->after_cr = c == '\r';
    switch (e->state) {
    case LEDIT_ESC:
        // ESC ESC starts over; ESC and any other byte (Alt+key) is dropped whole.
        e->state = c == '[' ? LEDIT_CSI : c == 'O' ? LEDIT_SS3 : c == ESC ? LEDIT_ESC : LEDIT_TEXT;
        return LEDIT_NONE;
    case LEDIT_CSI:
        csi_byte(e, c);
        return LEDIT_NONE;
    case LEDIT_SS3:
        escape_final(e, c);
        e->state = LEDIT_TEXT;
        return LEDIT_NONE;
    case LEDIT_TEXT:
        break;
    }
    if (lf_of_crlf)
        return LEDIT_NONE;
    if (c >= 0x20 && c < DEL) {
        insert(e, (char)c);
        return LEDIT_NONE;
    }
    return control(e, c);  // bytes of 0x80 and up fall through it: ignored
}
