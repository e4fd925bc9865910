// The first user program: says hello, shows the clock, exits.
#include <nx/nx.h>

int main(void)
{
    long t = nx_clock_get();
    nx_printf("Hello from user space! clock %ld ns\n", t);
    return 0;
}
