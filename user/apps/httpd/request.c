// httpd's request parsing (see request.h). Pure: no system calls.
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "request.h"

long request_head_length(const char *buf, size_t len)
{
    for (size_t i = 0; i + 3 < len && i + 4 <= REQ_HEAD_MAX; i++)
        if (!memcmp(buf + i, "\r\n\r\n", 4))
            return (long)(i + 4);
    return len >= REQ_HEAD_MAX ? -1 : 0;
}

static int hex(char c)
{
    return isdigit((unsigned char)c) ? c - '0'
           : isxdigit((unsigned char)c) ? (tolower((unsigned char)c) - 'a' + 10) : -1;
}

// Decode the target's path (up to '?') into out and check each part: a status or 0.
static int decode_path(const char *t, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    if (n == 0 || t[0] != '/')
        return 400;   // origin form only
    for (size_t i = 0; i < n && t[i] != '?' && t[i] != '#'; i++) {
        int c = (unsigned char)t[i];
        if (c == '%') {
            int hi = i + 2 < n ? hex(t[i + 1]) : -1, lo = i + 2 < n ? hex(t[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return 400;
            c = hi * 16 + lo;
            i += 2;
        }
        if (c == 0 || c == '\\' || c < ' ' || c == 0x7f)
            return 400;
        if (o + 1 >= cap)
            return 414;
        if (c == '/' && o > 0 && out[o - 1] == '/')
            continue;   // "//" is "/"
        out[o++] = (char)c;
    }
    out[o] = '\0';
    // No "." or ".." part: nothing above the served directory, one name per file.
    for (const char *p = out; (p = strchr(p, '/')); p++)
        if ((p[1] == '.' && (p[2] == '/' || !p[2])) ||
            (p[1] == '.' && p[2] == '.' && (p[3] == '/' || !p[3])))
            return 400;
    return 0;
}

// "Connection:" value tokens.
static void connection_header(const char *v, size_t n, struct request *r)
{
    if (n >= 5 && !strncasecmp(v, "close", 5))
        r->keep_alive = false;
    else if (n >= 10 && !strncasecmp(v, "keep-alive", 10))
        r->keep_alive = true;
}

static int headers(const char *p, const char *end, struct request *r)
{
    while (p < end) {
        const char *e = p;
        while (e + 1 < end && !(e[0] == '\r' && e[1] == '\n'))
            e++;
        if (e + 1 >= end)
            return 400;
        if (e == p)
            return 0;   // the blank line
        const char *colon = memchr(p, ':', (size_t)(e - p));
        if (!colon || colon == p)
            return 400;
        const char *v = colon + 1;
        while (v < e && (*v == ' ' || *v == '\t'))
            v++;
        if (colon - p == 10 && !strncasecmp(p, "Connection", 10))
            connection_header(v, (size_t)(e - v), r);
        p = e + 2;
    }
    return 400;
}

int request_parse(const char *head, size_t len, struct request *r)
{
    const char *end = head + len;
    const char *sp1 = memchr(head, ' ', len);
    if (!sp1)
        return 400;
    const char *target = sp1 + 1;
    const char *sp2 = memchr(target, ' ', (size_t)(end - target));
    const char *eol = sp2 ? memchr(sp2, '\r', (size_t)(end - sp2)) : NULL;
    if (!sp2 || !eol || eol + 1 >= end || eol[1] != '\n' || sp2 == target)
        return 400;
    size_t mlen = (size_t)(sp1 - head);
    *r = (struct request){ 0 };
    if (eol - sp2 != 9 || strncmp(sp2 + 1, "HTTP/1.", 7) || !isdigit((unsigned char)sp2[8]))
        return eol - sp2 >= 6 && !strncmp(sp2 + 1, "HTTP/", 5) ? 505 : 400;
    r->keep_alive = sp2[8] != '0';
    int st = decode_path(target, (size_t)(sp2 - target), r->path, sizeof r->path);
    if (!st)
        st = headers(eol + 2, end, r);
    if (st)
        return st;
    if (mlen == 4 && !strncmp(head, "HEAD", 4))
        r->head_only = true;
    else if (mlen != 3 || strncmp(head, "GET", 3))
        return 405;
    return 0;
}

bool request_file(const char *dir, const char *path, char *out, size_t cap)
{
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    int n = snprintf(out, cap, "%.*s%s", (int)(dl == 1 && dir[0] == '/' ? 0 : dl), dir, path);
    return n > 0 && (size_t)n < cap;
}

const char *request_content_type(const char *path)
{
    static const struct { const char *ext, *type; } types[] = {
        { ".html", "text/html; charset=utf-8" }, { ".htm", "text/html; charset=utf-8" },
        { ".txt", "text/plain; charset=utf-8" }, { ".css", "text/css" },
        { ".js", "text/javascript" }, { ".json", "application/json" },
        { ".png", "image/png" }, { ".jpg", "image/jpeg" }, { ".svg", "image/svg+xml" },
    };
    const char *dot = strrchr(path, '.');
    if (dot && !strchr(dot, '/'))
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (!strcasecmp(dot, types[i].ext))
                return types[i].type;
    return "application/octet-stream";
}
