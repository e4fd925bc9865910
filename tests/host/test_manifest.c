// Host unit tests for init's manifest parser (user/init/manifest.c): every error is reported
// with its line and skips only that line; grants order the services; cycles are dropped.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <nx/services.h>

#include <stdio.h>
#include <string.h>

#include "../../user/init/manifest.h"
#include "../../user/init/restart.h"

// Reports collected as "LINE: reason" lines.
static char reports[4096];

static void collect(void *ctx, int line, const char *reason)
{
    (void)ctx;
    size_t n = strlen(reports);
    snprintf(reports + n, sizeof(reports) - n, "%d: %s\n", line, reason);
}

static struct manifest m;

static void parse(const char *text)
{
    reports[0] = '\0';
    manifest_parse(&m, text, strlen(text), collect, NULL);
}

static void test_full_example(void **state)
{
    (void)state;
    parse("# the default system\n"
          "service log     prio=20 pages=256 restart\n"
          "service policy  prio=20 pages=128 grant=log\n"
          "service svcmgr  prio=20 pages=128 grant=policy,log\n"
          "service uart    prio=24 grant=log,mmio:uart,irq:10 restart\n"
          "service nsh     bin=shell pages=1024 grant=log,svcmgr,uart,exec,proc restart -- -i x\n"
          "allow nsh -> uart,log:ct\n"
          "allow * -> log\n");
    assert_string_equal(reports, "");
    assert_int_equal(m.errors, 0);
    assert_int_equal(m.nservices, 5);
    const struct mf_service *nsh = manifest_find(&m, "nsh");
    assert_non_null(nsh);
    assert_string_equal(nsh->binary, "shell");
    assert_int_equal(nsh->pages, 1024);
    assert_int_equal(nsh->priority, 16);
    assert_true(nsh->restart);
    assert_int_equal(nsh->argc, 2);
    assert_memory_equal(nsh->args, "-i\0x\0", 5);
    assert_int_equal(nsh->line, 6);
    const struct mf_service *uart = manifest_find(&m, "uart");
    assert_int_equal(uart->ngrants, 3);
    assert_int_equal(uart->grants[1].kind, MF_GRANT_MMIO);
    assert_string_equal(mf_devices[uart->grants[1].value].name, "uart");
    assert_int_equal(uart->grants[2].kind, MF_GRANT_IRQ);
    assert_int_equal(uart->grants[2].value, 10);
    assert_int_equal(m.nrules, 3);
    assert_string_equal(m.rules[1].service, "log");
    assert_int_equal(m.rules[1].rights, MF_RIGHT_CALL | MF_RIGHT_TRANSFER);
    assert_string_equal(m.rules[2].client, "*");
    assert_int_equal(m.rules[2].line, 8);
}

// Services come after what they are granted, otherwise in file order.
static void test_dependency_order(void **state)
{
    (void)state;
    parse("service nsh grant=svcmgr,log\n"
          "service svcmgr grant=policy\n"
          "service other\n"
          "service policy grant=log\n"
          "service log\n");
    assert_string_equal(reports, "");
    const char *want[] = { "other", "log", "policy", "svcmgr", "nsh" };
    for (int i = 0; i < 5; i++)
        assert_string_equal(m.services[i].name, want[i]);
}

// mmio:rtc: the goldfish RTC's one page (the wall clock's driver).
static void test_rtc_grant(void **state)
{
    (void)state;
    parse("service rtc bin=goldfish-rtc grant=mmio:rtc\n"
          "service a grant=mmio:rtc2\n");
    assert_string_equal(reports, "2: unknown device\n");
    const struct mf_service *rtc = manifest_find(&m, "rtc");
    assert_int_equal(rtc->grants[0].kind, MF_GRANT_MMIO);
    assert_string_equal(mf_devices[rtc->grants[0].value].name, "rtc");
    assert_int_equal(mf_devices[rtc->grants[0].value].paddr, 0x101000);
    assert_int_equal(mf_devices[rtc->grants[0].value].size, 0x1000);
}

