// The console's line discipline (see console_lines.h). Pure: output goes through c->put, so
// the host test drives it unchanged.
#include "console_lines.h"

static void emit(struct console_lines *c, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        c->put(s[i]);
}

// Carriage return, erase to the end of the line (ANSI): the open line's place, cleared.
static const char erase[] = "\r\x1b[K";

void console_lines_begin(struct console_lines *c, uint32_t source, bool ends_line)
{
    c->writer = source;
    c->under = false;
    if (!c->open || c->owner == source)
        return;
    if (ends_line && !c->lost) {
        emit(c, erase, sizeof erase - 1);
        c->under = true;  // the open line is drawn again after the write
    } else {
        c->put('\n');  // the open line stays as it is, its writer goes on below
        c->open = false;
    }
}

// Keep the open line's text as the writer's bytes make it.
static void track(struct console_lines *c, char ch)
{
    if (ch == '\n') {
        c->open = false;
        return;
    }
    if (!c->open) {
        c->open = true;
        c->owner = c->writer;
        c->len = 0;
        c->lost = false;
    }
    if (c->len == CONSOLE_REDRAW_MAX)
        c->lost = true;
    else
        c->text[c->len++] = ch;
}

void console_lines_put(struct console_lines *c, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        c->put(s[i]);
        if (!c->under)
            track(c, s[i]);
    }
}

void console_lines_end(struct console_lines *c)
{
    if (c->under)
        emit(c, c->text, c->len);
    c->under = false;
}

void console_lines_write(struct console_lines *c, uint32_t source, const char *s, size_t len)
{
    console_lines_begin(c, source, s[len - 1] == '\n');
    console_lines_put(c, s, len);
    console_lines_end(c);
}

void console_lines_close(struct console_lines *c)
{
    if (c->open)
        c->put('\n');
    c->open = false;
}
