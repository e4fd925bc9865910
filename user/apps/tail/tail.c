// tail [-n LINES] [FILE...]: the last lines (default 10) of each input.
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nx/tool.h>

#define LINES_MAX 10000

struct tail {
    long count;
    char **kept;  // a ring of the last `count` lines
};

static int last(FILE *in, const char *name, void *ctx)
{
    struct tail *t = ctx;
    char *line = NULL;
    size_t cap = 0;
    long seen = 0, n;
    while ((n = nx_tool_getline(in, &line, &cap)) > 0 && t->count) {
        char **slot = &t->kept[seen++ % t->count];
        free(*slot);
        if (!(*slot = strdup(line)))
            n = -1;
        if (n < 0)
            break;
    }
    free(line);
    long from = seen > t->count ? seen - t->count : 0;
    for (long i = from; i < seen; i++) {
        char **slot = &t->kept[i % t->count];
        fputs(*slot, stdout);
        free(*slot);
        *slot = NULL;
    }
    return n < 0 ? nx_tool_error("tail", name) : 0;
}

int main(int argc, char **argv)
{
    struct tail t = { 10, NULL };
    for (int c; (c = getopt(argc, argv, "n:")) != -1;)
        if (c != 'n' || !nx_tool_count(optarg, &t.count) || t.count > LINES_MAX) {
            fprintf(stderr, "usage: tail [-n LINES (at most %d)] [FILE...]\n", LINES_MAX);
            return 1;
        }
    t.kept = calloc((size_t)t.count + 1, sizeof(char *));
    if (!t.kept)
        return nx_tool_error("tail", "memory");
    return nx_tool_each_input("tail", argc, argv, optind, last, &t);
}
