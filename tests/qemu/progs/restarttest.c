// The policy service and svcmgr restart without their clients noticing: restarttest kills
// each through proc; init restarts it on the same endpoint and teaches it again (rules and
// names, registrations), so restarttest's own svcmgr handle keeps working and lookups give
// the same answers as before.
#define TEST_NAME "restarttest"
#include "expect.h"
#include "services.h"

static void lookups(const char *when)
{
    nx_handle_t h;
    long granted = nx_svc_lookup("log", &h), denied = nx_svc_lookup("policy", &h);
    nx_printf("restarttest: %s:\n", when);
    expect("lookup of a granted service", granted, NX_OK);
    expect("lookup of a service not granted", denied, NX_ERR_ACCESS);
}

int main(void)
{
    nx_handle_t proc = nx_startup_handle("proc");
    lookups("at first");
    kill_and_watch_restart(proc, "policy");
    lookups("after a restart of policy");
    kill_and_watch_restart(proc, "svcmgr");
    lookups("after a restart of svcmgr");
    nx_printf("restarttest: %d failures\n", failures);
    return (int)nx_rpc_call(proc, NX_PROC_POWEROFF, NULL, 0, NULL, 0, NX_DEADLINE_NEVER);
}
