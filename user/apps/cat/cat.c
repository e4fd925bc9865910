// cat [FILE...]: the files (or stdin; "-" is stdin) one after the other on stdout.
#include <stdlib.h>
#include <nx/tool.h>

#define CHUNK 65536

static int copy(FILE *in, const char *name, void *ctx)
{
    char *buf = ctx;
    for (;;) {
        long n = nx_tool_read(in, buf, CHUNK);
        if (n < 0)
            return nx_tool_error("cat", name);
        if (n == 0)
            return 0;
        if (!nx_tool_write_all(1, buf, (size_t)n)) {
            nx_tool_error("cat", "write");
            return -1;
        }
    }
}

int main(int argc, char **argv)
{
    char *buf = malloc(CHUNK);
    if (!buf)
        return nx_tool_error("cat", "buffer");
    return nx_tool_each_input("cat", argc, argv, 1, copy, buf);
}
