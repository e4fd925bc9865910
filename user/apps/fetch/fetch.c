// fetch URL [FILE]: an HTTP GET (HTTP/1.0, http:// only) of URL into FILE (created or
// truncated) or to stdout, then a line on stderr with the bytes and the time. Errors say
// which step failed: the URL, the name lookup, the connection (refused, unreachable...),
// the HTTP status, a short body.
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <nx/nx.h>
#include <nx/socket.h>
#include <nx/tool.h>
#include "http.h"

#define BUF (256 * 1024)   // a file grows by a request per write: write big pieces

static int usage(void)
{
    fprintf(stderr, "usage: fetch URL [FILE]   URL: http://HOST[:PORT][/PATH]\n");
    return 2;
}

static bool send_request(int fd, const struct http_url *u)
{
    char req[HTTP_PATH_MAX + HTTP_HOST_MAX + 128];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.0\r\nHost: %s%s%s\r\nUser-Agent: nexus-fetch\r\n"
                     "Connection: close\r\n\r\n",
                     u->path, u->host, strcmp(u->port, "80") ? ":" : "",
                     strcmp(u->port, "80") ? u->port : "");
    if (send(fd, req, (size_t)n, 0) == n)
        return true;
    nx_net_error("fetch", "send");
    return false;
}

// Read the response head into buf; *len bytes read in all (the body's first bytes follow the
// head). The head's length, or -1 (said why).
static long read_head(int fd, char *buf, size_t *len, struct http_response *r)
{
    long head = 0;
    *len = 0;
    while (head == 0) {
        ssize_t n = recv(fd, buf + *len, HTTP_HEAD_MAX - *len, 0);
        if (n <= 0) {
            if (n < 0)
                nx_net_error("fetch", "receive");
            else
                fprintf(stderr, "fetch: the server closed the connection without an answer\n");
            return -1;
        }
        *len += (size_t)n;
        head = http_head_length(buf, *len);
    }
    const char *why = head < 0 ? "response header too long" : http_parse_head(buf, (size_t)head, r);
    if (!why && r->chunked)
        why = "chunked answer to an HTTP/1.0 request";
    if (why) {
        fprintf(stderr, "fetch: bad response: %s\n", why);
        return -1;
    }
    return head;
}

static int output(const char *file)
{
    if (!file)
        return 1;
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC);
    if (fd < 0)
        nx_tool_error("fetch", file);
    return fd;
}

// The body: buf[0..have) came with the head; the rest until the peer closes.
static int body(int sock, int out, char *buf, size_t have, const struct http_response *r,
                uint64_t *total)
{
    for (;;) {
        ssize_t n = 1;
        while (have < BUF && (n = recv(sock, buf + have, BUF - have, 0)) > 0)
            have += (size_t)n;
        if (have && !nx_tool_write_all(out, buf, have))
            return nx_tool_error("fetch", "write");
        *total += have;
        have = 0;
        if (n < 0)
            return nx_net_error("fetch", "receive");
        if (n == 0)
            break;
    }
    if (r->content_length >= 0 && *total != (uint64_t)r->content_length) {
        fprintf(stderr, "fetch: the connection ended after %" PRIu64 " of %lld bytes\n", *total,
                r->content_length);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3 || argv[1][0] == '-')
        return usage();
    struct http_url u;
    const char *why = http_parse_url(argv[1], &u);
    if (why) {
        fprintf(stderr, "fetch: %s: %s\n", argv[1], why);
        return 2;
    }
    char *buf = malloc(BUF);
    if (!buf)
        return nx_tool_error("fetch", "buffer");
    uint64_t start = (uint64_t)nx_clock_get();
    int sock = nx_net_dial("fetch", u.host, u.port);
    if (sock < 0 || !send_request(sock, &u))
        return 1;
    struct http_response r;
    size_t got;
    long head = read_head(sock, buf, &got, &r);
    if (head < 0)
        return 1;
    if (r.status < 200 || r.status > 299) {
        fprintf(stderr, "fetch: %s: HTTP %d %s\n", argv[1], r.status, r.reason);
        return 1;
    }
    int out = output(argc == 3 ? argv[2] : NULL);
    if (out < 0)
        return 1;
    memmove(buf, buf + head, got - (size_t)head);
    uint64_t total = 0;
    int status = body(sock, out, buf, got - (size_t)head, &r, &total);
    close(sock);
    if (out != 1 && close(out) < 0)
        status = nx_tool_error("fetch", argv[2]);
    uint64_t ns = (uint64_t)nx_clock_get() - start;
    fprintf(stderr, "fetch: %" PRIu64 " bytes in %" PRIu64 ".%03" PRIu64 " s%s%s\n", total,
            ns / 1000000000, ns / 1000000 % 1000, argc == 3 ? " to " : "", argc == 3 ? argv[2] : "");
    return status;
}
