// hexdump [FILE...]: the bytes of the inputs (one stream) as `hexdump -C` shows them: offset,
// 16 bytes in hex, the same as text; a run of lines like the previous one is one '*'.
#include <ctype.h>
#include <string.h>
#include <nx/tool.h>

struct dump {
    unsigned long long offset;
    unsigned char row[16], prev[16];
    size_t fill;
    bool starred, any;
};

static void row_out(struct dump *d)
{
    if (d->any && d->fill == 16 && !memcmp(d->row, d->prev, 16)) {
        if (!d->starred)
            puts("*");
        d->starred = true;
    } else {
        d->starred = false;
        printf("%08llx ", d->offset);
        for (size_t i = 0; i < 16; i++)
            printf(i < d->fill ? "%s%02x" : "%s  ", i == 8 ? "  " : " ", d->row[i]);
        printf("  |");
        for (size_t i = 0; i < d->fill; i++)
            putchar(isprint(d->row[i]) ? d->row[i] : '.');
        printf("|\n");
    }
    memcpy(d->prev, d->row, 16);
    d->any = true;
    d->offset += d->fill;
    d->fill = 0;
}

static int dump(FILE *in, const char *name, void *ctx)
{
    struct dump *d = ctx;
    unsigned char buf[4096];
    long n;
    while ((n = nx_tool_read(in, buf, sizeof buf)) > 0)
        for (long i = 0; i < n; i++) {
            d->row[d->fill++] = buf[i];
            if (d->fill == 16)
                row_out(d);
        }
    return n < 0 ? nx_tool_error("hexdump", name) : 0;
}

int main(int argc, char **argv)
{
    struct dump d = { 0 };
    int status = nx_tool_each_input("hexdump", argc, argv, 1, dump, &d);
    if (d.fill)
        row_out(&d);
    if (d.offset)
        printf("%08llx\n", d.offset);
    return status;
}