// irq:N-M grants a range of lines (the virtio slots' 1-8); mmio:virtio all their windows.
static void test_interrupt_ranges(void **state)
{
    (void)state;
    parse("service blk grant=mmio:virtio,irq:1-8\n"
          "service a grant=irq:3-2\n"
          "service a grant=irq:1-9\n"
          "service a grant=irq:1-\n"
          "service a grant=irq:-1\n"
          "service a grant=irq:5-5\n");
    assert_string_equal(reports, "2: bad interrupt range\n"
                                 "3: bad interrupt range\n"
                                 "4: bad interrupt line\n"
                                 "5: bad interrupt line\n");
    const struct mf_service *blk = manifest_find(&m, "blk");
    assert_string_equal(mf_devices[blk->grants[0].value].name, "virtio");
    assert_int_equal(mf_devices[blk->grants[0].value].size, 0x8000);
    assert_int_equal(blk->grants[1].kind, MF_GRANT_IRQ);
    assert_int_equal(blk->grants[1].value, 1);
    assert_int_equal(blk->grants[1].last, 8);
    const struct mf_service *a = manifest_find(&m, "a");
    assert_int_equal(a->grants[0].value, 5);
    assert_int_equal(a->grants[0].last, 5);
}

// virtio:KIND names a device by its virtio device ID; init picks the slot (not the parser).
static void test_virtio_grants(void **state)
{
    (void)state;
    parse("service blk grant=virtio:blk,log\n"
          "service gpu grant=virtio:gpu\n"
          "service rng grant=virtio:rng\n"
          "service a grant=virtio:\n"
          "service a grant=virtio:nic\n"
          "service a grant=virtio:blk:1\n"
          "service a grant=virtio:BLK\n"
          "service a grant=virtio:gpu,virtio:gpu\n"
          "service a grant=virtio:blk,virtio:gpu\n"
          "service kbd grant=virtio:input\n"
          "service tablet grant=virtio:input\n"
          "service b grant=virtio:input,virtio:input\n"
          "service b grant=virtio:input2\n"
          "service log\n"
          "service netdev grant=virtio:net\n");
    assert_string_equal(reports, "4: unknown virtio device\n"
                                 "5: unknown virtio device\n"
                                 "6: unknown virtio device\n"
                                 "7: unknown virtio device\n"
                                 "8: duplicate grant\n"
                                 "12: duplicate grant\n"
                                 "13: unknown virtio device\n");
    const struct mf_service *blk = manifest_find(&m, "blk");
    assert_int_equal(blk->grants[0].kind, MF_GRANT_VIRTIO);
    assert_int_equal(blk->grants[0].value, 2);
    assert_null(mf_grant_service(&blk->grants[0]));
    const struct mf_service *gpu = manifest_find(&m, "gpu");
    assert_int_equal(gpu->grants[0].kind, MF_GRANT_VIRTIO);
    assert_int_equal(gpu->grants[0].value, 16);
    const struct mf_service *rng = manifest_find(&m, "rng");
    assert_int_equal(rng->grants[0].kind, MF_GRANT_VIRTIO);
    assert_int_equal(rng->grants[0].value, 4);
    assert_int_equal(manifest_find(&m, "netdev")->grants[0].value, 1);
    const struct mf_service *a = manifest_find(&m, "a");
    assert_int_equal(a->ngrants, 2);
    assert_int_equal(a->grants[1].value, 16);
    // Input devices share one ID: each driver instance is a service of its own with one grant.
    for (const char *const *n = (const char *const[]){ "kbd", "tablet", NULL }; *n; n++) {
        const struct mf_service *s = manifest_find(&m, *n);
        assert_int_equal(s->grants[0].kind, MF_GRANT_VIRTIO);
        assert_int_equal(s->grants[0].value, 18);
    }
    assert_null(manifest_find(&m, "b"));
}

