// The log service restarts without losing its clients: logtest kills it through proc; init
// restarts it on the same endpoint; logtest's ring, now unread, fills, and a second later
// nx_log connects a new ring by itself: the next record reaches the new log service.
#define TEST_NAME "logtest"
#include "expect.h"
#include "services.h"

#define OLD_RING_RECORDS 200  // more than a 4 KiB ring holds

int main(void)
{
    nx_handle_t proc = nx_startup_handle("proc");
    nx_log(NX_LOG_INFO, "before the restart");
    expect("the log has the first record", log_gets("before the restart"), 1);
    kill_and_watch_restart(proc, "log");
    expect("the new log starts empty of it", log_has("before the restart"), 0);
    for (int i = 0; i < OLD_RING_RECORDS; i++)
        nx_log(NX_LOG_DEBUG, "into the unread ring %d", i);
    nap(1100);
    nx_log(NX_LOG_INFO, "after the restart");
    expect("the new log has the next record", log_gets("after the restart"), 1);
    expect("init logs to the new log too", log_gets("started log"), 1);
    nx_printf("logtest: %d failures\n", failures);
    return (int)nx_rpc_call(proc, NX_PROC_POWEROFF, NULL, 0, NULL, 0, NX_DEADLINE_NEVER);
}
