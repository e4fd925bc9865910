// Burns CPU for 30 ms of virtual time without ever yielding. Two of these started together
// only interleave if the kernel preempts them with its time slice: both keep to hart 0, so
// that with several harts they do not simply run side by side.
#include <nx/nx.h>

#define SPIN_NS 30000000L

int main(void)
{
    nx_thread_set_affinity(NX_HANDLE_INVALID, 1);
    long start = nx_clock_get();
    nx_printf("spin: start\n");
    while (nx_clock_get() - start < SPIN_NS)
        ;
    nx_printf("spin: end\n");
    return 0;
}