static void test_every_line_error(void **state)
{
    (void)state;
    parse("service\n"                                   // 1
          "service averyveryverylongname\n"             // 2
          "service a prio=32\n"                         // 3
          "service a prio=x\n"                          // 4
          "service a pages=15\n"                        // 5
          "service a pages=16385\n"                     // 6
          "service a color=red\n"                       // 7
          "service a grant=irq:0\n"                     // 8
          "service a grant=irq:128\n"                   // 9
          "service a grant=mmio:disk\n"                 // 10
          "service a grant=a,b,c,d,e,f,g,h,i\n"         // 11
          "service a grant=,\n"                         // 12
          "service a -- 1 2 3 4 5 6 7 8 9\n"            // 13
          "service a bin=\n"                            // 14
          "launch a\n"                                  // 15
          "allow a\n"                                   // 16
          "allow a => b\n"                              // 17
          "allow a -> b:x\n"                            // 18
          "allow a -> b:\n"                             // 19
          "service ok\n"                                // 20
          "service ok\n"                                // 21
          "service exec\n"                              // 22
          "allow ok -> nobody\n"                        // 23
          "allow nobody -> ok\n");                      // 24
    assert_string_equal(reports,
                        "1: service needs a name of 1-15 characters\n"
                        "2: service needs a name of 1-15 characters\n"
                        "3: bad priority\n"
                        "4: bad priority\n"
                        "5: bad page budget\n"
                        "6: bad page budget\n"
                        "7: unknown option\n"
                        "8: bad interrupt line\n"
                        "9: bad interrupt line\n"
                        "10: unknown device\n"
                        "11: too many grants\n"
                        "12: bad grant name\n"
                        "13: too many arguments\n"
                        "14: bad binary name\n"
                        "15: unknown directive\n"
                        "16: expected: allow CLIENT -> SERVICE[:RIGHTS][,...]\n"
                        "17: expected: allow CLIENT -> SERVICE[:RIGHTS][,...]\n"
                        "18: bad rights\n"
                        "19: bad rights\n"
                        "21: duplicate service\n"
                        "22: duplicate service\n"
                        "23: allow: unknown service\n"
                        "24: allow: unknown client\n");
    assert_int_equal(m.errors, 23);
    assert_int_equal(m.nservices, 1);
    assert_string_equal(m.services[0].name, "ok");
    assert_int_equal(m.nrules, 0);
}

// dir:PATH grants a directory handle of the service fs (which must exist and start first);
// bootfs the boot archive; power the device resource for the power mode.
static void test_directory_and_bootfs_grants(void **state)
{
    (void)state;
    parse("service app grant=dir:/data/app,power\n"
          "service fs grant=bootfs\n"
          "service bad grant=dir:data\n");
    assert_string_equal(reports, "3: bad directory (absolute path)\n");
    assert_string_equal(m.services[0].name, "fs");
    assert_string_equal(m.services[1].name, "app");
    assert_int_equal(m.services[0].grants[0].kind, MF_GRANT_BOOTFS);
    assert_null(mf_grant_service(&m.services[0].grants[0]));
    assert_int_equal(m.services[1].grants[0].kind, MF_GRANT_DIR);
    assert_string_equal(mf_grant_service(&m.services[1].grants[0]), "fs");
    assert_int_equal(m.services[1].grants[1].kind, MF_GRANT_POWER);
    assert_null(mf_grant_service(&m.services[1].grants[1]));
    parse("service app grant=dir:/x\n");
    assert_string_equal(reports, "1: grant names no service\n");
    assert_int_equal(m.nservices, 0);
}

