# Host test for the HTTP parsers of fetch (user/apps/fetch/http.c: URLs, response heads) and
# httpd (user/apps/httpd/request.c: request heads, paths under the served directory).
HOST_TESTS += http
http_SRCS := user/apps/fetch/http.c user/apps/httpd/request.c
