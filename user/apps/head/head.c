// head [-n LINES | -c BYTES] [FILE...]: the first lines (default 10) or bytes of each input.
#include <stdlib.h>
#include <unistd.h>
#include <nx/tool.h>

struct head {
    long count;
    bool bytes;
    char *line;
    size_t cap;
};

static int first_bytes(FILE *in, const char *name, struct head *h)
{
    static char buf[65536];
    for (long left = h->count; left > 0;) {
        long n = nx_tool_read(in, buf, left < (long)sizeof buf ? (size_t)left : sizeof buf);
        if (n < 0)
            return nx_tool_error("head", name);
        if (n == 0)
            break;
        if (!nx_tool_write_all(1, buf, (size_t)n))
            return nx_tool_error("head", "write"), -1;
        left -= n;
    }
    return 0;
}

static int first(FILE *in, const char *name, void *ctx)
{
    struct head *h = ctx;
    if (h->bytes)
        return first_bytes(in, name, h);
    for (long i = 0; i < h->count; i++) {
        long n = nx_tool_getline(in, &h->line, &h->cap);
        if (n < 0)
            return nx_tool_error("head", name);
        if (n == 0)
            break;
        fputs(h->line, stdout);
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct head h = { 10, false, NULL, 0 };
    for (int c; (c = getopt(argc, argv, "n:c:")) != -1;) {
        if ((c != 'n' && c != 'c') || !nx_tool_count(optarg, &h.count)) {
            fprintf(stderr, "usage: head [-n LINES | -c BYTES] [FILE...]\n");
            return 1;
        }
        h.bytes = c == 'c';
    }
    int status = nx_tool_each_input("head", argc, argv, optind, first, &h);
    free(h.line);
    return status;
}
