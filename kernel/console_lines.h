#pragma once
// The console's line discipline: text from several writers (the kernel, each process) onto
// one terminal so that every line on it holds one writer's text, whole.
//
// At most one line is open (the cursor is not at the start of a line): its writer's. Text
// from its writer continues it. Whole lines from another writer (a write ending in '\n')
// take the open line's place (carriage return, ANSI erase to the end of the line) and the open
// line's text is drawn again after them, so its writer (a shell at its prompt) carries on
// where it was and the terminal shows each line once, whole. The open line's text is kept
// for the redraw up to CONSOLE_REDRAW_MAX bytes: the bytes since its start, escapes and
// carriage returns included (drawn again from the start of a line they give the same
// picture). When it is longer, or when another writer's text does not end its line, the open
// line is left as it is and ended with a newline: its writer goes on at the start of a line
// of its own. Nothing waits and nothing is dropped: every write goes out at once.
//
// A write is console_lines_begin, console_lines_put (as many pieces as needed) and
// console_lines_end, with no other write in between; console_lines_write does all three.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_REDRAW_MAX 512  // a shell line (prompt + 200 characters) and its edits

struct console_lines {
    void (*put)(char c);  // the device
    bool open;            // a line is open
    uint32_t owner;       // its writer
    bool lost;            // it outgrew text: it cannot be drawn again
    size_t len;           // its bytes in text
    char text[CONSOLE_REDRAW_MAX];
    uint32_t writer;      // the write under way: its writer
    bool under;           // its whole lines took the open line's place
};

// A write from writer `source` (any number naming one writer) starts; ends_line: its last
// byte is '\n'.
void console_lines_begin(struct console_lines *c, uint32_t source, bool ends_line);
void console_lines_put(struct console_lines *c, const char *s, size_t len);
void console_lines_end(struct console_lines *c);
// len bytes of s (len > 0) from writer source.
void console_lines_write(struct console_lines *c, uint32_t source, const char *s, size_t len);
// End the open line where it is, for good: what comes next starts a line of its own and the
// old line is never drawn again (a panic: nobody will carry on typing on it).
void console_lines_close(struct console_lines *c);
