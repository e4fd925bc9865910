// Host unit tests for the system monitor's rows (user/apps/sysmon/model.c) and the live figures'
// arithmetic and text it shares with the control centre (user/lib/app/figures.c): load
// percentages at the limits, disk use at the limits, rows and lines cut to their buffers.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <nexus/errors.h>

#include "../../user/apps/sysmon/model.h"
#include "../../user/lib/app/figures.h"

static unsigned load(uint64_t b0, uint64_t i0, uint64_t b1, uint64_t i1)
{
    return fig_load_percent((struct hart_sample){ b0, i0 }, (struct hart_sample){ b1, i1 });
}

static void load_percentages(void **state)
{
    (void)state;
    assert_int_equal(load(0, 0, 0, 0), 0);                 // no time passed
    assert_int_equal(load(100, 100, 100, 200), 0);         // idle throughout
    assert_int_equal(load(100, 100, 200, 100), 100);       // busy throughout
    assert_int_equal(load(0, 0, 1, 2), 33);
    assert_int_equal(load(0, 0, 2, 1), 67);                // rounded to nearest
    assert_int_equal(load(0, 0, 1, 199), 1);               // 0.5 % rounds up
    assert_int_equal(load(0, 0, 1, 201), 0);
    assert_int_equal(load(500, 500, 400, 600), 0);         // busy went backwards: none
    assert_int_equal(load(0, 0, UINT64_MAX, 0), 100);      // no overflow
    assert_int_equal(load(0, 0, UINT64_MAX / 2, UINT64_MAX / 2), 50);
    assert_int_equal(load(0, 0, UINT64_MAX, UINT64_MAX), 100);  // the sum wraps
    for (uint64_t b = 0; b <= 1000; b += 7)
        assert_true(load(0, 0, b, 1000 - b) <= 100);
}

static void rows_and_lines(void **state)
{
    (void)state;
    struct nx_proc_entry e = { .pid = 42, .state = NX_PROC_ENTRY_RUNNING, .restarts = 3,
                               .budget_pages = 6144, .used_pages = 1234 };
    memcpy(e.name, "sysmon", 7);
    char row[SYSMON_ROW_BYTES];
    sysmon_row(&e, row);
    assert_string_equal(row, "   42  running    1234/6144      3  sysmon");
    memset(e.name, 'n', sizeof e.name);  // no NUL: cut at the field
    e.pid = UINT32_MAX;
    e.state = 77;
    e.used_pages = e.budget_pages = UINT64_MAX;
    sysmon_row(&e, row);
    assert_true(strlen(row) < SYSMON_ROW_BYTES);
    assert_non_null(strstr(row, " ? "));
    char line[64];
    fig_memory(65536, 1000, line, sizeof line);
    assert_string_equal(line, "Memory: 64536 of 65536 pages used (1000 free, 4 KiB each)");
    fig_uptime(59999999999ull, line, sizeof line);
    assert_string_equal(line, "Up 0 min 59 s");
    fig_uptime(3723000000000ull, line, sizeof line);
    assert_string_equal(line, "Up 1 h 02 min 03 s");
    unsigned loads[FIG_HARTS_MAX] = { 12, 100, 0, 5, 5, 5, 5, 5 };
    fig_harts(loads, 2, line, sizeof line);
    assert_string_equal(line, "Load:  hart 0 12 %  hart 1 100 %");
    char tiny[10];
    fig_harts(loads, FIG_HARTS_MAX, tiny, sizeof tiny);  // cut, not overrun
    assert_string_equal(tiny, "Load:  ha");
    assert_string_equal(sysmon_kill_error(NX_ERR_BAD_STATE), "it is not running");
    assert_string_equal(sysmon_kill_error(-999), "refused");
}

static void disk_use(void **state)
{
    (void)state;
    char line[96];
    fig_disk(4096, 0, 0, line, sizeof line);
    assert_string_equal(line, "Disk: none");
    fig_disk(0, 100, 0, line, sizeof line);
    assert_string_equal(line, "Disk: none");
    fig_disk(1024, 65536, 60000, line, sizeof line);   // a 64 MiB ext3 disk
    assert_string_equal(line, "Disk: 5.4 of 64.0 MiB used (8 %)");
    fig_disk(4096, 100, 100, line, sizeof line);
    assert_string_equal(line, "Disk: 0.0 of 0.3 MiB used (0 %)");
    fig_disk(4096, 100, 1000, line, sizeof line);       // more free than all: none used
    assert_string_equal(line, "Disk: 0.0 of 0.3 MiB used (0 %)");
    fig_disk(1024, 100, 0, line, sizeof line);
    assert_string_equal(line, "Disk: 0.0 of 0.0 MiB used (100 %)");
    fig_disk(UINT64_MAX, UINT64_MAX, 0, line, sizeof line);   // no overflow: capped
    assert_string_equal(line, "Disk: 1844674407370955161.5 of 1844674407370955161.5 MiB used (100 %)");
    char tiny[8];
    fig_disk(1024, 65536, 60000, tiny, sizeof tiny);
    assert_string_equal(tiny, "Disk: 5");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(load_percentages),
        cmocka_unit_test(rows_and_lines),
        cmocka_unit_test(disk_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
