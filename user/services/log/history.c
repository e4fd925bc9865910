// Log history (see history.h): a circular array indexed by seq, so adding is O(1) and a
// reader resumes from any seq it was given without the service keeping reader state.
#include "history.h"

#include <string.h>

uint64_t history_add(struct log_history *h, uint64_t time_ns, uint32_t level,
                     const char *source, const char *text, size_t len)
{
    struct log_record *r = &h->r[h->next_seq % LOG_HISTORY];
    if (len && text[len - 1] == '\n')
        len--;
    r->seq = h->next_seq++;
    r->time_ns = time_ns;
    r->level = level;
    strncpy(r->source, source, LOG_SOURCE_MAX - 1);
    r->source[LOG_SOURCE_MAX - 1] = '\0';
    r->len = (uint16_t)(len < LOG_TEXT_MAX ? len : LOG_TEXT_MAX);
    memcpy(r->text, text, r->len);
    return r->seq;
}

const struct log_record *history_from(const struct log_history *h, uint64_t since)
{
    uint64_t oldest = h->next_seq > LOG_HISTORY ? h->next_seq - LOG_HISTORY : 0;
    if (since < oldest)
        since = oldest;
    return since < h->next_seq ? &h->r[since % LOG_HISTORY] : NULL;
}

// v in decimal, right-aligned in width characters padded with pad; returns the end.
static char *decimal(char *p, uint64_t v, int width, char pad)
{
    char digits[20];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    for (int i = n; i < width; i++)
        *p++ = pad;
    while (n)
        *p++ = digits[--n];
    return p;
}

size_t history_format(const struct log_record *r, char *out, size_t cap)
{
    char line[64 + LOG_SOURCE_MAX + LOG_TEXT_MAX], *p = line;
    *p++ = '[';
    p = decimal(p, r->time_ns / 1000000000, 4, ' ');
    *p++ = '.';
    p = decimal(p, r->time_ns / 1000 % 1000000, 6, '0');
    *p++ = ']';
    *p++ = ' ';
    *p++ = "EWID"[r->level < 4 ? r->level : 3];
    *p++ = ' ';
    size_t n = strlen(r->source);
    memcpy(p, r->source, n);
    p += n;
    *p++ = ':';
    *p++ = ' ';
    memcpy(p, r->text, r->len);
    p += r->len;
    *p++ = '\n';
    size_t len = (size_t)(p - line);
    if (len > cap)
        return 0;
    memcpy(out, line, len);
    return len;
}

size_t history_read(const struct log_history *h, uint64_t since, char *out, size_t cap,
                    uint64_t *next)
{
    size_t used = 0;
    const struct log_record *r = history_from(h, since);
    *next = r ? r->seq : since;
    for (; r; r = history_from(h, r->seq + 1)) {
        size_t n = history_format(r, out + used, cap - used);
        if (!n)
            break;
        used += n;
        *next = r->seq + 1;
    }
    return used;
}
