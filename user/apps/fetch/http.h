#pragma once
// fetch's HTTP parsing (http.c; host-tested by tests/host/test_http.c): URLs and the head of
// a response. Every function rejects malformed input with a reason, never follows it.
#include <stdbool.h>
#include <stddef.h>

#define HTTP_HOST_MAX 253
#define HTTP_PATH_MAX 1024
#define HTTP_HEAD_MAX 8192     // bytes of a response's status line and headers

struct http_url {
    char host[HTTP_HOST_MAX + 1];
    char port[6];              // decimal, 1..65535 ("80" if the URL names none)
    char path[HTTP_PATH_MAX];  // from the first '/' ("/" if the URL has none)
};

// Parse "http://HOST[:PORT][/PATH]": NULL, or why not ("only http:// URLs", ...).
const char *http_parse_url(const char *url, struct http_url *u);

// The length of the head in buf[0..len) (through the blank line), 0 if it has not all come
// yet, -1 if it is already longer than HTTP_HEAD_MAX.
long http_head_length(const char *buf, size_t len);

struct http_response {
    int status;                // 100..599
    char reason[64];
    long long content_length;  // -1: not given
    bool chunked;              // Transfer-Encoding: chunked (fetch asks HTTP/1.0: refused)
};

// Parse a head of http_head_length bytes: NULL, or why it is malformed.
const char *http_parse_head(const char *head, size_t len, struct http_response *r);
