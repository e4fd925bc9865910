// termshot COLS ROWS OUT.ppm: the Terminal's screen of COLS x ROWS cells after the bytes of
// standard input (what its nsh wrote), drawn by the Terminal's own emulator and renderer in
// its dark palette (support/term_screen.h), written to OUT.ppm. The QEMU case
// terminal_shows_its_shell compares the screen with it where the expected text is known
// only at run time (a listing of the archive it booted). Exit status 0, or 1 with a message.
#include <stdio.h>
#include <stdlib.h>
#include <nexus/errors.h>
#include "support/gfx_files.h"
#include "support/term_screen.h"

#define INPUT_MAX (1u << 20)

// Standard input whole, at most INPUT_MAX bytes; its length in *len, or NULL.
static char *read_input(size_t *len)
{
    char *buf = malloc(INPUT_MAX + 1);
    if (!buf)
        return NULL;
    *len = fread(buf, 1, INPUT_MAX + 1, stdin);
    if (ferror(stdin) || *len > INPUT_MAX) {
        free(buf);
        return NULL;
    }
    return buf;
}

// The screen after text, into path.
static int shoot(int cols, int rows, const char *text, size_t len, const char *path)
{
    struct term_screen t;
    if (!term_screen_open(&t, &term_palette_dark, cols, rows)) {
        fprintf(stderr, "termshot: no font (%s) or no memory\n", DEJAVU_MONO);
        return 1;
    }
    int32_t w = cols * t.r.cell_w, h = rows * t.r.cell_h;
    uint32_t *px = calloc((size_t)w * (size_t)h, 4);
    struct nx_gfx_surface s;
    int status = 1;
    if (px && nx_gfx_surface_init(&s, px, (size_t)w * (size_t)h * 4, w, h, (size_t)w * 4) == NX_OK) {
        struct nx_gfx_rect rect;
        vt_write(&t.vt, text, len);
        term_render(&t.r, &t.vt, &s, &rect, 1);
        status = gfx_write_ppm(path, &s) ? 0 : 1;
        if (status)
            fprintf(stderr, "termshot: cannot write %s\n", path);
    }
    free(px);
    term_screen_close(&t);
    return status;
}

int main(int argc, char **argv)
{
    char *end1 = NULL, *end2 = NULL;
    long cols = argc == 4 ? strtol(argv[1], &end1, 10) : 0;
    long rows = argc == 4 ? strtol(argv[2], &end2, 10) : 0;
    if (argc != 4 || *end1 || *end2 || cols < 1 || cols > VT_MAX_COLS || rows < 1 || rows > VT_MAX_ROWS) {
        fprintf(stderr, "usage: termshot COLS ROWS OUT.ppm < TEXT (1-%d columns, 1-%d rows)\n",
                VT_MAX_COLS, VT_MAX_ROWS);
        return 1;
    }
    size_t len;
    char *text = read_input(&len);
    if (!text) {
        fprintf(stderr, "termshot: cannot read standard input (at most %u bytes)\n", INPUT_MAX);
        return 1;
    }
    int status = shoot((int)cols, (int)rows, text, len, argv[3]);
    free(text);
    return status;
}
