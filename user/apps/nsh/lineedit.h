#pragma once
// The shell's line editor: turns terminal input, one byte at a time, into lines, and writes
// the echo and cursor movement back to the terminal. Plain C with no system calls, so the
// host tests drive it with byte strings (tests/host/test_lineedit.c).
//
// Keys: printable ASCII inserts at the cursor; Backspace (DEL or ^H) deletes before it,
// Delete (ESC [ 3 ~) under it; Left/Right move; Home/End (ESC [ H / F, ESC [ 1 ~ / 4 ~, ^E
// for End) jump; Up/Down walk the history; ^U erases the line; ^L draws it again on a new
// line; ^C abandons it; Enter (CR or LF, CR LF counts once) ends it. Every other byte, and every escape sequence it does not
// know, is ignored. Escape sequences may arrive split across reads: the state lives here.
#include <stdbool.h>
#include <stddef.h>

#define LEDIT_LINE_MAX 200  // characters in a line; more are dropped (with a bell)
#define LEDIT_HISTORY 16    // lines the history keeps (oldest dropped first)

typedef void ledit_write_fn(void *ctx, const char *s, size_t len);

enum ledit_event {
    LEDIT_NONE,    // keep feeding
    LEDIT_LINE,    // a line is done: e->line (NUL-terminated), e->truncated if chars were lost
    LEDIT_CANCEL,  // ^C: the line was abandoned
};

enum ledit_state { LEDIT_TEXT, LEDIT_ESC, LEDIT_CSI, LEDIT_SS3 };

struct ledit {
    ledit_write_fn *write;  // terminal output
    void *ctx;
    const char *prompt;

    char line[LEDIT_LINE_MAX + 1];
    size_t len, cursor;
    bool truncated;  // a character was dropped since ledit_start
    bool after_cr;   // the last byte was CR: an LF right after it is the same Enter

    enum ledit_state state;  // where inside an escape sequence the input is
    unsigned param;          // the sequence's first numeric parameter (capped)

    // History ring: entry i (0 = newest) is hist[(hist_next - 1 - i) % LEDIT_HISTORY].
    char hist[LEDIT_HISTORY][LEDIT_LINE_MAX + 1];
    unsigned hist_count, hist_next;
    int browse;                          // -1: editing a fresh line; else the entry shown
    char draft[LEDIT_LINE_MAX + 1];      // the fresh line, kept while browsing
};

void ledit_init(struct ledit *e, const char *prompt, ledit_write_fn *write, void *ctx);
// Begin a new line: print the prompt, empty the buffer.
void ledit_start(struct ledit *e);
// Take one input byte.
enum ledit_event ledit_key(struct ledit *e, unsigned char c);
// History entry `back` (0 = newest), or NULL past the oldest.
const char *ledit_history(const struct ledit *e, unsigned back);
