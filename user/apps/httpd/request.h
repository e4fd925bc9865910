#pragma once
// httpd's request parsing (request.c; host-tested by tests/host/test_http.c): the request
// line and headers of an HTTP/1.x request, and the file a request path names under the
// served directory. Malformed input is an HTTP status, never followed.
#include <stdbool.h>
#include <stddef.h>

#define REQ_HEAD_MAX 4096     // a request's line and headers
#define REQ_PATH_MAX 256      // the file's path (nx/fs.h's NX_FS_PATH_MAX)

struct request {
    bool head_only;           // HEAD (else GET)
    bool keep_alive;          // HTTP/1.1 without "Connection: close", or 1.0 with keep-alive
    char path[REQ_PATH_MAX];  // decoded, checked: "/" and names, no "." or ".." parts
};

// The length of the head in buf[0..len) (through the blank line), 0 if not all here yet,
// -1 when longer than REQ_HEAD_MAX.
long request_head_length(const char *buf, size_t len);

// Parse a head of request_head_length bytes: 0, or the status to answer (400 malformed,
// 405 a method other than GET and HEAD, 414 the path too long, 505 not HTTP/1.x).
int request_parse(const char *head, size_t len, struct request *r);

// dir + path (a request's checked path) into out: false if it does not fit.
bool request_file(const char *dir, const char *path, char *out, size_t cap);

// A Content-Type for the name's extension.
const char *request_content_type(const char *path);