// service's grants: the first without a facet, the second called name with the facet's bits.
static void assert_second_grant_faceted(const char *service, const char *name, uint32_t facet)
{
    const struct mf_service *sv = manifest_find(&m, service);
    assert_non_null(sv);
    assert_int_equal(sv->grants[0].facet, 0);
    assert_string_equal(sv->grants[1].name, name);
    assert_int_equal(sv->grants[1].kind, MF_GRANT_SERVICE);
    assert_int_equal(sv->grants[1].facet, facet);
}

// A service grant NAME:lock: the handle is still called NAME and orders the services by it,
// its badge gets NX_BADGE_LOCK; any other facet is refused.
static void test_lock_facet(void **state)
{
    (void)state;
    parse("service wm grant=log\n"
          "service log\n"
          "service greeter grant=log,wm:lock\n"
          "service a grant=wm:admin\n"
          "service b grant=:lock\n"
          "service c grant=wm,wm:lock\n");
    assert_string_equal(reports, "4: unknown grant facet\n5: unknown grant facet\n"
                                 "6: duplicate grant\n");
    assert_second_grant_faceted("greeter", "wm", NX_BADGE_LOCK);
    assert_string_equal(m.services[m.nservices - 1].name, "greeter");  // after wm
}

// proc:view: init's proc without kill (MF_BADGE_PROC_VIEW); no other grant has that facet.
static void test_proc_view_facet(void **state)
{
    (void)state;
    parse("service login grant=log,proc:view\n"
          "service log\n"
          "service a grant=log:view\n"
          "service b grant=proc:views\n"
          "service c grant=proc,proc:view\n");
    assert_string_equal(reports, "3: unknown grant facet\n4: unknown grant facet\n"
                                 "5: duplicate grant\n");
    assert_second_grant_faceted("login", "proc", MF_BADGE_PROC_VIEW);
}

static void test_unknown_grant_drops_dependents(void **state)
{
    (void)state;
    parse("service a grant=b\n"
          "service b grant=ghost\n"
          "service c grant=exec,proc\n");
    assert_string_equal(reports, "2: grant names no service\n1: grant names no service\n");
    assert_int_equal(m.nservices, 1);
    assert_string_equal(m.services[0].name, "c");
}

static void test_cycle_is_dropped(void **state)
{
    (void)state;
    parse("service a grant=b\n"
          "service b grant=a\n"
          "service c\n"
          "service d grant=c\n");
    assert_string_equal(reports, "1: dependency cycle\n2: dependency cycle\n");
    assert_int_equal(m.nservices, 2);
}

static void test_comments_blank_lines_and_long_lines(void **state)
{
    (void)state;
    char text[600];
    memset(text, 'x', sizeof(text));
    memcpy(text, "\n  # only a comment\n\t\n", 22);
    text[sizeof(text) - 2] = '\n';
    text[sizeof(text) - 1] = '\0';
    strcpy(text + 400, "\nservice z # trailing comment\r\n");
    parse(text);
    assert_string_equal(reports, "4: line too long\n");
    assert_int_equal(m.nservices, 1);
    assert_int_equal(m.services[0].line, 5);
}

static void test_limits(void **state)
{
    (void)state;
    char text[4096] = "";
    for (int i = 0; i <= MF_MAX_SERVICES; i++)
        sprintf(text + strlen(text), "service s%d\n", i);
    for (int i = 0; i <= MF_MAX_RULES; i++)
        strcat(text, "allow s1 -> s2\n");
    parse(text);
    char want[128];
    snprintf(want, sizeof(want), "%d: too many services\n%d: too many rules\n",
             MF_MAX_SERVICES + 1, MF_MAX_SERVICES + 1 + MF_MAX_RULES + 1);
    assert_string_equal(reports, want);
    assert_int_equal(m.nservices, MF_MAX_SERVICES);
    assert_int_equal(m.nrules, MF_MAX_RULES);
}

