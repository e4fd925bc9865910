// httpd [-p PORT] [DIR]: serve the files under DIR (default /www) over HTTP/1.1 on PORT
// (default 80). GET and HEAD; a directory serves its index.html; keep-alive; up to CONN_MAX
// clients at once, all in one poll() loop on non-blocking sockets; a connection idle for
// IDLE_NS is closed. A file is sent from its filebuffer mapping (nx_file_map): the file
// system copies none of its bytes, and httpd's only copy is into the socket's ring. The
// program reaches only what it was granted (`dir:/www`): a path outside is refused by libnx
// and the file system, and a request naming ".." is refused before that (400).
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/nx.h>
#include <nx/socket.h>
#include "request.h"

#define CONN_MAX 8
#define IDLE_NS (30ull * 1000000000ull)
#define HDR_MAX 512

struct conn {
    int fd;                    // -1: free
    char in[REQ_HEAD_MAX];
    size_t in_len;
    char hdr[HDR_MAX];         // the response's head (and an error's small body)
    size_t hdr_len, hdr_off;
    int file;                  // -1: none
    const uint8_t *data;       // the file's mapping
    uint64_t size, off;
    bool sending, keep_alive;
    uint64_t last_ns;
    struct sockaddr_in peer;
};

static struct conn conns[CONN_MAX];
static const char *root = "/www";

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 414: return "URI Too Long";
    case 505: return "HTTP Version Not Supported";
    default: return "Internal Server Error";
    }
}

static void log_request(const struct conn *c, const char *path, int status, uint64_t bytes)
{
    char ip[INET_ADDRSTRLEN];
    printf("httpd: %s %s %d %" PRIu64 "\n", inet_ntop(AF_INET, &c->peer.sin_addr, ip, sizeof ip),
           path, status, bytes);
}

// An error answer: a small HTML body in the head buffer; the connection closes after it
// unless the request was well-formed (404, 403, 405 keep it).
static void answer_error(struct conn *c, int status, const char *path)
{
    char body[96];
    int bl = snprintf(body, sizeof body, "<h1>%d %s</h1>\n", status, reason(status));
    c->keep_alive = c->keep_alive && (status == 404 || status == 403 || status == 405);
    c->hdr_len = (size_t)snprintf(c->hdr, sizeof c->hdr,
                                  "HTTP/1.1 %d %s\r\nContent-Type: text/html\r\n"
                                  "Content-Length: %d\r\n%sConnection: %s\r\n\r\n%s",
                                  status, reason(status), bl,
                                  status == 405 ? "Allow: GET, HEAD\r\n" : "",
                                  c->keep_alive ? "keep-alive" : "close", body);
    log_request(c, path, status, 0);
}

// Open the file a request names (a directory: its index.html): 0, or an HTTP status.
static int open_file(const char *path, char *full, size_t cap, struct conn *c)
{
    struct nx_fs_stat st;
    if (!request_file(root, path, full, cap))
        return 414;
    long err = nx_fs_stat(full, &st);
    if (!err && (st.mode & NX_FS_S_IFMT) == NX_FS_S_IFDIR) {
        if (strlen(full) + sizeof "/index.html" > cap)
            return 414;
        strcat(full, full[strlen(full) - 1] == '/' ? "index.html" : "/index.html");
        err = nx_fs_stat(full, &st);
    }
    if (err)
        return err == NX_ERR_ACCESS ? 403 : 404;
    if ((st.mode & NX_FS_S_IFMT) != NX_FS_S_IFREG)
        return 403;
    const void *data;
    c->file = open(full, O_RDONLY);
    if (c->file < 0)
        return errno == EACCES ? 403 : errno == ENOENT ? 404 : 500;
    if (nx_file_map(c->file, &data, &c->size) != NX_OK) {
        close(c->file);
        c->file = -1;
        return 500;
    }
    c->data = data;
    return 0;
}

static void answer(struct conn *c, const struct request *r, const char *raw_path)
{
    char full[REQ_PATH_MAX + 64];
    int status = open_file(r->path, full, sizeof full, c);
    if (status) {
        answer_error(c, status, raw_path);
        return;
    }
    c->hdr_len = (size_t)snprintf(c->hdr, sizeof c->hdr,
                                  "HTTP/1.1 200 OK\r\nServer: nexus-httpd\r\nContent-Type: %s\r\n"
                                  "Content-Length: %" PRIu64 "\r\nConnection: %s\r\n\r\n",
                                  request_content_type(full), c->size,
                                  c->keep_alive ? "keep-alive" : "close");
    if (r->head_only)
        c->size = 0;
    log_request(c, r->path, 200, c->size);
}

static void conn_close(struct conn *c)
{
    if (c->file >= 0)
        close(c->file);
    close(c->fd);
    c->fd = c->file = -1;
}

// A whole request head came (or cannot): parse it and start the answer.
static void take_request(struct conn *c)
{
    long head = request_head_length(c->in, c->in_len);
    if (head == 0)
        return;
    struct request r;
    int status = head < 0 ? 400 : request_parse(c->in, (size_t)head, &r);
    c->sending = true;
    c->hdr_off = c->off = c->size = 0;
    c->keep_alive = status ? false : r.keep_alive;
    if (status)
        answer_error(c, status, "-");
    else
        answer(c, &r, r.path);
    size_t used = head < 0 ? c->in_len : (size_t)head;
    memmove(c->in, c->in + used, c->in_len - used);   // a pipelined next request stays
    c->in_len -= used;
}

static void readable(struct conn *c)
{
    ssize_t n = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
    if (n <= 0) {
        if (n == 0 || errno != EAGAIN)
            conn_close(c);
        return;
    }
    c->in_len += (size_t)n;
    take_request(c);
}

