// A restartable test service: says it is up on stdout, which it hands to the log service
// (so the stdio -> log path is tested too), then waits for ever (until killed).
#include <stdio.h>
#include <nx/log.h>
#include <nx/nx.h>

int main(void)
{
    long n = nx_notification_create();
    uint64_t bits;
    nx_log_take_stdio();
    printf("sleeper up\n");
    nx_notify_wait_bits(n, NX_DEADLINE_NEVER, &bits);
    return 0;
}
