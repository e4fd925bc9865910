// fetch's HTTP parsing (see http.h). Pure: no system calls.
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "http.h"

#define PREFIX "http://"

// Copy s[0..n) into out (cap bytes, NUL added): false if it does not fit.
static bool take(char *out, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

static bool port_ok(const char *p, size_t n)
{
    if (n == 0 || n > 5)
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)p[i]))
            return false;
        v = v * 10 + (p[i] - '0');
    }
    return v >= 1 && v <= 65535;
}

static bool host_ok(const char *h, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '.')
            return false;
    return true;
}

const char *http_parse_url(const char *url, struct http_url *u)
{
    if (!strncasecmp(url, "https://", 8))
        return "https is not supported (http:// only)";
    if (strncasecmp(url, PREFIX, strlen(PREFIX)))
        return "not an http:// URL";
    const char *h = url + strlen(PREFIX);
    size_t hn = strcspn(h, ":/?#");
    const char *rest = h + hn;
    if (!host_ok(h, hn) || !take(u->host, sizeof u->host, h, hn))
        return "bad host name";
    strcpy(u->port, "80");
    if (*rest == ':') {
        size_t pn = strcspn(rest + 1, "/?#");
        if (!port_ok(rest + 1, pn))
            return "bad port (1..65535)";
        take(u->port, sizeof u->port, rest + 1, pn);
        rest += 1 + pn;
    }
    // The path from the '/' (or "/" before a bare "?query"); the fragment stays here.
    size_t len = strcspn(rest, "#"), slash = *rest != '/';
    if (len + slash >= sizeof u->path)
        return "path too long";
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)rest[i] <= ' ' || rest[i] == 0x7f)
            return "spaces or control characters in the path";
    u->path[0] = '/';
    memcpy(u->path + slash, rest, len);
    u->path[len + slash] = '\0';
    return NULL;
}

long http_head_length(const char *buf, size_t len)
{
    for (size_t i = 0; i + 3 < len && i + 4 <= HTTP_HEAD_MAX; i++)
        if (!memcmp(buf + i, "\r\n\r\n", 4))
            return (long)(i + 4);
    return len >= HTTP_HEAD_MAX ? -1 : 0;
}

// One header line (no CRLF) into r.
static const char *header(const char *line, size_t n, struct http_response *r)
{
    const char *colon = memchr(line, ':', n);
    if (!colon || colon == line)
        return "malformed header line";
    size_t name = (size_t)(colon - line);
    const char *v = colon + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    if (name == 14 && !strncasecmp(line, "Content-Length", 14)) {
        long long len = 0;
        if (v == end)
            return "empty Content-Length";
        for (; v < end && isdigit((unsigned char)*v); v++) {
            if (len > (1LL << 50))
                return "Content-Length too large";
            len = len * 10 + (*v - '0');
        }
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        if (v != end)
            return "malformed Content-Length";
        r->content_length = len;
    } else if (name == 17 && !strncasecmp(line, "Transfer-Encoding", 17)) {
        r->chunked = (size_t)(end - v) >= 7 && !strncasecmp(v, "chunked", 7);
    }
    return NULL;
}

const char *http_parse_head(const char *head, size_t len, struct http_response *r)
{
    *r = (struct http_response){ .content_length = -1 };
    const char *end = head + len, *eol = NULL;
    for (const char *p = head; p + 1 < end; p++)
        if (p[0] == '\r' && p[1] == '\n') {
            eol = p;
            break;
        }
    // "HTTP/1.x NNN reason"
    if (!eol || eol - head < 12 || strncmp(head, "HTTP/1.", 7) || !isdigit((unsigned char)head[7]) ||
        head[8] != ' ' || !isdigit((unsigned char)head[9]) || !isdigit((unsigned char)head[10]) ||
        !isdigit((unsigned char)head[11]) || (eol > head + 12 && head[12] != ' '))
        return "malformed status line";
    r->status = (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
    if (r->status < 100 || r->status > 599)
        return "status out of range";
    if (eol > head + 13)
        take(r->reason, sizeof r->reason, head + 13,
             (size_t)(eol - head - 13) < sizeof r->reason ? (size_t)(eol - head - 13)
                                                          : sizeof r->reason - 1);
    for (const char *line = eol + 2; line < end;) {
        const char *e = line;
        while (e + 1 < end && !(e[0] == '\r' && e[1] == '\n'))
            e++;
        if (e + 1 >= end)
            return "header without its line end";
        if (e == line)
            return NULL;   // the blank line
        const char *why = header(line, (size_t)(e - line), r);
        if (why)
            return why;
        line = e + 2;
    }
    return "no blank line after the headers";
}
