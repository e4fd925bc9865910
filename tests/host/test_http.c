// Host unit tests for the HTTP parsers: fetch's URLs and response heads, httpd's requests and
// the paths it serves (no escape above the directory, whatever the encoding), each at its
// limits and against malformed input.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../user/apps/fetch/http.h"
#include "../../user/apps/httpd/request.h"

static void urls(void **state)
{
    (void)state;
    struct http_url u;
    assert_null(http_parse_url("http://10.0.2.2:8000/files/a.bin", &u));
    assert_string_equal(u.host, "10.0.2.2");
    assert_string_equal(u.port, "8000");
    assert_string_equal(u.path, "/files/a.bin");
    assert_null(http_parse_url("HTTP://example.test", &u));
    assert_string_equal(u.port, "80");
    assert_string_equal(u.path, "/");
    assert_null(http_parse_url("http://h?q=1#frag", &u));
    assert_string_equal(u.path, "/?q=1");
    assert_null(http_parse_url("http://h:65535/x#y", &u));
    assert_string_equal(u.path, "/x");

    const char *bad[] = { "https://h/", "ftp://h/", "h/x", "http://", "http://:80/",
                          "http://h:0/", "http://h:65536/", "http://h:/", "http://h:80x/",
                          "http://h_1/", "http://h/a b", "http://h/\x01", "http://user@h/" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_non_null(http_parse_url(bad[i], &u));
    assert_string_equal(http_parse_url("https://h/", &u), "https is not supported (http:// only)");

    // Limits: a host of 253 bytes fits, 254 does not; the path likewise at HTTP_PATH_MAX.
    char url[2 * HTTP_PATH_MAX];
    snprintf(url, sizeof url, "http://%0253d/", 0);
    assert_null(http_parse_url(url, &u));
    snprintf(url, sizeof url, "http://%0254d/", 0);
    assert_non_null(http_parse_url(url, &u));
    snprintf(url, sizeof url, "http://h/%0*d", HTTP_PATH_MAX - 2, 0);
    assert_null(http_parse_url(url, &u));
    assert_int_equal(strlen(u.path), HTTP_PATH_MAX - 1);
    snprintf(url, sizeof url, "http://h/%0*d", HTTP_PATH_MAX - 1, 0);
    assert_string_equal(http_parse_url(url, &u), "path too long");
}

static void response_heads(void **state)
{
    (void)state;
    const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nX: y\r\n\r\nBODY";
    long head = http_head_length(ok, strlen(ok));
    assert_int_equal(head, strlen(ok) - 4);
    assert_int_equal(http_head_length(ok, 20), 0);   // not all here yet
    struct http_response r;
    assert_null(http_parse_head(ok, (size_t)head, &r));
    assert_int_equal(r.status, 200);
    assert_string_equal(r.reason, "OK");
    assert_int_equal(r.content_length, 1234);
    assert_false(r.chunked);

    const char *nf = "HTTP/1.0 404 Not Found\r\n\r\n";
    assert_null(http_parse_head(nf, strlen(nf), &r));
    assert_int_equal(r.status, 404);
    assert_string_equal(r.reason, "Not Found");
    assert_int_equal(r.content_length, -1);
    const char *ch = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_null(http_parse_head(ch, strlen(ch), &r));
    assert_true(r.chunked);

    const char *bad[] = { "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n",
                          "HTTP/1.1 099 Low\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
                          "garbage\r\n\r\n", "HTTP/1.1 200 OK\r\n" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_non_null(http_parse_head(bad[i], strlen(bad[i]), &r));

    // A head that never ends is refused once it passes HTTP_HEAD_MAX.
    char *big = malloc(HTTP_HEAD_MAX + 8);
    memset(big, 'a', HTTP_HEAD_MAX + 8);
    assert_int_equal(http_head_length(big, HTTP_HEAD_MAX - 1), 0);
    assert_int_equal(http_head_length(big, HTTP_HEAD_MAX), -1);
    memcpy(big + HTTP_HEAD_MAX - 4, "\r\n\r\n", 4);   // ending exactly at the limit: taken
    assert_int_equal(http_head_length(big, HTTP_HEAD_MAX + 8), HTTP_HEAD_MAX);
    free(big);
}

static int parse(const char *req, struct request *r)
{
    long head = request_head_length(req, strlen(req));
    assert_true(head > 0);
    return request_parse(req, (size_t)head, r);
}

static void requests(void **state)
{
    (void)state;
    struct request r;
    assert_int_equal(parse("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n", &r), 0);
    assert_string_equal(r.path, "/index.html");
    assert_true(r.keep_alive);
    assert_false(r.head_only);
    assert_int_equal(parse("HEAD / HTTP/1.0\r\n\r\n", &r), 0);
    assert_true(r.head_only);
    assert_false(r.keep_alive);
    assert_int_equal(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &r), 0);
    assert_true(r.keep_alive);
    assert_int_equal(parse("GET / HTTP/1.1\r\nconnection: Close\r\n\r\n", &r), 0);
    assert_false(r.keep_alive);
    assert_int_equal(parse("GET /a%20b//c?x=1 HTTP/1.1\r\n\r\n", &r), 0);
    assert_string_equal(r.path, "/a b/c");

    assert_int_equal(parse("POST / HTTP/1.1\r\n\r\n", &r), 405);
    assert_int_equal(parse("GET / HTTP/2.0\r\n\r\n", &r), 505);
    assert_int_equal(parse("GET / FOO\r\n\r\n", &r), 400);
    assert_int_equal(parse("GET index.html HTTP/1.1\r\n\r\n", &r), 400);
    assert_int_equal(parse("GET  HTTP/1.1\r\n\r\n", &r), 400);
    assert_int_equal(parse("GET /\r\n\r\n", &r), 400);
    assert_int_equal(parse("GET / HTTP/1.1\r\nbad header\r\n\r\n", &r), 400);
    assert_int_equal(parse("GET /%zz HTTP/1.1\r\n\r\n", &r), 400);
    assert_int_equal(parse("GET /%0 HTTP/1.1\r\n\r\n", &r), 400);
    assert_int_equal(parse("GET /a%00b HTTP/1.1\r\n\r\n", &r), 400);
    assert_int_equal(parse("GET /a\\b HTTP/1.1\r\n\r\n", &r), 400);
}

static void no_escape_above_the_directory(void **state)
{
    (void)state;
    struct request r;
    const char *escapes[] = { "GET /.. HTTP/1.1\r\n\r\n", "GET /../etc HTTP/1.1\r\n\r\n",
                              "GET /a/../../b HTTP/1.1\r\n\r\n", "GET /%2e%2e/x HTTP/1.1\r\n\r\n",
                              "GET /a/%2E%2e HTTP/1.1\r\n\r\n", "GET /./a HTTP/1.1\r\n\r\n",
                              "GET //../x HTTP/1.1\r\n\r\n", "GET /a/%2f..%2fb HTTP/1.1\r\n\r\n" };
    for (size_t i = 0; i < sizeof escapes / sizeof escapes[0]; i++)
        assert_int_equal(parse(escapes[i], &r), 400);
    assert_int_equal(parse("GET /..hidden/.x HTTP/1.1\r\n\r\n", &r), 0);   // names, not parts
    char out[REQ_PATH_MAX + 8];
    assert_true(request_file("/www", "/a/b.html", out, sizeof out));
    assert_string_equal(out, "/www/a/b.html");
    assert_true(request_file("/www/", "/", out, sizeof out));
    assert_string_equal(out, "/www/");
    assert_true(request_file("/", "/x", out, sizeof out));
    assert_string_equal(out, "/x");
    assert_false(request_file("/www", "/abc", out, 8));
}

static void request_limits(void **state)
{
    (void)state;
    struct request r;
    char req[REQ_HEAD_MAX + 64];
    // The longest path that fits, and one byte more.
    snprintf(req, sizeof req, "GET /%0*d HTTP/1.1\r\n\r\n", REQ_PATH_MAX - 2, 0);
    assert_int_equal(parse(req, &r), 0);
    snprintf(req, sizeof req, "GET /%0*d HTTP/1.1\r\n\r\n", REQ_PATH_MAX - 1, 0);
    assert_int_equal(parse(req, &r), 414);
    memset(req, 'a', sizeof req);
    assert_int_equal(request_head_length(req, REQ_HEAD_MAX - 1), 0);
    assert_int_equal(request_head_length(req, REQ_HEAD_MAX), -1);
    assert_string_equal(request_content_type("/a/b.HTML"), "text/html; charset=utf-8");
    assert_string_equal(request_content_type("/a.b/c"), "application/octet-stream");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(urls),
        cmocka_unit_test(response_heads),
        cmocka_unit_test(requests),
        cmocka_unit_test(no_escape_above_the_directory),
        cmocka_unit_test(request_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