// Send what fits: the head, then the file from its mapping.
static void writable(struct conn *c)
{
    while (c->hdr_off < c->hdr_len || c->off < c->size) {
        bool head = c->hdr_off < c->hdr_len;
        const void *p = head ? (const void *)(c->hdr + c->hdr_off) : c->data + c->off;
        size_t n = head ? c->hdr_len - c->hdr_off : (size_t)(c->size - c->off);
        ssize_t k = send(c->fd, p, n, 0);
        if (k < 0) {
            if (errno != EAGAIN)
                conn_close(c);
            return;
        }
        if (head)
            c->hdr_off += (size_t)k;
        else
            c->off += (uint64_t)k;
    }
    if (c->file >= 0)
        close(c->file);
    c->file = -1;
    c->sending = false;
    if (!c->keep_alive)
        conn_close(c);
    else
        take_request(c);   // one may be waiting already
}

// The stack died (init restarts it): every socket of it is gone.
static bool stack_gone;

static void accept_one(int l)
{
    struct conn *c = NULL;
    for (int i = 0; i < CONN_MAX && !c; i++)
        c = conns[i].fd < 0 ? &conns[i] : NULL;
    if (!c)
        return;   // polled only with a slot free
    socklen_t len = sizeof c->peer;
    int fd = accept(l, (struct sockaddr *)&c->peer, &len);
    if (fd < 0) {
        stack_gone = errno == ENETDOWN;
        if (errno != EAGAIN)
            nx_net_error("httpd", "accept");
        return;
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    *c = (struct conn){ .fd = fd, .file = -1, .peer = c->peer,
                        .last_ns = (uint64_t)nx_clock_get() };
}

static int listen_on(int port, bool quiet)
{
    struct sockaddr_in at = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                              .sin_addr = { htonl(INADDR_ANY) } };
    int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (l >= 0 && (bind(l, (struct sockaddr *)&at, sizeof at) < 0 || listen(l, SOMAXCONN) < 0)) {
        int e = errno;
        close(l);
        errno = e;
        l = -1;
    }
    if (l < 0 && !quiet) {
        char what[32];
        snprintf(what, sizeof what, "port %d", port);
        nx_net_error("httpd", what);
    }
    return l;
}

// One round: wait for the sockets (the listener while a slot is free), then serve them.
static void serve_round(int l)
{
    struct pollfd p[CONN_MAX + 1];
    struct conn *who[CONN_MAX + 1];
    nfds_t n = 0;
    uint64_t now = (uint64_t)nx_clock_get(), first = now + IDLE_NS;
    for (int i = 0; i < CONN_MAX; i++) {
        struct conn *c = &conns[i];
        if (c->fd < 0)
            continue;
        if (now - c->last_ns >= IDLE_NS) {
            conn_close(c);
            continue;
        }
        first = c->last_ns + IDLE_NS < first ? c->last_ns + IDLE_NS : first;
        who[n] = c;
        p[n++] = (struct pollfd){ c->fd, c->sending ? POLLOUT : POLLIN, 0 };
    }
    if (n < CONN_MAX) {
        who[n] = NULL;
        p[n++] = (struct pollfd){ l, POLLIN, 0 };
    }
    if (poll(p, n, (int)((first - now) / 1000000) + 1) < 0) {
        nx_net_error("httpd", "poll");
        exit(1);
    }
    for (nfds_t i = 0; i < n; i++) {
        if (!p[i].revents)
            continue;
        if (!who[i]) {
            accept_one(l);
            continue;
        }
        struct conn *c = who[i];
        bool was_sending = c->sending;
        c->last_ns = (uint64_t)nx_clock_get();
        if (was_sending)
            writable(c);
        else
            readable(c);
        if (!was_sending && c->fd >= 0 && c->sending)
            writable(c);   // an answer starts at once: the ring has room
    }
}

// After the stack's death: drop its sockets, then listen on its successor once it answers
// (trying once a second: poll with no descriptors is a timed sleep).
static int listen_again(int l, int port)
{
    for (int i = 0; i < CONN_MAX; i++)
        if (conns[i].fd >= 0)
            conn_close(&conns[i]);
    close(l);
    while ((l = listen_on(port, true)) < 0)
        poll(NULL, 0, 1000);
    stack_gone = false;
    printf("httpd: serving %s on port %d again\n", root, port);
    fflush(stdout);
    return l;
}

int main(int argc, char **argv)
{
    int port = 80, a = 1;
    if (a + 1 < argc && !strcmp(argv[a], "-p")) {
        char *end;
        port = (int)strtol(argv[a + 1], &end, 10);
        if (*end || port < 1 || port > 65535)
            a = argc + 1;
        a += 2;
    }
    if (a < argc && argv[a][0] != '-')
        root = argv[a++];
    if (a != argc) {
        fprintf(stderr, "usage: httpd [-p PORT] [DIR]   (PORT default 80, DIR default /www)\n");
        return 2;
    }
    struct nx_fs_stat st;
    long err = nx_fs_stat(root, &st);
    if (err || (st.mode & NX_FS_S_IFMT) != NX_FS_S_IFDIR) {
        fprintf(stderr, "httpd: %s: %s\n", root,
                err == NX_ERR_ACCESS ? "not reachable (grant it: dir:PATH)"
                : err ? "no such directory" : "not a directory");
        return 1;
    }
    int l = listen_on(port, false);
    if (l < 0)
        return 1;
    for (int i = 0; i < CONN_MAX; i++)
        conns[i] = (struct conn){ .fd = -1, .file = -1 };
    printf("httpd: serving %s on port %d\n", root, port);
    fflush(stdout);
    for (;;) {
        serve_round(l);
        if (stack_gone)
            l = listen_again(l, port);
    }
}
