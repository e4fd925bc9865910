// QEMU test of nsh on a Terminal's pipes without the compositor: the Terminal's own code
// starts nsh (user/apps/terminal/shell.c) and its emulator (vt*.c) shows what nsh prints.
// Keys are typed into nsh's stdin pipe as the Terminal sends them (vt_key), and the screen
// must show the prompt, the line editor's echo and edits, a built-in's output, /boot's
// listing, and a program's output relayed by nsh; closing the keys' pipe ends nsh.
// Run from the serial shell (it passes on its "dir:/" grant to its nsh).
#define TEST_NAME "termtest"
#include <stdio.h>
#include <string.h>
#include <nx/nx.h>
#include <nx/pipe.h>
#include <nx/text.h>
#include "expect.h"
#include "../../../user/apps/terminal/shell.h"
#include "../../../user/apps/terminal/vt.h"

#define BIT_SHELL (1ull << 3)
#define WAIT_NS 10000000000ull

static struct shell sh;
static struct vt vt;
static nx_handle_t wait, sig;
static bool ended;

// A row holds text (whole: the row is text and blanks).
static bool screen_has(const char *text, bool whole)
{
    char row[4 * VT_MAX_COLS + 1];
    for (int r = 0; r < vt.rows; r++) {
        size_t n = 0, keep = 0;
        for (int c = 0; c < vt.cols; c++) {
            uint32_t cp = vt_view_cell(&vt, r, c)->cp;
            n += nx_utf8_encode(cp, row + n);
            keep = cp != ' ' ? n : keep;
        }
        row[keep] = '\0';
        if (whole ? !strcmp(row, text) : strstr(row, text) != NULL)
            return true;
    }
    return false;
}

static void show_screen(void)
{
    for (int r = 0; r < vt.rows; r++) {
        char row[VT_MAX_COLS + 1];
        int c = 0;
        for (; c < vt.cols; c++) {
            uint32_t cp = vt_view_cell(&vt, r, c)->cp;
            row[c] = cp < 0x7f ? (char)cp : '?';
        }
        while (c > 0 && row[c - 1] == ' ')
            c--;
        row[c] = '\0';
        if (c)
            nx_printf(TEST_NAME ": | %s\n", row);
    }
}

// Feed nsh's output to the emulator until text shows (NULL: until the output ends), or nsh
// ends, or WAIT_NS passes.
static bool until_shown(const char *text, bool whole)
{
    uint64_t deadline = (uint64_t)nx_clock_get() + WAIT_NS;
    while (!(text && screen_has(text, whole))) {
        char buf[1024];
        bool wake;
        long n = nx_pipe_read_some(&sh.out, buf, sizeof buf, &wake);
        if (wake)
            nx_notify_signal(sh.out.h.signal, NX_PIPE_BIT_IO);
        if (n > 0) {
            vt_write(&vt, buf, (size_t)n);
            continue;
        }
        if (n != NX_ERR_TIMED_OUT || (uint64_t)nx_clock_get() > deadline)
            return false;
        uint64_t bits = 0;
        if (nx_ring_prepare_sleep(&sh.out.ring))
            nx_notify_wait_bits(wait, deadline, &bits);
        nx_ring_end_sleep(&sh.out.ring);
        nx_pipe_take_bits(&sh.out, bits);
        ended |= (bits & BIT_SHELL) != 0;
    }
    return true;
}

static void type(const char *keys)
{
    nx_pipe_write(&sh.in, keys, strlen(keys), NX_DEADLINE_NEVER);
}

static void key(unsigned code)
{
    char out[VT_KEY_BYTES_MAX];
    nx_pipe_write(&sh.in, out, vt_key(&vt, code, 0, 0, out), NX_DEADLINE_NEVER);
}

int main(void)
{
    expect("emulator made", vt_init(&vt, 60, 100, NULL), 0);  // /boot's listing: no scrolling
    vt.newline_crlf = true;
    expect("pipes made", shell_prepare(&sh, &wait, &sig), NX_OK);
    expect("nsh started on pipes", shell_start(&sh, sig, BIT_SHELL), NX_OK);
    expect("prompt shown", until_shown("nsh>", false), true);
    type("echo hello from a pipe\r");
    expect("a built-in's output shown", until_shown("hello from a pipe", true), true);
    type("echo abc");
    key(NX_KEY_LEFT);
    key(NX_KEY_LEFT);
    type("X\r");
    expect("an edited line ran", until_shown("aXbc", true), true);
    type("ls /boot\r");
    expect("ls /boot lists the archive", until_shown("terminal", true), true);
    expect("nsh among it", screen_has("nsh", true), true);
    type("hello\r");
    expect("a program's output relayed by nsh", until_shown("Hello from user space!", false), true);
    show_screen();
    nx_pipe_close(&sh.in);  // the Terminal closes: nsh reads the end of its keys
    expect("the end of nsh's output", until_shown(NULL, false), false);
    uint64_t bits, deadline = (uint64_t)nx_clock_get() + WAIT_NS;
    while (!ended && nx_notify_wait_bits(wait, deadline, &bits) == NX_OK)
        ended = (bits & BIT_SHELL) != 0;
    long status = -1;
    expect("nsh ended", ended, true);
    expect("nsh exited with 0", nx_process_status(sh.proc, &status) == NX_OK ? status : -1, 0);
    nx_printf(TEST_NAME ": %d failures\n", failures);
    return failures != 0;
}
