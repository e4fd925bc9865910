// sort [-r] [-n] [FILE...]: the lines of all inputs in order (bytes, or numbers with -n;
// reversed with -r). At most SORT_LINES_MAX lines (and what the heap holds).
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nx/tool.h>

#define SORT_LINES_MAX 100000

struct sort {
    char **lines;
    size_t n, cap;
    bool full;
};

static bool reverse, numeric;

static int collect(FILE *in, const char *name, void *ctx)
{
    struct sort *s = ctx;
    char *line = NULL;
    size_t cap = 0;
    long n;
    while ((n = nx_tool_getline(in, &line, &cap)) > 0) {
        if (line[n - 1] != '\n')  // a last line without its newline gets one
            line[n] = '\0';
        if (s->n == s->cap) {
            size_t ncap = s->cap ? s->cap * 2 : 256;
            char **p = ncap <= SORT_LINES_MAX ? realloc(s->lines, ncap * sizeof(char *)) : NULL;
            if (!p) {
                fprintf(stderr, "sort: %s: more than %d lines or out of memory\n", name,
                        SORT_LINES_MAX);
                free(line);
                return -1;
            }
            s->lines = p;
            s->cap = ncap;
        }
        if (!(s->lines[s->n] = strdup(line)))
            break;
        s->n++;
    }
    free(line);
    return n != 0 ? nx_tool_error("sort", name) : 0;
}

static int compare(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    int c;
    if (numeric) {
        long long u = strtoll(x, NULL, 10), v = strtoll(y, NULL, 10);
        c = u < v ? -1 : u > v;
        if (!c)
            c = strcmp(x, y);
    } else {
        c = strcmp(x, y);
    }
    return reverse ? -c : c;
}

int main(int argc, char **argv)
{
    struct sort s = { 0 };
    for (int c; (c = getopt(argc, argv, "rn")) != -1;) {
        if (c == '?') {
            fprintf(stderr, "usage: sort [-r] [-n] [FILE...]\n");
            return 1;
        }
        reverse |= c == 'r', numeric |= c == 'n';
    }
    int status = nx_tool_each_input("sort", argc, argv, optind, collect, &s);
    qsort(s.lines, s.n, sizeof(char *), compare);
    for (size_t i = 0; i < s.n; i++) {
        size_t len = strlen(s.lines[i]);
        fputs(s.lines[i], stdout);
        if (!len || s.lines[i][len - 1] != '\n')
            putchar('\n');
        free(s.lines[i]);
    }
    free(s.lines);
    return status;
}
