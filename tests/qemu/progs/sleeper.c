// A restartable test service: logs that it is up, then waits for ever (until killed).
#include <nx/log.h>
#include <nx/nx.h>

int main(void)
{
    long n = nx_notification_create();
    uint64_t bits;
    nx_log(NX_LOG_INFO, "sleeper up");
    nx_notify_wait_bits(n, NX_DEADLINE_NEVER, &bits);
    return 0;
}
