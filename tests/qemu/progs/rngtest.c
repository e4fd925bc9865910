// The entropy service (nx/random.h) from a client: four reads of 64 bytes are neither all
// zero nor alike, a read of NX_RNG_MAX bytes comes whole, 0 bytes and NX_RNG_MAX + 1 are
// refused. Started with the argument "none" (a machine without the device): every read fails
// with NX_ERR_TIMED_OUT, at once again the second time, instead of hanging. Powers off.
#include <string.h>
#include <nx/nx.h>
#include <nx/random.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>

#define TEST_NAME "rngtest"
#include "expect.h"

#define READS 4
#define READ_BYTES 64

static bool all_zero(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

static void with_device(void)
{
    static uint8_t got[READS][READ_BYTES], big[NX_RNG_MAX + 1];
    int zero = 0, alike = 0;
    for (int i = 0; i < READS; i++) {
        expect("a read of 64 bytes", nx_random(got[i], READ_BYTES), NX_OK);
        zero += all_zero(got[i], READ_BYTES);
        for (int j = 0; j < i; j++)
            alike += !memcmp(got[i], got[j], READ_BYTES);
    }
    expect("no read all zero", zero, 0);
    expect("no two reads alike", alike, 0);
    for (int i = 0; i < 20; i++)  // 20 KiB: the pool of 4 KiB refilled on the way
        expect("a read of NX_RNG_MAX bytes", nx_random(big, NX_RNG_MAX), NX_OK);
    expect("its bytes are not all zero", all_zero(big, NX_RNG_MAX), false);
    expect("a read of 0 bytes", nx_random(big, 0), NX_ERR_INVALID);
    expect("a read of NX_RNG_MAX + 1 bytes", nx_random(big, NX_RNG_MAX + 1), NX_ERR_TOO_BIG);
    nx_handle_t rng;
    expect("lookup", nx_svc_lookup(NX_RNG_SERVICE, &rng), NX_OK);
    expect("a request of the wrong size", nx_rpc_call(rng, NX_RNG_READ, "x", 1, big, 1,
                                                      NX_DEADLINE_NEVER), NX_ERR_INVALID);
    nx_handle_close(rng);
}

static void without_device(void)
{
    uint8_t b[READ_BYTES];
    for (int i = 0; i < 2; i++) {
        uint64_t t = (uint64_t)nx_clock_get();
        expect("a read without the device", nx_random(b, sizeof b), NX_ERR_TIMED_OUT);
        nx_printf(TEST_NAME ": it failed after %llu ms\n",
                  (unsigned long long)((uint64_t)nx_clock_get() - t) / 1000000);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "none"))
        without_device();
    else
        with_device();
    nx_printf(TEST_NAME ": %d failures\n", failures);
    return (int)nx_rpc_call(nx_startup_handle("proc"), NX_PROC_POWEROFF, NULL, 0, NULL, 0,
                            NX_DEADLINE_NEVER);
}