// A rule list that overflows half-way adds none of its targets.
static void test_allow_list_is_all_or_nothing(void **state)
{
    (void)state;
    parse("service a\nservice b\nallow a -> b,exec:q\nallow a -> b,exec:ctd\n");
    assert_string_equal(reports, "3: bad rights\n");
    assert_int_equal(m.nrules, 2);
    assert_int_equal(m.rules[1].rights, MF_RIGHT_CALL | MF_RIGHT_TRANSFER | MF_RIGHT_DUP);
}

// Restart back-off: 10 ms doubling to 1 s while deaths are quick, reset by a long life, and
// given up after RESTART_GIVE_UP quick deaths in a row.
// net CLIENT ...: the network policy's rules (nx/net.h), one per permission and port; a bad
// line adds none of them.
static void test_network_policy_lines(void **state)
{
    (void)state;
    parse("service net\nservice httpd grant=net\nservice nsh grant=net\n"
          "net httpd listen=80,8080\n"
          "net nsh connect listen=*\n"
          "net nsh\n"
          "net nsh connect listen=80,0\n"
          "net nsh listen=65536\n"
          "net nsh connect fly\n"
          "net nsh listen=\n"
          "net ghost connect\n"
          "allow nsh -> net.in.22\n");
    assert_string_equal(reports,
                        "6: expected: net CLIENT [connect] [listen=PORT[,PORT...]|listen=*]\n"
                        "7: bad port\n"
                        "8: bad port\n"
                        "9: net: unknown permission\n"
                        "10: bad port\n"
                        "11: allow: unknown client\n"
                        "12: allow: unknown service\n");
    assert_int_equal(m.nrules, 4);
    const char *want[][2] = { { "httpd", "net.in.80" }, { "httpd", "net.in.8080" },
                              { "nsh", "net.out" }, { "nsh", "net.in.*" } };
    for (int i = 0; i < 4; i++) {
        assert_string_equal(m.rules[i].client, want[i][0]);
        assert_string_equal(m.rules[i].service, want[i][1]);
        assert_int_equal(m.rules[i].rights, MF_RIGHT_CALL);
        assert_true(m.rules[i].net);
    }
}

static void test_restart_backoff(void **state)
{
    (void)state;
    struct restart_state rs = { 0, 0 };
    const int64_t ms = 1000000;
    int64_t want[] = { 10 * ms, 20 * ms, 40 * ms, 80 * ms, 160 * ms, 320 * ms, 640 * ms, 1000 * ms };
    uint64_t t = 5000 * ms;
    for (int i = 0; i < RESTART_GIVE_UP; i++, t += 10 * ms)
        assert_int_equal(restart_delay(&rs, t, t + 5 * ms), want[i]);
    assert_int_equal(restart_delay(&rs, t, t + 5 * ms), -1);
    rs = (struct restart_state){ 0, 0 };
    assert_int_equal(restart_delay(&rs, t, t + ms), 10 * ms);
    assert_int_equal(restart_delay(&rs, t, t + ms), 20 * ms);
    assert_int_equal(restart_delay(&rs, t, t + 2000 * ms), 10 * ms);  // a long life resets
    assert_int_equal(rs.quick_deaths, 0);
    assert_int_equal(restart_delay(&rs, t, t + ms), 10 * ms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_example),
        cmocka_unit_test(test_dependency_order),
        cmocka_unit_test(test_interrupt_ranges),
        cmocka_unit_test(test_rtc_grant),
        cmocka_unit_test(test_virtio_grants),
        cmocka_unit_test(test_every_line_error),
        cmocka_unit_test(test_directory_and_bootfs_grants),
        cmocka_unit_test(test_lock_facet),
        cmocka_unit_test(test_proc_view_facet),
        cmocka_unit_test(test_unknown_grant_drops_dependents),
        cmocka_unit_test(test_cycle_is_dropped),
        cmocka_unit_test(test_comments_blank_lines_and_long_lines),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_allow_list_is_all_or_nothing),
        cmocka_unit_test(test_network_policy_lines),
        cmocka_unit_test(test_restart_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
