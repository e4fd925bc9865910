// The editor's gap buffer (textbuf.h).
#include <string.h>
#include <nexus/errors.h>
#include "textbuf.h"

void textbuf_init(struct textbuf *tb, char *mem, size_t cap)
{
    *tb = (struct textbuf){ .mem = mem, .cap = cap, .gap_start = 0, .gap_end = cap };
}

long textbuf_load(struct textbuf *tb, const char *data, size_t len)
{
    if (len > tb->cap)
        return NX_ERR_TOO_BIG;
    memcpy(tb->mem + tb->cap - len, data, len);  // all after the cursor
    tb->gap_start = 0;
    tb->gap_end = tb->cap - len;
    tb->goal_set = false;
    return NX_OK;
}

size_t textbuf_len(const struct textbuf *tb)
{
    return tb->cap - (tb->gap_end - tb->gap_start);
}

size_t textbuf_cursor(const struct textbuf *tb)
{
    return tb->gap_start;
}

char textbuf_at(const struct textbuf *tb, size_t pos)
{
    return pos < tb->gap_start ? tb->mem[pos] : tb->mem[pos + tb->gap_end - tb->gap_start];
}

void textbuf_spans(const struct textbuf *tb, const char **a, size_t *alen, const char **b,
                   size_t *blen)
{
    *a = tb->mem;
    *alen = tb->gap_start;
    *b = tb->mem + tb->gap_end;
    *blen = tb->cap - tb->gap_end;
}

// The gap moved so that the cursor is at pos (<= len); the goal column kept.
static void gap_to(struct textbuf *tb, size_t pos)
{
    if (pos < tb->gap_start) {
        size_t n = tb->gap_start - pos;
        memmove(tb->mem + tb->gap_end - n, tb->mem + pos, n);
        tb->gap_start -= n;
        tb->gap_end -= n;
    } else if (pos > tb->gap_start) {
        size_t n = pos - tb->gap_start;
        memmove(tb->mem + tb->gap_start, tb->mem + tb->gap_end, n);
        tb->gap_start += n;
        tb->gap_end += n;
    }
}

long textbuf_insert(struct textbuf *tb, const char *bytes, size_t len)
{
    if (len > tb->gap_end - tb->gap_start)
        return NX_ERR_NO_SPACE;
    memcpy(tb->mem + tb->gap_start, bytes, len);
    tb->gap_start += len;
    tb->goal_set = false;
    return NX_OK;
}

static bool continuation(char c)
{
    return ((unsigned char)c & 0xc0) == 0x80;
}

// Bytes a sequence led by c claims (1 for ASCII and for bytes that lead nothing).
static size_t seq_len(char c)
{
    unsigned char u = (unsigned char)c;
    return u >= 0xc2 && u <= 0xdf ? 2 : u >= 0xe0 && u <= 0xef ? 3 : u >= 0xf0 && u <= 0xf4 ? 4 : 1;
}

size_t textbuf_next_char(const struct textbuf *tb, size_t pos)
{
    size_t len = textbuf_len(tb), end = pos + seq_len(textbuf_at(tb, pos));
    size_t p = pos + 1;
    while (p < end && p < len && continuation(textbuf_at(tb, p)))
        p++;
    return p;
}

size_t textbuf_prev_char(const struct textbuf *tb, size_t pos)
{
    for (size_t k = pos < 4 ? pos : 4; k > 1; k--)
        if (!continuation(textbuf_at(tb, pos - k)) && textbuf_next_char(tb, pos - k) == pos)
            return pos - k;
    return pos - 1;
}

void textbuf_move_to(struct textbuf *tb, size_t pos)
{
    size_t len = textbuf_len(tb);
    gap_to(tb, pos < len ? pos : len);
    tb->goal_set = false;
}

bool textbuf_backspace(struct textbuf *tb)
{
    if (tb->gap_start == 0)
        return false;
    tb->gap_start = textbuf_prev_char(tb, tb->gap_start);
    tb->goal_set = false;
    return true;
}

bool textbuf_delete(struct textbuf *tb)
{
    if (tb->gap_end == tb->cap)
        return false;
    tb->gap_end += textbuf_next_char(tb, tb->gap_start) - tb->gap_start;
    tb->goal_set = false;
    return true;
}

bool textbuf_left(struct textbuf *tb)
{
    if (tb->gap_start == 0)
        return false;
    gap_to(tb, textbuf_prev_char(tb, tb->gap_start));
    tb->goal_set = false;
    return true;
}

bool textbuf_right(struct textbuf *tb)
{
    if (tb->gap_end == tb->cap)
        return false;
    gap_to(tb, textbuf_next_char(tb, tb->gap_start));
    tb->goal_set = false;
    return true;
}

size_t textbuf_line_start(const struct textbuf *tb, size_t pos)
{
    while (pos > 0 && textbuf_at(tb, pos - 1) != '\n')
        pos--;
    return pos;
}

size_t textbuf_line_end(const struct textbuf *tb, size_t pos)
{
    size_t len = textbuf_len(tb);
    while (pos < len && textbuf_at(tb, pos) != '\n')
        pos++;
    return pos;
}

void textbuf_home(struct textbuf *tb)
{
    gap_to(tb, textbuf_line_start(tb, tb->gap_start));
    tb->goal_set = false;
}

void textbuf_end(struct textbuf *tb)
{
    gap_to(tb, textbuf_line_end(tb, tb->gap_start));
    tb->goal_set = false;
}

size_t textbuf_col_of(const struct textbuf *tb, size_t pos)
{
    size_t col = 0;
    for (size_t p = textbuf_line_start(tb, pos); p < pos; p = textbuf_next_char(tb, p))
        col++;
    return col;
}

size_t textbuf_line_of(const struct textbuf *tb, size_t pos)
{
    size_t line = 0;
    for (size_t p = 0; p < pos; p++)
        line += textbuf_at(tb, p) == '\n';
    return line;
}

size_t textbuf_line_at(const struct textbuf *tb, size_t n)
{
    size_t pos = 0, len = textbuf_len(tb);
    for (; n > 0; n--) {
        size_t end = textbuf_line_end(tb, pos);
        if (end == len)
            break;
        pos = end + 1;
    }
    return pos;
}

// The position `col` characters into the line starting at start (its end if shorter).
static size_t at_col(const struct textbuf *tb, size_t start, size_t col)
{
    size_t end = textbuf_line_end(tb, start), p = start;
    for (; col > 0 && p < end; col--)
        p = textbuf_next_char(tb, p);
    return p < end ? p : end;
}

// Up (-1) or down (+1) a line, aiming at the goal column.
static bool vertical(struct textbuf *tb, int dir)
{
    size_t pos = tb->gap_start, start = textbuf_line_start(tb, pos), target;
    if (dir < 0) {
        if (start == 0)
            return false;
        target = textbuf_line_start(tb, start - 1);
    } else {
        size_t end = textbuf_line_end(tb, pos);
        if (end == textbuf_len(tb))
            return false;
        target = end + 1;
    }
    if (!tb->goal_set) {
        tb->goal_col = textbuf_col_of(tb, pos);
        tb->goal_set = true;
    }
    gap_to(tb, at_col(tb, target, tb->goal_col));
    return true;
}

bool textbuf_up(struct textbuf *tb)
{
    return vertical(tb, -1);
}

bool textbuf_down(struct textbuf *tb)
{
    return vertical(tb, 1);
}
