// The console stack without init: as the first boot program it makes the UART's resources
// itself (registers, IRQ 10 and its notification, the console endpoint), starts the driver
// with them and then the shell on the console, and starts the shell again whenever it ends.
// The QEMU shell tests and `make run` use it until init starts uart and nsh from its
// manifest.
#include <stdio.h>
#include <nx/loader.h>
#include <nx/nx.h>
#include "../../../user/drivers/uart/ns16550.h"

#define PAGES 512

static long start(const char *program, const struct nx_named_handle *grants, size_t n,
                  nx_handle_t *proc)
{
    const char *why;
    long r = nx_exec(program, NULL, 0, grants, n, PAGES, 0, proc, &why);
    if (r != NX_OK)
        printf("shboot: cannot start %s: %s (%ld)\n", program, why, r);
    return r;
}

static long start_uart(nx_handle_t res, nx_handle_t console)
{
    long mmio = nx_vmo_physical(res, (long)UART_PADDR, 4096);
    long notify = nx_notification_create();
    long irq = notify < 0 ? notify : nx_irq_create(res, UART_IRQ_LINE, notify, 1);
    if (mmio < 0 || irq < 0) {
        printf("shboot: no UART resources (%ld, %ld)\n", mmio, irq);
        return NX_ERR_BAD_STATE;
    }
    const struct nx_named_handle grants[] = {
        { "mmio:uart", (nx_handle_t)mmio }, { "irq:10", (nx_handle_t)irq },
        { "irq:10:notif", (nx_handle_t)notify }, { "serve", console },
    };
    nx_handle_t proc;
    return start("uart", grants, 4, &proc);
}

int main(void)
{
    long console = nx_endpoint_create();
    long client = console < 0 ? console
                              : nx_handle_duplicate(console, NX_RIGHT_SIGNAL |
                                                                 NX_RIGHT_TRANSFER |
                                                                 NX_RIGHT_DUPLICATE);
    if (client < 0 || start_uart(nx_start_handle, (nx_handle_t)console) != NX_OK)
        return 1;
    for (;;) {
        const struct nx_named_handle grant = {
            "console", (nx_handle_t)nx_handle_duplicate(client, NX_RIGHTS_SAME)
        };
        nx_handle_t nsh;
        long status;
        if (start("nsh", &grant, 1, &nsh) != NX_OK)
            return 1;
        nx_process_wait(nsh, NX_DEADLINE_NEVER, &status);
        nx_handle_close(nsh);
    }
}
