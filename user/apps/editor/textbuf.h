#pragma once
// The editor's text: a gap buffer over the caller's memory (at most its capacity, e.g.
// 1 MiB), the cursor at the gap. Pure: no allocation, no system call (host-tested in
// tests/host/test_textbuf.c). Positions are byte offsets into the text; the cursor moves by
// whole UTF-8 sequences (a stray continuation byte or an ill-formed sequence counts as one
// character), so a file's bytes are kept exactly as they were, valid UTF-8 or not.
#include <stdbool.h>
#include <stddef.h>

struct textbuf {
    char *mem;
    size_t cap;
    size_t gap_start, gap_end;  // text = mem[0, gap_start) + mem[gap_end, cap)
    size_t goal_col;            // the column Up/Down aim for (characters), kept across them
    bool goal_set;
};

void textbuf_init(struct textbuf *tb, char *mem, size_t cap);
// The text replaced by data[0, len), cursor at its start. NX_ERR_TOO_BIG (nothing changed)
// when len > cap.
long textbuf_load(struct textbuf *tb, const char *data, size_t len);
size_t textbuf_len(const struct textbuf *tb);
size_t textbuf_cursor(const struct textbuf *tb);
// The byte at pos < textbuf_len.
char textbuf_at(const struct textbuf *tb, size_t pos);
// The text as two spans (before and after the cursor), for saving.
void textbuf_spans(const struct textbuf *tb, const char **a, size_t *alen, const char **b,
                   size_t *blen);

// Inserts bytes at the cursor (after it: the cursor moves past them). NX_ERR_NO_SPACE
// (nothing inserted) when they do not fit.
long textbuf_insert(struct textbuf *tb, const char *bytes, size_t len);
// Removes the character before (backspace) or after (delete) the cursor; false at the end.
bool textbuf_backspace(struct textbuf *tb);
bool textbuf_delete(struct textbuf *tb);

// Cursor moves; false when it could not move.
bool textbuf_left(struct textbuf *tb);
bool textbuf_right(struct textbuf *tb);
void textbuf_home(struct textbuf *tb);
void textbuf_end(struct textbuf *tb);
bool textbuf_up(struct textbuf *tb);
bool textbuf_down(struct textbuf *tb);
// The cursor at pos (clamped to the length; the caller keeps it on a character start).
void textbuf_move_to(struct textbuf *tb, size_t pos);

// Lines: the start of the line holding pos, the end of it (its '\n' or the text's end),
// the start of the next line (or the text's length when pos is on the last).
size_t textbuf_line_start(const struct textbuf *tb, size_t pos);
size_t textbuf_line_end(const struct textbuf *tb, size_t pos);
// The line number (from 0) of pos, and the column (characters from the line's start).
size_t textbuf_line_of(const struct textbuf *tb, size_t pos);
size_t textbuf_col_of(const struct textbuf *tb, size_t pos);
// The start of line n (clamped to the last line).
size_t textbuf_line_at(const struct textbuf *tb, size_t n);
// The position after the character at pos (pos < len), or before the one ending at pos.
size_t textbuf_next_char(const struct textbuf *tb, size_t pos);
size_t textbuf_prev_char(const struct textbuf *tb, size_t pos);
