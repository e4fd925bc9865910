// wc [-l] [-w] [-c] [FILE...]: lines, words and bytes of each input (all three without an
// option), and their total when there are several.
#include <ctype.h>
#include <unistd.h>
#include <nx/tool.h>

struct counts {
    unsigned long long lines, words, bytes;
};

struct wc {
    bool l, w, c;
    struct counts total;
    bool in_word;
};

static void print(const struct wc *wc, const struct counts *n, const char *name)
{
    if (wc->l)
        printf("%8llu", n->lines);
    if (wc->w)
        printf("%8llu", n->words);
    if (wc->c)
        printf("%8llu", n->bytes);
    printf(name ? " %s\n" : "\n", name);
}

static void count(struct wc *wc, struct counts *n, const unsigned char *buf, long len)
{
    n->bytes += (unsigned long long)len;
    for (long i = 0; i < len; i++) {
        n->lines += buf[i] == '\n';
        bool space = isspace(buf[i]);
        n->words += !space && !wc->in_word;
        wc->in_word = !space;
    }
}

static int one(FILE *in, const char *name, void *ctx)
{
    static unsigned char buf[65536];
    struct wc *wc = ctx;
    struct counts n = { 0 };
    wc->in_word = false;
    long got;
    while ((got = nx_tool_read(in, buf, sizeof buf)) > 0)
        count(wc, &n, buf, got);
    print(wc, &n, in == stdin ? NULL : name);
    wc->total.lines += n.lines;
    wc->total.words += n.words;
    wc->total.bytes += n.bytes;
    return got < 0 ? nx_tool_error("wc", name) : 0;
}

int main(int argc, char **argv)
{
    struct wc wc = { 0 };
    for (int c; (c = getopt(argc, argv, "lwc")) != -1;) {
        if (c == '?') {
            fprintf(stderr, "usage: wc [-l] [-w] [-c] [FILE...]\n");
            return 1;
        }
        wc.l |= c == 'l', wc.w |= c == 'w', wc.c |= c == 'c';
    }
    if (!wc.l && !wc.w && !wc.c)
        wc.l = wc.w = wc.c = true;
    int status = nx_tool_each_input("wc", argc, argv, optind, one, &wc);
    if (argc - optind > 1)
        print(&wc, &wc.total, "total");
    return status;
}
