// A session of the login screen's (docs/login.md, "Sessions"; case
// gui_login_lock_and_logout): the greeter of that case starts it instead of the desktop
// (`-- session=sessiontest`: tests/qemu/apps/sessiontest.session). It checks the namespace it was given (its home as "/",
// /boot, no "fs"), asks the greeter to lock the screen, then waits for a file "logout" to
// appear in its home (the test writes it from the serial shell once it has unlocked the
// screen) and asks the greeter to end the session, which kills it.
#include <fcntl.h>
#include <unistd.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/session.h>
#include <nx/startup.h>

#define TEST_NAME "sessiontest"
#include "expect.h"

#define POLL_NS 200000000ull
#define CALL_NS 10000000000ull

static bool exists(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd >= 0)
        close(fd);
    return fd >= 0;
}

static long call(nx_handle_t session, uint32_t op)
{
    return nx_rpc_call(session, op, NULL, 0, NULL, 0, (uint64_t)nx_clock_get() + CALL_NS);
}

int main(void)
{
    nx_handle_t session = nx_startup_handle(NX_SESSION_SERVICE);
    expect("a session endpoint", session != NX_HANDLE_INVALID, 1);
    expect("no fs grant", nx_startup_handle("fs") == NX_HANDLE_INVALID, 1);
    expect("/boot/nsh reachable", exists("/boot/nsh"), 1);
    expect("/etc/users out of reach", exists("/etc/users"), 0);
    expect("an unknown call refused", call(session, 0x53450099), NX_ERR_INVALID);
    expect("lock", call(session, NX_SESSION_LOCK), NX_OK);
    uint64_t bits;
    long n = nx_notification_create();
    while (n > 0 && !exists("/logout"))
        nx_notify_wait_bits((nx_handle_t)n, (uint64_t)nx_clock_get() + POLL_NS, &bits);
    expect("logout", call(session, NX_SESSION_LOGOUT), NX_OK);
    while (n > 0)   // the greeter kills it
        nx_notify_wait_bits((nx_handle_t)n, NX_DEADLINE_NEVER, &bits);
    return failures;
}
